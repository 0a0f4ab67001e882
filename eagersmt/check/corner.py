"""Checking a corner-polyhedron refutation: a certificate without a CNF (``check-proof``).

The claim: no integer point satisfies some of the formula's top-level rows, so the formula
is unsat.  ``ir/corner.py`` finds such a refutation (Gomory's group relaxation over the
cone of a relaxation basis) and hands back a witness; this module checks the witness with
its own few loops: no simplex, no diagonal form, no shortest-path search.

The witness (``certificate.json``'s ``corner``): a row ``a x <= c`` and basis rows
``B x <= beta`` (``m`` of them), each ``[k, side]``, the side of linear atom ``k`` that
must be a top-level literal of the circuit this checker derives from the input (so every
model satisfies it; side 1 the atom ``sum a * x <= b``, -1 its negation
``sum -a * x <= -b - 1``); integers ``scale > 0`` and ``cost >= 0`` (one per basis row:
``scale`` times the multipliers ``u``); an integer matrix ``R`` (``k`` rows of ``m``) and
``moduli`` ``d`` (``k`` of them, each at least 1); and a set ``S`` of group elements
(``states``) with potentials ``pi`` (``distances``).  Checked:

1. ``scale * a = -B^T cost``, variable by variable.  Then for every ``x``, with the slacks
   ``s = beta - B x``: ``scale * a x = -cost B x = -cost beta + cost s``.  A model has
   ``a x <= c`` and integer ``s >= 0``, so ``cost s <= room = scale * c + cost beta``.
   When ``room < 0`` no ``s >= 0`` has that (``cost >= 0``): refuted, nothing more to check.
2. Row ``i`` of ``R B`` is divisible by ``d_i``.  Then for integer ``x``, ``R s = R beta -
   (R B) x = R beta`` modulo ``d`` (componentwise): every integer point's slacks map to the
   *target* ``t = R beta mod d`` of the group ``Z_d1 + ... + Z_dk``.  (Any ``R`` with this
   property serves.  The diagonal form ``R B C = diag(d)`` with unimodular ``R`` and ``C``
   gives one and makes the group exactly ``Z^m / B Z^m``, which the search needs to be
   complete; the refutation needs only the divisibility, so ``C`` and the determinants
   are not part of the witness.)
3. ``0`` is in ``S`` with ``pi(0) = 0``; for every ``g`` in ``S`` and every slack ``j``,
   with ``m_j = R e_j mod d``, either ``pi(g) + cost_j > room`` or ``g + m_j`` is in ``S``
   with ``pi(g + m_j) <= pi(g) + cost_j``; and ``t`` is not in ``S``.

Why that refutes: every integer ``s >= 0`` with ``cost s <= room`` has its element
``g(s) = R s mod d`` in ``S`` with ``pi(g(s)) <= cost s``, by induction on ``sum s``: for
``s = 0`` it is 3's first condition; otherwise ``s = s' + e_j`` with ``cost s' <= cost s
<= room`` (``cost >= 0``), so ``g(s')`` is in ``S`` with ``pi(g(s')) <= cost s'``, hence
``pi(g(s')) + cost_j <= cost s <= room`` and the move stays: ``g(s) = g(s') + m_j`` is in
``S`` with ``pi(g(s)) <= pi(g(s')) + cost_j <= cost s``.  A model's slacks would have
``cost s <= room`` (1) and ``g(s) = t`` (2), so ``t`` would be in ``S``: no model exists.

A group element is a number in mixed radix over ``d`` (the first digit the lowest).  The
search's settled elements and their distances are such a potential (``ir/corner.py``'s
module doc says why); ``S`` is at most ``corner.STATE_LIMIT`` elements.

Cost: ``O(|S| m)`` group additions and ``O(k m n)`` for ``R B`` (``n`` variables).
Reference: Gomory, "Some polyhedra related to combinatorial problems" (Linear Algebra
Appl. 2, 1969), the group relaxation; the potentials are a shortest-path certificate
(feasible potentials, as in Dijkstra's correctness argument).
"""

from __future__ import annotations

from typing import Any

from ..ir.linear import ATOM_PREFIX, LinearNormalized
from .certificate import CertificateError

Row = tuple[dict[str, int], int]  # sum coefs * x <= b


def check_corner(witness: Any, norm: LinearNormalized, top: set[int]) -> dict[str, int]:
    """Check the corner witness (module doc) against ``norm``, the checker's own
    normalization of the input, whose top-level literals are ``top``.  Raises
    ``CertificateError`` when it is rejected; its sizes (rows, group order, ``|S|``)."""
    if not isinstance(witness, dict):
        raise CertificateError("malformed corner witness: not an object")
    try:
        a, c = _row(witness["row"], norm, top, "its row")
        basis = [_row(r, norm, top, f"basis row {i + 1}") for i, r in enumerate(witness["basis"])]
        scale, cost = witness["scale"], witness["cost"]
        R, moduli = witness["R"], witness["moduli"]
        states, distances = witness["states"], witness["distances"]
    except (KeyError, TypeError) as e:
        raise CertificateError(f"malformed corner witness: {type(e).__name__}: {e}") from None
    m = len(basis)
    if not (_ints([scale]) and scale > 0 and _ints(cost) and len(cost) == m
            and all(w >= 0 for w in cost)):
        raise CertificateError("corner witness: the multipliers are not integers >= 0 over "
                               "a positive scale, one per basis row")
    names = set(a).union(*(coefs for coefs, _ in basis))
    for x in sorted(names):
        if scale * a.get(x, 0) + sum(w * coefs.get(x, 0) for w, (coefs, _) in zip(cost, basis)):
            raise CertificateError(f"corner witness: the multipliers do not give the row's "
                                   f"coefficient of {x} (a != -B^T u)")
    room = scale * c + sum(w * b for w, (_, b) in zip(cost, basis))
    counts = {"corner_rows": m + 1}
    if room < 0:  # (no slacks s >= 0 have cost s < 0)
        return counts
    if not (_ints(moduli) and all(d >= 1 for d in moduli) and isinstance(R, list)
            and len(R) == len(moduli) and all(_ints(r) and len(r) == m for r in R)):
        raise CertificateError("corner witness: R is not an integer matrix with one row per "
                               "modulus and one column per basis row, or a modulus is < 1")
    for i, (r, d) in enumerate(zip(R, moduli)):
        for x in sorted(names):
            if sum(v * coefs.get(x, 0) for v, (coefs, _) in zip(r, basis)) % d:
                raise CertificateError(f"corner witness: row {i + 1} of R B is not divisible "
                                       f"by its modulus {d} (at {x})")
    order = 1
    for d in moduli:
        order *= d
    if not (_ints(states) and _ints(distances) and len(states) == len(distances)):
        raise CertificateError("corner witness: states and distances are not two integer "
                               "lists of one length")
    pi = dict(zip(states, distances))
    if len(pi) != len(states) or any(not 0 <= g < order for g in pi):
        raise CertificateError("corner witness: a state twice or outside the group")
    if pi.get(0) != 0:
        raise CertificateError("corner witness: the group's 0 is not a state at distance 0")
    target = _number([sum(v * b for v, (_, b) in zip(r, basis)) for r in R], moduli)
    if target in pi:
        raise CertificateError("corner witness: the target R beta mod d is among the states "
                               "(within the room: no refutation)")
    moves = [(_number([r[j] for r in R], moduli), w) for j, w in enumerate(cost)]
    plus = _plus(moduli)
    for g, p in pi.items():
        for move, w in moves:
            if p + w <= room:
                h = plus(g, move)
                ph = pi.get(h)
                if ph is None or ph > p + w:
                    raise CertificateError(f"corner witness: the states are not closed: state "
                                           f"{g} (distance {p}) plus a move of cost {w} is "
                                           f"{h}, which is not a state at distance <= {p + w}")
    counts.update(corner_group=order, corner_states=len(pi))
    return counts


def _row(side: Any, norm: LinearNormalized, top: set[int], what: str) -> Row:
    """The constraint of ``[k, side]`` (module doc), which must be a top-level literal."""
    if not (isinstance(side, list) and len(side) == 2 and _ints(side)
            and 0 <= side[0] < len(norm.atoms) and side[1] in (1, -1)):
        raise CertificateError(f"corner witness: {what} is malformed ({side!r})")
    k, sign = side
    node = norm.boolean.bool_names.get(f"{ATOM_PREFIX}{k}")
    if node is None or sign * node not in top:
        raise CertificateError(f"corner witness: {what} (atom {k}, side {sign}) is not a "
                               "top-level constraint")
    coefs, b = norm.atoms[k]
    if sign > 0:
        return {x: v for x, v in coefs}, b
    return {x: -v for x, v in coefs}, -b - 1


def _ints(values: Any) -> bool:
    return isinstance(values, list) and all(type(v) is int for v in values)


def _number(digits: list[int], moduli: list[int]) -> int:
    """The group element with these digits (each reduced modulo its modulus)."""
    v = 0
    for g, d in zip(reversed(digits), reversed(moduli)):
        v = v * d + g % d
    return v


def _plus(moduli: list[int]) -> Any:
    """Addition in the group (two numbers in mixed radix, digit by digit)."""
    if len(moduli) == 1:
        d0 = moduli[0]
        return lambda g, h: (g + h) % d0

    def plus(g: int, h: int) -> int:
        out, place = 0, 1
        for d in moduli:
            g, x = divmod(g, d)
            h, y = divmod(h, d)
            out += (x + y) % d * place
            place *= d
        return out
    return plus


__all__ = ["check_corner"]
