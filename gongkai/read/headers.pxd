# Cython declarations for headers.py (see textlines.pxd): a row's columns and width are
# asked for every row the reader opens or closes

cdef class Headers:
    cdef public object template, t3_order
    cdef public dict t2_cols
    cdef public list t2_header, t3_header
    cdef public bint t3_seen_row

    cpdef note(self, core, column=*)
    cpdef note_t3_line(self, core)
    cpdef t2_order(self, row)
    cpdef order(self, table, row)
    cpdef width(self, table, row)
