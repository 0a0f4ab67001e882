"""Order encoding: literals ``[x <= a]`` for each value of a bounded integer variable.

Idea (Tamura, Taga, Kitagawa, Banbara, "Compiling finite linear CSP into SAT", CP 2006 /
Constraints 2009; Crawford–Baker for job shop): variable ``x`` with domain ``[l, u]`` gets
``[x <= a]`` for ``a = l .. u-1`` and the axioms ``[x <= a] -> [x <= a+1]``.  A difference
constraint ``x - y <= c`` is the set of binary clauses
``not [y <= a] or [x <= a + c]`` for every ``a``: if ``y <= a`` then ``x <= a + c``, and
``a = y`` gives the converse.  Unit propagation then *is* bound propagation, which is why
this encoding wins on scheduling.  A reified predicate ``b`` adds ``not b`` to each clause
(and ``b`` to the clauses of the negation ``y - x <= -c - 1``, when it occurs negatively).
Only the values of ``a`` where a clause is not already satisfied by the domains are
emitted (``_a_range``): ``a <= u_x - c - 1`` (else ``[x <= a + c]`` is true), and of the
clauses whose ``[x <= a + c]`` is false only the one with the largest ``a`` (it implies the
others through the axioms).

Domains come from ``domains.py`` (Bellman–Ford on the top-level atoms, within the
small-domain box), so a makespan bound makes job-shop domains ``[0, B - duration]``.
Cost: one variable per domain value, about ``|dom(y)|`` clauses per predicate direction;
so ``auto`` uses it only where the predicted clause count is affordable.
"""

from __future__ import annotations

from itertools import repeat
from typing import Any, Callable, Optional

from .base import Candidate, Choice, EncodingTooLarge, VarClass
from .cnf import CNF
from .domains import Domains, class_domains
from .tseitin import NEG, POS


class OrderDecoder:
    encoding = "order"

    def __init__(self, dom: Domains, base: dict[int, int]):
        self.dom = dom
        self.base = base
        # root lemmas that narrowed ``dom`` (``disjunctive.py``), and their time origin
        self.lemmas: list = []
        self.lemma_anchor: Optional[int] = None

    def meaning(self, var_range: tuple[int, int], pred_vars: set[int]) -> dict[str, Any]:
        """What this class's variables mean, for a certificate (``check/certificate.py``):
        literal ``base + i`` is ``x - anchor <= lo + i``."""
        lo, hi = self.dom.lo, self.dom.hi
        out = {"encoding": "order", "anchor": self.dom.anchor,
               "vars": [[x, b, lo[x], hi[x]] for x, b in sorted(self.base.items())]}
        if self.lemmas:  # root lemmas that narrowed the domains (disjunctive.py)
            out.update(lemma_anchor=self.lemma_anchor, lemmas=self.lemmas)
        return out

    def decode(self, value: Callable[[int], bool]) -> dict[int, int]:
        out = {}
        lo, hi = self.dom.lo, self.dom.hi
        for x, b in self.base.items():
            l, u = lo[x], hi[x]
            v = u
            # The axioms make [x <= a] monotone: the value is the first a with [x <= a].
            left, right = l, u
            while left < right:
                mid = (left + right) // 2
                if value(b + mid - l):
                    right = mid
                else:
                    left = mid + 1
            v = left
            out[x] = v
        return out

    def phases(self, start: dict[int, int]) -> list[int]:
        """The order literals of the values ``start`` (a schedule: ``listsched.hint``)."""
        lo, hi = self.dom.lo, self.dom.hi
        out: list[int] = []
        for x, b in self.base.items():
            v = start[x]
            out.extend(b + a - lo[x] if v <= a else -(b + a - lo[x]) for a in range(lo[x], hi[x]))
        return out

    # -- hook for the optimizer (eagersmt/optimize.py): read and extend the order literals --
    def literal(self, x: int, a: int) -> Optional[int]:
        """The SAT literal of ``[x <= a]``; None when the domain decides it (then it is
        true iff ``a >= hi(x)``)."""
        l, u = self.dom.lo[x], self.dom.hi[x]
        if a < l or a >= u:
            return None
        return self.base[x] + a - l

    def le_clauses(self, x: int, y: int, c: int, guard: int) -> list[list[int]]:
        """Clauses of ``guard -> x - y <= c`` over the literals of this class (``x``, ``y``
        in it): ``not guard or not [y <= a] or [x <= a + c]`` for every needed ``a``, as
        the encoder emits for a predicate that occurs positively."""
        lo, hi = self.dom.lo, self.dom.hi
        out: list[list[int]] = []
        for a in _a_range(lo[x], hi[x], lo[y], hi[y], c):
            cl = [-guard]
            ly = self.literal(y, a)
            if ly is not None:
                cl.append(-ly)
            elif a < hi[y]:  # [y <= a] is false: the clause is satisfied
                continue
            lx = self.literal(x, a + c)
            if lx is not None:
                cl.append(lx)
            elif a + c >= hi[x]:  # [x <= a + c] is true
                continue
            out.append(cl)
        return out


def _a_range(lx: int, ux: int, ly: int, uy: int, c: int) -> range:
    """Values ``a`` of ``y`` whose clause for ``x - y <= c`` is needed (see module doc)."""
    return range(max(ly, min(lx - c - 1, uy)), min(uy, ux - c - 1) + 1)


def predicted_clauses(cls: VarClass, dom: Domains) -> int:
    """Clauses the order encoding would emit for ``cls`` (cheap; used by ``auto``)."""
    lo, hi = dom.lo, dom.hi
    total = sum(hi[x] - lo[x] for x in cls.variables)
    for p in cls.preds:  # (the length of each ``_a_range``, written out: no range made;
        # the arithmetic also holds past 2^63, where ``len`` of a range raises)
        x, y, c, pol = p.x, p.y, p.c, p.polarity
        if pol & POS:
            ly, uy = lo[y], hi[y]
            n = min(uy, hi[x] - c - 1) + 1 - max(ly, min(lo[x] - c - 1, uy))
            if n > 0:
                total += n
        if pol & NEG:
            c = -c - 1
            lx, ux = lo[x], hi[x]
            n = min(ux, hi[y] - c - 1) + 1 - max(lx, min(lo[y] - c - 1, ux))
            if n > 0:
                total += n
    return total


ORDER_AUTO_CLAUSES = 3_000_000  # ``auto`` takes it up to this many predicted clauses


def domains(choice: Choice) -> Domains:
    """The domains of the class being placed (shared by the rules)."""
    return choice.cached("domains", lambda: class_domains(choice.cls))  # type: ignore[no-any-return]


def predicted(choice: Choice) -> int:
    """``predicted_clauses`` of the class being placed (shared by the rules)."""
    return choice.cached("order_clauses",  # type: ignore[no-any-return]
                         lambda: predicted_clauses(choice.cls, domains(choice)))


def fits(choice: Choice) -> bool:
    """Whether ``auto`` gives the class the order encoding (compact's rule asks too)."""
    return predicted(choice) <= ORDER_AUTO_CLAUSES


def rule(choice: Choice, mode: str) -> Candidate:
    """The rule of ``auto`` (``base.Rule``): the order encoding, after EIJ on ordering
    classes and before it on the others, when its predicted clause count (exact, from the
    domains) is at most ``ORDER_AUTO_CLAUSES``: unit propagation is bound propagation, best
    on scheduling."""
    if mode != "auto":
        return Candidate(0, Order())
    n = predicted(choice)
    return Candidate(20, Order(domains(choice)) if fits(choice) else None,
                     f"order predicts {n} clauses")


class Order:
    name = "order"
    own_pair_clauses = False
    ordering_clauses, machine_tuning = True, ""

    def __init__(self, domains: Domains | None = None, max_clauses: int = 10_000_000):
        self.domains = domains
        self.max_clauses = max_clauses

    def encode(self, cls: VarClass, cnf: CNF) -> OrderDecoder:
        dom = self.domains or class_domains(cls)
        predicted = predicted_clauses(cls, dom)
        if predicted > self.max_clauses:
            raise EncodingTooLarge(f"order encoding would need {predicted} clauses")
        lo, hi = dom.lo, dom.hi
        base: dict[int, int] = {}
        add = cnf.clauses.append
        for x in cls.variables:
            l, u = lo[x], hi[x]
            if l > u:
                add([])  # empty domain: unsat
                base[x] = 0
                continue
            r = cnf.new_vars(u - l)
            base[x] = r.start
            # axioms [x <= a] -> [x <= a + 1]
            cnf.clauses.extend(zip(range(-r.start, -r.stop + 1, -1), range(r.start + 1, r.stop)))
        units = set(cls.units)
        clauses = cnf.clauses
        for p in cls.preds:
            for (x, y, c), guard, needed in (((p.x, p.y, p.c), -p.var, p.polarity & POS),
                                             ((p.y, p.x, -p.c - 1), p.var, p.polarity & NEG)):
                if not needed:
                    continue
                g = () if (x, y, c) in units else (guard,)
                lx, uy = lo[x], hi[y]
                rng = _a_range(lx, hi[x], lo[y], uy, c)
                if not rng:
                    continue
                a0, a1 = rng.start, rng.stop - 1
                # Only the first clause can lack its [x <= a + c] literal (false), only the
                # last its not [y <= a] literal (a = u_y); the middle is two arithmetic
                # progressions of literals, zipped at C speed into tuples (the encoder's hot
                # loop; a tuple per clause is what it costs: ~0.3 us instead of ~1 us).
                if a0 + c < lx:
                    clauses.append([*g, -(base[y] + a0 - lo[y])] if a0 < uy else list(g))
                    a0 += 1
                if a0 <= a1 and a1 == uy:
                    clauses.append([*g, base[x] + a1 + c - lx])
                    a1 -= 1
                if a0 <= a1:
                    ys = range(-(base[y] + a0 - lo[y]), -(base[y] + a1 - lo[y]) - 1, -1)
                    xs = range(base[x] + a0 + c - lx, base[x] + a1 + c - lx + 1)
                    if g:
                        clauses.extend(zip(repeat(g[0]), ys, xs))
                    else:
                        clauses.extend(zip(ys, xs))
        return OrderDecoder(dom, base)
