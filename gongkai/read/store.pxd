# Cython declarations for store.py (see textlines.pxd): the store as an extension type, its
# methods called directly (store_row writes every cell of a row through _write)

cdef class CellStore:
    cdef public object report, template
    cdef public bint correcting
    cdef public frozenset _codes, _money

    cpdef store(self, code, slot, confidence=*, reason=*)
    cpdef _write(self, code, slot, confidence, reason)
    cpdef store_row(self, codes, slots)
