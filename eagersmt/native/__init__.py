"""Native code built on first use: a C++ shim over python-sat's CaDiCaL 1.9.5
(``share.cpp``, compiled by ``build``, driven through ctypes by ``share``) that shares
clauses mid-search.  Optional: without a compiler or the right python-sat, ``build.library``
says why, and clause sharing falls back to slice boundaries (``conquer.sharing``)."""
