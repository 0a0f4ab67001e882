"""Integer infeasibility of a row against the corner polyhedron of the others.

Idea.  A conjunction ``P: A x <= b`` plus one more row ``a x <= c`` can have rational
solutions and no integer one: ``a x >= c + 1`` is then a *cut* valid for the integer points
of ``P`` (a cut lemma of branch and cut, asserted negated).  Its coefficients come from a
basis inverse and are large, so a bit-level encoding of the row propagates little and a
SAT solver refutes it only by enumerating the lattice points near the slab.  Gomory's
*group relaxation* decides it exactly for the cone of one basis.  Take ``n`` linearly
independent rows ``B x <= beta`` of ``P`` (those of the linear relaxation's optimal basis
for ``min a x``) and the multipliers ``u = -B^-T a`` (``a = -B^T u``).  With the slacks
``s = beta - B x`` (integers, ``>= 0`` in every model),

    a x = -u beta + u s,

and ``x = B^-1 (beta - s)`` is integral exactly when ``s`` lies in the residue class of
``beta`` modulo the lattice ``L = B Z^n``.  A diagonal form ``R B C = diag(d)`` (``R``, ``C``
unimodular, row and column operations of Euclid's algorithm) names the group
``Z^n / L = (+)_i Z_{d_i}``: ``y`` is in ``L`` iff ``(R y)_i = 0 mod d_i``.  With ``u >= 0`` the
least ``u s`` over integer ``s >= 0`` in the class of ``beta`` is a shortest path in the
group's Cayley graph (state ``R s mod d``, an edge per slack ``s_j`` of cost ``u_j``;
Dijkstra from ``0`` to ``R beta mod d``), so ``-u beta + dist`` is the least value of ``a x``
over the integer points of the cone (Gomory, "Some polyhedra related to combinatorial
problems", Linear Algebra Appl. 2, 1969; Wolsey, "Integer programming", ch. 8).  When it
exceeds ``c`` no integer point of ``P`` satisfies the row: the formula is unsatisfiable.
Every cut derived from one basis (Gomory's fractional and mixed-integer cuts, Dillig,
Dillig and Aiken's cuts from proofs over the defining constraints of a vertex) is valid
for that cone, so its negation is refuted here.

Soundness rests on the exact identity and the exact search, not on the simplex (which
only proposes the basis): ``B`` nonsingular, ``u >= 0`` and ``a = -B^T u`` are checked in
rational arithmetic.

Witness.  ``corner_refutation`` (the certifying path's corner step) hands back what
makes its refutation checkable without the simplex or this search (``check/corner.py``
checks it): the candidate and basis rows, ``scale * u`` (integers), the rows of ``R``
whose ``d_i`` exceed 1 with those ``d_i``, and every group element the search settled
within the row's room, with its distance.  When the target is not reached, Dijkstra has
settled all elements within the room and relaxed every edge out of each, so they are
closed under the moves (a move either stays in the set at no more than the sum of the
costs, or leaves the room): a potential that proves the target out of reach.

Cost: a simplex per candidate row (``lp_bounds.lp_minimum``), the diagonal form
(``O(n^3)`` operations on integers), and Dijkstra over the group elements within the
row's room above the cone's apex (at most ``|det B|``), ``O(n log)`` each, given up past
``STATE_LIMIT`` of them.  Only the ``CANDIDATES`` rows with the largest coefficients are
tried, and only when they stand out (``MIN_COEFFICIENT``, ``MIN_RATIO`` times the median
sum's): a negated cut is the row whose coefficients come from a basis inverse, and a
system whose rows are alike (random rows with coefficients, a knapsack) pays nothing.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterator, Mapping, Optional, Sequence

from .lp_bounds import Infeasible, lp_minimum

STATE_LIMIT = 200_000  # group elements reached by the search before it gives up
CANDIDATES = 2  # rows tried, the widest coefficients first
MIN_COEFFICIENT = 8  # a candidate row has a coefficient this large ...
MIN_RATIO = 8  # ... and this many times the median largest of the rows over 2+ variables

INFEASIBLE = object()  # (``_minimum``: the rows alone have no rational solution)
Row = tuple[Mapping[str, int], int]  # sum coefs * x <= b


def corner_infeasible(rows: Sequence[Row], known: Mapping[str, tuple[int, int]]) -> bool:
    """Is some row of ``rows`` violated by every integer point of the cone of the others'
    relaxation basis (see the module doc)?  ``known``: bounds of the variables that every
    integer solution satisfies, added to the others when their minimum is unbounded (a
    basis among the rows alone is a cone closer to the cut's).  True is a proof that
    ``rows`` have no integer solution; False says nothing."""
    for i, others, found in _bases(rows, known):
        if found is INFEASIBLE:
            return True
        _, basis = found  # type: ignore[misc]
        cone = _cone([others[j][1] for j in basis], rows[i][0], rows[i][1])
        if cone is not None and cone.least > rows[i][1]:
            return True
    return False


@dataclass
class Refutation:
    """The witness of a corner refutation (module doc, "Witness"): no integer point
    satisfies ``rows[row]`` and the rows ``basis``; ``cone`` how (``Cone``)."""

    row: int
    basis: list[int]
    cone: Cone


def corner_refutation(rows: Sequence[Row]) -> Optional[Refutation]:
    """``corner_infeasible`` over ``rows`` alone (no bounds from elsewhere: the witness
    names rows of ``rows`` only), with the witness of its refutation; None when it does
    not refute by the cone (a relaxation without rational solutions is not one)."""
    for i, others, found in _bases(rows, {}):
        if found is INFEASIBLE:
            continue
        _, basis = found  # type: ignore[misc]
        cone = _cone([others[j][1] for j in basis], rows[i][0], rows[i][1])
        if cone is not None and cone.least > rows[i][1]:
            return Refutation(i, [others[j][0] for j in basis], cone)
    return None


def _bases(rows: Sequence[Row], known: Mapping[str, tuple[int, int]]) -> Iterator[
        tuple[int, list[tuple[int, Row]], object]]:
    """Per candidate row ``i`` (module doc) whose relaxation minimum is found: ``i``, the
    other rows (each with its index in ``rows``, -1 for a bound from ``known``) and
    ``lp_minimum``'s answer over them (``INFEASIBLE``: they have no rational solution)."""
    widest = [max(map(abs, coefs.values()), default=0) for coefs, _ in rows]
    sums = sorted(w for w, (coefs, _) in zip(widest, rows) if len(coefs) > 1)
    if not sums:
        return
    typical = sums[(len(sums) - 1) // 2]  # (the lower median: a candidate is not its own)
    order = sorted(range(len(rows)), key=lambda i: -widest[i])
    for i in order[:CANDIDATES]:
        coefs, c = rows[i]
        if len(coefs) < 2 or widest[i] < max(MIN_COEFFICIENT, MIN_RATIO * typical):
            break
        others = [(j, r) for j, r in enumerate(rows) if j != i and not _parallel(r[0], coefs)]
        found = _minimum([r for _, r in others], coefs)
        if found is None and known:
            names = sorted({x for _, (r, _) in others for x in r} | set(coefs))
            others += [(-1, ({x: 1}, known[x][1])) for x in names if x in known]
            others += [(-1, ({x: -1}, -known[x][0])) for x in names if x in known]
            found = _minimum([r for _, r in others], coefs)
        if found is not None:
            yield i, others, found


def _minimum(rows: Sequence[Row], objective: Mapping[str, int]) -> object:
    """``lp_minimum``, or ``INFEASIBLE`` when the rows have no rational solution."""
    try:
        return lp_minimum(rows, objective)
    except Infeasible:
        return INFEASIBLE


def _parallel(p: Mapping[str, int], q: Mapping[str, int]) -> bool:
    """Are the rows' coefficient vectors multiples of each other?"""
    if p.keys() != q.keys():
        return False
    x = next(iter(p))
    return all(p[y] * q[x] == q[y] * p[x] for y in p)


def cone_minimum(basis: Sequence[Row], a: Mapping[str, int], limit: int) -> Optional[int]:
    """The least value of ``a x`` over the integer points of ``{x : B x <= beta}``
    (``basis``: ``n`` rows over ``n`` variables, those of ``a`` among them) when it is at most
    ``limit``, ``limit + 1`` when it is larger (no integer point, or all above), None when
    it is not found: ``B`` singular, ``a`` unbounded below on the cone, or the search past
    ``STATE_LIMIT`` group elements."""
    cone = _cone(basis, a, limit)
    return None if cone is None else cone.least


@dataclass
class Cone:
    """``cone_minimum``'s answer ``least`` and how it was found: ``cost = scale * u`` (``u``
    the basis rows' multipliers), the group (``R``: the rows of the diagonal form's left
    factor whose ``d_i`` exceed 1, each modulo its ``d_i``; ``moduli``: those ``d_i``) and,
    when ``least`` is past the limit, every group element within the room (a number in
    mixed radix over ``moduli``, the first digit the lowest) with its least cost
    (``settled``)."""

    least: int
    scale: int
    cost: list[int]
    R: list[list[int]]
    moduli: list[int]
    settled: dict[int, int]


def _cone(basis: Sequence[Row], a: Mapping[str, int], limit: int) -> Optional[Cone]:
    """``cone_minimum`` with its workings (``Cone``)."""
    names = sorted({x for coefs, _ in basis for x in coefs})
    n = len(names)
    if len(basis) != n or not set(a) <= set(names):
        return None
    B = [[coefs.get(x, 0) for x in names] for coefs, _ in basis]
    beta = [b for _, b in basis]
    u = _solve_transposed(B, [-a.get(x, 0) for x in names])
    if u is None or any(v < 0 for v in u):
        return None
    scale = math.lcm(*(v.denominator for v in u))
    cost = [int(v * scale) for v in u]
    apex = -sum(v * b for v, b in zip(u, beta))  # a x = apex + u s, s = beta - B x >= 0
    room = (limit - apex) * scale
    if room < 0:
        return Cone(limit + 1, scale, cost, [], [], {})
    form = _diagonal_form(B)
    if form is None:
        return None
    R, d = form
    group = [(i, di) for i, di in enumerate(d) if di > 1]
    moves = [tuple(R[i][j] % di for i, di in group) for j in range(n)]
    target = tuple(sum(R[i][j] * beta[j] for j in range(n)) % di for i, di in group)
    moduli = [di for _, di in group]
    dist, settled = _distance(moves, cost, target, moduli, math.floor(room))
    if dist is None:
        return None
    rows = [[v % di for v in R[i]] for i, di in group]  # (only ``R`` mod ``d`` matters)
    if dist < 0:
        return Cone(limit + 1, scale, cost, rows, moduli, settled)
    least = apex + Fraction(dist, scale)  # (an integer: a x at an integer point)
    assert least.denominator == 1
    return Cone(int(least), scale, cost, rows, moduli, {})


def _solve_transposed(B: list[list[int]], rhs: list[int]) -> Optional[list[Fraction]]:
    """``u`` with ``B^T u = rhs``, or None when ``B`` is singular (Gauss-Jordan, exact)."""
    n = len(B)
    M = [[Fraction(B[i][j]) for i in range(n)] + [Fraction(rhs[j])] for j in range(n)]
    for k in range(n):
        p = next((i for i in range(k, n) if M[i][k]), -1)
        if p < 0:
            return None
        M[k], M[p] = M[p], M[k]
        pivot = M[k][k]
        M[k] = [v / pivot for v in M[k]]
        for i in range(n):
            f = M[i][k]
            if i != k and f:
                M[i] = [v - f * w for v, w in zip(M[i], M[k])]
    return [M[i][n] for i in range(n)]


def _diagonal_form(B: list[list[int]]) -> Optional[tuple[list[list[int]], list[int]]]:
    """Unimodular ``R`` and ``d`` with ``R B C = diag(d)`` for some unimodular ``C``
    (``d_i > 0``); None when ``B`` is singular.  Euclid's algorithm on rows and columns:
    the least nonzero entry of the remaining block is the pivot, the rest of its row and
    column reduced modulo it until both are zero."""
    n = len(B)
    M = [row[:] for row in B]
    R = [[int(i == j) for j in range(n)] for i in range(n)]
    d = []
    for k in range(n):
        while True:
            nonzero = [(abs(M[i][j]), i, j) for i in range(k, n) for j in range(k, n) if M[i][j]]
            if not nonzero:
                return None
            _, i, j = min(nonzero)
            M[k], M[i] = M[i], M[k]
            R[k], R[i] = R[i], R[k]
            for row in M:
                row[k], row[j] = row[j], row[k]
            p = M[k][k]
            clean = True
            for i in range(k + 1, n):
                q = M[i][k] // p
                if q:
                    M[i] = [v - q * w for v, w in zip(M[i], M[k])]
                    R[i] = [v - q * w for v, w in zip(R[i], R[k])]
                clean &= M[i][k] == 0
            for j in range(k + 1, n):
                q = M[k][j] // p
                if q:
                    for row in M:
                        row[j] -= q * row[k]
                clean &= M[k][j] == 0
            if clean:
                break
        if M[k][k] < 0:
            M[k] = [-v for v in M[k]]
            R[k] = [-v for v in R[k]]
        d.append(M[k][k])
    return R, d


def _distance(moves: list[tuple[int, ...]], cost: list[int], target: tuple[int, ...],
              moduli: list[int], limit: int) -> tuple[Optional[int], dict[int, int]]:
    """The least ``sum cost_j * s_j`` over ``s >= 0`` with ``sum s_j * moves_j = target``
    (componentwise modulo ``moduli``) if it is at most ``limit``, -1 if it is larger, None
    when the search reaches ``STATE_LIMIT`` states first (Dijkstra; states past ``limit``
    are not expanded, so the work is the group elements within ``limit`` of 0, not the
    group's order); and the states reached with their least costs (when the answer is -1,
    every state within ``limit`` of 0, each with its distance: none is left on the heap).
    A state is a number in mixed radix over ``moduli``."""
    def number(digits: Sequence[int]) -> int:
        v = 0
        for g, q in zip(reversed(digits), reversed(moduli)):
            v = v * q + g
        return v

    if len(moduli) == 1:  # (a cyclic group, the usual case: one addition modulo)
        q = moduli[0]

        def step(state: int, move: tuple[int, ...]) -> int:
            return (state + move[0]) % q
    else:
        def step(state: int, move: tuple[int, ...]) -> int:
            digits = []
            for g, q in zip(move, moduli):
                state, v = divmod(state, q)
                digits.append((v + g) % q)
            return number(digits)

    goal = number(target)
    best = {0: 0}
    heap = [(0, 0)]
    edges = [(m, w) for m, w in zip(moves, cost) if any(m)]
    while heap:
        dist, state = heapq.heappop(heap)
        if state == goal:
            return dist, best
        if dist > best[state]:
            continue
        for m, w in edges:
            nd = dist + w
            if nd > limit:
                continue
            nxt = step(state, m)
            if nd < best.get(nxt, limit + 1):
                if len(best) >= STATE_LIMIT and nxt not in best:
                    return None, best
                best[nxt] = nd
                heapq.heappush(heap, (nd, nxt))
    return -1, best


__all__ = ["CANDIDATES", "STATE_LIMIT", "Cone", "Refutation", "cone_minimum",
           "corner_infeasible", "corner_refutation"]
