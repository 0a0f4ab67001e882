"""Redundant clauses over machine orderings: pairs of orderings that cannot both hold.

Idea.  On a class with machines (``disjunctive.py``) each disjunctive pair has an ordering
literal per side ("``a`` before ``b``": ``b >= a + d_ab``).  The order encoding refutes two
incompatible orderings only by propagating bounds along the time ladders (thousands of
literals), and the clauses it learns then mention bound literals.  Two orderings
``x1 before y1`` (``d1``) and ``x2 before y2`` (``d2``) are incompatible, whatever the
search does, when

* they close a positive cycle through the unit precedences (job chains, fixed pairs):
  ``d1 + D(y1, x2) + d2 + D(y2, x1) > 0``, ``D`` the longest unit path (0 from a task to
  itself); or
* the path they start overflows a window: ``lo(x1) + d1 + D(y1, x2) + d2 > hi(y2)``, with
  the root windows ``[lo, hi]`` (relative to the time origin) after root propagation.

Each such pair becomes the binary clause ``not L1 or not L2`` over the input's own atoms:
learning can then resolve on ordering literals directly (Siala, Artigues, Hebrard, "Two
clause learning approaches for disjunctive scheduling", CP 2015: learning over orderings
is what proves unfeasibility fast).  Every clause is a theory clause: its negation, the
unit atoms (with the root lemmas) and the box have a negative cycle, which is what
``check-proof`` verifies (with the closure of the unit atoms between the clause's
variables: ``check/proof.py``, "theory clause").

Cost: one longest-path search per task over the unit precedences, then for each ordering
the orderings that start at or after its second task (``O(orderings x chain length x
machine size)``).  Added by
``disjunctive.attach`` under ``auto`` (only for classes that went to the order encoding);
measured in ``benchmarks/RESULTS.md``, "Encodings".
"""

from __future__ import annotations

from collections import deque
from typing import Sequence

from .machines import INF, Analysis, Con


def _longest(tasks: list[int], units: Sequence[Con], anchor: int) -> dict[int, dict[int, int]]:
    """``D[u][v]``: the longest chain of unit precedences ``v >= u + w`` (``w >= 0``) from
    ``u`` to ``v`` among the tasks (``u`` itself at 0; absent: no such chain)."""
    succ: dict[int, list[tuple[int, int]]] = {t: [] for t in tasks}
    for x, y, k in units:  # x - y <= k: y >= x - k
        if k <= 0 and x != anchor and y != anchor and x in succ and y in succ and x != y:
            succ[x].append((y, -k))
    out: dict[int, dict[int, int]] = {}
    for s in tasks:
        dist = {s: 0}
        queue = deque([s])
        while queue:  # label correcting; every edge weight >= 0 and the units are acyclic
            u = queue.popleft()
            du = dist[u]
            for v, w in succ[u]:
                if du + w > dist.get(v, -1):
                    dist[v] = du + w
                    queue.append(v)
        out[s] = dist
    return out


def ordering_clauses(res: Analysis, units: Sequence[Con], anchor: int, preds) -> list[list[int]]:
    """The binary clauses (module doc) for the pairs of ``res``, over the predicates
    ``preds`` (``PredUse``) of the class; ``units``: its unit atoms with the root lemmas."""
    lit: dict[Con, int] = {}
    for p in preds:
        lit[(p.x, p.y, p.c)] = p.var
        lit[(p.y, p.x, -p.c - 1)] = -p.var
    lo, hi = res.lo, res.hi
    tasks = sorted({t for q in res.pairs for t in (q.a, q.b)})
    if any(lo.get(t, -INF) == -INF or hi.get(t, INF) == INF for t in tasks):
        return []
    D = _longest(tasks, units, anchor)
    out_of: dict[int, list[tuple[int, int, int]]] = {t: [] for t in tasks}  # x -> (L, y, d)
    for q in res.pairs:
        for first, second, d in ((q.a, q.b, q.d_ab), (q.b, q.a, q.d_ba)):
            L = lit.get(q.before(first))
            if L is not None:
                out_of[first].append((L, second, d))
    seen: set[tuple[int, int]] = set()
    clauses: list[list[int]] = []
    for x1 in tasks:
        for L1, y1, d1 in out_of[x1]:
            for x2, a in D[y1].items():  # x2 at or after y1
                reach = lo[x1] + d1 + a
                for L2, y2, d2 in out_of[x2]:
                    if L2 == -L1 or L2 == L1 or (x2 == y1 and y2 == x1):
                        continue  # one pair's two sides: the pair lemmas have that clause
                    b = D[y2].get(x1)
                    if reach + d2 > hi[y2] or (b is not None and d1 + a + d2 + b > 0):
                        key = (L1, L2) if L1 < L2 else (L2, L1)
                        if key not in seen:
                            seen.add(key)
                            clauses.append([-L1, -L2])
    return clauses
