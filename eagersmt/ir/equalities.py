"""Elimination of top-level integer equalities before encoding.

Idea.  A unit equality ``sum a_i * x_i = b`` (both of its ``<=`` atoms asserted at the
top level) fixes one variable given the others, so that variable need not be encoded: it
is substituted by an expression over the others in every atom, and its value is computed
back from them after solving (``LinearNormalized.decode``).  Over the integers this is
exact only when the solution set is parametrised exactly:

* the equality is divided by the gcd ``g`` of its coefficients; ``g`` not dividing ``b``
  makes it (and the formula) unsatisfiable;
* a variable ``x_k`` with coefficient ``+-1`` is solved for: ``x_k = (b - sum_{i != k}
  a_i * x_i) / a_k``, integral for integral others;
* otherwise the Omega test's step (Pugh, "The Omega test: a fast and practical integer
  programming algorithm for dependence analysis", CACM 1992, section 2.3.1): with ``a_k``
  the smallest coefficient in absolute value and ``m = |a_k| + 1``, a fresh integer
  *parameter* ``s`` with ``m * s = sum_i (a_i mod^ m) * x_i - (b mod^ m)`` (``mod^`` the
  remainder in ``[-m/2, m/2)``) exists in every solution (the right side is ``= sum a_i x_i
  - b = 0`` modulo ``m``), and ``a_k mod^ m = -sign(a_k)`` solves it for ``x_k``; put into
  the equality, that leaves one whose other coefficients shrank to about a sixth, and the
  step repeats until a coefficient is ``+-1``.  Each step is a unimodular change of
  variables, so every integer solution of the new system gives one of the old and back.

Bounds of an eliminated variable need nothing of their own: they are atoms (``x <= 50``),
and every atom is rewritten, so ``lo <= x <= hi`` becomes ``lo <= e <= hi`` over the
remaining variables and parameters.

Which variable.  A substitution copies ``e`` into every atom of ``x``: where the others
are wide (a chain ``x_{i+1} = x_i - y_i + c`` solved for ``x_{i+1}`` makes prefix sums of
every ``y``), the encoding of those atoms grows with their width (pindakaas's sums over
bits) more than ``x``'s own bits and the equality cost.  So the variable solved for is
the one whose atoms grow least, and an equality is eliminated only when no atom of its
variables would grow wider than ``WIDTH_SLACK`` past the wider of itself and the
equality; otherwise it stays a pair of ``<=`` atoms.

Cost: one pass over the equalities; each substitution touches the atoms of its variable
(an index by variable) and the earlier substitutions that mention it (kept fully reduced,
so decoding is one evaluation each).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import count
from typing import Callable, Mapping, Optional, Sequence

Lin = tuple[dict[str, int], int]  # coefficients by variable name, constant
# an atom may grow to this many variables past the wider of itself and the equality
WIDTH_SLACK = 2
# an atom's largest coefficient may grow to this many times the larger of its own and the
# equality's
COEF_GROWTH = 1
OMEGA_STEPS = 64  # Omega steps on one equality before it is left as it is


@dataclass
class Elimination:
    """``substitution``: each eliminated variable as a linear expression over the kept
    variables and ``parameters`` (the fresh ones); ``eliminated`` the equalities solved;
    ``infeasible`` when one has no integer solution."""

    substitution: dict[str, Lin] = field(default_factory=dict)
    parameters: list[str] = field(default_factory=list)
    # each parameter's range, from the bounds of what it equals (None: open on that side)
    ranges: dict[str, Bounds] = field(default_factory=dict)
    eliminated: int = 0
    infeasible: bool = False


def substitute(coefs: Mapping[str, int], const: int, sub: Mapping[str, Lin]) -> Lin:
    """``sum coefs * x + const`` with each variable of ``sub`` replaced by its expression."""
    out: dict[str, int] = {}
    for x, a in coefs.items():
        e = sub.get(x)
        if e is None:
            out[x] = out.get(x, 0) + a
            continue
        const += a * e[1]
        for y, k in e[0].items():
            out[y] = out.get(y, 0) + a * k
    return {x: a for x, a in out.items() if a}, const


def mod_hat(a: int, m: int) -> int:
    """``a`` modulo ``m`` in ``[-m/2, m/2)`` (Pugh's ``mod^``): ``a - m * floor(a/m + 1/2)``."""
    return a - m * ((2 * a + m) // (2 * m))


Equality = tuple[Mapping[str, int], int, tuple[int, ...]]  # sum coefs * x = b, its atoms
Bounds = tuple[Optional[int], Optional[int]]


def eliminate(equalities: Sequence[Equality], atoms: Sequence[Mapping[str, int]],
              eliminable: Callable[[str], bool], fresh: Callable[[], str],
              bounds: Mapping[str, Bounds]) -> Elimination:
    """Eliminate the equalities ``sum coefs * x = b`` in turn (see the module doc).
    ``atoms``: the coefficients of every atom of the formula, which the rule bounds
    (``WIDTH_SLACK``), an equality's own atoms given by their index there;
    ``eliminable``: the variables that may be solved for; ``fresh``: a new parameter's
    name; ``bounds``: bounds the formula implies on its variables, whence each parameter's
    range (a parameter equals a sum over them, divided by ``m``)."""
    return _Eliminator(atoms, eliminable, fresh, bounds).run(equalities)


def integer_infeasible(equalities: Sequence[Equality]) -> bool:
    """Do the equalities alone have no integer solution?  Each is eliminated in turn with
    no width rule (no atom to keep narrow: the system is parametrised in full), so a
    ``g`` that does not divide ``b`` shows up even where ``eliminate`` keeps the equality
    for the encoding's sake.  False also when an equality needed more than
    ``OMEGA_STEPS`` steps (not decided).  Cost: as ``eliminate`` over the equalities
    alone."""
    names = (f"|omega|{i}" for i in count())
    return _Eliminator([], lambda x: True, lambda: next(names), {}).run(equalities).infeasible


class _Eliminator:
    def __init__(self, atoms: Sequence[Mapping[str, int]], eliminable: Callable[[str], bool],
                 fresh: Callable[[], str], bounds: Mapping[str, Bounds]):
        # the current coefficients of each atom (the constant does not matter here)
        self.forms: list[dict[str, int]] = [dict(a) for a in atoms]
        self.occ: dict[str, set[int]] = {}
        for i, f in enumerate(self.forms):
            for x in f:
                self.occ.setdefault(x, set()).add(i)
        self.eliminable = eliminable
        self.fresh = fresh
        self.bounds = bounds
        self.out = Elimination()
        self.uses: dict[str, set[str]] = {}  # variable -> substituted variables that use it

    def run(self, equalities: Sequence[Equality]) -> Elimination:
        for coefs, b, own in equalities:
            c, k = substitute(coefs, -b, self.out.substitution)
            if self.solve(c, -k, own):
                break
        return self.out

    def solve(self, coefs: dict[str, int], b: int, own: tuple[int, ...]) -> bool:
        """Eliminate ``sum coefs * x = b`` (already in the current variables) if the rule
        allows it; True when it has no integer solution."""
        plan: list[tuple[str, Lin]] = []  # the steps, each over the variables after the last
        params: list[str] = []
        ranges: dict[str, Bounds] = {}
        width = len(coefs)
        size = max(map(abs, coefs.values()), default=0)
        for steps in range(OMEGA_STEPS + 1):
            if not coefs:
                if b == 0:
                    return False  # already implied by the earlier ones
                self.out.infeasible = True
                return True
            g = 0
            for a in coefs.values():
                g = math.gcd(g, a)
            if b % g:
                self.out.infeasible = True
                return True
            coefs = {x: a // g for x, a in coefs.items()}
            b //= g
            candidates = sorted(x for x in coefs if self.eliminable(x) or x in params)
            if not candidates:
                return False
            units = [x for x in candidates if abs(coefs[x]) == 1]
            if units:
                x = min(units, key=lambda y: (self.growth(y, coefs), len(self.occ.get(y, ())), y))
                a = coefs[x]  # x = (b - sum others) / a, a = +-1
                plan.append((x, ({y: -a * k for y, k in coefs.items() if y != x}, a * b)))
                break
            if steps == OMEGA_STEPS:
                return False
            x = min(candidates, key=lambda y: (abs(coefs[y]), len(self.occ.get(y, ())), y))
            a, m = coefs[x], abs(coefs[x]) + 1
            s = self.fresh()
            params.append(s)
            ranges[s] = self.range_of(coefs, b, m, ranges)
            sign = 1 if a > 0 else -1
            # m*s = sum_i mod_hat(a_i)*x_i - mod_hat(b), mod_hat(a) = -sign: solve for x
            e: dict[str, int] = {y: sign * mod_hat(k, m) for y, k in coefs.items() if y != x}
            e[s] = -sign * m
            step = ({y: k for y, k in e.items() if k}, -sign * mod_hat(b, m))
            plan.append((x, step))
            coefs, k0 = substitute(coefs, -b, {x: step})
            b = -k0
        local: dict[str, Lin] = {}
        for x, e in plan:
            e = substitute(e[0], e[1], local)
            for y, d in local.items():
                if x in d[0]:
                    local[y] = substitute(d[0], d[1], {x: e})
            local[x] = e
        for i in own:  # (true once solved: no width of their own)
            for y in self.forms[i]:
                self.occ[y].discard(i)
        if not self.fits(local, width, size):
            for i in own:
                for y in self.forms[i]:
                    self.occ[y].add(i)
            return False
        for i in own:
            self.forms[i] = {}
        for x, e in local.items():
            self.assign(x, e)
        self.out.parameters.extend(p for p in params if p not in local)
        self.out.ranges.update((p, r) for p, r in ranges.items() if p not in local)
        self.out.eliminated += 1
        return False

    def range_of(self, coefs: Mapping[str, int], b: int, m: int,
                 ranges: Mapping[str, Bounds]) -> Bounds:
        """The range of ``(sum_i mod^(a_i) * x_i - mod^(b)) / m`` over the ranges of the
        ``x_i`` (the formula's bounds, or an earlier parameter's range)."""
        lo: Optional[int] = -mod_hat(b, m)
        hi: Optional[int] = lo
        for x, a in coefs.items():
            k = mod_hat(a, m)
            if k == 0:
                continue
            xl, xh = ranges.get(x) or self.out.ranges.get(x) or self.bounds.get(x, (None, None))
            if k < 0:
                xl, xh = xh, xl
            lo = None if lo is None or xl is None else lo + k * xl
            hi = None if hi is None or xh is None else hi + k * xh
        return (None if lo is None else -(-lo // m), None if hi is None else hi // m)

    def growth(self, x: str, coefs: Mapping[str, int]) -> int:
        """How many variables the atoms of ``x`` gain when ``x`` is solved for in the
        equality ``coefs`` (an upper bound: cancellations aside)."""
        others = {y for y in coefs if y != x}
        return sum(len(others - self.forms[i].keys()) - 1 for i in self.occ.get(x, ()))

    def fits(self, local: Mapping[str, Lin], width: int, size: int) -> bool:
        """Does no atom grow past ``WIDTH_SLACK`` variables over the wider of itself and the
        equality (``width``), nor its largest coefficient past ``COEF_GROWTH`` times the
        larger of its own and the equality's (``size``)?"""
        touched: set[int] = set()
        for x in local:
            touched |= self.occ.get(x, set())
        for i in touched:
            f = self.forms[i]
            new, _ = substitute(f, 0, local)
            if len(new) > max(len(f), width) + WIDTH_SLACK:
                return False
            if max(map(abs, new.values()), default=0) > \
                    COEF_GROWTH * max(size, max(map(abs, f.values()), default=0)):
                return False
        return True

    def assign(self, x: str, e: Lin) -> None:
        """Substitute ``x := e`` (over variables not substituted) everywhere."""
        sub = self.out.substitution
        for y in self.uses.pop(x, set()):
            sub[y] = substitute(sub[y][0], sub[y][1], {x: e})
            for z in sub[y][0]:
                self.uses.setdefault(z, set()).add(y)
        sub[x] = e
        for z in e[0]:
            self.uses.setdefault(z, set()).add(x)
        for i in self.occ.pop(x, set()):
            self.forms[i], _ = substitute(self.forms[i], 0, {x: e})
            for z in self.forms[i]:
                self.occ.setdefault(z, set()).add(i)


__all__ = ["Elimination", "Lin", "WIDTH_SLACK", "eliminate", "integer_infeasible", "mod_hat",
           "substitute"]
