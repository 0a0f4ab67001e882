"""A restricted-domain member for scheduling classes: list scheduling before encoding.

Idea.  A class whose atoms are only unit precedences and machine disjunctions
(``disjunctive.py``) is a disjunctive scheduling problem.  Giffler–Thompson's active
schedule generation places operations one at a time: among the ready operations (every
predecessor placed) take the one that can finish first, and on its machine choose among
the operations that could start before that time, by a priority (least latest start, the
``hi`` of the root windows, i.e. the longest tail).  The first pass is exact; in later ones
a third of the choices see priorities perturbed by up to 1, 3 or 8 mean durations (fixed
seed, so the result is deterministic).  When a schedule meets every unit atom and every top-level clause of two atoms of the class,
the class's domains are restricted to that schedule (one value per variable): the order
encoding of the class shrinks to a handful of clauses.  This is exact because the class is
*pure*: its atoms occur nowhere but in those top-level facts, so any model of the rest of
the formula extends with this schedule, and the SAT answer (and model, checked as always)
is the formula's.  Not used with certificates (the restriction is not a theory lemma).

Cost: ``O(n^2)`` per pass over ``n`` operations; at most ``MAX_PASSES`` passes (and a
second of wall time), and only on classes whose most loaded machine has no slack in its root windows (there the
optimum is the machine load and schedules are found by this kind of search; elsewhere the
budget would be wasted on instances at optimum - 1).

The same passes without the deadlines give ``hint``: the least late schedule, whose
orderings and bounds become the SAT solver's initial phases (``CNF.phases``; CaDiCaL takes
them, Kissat has no such input).  A hint changes where the search starts, never the CNF;
cost ``HINT_PASSES`` passes, the graph they share made once.

Reference: B. Giffler, G. L. Thompson, "Algorithms for solving production-scheduling
problems", Operations Research 8(4), 1960; priority rules: Panwalkar & Iskander, "A survey
of scheduling rules", Operations Research 25(1), 1977.
"""

from __future__ import annotations

import random
import time
from typing import Optional, Sequence

from .machines import INF, Analysis, Con

# Measured: ``benchmarks/RESULTS.md``, "Encodings" (root propagation and list schedules).
MAX_PASSES = 200  # the budget: passes (deterministic), capped in wall time
BUDGET_SECONDS = 1.0
NOISE = (1.0, 3.0, 8.0)  # priority noise of the passes after the first, in mean durations


def tight_machine(res: Analysis, lo: dict, hi: dict) -> bool:
    """Some machine's work fills the span of its windows exactly (no slack)."""
    for m in res.machines:
        span = max(hi[t] + m.p[t] for t in m.tasks) - min(lo[t] for t in m.tasks)
        if span - sum(m.p.values()) <= 0:
            return True
    return False


def schedule(variables: Sequence[int], units: Sequence[Con], res: Analysis, anchor: int,
             lo: dict, hi: dict, clauses: Sequence[tuple[Con, Con]] = (),
             budget: float = BUDGET_SECONDS) -> Optional[dict[int, int]]:
    """Start times (anchor = 0) meeting ``units``, every pair of ``res`` and every
    top-level clause of two atoms in ``clauses`` (all those of the class), or None."""
    graph = _graph(variables, units, res, anchor, lo, hi)
    if graph is None:
        return None
    rng = random.Random(0)
    deadline = time.perf_counter() + budget
    passes = 0
    while passes < MAX_PASSES and (passes == 0 or time.perf_counter() < deadline):
        noise = NOISE[(passes - 1) % len(NOISE)] if passes else 0.0
        passes += 1
        s = _pass(graph, hi, rng, noise)
        if s is not None and _feasible(s, units, res, anchor, clauses):
            s[anchor] = 0
            return s
    return None


HINT_PASSES = 16  # passes of ``hint`` (the first exact, the others perturbed as above)


def hint(variables: Sequence[int], units: Sequence[Con], res: Analysis, anchor: int,
         lo: dict, hi: dict, passes: int = HINT_PASSES) -> Optional[dict[int, int]]:
    """A schedule to start the SAT search from (``CNF.phases``): the Giffler–Thompson
    passes of ``schedule`` without the deadlines, the one whose latest operation is least
    late against its ``hi``; start times (anchor = 0), or None where ``schedule`` would not
    run.  Not a model (it may miss the bound): only where the search begins."""
    graph = _graph(variables, units, res, anchor, lo, hi)
    if graph is None:
        return None
    others = graph.ops
    rng = random.Random(0)
    late = {v: INF for v in others}
    best, best_late = None, INF
    for i in range(passes):
        noise = NOISE[(i - 1) % len(NOISE)] if i else 0.0
        s = _pass(graph, hi, rng, noise, late)
        if s is None:
            continue
        worst = max(s[v] - hi[v] for v in others)
        if worst < best_late:
            best, best_late = s, worst
    if best is not None:
        best[anchor] = 0
    return best


class _Graph:
    """What a pass works on, made once per ``schedule`` or ``hint``: the operations, their
    unit precedences (``succ``: ``w >= v + d``) and machine partners (``pairs_of``: the
    separation when this one goes first), the machine of each (``on``) and its duration
    (``p``), and where every pass starts (``waiting``, ``ready``)."""

    def __init__(self, others: list[int], units: Sequence[Con], res: Analysis, anchor: int,
                 lo: dict):
        # precedences between operations: y >= x + d (from x - y <= -d, d >= 0)
        preds: dict[int, list[tuple[int, int]]] = {v: [] for v in others}
        for x, y, k in units:
            if x != anchor and y != anchor and k <= 0:
                preds[y].append((x, -k))
        self.pairs_of: dict[int, list] = {v: [] for v in others}
        for q in res.pairs:  # (partner, separation when this one goes first)
            self.pairs_of[q.a].append((q.b, q.d_ab))
            self.pairs_of[q.b].append((q.a, q.d_ba))
        self.on = {t: i for i, m in enumerate(res.machines) for t in m.tasks}
        self.ops = others
        self.succ: dict[int, list[tuple[int, int]]] = {v: [] for v in others}
        for v in others:
            for u, d in preds[v]:
                self.succ[u].append((v, d))
        self.waiting = {v: len(preds[v]) for v in others}
        self.ready = [v for v in others if not self.waiting[v]]
        self.est = {v: lo[v] for v in others}
        self.p = {t: m.p[t] for m in res.machines for t in m.tasks}
        self.p_sum, self.p_count = sum(self.p.values()), max(1, len(self.p))
        self.plain = any(v not in self.on for v in others)  # operations on no machine


def _graph(variables: Sequence[int], units: Sequence[Con], res: Analysis, anchor: int,
           lo: dict, hi: dict) -> Optional[_Graph]:
    """What a pass works on (``_Graph``); None when the windows are unbounded or a pair
    involves the time origin (it is no operation)."""
    others = [v for v in variables if v != anchor]
    if not others or any(lo[v] == -INF or hi[v] == INF for v in others) or \
            any(anchor in (q.a, q.b) for q in res.pairs):
        return None
    return _Graph(others, units, res, anchor, lo)


def _pass(g: _Graph, hi: dict, rng, noise: float, late=None) -> Optional[dict[int, int]]:
    """One Giffler–Thompson pass (module doc): start times, or None when an operation
    would start past its deadline (``hi``, or ``late`` for a hint)."""
    start: dict[int, int] = {}
    waiting = dict(g.waiting)
    est = dict(g.est)  # earliest start given what is placed (kept up to date)
    ready = list(g.ready)
    on, p, succ, pairs_of = g.on, g.p, g.succ, g.pairs_of
    deadline = hi if late is None else late
    # at each choice, a third of the priorities perturbed by up to ``noise`` mean durations
    scale = noise * g.p_sum / g.p_count
    rand = rng.random

    def key(v: int) -> float:
        return hi[v] + scale * rand() if rand() < 1 / 3 else hi[v]

    while ready:
        plain = [v for v in ready if v not in on] if g.plain else None
        if plain:
            chosen = plain[0]
        else:  # the machine of the least completion time (ties: the smaller machine)
            first = ready[0]
            c_star, m_star = est[first] + p[first], on[first]
            for v in ready:
                c = est[v] + p[v]
                if c < c_star or (c == c_star and on[v] < m_star):
                    c_star, m_star = c, on[v]
            cands = [v for v in ready if on[v] == m_star and est[v] < c_star]
            chosen = min(cands, key=key if scale else hi.__getitem__)  # (key: rand per v)
        s = start[chosen] = int(est[chosen])
        if s > deadline[chosen]:
            return None
        ready.remove(chosen)
        for b, d in pairs_of[chosen]:  # partners placed later run after it
            if b not in start and s + d > est[b]:
                est[b] = s + d
        for w, d in succ[chosen]:
            if s + d > est[w]:
                est[w] = s + d
            waiting[w] -= 1
            if not waiting[w]:
                ready.append(w)
    return start if len(start) == len(g.ops) else None


def _feasible(s: dict[int, int], units: Sequence[Con], res: Analysis, anchor: int,
              clauses: Sequence[tuple[Con, Con]]) -> bool:
    val = dict(s)
    val[anchor] = 0
    if any(val[x] - val[y] > k for x, y, k in units):
        return False
    if not all(val[x1] - val[y1] <= k1 or val[x2] - val[y2] <= k2
               for (x1, y1, k1), (x2, y2, k2) in clauses):
        return False
    return all(val[q.b] - val[q.a] >= q.d_ab or val[q.a] - val[q.b] >= q.d_ba for q in res.pairs)


def impure_vars(circuit) -> set[int]:
    """Integer variables of the atoms that occur anywhere but as a top-level atom or inside
    a top-level clause of two atoms (a class with none of them is pure): inside a formula
    below the top level, or in a top-level clause with anything else (a Boolean variable, a
    third literal)."""
    from ..ir.circuit import K_AND, K_IFF, K_ITE, K_PRED, polarities

    pol, clauses = polarities(circuit)
    kind, args = circuit.kind, circuit.args
    out: set[int] = set()
    for clause in clauses:
        if len(clause) > 1 and not (len(clause) == 2
                                    and all(kind[abs(a)] == K_PRED for a in clause)):
            for a in clause:
                if kind[abs(a)] == K_PRED:
                    out.update(args[abs(a)][:2])
    for n in range(2, len(kind)):  # (a top-level clause's own node has no polarity)
        if pol[n] and kind[n] in (K_AND, K_ITE, K_IFF):
            for a in args[n]:
                if kind[abs(a)] == K_PRED:
                    out.update(args[abs(a)][:2])
    return out
