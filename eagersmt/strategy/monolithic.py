"""One SAT call on the whole CNF (what ``solve`` does without ``--cubes``).

The configured back end decides the CNF (the default portfolio races CaDiCaL and Kissat).
A CNF of at most ``QUICK_CLAUSES`` clauses, with a back end that can go on from a loaded
solver (its entry says ``warm``), first gets ``QUICK_CONFLICTS`` conflicts of CaDiCaL in this
process: an easy instance ends there, and otherwise the back end's CaDiCaL child is forked
from that solver (nothing is loaded twice).  A back end that can ``prestart`` (the portfolio's
Kissat) is started before that try on a CNF of at least ``PRESTART_CLAUSES`` clauses, so the
try delays nobody on the instances it does not decide, and costs those it does a started and
killed process; on a smaller CNF the load and the try take a few ms, less than that costs.
A large CNF's clauses go into CaDiCaL on a thread (``backends/pysat.py``) while this process
makes the phases (``CNF.defer_phases``); Kissat is started once they are in, as its start and
its input's making would compete with that thread for the two CPUs.
Measurements:
``benchmarks/RESULTS.md``, "Start-up".
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Optional

from ..backends import BACKENDS, get_backend, open_solver
from ..backends.base import SatResult
from ..config import Config
from ..result import Stats, Status
from . import remaining

if TYPE_CHECKING:
    from ..compile import Compiled

QUICK_CLAUSES = 300_000
QUICK_CONFLICTS = 500
PRESTART_CLAUSES = 20_000


class Monolithic:
    proves_by_cubes = False

    def __init__(self, config: Config):
        self.backend = config.backend

    def solve(self, compiled: "Compiled", *, deadline: Optional[float], stats: Stats,
              proof_dir: Optional[str] = None) -> SatResult:
        if compiled.trivial:
            return SatResult(Status.UNSAT)
        cnf = compiled.cnf
        left = remaining(deadline)
        if proof_dir is not None:
            from ..check.certificate import PROOF_FILE

            return get_backend(self.backend).solve(
                cnf, timeout=left, proof_path=os.path.join(proof_dir, PROOF_FILE))
        if (not BACKENDS[self.backend].warm or len(cnf.clauses) > QUICK_CLAUSES
                or (left is not None and left <= 1.0)):
            return get_backend(self.backend).solve(cnf, timeout=left)
        t0 = time.perf_counter()
        backend, started, warm = None, None, None
        try:
            warm = open_solver(cnf)  # (a large CNF's clauses go in on a thread meanwhile)
            if BACKENDS[self.backend].prestarts and len(cnf.clauses) >= PRESTART_CLAUSES:
                backend = get_backend(self.backend)  # (its imports while the load runs)
                warm.wait_loaded()  # (Kissat's start and input would slow that thread)
                started = backend.prestart(cnf, timeout=left)  # the portfolio's Kissat: now on
            ok = warm.solve(conflicts=QUICK_CONFLICTS)
            if ok is not None:
                return SatResult(Status.SAT if ok else Status.UNSAT, warm.model() if ok else None,
                                 {**warm.stats(), "seconds": time.perf_counter() - t0,
                                  "winner": "cadical (in-process first try)"})
            left = None if left is None else left - (time.perf_counter() - t0)
            backend = backend or get_backend(self.backend)  # (loaded when the try is not enough)
            run, started = started, None  # the back end owns it now
            if run is not None:
                return backend.solve(cnf, timeout=left, warm=warm, started=run)
            return backend.solve(cnf, timeout=left, warm=warm)
        finally:
            if started is not None:
                started.close()
            if warm is not None:
                warm.close()
