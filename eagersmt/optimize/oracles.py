"""The oracles of the search: "is ``F and p - m <= a`` satisfiable?", with a model.

``Incremental`` keeps ONE encoding and ONE incremental SAT solver for the whole search (step
3 of ``__init__``): a fresh literal ``L_a`` per queried bound, with the clauses of ``L_a ->
p - m <= a`` over the objective's order literals (``OrderDecoder.le_clauses``), chained
``L_a -> L_b`` for ``a < b``; a query is a solve under the assumption ``L_a``.  With
``proof`` (the lemma store records the refutations: ``memo/optimum.py``) CaDiCaL keeps a
DRAT trace of the whole search and the oracle every clause it was given beyond the
encoding (``added``), and refuted bounds are not added as units ``-L_a`` (they would not be
justified by the formula a certificate states): ``refuted`` is the largest.  ``Reencode``
is the fall-back when the objective's class is not order-encoded: each query compiles ``F and
p - m <= a`` afresh and decides it with the configured strategy (correct, slower).
"""

from __future__ import annotations

import bisect
import time
from typing import Mapping, Optional

from ..backends import open_solver
from ..compile import encode_normalized, normalize_assertions
from ..config import Config
from ..core.sat import solve_bounded
from ..core.steps import decide_compiled
from ..encode.order import OrderDecoder
from ..errors import InternalError
from ..ir.terms import Term
from ..result import Stats, Status

LOAD_CHUNK = 50_000  # clauses loaded between two looks at the deadline


Model = tuple[dict[int, int], dict[str, bool]]


class Oracle:
    """Answers "is ``F and p - m <= a`` satisfiable?" (with a model)."""

    def query(self, a: int, left: Optional[float]) -> tuple[Status, Optional[Model]]:
        raise NotImplementedError

    def exclude(self, a: int) -> None:
        """``p - m <= a`` was shown unsatisfiable."""

    def keep(self, ub: int) -> None:
        """A model with ``p - m = ub`` exists: only better ones are wanted from now on."""

    def close(self) -> None:
        pass


class Incremental(Oracle):
    """One CaDiCaL instance; a literal ``L_a`` per queried bound (module doc, step 3)."""

    def __init__(self, enc, dec: OrderDecoder, p: int, m: int, stats: Stats,
                 deadline: Optional[float] = None, *, proof: bool = False):
        t0 = time.perf_counter()
        self.enc, self.dec, self.p, self.m, self.stats = enc, dec, p, m, stats
        self.cnf = enc.cnf
        self.proof = proof
        self.added: list[list[int]] = []  # (proof) clauses given beyond the encoding
        self.refuted: Optional[int] = None  # (proof) the largest bound shown unsat
        self.refute_seconds = 0.0
        self.solver = open_solver(proof=proof)
        self.solver.nvars = enc.cnf.nvars
        clauses = enc.cnf.clauses
        for i in range(0, len(clauses), LOAD_CHUNK):  # loading a big CNF takes a while
            if deadline is not None and time.perf_counter() >= deadline:
                self.solver.add_clause([])  # out of time: every query is unknown
                self.loaded = False
                break
            self.solver.add_clauses(clauses[i:i + LOAD_CHUNK])
        else:
            self.loaded = True
        self.had_model = False  # (an empty core before: the midpoint bound is too low)
        self.bounds: list[int] = []  # sorted a's that have a literal
        self.lits: dict[int, int] = {}
        stats.add_time("load", time.perf_counter() - t0)
        stats.counts["bound_literals"] = 0

    def lit(self, a: int) -> int:
        if a in self.lits:
            return self.lits[a]
        v = self.cnf.new_var()
        clauses = self.dec.le_clauses(self.p, self.m, a, v)
        i = bisect.bisect(self.bounds, a)
        if i > 0:  # L_below -> L_a
            clauses.append([-self.lits[self.bounds[i - 1]], v])
        if i < len(self.bounds):  # L_a -> L_above
            clauses.append([-v, self.lits[self.bounds[i]]])
        for cl in clauses:
            self.solver.add_clause(cl)
        if self.proof:
            self.added += clauses
        self.bounds.insert(i, a)
        self.lits[a] = v
        self.stats.counts["bound_literals"] += 1
        return v

    def query(self, a: int, left: Optional[float]) -> tuple[Status, Optional[Model]]:
        if not self.loaded:
            return Status.UNKNOWN, None
        lit = self.lit(a)
        deadline = None if left is None else time.perf_counter() + left
        t0 = time.perf_counter()
        st, sat = solve_bounded(self.solver, [lit], deadline, self.stats)
        if st == Status.UNSAT and self.proof:
            self.refute_seconds += time.perf_counter() - t0
            if self.refuted is None or a > self.refuted:
                self.refuted = a
        if st == Status.UNSAT and self.had_model and not self.solver.core():
            # the formula itself: impossible after a model
            raise InternalError("the optimization encoding became unsatisfiable")
        self.had_model |= st == Status.SAT
        if st != Status.SAT:
            return st, None

        def value(var: int) -> bool:
            return var <= len(sat) and sat[var - 1] > 0

        ints, bools = self.enc.decode(value)
        return Status.SAT, (ints, bools)

    def exclude(self, a: int) -> None:
        if not self.proof:
            self.solver.add_clause([-self.lit(a)])

    def keep(self, ub: int) -> None:
        self.solver.add_clause([self.lit(ub)])
        if self.proof:
            self.added.append([self.lit(ub)])

    def close(self) -> None:
        if self.solver is not None:
            self.solver.close()
            self.solver = None  # type: ignore[assignment]


class Reencode(Oracle):
    """Fallback when the objective's class is not order-encoded: a fresh encoding of
    ``F and p - m <= a`` per query (through the configured back end)."""

    def __init__(self, assertions: list[Term], positions: Optional[Mapping[Term, int]], p: int,
                 m: int, config: Config, stats: Stats):
        self.assertions, self.positions, self.p, self.m = assertions, positions, p, m
        self.config, self.stats = config, stats

    def query(self, a: int, left: Optional[float]) -> tuple[Status, Optional[Model]]:
        if left is not None and left <= 0:
            return Status.UNKNOWN, None
        norm = normalize_assertions(self.assertions, positions=self.positions)
        norm.circuit.roots.append(norm.circuit.pred(self.p, self.m, a))
        compiled = encode_normalized(norm, self.config)
        t0 = time.perf_counter()
        deadline = None if left is None else t0 + left
        sat = decide_compiled(compiled, self.config, deadline=deadline, stats=Stats())
        self.stats.add_time("solve", time.perf_counter() - t0)
        key = {Status.SAT: "sat_calls", Status.UNSAT: "unsat_calls"}.get(sat.status)
        if key:
            self.stats.counts[key] = self.stats.counts.get(key, 0) + 1
        if sat.status != Status.SAT:
            return sat.status, None
        assert compiled.enc is not None and sat.model is not None
        return Status.SAT, compiled.enc.decode(sat.value)
