"""Bounds of integer variables from the linear relaxation of the top-level constraints.

Idea.  Interval propagation (``linear.py``'s ``bounds``) reads one constraint at a time, so
a polytope whose every constraint is open on some side (``x0 - x1 <= 3``, ``x1 - 2 x2 <=
0``, ...: a simplex in general position, as the cut lemmas of branch and cut are) leaves
its variables to the solution bound, tens of bits wide where the polytope spans a few
dozen values.  The linear relaxation bounds them exactly: ``max x_j`` subject to the
top-level rows ``A x <= b`` (and the bounds already known), over the rationals; its floor
is an upper bound of ``x_j`` in every integer solution (and every model satisfies the
rows), the minimum's ceiling a lower bound.  An infeasible relaxation refutes the
formula.

The simplex is exact (integer rows over a per-row denominator, Edmonds' fraction-free
idea: no rounding, so every bound is a theorem):
the rows ``A x + s = b`` with slacks ``s >= 0`` and free ``x``; phase one minimises a single
artificial ``t`` (column ``-1`` on every row, entered on the most violated row: a feasible
basis at once), then each objective ``+-x_j`` is maximised in turn, each from the last
one's optimum (a feasible basis).  Bland's rule (lowest index enters and leaves) against
cycling; a free variable enters in whichever direction improves and, being unbounded,
never leaves.  Dantzig, "Linear programming and extensions" (1963), ch. 7 and 9; J.
Edmonds, "Systems of distinct representatives and linear algebra" (1967), for exact
arithmetic without rationals.

Cost: a pivot is ``O(m * (n + m))`` integer operations (and a ``gcd`` per row) on ``m``
rows and ``n`` variables; the system is refused past ``MAX_CELLS`` tableau cells, and
pivoting stops after ``MAX_WORK`` cell updates (the bounds found until then are kept: each is an optimum).
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd
from typing import Mapping, Optional, Sequence

MAX_CELLS = 20_000  # rows x columns of the tableau past which no relaxation is solved
MAX_WORK = 500_000  # pivots x tableau cells over all objectives (rational operations)

Bounds = tuple[Optional[int], Optional[int]]
Row = tuple[Mapping[str, int], int]  # sum coefs * x <= b


class Infeasible(Exception):
    """The relaxation has no solution: neither has the integer system."""


def lp_bounds(rows: Sequence[Row], targets: Sequence[str]) -> dict[str, Bounds]:
    """The integer bounds (floor of the maximum, ceiling of the minimum) of each of
    ``targets`` over the rational solutions of ``rows``; a side the relaxation leaves
    open (or that pivoting did not reach) is None.  Raises ``Infeasible`` when the rows
    have no rational solution.  Empty when the system is too large (``MAX_CELLS``)."""
    names = sorted({x for coefs, _ in rows for x in coefs})
    m, n = len(rows), len(names)
    if not m or m * (n + m + 2) > MAX_CELLS:
        return {}
    return _Tableau(rows, names).bounds([x for x in targets if x in set(names)])


def lp_minimum(rows: Sequence[Row], objective: Mapping[str, int]) -> Optional[
        tuple[Fraction, list[int]]]:
    """The least value of ``sum objective * x`` over the rational solutions of ``rows``
    and the indices of the rows tight in the optimal basis (those whose slack is not
    basic: as many as there are variables when every variable is basic); None when the
    minimum is unbounded, pivoting runs out or the system is too large (``MAX_CELLS``).
    Raises ``Infeasible``."""
    names = sorted({x for coefs, _ in rows for x in coefs} | set(objective))
    m, n = len(rows), len(names)
    if not m or m * (n + m + 2) > MAX_CELLS:
        return None
    tableau = _Tableau(rows, names)
    if not tableau.feasible():
        return None
    got = tableau.maximise({tableau.col[x]: -a for x, a in objective.items()},
                           tableau.t)
    if got is None:
        return None
    basic = set(tableau.basis)
    return -got, [i for i in range(m) if n + i not in basic]


class _Tableau:
    """The tableau in integers: row ``i`` is ``rows[i] / den[i]`` (its nonzero numerators
    by column, and one positive denominator, kept in lowest terms), the same values as a
    tableau of ``Fraction`` cells at a fraction of the cost (a row update is one pass of
    integer multiplications over its nonzero cells and one ``gcd``, not a rational
    operation per cell)."""

    def __init__(self, rows: Sequence[Row], names: list[str]):
        col = {x: j for j, x in enumerate(names)}
        n, m = len(names), len(rows)
        self.n, self.m = n, m
        self.t = n + m  # the artificial's column; the slacks are n .. n + m - 1
        self.width = n + m + 1
        self.rows: list[dict[int, int]] = []
        self.rhs: list[int] = []
        self.den: list[int] = []
        for i, (coefs, b) in enumerate(rows):
            r = {col[x]: a for x, a in coefs.items() if a}
            r[n + i] = 1
            r[self.t] = -1
            self.rows.append(r)
            self.rhs.append(b)
            self.den.append(1)
        self.basis = [n + i for i in range(m)]
        self.col = col
        self.pivots = 0
        self.max_pivots = MAX_WORK // (m * self.width)

    def value(self, i: int) -> Fraction:
        """The value of row ``i``'s basic variable."""
        return Fraction(self.rhs[i], self.den[i])

    def pivot(self, r: int, k: int) -> None:
        self.pivots += 1
        row, b, p = self.rows[r], self.rhs[r], self.rows[r][k]
        if p < 0:  # (row r becomes row / its k-th cell: numerators over |p|)
            row, b, p = {j: -v for j, v in row.items()}, -b, -p
        g = gcd(gcd(*row.values()), b)  # (p among the cells: g divides p)
        if g > 1:
            row, b, p = {j: v // g for j, v in row.items()}, b // g, p // g
        self.rows[r], self.rhs[r], self.den[r] = row, b, p
        for i, other in enumerate(self.rows):
            f = other.get(k)
            if i == r or not f:
                continue
            # other / d - (f / d) (row / p) = (other * p - f * row) / (d p)
            new = {j: v * p for j, v in other.items()}
            for j, w in row.items():
                v = new.get(j, 0) - f * w
                if v:
                    new[j] = v
                else:
                    del new[j]
            nb, nd = self.rhs[i] * p - f * b, self.den[i] * p
            g = gcd(gcd(*new.values()), nb, nd)
            if g > 1:
                new, nb, nd = {j: v // g for j, v in new.items()}, nb // g, nd // g
            self.rows[i], self.rhs[i], self.den[i] = new, nb, nd
        self.basis[r] = k

    def maximise(self, cost: Mapping[int, int], allowed: int) -> Optional[Fraction]:
        """Maximise ``sum cost * column`` over columns below ``allowed`` (the artificial
        excluded after phase one); None when unbounded or out of pivots."""
        n = self.n
        while True:
            if self.pivots >= self.max_pivots:
                return None
            basic = {b: i for i, b in enumerate(self.basis)}
            priced = [(self.rows[basic[j]], self.den[basic[j]], c)
                      for j, c in cost.items() if j in basic]
            entering = -1
            direction = 0
            for k in range(allowed):
                if k in basic:
                    continue
                d = _reduced(cost.get(k, 0), priced, k)
                if d > 0 or (d < 0 and k < n):
                    entering, direction = k, (1 if d > 0 else -1)
                    break
            if entering < 0:
                return sum((c * self.value(basic[j]) for j, c in cost.items() if j in basic),
                           Fraction(0))
            best: Optional[tuple[Fraction, int, int]] = None
            for i, b in enumerate(self.basis):
                a = self.rows[i].get(entering, 0) * direction
                if b < n or a <= 0:
                    continue  # (a free basic variable takes any value)
                key = (Fraction(self.rhs[i], a), b, i)  # (the row's denominator cancels)
                if best is None or key < best:
                    best = key
            if best is None:
                return None
            self.pivot(best[2], entering)

    def feasible(self) -> bool:
        """Phase one: a feasible basis without the artificial (False: out of pivots).
        Raises ``Infeasible``."""
        worst = min(range(self.m), key=lambda i: (self.value(i), i))
        if self.rhs[worst] < 0:
            self.pivot(worst, self.t)
            got = self.maximise({self.t: -1}, self.width)
            if got is None:
                return False
            if got < 0:
                raise Infeasible
        if self.t in self.basis:  # (at zero: pivot it out, or drop its row, all zero)
            r = self.basis.index(self.t)
            k = min((j for j in self.rows[r] if j < self.t), default=-1)
            if k < 0:
                del self.rows[r], self.rhs[r], self.den[r], self.basis[r]
            else:
                self.pivot(r, k)
        return True

    def bounds(self, targets: list[str]) -> dict[str, Bounds]:
        if not self.feasible():
            return {}
        out: dict[str, Bounds] = {}
        for x in targets:  # (each from the last one's optimum: a feasible basis)
            sides: list[Optional[int]] = []
            for sign in (-1, 1):
                got = self.maximise({self.col[x]: sign}, self.t)
                if got is None:
                    sides.append(None)
                else:
                    v = got * sign
                    sides.append(-((-v.numerator) // v.denominator) if sign < 0
                                 else v.numerator // v.denominator)
            out[x] = (sides[0], sides[1])
        return out


def _reduced(c0: int, priced: list[tuple[dict[int, int], int, int]], k: int):
    """The reduced cost ``c0 - sum c * row[k] / den`` of column ``k``: an integer where
    one row is priced (the sign is all that is asked), else exact."""
    if len(priced) == 1:
        row, den, c = priced[0]
        return c0 * den - c * row.get(k, 0)
    return c0 - sum((Fraction(c * row[k], den) for row, den, c in priced if k in row),
                    Fraction(0))


__all__ = ["Infeasible", "MAX_CELLS", "MAX_WORK", "lp_bounds", "lp_minimum"]
