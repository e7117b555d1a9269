# Cython declarations for tables.py (see textlines.pxd, which declares the reader's fields)

cimport cython

from gongkai.read.textlines cimport OpenRow, TextLines


cdef class TableReader(TextLines):
    cpdef enter_section(self, code)
    cpdef start_t4(self)
    cpdef end_tables(self)
    cpdef feed(self, index, line)
    cpdef _open_row(self, rl, cell, from_text_lines=*)
    @cython.locals(row=OpenRow)
    cpdef _close_row(self, at_eof=*)
    cpdef _close_run_together(self, OpenRow row)
    cpdef _not_read_sub_rows(self, OpenRow row)
    cpdef _take_values(self, index, cells, values, at_eof)
    @cython.locals(row=OpenRow)
    cpdef _feed_bare_pipes(self, line, at_eof)
    cpdef _orphan(self, index, cells, values)
    cpdef _open_row_on_line(self, index, cells, texts, cached, values, at_eof)
