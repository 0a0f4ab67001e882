r"""Bound queries: "is ``F and p - m <= a`` satisfiable?", answered with raw circuit values.

What the optimizer's search asks ``decide`` (``Query.bound``) on the encoding its ``Kept``
holds (``Kept.bounds``); ``decide`` improves the raw values (``Bound.improve``: the
search's compaction), decodes and checks them, like every ``sat`` answer.  Kinds:

* ``OrderBounds`` keeps ONE encoding and ONE incremental CaDiCaL for the whole search: a
  fresh literal ``L_a`` per queried bound, with the clauses of ``L_a -> p - m <= a`` over
  the objective's order literals (``OrderDecoder.le_clauses``) or compact order digits
  (``compact.le_clauses`` with fresh carry literals), chained ``L_a -> L_b`` for
  ``a < b``; a query is a solve under the assumption ``L_a``.  The encoding is the decision
  path's own (``auto``: root lemmas, the encoder's solver settings and phases) when it
  gives the objective's class one of those two encodings, else the order encoding forced
  on that class.  The bound literals are the
  guards of the guarded encoding (``guarded.py``) for one atom whose literals the order
  encoding already has.  With ``proof`` (the lemma store records the refutations:
  ``memo/optimum.py``) CaDiCaL keeps a DRAT trace of the whole search and the oracle every
  clause it was given beyond the encoding (``added``), and refuted bounds are not added as
  units ``-L_a`` (they would not be justified by the formula a certificate states):
  ``refuted`` is the largest.
* ``Reencode`` is the fall-back when the objective's class is not order-encoded: each query
  compiles ``F and p - m <= a`` afresh and decides it with the configured strategy (the
  one-shot steps, ``steps.py``; correct, slower).
* ``Probe``: one in-process solve of one encoding, no bound (the search's first model).
* ``Given``: values found elsewhere (a stored model the lemma store repaired), answered
  ``sat`` so that they are improved, decoded and checked as any other.

``open_bounds`` encodes a bound formula and picks ``OrderBounds`` or ``Reencode``.
"""

from __future__ import annotations

import bisect
import time
from functools import partial
from typing import TYPE_CHECKING, Callable, Mapping, Optional

from ..backends import open_solver
from ..compile import Compiled, encode_normalized, normalize_assertions
from ..config import Config
from ..encode.cnf import CNF
from ..encode.compact import CompactDecoder, le_clauses
from ..encode.order import OrderDecoder
from ..errors import InternalError
from ..ir.terms import Term
from ..result import Stats, Status
from .sat import solve_bounded

if TYPE_CHECKING:
    from ..encode.assemble import Encoded
    from ..ir.normalize import Normalized

LOAD_CHUNK = 50_000  # clauses loaded between two looks at the deadline (RESULTS.md, "Optimization")

Raw = tuple[dict[int, int], dict[str, bool]]  # circuit values: integers by index, Booleans


class Bounds:
    """Answers bound queries on ``norm``'s formula with raw values (module doc); the
    statistics of the search that asks go to ``stats``."""

    norm: "Normalized"
    stats: Stats

    def solve(self, a: Optional[int], deadline: Optional[float]) -> tuple[Status, Optional[Raw]]:
        raise NotImplementedError

    def exclude(self, a: int) -> None:
        """``p - m <= a`` was shown unsatisfiable."""

    def keep(self, ub: int, raw: Raw) -> None:
        """A model with ``p - m = ub`` exists (``raw``, its values): only better ones are
        wanted from now on."""

    def close(self) -> None:
        pass


def _raw(compiled: Compiled, sat: list[int]) -> Raw:
    assert compiled.enc is not None
    return compiled.enc.decode(lambda v: v <= len(sat) and sat[v - 1] > 0)


class Probe(Bounds):
    """One in-process CaDiCaL on one encoding of ``norm`` (``config``'s), no bound."""

    def __init__(self, norm: "Normalized", config: Config, stats: Stats):
        self.norm, self.config, self.stats = norm, config, stats

    def solve(self, a: Optional[int], deadline: Optional[float]) -> tuple[Status, Optional[Raw]]:
        assert a is None
        compiled = encode_normalized(self.norm, self.config, stats=self.stats)
        t0 = time.perf_counter()
        with open_solver(compiled.cnf) as solver:
            self.stats.add_time("load", time.perf_counter() - t0)
            st, sat = solve_bounded(solver, [], deadline, self.stats)
        return st, (_raw(compiled, sat) if st == Status.SAT else None)


class Given(Bounds):
    """Values found elsewhere, answered ``sat`` (module doc)."""

    def __init__(self, norm: "Normalized", raw: Raw, stats: Stats):
        self.norm, self.raw, self.stats = norm, raw, stats

    def solve(self, a: Optional[int], deadline: Optional[float]) -> tuple[Status, Optional[Raw]]:
        return Status.SAT, self.raw


class OrderBounds(Bounds):
    """One CaDiCaL instance; a literal ``L_a`` per queried bound (module doc).  ``le(a, g)``:
    the clauses of ``g -> p - m <= a`` over the encoding's literals (``bound_clauses``)."""

    def __init__(self, norm: "Normalized", enc, le: "BoundClauses",
                 p: int, m: int, stats: Stats, deadline: Optional[float] = None, *,
                 proof: bool = False):
        t0 = time.perf_counter()
        self.norm = norm
        self.enc, self.le, self.p, self.m, self.stats = enc, le, p, m, stats
        self.cnf = enc.cnf
        self.proof = proof
        self.added: list[list[int]] = []  # (proof) clauses given beyond the encoding
        self.refuted: Optional[int] = None  # (proof) the largest bound shown unsat
        self.refute_seconds = 0.0
        settings = CNF()  # the solver settings the encoder asked for, before any clause
        settings.tuning = enc.cnf.tuning
        self.solver = open_solver(settings, proof=proof)
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
        if enc.cnf.phases and hasattr(self.solver, "set_phases"):
            self.solver.set_phases(enc.cnf.phases)  # the encoder's hint (a list schedule)
        self.had_model = False  # (an empty core before: the midpoint bound is too low)
        self.bounds: list[int] = []  # sorted a's that have a literal
        self.lits: dict[int, int] = {}
        stats.add_time("load", time.perf_counter() - t0)
        stats.counts["bound_literals"] = 0

    def lit(self, a: int) -> int:
        if a in self.lits:
            return self.lits[a]
        v = self.cnf.new_var()
        clauses = self.le(a, v)
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

    def solve(self, a: Optional[int], deadline: Optional[float]) -> tuple[Status, Optional[Raw]]:
        assert a is not None
        if not self.loaded:
            return Status.UNKNOWN, None
        lit = self.lit(a)
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

        return Status.SAT, self.enc.decode(value)

    def exclude(self, a: int) -> None:
        if not self.proof:
            self.solver.add_clause([-self.lit(a)])

    def keep(self, ub: int, raw: Raw) -> None:
        """(Also: the solver's decisions from now on start from ``raw``, the best model, instead
        of the encoder's list schedule: solution-guided search.)"""
        self.solver.add_clause([self.lit(ub)])
        if self.proof:
            self.added.append([self.lit(ub)])
        if hasattr(self.solver, "set_phases"):
            self.solver.set_phases(model_phases(self.enc, raw[0]))

    def close(self) -> None:
        if self.solver is not None:
            self.solver.close()
            self.solver = None  # type: ignore[assignment]


class Reencode(Bounds):
    """Fallback when the objective's class is not order-encoded: a fresh encoding of
    ``F and p - m <= a`` per query (through the configured back end)."""

    def __init__(self, norm: "Normalized", assertions: list[Term],
                 positions: Optional[Mapping[Term, int]], p: int, m: int, config: Config,
                 stats: Stats):
        self.norm = norm
        self.assertions, self.positions, self.p, self.m = assertions, positions, p, m
        self.config, self.stats = config, stats

    def solve(self, a: Optional[int], deadline: Optional[float]) -> tuple[Status, Optional[Raw]]:
        from ..strategy import choose  # (as ``steps.solve_normalized``: loaded when used)

        assert a is not None
        t0 = time.perf_counter()
        if deadline is not None and deadline <= t0:
            return Status.UNKNOWN, None
        norm = normalize_assertions(self.assertions, positions=self.positions)
        norm.circuit.roots.append(norm.circuit.pred(self.p, self.m, a))
        compiled = encode_normalized(norm, self.config)
        t0 = time.perf_counter()
        sat = choose(self.config).solve(compiled, deadline=deadline, stats=Stats())
        self.stats.add_time("solve", time.perf_counter() - t0)
        key = {Status.SAT: "sat_calls", Status.UNSAT: "unsat_calls"}.get(sat.status)
        if key:
            self.stats.counts[key] = self.stats.counts.get(key, 0) + 1
        if sat.status != Status.SAT:
            return sat.status, None
        assert compiled.enc is not None and sat.model is not None
        return Status.SAT, compiled.enc.decode(sat.value)


def open_bounds(norm: "Normalized", p: int, m: int, config: Config, stats: Stats, *,
                deadline: Optional[float], proof: bool, assertions: list[Term],
                positions: Optional[Mapping[Term, int]]) -> Bounds:
    """Encode ``norm`` (the bound formula) and keep the bound queries on it: ``OrderBounds``
    over the decision path's own encoding when it order- or compact-encodes the class of
    ``p``, ``m`` (``auto``: root propagation, solver settings and phases included; without
    the list-schedule restriction, which would leave one schedule), else over the order
    encoding forced on that class, else ``Reencode`` (the stats say which)."""
    if not proof and config.encoding == "auto":
        enc = encode_normalized(norm, config, stats=stats, checkable=True).enc
        le = None if enc is None else bound_clauses(enc, p, m)
        if le is not None:
            stats.notes["objective"] = "decision encoding, incremental"
            return OrderBounds(norm, enc, le, p, m, stats, deadline, proof=proof)
    enc = encode_normalized(norm, config, stats=stats, prefer_order=frozenset((p, m)),
                            checkable=proof).enc
    le = None if enc is None else bound_clauses(enc, p, m)
    if le is not None:
        stats.notes["objective"] = "order literals, incremental"
        return OrderBounds(norm, enc, le, p, m, stats, deadline, proof=proof)
    stats.notes["objective"] = "reencode"
    return Reencode(norm, assertions, positions, p, m, config, stats)


def model_phases(enc: "Encoded", ints: dict[int, int]) -> list[int]:
    """The literals of the integer values ``ints`` (by circuit index) in ``enc``: its
    difference atoms and the order (or compact order) literals of the classes whose
    decoders give them."""
    out = [u.var if ints.get(u.x, 0) - ints.get(u.y, 0) <= u.c else -u.var
           for u in enc.tseitin.preds]
    for d in enc.decoders:
        phases = getattr(d, "phases", None)
        if phases is not None:
            try:
                out.extend(phases(ints))
            except KeyError:  # (a class without values)
                pass
    return out


BoundClauses = Callable[[int, int], list[list[int]]]


def bound_clauses(enc: "Encoded", p: int, m: int) -> Optional[BoundClauses]:
    """``le(a, g)``: the clauses of ``g -> p - m <= a`` over the literals of the class of
    ``p`` and ``m`` when an order or compact order encoding has both; else None."""
    for d in enc.decoders:
        if isinstance(d, OrderDecoder) and p in d.base and m in d.base:
            return partial(d.le_clauses, p, m)
        if isinstance(d, CompactDecoder) and p in d.layout and m in d.layout:
            X, Y, shift = d.layout[p], d.layout[m], d.dom.lo[m] - d.dom.lo[p]
            cnf = enc.cnf

            def le(a: int, g: int, X=X, Y=Y, shift=shift, B=d.B) -> list[list[int]]:
                k = a + shift
                q1 = cnf.new_var() if k % B else 0
                return le_clauses(X, Y, k, g, cnf.new_var(), q1)

            return le
    return None


__all__ = ["Bounds", "Given", "LOAD_CHUNK", "OrderBounds", "Probe", "Raw", "Reencode",
           "bound_clauses", "model_phases", "open_bounds"]
