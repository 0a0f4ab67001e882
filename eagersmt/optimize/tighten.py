"""Tightening (model compaction): every model found is improved for free (step 2 of the
search, ``__init__``).

Fixing the truth value of every difference predicate fixes the Boolean skeleton; what is
left is a conjunction of difference constraints whose minimum of ``p - m`` is
``-dist(p -> m)`` (shortest path in the constraint graph, Dijkstra on the model's reduced
costs).  The model ``min(v + K, dist(p -> .))`` attains it and keeps every predicate's value,
so it satisfies the formula.  On job shop this is the semi-active schedule of the model's
machine orders.  Cost: one Dijkstra over the circuit's predicates.
"""

from __future__ import annotations

import heapq
from typing import Mapping, Optional, Sequence

from ..encode.domains import shortest_paths
from ..ir.circuit import K_PRED, Circuit


def tighten(circuit: Circuit, pol: Sequence[int], vals: Mapping[int, int], p: int,
            m: int) -> Optional[dict[int, int]]:
    """The model with the least ``p - m`` among those giving every predicate the truth value
    it has under ``vals`` (module doc, step 2); None when that is unbounded below."""
    n_int = len(circuit.int_names)
    zero = vals.get(0, 0)
    v = [vals.get(i, zero) for i in range(n_int)]
    cons = []
    kind, args = circuit.kind, circuit.args
    for node in range(2, len(kind)):
        if kind[node] != K_PRED or not pol[node]:
            continue
        x, y, c = args[node]
        if v[x] - v[y] > c:  # false: y - x <= -c - 1
            x, y, c = y, x, -c - 1
        cons.append((x, y, c))
    return least(n_int, cons, v, p, m)


def least(n_int: int, cons: Sequence[tuple[int, int, int]], v: Sequence[int], p: int,
          m: int) -> Optional[dict[int, int]]:
    """The values with the least ``p - m`` satisfying every ``x - y <= c`` of ``cons``,
    given values ``v`` that satisfy them all (module doc); None when unbounded below."""
    adj: list[list[tuple[int, int]]] = [[] for _ in range(n_int)]
    for x, y, c in cons:
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


def unit_bound(c: Circuit, p: int, m: int) -> Optional[int]:
    """Least ``p - m`` allowed by the top-level constraints alone: ``-dist(p -> m)``."""
    adj: dict[int, list[tuple[int, int]]] = {}
    for x, y, k in c.unit_preds():
        adj.setdefault(y, []).append((x, k))
    dist = shortest_paths({p: 0}, adj, len(c.int_names))
    return -dist[m] if m in dist else None
