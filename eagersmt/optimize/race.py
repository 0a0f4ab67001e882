"""The unsat side of the search: Kissat on the decision problem at a bound, beside the kept solver.

Idea.  The search's kept solver (one incremental CaDiCaL, ``core/bounded.py``) descends
from the best model; on a second CPU a ``Refuter`` decides ``F and p - m <= b`` from scratch
the way ``solve`` decides a file: normalized, root-propagated at that very bound (narrower
windows than the kept encoding's, built at the first model), encoded by ``auto`` with its
solver settings, and given to Kissat (a separate process, so it runs while the kept solver
works and is killed as soon as its bound is moot).  An ``unsat`` raises the lower bound; a
``sat`` model is a better schedule.  When one bound is left (``optimum - 1`` once the
optimum is found) both engines work on it: a portfolio of the kept CaDiCaL and a fresh
Kissat.

Cost: one normalization and encoding per bound asked (tenths of a second on a 10x10 job
shop, in this process) and one Kissat process at a time.
"""

from __future__ import annotations

import time
from typing import Optional

from ..backends.kissat import KissatRun, find_kissat
from ..compile import encode_normalized, normalize_assertions
from ..config import Config
from ..core.bounded import Raw
from ..ir.circuit import FALSE
from ..result import Stats, Status


class Refuter:
    """At most one Kissat run on ``F and p - m <= bound`` at a time (module doc)."""

    def __init__(self, assertions: list, positions, p: int, m: int, config: Config,
                 stats: Stats):
        self.assertions, self.positions, self.p, self.m = assertions, positions, p, m
        self.config, self.stats = config, stats
        self.executable = find_kissat()
        self.bound: Optional[int] = None  # the bound being decided (None: idle)
        self.run: Optional[KissatRun] = None
        self.enc = None
        self.norm = None
        self.answer: Optional[Status] = None  # decided without Kissat (refuted at the root)

    def start(self, bound: int, deadline: Optional[float]) -> None:
        """Decide ``F and p - m <= bound`` (the previous run stopped first)."""
        self.stop()
        self.stats.counts["refuter_runs"] = self.stats.counts.get("refuter_runs", 0) + 1
        t0 = time.perf_counter()
        norm = normalize_assertions(self.assertions, positions=self.positions)
        c = norm.circuit
        c.roots.append(c.pred(self.p, self.m, bound))
        self.bound, self.norm = bound, norm
        if FALSE in c.roots:
            self.answer = Status.UNSAT
            return
        compiled = encode_normalized(norm, self.config)
        self.stats.add_time("refuter_encode", time.perf_counter() - t0)
        self.enc = compiled.enc
        timeout = None if deadline is None else max(deadline - time.perf_counter(), 0.01)
        self.run = KissatRun(self.executable, compiled.cnf, timeout=timeout)

    def poll(self) -> Optional[tuple[Status, Optional[Raw]]]:
        """The answer of the run when it has finished (its status and raw values), else None."""
        if self.bound is None:
            return None
        if self.answer is not None:
            st, self.answer = self.answer, None
            self.bound = None
            self._count(st)
            return st, None
        assert self.run is not None
        if self.run.poll() is None:
            return None
        res = self.run.result()
        self.stats.add_time("refuter_solve", res.stats.get("kissat_s", 0.0))
        self.stop()
        self._count(res.status)
        if res.status != Status.SAT:
            return res.status, None
        assert self.enc is not None and res.model is not None
        model = res.model
        return Status.SAT, self.enc.decode(lambda v: v <= len(model) and model[v - 1] > 0)

    def _count(self, st: Status) -> None:
        key = {Status.SAT: "refuter_sat", Status.UNSAT: "refuter_unsat"}.get(st)
        if key:
            self.stats.counts[key] = self.stats.counts.get(key, 0) + 1

    def stop(self) -> None:
        """Kill the run (if any); idle afterwards."""
        if self.run is not None:
            self.run.close()
            self.run = None
        self.bound = None
        self.answer = None


__all__ = ["Refuter"]
