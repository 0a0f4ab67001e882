"""Per-variable domains of a variable class from its unconditional constraints.

Values are shift-invariant, so a class is anchored: ``anchor`` (the zero variable when the
class has it, else its first variable) is fixed to 0 and every other variable gets the
interval ``[lo, hi]`` of ``x - anchor`` implied by the top-level atoms: ``hi`` is the
shortest-path distance anchor -> x and ``-lo`` the distance x -> anchor, in the graph with
an edge ``y -> x`` of weight ``c`` per unit ``x - y <= c`` (label-correcting Bellman–Ford,
SPFA).  Both are intersected with ``[-d, d]`` from the small-domain bound (see ``sd.py``):
the shortest-path model of any model lies in a box of width ``d``.  Every model can thus be
moved inside these domains, so restricting to them is sound and complete.  A negative
cycle among the units (found from the anchor) makes the class, and the formula, unsat.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .base import VarClass
from .sd import sd_range


class NegativeCycle(Exception):
    pass


@dataclass
class Domains:
    anchor: int
    lo: dict[int, int]
    hi: dict[int, int]

    def size(self, x: int) -> int:
        return self.hi[x] - self.lo[x] + 1


def _spfa(n_src: int, adj: dict[int, list[tuple[int, int]]], nvars: int) -> dict[int, int]:
    dist = {n_src: 0}
    count = {n_src: 0}
    queue = deque([n_src])
    inq = {n_src}
    while queue:
        u = queue.popleft()
        inq.discard(u)
        du = dist[u]
        for v, w in adj.get(u, ()):
            nd = du + w
            if nd < dist.get(v, nd + 1):
                dist[v] = nd
                count[v] = count[u] + 1
                if count[v] >= nvars:
                    raise NegativeCycle()
                if v not in inq:
                    inq.add(v)
                    queue.append(v)
    return dist


def class_domains(cls: VarClass) -> Domains:
    d = sd_range(cls)
    anchor = cls.variables[0]  # the zero variable (index 0) sorts first when present
    fwd: dict[int, list[tuple[int, int]]] = {}
    rev: dict[int, list[tuple[int, int]]] = {}
    for x, y, c in cls.units:
        fwd.setdefault(y, []).append((x, c))
        rev.setdefault(x, []).append((y, c))
    n = len(cls.variables)
    up = _spfa(anchor, fwd, n)
    down = _spfa(anchor, rev, n)
    lo: dict[int, int] = {}
    hi: dict[int, int] = {}
    for x in cls.variables:
        hi[x] = min(up.get(x, d), d)
        lo[x] = max(-down.get(x, d), -d)
    lo[anchor] = hi[anchor] = 0
    return Domains(anchor, lo, hi)
