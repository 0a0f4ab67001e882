r"""Optimization (OMT): minimize or maximize an Int term in difference form over the assertions.

The objective ``t`` must be ``x``, ``x - y`` or either plus a constant (a makespan
``(- end start)`` or a declared ``makespan``); ``maximize t`` is ``minimize -t``.  Only
``r = p - m`` matters (``p``, ``m`` circuit variables, the zero variable for a lone ``x``);
the answer is ``r + k``.  The search keeps ONE encoding and ONE incremental SAT solver:

1. *probe*: the formula is normalized once; one plain solve (in process) gives a first
   model, with the small-domain encoding under ``auto``: its size is logarithmic in the
   domain, and without a bound on the objective the order encoding's domains are as wide as
   the small-domain box (e.g. 2.6 M clauses for la01 instead of 0.15 M at the optimum);
2. *compaction*: every model found is improved for free.  Fixing the truth value of every
   difference predicate fixes the Boolean skeleton, and what is left is a conjunction of
   difference constraints whose minimum of ``p - m`` is ``-dist(p -> m)`` (shortest path in
   the constraint graph, Dijkstra on the model's reduced costs); the model
   ``min(v + K, dist(p -> .))`` attains it and keeps every predicate's value, so it satisfies
   the formula.  On job shop this is the semi-active schedule of the model's machine orders;
3. *search*: encode ``F and p - m <= r0`` (``r0`` the compacted first value: the bound makes
   the domains tight) with the objective's class forced to the order encoding
   (``encode(prefer_order=...)``).  For a candidate ``a`` a fresh literal ``L_a`` gets the
   clauses of ``L_a -> p - m <= a`` over the order literals (``OrderDecoder.le_clauses``;
   a lone ``x`` against the class anchor needs one clause), chained ``L_a -> L_b`` for
   ``a < b``.  CaDiCaL (python-sat ``Cadical195``, in process) is asked under the assumption
   ``L_a``: SAT -> compaction, new best ``ub``, the unit ``L_ub`` is added (the optimum keeps);
   UNSAT -> the core says whether the bound was to blame (an empty core would mean the
   formula itself), ``lb = a + 1``, the unit ``-L_a`` is added.  Linear descent
   (``a = ub - 1``) until the gap is small or a step is slow, bisection otherwise
   (``strategy``).  The last UNSAT, at ``optimum - 1``, is the proof of optimality.
   Timeouts are honoured with conflict budgets (``solve_limited``): CaDiCaL cannot be
   interrupted from another thread.

Soundness of the box: an encoding decides ``F and p - m <= a`` exactly when ``p - m <= a`` is
counted among the constraints its domains are computed from (``sd.py``).  A bound ``a >= 0``
adds no negative edge, so the domains stay valid; when the lower bound from the top-level
constraints is negative (or missing) the weakest query ``p - m <= a_lo`` is added as an
optional predicate (``or(pred, fresh)``) so that the box covers every query.  Without a
lower bound, every finite optimum is at least ``-(n - 1) W`` (a simple path of needed
constraints), so ``a_lo = -(n - 1) W - 1`` satisfiable means *unbounded*.
If the objective's class does not fit the order encoding, each query re-encodes
``F and p - m <= a`` from scratch (correct, slower; the stats say ``objective: reencode``).
Every model reported is checked on the original assertions (``check_model``).
"""

from __future__ import annotations

import bisect
import dataclasses
import heapq
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence

from .backends import get_backend
from .check.model import check_model
from .config import Config
from .encode import encode
from .encode.domains import shortest_paths
from .encode.order import OrderDecoder
from .errors import UnsupportedError
from .ir import terms as T
from .ir.circuit import FALSE, K_PRED, Circuit, polarities
from .ir.normalize import Normalized, normalize
from .ir.terms import INT, Term, TermManager
from .result import Stats, Status

STRATEGIES = ("auto", "linear", "binary")
SLOW_STEP_S = 0.5  # auto: a SAT step slower than this switches to bisection
# The encoding is built for the bound halfway between the proven lower bound and the first
# (compacted) model when they are further apart than this: the order encoding's size grows
# with the bound (la01: 533k clauses at the first model's 1352, 275k at the midpoint 882;
# loading them into CaDiCaL costs ~0.5 us each).  If the midpoint is unsatisfiable (the
# first model was already within a factor two of the gap), that is a proven lower bound and
# the encoding is rebuilt once at the first model's value (``encodings: 2`` in the stats).
GUESS_MIN_GAP = 16
CHUNK_CONFLICTS = 20_000  # conflicts per solve_limited call (Python regains control between)


@dataclass
class Objective:
    """``minimize term`` (or ``maximize``); ``text`` is how the user wrote it (for output)."""

    term: Term
    maximize: bool = False
    text: str = ""


@dataclass
class Progress:
    """Reported to the ``progress`` callback after every improvement or new bound."""

    best: Optional[int]  # best objective value found so far
    bound: Optional[int]  # proven: no model is better than this (lower bound when minimizing)
    elapsed: float
    proven: bool = False


@dataclass
class Optimum:
    """The answer of an optimization.

    ``status``: SAT when a model was found (``value`` is the best; ``proven`` says whether it
    is optimal), UNSAT when the assertions have no model, UNKNOWN when no model was found in
    time.  ``unbounded``: the objective has no finite optimum (``value`` is None).  ``bound``
    is the proven bound: every model has ``t >= bound`` (minimize) / ``t <= bound``
    (maximize); when ``proven``, ``value == bound`` and ``t <= value - 1`` (``>= value + 1``)
    was shown unsatisfiable.
    """

    status: Status
    value: Optional[int] = None
    proven: bool = False
    unbounded: bool = False
    bound: Optional[int] = None
    model: dict[str, object] = field(default_factory=dict)
    stats: Stats = field(default_factory=Stats)
    history: list[tuple[float, int]] = field(default_factory=list)  # (seconds, value)
    reason: str = ""
    objective: Optional[Objective] = None

    def __bool__(self) -> bool:
        raise TypeError("use optimum.status / optimum.proven, an Optimum is not a truth value")

    def __repr__(self) -> str:
        sense = "maximize" if self.objective is not None and self.objective.maximize else "minimize"
        what = f"{sense} {self.objective.text}" if self.objective is not None else sense
        if self.status != Status.SAT:
            return f"Optimum({what}: {self.status})"
        if self.unbounded:
            return f"Optimum({what}: unbounded)"
        state = "proven" if self.proven else f"not proven, bound {self.bound}"
        return f"Optimum({what} = {self.value}, {state})"


def difference_form(t: Term, *, maximize: bool = False) -> tuple[Optional[str], Optional[str], int]:
    """``t`` (negated when maximizing) as ``p - m + k`` with names (None = zero); else raise."""
    if t.sort != INT:
        raise UnsupportedError(f"only Int objectives are supported (got a {t.sort} term)")
    coef: dict[str, int] = {}
    const = 0
    stack: list[tuple[Term, int]] = [(t, -1 if maximize else 1)]
    while stack:
        n, s = stack.pop()
        if n.op == T.CONST:
            const += s * n.val  # type: ignore[operator]
        elif n.op == T.VAR:
            coef[n.val] = coef.get(n.val, 0) + s  # type: ignore[index]
        elif n.op == T.ADD:
            stack.extend((a, s) for a in n.args)
        elif n.op == T.MUL:
            stack.append((n.args[0], s * n.val))  # type: ignore[operator]
        else:
            raise UnsupportedError(f"objective must be a difference x - y + k, not {t!r}")
    items = {v: c for v, c in coef.items() if c != 0}
    pos = [v for v, c in items.items() if c == 1]
    neg = [v for v, c in items.items() if c == -1]
    if len(pos) + len(neg) != len(items) or len(pos) > 1 or len(neg) > 1:
        raise UnsupportedError(f"objective must be a difference x - y + k (unit coefficients), "
                               f"not {t!r}")
    return (pos[0] if pos else None), (neg[0] if neg else None), int(const)


def optimize(assertions: Sequence[Term], declarations: Sequence[Term], objective: Objective, *,
             config: Config = Config(), positions: Optional[Mapping[Term, int]] = None,
             progress: Optional[Callable[[Progress], None]] = None,
             strategy: str = "auto") -> Optimum:
    """Minimize (or maximize) ``objective`` over the conjunction of ``assertions``."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}")
    return _Search(list(assertions), list(declarations), objective, config, positions,
                   progress, strategy).run()


def optimize_lex(assertions: Sequence[Term], declarations: Sequence[Term],
                 objectives: Sequence[Objective], terms: TermManager, *, config: Config = Config(),
                 positions: Optional[Mapping[Term, int]] = None,
                 progress: Optional[Callable[[Progress], None]] = None) -> list[Optimum]:
    """Several objectives in lexicographic order (Z3's default): each optimum is fixed
    (``t = value``) before the next is optimized.  Stops at the first that is not proven."""
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
        r = optimize(fixed, declarations, obj, config=cfg, positions=positions, progress=progress)
        out.append(r)
        if r.status != Status.SAT or not r.proven or r.value is None:
            break
        fixed.append(terms.eq(obj.term, terms.const(r.value, INT)))
    return out


def compact(circuit: Circuit, pol: Sequence[int], vals: Mapping[int, int], p: int,
            m: int) -> Optional[dict[int, int]]:
    """The model with the least ``p - m`` among those giving every predicate the truth value
    it has under ``vals`` (module doc, step 2); None when that is unbounded below."""
    n_int = len(circuit.int_names)
    zero = vals.get(0, 0)
    v = [vals.get(i, zero) for i in range(n_int)]
    adj: list[list[tuple[int, int]]] = [[] for _ in range(n_int)]
    kind, args = circuit.kind, circuit.args
    for node in range(2, len(kind)):
        if kind[node] != K_PRED or not pol[node]:
            continue
        x, y, c = args[node]
        if v[x] - v[y] > c:  # false: y - x <= -c - 1
            x, y, c = y, x, -c - 1
        adj[y].append((x, c + v[y] - v[x]))  # reduced cost >= 0
    dist: dict[int, int] = {p: 0}
    heap = [(0, p)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for x, w in adj[u]:
            nd = d + w
            if nd < dist.get(x, nd + 1):
                dist[x] = nd
                heapq.heappush(heap, (nd, x))
    if m not in dist:
        return None
    f = {u: d - v[p] + v[u] for u, d in dist.items()}  # true distances from p
    k = max(-v[p], f[m] - v[m])
    return {u: min(v[u] + k, f[u]) if u in f else v[u] + k for u in range(n_int)}


class _Search:
    def __init__(self, assertions: list[Term], declarations: list[Term], objective: Objective,
                 config: Config, positions: Optional[Mapping[Term, int]],
                 progress: Optional[Callable[[Progress], None]], strategy: str):
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
        if self.progress is not None:
            self.progress(Progress(self.user(ub), self.user(lb), time.perf_counter() - self.start,
                                   ub is not None and lb is not None and lb >= ub))

    def accept(self, norm: Normalized, vals: Mapping[int, int], bools: Mapping[str, bool]) -> int:
        """Record a (compacted) model: decode, check on the original assertions; raw value."""
        model = norm.decode(vals, bools, self.declarations)
        t0 = time.perf_counter()
        check_model(self.assertions, model)
        self.stats.add_time("check", time.perf_counter() - t0)
        self.best_model = model
        raw = vals.get(self.p, 0) - vals.get(self.m, 0)
        self.history.append((time.perf_counter() - self.start, self.user(raw)))  # type: ignore[arg-type]
        return raw

    # -- the search ------------------------------------------------------------------
    def run(self) -> Optimum:
        pname, mname, self.k = difference_form(self.obj.term, maximize=self.obj.maximize)
        self.p = self.m = 0
        cfg = self.config
        t0 = time.perf_counter()
        norm = normalize(self.assertions, positions=self.positions)
        self.stats.add_time("normalize", time.perf_counter() - t0)
        self.stats.counts.update(norm.stats)
        c = norm.circuit
        if FALSE in c.roots:
            return self.result(Status.UNSAT, None, None, reason="an assertion simplifies to false")
        # Probe: one plain solve for a first model, in process (module doc, step 1).  A
        # constant objective (``(minimize 1)``) bounds nothing: the plain ``auto`` choice
        # then (SD took 6 s to refute an unsat job shop that ``auto`` refutes in 0.2 s).
        constant = pname is None and mname is None
        sd_probe = cfg.encoding == "auto" and not constant
        probe = encode(norm, encoding="sd" if sd_probe else cfg.encoding,
                       eij_max_clauses=cfg.eij_max_clauses, stats=self.stats)
        from pysat.solvers import Cadical195

        t0 = time.perf_counter()
        with Cadical195(bootstrap_with=probe.cnf.clauses) as solver:
            self.stats.add_time("load", time.perf_counter() - t0)
            st, sat = _solve_limited(solver, [], self.deadline, self.stats)
        if st != Status.SAT:
            return self.result(st, None, None, reason="timeout" if st == Status.UNKNOWN else "")
        ints, bools = probe.decode(lambda v: v <= len(sat) and sat[v - 1] > 0)
        self.best_model = norm.decode(ints, bools, self.declarations)
        p, kp = self._index(norm, pname)
        m, km = self._index(norm, mname)
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
        best = compact(c, pol, ints, p, m)
        if best is None:
            return self.result(Status.SAT, None, None, unbounded=True)
        ub = self.accept(norm, best, bools)
        lb = self._unit_bound(c, p, m)
        self.report(ub, lb)
        if lb is not None and lb >= ub:
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
                    better = compact(c, pol, model[0], p, m)
                    assert better is not None
                    ub = self.accept(norm, better, model[1])
                    oracle.keep(ub)
                else:  # the guess was too low: a proven bound, and the encoding at ub
                    lb = bound + 1
                    self.report(ub, lb)
                    oracle.close()
                    norm = normalize(self.assertions, positions=self.positions)
                    c, pol, oracle = self._build(norm, ub, a_lo)
                    self.stats.counts["encodings"] = 2
                self.report(ub, lb)
            return self._search(oracle, norm, c, pol, ub, lb, a_lo)  # type: ignore[arg-type]
        finally:
            oracle.close()

    def _build(self, norm: Normalized, bound: int, a_lo: int) -> tuple[Circuit, list[int], "_Oracle"]:
        """Encode ``F and p - m <= bound`` (plus the optional ``p - m <= a_lo`` that makes
        the box cover every query) and the oracle that answers bound queries on it."""
        p, m, cfg = self.p, self.m, self.config
        c = norm.circuit
        c.roots.append(c.pred(p, m, bound))
        if a_lo < 0:
            c.roots.append(c.or_((c.pred(p, m, a_lo), c.bool_var("\0objective-box"))))
        pol, _ = polarities(c)
        enc = encode(norm, encoding=cfg.encoding, eij_max_clauses=cfg.eij_max_clauses,
                     stats=self.stats, prefer_order=frozenset((p, m)))
        dec = enc.order_decoder(p)
        if dec is not None and (m not in dec.base):
            dec = None
        oracle: _Oracle
        if dec is not None and FALSE not in c.roots:
            oracle = _Incremental(enc, dec, p, m, self.stats)
            self.stats.notes["objective"] = "order literals, incremental"
        else:
            oracle = _Reencode(self.assertions, self.positions, p, m, cfg, self.stats)
            self.stats.notes["objective"] = "reencode"
        return c, pol, oracle

    def _search(self, oracle: "_Oracle", norm: Normalized, c: Circuit, pol: list[int], ub: int,
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
        while lb < ub:
            if linear or ub - lb <= 2:
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
            else:
                assert model is not None
                vals, bools = model
                better = compact(c, pol, vals, p, m)
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

    @staticmethod
    def _unit_bound(c: Circuit, p: int, m: int) -> Optional[int]:
        """Least ``p - m`` allowed by the top-level constraints alone: ``-dist(p -> m)``."""
        adj: dict[int, list[tuple[int, int]]] = {}
        for x, y, k in c.unit_preds():
            adj.setdefault(y, []).append((x, k))
        dist = shortest_paths({p: 0}, adj, len(c.int_names))
        return -dist[m] if m in dist else None


Model = tuple[dict[int, int], dict[str, bool]]


class _Oracle:
    """Answers "is ``F and p - m <= a`` satisfiable?" (with a model)."""

    def query(self, a: int, left: Optional[float]) -> tuple[Status, Optional[Model]]:
        raise NotImplementedError

    def exclude(self, a: int) -> None:
        """``p - m <= a`` was shown unsatisfiable."""

    def keep(self, ub: int) -> None:
        """A model with ``p - m = ub`` exists: only better ones are wanted from now on."""

    def close(self) -> None:
        pass


def _solve_limited(solver: Any, assumptions: list[int], deadline: Optional[float],
                   stats: Stats) -> tuple[Status, list[int]]:
    """Solve in chunks of conflicts (``solve_limited``), so that ``deadline`` is honoured and
    Python regains control between chunks (CaDiCaL cannot be interrupted from a thread)."""
    from .backends.cadical import solve_sliced

    t0 = time.perf_counter()
    try:
        # slices of about 0.5 s (at most a quarter of the time left), so the deadline is met
        # promptly; sliced without a deadline too, so that Ctrl-C is seen between slices
        ok, _ = solve_sliced(solver, assumptions,
                             deadline=math.inf if deadline is None else deadline,
                             first=CHUNK_CONFLICTS, slice_seconds=0.5)
    finally:
        stats.add_time("solve", time.perf_counter() - t0)
    if ok is None:
        return Status.UNKNOWN, []
    key = "sat_calls" if ok else "unsat_calls"
    stats.counts[key] = stats.counts.get(key, 0) + 1
    return (Status.SAT, solver.get_model() or []) if ok else (Status.UNSAT, [])


class _Incremental(_Oracle):
    """One CaDiCaL instance; a literal ``L_a`` per queried bound (module doc, step 3)."""

    def __init__(self, enc, dec: OrderDecoder, p: int, m: int, stats: Stats):
        from pysat.solvers import Cadical195

        t0 = time.perf_counter()
        self.enc, self.dec, self.p, self.m, self.stats = enc, dec, p, m, stats
        self.cnf = enc.cnf
        self.solver = Cadical195(bootstrap_with=enc.cnf.clauses)
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
        self.bounds.insert(i, a)
        self.lits[a] = v
        self.stats.counts["bound_literals"] += 1
        return v

    def query(self, a: int, left: Optional[float]) -> tuple[Status, Optional[Model]]:
        lit = self.lit(a)
        deadline = None if left is None else time.perf_counter() + left
        st, sat = _solve_limited(self.solver, [lit], deadline, self.stats)
        if st == Status.UNSAT and self.had_model and not self.solver.get_core():
            from .errors import InternalError  # the formula itself: impossible after a model

            raise InternalError("the optimization encoding became unsatisfiable")
        self.had_model |= st == Status.SAT
        if st != Status.SAT:
            return st, None

        def value(var: int) -> bool:
            return var <= len(sat) and sat[var - 1] > 0

        ints, bools = self.enc.decode(value)
        return Status.SAT, (ints, bools)

    def exclude(self, a: int) -> None:
        self.solver.add_clause([-self.lit(a)])

    def keep(self, ub: int) -> None:
        self.solver.add_clause([self.lit(ub)])

    def close(self) -> None:
        if self.solver is not None:
            self.solver.delete()
            self.solver = None  # type: ignore[assignment]


class _Reencode(_Oracle):
    """Fallback when the objective's class is not order-encoded: a fresh encoding of
    ``F and p - m <= a`` per query (through the configured back end)."""

    def __init__(self, assertions: list[Term], positions: Optional[Mapping[Term, int]], p: int,
                 m: int, config: Config, stats: Stats):
        self.assertions, self.positions, self.p, self.m = assertions, positions, p, m
        self.config, self.stats = config, stats

    def query(self, a: int, left: Optional[float]) -> tuple[Status, Optional[Model]]:
        if left is not None and left <= 0:
            return Status.UNKNOWN, None
        norm = normalize(self.assertions, positions=self.positions)
        norm.circuit.roots.append(norm.circuit.pred(self.p, self.m, a))
        if FALSE in norm.circuit.roots:
            return Status.UNSAT, None
        enc = encode(norm, encoding=self.config.encoding,
                     eij_max_clauses=self.config.eij_max_clauses)
        t0 = time.perf_counter()
        sat = get_backend(self.config.backend).solve(enc.cnf, timeout=left)
        self.stats.add_time("solve", time.perf_counter() - t0)
        key = {Status.SAT: "sat_calls", Status.UNSAT: "unsat_calls"}.get(sat.status)
        if key:
            self.stats.counts[key] = self.stats.counts.get(key, 0) + 1
        if sat.status != Status.SAT:
            return sat.status, None
        return Status.SAT, enc.decode(sat.value)


def format_objectives(optima: Sequence[Optimum]) -> str:
    """``(get-objectives)`` output as Z3 prints it: ``(objectives\\n (t 55)\\n)``; unbounded is
    ``(* (- 1) oo)`` / ``oo``, an unproven one ``(interval bound best)``."""
    lines = ["(objectives"]
    for o in optima:
        obj = o.objective
        text = obj.text if obj is not None else "?"
        if o.unbounded:
            v = "oo" if obj is not None and obj.maximize else "(* (- 1) oo)"
        elif o.value is None:
            v = "(interval (* (- 1) oo) oo)"
        elif o.proven:
            v = _num(o.value)
        else:
            inf = "oo" if obj is not None and obj.maximize else "(* (- 1) oo)"
            bound = inf if o.bound is None else _num(o.bound)
            lo, hi = (o.value, bound) if obj is not None and obj.maximize else (bound, o.value)
            v = f"(interval {lo if isinstance(lo, str) else _num(lo)} "\
                f"{hi if isinstance(hi, str) else _num(hi)})"
        lines.append(f" ({text} {v})")
    lines.append(")")
    return "\n".join(lines)


def _num(v: int) -> str:
    return str(v) if v >= 0 else f"(- {-v})"
