"""Native code built on first use: a C++ shim over python-sat's CaDiCaL 1.9.5
(``share.cpp``, compiled by ``build``) that shares clauses mid-search (driven through ctypes
by ``share``), loads a large CNF into CaDiCaL from a C thread and makes and writes Kissat's
DIMACS from another (``backends.base.native_library``); and CPython extensions
(``build.extension``): the compiled SMT-LIB front end (``smtparse.c``) and the compact
encoding's clauses (``compact.c``).  Optional: without a compiler or the right python-sat,
``build.library`` says why; clause sharing then falls back to slice boundaries
(``conquer.sharing``), the load and the DIMACS to python-sat's per-clause calls and a forked
writer; without a C compiler the Python parser and ``encode/compact.py``'s clauses serve."""
