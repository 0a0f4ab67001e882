"""The search for the optimum (steps 1 to 3 of ``__init__``): probe, compaction, bounds.

``optimize`` minimizes one objective; ``optimize_lex`` several, lexicographically (Z3's
default).  Bounds from root propagation and a list schedule first (``root``); then, with the
portfolio back end on two CPUs, the kept solver's descent raced with a Kissat refuter
(``race``), else linear descent from each model until a step is slow, then bisection
(``strategy``); the last unsat query, at optimum - 1, proves optimality.

A search strategy over bound queries: each (the probe's first model, each ``p - m <= a``)
is a ``core.Query`` with a ``core.Bound`` decided by ``core.decide`` on the bound encoding
the search's ``core.Kept`` holds (``core/bounded.py``, built by ``open_bounds``), which
compacts (``tighten``), decodes and checks the model; the search keeps the bounds.
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Mapping, Optional, Sequence

from ..compile import normalize_assertions
from ..core import Bound, Kept, Query, decide
from ..core.bounded import Bounds, Given, OrderBounds, Probe, Raw, open_bounds
from ..core.limits import is_interrupt, within_limits
from ..config import Config
from ..backends.kissat import KissatNotFound
from ..encode.domains import NegativeCycle
from ..ir.circuit import FALSE, K_PRED, Circuit, polarities
from ..ir.linear import LinearNormalized
from ..ir.normalize import Normalized
from ..ir.terms import INT, Term, TermManager
from ..errors import Interrupted
from ..result import Status
from .linear import optimize_linear
from .objective import Objective, Optimum, Progress, difference_form, is_difference
from .race import Refuter
from .root import RootBounds, root_bounds
from .state import SearchState
from .tighten import tighten, unit_bound

STRATEGIES = ("auto", "linear", "binary")
# Measured: ``benchmarks/RESULTS.md``, "Optimization".
SLOW_STEP_S = 0.5  # auto: a SAT step slower than this switches to bisection
# The encoding is built for the bound halfway between the proven lower bound and the first
# (compacted) model when they are further apart than this: the order encoding's size, and
# the time to load it, grow with the bound (RESULTS.md, "Optimization").  If the midpoint is
# unsatisfiable (the first model was already within a factor two of the gap), that is a
# proven lower bound and the encoding is rebuilt once at the first model's value
# (``encodings: 2`` in the stats).
GUESS_MIN_GAP = 16
RACE_SLICE_S = 0.2  # the kept solver's time between two looks at the refuter (``_race``)


def optimize(assertions: Sequence[Term], declarations: Sequence[Term], objective: Objective, *,
             config: Config = Config(), positions: Optional[Mapping[Term, int]] = None,
             progress: Optional[Callable[[Progress], None]] = None,
             strategy: str = "auto", terms: Optional[TermManager] = None,
             logic: Optional[str] = None) -> Optimum:
    """Minimize (or maximize) ``objective`` over the conjunction of ``assertions``.
    ``terms``: the assertions' term manager (without it the lemma store is not used);
    ``logic``: the script's (part of the store's keys).  Under ``config.memory_limit``
    (past it: unknown); Ctrl-C raises ``errors.Interrupted`` with the best result so far."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}")
    return within_limits(config, lambda: _one(list(assertions), list(declarations), objective,
                                              config, positions, progress, strategy, terms, logic),
                         lambda reason: Optimum(Status.UNKNOWN, reason=reason, objective=objective))


def optimize_lex(assertions: Sequence[Term], declarations: Sequence[Term],
                 objectives: Sequence[Objective], terms: TermManager, *, config: Config = Config(),
                 positions: Optional[Mapping[Term, int]] = None,
                 progress: Optional[Callable[[Progress], None]] = None,
                 strategy: str = "auto", logic: Optional[str] = None) -> list[Optimum]:
    """Several objectives in lexicographic order (Z3's default): each optimum is fixed
    (``t = value``) before the next is optimized.  Stops at the first that is not proven.
    ``config.memory_limit`` and Ctrl-C: as ``optimize``, for the whole sequence."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}")
    return within_limits(config, lambda: _lex(
        assertions, declarations, objectives, terms, config, positions, progress, strategy,
        logic), lambda reason: [Optimum(Status.UNKNOWN, reason=reason, objective=objectives[0])])


def _lex(assertions: Sequence[Term], declarations: Sequence[Term],
         objectives: Sequence[Objective], terms: TermManager, config: Config,
         positions: Optional[Mapping[Term, int]], progress: Optional[Callable[[Progress], None]],
         strategy: str, logic: Optional[str]) -> list[Optimum]:
    out: list[Optimum] = []
    fixed = list(assertions)
    start = time.perf_counter()
    for obj in objectives:
        cfg = config
        if config.timeout is not None:
            left = config.timeout - (time.perf_counter() - start)
            if left <= 0:
                break
            cfg = config.replace(timeout=left)
        r = _one(fixed, list(declarations), obj, cfg, positions, progress, strategy, terms, logic)
        out.append(r)
        if r.status != Status.SAT or not r.proven or r.value is None:
            break
        fixed.append(terms.eq(obj.term, terms.const(r.value, INT)))
    return out


def _one(assertions: list[Term], declarations: list[Term], objective: Objective, config: Config,
         positions: Optional[Mapping[Term, int]], progress: Optional[Callable[[Progress], None]],
         strategy: str, terms: Optional[TermManager], logic: Optional[str]) -> Optimum:
    """One objective: a difference ``x - y + k`` over a difference-logic formula by the
    search below, any other linear objective (or any formula outside difference logic:
    ``_Search._start``) by re-encoded bound queries (``linear``)."""
    if objective.term.sort == INT and not is_difference(objective.term):
        return optimize_linear(assertions, declarations, objective, terms, config, positions,
                               progress)
    return _Search(assertions, declarations, objective, config, positions, progress, strategy,
                   terms, logic).run()


class _Search(SearchState):
    def __init__(self, assertions: list[Term], declarations: list[Term], objective: Objective,
                 config: Config, positions: Optional[Mapping[Term, int]],
                 progress: Optional[Callable[[Progress], None]], strategy: str,
                 terms: Optional[TermManager] = None, logic: Optional[str] = None):
        super().__init__(objective, config, progress)
        self.terms = terms
        self.logic = logic
        self.memo: Any = None  # the lemma store's use (``memo/optimum.py``), through the hook
        self.assertions = assertions
        self.declarations = declarations
        self.positions = positions
        self.strategy = strategy
        self.kept = Kept()  # the bound encoding of the search (``core.bounded``)
        self.p = self.m = 0  # the objective ``p - m`` (circuit indices)
        self.circuit: Optional[Circuit] = None  # the bound formula's circuit, and its
        self.pol: list[int] = []  # polarities (compaction: ``tighten``)
        self.built = self.a_lo = 0  # the bound the kept encoding was built at, its box
        self.last_raw: Optional[Raw] = None  # (``value``)

    # -- helpers ---------------------------------------------------------------------
    def user(self, raw: Optional[int]) -> Optional[int]:
        """Objective value as the user sees it from the raw ``p - m``."""
        if raw is None:
            return None
        v = raw + self.k
        return -v if self.obj.maximize else v

    def ask(self, a: Optional[int], improve: bool = True,
            deadline: Optional[float] = None) -> Status:
        """Decide the bound query ``p - m <= a`` (None: no bound) on the kept bound
        encoding (``core.decide``: decoded, checked on the original assertions) by
        ``deadline`` (default: the search's); a model, compacted (``tighten``) when
        ``improve``, becomes the best."""
        query = Query(self.assertions, self.declarations, positions=self.positions,
                      bound=Bound(a, self.compact if improve else None),
                      deadline=self.deadline if deadline is None else deadline)
        res = decide(query, self.config, self.kept)
        if res.status == Status.SAT:
            self.best_model = res.model
        return res.status

    def compact(self, ints: dict[int, int]) -> Optional[dict[int, int]]:
        assert self.circuit is not None
        return tighten(self.circuit, self.pol, ints, self.p, self.m)

    def value(self) -> int:
        """The raw value ``p - m`` of the last model, recorded in the history; its raw
        values become ``best_raw``'s."""
        assert self.kept.values is not None
        self.last_raw = self.kept.values
        ints = self.kept.values[0]
        raw = ints.get(self.p, 0) - ints.get(self.m, 0)
        self.history.append((time.perf_counter() - self.start, self.user(raw)))  # type: ignore[arg-type]
        return raw

    def best_raw(self) -> Raw:
        """The raw values of the model ``value`` last recorded."""
        assert self.last_raw is not None
        return self.last_raw

    # -- the search ------------------------------------------------------------------
    def run(self) -> Optimum:
        """The optimum; on Ctrl-C ``Interrupted`` with the best result so far (its solvers
        closed on the way out)."""
        try:
            return self._start()
        except BaseException as e:
            if not is_interrupt(e):
                raise
            ub, lb = self.bounds
            partial = None if ub is None else self.result(Status.SAT, ub, lb,
                                                          reason="interrupted")
            raise Interrupted(partial) from None

    def _start(self) -> Optimum:
        pname, mname, self.k = difference_form(self.obj.term, maximize=self.obj.maximize)
        self.p = self.m = 0
        cfg = self.config
        norm = normalize_assertions(self.assertions, positions=self.positions, stats=self.stats)
        if isinstance(norm, LinearNormalized):  # a formula outside difference logic
            return optimize_linear(self.assertions, self.declarations, self.obj, self.terms,
                                   cfg, self.positions, self.progress)
        c = norm.circuit
        if FALSE in c.roots:
            return self.result(Status.UNSAT, None, None, reason="an assertion simplifies to false")
        hook = self.kept.hook(cfg)
        if hook is not None:
            query = Query(self.assertions, self.declarations, logic=self.logic,
                          positions=self.positions, terms=self.terms)
            self.memo = hook.optimizer(query, cfg, self.obj.term, self.obj.maximize, norm)
        if self.memo is None:
            return self._run(norm, pname, mname)
        try:
            self.memo.before(norm)
            if self.memo.look.used:
                self.stats.notes["memo"] = f"{len(self.memo.look.used)} stored refutation(s) applied"
            r = self._run(norm, pname, mname)
            if r.status == Status.SAT and r.value is not None and self.stats.notes.get(
                    "memo") != "optimum from the lemma store":
                raw = -r.value - self.k if self.obj.maximize else r.value - self.k
                self.memo.record_model(raw, self.k, self.best_model, time.perf_counter() - self.start)
            return r
        finally:
            self.memo.look.counters(self.stats)

    def _run(self, norm: Normalized, pname: Optional[str], mname: Optional[str]) -> Optimum:
        cfg = self.config
        c = norm.circuit
        p0, kp = self._index(norm, pname)
        m0, km = self._index(norm, mname)
        repaired = None
        if self.memo is not None and p0 is not None and m0 is not None and p0 != m0:
            lb0 = unit_bound(c, p0, m0)  # (the stored refutations' units count)
            model = None if lb0 is None else self.memo.optimum_at(lb0, self.k + kp - km)
            if model is not None:
                self.p, self.m, self.k = p0, m0, self.k + kp - km
                self.best_model = model
                self.history.append((time.perf_counter() - self.start, self.user(lb0)))  # type: ignore[arg-type]
                self.stats.notes["memo"] = "optimum from the lemma store"
                self.report(lb0, lb0)
                return self.result(Status.SAT, lb0, lb0)
            repaired = self.memo.repaired(norm, p0, m0)  # (memo/optimum.py: a near stored model)
        self.p, self.m = (p0, m0) if p0 is not None and m0 is not None else (0, 0)
        bounded = p0 is not None and m0 is not None and p0 != m0
        if bounded:
            self.circuit, (self.pol, _) = c, polarities(c)
        root = RootBounds()
        if bounded and self.memo is None and cfg.encoding == "auto":
            assert p0 is not None and m0 is not None
            try:
                root = root_bounds(c, p0, m0, unit_bound(c, p0, m0))
            except NegativeCycle:  # the top-level facts alone are contradictory: the probe says
                pass
        if repaired is not None:  # the first model: no probe
            _, ints, bools = repaired
            self.kept.bounds = Given(norm, (ints, bools), self.stats)
            self.stats.notes["memo"] = "search from a repaired stored model"
        elif root.start is not None:  # the first model: a list schedule, no probe
            self.kept.bounds = Given(norm, (root.start, {}), self.stats)
            self.stats.notes["first model"] = "list schedule"
        else:
            # Probe: one plain solve for a first model, in process (module doc, step 1).  A
            # constant objective (``(minimize 1)``) bounds nothing: the plain ``auto`` choice
            # then (SD is much slower to refute an unsat job shop than ``auto``).
            constant = pname is None and mname is None
            sd_probe = cfg.encoding == "auto" and not constant
            self.kept.bounds = Probe(norm, cfg.replace(
                encoding="sd" if sd_probe else cfg.encoding), self.stats)
        st = self.ask(None, improve=bounded)
        self.kept.close()
        if st != Status.SAT:
            return self.result(st, None, None, reason="timeout" if st == Status.UNKNOWN else "")
        p, m = p0, m0
        self.k += kp - km
        if p is None or m is None:  # a variable in no constraint: free
            return self.result(Status.SAT, None, None, unbounded=True)
        if p == m:
            raw = 0
            self.history.append((time.perf_counter() - self.start, self.user(0)))  # type: ignore[arg-type]
            return self.result(Status.SAT, raw, raw)

        # First model (probe), compacted.
        if not self.kept.improved:
            return self.result(Status.SAT, None, None, unbounded=True)
        ub = self.value()
        pol = self.pol
        lb = unit_bound(c, p, m)
        if root.lower is not None:
            lb = root.lower if lb is None else max(lb, root.lower)
            self.stats.notes["root bound"] = f"{self.user(root.lower)}"
        self.report(ub, lb)
        if lb is not None and lb >= ub:
            if repaired is not None:
                self.stats.notes["memo"] = "optimum from a repaired stored model"
            return self.result(Status.SAT, ub, lb)

        # One encoding of F and p - m <= bound, the objective's class order-encoded.
        a_lo = lb
        if lb is None:
            n = len(c.int_names)
            w = max((max(abs(c.args[i][2]), abs(c.args[i][2] + 1)) for i in range(2, len(c.kind))
                     if c.kind[i] == K_PRED and pol[i]), default=1)
            a_lo = -(n - 1) * w - 1
        bound = ub
        if lb is not None and ub - lb > GUESS_MIN_GAP and root.start is None:
            bound = lb + (ub - lb) // 2  # see GUESS_MIN_GAP
        self._build(norm, bound, a_lo)
        self.stats.counts["encodings"] = 1
        if bound == ub:
            self.encoding().keep(ub, self.best_raw())
        try:
            if bound < ub:
                st = self.ask(bound)
                if st == Status.UNKNOWN:
                    return self.result(Status.SAT, ub, lb, reason="timeout")
                if st == Status.SAT:
                    assert self.kept.improved
                    ub = self.value()
                    self.encoding().keep(ub, self.best_raw())
                else:  # the guess was too low: a proven bound, and the encoding at ub
                    lb = bound + 1
                    self.report(ub, lb)
                    self._record(bound)
                    self.kept.close()
                    norm = normalize_assertions(self.assertions, positions=self.positions)
                    if self.memo is not None:
                        self.memo.reapply(norm)
                    self._build(norm, ub, a_lo)
                    self.encoding().keep(ub, self.best_raw())
                    bound = ub
                    self.stats.counts["encodings"] = 2
                self.report(ub, lb)
            return self._search(ub, lb, a_lo)
        finally:
            self._record(bound)
            self.kept.close()

    def encoding(self) -> Bounds:
        assert self.kept.bounds is not None
        return self.kept.bounds

    def _record(self, bound: int) -> None:
        """Give the lemma store the bound encoding's strongest refutation
        (``memo/optimum.py``)."""
        oracle = self.kept.bounds
        if self.memo is not None and isinstance(oracle, OrderBounds) and oracle.proof:
            if self.memo.record_refutation(oracle, self.circuit, self.p, self.m, self.k, bound):
                self.stats.counts["memo_refutations_recorded"] = \
                    self.stats.counts.get("memo_refutations_recorded", 0) + 1

    def _build(self, norm: Normalized, bound: int, a_lo: int) -> None:
        """Encode ``F and p - m <= bound`` (plus the optional ``p - m <= a_lo`` that makes
        the box cover every query) and keep the bound queries on it (``core.bounded``)."""
        p, m = self.p, self.m
        c = norm.circuit
        c.roots.append(c.pred(p, m, bound))
        if a_lo < 0:
            c.roots.append(c.or_((c.pred(p, m, a_lo), c.bool_var("\0objective-box"))))
        self.circuit, (self.pol, _) = c, polarities(c)
        self.built, self.a_lo = bound, a_lo
        proof = self.memo is not None and a_lo >= 0  # (the box root is no SMT-LIB assertion)
        self.kept.bounds = open_bounds(norm, p, m, self.config, self.stats,
                                       deadline=self.deadline, proof=proof,
                                       assertions=self.assertions, positions=self.positions)

    def _search(self, ub: int, lb: Optional[int], a_lo: int) -> Optimum:
        if lb is None:  # is the objective bounded at all?
            st = self.ask(a_lo, improve=False)
            if st == Status.SAT:
                self.value()
                return self.result(Status.SAT, None, None, unbounded=True)
            if st == Status.UNKNOWN:
                return self.result(Status.SAT, ub, None, reason="timeout")
            lb = a_lo + 1
            self.report(ub, lb)
        if self.strategy == "auto" and self.memo is None and self.config.backend == "portfolio" \
                and (os.cpu_count() or 1) >= 2 and isinstance(self.encoding(), OrderBounds):
            try:
                refuter = Refuter(self.assertions, self.positions, self.p, self.m, self.config,
                                  self.stats)
            except KissatNotFound:
                refuter = None
            if refuter is not None:
                try:
                    return self._race(ub, lb, refuter)
                finally:
                    refuter.stop()
        linear = self.strategy != "binary"
        # A lower bound from the lemma store (a stored refutation of this problem's bound, or
        # of one this problem implies: a what-if variant) says where the optimum probably
        # is: the search gallops up from it (lb, lb + 1, lb + 3, ...) until a model, then
        # goes on as usual.  A variant with one operation one unit longer has its optimum
        # at lb or lb + 1: one or two queries instead of a descent from the first model.
        gallop: Optional[int] = 0 if self.memo is not None and self.memo.look.used else None
        while lb < ub:
            if gallop is not None and lb + gallop < ub:
                a = lb + gallop
            elif linear or ub - lb <= 2:
                a = ub - 1
            else:
                a = lb + (ub - lb - 1) // 2
            t0 = time.perf_counter()
            st = self.ask(a)
            step = time.perf_counter() - t0
            if st == Status.UNKNOWN:
                return self.result(Status.SAT, ub, lb, reason="timeout")
            if st == Status.UNSAT:
                lb = a + 1
                self.encoding().exclude(a)
                gallop = None if gallop is None else 2 * gallop + 1
            else:
                gallop = None
                assert self.kept.improved  # bounded: p - m <= ub is a top-level fact
                ub = self.value()
                self.encoding().keep(ub, self.best_raw())
                if self.strategy == "auto" and step > SLOW_STEP_S:
                    linear = False
            self.report(ub, lb)
        return self.result(Status.SAT, ub, lb)

    def _race(self, ub: int, lb: int, refuter: Refuter) -> Optimum:
        """Both sides at once (``race.py``): the kept solver descends (``ub - 1``) in slices
        of ``RACE_SLICE_S``; between them the refuter's answer, if any, is taken, and it is
        (re)started at the upper quarter of ``[lb, ub - 1]``: a split by fresh decisions,
        whose root propagation at their own bound narrows the windows, so that a ``sat``
        there jumps over the slow end of the descent (near the optimum a fresh decision is
        much cheaper than the kept solver's steps down to it) and an ``unsat`` raises the
        lower bound.  The upper quarter, not the midpoint: root propagation's bound is far
        below the optimum and the first model (``tabu``) near it, so that a midpoint is
        mostly refuted, each refutation costing about as much as the last one
        (RESULTS.md, "Optimization").  Once the gap is 1 both work on ``optimum - 1``."""
        self.stats.notes["search"] = "descent raced with a refuter"
        refuting = True  # (until a run fails: Kissat's own time limit, or an error)
        while lb < ub:
            now = time.perf_counter()
            if self.deadline is not None and now >= self.deadline:
                return self.result(Status.SAT, ub, lb, reason="timeout")
            if refuter.bound is not None and not lb <= refuter.bound < ub:
                refuter.stop()  # moot
            if refuter.bound is None and refuting:
                refuter.start(ub - 1 - (ub - 1 - lb) // 4, self.deadline)
            a = ub - 1
            if a == lb and self.built > ub:  # the last question: asked of an encoding at ub
                self._rebuild(ub)
            end = now + RACE_SLICE_S
            st = self.ask(a, deadline=end if self.deadline is None else min(end, self.deadline))
            if st == Status.SAT:
                ub = self.value()
                self.encoding().keep(ub, self.best_raw())
            elif st == Status.UNSAT:
                lb = a + 1
                self.encoding().exclude(a)
            b = refuter.bound
            got = refuter.poll()
            if got is not None and b is not None:
                st_b, found = got
                refuting = st_b != Status.UNKNOWN
                if st_b == Status.UNSAT and b >= lb:
                    lb = b + 1
                elif st_b == Status.SAT and found is not None:
                    kept = self.kept.bounds
                    self.kept.bounds = Given(*found, self.stats)
                    try:
                        self.ask(None)
                    finally:
                        self.kept.bounds = kept
                    v = self.value()
                    if v < ub:
                        ub = v
                        self.encoding().keep(ub, self.best_raw())
            self.report(ub, lb)
        return self.result(Status.SAT, ub, lb)

    def _rebuild(self, ub: int) -> None:
        """The kept encoding again, at ``ub``: root propagation at that bound narrows the
        windows, which the refutation of ``ub - 1`` needs (RESULTS.md, "Optimization"); the
        learnt clauses, about weaker bounds, are lost."""
        self.kept.close()
        norm = normalize_assertions(self.assertions, positions=self.positions)
        self._build(norm, ub, self.a_lo)
        self.encoding().keep(ub, self.best_raw())
        self.stats.counts["encodings"] = self.stats.counts.get("encodings", 1) + 1

    @staticmethod
    def _index(norm: Normalized, name: Optional[str]) -> tuple[Optional[int], int]:
        """Circuit index of ``name`` (0 for the zero variable) and its offset (aliases)."""
        if name is None:
            return 0, 0
        if name in norm.aliases:
            rep, off = norm.aliases[name]
            return (0 if rep == "0" else norm.circuit.int_index.get(rep)), off
        return norm.circuit.int_index.get(name), 0
