"""Mid-search clause sharing on python-sat's CaDiCaL 1.9.5 (the ctypes side of ``share.cpp``).

A ``NativeShare`` connects to the C++ solver behind a python-sat ``Cadical195`` (its
pointer) a C++ ``Learner`` that buffers every learnt clause of at most ``max_length``
literals (binaries only with ``binaries``; none over a variable beyond ``nvars``) and a C++
``ExternalPropagator`` that observes and freezes every variable and hands CaDiCaL the
clauses given to ``offer`` at its next propagation fixpoint (``cb_has_external_clause``,
the only point IPASIR-UP offers; ``root_only`` or ``$EAGERSMT_NATIVE=root``: only at
decision level 0, as Mallob's CaDiCaL imports at restarts).  ``solve`` runs CaDiCaL's own ``solve`` in a thread (ctypes
releases the GIL) and calls ``between`` every ``POLL_SECONDS`` meanwhile, where the
caller's transport exchanges clauses through ``offer``/``take`` (both thread-safe); a
deadline, a conflict budget or Ctrl-C stops it through CaDiCaL's ``terminate``, which
leaves the solver usable (python-sat's SIGINT handling is not involved).

Observed variables are frozen so that no elimination or substitution removes one that a
later import names; the solver must therefore be fresh (loaded, never solved: nothing
eliminated yet).  An imported clause is an irredundant clause in CaDiCaL 1.9.5 (its
external clauses are never reduced); what is imported must be implied by the solver's
CNF (``conquer.sharing``'s tags see to it), and then every answer stays sound.

Reference: Fazekas, Niemetz, Preiner, Kirchweger, Szeider, Biere, "IPASIR-UP: user
propagators for CDCL", SAT 2023.  Cost: a C++ virtual call per assignment (observed
variables) and per learnt literal, one mutex per conflict; ``benchmarks/RESULTS.md``,
"Clause sharing", measures the whole.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from array import array
from typing import Callable, Optional, Sequence

from .build import ENV_VAR, library

POLL_SECONDS = 0.05  # the caller's exchange point while CaDiCaL searches


def unavailable() -> str:
    """Why native sharing cannot run here ('' when it can)."""
    lib = library()
    return lib if isinstance(lib, str) else ""


class NativeShare:
    """See the module doc.  ``close`` before the solver is deleted."""

    def __init__(self, solver: int, nvars: int, max_length: int, *, binaries: bool = False,
                 root_only: Optional[bool] = None):
        lib = library()
        if isinstance(lib, str):
            raise RuntimeError(f"native clause sharing is unavailable: {lib}")
        self.lib, self.solver, self.nvars = lib, solver, nvars
        if root_only is None:  # ``$EAGERSMT_NATIVE=root``: the import policy to compare
            root_only = os.environ.get(ENV_VAR) == "root"
        self.handle: Optional[int] = lib.share_new(solver, nvars, max_length, int(binaries),
                                                   int(root_only))

    def offer(self, clauses: Sequence[Sequence[int]]) -> None:
        """Queue ``clauses`` for import at the solver's next fixpoint (any thread)."""
        a = array("i")
        for c in clauses:
            a.extend(c)
            a.append(0)
        if a:
            buf = (ctypes.c_int * len(a)).from_buffer(a)
            self.lib.share_import(self.handle, buf, len(a))

    def take(self) -> list[list[int]]:
        """The clauses learnt (and kept by the filters) since the last call (any thread)."""
        n = self.lib.share_take(self.handle)
        if not n:
            return []
        buf = (ctypes.c_int * n)()
        self.lib.share_copy(self.handle, buf)
        out, clause = [], []
        for lit in buf:
            if lit:
                clause.append(lit)
            else:
                out.append(clause)
                clause = []
        return out

    def counters(self) -> dict[str, int]:
        """conflicts (learnt clauses), exported, imported, pending (literals to import)."""
        c = (ctypes.c_int64 * 4)()
        self.lib.share_counters(self.handle, c)
        return {"conflicts": c[0], "exported": c[1], "imported": c[2], "pending": c[3]}

    def solve(self, assumptions: Sequence[int] = (), *, deadline: Optional[float] = None,
              conflicts: Optional[int] = None,
              between: Optional[Callable[[], None]] = None) -> Optional[bool]:
        """One CaDiCaL solve (see the module doc): True, False, or None when stopped by
        ``deadline`` (``time.perf_counter`` time) or ``conflicts``.  An exception of
        ``between`` (or Ctrl-C) stops the solve first, then propagates."""
        lits = (ctypes.c_int * max(1, len(assumptions)))(*assumptions)
        limit = -1 if conflicts is None else max(0, int(conflicts))
        result: list[int] = []
        thread = threading.Thread(target=lambda: result.append(
            self.lib.share_solve(self.solver, lits, len(assumptions), limit)),
            name="cadical", daemon=True)
        thread.start()
        try:
            while thread.is_alive():
                wait = POLL_SECONDS
                if deadline is not None:
                    wait = min(wait, max(deadline - time.perf_counter(), 0.0))
                thread.join(wait)
                if not thread.is_alive():
                    break
                if deadline is not None and time.perf_counter() >= deadline:
                    self.stop(thread)
                    break
                if between is not None:
                    between()
        except BaseException:
            self.stop(thread)
            raise
        code = result[0] if result else 0
        return True if code == 10 else False if code == 20 else None

    def stop(self, thread: threading.Thread) -> None:
        """Terminate the solve of ``thread`` and wait for it (again until it ends: a
        ``terminate`` just before CaDiCaL's ``solve`` began may be forgotten)."""
        while thread.is_alive():
            self.lib.share_terminate(self.solver)
            thread.join(POLL_SECONDS)

    def model(self) -> list[int]:
        """The model of the last satisfiable ``solve``, over variables 1..nvars."""
        out = (ctypes.c_int * max(1, self.nvars))()
        self.lib.share_model(self.solver, self.nvars, out)
        return list(out)[:self.nvars]

    def close(self) -> None:
        """Disconnect from the solver (not while it solves)."""
        if self.handle is not None:
            self.lib.share_delete(self.handle)
            self.handle = None
