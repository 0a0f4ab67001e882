"""Per-constraint (EIJ) encoding: one Boolean per difference predicate, plus transitivity.

Idea (Strichman, Seshia, Bryant, "Deciding separation formulas with SAT", CAV 2002): the
predicate variables of the Tseitin pass are kept as they are, and clauses forbid every
assignment whose constraints contain a negative cycle.  A literal stands for a directed
constraint (``x - y <= c`` is an edge ``y -> x`` of weight ``c``); only the directions the
polarity needs are edges (Plaisted–Greenbaum).  Vertices are eliminated one at a time
(min-degree order): for an in-edge ``v - u <= a`` and an out-edge ``w - v <= b`` of ``v``
the clause ``l1 & l2 -> [w - u <= a + b]`` is added, creating that predicate if needed
(this makes the graph chordal).  Per vertex pair the literals of one direction form an
implication chain and opposite literals whose constants sum below 0 conflict.  A negative
cycle then shrinks, vertex by vertex, to a forbidden 2-cycle: the encoding is sound, and
the shortest-path distances of the true literals decode a model.

Constants stay in ``[-d, d]`` with ``d`` the small-domain range of the class (``sd.py``):
some model lies in a box where every difference is in ``[-d, d]``.  A derived constant
above ``d`` is lowered to ``d`` (the clause still holds in the box, and the shortened cycle
is only lighter, so still negative); one below ``-d`` cannot hold in the box, so that clause
becomes ``not l1 or not l2``.  (Derived literals may be set true without their premises,
so the argument runs over all true literals, derived ones included.)

Ordering classes (every needed weight ``<= 0``: ``x < y``, ``x <= y``) keep only the
constants 0 and -1: there a cycle is negative iff it has a ``-1`` edge, so a derived
constant ``a + b < -1`` is weakened to ``-1``: the clause stays valid and the shortened
cycle stays negative.

Cost: worst case exponential (the chordal fill and the constants multiply); a budget
(``eij_max_clauses``) aborts the class, and ``auto`` then falls back.  Wins on sparse
classes with few distinct constants (race-detection chains, ordering constraints), where
the order and small-domain encodings pay for large domains.
"""

from __future__ import annotations

import heapq

from typing import Any, Callable

from .base import Candidate, Choice, EncodingTooLarge, VarClass
from .cnf import CNF
from .domains import NegativeCycle, shortest_paths
from .sd import sd_range
from .tseitin import NEG, POS


def is_ordering(cls: VarClass) -> bool:
    """Every needed direction has weight 0 or -1 (``x <= y``, ``x < y``): no other constants."""
    return all((p.c in (0, -1) or not p.polarity & POS) and (p.c in (0, -1) or not p.polarity & NEG)
               for p in cls.preds)


EIJ_AUTO_CLAUSES = 200_000  # ``auto``'s transitivity budget (at most ``eij_max_clauses``)


def rule(choice: Choice, mode: str) -> Candidate:
    """The rule of ``auto`` (``base.Rule``): EIJ with the budget ``EIJ_AUTO_CLAUSES``, first
    on ordering classes (``is_ordering``: their derived constants stay in {0, -1}, while the
    order encoding pays for domains as wide as the longest chain), after the order encoding
    on the others (sparse classes with few distinct constants)."""
    if mode != "auto":
        return Candidate(0, EIJ(choice.eij_max_clauses))
    budget = min(EIJ_AUTO_CLAUSES, choice.eij_max_clauses)
    ordering = is_ordering(choice.cls)
    return Candidate(10 if ordering else 30, EIJ(budget), "ordering class" if ordering else "",
                     full=budget >= choice.eij_max_clauses)


class EIJBudgetExceeded(EncodingTooLarge):
    pass


class EIJDecoder:
    encoding = "eij"

    def __init__(self, variables: list[int], edges: list[tuple[int, int, int, int]]):
        self.variables = variables
        self.edges = edges  # (literal, x, y, c): literal true -> x - y <= c

    def meaning(self, var_range: tuple[int, int], pred_vars: set[int]) -> dict[str, Any]:
        """What this class's variables mean, for a certificate (``check/certificate.py``):
        each derived atom's variable with its ``x - y <= c`` (the input's atoms are named by
        the Tseitin map)."""
        atoms = {}
        for lit, x, y, c in self.edges:
            v = abs(lit)
            if v in pred_vars:
                continue
            if lit < 0:  # the literal is the negation of the variable's predicate
                x, y, c = y, x, -c - 1
            atoms[v] = [v, x, y, c]
        return {"encoding": "eij", "variables": sorted(self.variables),
                "atoms": sorted(atoms.values())}

    def decode(self, value: Callable[[int], bool]) -> dict[int, int]:
        adj: dict[int, list[tuple[int, int]]] = {}
        for lit, x, y, c in self.edges:
            if value(lit) if lit > 0 else not value(-lit):
                adj.setdefault(y, []).append((x, c))
        try:  # shortest paths from a virtual source at distance 0 from every variable
            return shortest_paths({v: 0 for v in self.variables}, adj, len(self.variables))
        except NegativeCycle:
            raise AssertionError("EIJ model has a negative cycle (encoding bug)") from None


class EIJ:
    name = "eij"
    own_pair_clauses = True  # pair lemmas (``pairs.py``) would repeat its own clauses
    ordering_clauses, machine_tuning = False, ""

    def __init__(self, max_clauses: int = 2_000_000):
        self.max_clauses = max_clauses

    def encode(self, cls: VarClass, cnf: CNF) -> EIJDecoder:
        d = sd_range(cls)
        ordering = is_ordering(cls)
        clauses: list[list[int]] = []
        budget = self.max_clauses
        pred_var: dict[tuple[int, int, int], int] = {}
        for p in cls.preds:
            pred_var[(p.x, p.y, p.c)] = p.var

        def lit_of(x: int, y: int, c: int) -> int:
            """Literal of the directed constraint ``x - y <= c`` (creating its predicate)."""
            if x < y:
                key, sign = (x, y, c), 1
            else:
                key, sign = (y, x, -c - 1), -1
            v = pred_var.get(key)
            if v is None:
                v = pred_var[key] = cnf.new_var()
            return sign * v

        # Edges: needed directed constraints, by vertex; edge = (lit, x, y, c) for x - y <= c.
        edges: dict[tuple[int, int, int], int] = {}
        incident: dict[int, set[tuple[int, int, int]]] = {v: set() for v in cls.variables}
        # live neighbours of each vertex, with the number of edges to each: the degree is
        # ``len(nbrs[u])``; a heap of (degree, vertex) with lazy deletion picks the
        # min-degree vertex (recounting every live vertex at every step was quadratic)
        nbrs: dict[int, dict[int, int]] = {v: {} for v in cls.variables}
        heap: list[tuple[int, int]] = []

        def link(a: int, b: int, delta: int) -> None:
            for u, w in ((a, b), (b, a)):
                m = nbrs[u]
                n = m.get(w, 0) + delta
                if n:
                    m[w] = n
                else:
                    del m[w]
                if (n == 1 and delta > 0) or n == 0:  # the degree of u changed
                    heapq.heappush(heap, (len(m), u))

        def add_edge(x: int, y: int, c: int, lit: int) -> None:
            key = (x, y, c)
            if key not in edges:
                edges[key] = lit
                incident[x].add(key)
                incident[y].add(key)
                if x != y:
                    link(x, y, 1)

        for p in cls.preds:
            if p.polarity & POS:
                add_edge(p.x, p.y, p.c, p.var)
            if p.polarity & NEG:
                add_edge(p.y, p.x, -p.c - 1, -p.var)

        alive = set(cls.variables)
        heap.extend((len(nbrs[v]), v) for v in cls.variables)
        heapq.heapify(heap)
        while alive:
            # min-degree vertex (degree = number of distinct live neighbours)
            deg, v = heapq.heappop(heap)
            if v not in alive or deg != len(nbrs[v]):
                continue  # stale entry: eliminated, or its degree changed since
            alive.discard(v)
            ins = [(k, edges[k]) for k in incident[v] if k[0] == v]  # v - u <= a
            outs = [(k, edges[k]) for k in incident[v] if k[1] == v]  # w - v <= b
            for (_, u, a), l1 in ins:
                for (w, _, b), l2 in outs:
                    if u == w:
                        continue  # a 2-cycle on (u, v): the pair clauses handle it
                    e = a + b
                    if ordering and e < -1:
                        e = -1
                    if e > d:
                        e = d  # still valid in the box, and a cycle only gets lighter
                    if e < -d:
                        clauses.append([-l1, -l2])
                    else:
                        l3 = lit_of(w, u, e)
                        clauses.append([-l1, -l2, l3])
                        if (w, u, e) not in edges:
                            add_edge(w, u, e, l3)
                    if len(clauses) > budget:
                        raise EIJBudgetExceeded(f"EIJ transitivity needs over {budget} clauses")
            for k in incident[v]:
                other = k[0] if k[1] == v else k[1]
                if other != v:
                    incident[other].discard(k)
                    link(v, other, -1)

        # Pair clauses: implication chains per direction, conflicts between directions.
        by_pair: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for (x, y, c), lit in edges.items():
            by_pair.setdefault((x, y), []).append((c, lit))
        for (x, y), fwd in by_pair.items():
            fwd.sort()
            for (_, l1), (_, l2) in zip(fwd, fwd[1:]):
                clauses.append([-l1, l2])
            if x < y:
                back = sorted(by_pair.get((y, x), ()))
                j = len(back) - 1
                for a, l1 in fwd:  # a ascending: the largest b with a + b < 0 only shrinks
                    while j >= 0 and back[j][0] >= -a:
                        j -= 1
                    if j < 0:
                        break
                    clauses.append([-l1, -back[j][1]])
        if len(clauses) > budget:
            raise EIJBudgetExceeded(f"EIJ transitivity needs over {budget} clauses")
        cnf.extend(clauses)
        return EIJDecoder(list(cls.variables),
                          [(lit, x, y, c) for (x, y, c), lit in edges.items()])
