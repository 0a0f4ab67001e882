"""Solution bounds: how far out a linear integer formula's models must be looked for.

``solution_bound`` gives ``B`` such that if the formula has a model it has one with every
*open* integer variable (no propagated bound on one side or both) in ``[-B, B]``; the
encoder then gives those variables that domain.  Both bounds below are sound; the smaller
is used, and ``--stats`` says which (``solution_bound``) and its bits.

The reduction both start from.  A model ``M`` makes each atom ``sum a_j x_j <= b`` true or
false; fix the *bounded* variables (a propagated box ``[lo_j, hi_j]``, which ``M`` respects:
the propagated bounds are implied by the formula's top-level constraints) to their values
in ``M``.  The open variables ``u`` then satisfy the conjunction ``C`` of one literal per atom
(the atom, or its negation ``sum -a_j x_j <= -b - 1``) over them, with constants
``b' = b - sum_fixed a_j v_j``, so ``|b'| <= |b| + 1 + sum_fixed |a_j| max(|lo_j|, |hi_j|)``
(the ``+ 1`` covers the negation), and their one-sided bounds.  Any integer solution of
``C`` gives, with the fixed part, every atom its truth value in ``M``: a model.  So a bound
on some solution of every such ``C`` (all ``M``) is a solution bound.

* ``gathen_sieveking``: von zur Gathen and Sieveking ("A bound on solutions of linear
  integer equalities and inequalities", Proc. AMS 1978): a system ``A x <= b`` over ``n``
  variables with an integer solution has one with ``|x_i| <= (n + 1) * M``, ``M`` bounding
  the subdeterminants of ``[A b]``; here Hadamard's bound, the smaller of the product of all
  column norms and the product of the ``n + 1`` largest row norms (norms rounded up, each at
  least 1).  Exponential in ``n``: linear in bits.
* ``seshia_bryant``: Seshia and Bryant ("Deciding quantifier-free Presburger formulas using
  parameterized solution bounds", LICS 2004; LMCS 1(2:6) 2005, its main theorem; CMU-CS-03-210),
  stated for a quantifier-free Presburger formula over ``n`` integer variables whose atoms
  are ``m`` linear constraints ``sum a_j x_j >= b`` (strict ones and equalities rewritten
  so; a negated atom rewritten as ``sum -a_j x_j >= -b + 1``, whose constant is counted),
  ``k`` of them not *separation* constraints (``x >= b``, ``x - y >= b``), ``w`` the most
  variables in one of those ``k``, ``a_max`` the largest ``|a_j|`` and ``b_max`` the largest
  ``|b|``: if the formula is satisfiable it has a solution with every ``|x_i| <= d``,
  ``d = (n + 2) * s * (b_max + 1) * (w * a_max)^k``, ``s = min(n + 1, m)``.  Applied to
  ``C`` (itself such a formula, a conjunction of literals): ``n`` open variables, ``m`` its
  literals and bounds, each row divided by the gcd of its coefficients over ``u`` (an
  equivalent constraint, its constant no larger) and counted as separation when what is
  left is ``x``, ``-x`` or ``x - y``; ``b_max`` the largest ``|b'|`` bound above, which
  covers the negations.  ``d`` is monotone in every parameter, so upper bounds on them
  are safe.  It is small when few constraints are not differences (``k`` is in the
  exponent, the total number of constraints is not), where the other grows with every row.
"""

from __future__ import annotations

import math
from typing import Mapping, Optional, Sequence

Row = tuple[list[int], int]  # coefficients over the open variables, a bound on |constant|

SESHIA_BRYANT = "seshia-bryant"
GATHEN_SIEVEKING = "gathen-sieveking"


def solution_bound(atoms: Sequence[tuple[Sequence[tuple[str, int]], int]], names: set[str],
                   lo: Mapping[str, Optional[int]], hi: Mapping[str, Optional[int]]
                   ) -> tuple[int, str]:
    """The smaller of the two bounds (see the module doc) for the atoms ``(coefs, b)``
    (``sum coefs * x <= b``) over ``names``, whose propagated bounds are ``lo``/``hi``
    (None: open), and which one it is."""
    free = [x for x in sorted(names) if lo[x] is None or hi[x] is None]
    rows = reduced_rows(atoms, set(free), lo, hi)
    sb = seshia_bryant(rows, len(free))
    gs = gathen_sieveking(rows, len(free))
    return (sb, SESHIA_BRYANT) if sb <= gs else (gs, GATHEN_SIEVEKING)


def reduced_rows(atoms: Sequence[tuple[Sequence[tuple[str, int]], int]], free: set[str],
                 lo: Mapping[str, Optional[int]], hi: Mapping[str, Optional[int]]
                 ) -> list[tuple[dict[str, int], int]]:
    """The system ``C`` of every model (module doc): per atom with an open variable its
    coefficients over them and the bound on ``|b'|``; per open variable's propagated side
    a row ``x`` with that bound."""
    rows: list[tuple[dict[str, int], int]] = []
    for coefs, b in atoms:
        a_u = {x: a for x, a in coefs if x in free}
        if not a_u:
            continue
        rhs = abs(b) + 1 + sum(abs(a) * max(abs(lo[x]), abs(hi[x]))  # type: ignore[arg-type]
                               for x, a in coefs if x not in free)
        rows.append((a_u, rhs))
    for x in sorted(free):
        for v in (lo[x], hi[x]):
            if v is not None:
                rows.append(({x: 1}, abs(v)))
    return rows


def seshia_bryant(rows: list[tuple[dict[str, int], int]], n: int) -> int:
    """Seshia and Bryant's ``d`` for the system ``rows`` over ``n`` variables."""
    k = w = 0
    a_max = b_max = 1
    for coefs, rhs in rows:
        g = 0
        for a in coefs.values():
            g = math.gcd(g, a)
        reduced = sorted(a // g for a in coefs.values())
        b_max = max(b_max, rhs)
        if reduced in ([1], [-1], [-1, 1]):
            continue  # a separation constraint
        k += 1
        w = max(w, len(reduced))
        a_max = max(a_max, max(abs(a) for a in reduced))
    s = min(n + 1, len(rows))
    return (n + 2) * max(s, 1) * (b_max + 1) * (w * a_max) ** k


def gathen_sieveking(rows: list[tuple[dict[str, int], int]], n: int) -> int:
    """von zur Gathen and Sieveking's bound with Hadamard's on the subdeterminants."""
    columns: dict[str, int] = {}
    for coefs, _ in rows:
        for x, a in coefs.items():
            columns[x] = columns.get(x, 0) + a * a

    def norm(square: int) -> int:
        return max(1, math.isqrt(square) + 1)

    by_columns = norm(sum(b * b for _, b in rows))
    for sq in columns.values():
        by_columns *= norm(sq)
    row_norms = sorted((norm(sum(a * a for a in r.values()) + b * b) for r, b in rows),
                       reverse=True)
    by_rows = 1
    for r in row_norms[:n + 1]:
        by_rows *= r
    return (n + 1) * min(by_columns, by_rows)


__all__ = ["GATHEN_SIEVEKING", "SESHIA_BRYANT", "gathen_sieveking", "reduced_rows",
           "seshia_bryant", "solution_bound"]
