# Cython declarations for textlines.py (the build applies them when it compiles the module;
# Python never reads this file): the open row and the reader's state as fields of extension
# types, read and written without a dictionary, and the reader's methods called directly
# from one another. Every field is public: Python code and the tests read and set them as
# before. A field is a C type only where its value is always of that type.

cimport cython

from gongkai.read.headers cimport Headers
from gongkai.read.slots cimport Aligner
from gongkai.read.store cimport CellStore
from gongkai.read.table4 cimport Table4


cdef class OpenRow:
    cdef public object table, row, label_cell, run_together
    cdef public list slots, held, sub_rows
    cdef public bint from_text_lines
    cdef public Py_ssize_t width


cdef class TextLines:
    cdef public object doc, version, unplaced
    cdef public Headers headers
    cdef public Aligner aligner
    cdef public CellStore store
    cdef public Table4 t4
    cdef public object group, pending_label, context, index, last_index, not_read
    cdef public OpenRow open
    cdef public set consumed, labelled_tables
    cdef public bint prev_text_line
    cdef public Py_ssize_t unfilled

    # TableReader's (tables.pxd declares them again)
    cpdef _open_row(self, rl, cell, from_text_lines=*)
    cpdef _close_row(self, at_eof=*)
    cpdef start_t4(self)
    cpdef end_tables(self)

    @cython.locals(row=OpenRow)
    cpdef _feed_text(self, index, line, at_eof)
    cpdef _run_together(self, index, cell, at_eof)
    cpdef _leaves_t4_for_label(self, cell)
    cpdef _column_for(self, core, cell)
    cpdef _continues_open_label(self, cell, same_line_values)
