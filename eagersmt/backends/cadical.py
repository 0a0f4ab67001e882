"""CaDiCaL 1.9.5 through python-sat, in a forked child process.

The child makes the solve interruptible (Ctrl-C, ``--timeout``: the parent kills it) and
keeps a crash or an out-of-memory inside the SAT solver from taking the caller down.
Measured overhead: ~3 ms per call.  ``in_process=True`` skips it (used by workers that
are already a process boundary, e.g. the conquer pool).
"""

from __future__ import annotations

import time
from typing import Optional, Sequence

from pysat.solvers import Cadical195

from ..encode.cnf import CNF
from ..result import Status
from .base import PathLike, SatResult, write_proof


def _solve(cnf: CNF, assumptions: Sequence[int], proof_path: Optional[PathLike] = None,
           warm: Optional[Cadical195] = None) -> SatResult:
    """``warm``: a CaDiCaL already loaded with ``cnf`` (``solve_limited(keep=True)``) to
    go on with instead of loading afresh (ignored with ``proof_path``: that proof would
    lack its start).  It is deleted on return, like a solver made here."""
    t0 = time.perf_counter()
    if warm is not None and proof_path is None:
        s = warm
    else:
        s = Cadical195(bootstrap_with=cnf.clauses, with_proof=proof_path is not None)
        if proof_path is not None and assumptions:
            # A refutation *under assumptions* does not end in the empty clause: to get a
            # DRAT proof of "CNF and cube" the cube goes in as unit clauses instead.
            for lit in assumptions:
                s.add_clause([lit])
            assumptions = ()
    with s:
        t1 = time.perf_counter()
        ok = s.solve(assumptions=list(assumptions))
        t2 = time.perf_counter()
        model = s.get_model() if ok else None
        st = s.accum_stats() or {}
        if proof_path is not None and not ok:
            write_proof(proof_path, s.get_proof() or [])
    if model is not None and len(model) < cnf.nvars:  # variables in no clause
        model = model + [-(v + 1) for v in range(len(model), cnf.nvars)]
    stats = {"load_s": t1 - t0, "sat_s": t2 - t1}
    stats.update({k: float(v) for k, v in st.items()})
    return SatResult(Status.SAT if ok else Status.UNSAT, model, stats)


def solve_sliced(solver: Cadical195, assumptions: Sequence[int] = (), *,
                 deadline: Optional[float] = None, conflicts: Optional[int] = None,
                 first: int = 1000, slice_seconds: float = 0.2) -> tuple[Optional[bool], int]:
    """``solver.solve`` kept within a ``deadline`` (``time.perf_counter()`` value) and/or a
    budget of ``conflicts``, by conflict-budget slices (python-sat's CaDiCaL cannot be
    interrupted from another thread; between slices Python regains control).  A slice starts
    at ``first`` conflicts, then aims at ``slice_seconds`` (at most a quarter of the time
    left) at the conflict rate just measured.  Returns the answer (None: a limit ran out)
    and the next slice size, for a caller that solves again.  The one bounded-solve loop of
    the project: the first try here, cube workers, the optimizer."""
    assumptions = list(assumptions)
    if deadline is None and conflicts is None:
        return solver.solve(assumptions=assumptions), first
    n, spent = first, 0
    while True:
        t = time.perf_counter()
        left = None if deadline is None else deadline - t
        if left is not None and left <= 0:
            return None, n
        step = n if conflicts is None else min(n, conflicts - spent)
        if step <= 0:
            return None, n
        solver.conf_budget(step)
        ok = solver.solve_limited(assumptions=assumptions)
        if ok is not None:
            return ok, n
        spent += step
        rate = step / max(time.perf_counter() - t, 1e-4)  # conflicts per second
        aim = slice_seconds if left is None else min(slice_seconds, max(left / 4, 0.01))
        n = int(min(max(rate * aim, 100), 1_000_000))


def solve_limited(cnf: CNF, conflicts: int, assumptions: Sequence[int] = (), *,
                  keep: bool = False) -> tuple[SatResult, Optional[Cadical195]]:
    """CaDiCaL in this process, stopped after ``conflicts`` conflicts (UNKNOWN then): a
    bounded first try that needs no child process.  ``stats["seconds"]``: its wall time.
    With ``keep`` and no answer, the solver is returned too (the caller deletes it), to be
    handed on as ``warm`` (``CadicalBackend``, ``PortfolioBackend``): a child forked with it
    goes on where it stopped, with the CNF loaded and what it learnt."""
    t0 = time.perf_counter()
    s = Cadical195(bootstrap_with=cnf.clauses)
    try:
        ok, _ = solve_sliced(s, assumptions, conflicts=conflicts, first=conflicts)
        model = s.get_model() if ok else None
        st = s.accum_stats() or {}
    except BaseException:
        s.delete()
        raise
    kept: Optional[Cadical195] = s if keep and ok is None else None
    if kept is None:
        s.delete()
    if model is not None and len(model) < cnf.nvars:  # variables in no clause
        model = model + [-(v + 1) for v in range(len(model), cnf.nvars)]
    status = Status.UNKNOWN if ok is None else Status.SAT if ok else Status.UNSAT
    stats = {k: float(v) for k, v in st.items()}
    stats["seconds"] = time.perf_counter() - t0
    return SatResult(status, model, stats), kept


class CadicalBackend:
    name = "cadical"

    def __init__(self, *, in_process: bool = False):
        self.in_process = in_process

    def solve(self, cnf: CNF, assumptions: Sequence[int] = (), *,
              timeout: Optional[float] = None,
              proof_path: Optional[PathLike] = None,
              warm: Optional[Cadical195] = None) -> SatResult:
        """``proof_path``: on UNSAT, CaDiCaL's DRAT proof (text) of the CNF plus the
        assumption units is written there.  ``warm``: see ``_solve``."""
        if self.in_process and timeout is None:
            return _solve(cnf, assumptions, proof_path, warm)
        from .process import Timeout, run_with_timeout

        try:
            return run_with_timeout(lambda: _solve(cnf, assumptions, proof_path, warm), timeout)
        except Timeout:
            return SatResult(Status.UNKNOWN, None, {"timeout": 1.0})
