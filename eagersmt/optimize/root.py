"""Bounds on the objective before any SAT call: root propagation below, a list schedule above.

Idea.  When the objective ``p - m`` lives in a class with machines (top-level clauses
``(a - b <= -d_ab) or (b - a <= -d_ba)``: a job shop), the root reasoning of disjunctive
scheduling (``encode/disjunctive.py``: heads and tails, pair fixing, edge finding) refutes
``F and p - m <= B`` for every ``B`` below some value; bisection over ``B`` finds the least
``B`` it does not refute: a proven lower bound (every ``B`` below it is refuted, since a
refutation of ``B`` refutes every smaller bound).  Giffler–Thompson list scheduling in the
same windows (``encode/listsched.py``: ``hint``) gives start times; when they meet every
top-level constraint and the formula is nothing else (each root a difference atom or a
clause of them), they are a model: an upper bound, improved by tabu search on its machine
orders (``tabu.py``), compacted and checked by the search like any other model.  Both come
before the first SAT call, so the search's first bound query is already between them.

Cost: one root propagation per bisection step (``O(log(ub - lb))`` of them, each
``O(n^3)`` per machine and round), a few list-scheduling passes (``O(n^2)`` each) and the
tabu search's budget (``tabu.MAX_MOVES``).

References: J. Carlier, E. Pinson, "Adjustment of heads and tails for the job-shop
problem", EJOR 78, 1994; B. Giffler, G. L. Thompson, Operations Research 8(4), 1960.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..encode.disjunctive import analyze, lemma_anchor, root_disjunctions
from ..encode.listsched import hint
from ..encode.machines import Con
from ..ir.circuit import K_PRED, Circuit, constraint_of, polarities
from .tabu import improve


@dataclass
class RootBounds:
    """``lower``: the least bound root propagation does not refute (None: no machines);
    ``start``: integer values (by circuit index) of a list schedule that satisfies the
    formula (None: none found, or the formula is not only difference constraints)."""

    lower: Optional[int] = None
    start: Optional[dict[int, int]] = None


def root_bounds(c: Circuit, p: int, m: int, lower: Optional[int]) -> RootBounds:
    """Bounds on ``p - m`` from the top-level facts of ``c`` (module doc); ``lower``: one
    already known (``tighten.unit_bound``), where the bisection starts."""
    units = c.unit_preds()
    disj = [d for d in root_disjunctions(c) if d[0][0] == d[1][1] and d[0][1] == d[1][0]]
    if not disj:
        return RootBounds()
    variables = sorted({v for x, y, _ in units for v in (x, y)}
                       | {v for d in disj for con in d for v in con[:2]} | {p, m})
    anchor = lemma_anchor(variables, units)

    def refuted(bound: int) -> Optional[bool]:
        res = analyze(variables, units + [(p, m, bound)], disj, anchor)
        return None if res is None else res.infeasible

    def schedule(bound: int) -> Optional[dict[int, int]]:
        res = analyze(variables, units + [(p, m, bound)], disj, anchor)
        if res is None or res.infeasible:
            return None
        start = hint(variables, units + [(p, m, bound)] + res.units(), res, anchor,
                     res.lo, res.hi)
        return None if start is None else _model(c, start)

    # a first schedule in wide windows: room for every precedence one after the other
    wide = max(lower or 0, 0) + sum(-min(k, 0) for _, _, k in units)
    first = schedule(wide)
    if first is None:
        return RootBounds()
    upper = first[p] - first[m]
    lo, hi = (lower if lower is not None else upper), upper
    if refuted(hi) is not False:
        return RootBounds(None, first)
    while lo < hi:  # least bound not refuted at the root
        mid = (lo + hi) // 2
        if refuted(mid):
            lo = mid + 1
        else:
            hi = mid
    start = first
    tight = schedule(lo)  # the list schedule in the tightest windows
    if tight is not None and tight[p] - tight[m] < upper:
        start = tight
    res = analyze(variables, units, disj, anchor)
    if res is not None and start[p] - start[m] > lo:
        better = improve(variables, units, res.pairs, res.machines, p, m, start)
        model = None if better is None else _model(c, better)
        if model is not None and model[p] - model[m] < start[p] - start[m]:
            start = model
    return RootBounds(lo, start)


def _model(c: Circuit, start: dict[int, int]) -> Optional[dict[int, int]]:
    """``start`` as values of every integer of ``c`` when they satisfy every top-level
    clause and those clauses are the whole formula (each literal a difference atom)."""
    n = len(c.int_names)
    vals = {0: 0, **start}
    if any(i not in vals for i in range(n)) or c.bool_names:
        return None
    _, clauses = polarities(c)
    for clause in clauses:
        if not clause or any(c.kind[abs(lit)] != K_PRED for lit in clause):
            return None
        if not any(_holds(constraint_of(c, lit), vals) for lit in clause):
            return None
    return {i: vals[i] for i in range(n)}


def _holds(con: Con, vals: dict[int, int]) -> bool:
    x, y, k = con
    return vals[x] - vals[y] <= k


__all__ = ["RootBounds", "root_bounds"]
