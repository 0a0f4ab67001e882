"""Positive equality: maximally diverse values for the terms compared only by disequality.

Idea (Bryant, German, Velev).  A formula to be *satisfied* does not lose models when terms
that it only ever requires to be *different* are made as different as possible.  An
integer equation ``s = t`` whose every occurrence has negative polarity in the asserted
formula (under an odd number of ``not``, never in an ``ite`` condition, an ``iff`` or an
argument of a function) is a *p-equation*: the assertions are antitone in it.  (The
paper speaks of validity, of which satisfiability is the dual: its "positive" equations
are the negative ones of the assertions, the negated correctness condition of a processor.)
Every other integer atom is a *g-atom*, and the terms it compares are *g-terms*, as are
the arguments of every function application, of every arithmetic operator but ``x + k``
(``k`` a constant), and, down through it, the branches of a g-term ``ite`` and the ``x``
of a g-term ``x + k``.  A function with a g-term application is a *g-function*: all its
applications are g-terms.  An integer variable or an application of a p-function that is
no g-term is a *p-term*, and so is an ``ite`` with a p-term branch and an ``x + k`` with
a p-term ``x`` that are no g-terms (``classify``).

Given a model of the formula, give every p-term variable and every application of a
p-function at distinct argument values its own fresh value, far from every other value and
from the others by more than twice the largest ``|k|`` of a p-term ``x + k``; keep the
rest.  The g-terms keep their values (they contain no p-term: every subterm of a g-term is
a g-term), so do the g-atoms, and each p-equation can only turn false (two p-terms are
equal now only if they are one variable, or one p-function at equal arguments, with equal
offsets, and then they were before; a p-term equals no g-term): the formula stays true.
So the formula is satisfiable iff it is under such a *maximally diverse* interpretation, in
which a p-equation is a Boolean function of the g-terms alone (``Diverse.equal``): over
the ``ite`` branches of both sides, the same variable with the same offset, the same
p-function with the same offset at equal arguments (an argument equality, as in
Ackermann's constraints), or two g-terms equal.  The p-terms vanish from the reduced
formula: no integer variable, no domain and no bits for them, and no functional-consistency
constraint among the applications of a p-function.  ``PTerms.values`` gives them their
fresh values in a model of the reduced formula, which makes a model of the original one
(the model check evaluates it there).

Anything the classification cannot show to be a p-term is a g-term and is reduced by
Ackermann's constraints as before (``ackermann.py``), so the reduction is sound whatever
the formula.  Certificates (``--proof``) check Ackermann's constraints only
(``check/ackermann.py``): the normalizer's checkable form does not apply positive equality.

Cost: one pass over the term DAG to classify; a p-term ``ite`` carries one guard literal
per distinct leaf below it, and a p-equation compares the leaves of its sides pairwise
(the variables by one look-up).

Reference: R. E. Bryant, S. German, M. N. Velev, "Processor verification using efficient
reductions of the logic of uninterpreted functions to propositional logic", ACM TOCL 2(1),
2001, sections 3 and 4.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional, Sequence

from . import terms as T
from .ackermann import Application
from .circuit import BOTH, FALSE, NEG, POS, TRUE, Circuit
from .terms import BOOL, INT, Term, iter_dag

Lin = tuple[dict[str, int], int]  # as ``linear.py``'s: coefficients by variable, constant
# A leaf of a p-term's value: ("var", name, k) is p-variable + k, ("app", i, k) the i-th
# p-function application + k, ("g", coefficients, constant) a g-term's linear form.
Leaf = tuple
Value = dict  # Leaf -> the circuit literal under which the term is that leaf


@dataclass(frozen=True)
class Classification:
    """The p-terms (term ids) and the p-equations (ids of the ``=`` terms with a p-term
    side and only negative polarity) of a formula; see the module doc."""

    p_terms: frozenset[int] = frozenset()
    p_equations: frozenset[int] = frozenset()


def offset_form(t: Term) -> Optional[tuple[Term, int]]:
    """``(x, k)`` when ``t`` is ``x + k`` for a constant ``k`` (else None)."""
    if t.op == T.ADD and len(t.args) == 2 and t.args[1].op == T.CONST and t.sort == INT:
        return t.args[0], int(t.args[1].val)  # type: ignore[arg-type]
    return None


def classify(roots: Sequence[Term]) -> Classification:
    """The p-terms and p-equations of the conjunction of ``roots`` (module doc): the
    polarity of each Boolean term and the g-terms, top-down (parents before children), then
    the p-terms bottom-up."""
    order = iter_dag(roots)
    pol: dict[int, int] = {}
    g: set[int] = set()
    for r in roots:
        pol[r.id] = POS

    def mark(a: Term, bits: int) -> None:
        if a.sort == BOOL:
            pol[a.id] = pol.get(a.id, 0) | bits
        else:
            g.add(a.id)

    for t in reversed(order):
        op, args = t.op, t.args
        if t.sort == BOOL:
            p = pol.get(t.id, 0)
            if op == T.NOT:
                mark(args[0], ((p & POS) << 1) | ((p & NEG) >> 1))
            elif op in (T.AND, T.OR):
                for a in args:
                    mark(a, p)
            elif op == T.ITE:
                mark(args[0], BOTH)
                mark(args[1], p)
                mark(args[2], p)
            elif not (op == T.EQ and p == NEG):  # (a p-equation makes no g-term)
                for a in args:  # iff, =, <=, <, a predicate's arguments
                    mark(a, BOTH)
        elif op == T.ITE:
            mark(args[0], BOTH)
            if t.id in g:
                g.update((args[1].id, args[2].id))
        elif (xk := offset_form(t)) is not None:
            if t.id in g:
                g.add(xk[0].id)
        else:
            for a in args:  # a function's arguments, coefficients, div, mod, abs
                mark(a, BOTH)
    g_functions = {t.val for t in order if t.op == T.APPLY and t.id in g}
    p: set[int] = set()
    for t in order:
        if t.sort != INT or t.id in g:
            continue
        op = t.op
        if op == T.VAR or (op == T.APPLY and t.val not in g_functions) or \
                (op == T.ITE and (t.args[1].id in p or t.args[2].id in p)):
            p.add(t.id)
        elif (xk := offset_form(t)) is not None and xk[0].id in p:
            p.add(t.id)
    equations = {t.id for t in order if t.op == T.EQ and pol.get(t.id) == NEG
                 and (t.args[0].id in p or t.args[1].id in p)}
    return Classification(frozenset(p), frozenset(equations))


@dataclass
class PTerms:
    """The p-terms of a reduced formula, for decoding: the p-variables, the applications of
    p-functions (``Application.result`` names their value), the g-terms that occur in their
    values (``Diverse.lift``: what a p-term is compared with), and the largest ``|k|`` of a
    p-term ``x + k``."""

    variables: list[str] = field(default_factory=list)
    apps: list[Application] = field(default_factory=list)
    compared: dict[tuple, Lin] = field(default_factory=dict)
    offset: int = 0

    def values(self, ints: Mapping[str, int],
               arg_value: Callable[[object], object]) -> dict[str, int]:
        """The maximally diverse values, given the values ``ints`` of the integer variables
        of the reduced formula (``arg_value`` of an argument, as ``ackermann.interpretations``
        takes it): each p-variable and each p-function at each argument tuple its own, past
        every value of ``ints`` and of the compared g-terms by more than ``offset``, and
        ``2 * offset + 1`` apart.  By variable name and application result name."""
        top = max((abs(v) for v in ints.values()), default=0)
        for coefs, c in self.compared.values():
            top = max(top, abs(c + sum(k * ints.get(x, 0) for x, k in coefs.items())))
        step = 2 * self.offset + 1
        nxt = top + self.offset + 1
        out: dict[str, int] = {}
        for x in self.variables:
            out[x] = nxt
            nxt += step
        seen: dict[tuple, int] = {}
        for a in self.apps:
            key = (a.function, tuple(arg_value(x) for x in a.args))
            if key not in seen:
                seen[key] = nxt
                nxt += step
            out[a.result] = seen[key]
        return out

    def consistency_saved(self) -> int:
        """The pairs of applications of one p-function whose arguments do not differ by a
        constant: the functional-consistency constraints Ackermann's reduction would have
        built for them."""
        by_function: dict[str, list[Application]] = {}
        for a in self.apps:
            by_function.setdefault(a.function, []).append(a)
        saved = 0
        for same in by_function.values():
            for i, f in enumerate(same):
                for g in same[i + 1:]:
                    saved += not any(not isinstance(a, str) and a[0] == b[0] and a[1] != b[1]
                                     for a, b in zip(f.args, g.args))
        return saved


class Diverse:
    """The values of p-terms as the linear normalizer meets them (bottom-up), and the
    literals of p-equations; ``equal_lin`` is the literal of two linear forms' equality,
    ``args_equal`` that of two applications' argument equality (Ackermann's premise)."""

    def __init__(self, circuit: Circuit, equal_lin: Callable[[Lin, Lin], int],
                 args_equal: Callable[[Application, Application], int]):
        self.c = circuit
        self.equal_lin = equal_lin
        self.args_equal = args_equal
        self.terms = PTerms()
        self.known: set[str] = set()

    def var(self, name: str) -> Value:
        if name not in self.known:
            self.known.add(name)
            self.terms.variables.append(name)
        return {("var", name, 0): TRUE}

    def app(self, a: Application) -> Value:
        self.terms.apps.append(a)
        return {("app", len(self.terms.apps) - 1, 0): TRUE}

    def g_leaf(self, coefs: Mapping[str, int], const: int) -> Leaf:
        items = tuple(sorted((x, k) for x, k in coefs.items() if k))
        key = ("g", items, const)
        self.terms.compared.setdefault(key, (dict(items), const))
        return key

    def lift(self, e: Lin) -> Value:
        """A g-term's value as a p-term's."""
        return {self.g_leaf(e[0], e[1]): TRUE}

    def shift(self, v: Value, k: int) -> Value:
        """``v + k``."""
        out: Value = {}
        for leaf, guard in v.items():
            if leaf[0] == "g":
                leaf = self.g_leaf(dict(leaf[1]), leaf[2] + k)
            else:
                leaf = (leaf[0], leaf[1], leaf[2] + k)
                self.terms.offset = max(self.terms.offset, abs(leaf[2]))
            out[leaf] = guard
        return out

    def ite(self, cond: int, then: Value, other: Value) -> Value:
        c = self.c
        out: Value = {}
        for side, v in ((cond, then), (-cond, other)):
            for leaf, guard in v.items():
                lit = c.and_((side, guard))
                if lit != FALSE:
                    out[leaf] = c.or_((out[leaf], lit)) if leaf in out else lit
        return out

    def equal(self, s: Value, t: Value) -> int:
        """The literal of ``s = t`` under the maximally diverse interpretation: a p-term
        leaf equals only itself (a variable) or an application of its function at equal
        arguments, with the same offset; two g-term leaves are compared as linear forms."""
        c = self.c
        apps = self.terms.apps
        by_kind: dict[tuple, list[tuple[Leaf, int]]] = {}
        for leaf, guard in t.items():
            kind = leaf[0]
            key = (kind, apps[leaf[1]].function, leaf[2]) if kind == "app" else (kind,)
            by_kind.setdefault(key, []).append((leaf, guard))
        cases = []
        for leaf, guard in s.items():
            kind = leaf[0]
            if kind == "var":
                other = t.get(leaf)
                if other is not None:
                    cases.append(c.and_((guard, other)))
            elif kind == "app":
                for leaf2, guard2 in by_kind.get((kind, apps[leaf[1]].function, leaf[2]), ()):
                    same = TRUE if leaf2[1] == leaf[1] else \
                        self.args_equal(apps[leaf[1]], apps[leaf2[1]])
                    cases.append(c.and_((guard, guard2, same)))
            else:
                compared = self.terms.compared
                for leaf2, guard2 in by_kind.get(("g",), ()):
                    cases.append(c.and_((guard, guard2,
                                         self.equal_lin(compared[leaf], compared[leaf2]))))
        return c.or_(cases)


__all__ = ["Classification", "Diverse", "PTerms", "classify", "offset_form"]
