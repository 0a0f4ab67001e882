"""The search for the optimum (steps 1 to 3 of ``__init__``): probe, compaction, bounds.

``optimize`` minimizes one objective; ``optimize_lex`` several, lexicographically (Z3's
default).  Linear descent from each model until a step is slow, then bisection
(``strategy``); the last unsat query, at optimum - 1, proves optimality.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any, Callable, Mapping, Optional, Sequence

from ..backends import open_solver
from ..core.hook import hook_for
from ..core.limits import is_interrupt, within_limits
from ..core.model import check
from ..core.query import Query
from ..core.sat import solve_bounded
from ..compile import encode_normalized, normalize_assertions
from ..config import Config
from ..ir.circuit import FALSE, K_PRED, Circuit, polarities
from ..ir.normalize import Normalized
from ..ir.terms import INT, Term, TermManager
from ..errors import Interrupted
from ..result import Stats, Status
from .objective import Objective, Optimum, Progress, difference_form
from .oracles import Incremental, Oracle, Reencode
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
    search = _Search(list(assertions), list(declarations), objective, config, positions,
                     progress, strategy, terms, logic)
    return within_limits(config, search.run,
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
            cfg = dataclasses.replace(config, timeout=left)
        r = _Search(fixed, list(declarations), obj, cfg, positions, progress, strategy, terms,
                    logic).run()
        out.append(r)
        if r.status != Status.SAT or not r.proven or r.value is None:
            break
        fixed.append(terms.eq(obj.term, terms.const(r.value, INT)))
    return out



class _Search:
    def __init__(self, assertions: list[Term], declarations: list[Term], objective: Objective,
                 config: Config, positions: Optional[Mapping[Term, int]],
                 progress: Optional[Callable[[Progress], None]], strategy: str,
                 terms: Optional[TermManager] = None, logic: Optional[str] = None):
        self.terms = terms
        self.logic = logic
        self.memo: Any = None  # the lemma store's use (``memo/optimum.py``), through the hook
        self.bounds: tuple[Optional[int], Optional[int]] = (None, None)  # raw (ub, lb) so far
        self.assertions = assertions
        self.declarations = declarations
        self.obj = objective
        self.config = config
        self.positions = positions
        self.progress = progress
        self.strategy = strategy
        self.stats = Stats()
        self.start = time.perf_counter()
        self.deadline = None if config.timeout is None else self.start + config.timeout
        self.history: list[tuple[float, int]] = []
        self.best_model: dict[str, object] = {}

    # -- helpers ---------------------------------------------------------------------
    def left(self) -> Optional[float]:
        return None if self.deadline is None else self.deadline - time.perf_counter()

    def user(self, raw: Optional[int]) -> Optional[int]:
        """Objective value as the user sees it from the raw ``p - m``."""
        if raw is None:
            return None
        v = raw + self.k
        return -v if self.obj.maximize else v

    def result(self, status: Status, ub: Optional[int], lb: Optional[int], *,
               unbounded: bool = False, reason: str = "") -> Optimum:
        proven = ub is not None and lb is not None and lb >= ub
        self.stats.add_time("optimize", time.perf_counter() - self.start)
        return Optimum(status, self.user(ub), proven, unbounded, self.user(lb), self.best_model,
                       self.stats, self.history, reason, self.obj)

    def report(self, ub: Optional[int], lb: Optional[int]) -> None:
        self.bounds = (ub, lb)
        if self.progress is not None:
            self.progress(Progress(self.user(ub), self.user(lb), time.perf_counter() - self.start,
                                   ub is not None and lb is not None and lb >= ub))

    def accept(self, norm: Normalized, vals: Mapping[int, int], bools: Mapping[str, bool]) -> int:
        """Record a (compacted) model: decode, check on the original assertions; raw value."""
        model = norm.decode(vals, bools, self.declarations)
        if self.config.check_models:
            check(self.assertions, model, self.stats, note=False)
        self.best_model = model
        raw = vals.get(self.p, 0) - vals.get(self.m, 0)
        self.history.append((time.perf_counter() - self.start, self.user(raw)))  # type: ignore[arg-type]
        return raw

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
        t0 = time.perf_counter()
        norm = normalize_assertions(self.assertions, positions=self.positions, stats=self.stats)
        c = norm.circuit
        if FALSE in c.roots:
            return self.result(Status.UNSAT, None, None, reason="an assertion simplifies to false")
        hook = hook_for(cfg)
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
        if repaired is not None:  # the first model: no probe
            self.best_model, ints, bools = repaired
            self.stats.notes["memo"] = "search from a repaired stored model"
        else:
            # Probe: one plain solve for a first model, in process (module doc, step 1).  A
            # constant objective (``(minimize 1)``) bounds nothing: the plain ``auto`` choice
            # then (SD is much slower to refute an unsat job shop than ``auto``).
            constant = pname is None and mname is None
            sd_probe = cfg.encoding == "auto" and not constant
            probe = encode_normalized(norm, dataclasses.replace(
                cfg, encoding="sd" if sd_probe else cfg.encoding), stats=self.stats)
            t0 = time.perf_counter()
            with open_solver(probe.cnf) as solver:
                self.stats.add_time("load", time.perf_counter() - t0)
                st, sat = solve_bounded(solver, [], self.deadline, self.stats)
            if st != Status.SAT:
                return self.result(st, None, None, reason="timeout" if st == Status.UNKNOWN else "")
            assert probe.enc is not None
            ints, bools = probe.enc.decode(lambda v: v <= len(sat) and sat[v - 1] > 0)
            self.best_model = norm.decode(ints, bools, self.declarations)
        p, m = p0, m0
        self.k += kp - km
        if p is None or m is None:  # a variable in no constraint: free
            return self.result(Status.SAT, None, None, unbounded=True)
        self.p, self.m = p, m
        if p == m:
            raw = 0
            self.history.append((time.perf_counter() - self.start, self.user(0)))  # type: ignore[arg-type]
            return self.result(Status.SAT, raw, raw)

        # First model (probe), compacted.
        pol, _ = polarities(c)
        best = tighten(c, pol, ints, p, m)
        if best is None:
            return self.result(Status.SAT, None, None, unbounded=True)
        ub = self.accept(norm, best, bools)
        lb = unit_bound(c, p, m)
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
        if lb is not None and ub - lb > GUESS_MIN_GAP:
            bound = lb + (ub - lb) // 2  # see GUESS_MIN_GAP
        c, pol, oracle = self._build(norm, bound, a_lo)
        self.stats.counts["encodings"] = 1
        try:
            if bound < ub:
                st, model = oracle.query(bound, self.left())
                if st == Status.UNKNOWN:
                    return self.result(Status.SAT, ub, lb, reason="timeout")
                if st == Status.SAT:
                    assert model is not None
                    better = tighten(c, pol, model[0], p, m)
                    assert better is not None
                    ub = self.accept(norm, better, model[1])
                    oracle.keep(ub)
                else:  # the guess was too low: a proven bound, and the encoding at ub
                    lb = bound + 1
                    self.report(ub, lb)
                    self._record(oracle, c, bound)
                    oracle.close()
                    norm = normalize_assertions(self.assertions, positions=self.positions)
                    if self.memo is not None:
                        self.memo.reapply(norm)
                    c, pol, oracle = self._build(norm, ub, a_lo)
                    bound = ub
                    self.stats.counts["encodings"] = 2
                self.report(ub, lb)
            return self._search(oracle, norm, c, pol, ub, lb, a_lo)  # type: ignore[arg-type]
        finally:
            self._record(oracle, c, bound)
            oracle.close()

    def _record(self, oracle: Oracle, c: Circuit, bound: int) -> None:
        """Give the lemma store the oracle's strongest refutation (``memo/optimum.py``)."""
        if self.memo is not None and isinstance(oracle, Incremental) and oracle.proof:
            if self.memo.record_refutation(oracle, c, self.p, self.m, self.k, bound):
                self.stats.counts["memo_refutations_recorded"] = \
                    self.stats.counts.get("memo_refutations_recorded", 0) + 1

    def _build(self, norm: Normalized, bound: int, a_lo: int) -> tuple[Circuit, list[int], Oracle]:
        """Encode ``F and p - m <= bound`` (plus the optional ``p - m <= a_lo`` that makes
        the box cover every query) and the oracle that answers bound queries on it."""
        p, m, cfg = self.p, self.m, self.config
        c = norm.circuit
        c.roots.append(c.pred(p, m, bound))
        if a_lo < 0:
            c.roots.append(c.or_((c.pred(p, m, a_lo), c.bool_var("\0objective-box"))))
        pol, _ = polarities(c)
        proof = self.memo is not None and a_lo >= 0  # (the box root is no SMT-LIB assertion)
        enc = encode_normalized(norm, cfg, stats=self.stats, prefer_order=frozenset((p, m)),
                                checkable=proof).enc
        dec = None if enc is None else enc.order_decoder(p)
        if dec is not None and (m not in dec.base):
            dec = None
        oracle: Oracle
        if dec is not None:
            oracle = Incremental(enc, dec, p, m, self.stats, self.deadline, proof=proof)
            self.stats.notes["objective"] = "order literals, incremental"
        else:
            oracle = Reencode(self.assertions, self.positions, p, m, cfg, self.stats)
            self.stats.notes["objective"] = "reencode"
        return c, pol, oracle

    def _search(self, oracle: Oracle, norm: Normalized, c: Circuit, pol: list[int], ub: int,
                lb: Optional[int], a_lo: int) -> Optimum:
        p, m = self.p, self.m
        if lb is None:  # is the objective bounded at all?
            st, model = oracle.query(a_lo, self.left())
            if st == Status.SAT:
                assert model is not None
                vals, bools = model
                self.accept(norm, vals, bools)
                return self.result(Status.SAT, None, None, unbounded=True)
            if st == Status.UNKNOWN:
                return self.result(Status.SAT, ub, None, reason="timeout")
            lb = a_lo + 1
            self.report(ub, lb)
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
            st, model = oracle.query(a, self.left())
            step = time.perf_counter() - t0
            if st == Status.UNKNOWN:
                return self.result(Status.SAT, ub, lb, reason="timeout")
            if st == Status.UNSAT:
                lb = a + 1
                oracle.exclude(a)
                gallop = None if gallop is None else 2 * gallop + 1
            else:
                gallop = None
                assert model is not None
                vals, bools = model
                better = tighten(c, pol, vals, p, m)
                assert better is not None  # bounded: p - m <= ub is a top-level fact
                ub = self.accept(norm, better, bools)
                oracle.keep(ub)
                if self.strategy == "auto" and step > SLOW_STEP_S:
                    linear = False
            self.report(ub, lb)
        return self.result(Status.SAT, ub, lb)

    @staticmethod
    def _index(norm: Normalized, name: Optional[str]) -> tuple[Optional[int], int]:
        """Circuit index of ``name`` (0 for the zero variable) and its offset (aliases)."""
        if name is None:
            return 0, 0
        if name in norm.aliases:
            rep, off = norm.aliases[name]
            return (0 if rep == "0" else norm.circuit.int_index.get(rep)), off
        return norm.circuit.int_index.get(name), 0
