"""Sugar's order encoding of linear sums: ``sum a_i * x_i <= c`` over order-encoded variables.

Idea (Tamura, Taga, Kitagawa, Banbara, "Compiling finite linear CSP into SAT", Constraints
2009).  Each integer variable ``x`` with values ``v_0 < v_1 < ...`` has a *ladder* of
literals ``[x >= v_i]`` (``i >= 1``) with ``[x >= v_{i+1}] -> [x >= v_i]``.  A term
``t = a * x`` reads its bounds off the ladder (``[t >= u]`` is ``[x >= ceil(u / a)]`` for
``a > 0`` and ``not [x >= floor(u / a) + 1]`` for ``a < 0``).  Then

    t_1 + rest <= c   iff   for every value u of t_1:  [t_1 >= u] -> rest <= c - u,

and ``rest <= c - u`` unfolds the same way down to the last term, whose bound is one
literal: each clause says "if every term but the last is at least its chosen value, the
last is at most what is left".  Values of ``u`` for which what is left cannot be exceeded
give no clause; the first ``u`` for which it cannot be met gives the clause without the
last literal and ends the loop (larger ``u`` give clauses it subsumes).  Unit propagation
on these clauses is bound propagation on the sum (after splitting, on each piece).

Cost.  A sum of ``k`` terms takes at most the product of the first ``k - 1`` terms' value
counts in clauses, so sums longer than ``ARITY`` are split first: the two terms with the
fewest values ``a x + b y`` become one auxiliary variable ``z`` with ``a x + b y <= g * z``
(``g`` their gcd; ``z`` ranges over the sums' values divided by ``g``, exactly when there
are at most ``SUMSET_LIMIT`` pairs of values, else their interval), an unconditional
constraint shared by every sum that holds the same pair; ``z`` takes their place, until
``ARITY`` terms are left.  ``predicted`` computes the clause count of a set of sums before
anything is encoded (``encode/linear.py``'s ``auto`` compares it with the log encoding).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Optional, Sequence, Union

from .cnf import CNF

ARITY = 3  # terms per constraint after splitting (Tamura et al.: 3)
SUMSET_LIMIT = 4096  # value pairs enumerated for an auxiliary sum's exact values

Values = Sequence[int]  # ascending (a ``range`` for an interval)
Lit = Union[int, bool]  # a literal, or a truth value the domain decides


@dataclass
class Ladder:
    """An order-encoded integer: ``lits[i]`` is ``x >= values[i + 1]``."""

    values: Values
    lits: list[int]

    def ge(self, v: int) -> Lit:
        """The literal of ``x >= v``."""
        values = self.values
        if v <= values[0]:
            return True
        if v > values[-1]:
            return False
        return self.lits[bisect_left(values, v) - 1]  # type: ignore[arg-type]


def term_values(values: Values, a: int) -> tuple[int, int, int]:
    """Least value, greatest value and count of ``a * x``."""
    lo, hi = a * values[0], a * values[-1]
    return min(lo, hi), max(lo, hi), len(values)


def _term_ge(x: Ladder, a: int, u: int) -> Lit:
    """``a * x >= u``."""
    if a > 0:
        return x.ge(-(-u // a))
    lit = x.ge(u // a + 1)  # a x >= u  iff  x <= floor(u / a)
    return (not lit) if isinstance(lit, bool) else -lit


def _term_le(x: Ladder, a: int, r: int) -> Lit:
    """``a * x <= r``."""
    lit = _term_ge(x, a, r + 1)
    return (not lit) if isinstance(lit, bool) else -lit


def _term_values(x: Ladder, a: int) -> list[int]:
    """The values of ``a * x``, ascending."""
    vals = [a * v for v in x.values]
    return vals if a > 0 else vals[::-1]


@dataclass
class SugarEncoder:
    """Sums over the ladders of ``ladders`` (by variable name) into ``cnf``; auxiliary
    variables (named ``(pair)``) are made once and shared."""

    cnf: CNF
    ladders: dict[str, Ladder]
    aux: dict[tuple, tuple[str, int]] = field(default_factory=dict)

    def leq(self, terms: Sequence[tuple[str, int]], c: int, cond: Sequence[int]) -> None:
        """Clauses of ``cond -> sum a * x <= c`` (``cond``: literals whose conjunction
        implies the sum; none: unconditional)."""
        terms = [(x, a) for x, a in terms if a != 0]
        while len(terms) > ARITY:
            terms.sort(key=lambda t: len(self.ladders[t[0]].values))
            terms = terms[2:] + [self._pair(terms[0], terms[1])]
        self._leq(terms, c, [-v for v in cond])

    def _pair(self, s: tuple[str, int], t: tuple[str, int]) -> tuple[str, int]:
        """The term ``g * z`` standing for ``s + t`` (``z`` at least ``(s + t) / g``)."""
        s, t = min(s, t), max(s, t)
        key = (s, t)
        got = self.aux.get(key)
        if got is not None:
            return got
        (x, a), (y, b) = s, t
        g = math.gcd(a, b)
        values = aux_values(self.ladders[x].values, a, self.ladders[y].values, b, g)
        name = f"|sum|{len(self.aux)}"
        self.ladders[name] = ladder(self.cnf, values)
        self.aux[key] = (name, g)
        self._leq([s, t, (name, -g)], 0, [])
        return self.aux[key]

    def _leq(self, terms: list[tuple[str, int]], c: int, prefix: list[int]) -> None:
        ladders = self.ladders
        if not terms:
            if c < 0:
                self.cnf.add(list(prefix))
            return
        terms = sorted(terms, key=lambda t: len(ladders[t[0]].values))  # the widest last
        bounds = [term_values(ladders[x].values, a) for x, a in terms]
        self._unfold(terms, bounds, 0, c, prefix)

    def _unfold(self, terms: list[tuple[str, int]], bounds: list[tuple[int, int, int]], i: int,
                c: int, prefix: list[int]) -> None:
        x, a = terms[i]
        lad = self.ladders[x]
        if i == len(terms) - 1:
            lit = _term_le(lad, a, c)
            if lit is True:
                return
            self.cnf.add(prefix + ([] if lit is False else [lit]))  # type: ignore[list-item]
            return
        rest_min = sum(lo for lo, _, _ in bounds[i + 1:])
        rest_max = sum(hi for _, hi, _ in bounds[i + 1:])
        for u in _term_values(lad, a):
            if c - u >= rest_max:
                continue  # what is left cannot be exceeded
            lit = _term_ge(lad, a, u)
            head = prefix if lit is True else prefix + [-lit]  # type: ignore[operator]
            if c - u < rest_min:  # cannot be met: t < u (and larger u are subsumed)
                self.cnf.add(head)
                return
            self._unfold(terms, bounds, i + 1, c - u, head)


def ladder(cnf: CNF, values: Values) -> Ladder:
    """A fresh ladder over ``values`` with its chain clauses."""
    lits = list(cnf.new_vars(len(values) - 1))
    for lower, upper in zip(lits, lits[1:]):
        cnf.add([-upper, lower])
    return Ladder(values, lits)


def aux_values(xs: Values, a: int, ys: Values, b: int, g: int) -> Values:
    """The values of ``(a x + b y) / g``: exact when there are at most ``SUMSET_LIMIT``
    pairs, else the interval."""
    if len(xs) * len(ys) <= SUMSET_LIMIT:
        return sorted({(a * v + b * w) // g for v in xs for w in ys})
    lo_a, hi_a, _ = term_values(xs, a)
    lo_b, hi_b, _ = term_values(ys, b)
    return range((lo_a + lo_b) // g, (hi_a + hi_b) // g + 1)


def predicted(sums: Sequence[Sequence[tuple[str, int]]], sizes: dict[str, int],
              limit: Optional[int] = None) -> int:
    """Clauses (and ladder links) that ``SugarEncoder.leq`` would add for ``sums`` (each
    a list of ``(variable, coefficient)``), given each variable's value count, without
    encoding; auxiliary sums counted as their intervals (an upper bound on their values).
    Stops early past ``limit``."""
    sizes = dict(sizes)
    span: dict[str, int] = {}
    aux: dict[tuple, tuple[str, int]] = {}
    total = sum(max(0, n - 1) for n in sizes.values())
    for terms in sums:
        terms = [(x, a) for x, a in terms if a != 0]
        while len(terms) > ARITY:
            terms.sort(key=lambda t: sizes[t[0]])
            s, t = min(terms[0], terms[1]), max(terms[0], terms[1])
            terms = terms[2:]
            got = aux.get((s, t))
            if got is None:
                g = math.gcd(s[1], t[1])
                width = (abs(s[1]) * span.get(s[0], sizes[s[0]] - 1)
                         + abs(t[1]) * span.get(t[0], sizes[t[0]] - 1)) // g
                n = min(width + 1, sizes[s[0]] * sizes[t[0]])
                name = f"|sum|{len(aux)}"
                sizes[name], span[name] = n, width
                got = aux[(s, t)] = (name, g)
                total += n - 1 + sizes[s[0]] * sizes[t[0]]
            terms.append(got)
        counts = sorted(sizes[x] for x, _ in terms)
        total += math.prod(counts[:-1]) if counts else 0
        if limit is not None and total > limit:
            return total
    return total


__all__ = ["ARITY", "Ladder", "SugarEncoder", "aux_values", "ladder", "predicted",
           "term_values"]
