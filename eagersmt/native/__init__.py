"""Native code built on first use: a C++ shim over python-sat's CaDiCaL 1.9.5
(``share.cpp``, compiled by ``build``) that shares clauses mid-search (driven through ctypes
by ``share``), loads a large CNF into CaDiCaL in one call and writes Kissat's DIMACS from a
C thread (``backends.base.native_library``).  Optional: without a compiler or the right
python-sat, ``build.library`` says why; clause sharing then falls back to slice boundaries
(``conquer.sharing``), the load and the DIMACS to python-sat's per-clause calls and a forked
writer."""
