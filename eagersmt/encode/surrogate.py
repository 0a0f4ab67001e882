"""Surrogate constraints: nonnegative integer combinations of a formula's top-level linear
constraints, added to a checkable encoding for what they propagate.

Idea.  Every model satisfies the top-level constraints ``a_k . x <= b_k``, so it satisfies
``(sum y_k a_k) . x <= sum y_k b_k`` for any ``y >= 0``.  With ``y`` the linear
relaxation's dual values (one row, the *pivot*, at multiplier 1; the others minimizing
the slack ``g(y) = sum y_k b_k - min over the box of (sum y_k a_k) . x``) this one
constraint carries the LP bound: a variable whose coefficient times its range exceeds
the slack is fixed at once (reduced-cost fixing), and a negative slack refutes the
formula.  A CDCL solver over per-constraint encodings (BDDs, sorters) sees each knapsack
row alone and has to enumerate what the relaxation sees at once; one surrogate per
pivot puts that bound into the CNF as an ordinary constraint, whose clauses the
certificate checker verifies like any other (``check/linear.py``: it recomputes the
combination from the formula's top-level atoms and the integer multipliers).

The multipliers come from projected subgradient descent on ``g`` (convex, piecewise
linear), rows scaled to unit coefficients; any ``y >= 0`` is sound, so an approximate
minimum only costs strength.  They are rounded to integers at scale ``SCALE`` (the pivot
at ``SCALE``).  A surrogate is kept when it refutes the box or restricts some variable
at the root (a coefficient times the variable's range above the slack).

Cost: ``ROUNDS`` subgradient steps of ``O(rows * terms)`` per pivot, at most ``PIVOTS``
pivots (the widest rows), only for formulas with at most ``ROWS`` top-level constraints;
the surrogate is a constraint like the others (a BDD when it fits).  References:
Glover, "Surrogate constraints" (Operations Research 1968); Geoffrion, "Lagrangean
relaxation for integer programming" (Math. Programming Study 1974); Held, Wolfe,
Crowder, "Validation of subgradient optimization" (Math. Programming 1974).
"""

from __future__ import annotations

import math
from typing import Sequence

ROWS = 40  # top-level linear constraints past which no surrogate is derived
PIVOTS = 8  # pivots tried (the rows with the most variables)
MIN_TERMS = 4  # a pivot has at least this many variables
ROUNDS = 400
SCALE = 100
FLOAT_EXACT = 1 << 50  # coefficients, bounds and domains past this: no surrogate

Row = tuple[dict[str, int], int]  # sum a_x * x <= b


def surrogates(rows: Sequence[Row], domains: dict[str, tuple[int, int]]) -> list[list[int]]:
    """Integer multipliers (one per row, nonnegative) of the useful surrogates of ``rows``
    over the box ``domains`` (module doc); at most one per pivot, no two alike, none
    after one that refutes the box."""
    wide = {k for k, (a, _) in enumerate(rows) if len(a) >= 2}  # (bounds: in the box)
    if not 2 <= len(wide) <= ROWS:
        return []
    numbers = [abs(v) for a, b in rows for v in (b, *a.values())]
    numbers += [abs(v) for a, _ in rows for x in a for v in domains[x]]
    if max(numbers) > FLOAT_EXACT:  # (the descent computes in floats)
        return []
    pivots = sorted((k for k in wide if len(rows[k][0]) >= MIN_TERMS),
                    key=lambda k: (-len(rows[k][0]), k))[:PIVOTS]
    scale = [max(abs(c) for c in a.values()) if a else 1 for a, _ in rows]
    found: list[list[int]] = []
    for p in pivots:
        y = _descend(rows, wide, scale, domains, p)
        lam = [SCALE if k == p else round(SCALE * y[k] * scale[p] / scale[k])
               for k in range(len(rows))]
        g = math.gcd(*lam)
        lam = [m // g for m in lam]
        if lam not in found and _useful(rows, lam, domains):
            found.append(lam)
            coef, bound = combine(rows, lam)
            if _slack(coef, bound, domains) < 0:
                break  # (it refutes the box: the other pivots could add nothing)
    return found


def combine(rows: Sequence[Row], lam: Sequence[int]) -> Row:
    """``sum lam_k * row_k`` (the multipliers may be floats: the descent's)."""
    coef: dict[str, int] = {}
    bound = 0
    for (a, b), m in zip(rows, lam):
        if m:
            for x, c in a.items():
                coef[x] = coef.get(x, 0) + m * c
            bound += m * b
    return {x: c for x, c in coef.items() if c}, bound


def _slack(coef: dict, bound: float, domains: dict[str, tuple[int, int]]) -> float:
    """``bound - min over the box of coef . x``."""
    return bound - sum(c * (domains[x][0] if c > 0 else domains[x][1])
                       for x, c in coef.items())


def _useful(rows: Sequence[Row], lam: list[int], domains: dict[str, tuple[int, int]]) -> bool:
    coef, bound = combine(rows, lam)
    slack = _slack(coef, bound, domains)
    return slack < 0 or any(abs(c) * (domains[x][1] - domains[x][0]) > slack
                            for x, c in coef.items())


def _descend(rows: Sequence[Row], wide: set[int], scale: list[int],
             domains: dict[str, tuple[int, int]], p: int) -> list[float]:
    """Multipliers of the scaled rows (nonzero only on ``wide``), ``y_p = 1``, that make
    the slack small (the best point of a projected subgradient descent with steps
    ``1 / sqrt(t)``)."""
    # (only the wide rows move: the others keep multiplier 0 and gradient 0, so the
    # descent runs over the wide ones, in row order, and scatters its best point back)
    moving = sorted(wide)
    scaled = [({x: c / scale[k] for x, c in rows[k][0].items()}, rows[k][1] / scale[k])
              for k in moving]
    pivot = moving.index(p)
    y = [0.0] * len(moving)
    y[pivot] = 1.0
    best, best_y = float("inf"), list(y)
    for t in range(1, ROUNDS + 1):
        coef, bound = combine(scaled, y)  # type: ignore[arg-type]
        g = _slack(coef, bound, domains)
        if g < best:
            best, best_y = g, list(y)
        # a subgradient: d g / d y_k = b_k - a_k . x*, x* the box's minimizer of coef . x
        point = {x: domains[x][0] if c > 0 else domains[x][1] for x, c in coef.items()}
        grad = [0.0 if k == pivot else
                b - sum(c * point.get(x, domains[x][0]) for x, c in a.items())
                for k, (a, b) in enumerate(scaled)]
        norm = sum(d * d for d in grad) ** 0.5
        if norm == 0:
            break
        step = 1.0 / (norm * t ** 0.5)
        y = [yk if k == pivot else max(0.0, yk - step * d)
             for k, (yk, d) in enumerate(zip(y, grad))]
    out = [0.0] * len(rows)
    for k, v in zip(moving, best_y):
        out[k] = v
    return out


__all__ = ["surrogates", "combine"]
