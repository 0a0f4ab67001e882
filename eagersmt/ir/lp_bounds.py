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

The simplex is exact (``fractions.Fraction``: no rounding, so every bound is a theorem):
the rows ``A x + s = b`` with slacks ``s >= 0`` and free ``x``; phase one minimises a single
artificial ``t`` (column ``-1`` on every row, entered on the most violated row: a feasible
basis at once), then each objective ``+-x_j`` is maximised in turn, each from the last
one's optimum (a feasible basis).  Bland's rule (lowest index enters and leaves) against
cycling; a free variable enters in whichever direction improves and, being unbounded,
never leaves.  Dantzig, "Linear programming and
extensions" (1963), ch. 7 and 9.

Cost: a pivot is ``O(m * (n + m))`` rational operations on ``m`` rows and ``n`` variables;
the system is refused past ``MAX_CELLS`` tableau cells, and pivoting stops after
``MAX_WORK`` cell updates (the bounds found until then are kept: each is an optimum).
"""

from __future__ import annotations

from fractions import Fraction
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
    got = tableau.maximise({tableau.col[x]: Fraction(-a) for x, a in objective.items()},
                           tableau.t)
    if got is None:
        return None
    basic = set(tableau.basis)
    return -got, [i for i in range(m) if n + i not in basic]


class _Tableau:
    def __init__(self, rows: Sequence[Row], names: list[str]):
        col = {x: j for j, x in enumerate(names)}
        n, m = len(names), len(rows)
        self.n, self.m = n, m
        self.t = n + m  # the artificial's column; the slacks are n .. n + m - 1
        self.width = n + m + 1
        self.rows: list[list[Fraction]] = []
        self.rhs: list[Fraction] = []
        for i, (coefs, b) in enumerate(rows):
            r = [Fraction(0)] * self.width
            for x, a in coefs.items():
                r[col[x]] = Fraction(a)
            r[n + i] = Fraction(1)
            r[self.t] = Fraction(-1)
            self.rows.append(r)
            self.rhs.append(Fraction(b))
        self.basis = [n + i for i in range(m)]
        self.col = col
        self.pivots = 0
        self.max_pivots = MAX_WORK // (m * self.width)

    def pivot(self, r: int, k: int) -> None:
        self.pivots += 1
        row = self.rows[r]
        p = row[k]
        if p != 1:
            row[:] = [v / p for v in row]
            self.rhs[r] /= p
        nz = [(j, v) for j, v in enumerate(row) if v]
        for i, other in enumerate(self.rows):
            f = other[k]
            if i == r or not f:
                continue
            for j, v in nz:
                other[j] -= f * v
            self.rhs[i] -= f * self.rhs[r]
        self.basis[r] = k

    def maximise(self, cost: Mapping[int, Fraction], allowed: int) -> Optional[Fraction]:
        """Maximise ``sum cost * column`` over columns below ``allowed`` (the artificial
        excluded after phase one); None when unbounded or out of pivots."""
        n = self.n
        while True:
            if self.pivots >= self.max_pivots:
                return None
            basic = {b: i for i, b in enumerate(self.basis)}
            priced = [(self.rows[basic[j]], c) for j, c in cost.items() if j in basic]
            entering = -1
            direction = 0
            for k in range(allowed):
                if k in basic:
                    continue
                d = cost.get(k, 0) - sum(c * row[k] for row, c in priced)
                if d > 0 or (d < 0 and k < n):
                    entering, direction = k, (1 if d > 0 else -1)
                    break
            if entering < 0:
                return sum((c * (self.rhs[basic[j]] if j in basic else 0) for j, c in cost.items()),
                           Fraction(0))
            best: Optional[tuple[Fraction, int, int]] = None
            for i, b in enumerate(self.basis):
                a = self.rows[i][entering] * direction
                if b < n or a <= 0:
                    continue  # (a free basic variable takes any value)
                key = (self.rhs[i] / a, b, i)
                if best is None or key < best:
                    best = key
            if best is None:
                return None
            self.pivot(best[2], entering)

    def feasible(self) -> bool:
        """Phase one: a feasible basis without the artificial (False: out of pivots).
        Raises ``Infeasible``."""
        worst = min(range(self.m), key=lambda i: (self.rhs[i], i))
        if self.rhs[worst] < 0:
            self.pivot(worst, self.t)
            got = self.maximise({self.t: Fraction(-1)}, self.width)
            if got is None:
                return False
            if got < 0:
                raise Infeasible
        if self.t in self.basis:  # (at zero: pivot it out, or drop its row, all zero)
            r = self.basis.index(self.t)
            k = next((j for j in range(self.t) if self.rows[r][j]), -1)
            if k < 0:
                del self.rows[r], self.rhs[r], self.basis[r]
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
                got = self.maximise({self.col[x]: Fraction(sign)}, self.t)
                if got is None:
                    sides.append(None)
                else:
                    v = got * sign
                    sides.append(-((-v.numerator) // v.denominator) if sign < 0
                                 else v.numerator // v.denominator)
            out[x] = (sides[0], sides[1])
        return out


__all__ = ["Infeasible", "MAX_CELLS", "MAX_WORK", "lp_bounds", "lp_minimum"]
