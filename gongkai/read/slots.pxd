# Cython declarations for slots.py (see textlines.pxd): every row the reader closes is
# aligned here

cdef class Aligner:
    cdef public object report
    cdef public dict first_col

    cpdef align(self, slots, n, at_eof, where, table=*)
    cpdef trim(self, slots, n, table=*)


cdef class Slot:
    cdef public object cell, value  # (cell is None for a gap-inferred blank)
