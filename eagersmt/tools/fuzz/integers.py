"""Random integer scripts (QF_LIA, QF_UFLIA, QF_UFIDL, QF_UF) for the differential campaign.

The difference-logic generator (``generate.py``) stays inside what ``ir/normalize.py`` reads;
these shapes go past it, into ``ir/linear.py`` and ``ir/ackermann.py``.  ``IntGen`` extends
``TermGen`` (same Boolean structure: and / or / xor / ite / let / shared subterms) with
integer terms built bottom-up from:

* linear sums with coefficients on either side: ``(* 3 t)``, ``(* t (- 2))``, ``(- t)``,
  n-ary ``+`` / ``-``;
* ``div`` / ``mod`` / ``abs`` by non-zero constants of either sign (SMT-LIB's Euclidean
  division: the remainder is never negative);
* ``ite`` over Int terms, ``distinct``, chains ``(<= a b c)``, n-ary ``=``;
* uninterpreted functions and predicates over Int and Bool (``f``: Int -> Int, ``g``:
  Int x Int -> Int, ``h``: Bool -> Int, ``p``: Int -> Bool, ``q``: Int x Bool -> Bool), in
  the UF logics.

Shapes (``INTEGER_SHAPES``, round robin as the other shapes):

* ``linear``: Boolean combinations of linear atoms (QF_LIA, or QF_UFLIA with applications);
* ``pb``: pseudo-Boolean sums (0-1 variables and ``(ite b k 0)`` terms) against bounds;
* ``capacity``: a tiny resource-constrained schedule, capacity sums of ``ite`` terms;
* ``uf``: QF_UFLIA / QF_UFIDL (difference atoms over applications) / QF_UF (Bool only);
* ``euf``: QF_UFLIA over equations and disequations of applications, variables, their
  ``x + k`` and ``ite`` (few boxes, few orderings): the formulas positive equality
  (``ir/positive.py``) reduces, its p-terms beside g-terms that share their functions;
* ``incremental``: the same terms under ``push`` / ``pop``, several ``check-sat`` and
  ``check-sat-assuming`` with ``get-value`` / ``get-unsat-assumptions`` between: the campaign
  compares every answer with Z3's (``oracle.z3_script_answers``).

Most variables get a box (``|x| <= 12`` or so) so that cases stay small; the others get
none and need the solution bound.  Constants stay small: the bugs are in the reduction
(signs, rounding, Euclidean remainders, functional consistency), not in wide numbers.
Cost: well under a millisecond a case.
"""

from __future__ import annotations

import random
from typing import Callable

from .generate import COMPARISONS, Case, TermGen

INTEGER_SHAPES = ("linear", "pb", "capacity", "uf", "incremental", "euf")
# (name, argument sorts, result sort)
_FUNCTIONS = (("f", ("Int",), "Int"), ("g", ("Int", "Int"), "Int"), ("h", ("Bool",), "Int"),
              ("p", ("Int",), "Bool"), ("q", ("Int", "Bool"), "Bool"))
_BOOL_FUNCTIONS = (("r", ("Bool",), "Bool"), ("s", ("Bool", "Bool"), "Bool"))


def generate_integer(seed: int, index: int, shape: str) -> Case:
    """Case ``index`` of an integer campaign with ``seed`` and ``shape`` (one of
    ``INTEGER_SHAPES``): a function of (seed, index, shape) alone."""
    rng = random.Random(f"int/{seed}/{index}")
    logic = _LOGIC[shape](rng)
    g = IntGen(rng, logic)
    body = _SHAPE_FUNCS[shape](g)
    text = g.whole(body) if shape == "incremental" else g.script(body)  # (it has its queries)
    return Case(index, shape, logic, text)


def _linear_logic(rng: random.Random) -> str:
    return rng.choice(("QF_LIA", "QF_LIA", "QF_UFLIA"))


def _uf_logic(rng: random.Random) -> str:
    return rng.choice(("QF_UFLIA", "QF_UFLIA", "QF_UFIDL", "QF_UF"))


_LOGIC: dict[str, Callable[[random.Random], str]] = {
    "linear": _linear_logic, "pb": lambda rng: "QF_LIA", "capacity": lambda rng: "QF_LIA",
    "uf": _uf_logic, "incremental": _linear_logic, "euf": lambda rng: "QF_UFLIA",
}


class IntGen(TermGen):
    """``TermGen`` over integer terms (see the module doc); ``atom`` is overridden, so the
    inherited Boolean structure builds over these atoms."""

    def __init__(self, rng: random.Random, logic: str):
        super().__init__(rng, logic)
        self.uf = logic.startswith("QF_UF")
        self.idl = logic == "QF_UFIDL"
        self.bool_only = logic == "QF_UF"
        self.small = rng.choice((3, 6, 10))
        self.equational = False  # terms and atoms of the ``euf`` shape
        self.functions: list[tuple[str, tuple[str, ...], str]] = []
        if self.uf:
            table = _BOOL_FUNCTIONS if self.bool_only else _FUNCTIONS
            for name, args, res in rng.sample(table, rng.randint(1, len(table))):
                self.functions.append((name, args, res))
                self.decls.append(f"(declare-fun {name} ({' '.join(args)}) {res})")

    # -- declarations ---------------------------------------------------------------------
    def boxed(self, ints: tuple[int, int], bools: int, box: float = 0.85) -> list[str]:
        """Numeric variables (most of them boxed by assertions) and Booleans; returns the
        box assertions."""
        xs = self.variables(ints, bools)
        out = []
        for x in xs:
            if self.rng.random() < box:
                r = self.rng.randint(1, 12)
                lo = -self.rng.randint(0, r)
                a, b = self.num(lo), self.num(lo + r)
                out.append(self.rng.choice((f"(assert (<= {a} {x} {b}))",
                                            f"(assert (and (>= {x} {a}) (<= {x} {b})))")))
        return out

    def whole(self, body: list[str]) -> str:
        """The script of ``body`` with its logic and declarations, no ``check-sat`` added."""
        return "\n".join([f"(set-logic {self.logic})"] + self.decls + body) + "\n"

    # -- terms -----------------------------------------------------------------------------
    def coef(self) -> int:
        return self.rng.choice((-3, -2, -1, 2, 3, 4, 5, 7))

    def divisor(self) -> str:
        return self.num(self.rng.choice((-4, -3, -2, -1, 1, 2, 3, 4, 5, 7)))

    def apply(self, result: str, depth: int) -> str:
        """An application of a declared function of ``result`` sort (a variable if none)."""
        fs = [f for f in self.functions if f[2] == result]
        if not fs:
            return self.var() if result == "Int" else self.bvar()
        name, args, _ = self.rng.choice(fs)
        parts = [self.term(depth - 1) if a == "Int" else self.bool_arg() for a in args]
        return f"({name} {' '.join(parts)})"

    def bvar(self) -> str:
        if not self.bs:
            self.bools(1)
        return self.rng.choice(self.bs)

    def bool_arg(self) -> str:
        if self.bool_only or self.rng.random() < 0.6 or not self.xs:
            return self.rng.choice((self.bvar, self.bvar, lambda: f"(not {self.bvar()})"))()
        return self.atom(0)

    def term(self, depth: int) -> str:
        """An Int term of nesting ``depth`` at most."""
        if self.idl:
            return self.idl_term(depth)
        if self.equational:
            return self.eq_term(depth)
        v, c, rng = self.var, self.const, self.rng
        if depth <= 0:
            return self.pick(v, v, v, c, lambda: f"(* {self.num(self.coef())} {v()})")
        t = lambda: self.term(depth - 1)  # noqa: E731
        forms = [v, v, c,
                 lambda: f"(* {self.num(self.coef())} {t()})", lambda: f"(* {t()} {self.num(self.coef())})",
                 lambda: f"(- {t()})",
                 lambda: f"(+ {' '.join(t() for _ in range(rng.randint(2, 4)))})",
                 lambda: f"(- {' '.join(t() for _ in range(rng.randint(2, 3)))})",
                 lambda: f"(div {t()} {self.divisor()})", lambda: f"(mod {t()} {self.divisor()})",
                 lambda: f"(abs {t()})",
                 lambda: self.ite(depth - 1, t)]
        if self.uf:
            forms += [lambda: self.apply("Int", depth)] * 3
        return self.pick(*forms)

    def eq_term(self, depth: int) -> str:
        """A term of the ``euf`` shape: variables, applications, ``x + k``, ``ite``."""
        v = self.var
        if depth <= 0:
            return self.pick(v, v, v, self.const)
        t = lambda: self.eq_term(depth - 1)  # noqa: E731
        k = lambda: self.num(self.rng.randint(1, 3))  # noqa: E731
        return self.pick(v, v, lambda: f"(+ {t()} {k()})", lambda: f"(- {t()} {k()})",
                         lambda: self.ite(depth - 1, t), *(lambda: self.apply("Int", depth),) * 4)

    def idl_term(self, depth: int) -> str:
        """A difference-logic operand: a variable or an application to variables."""
        if self.functions and depth > 0 and self.rng.random() < 0.5:
            fs = [f for f in self.functions if f[2] == "Int"]
            if fs:
                name, args, _ = self.rng.choice(fs)
                return f"({name} {' '.join(self.idl_term(depth - 1) if a == 'Int' else self.bool_arg() for a in args)})"
        return self.var()

    def atom(self, depth: int = 0) -> str:
        rng = self.rng
        op = rng.choice(COMPARISONS)
        if self.bool_only:
            return self.apply("Bool", depth) if rng.random() < 0.7 else self.bvar()
        t = lambda: self.term(max(depth, rng.randint(0, 1)))  # noqa: E731
        if self.equational:
            t = lambda: self.term(max(depth, rng.randint(0, 2)))  # noqa: E731
            return self.pick(*(lambda: f"(= {t()} {t()})",) * 3,
                             *(lambda: f"(not (= {t()} {t()}))",) * 4,
                             lambda: f"(distinct {' '.join(t() for _ in range(rng.randint(2, 4)))})",
                             lambda: f"(= {t()} {self.const()})",
                             lambda: f"({op} {t()} {t()})",
                             lambda: self.apply("Bool", 1))
        if self.idl:
            d = lambda: self.idl_term(2)  # noqa: E731
            forms: list[Callable[[], str]] = [
                lambda: f"({op} (- {d()} {d()}) {self.const()})", lambda: f"({op} {d()} {d()})",
                lambda: f"({op} {d()} {self.const()})", lambda: f"(distinct {d()} {d()})"]
            if any(f[2] == "Bool" for f in self.functions):
                forms.append(lambda: self.apply("Bool", 2))
            return self.pick(*forms)
        forms = [lambda: f"({op} {t()} {t()})", lambda: f"({op} {t()} {t()})",
                 lambda: f"({op} {t()} {self.const()})",
                 lambda: f"(distinct {' '.join(t() for _ in range(rng.randint(2, 4)))})",
                 lambda: f"({rng.choice(('<=', '<', '='))} {t()} {t()} {t()})"]
        if self.uf and any(f[2] == "Bool" for f in self.functions):
            forms += [lambda: self.apply("Bool", 2)] * 2
        return self.pick(*forms)


# -- shapes ----------------------------------------------------------------------------------
def _linear(g: IntGen) -> list[str]:
    out = g.boxed((2, 4), 2)
    return out + g.assertions(g.rng.randint(1, 3), 2)


def _pb(g: IntGen) -> list[str]:
    rng = g.rng
    xs = g.ints(rng.randint(2, 5))
    bs = g.bools(rng.randint(1, 4))
    out = [f"(assert (and (>= {x} 0) (<= {x} 1)))" for x in xs]
    lits = xs + [f"(ite {b} 1 0)" for b in bs] + [f"(ite (not {b}) 1 0)" for b in bs[:1]]

    def pbsum() -> str:
        chosen = rng.sample(lits, rng.randint(2, len(lits)))
        return "(+ " + " ".join(f"(* {rng.randint(1, 6)} {t})" if rng.random() < 0.7 else t
                                for t in chosen) + ")"
    for _ in range(rng.randint(1, 4)):
        k = g.num(rng.randint(-1, 12))
        atom = f"({rng.choice(COMPARISONS)} {pbsum()} {k})"
        out.append(f"(assert {atom})" if rng.random() < 0.6 else
                   f"(assert (or {atom} {g.boolean(1)}))")
    return out


def _capacity(g: IntGen) -> list[str]:
    """Tasks with start times in [0, horizon] and demands, a capacity sum at every task
    start (the time-indexed form of a cumulative constraint), precedences, a horizon."""
    rng = g.rng
    n = rng.randint(2, 4)
    starts = g.ints(n, prefix="s")
    dur = [rng.randint(1, 3) for _ in range(n)]
    dem = [rng.randint(1, 3) for _ in range(n)]
    cap = max(dem) + rng.randint(0, 2)
    horizon = rng.randint(max(dur), sum(dur))
    out = [f"(assert (and (>= {s} 0) (<= (+ {s} {d}) {horizon})))" for s, d in zip(starts, dur)]
    for i in range(n):
        if rng.random() < 0.3 and i + 1 < n:
            out.append(f"(assert (>= {starts[i + 1]} (+ {starts[i]} {dur[i]})))")
    for t in range(n):
        at = starts[t]
        use = " ".join(f"(ite (and (<= {s} {at}) (< {at} (+ {s} {d}))) {k} 0)"
                       for s, d, k in zip(starts, dur, dem))
        out.append(f"(assert (<= (+ {use}) {cap}))")
    return out


def _uf(g: IntGen) -> list[str]:
    rng = g.rng
    if g.bool_only:
        g.bools(rng.randint(2, 4))
        return g.assertions(rng.randint(1, 5), 3)
    out = g.boxed((2, 4), 2, box=0.6 if g.idl else 0.85)
    out += g.assertions(rng.randint(1, 4), 2)
    if not g.idl and rng.random() < 0.5:  # equal arguments force equal results
        x, y = g.two()
        out.append(f"(assert (= {x} {y}))")
    return out


def _euf(g: IntGen) -> list[str]:
    g.equational = True
    out = g.boxed((2, 5), 2, box=0.2)
    return out + g.assertions(g.rng.randint(1, 5), 2)


def _incremental(g: IntGen) -> list[str]:
    """Permanent assertions, then 2-4 rounds of push / assert / check-sat (or
    check-sat-assuming over Boolean variables) / pop, with queries after the answers."""
    rng = g.rng
    out = g.boxed((2, 4), 0)
    bs = g.bools(rng.randint(1, 3))
    out += [f"(assert (=> {b} {g.atom(1)}))" for b in bs if rng.random() < 0.8]
    out += g.assertions(rng.randint(0, 2), 2)
    depth = 0
    for _ in range(rng.randint(2, 4)):
        r = rng.random()
        if r < 0.4 or depth == 0:
            out.append("(push 1)")
            depth += 1
        elif r < 0.6:
            out.append("(pop 1)")
            depth -= 1
        out += g.assertions(rng.randint(0, 2), 2)
        if rng.random() < 0.5:
            lits = [b if rng.random() < 0.6 else f"(not {b})" for b in rng.sample(bs, rng.randint(1, len(bs)))]
            out.append(f"(check-sat-assuming ({' '.join(lits)}))")
        else:
            out.append("(check-sat)")
        if rng.random() < 0.4:
            out.append(f"(get-value ({g.term(1)} {g.var()}))")
    while depth:
        out.append("(pop 1)")
        depth -= 1
    out.append("(check-sat)")
    return out


_SHAPE_FUNCS: dict[str, Callable[[IntGen], list[str]]] = {
    "linear": _linear, "pb": _pb, "capacity": _capacity, "uf": _uf, "incremental": _incremental,
    "euf": _euf,
}
