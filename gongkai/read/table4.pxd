# Cython declarations for table4.py (see textlines.pxd): the reader asks whether it is inside
# table 四 (``active``) on almost every line

cdef class Table4:
    cdef public object aligner, store, tokens, rows, short
    cdef public bint active, done, at_eof, labelled

    cpdef label(self, core)
    cpdef add_value(self, slot)
