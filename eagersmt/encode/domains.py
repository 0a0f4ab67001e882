"""Per-variable domains of a variable class from its unconditional constraints.

Every model can be moved into the small-domain box (``sd.py``): the shortest-path model
from a virtual source, with all values in ``[-d, 0]``, satisfies the same needed
constraints, in particular the top-level (unit) atoms.  Two frames describe that box:

* anchored: values are shift-invariant, so fix ``anchor`` (the zero variable when the class
  has it, else its first variable) to 0; ``x - anchor`` lies in ``[-d, d]`` and in
  ``[lo, hi]``, where ``hi`` is the shortest-path distance anchor -> x and ``-lo`` the
  distance x -> anchor in the graph with an edge ``y -> x`` of weight ``c`` per unit
  ``x - y <= c``.  Tight when units tie everything to the anchor (job shop: ``[0, B - d]``).
* source: values in ``[-d, 0]``, narrowed by propagating the units from that box
  (``hi(x) <= hi(y) + c``, ``lo(y) >= lo(x) - c``).  Half the anchored width when units
  do not reach an anchor (ordering problems such as race detection).

``class_domains`` takes the frame with the smaller total domain size.  Both are sound and
complete: the shortest-path model lies in each.  Cost: label-correcting Bellman–Ford
(SPFA), near-linear on these graphs.  A negative cycle among the units makes the class,
and the formula, unsat.
"""

from __future__ import annotations

from collections import deque
from typing import Iterable, Optional

from .base import VarClass
from .sd import sd_range


class NegativeCycle(Exception):
    pass


class Domains:
    """Each variable's window ``[lo, hi]``.  (A plain class: the solve path does not import
    ``dataclasses``; ``result.py``.)"""

    __slots__ = ("lo", "hi", "anchor")

    def __init__(self, lo: dict[int, int], hi: dict[int, int],
                 anchor: Optional[int] = None) -> None:
        self.lo = lo
        self.hi = hi
        self.anchor = anchor  # None: source frame

    def total(self) -> int:
        return sum(self.hi[x] - self.lo[x] + 1 for x in self.lo)


def shortest_paths(init: dict[int, int], adj: dict[int, list[tuple[int, int]]], nvars: int) -> dict[int, int]:
    """Shortest distances from ``init`` (node -> starting distance) along ``adj``."""
    dist = dict(init)
    count = {v: 0 for v in init}
    queue = deque(init)
    inq = set(init)
    while queue:
        u = queue.popleft()
        inq.discard(u)
        du = dist[u]
        for v, w in adj.get(u, ()):
            nd = du + w
            if nd < dist.get(v, nd + 1):
                dist[v] = nd
                count[v] = count.get(u, 0) + 1
                if count[v] > nvars:
                    raise NegativeCycle()
                if v not in inq:
                    inq.add(v)
                    queue.append(v)
    return dist


def _graphs(units: Iterable[tuple[int, int, int]]) -> tuple[dict, dict]:
    fwd: dict[int, list[tuple[int, int]]] = {}
    rev: dict[int, list[tuple[int, int]]] = {}
    for x, y, c in units:
        fwd.setdefault(y, []).append((x, c))  # x <= y + c
        rev.setdefault(x, []).append((y, c))  # -y <= -x + c
    return fwd, rev


def class_domains(cls: VarClass) -> Domains:
    d = sd_range(cls)
    n = len(cls.variables)
    fwd, rev = _graphs(cls.units)

    anchor = cls.variables[0]  # the zero variable (index 0) sorts first when present
    up = shortest_paths({anchor: 0}, fwd, n)
    down = shortest_paths({anchor: 0}, rev, n)
    anchored = Domains({x: max(-down.get(x, d), -d) for x in cls.variables},
                       {x: min(up.get(x, d), d) for x in cls.variables}, anchor)
    anchored.lo[anchor] = anchored.hi[anchor] = 0

    hi = shortest_paths({x: 0 for x in cls.variables}, fwd, n)
    neg_lo = shortest_paths({x: d for x in cls.variables}, rev, n)
    source = Domains({x: -neg_lo[x] for x in cls.variables}, hi, None)
    return anchored if anchored.total() <= source.total() else source
