"""Random difference-logic scripts for the differential campaign, from a seeded ``random.Random``.

``generate(seed, index)`` returns a ``Case``: SMT-LIB text plus its shape and logic.  The
text depends only on ``(seed, index)`` (the generator is seeded with the string
``"seed/index"``), so any case of a campaign can be regenerated alone.  Shapes go round
robin over ``SHAPES`` so each gets the same number of cases:

* ``jobshop``: 2-4 jobs on 2-3 machines, precedence chains, pairwise disjunctive machine
  constraints (``or`` / ``ite`` / ``xor`` over a Bool choice), a makespan bound near the
  trivial lower bound (so both answers occur).
* ``boolean``: and / or / not / ite / => / xor / Bool ``=`` / Bool ``distinct`` over atoms and
  Bool variables, with shared subterms (a DAG, as fuzzsmt writes them).
* ``let``: a chain of 5-40 nested ``let``s, each binding built from earlier ones, with
  shadowing and (outside strict IDL/RDL) let-bound arithmetic terms.
* ``huge``: constants beyond 2^64 (2^63-1 .. 2^128, ± small offsets), including cycles whose
  huge constants cancel so the answer depends on exact arithmetic.
* ``components``: 3-8 independent groups of variables (one encoding class each).
* ``equalities``: chains ``x = y + c`` (the preprocessor substitutes them), n-ary ``=``,
  ``distinct`` pigeonholes against bounds, ite-valued equalities.
* ``macros``: ``define-fun`` with parameters, 0-ary definitions, ``(! t :named n)``.

Every ``ite`` (Boolean or arithmetic) has, a quarter of the time, an arm that is again an
``ite`` over the same condition or its negation, whose guards must merge with the outer
ones.  Logics: QF_IDL and QF_RDL use the syntax real benchmark files use
(``(op (- x y) c)``, ``(op x c)``, ``(op x y)``); QF_LIA / QF_LRA / no ``set-logic`` add the
sugar eagersmt accepts in difference form: ``(+ x c)``, ``(- (+ x c) (+ y d))``,
``(* (- 1) y)``, ``(* 2 (- x y))``, chains ``(< x y z)``, ``ite`` under arithmetic, let-bound
arithmetic.  Constants are small (|c| <= 30) except in ``huge``: medium constants
(10^3..10^6) would only make the order encoding slow, not find different bugs (the
hypothesis tests draw them, through ``formula_script``, for the other encodings).  Z3 needs
QF_LIA / QF_LRA for the sugar; the campaign rewrites the logic for the oracle only
(``oracle_text``).  ``TermGen`` builds the terms; ``tests/smtgen.py`` drives it with
hypothesis's random source, so the campaign and the property tests share one generator.
Cost: well under a millisecond a case.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Optional

SHAPES = ("jobshop", "boolean", "let", "huge", "components", "equalities", "macros")
LOGICS = ("QF_IDL", "QF_LIA", "QF_RDL", "QF_LRA", "none")
_LOGIC_WEIGHTS = (35, 30, 20, 5, 10)
COMPARISONS = ("<", "<=", "=", ">=", ">")
_HUGE_EXP = (63, 64, 64, 65, 65, 66, 70, 80, 100, 128)


@dataclass(frozen=True)
class Case:
    index: int
    shape: str
    logic: str  # one of LOGICS ("none": no set-logic command)
    text: str


def generate(seed: int, index: int, shape: Optional[str] = None) -> Case:
    """Case ``index`` of the campaign with ``seed`` (shape round robin unless given)."""
    rng = random.Random(f"{seed}/{index}")
    shape = shape or SHAPES[index % len(SHAPES)]
    logic = rng.choices(LOGICS, _LOGIC_WEIGHTS)[0]
    g = TermGen(rng, logic, huge=shape == "huge")
    body = _SHAPE_FUNCS[shape](g)
    return Case(index, shape, logic, g.script(body))


def formula_script(rng: random.Random, *, real: bool = False, max_vars: int = 4,
                   big: bool = False) -> str:
    """A QF_LIA script (QF_LRA with ``real``) of 1-4 assertions over 2 to ``max_vars``
    numeric and 0-2 Boolean variables, each a Boolean combination of depth 0-3; ``big``:
    half the constants up to 10^6.  The ``boolean`` shape at the sizes of the hypothesis
    tests (``tests/smtgen.py``, with a hypothesis-driven ``rng``), in syntax Z3 reads."""
    g = TermGen(rng, "QF_LRA" if real else "QF_LIA", big=big)
    g.variables((2, max_vars), 2)
    return g.script(g.assertions(rng.randint(1, 4), 3), queries=False)


def oracle_text(text: str) -> str:
    """The script as Z3 should read it: Z3 rejects the sugar under QF_IDL / QF_RDL."""
    return text.replace("(set-logic QF_IDL)", "(set-logic QF_LIA)").replace(
        "(set-logic QF_RDL)", "(set-logic QF_LRA)")


class TermGen:
    """Term builder for one script: variables, constants, atoms and Boolean structure as
    SMT-LIB text, every choice drawn from ``rng`` (a ``random.Random``, or hypothesis's
    ``st.randoms()`` in the tests: the same generator, shrinkable there)."""

    def __init__(self, rng: random.Random, logic: str, *, huge: bool = False, big: bool = False):
        self.rng = rng
        self.logic = logic
        self.real = logic in ("QF_RDL", "QF_LRA") or (logic == "none" and rng.random() < 0.4)
        self.strict = logic in ("QF_IDL", "QF_RDL")
        # Without a logic Z3 types a numeral as Int even next to Reals: write "2.0" there.
        self.decimal = self.real and logic == "none"
        self.huge = huge
        self.big = big  # half the constants up to 10^6 (medium: wide domains, long adders)
        self.sort = "Real" if self.real else "Int"
        self.small = rng.choice((3, 6, 10) if self.real else (3, 6, 10, 30))
        # Reals are scaled to integers by the lcm of the denominators times (variables + 1),
        # which multiplies the order encoding's domains: one small set of denominators a case.
        self.denominators = rng.choice(((2,), (2, 4), (3,), (2, 3), (10,)))
        self.xs: list[str] = []
        self.bs: list[str] = []
        self.decls: list[str] = []
        self.pool: list[str] = []  # earlier Bool subterms, reused (shared DAG)
        self.nlet = 0
        self.nx = 0  # integer / real variables declared so far

    def pick(self, *forms: Callable[[], str]) -> str:
        """One of ``forms`` (a form listed twice is twice as likely), built."""
        return forms[self.rng.randint(0, len(forms) - 1)]()

    # -- declarations and the script ------------------------------------------------------
    def ints(self, n: int, prefix: str = "x") -> list[str]:
        names = [f"{prefix}{self.nx + i}" for i in range(n)]
        self.nx += n
        for v in names:
            self.decls.append(self._declare(v, self.sort))
        self.xs = self.xs + names
        return names

    def bools(self, n: int) -> list[str]:
        names = [f"b{len(self.bs) + i}" for i in range(n)]
        for v in names:
            self.decls.append(self._declare(v, "Bool"))
        self.bs = self.bs + names
        return names

    def variables(self, ints: tuple[int, int], bools: int) -> list[str]:
        """Between ``ints`` numeric variables (bounds included) and up to ``bools`` Booleans;
        returns the numeric ones."""
        xs = self.ints(self.rng.randint(*ints))
        self.bools(self.rng.randint(0, bools))
        return xs

    def _declare(self, name: str, sort: str) -> str:
        if self.rng.random() < 0.5:
            return f"(declare-fun {name} () {sort})"
        return f"(declare-const {name} {sort})"

    def script(self, body: list[str], *, queries: bool = True) -> str:
        """The whole script: logic, declarations, ``body``, ``check-sat`` (then, with
        ``queries``, sometimes ``get-model`` / ``get-value``)."""
        rng = self.rng
        lines = [] if self.logic == "none" else [f"(set-logic {self.logic})"]
        lines += self.decls
        lines += body
        lines.append("(check-sat)")
        if queries and rng.random() < 0.3:
            lines.append("(get-model)")
        if queries and self.xs and rng.random() < 0.2:
            x, y = rng.choice(self.xs), rng.choice(self.xs)
            lines.append(f"(get-value ({x} (- {x} {y})))")
        return "\n".join(lines) + "\n"

    def assertions(self, count: int, max_depth: int) -> list[str]:
        """``count`` assertions, each a Boolean combination of depth 0 to ``max_depth``."""
        return [f"(assert {self.boolean(self.rng.randint(0, max_depth))})" for _ in range(count)]

    # -- constants -----------------------------------------------------------------------
    def value(self, huge: Optional[bool] = None) -> object:
        rng = self.rng
        if (self.huge if huge is None else huge) and rng.random() < 0.5:
            v: object = rng.choice((-1, 1)) * (2 ** rng.choice(_HUGE_EXP) + rng.randint(-3, 3))
        elif self.big and rng.random() < 0.5:
            v = rng.randint(-10**6, 10**6)
        else:
            v = rng.randint(-self.small, self.small)
        if self.real and rng.random() < 0.25:  # few denominators: RDL scales by their lcm
            v = Fraction(v) + Fraction(rng.randint(-3, 3), rng.choice(self.denominators))
        return v

    def num(self, v: object) -> str:
        """``v`` written as SMT-LIB: ``5``, ``(- 5)``, ``2.5``, ``(/ 1 3)``, ``(- (/ 1 3))``."""
        v = Fraction(v)  # type: ignore[arg-type]
        neg, v = v < 0, abs(v)
        if v.denominator == 1:
            body = str(v.numerator)
            if self.decimal or (self.real and self.rng.random() < 0.3):
                body += ".0"
        elif 10 % v.denominator == 0 and self.rng.random() < 0.5:  # exact as a decimal
            body = f"{v.numerator * (10 // v.denominator) // 10}.{v.numerator * (10 // v.denominator) % 10}"
        else:
            body = f"(/ {v.numerator} {v.denominator})"
        return f"(- {body})" if neg else body

    def const(self) -> str:
        return self.num(self.value())

    # -- arithmetic ----------------------------------------------------------------------
    def var(self) -> str:
        return self.rng.choice(self.xs)

    def two(self) -> tuple[str, str]:
        """Two variables, usually different (``x - x`` atoms are constants)."""
        if len(self.xs) > 1 and self.rng.random() < 0.85:
            x, y = self.rng.sample(self.xs, 2)
            return x, y
        return self.var(), self.var()

    def unit(self, depth: int = 0) -> str:
        """A term ``x + c`` or ``c`` (coefficient 1): any two differ by a difference."""
        v, c = self.var, self.const
        forms = (v, v, c,
                 lambda: v() if self.strict else f"(+ {v()} {c()})",
                 lambda: f"(- {v()} {c()})", lambda: f"(+ {c()} {v()})", lambda: f"(* 1 {v()})",
                 lambda: self.ite(depth - 1, lambda: self.unit(depth - 1)) if depth > 0 else v())
        return self.pick(*(forms[:4] if self.strict else forms))

    def ite(self, depth: int, arm: Callable[[], str]) -> str:
        """``(ite c a b)`` with a condition of ``depth`` and arms from ``arm``.  A quarter of
        the time one arm is itself an ``ite`` over ``c`` (or ``(not c)``): the inner guards
        must merge with the outer ones (a case once went wrong there)."""
        rng = self.rng
        c = self.boolean(depth)
        a, b = arm(), arm()
        if rng.random() < 0.25:
            inner = f"(ite {c if rng.random() < 0.7 else f'(not {c})'} {arm()} {arm()})"
            a, b = (inner, b) if rng.random() < 0.5 else (a, inner)
        return f"(ite {c} {a} {b})"

    def diff(self) -> str:
        """A term ``x - y (+ c)`` in one of the written forms."""
        x, y = self.two()
        if self.strict:
            return f"(- {x} {y})"
        c = self.const
        return self.pick(lambda: f"(- {x} {y})", lambda: f"(- {x} {y} {c()})",
                         lambda: f"(+ {x} (- {y}))", lambda: f"(+ {x} (* (- 1) {y}))",
                         lambda: f"(- (+ {x} {c()}) (+ {y} {c()}))",
                         lambda: f"(+ (- {x} {y}) {c()})", lambda: f"(- (- {y} {x}))",
                         lambda: f"(* {self.rng.choice((2, 3))} (- {x} {y}))")

    def atom(self, depth: int = 0) -> str:
        rng = self.rng
        op = rng.choice(COMPARISONS)
        c, d, u = self.const, self.diff, self.unit
        diff_c, c_diff = (lambda: f"({op} {d()} {c()})"), (lambda: f"({op} {c()} {d()})")
        var_c = lambda: f"({op} {self.var()} {c()})"  # noqa: E731
        if self.strict:
            return self.pick(*(diff_c,) * 5, var_c, var_c,
                             lambda: f"({op} {' '.join(self.two())})",
                             lambda: f"(distinct {' '.join(self.two())})", c_diff)
        units = lambda n, k: " ".join(u(k) for _ in range(n))  # noqa: E731
        return self.pick(
            diff_c, diff_c, diff_c, c_diff, *(lambda: f"({op} {units(2, depth)})",) * 2,
            lambda: f"(distinct {units(rng.randint(2, 4), depth)})",
            lambda: f"({rng.choice(COMPARISONS)} {units(3, 0)})",  # a chain
            lambda: (f"({op} {d()} {self.ite(depth - 1, c)})" if depth > 0 else var_c()),
            var_c)

    # -- Boolean structure ---------------------------------------------------------------
    def boolean(self, depth: int) -> str:
        if self.pool and self.rng.random() < 0.2:
            return self.rng.choice(self.pool)
        out = self._fresh_boolean(depth)
        self.pool.append(out)
        return out

    def _fresh_boolean(self, depth: int) -> str:
        rng = self.rng
        if depth <= 0:
            if self.bs and rng.random() < 0.2:
                return rng.choice(self.bs)
            return self.atom(0)
        b = lambda: self.boolean(depth - 1)  # noqa: E731
        nary = lambda op: f"({op} " + " ".join(b() for _ in range(rng.randint(2, 4))) + ")"  # noqa: E731
        return self.pick(lambda: self.atom(depth), lambda: self.atom(depth),
                         lambda: f"(not {b()})", lambda: nary("and"), lambda: nary("or"),
                         lambda: f"(=> {b()} {b()})", lambda: f"(xor {b()} {b()})",
                         lambda: f"(= {b()} {b()})", lambda: self.ite(depth - 1, b),
                         lambda: f"(distinct {b()} {b()})" if rng.random() < 0.3 else self._let(b),
                         lambda: self._let(b))

    def _let(self, b: Callable[[], str]) -> str:
        self.nlet += 1
        name = f"l{self.nlet}"
        return f"(let (({name} {b()})) (and {name} (or {name} {b()})))"


# -- shapes ----------------------------------------------------------------------------------
def _jobshop(g: TermGen) -> list[str]:
    rng = g.rng
    jobs, machines = rng.randint(2, 4), rng.randint(2, 3)
    ops: list[list[tuple[str, int, object]]] = []  # per job: (var, machine, duration)
    names = []
    for j in range(jobs):
        order = rng.sample(range(machines), rng.randint(1, machines))
        job = []
        for k, m in enumerate(order):
            d: object = rng.randint(1, 5)
            if g.real and rng.random() < 0.3:
                d = Fraction(2 * rng.randint(1, 5) + 1, 2)
            job.append((f"s_{j}_{k}", m, d))
            names.append(f"s_{j}_{k}")
        ops.append(job)
    for v in names:
        g.decls.append(g._declare(v, g.sort))
    g.xs += names
    out = []
    starts = [f"(>= {job[0][0]} 0)" for job in ops]
    out.append("(assert (and " + " ".join(starts) + "))" if len(starts) > 1 else f"(assert {starts[0]})")
    for job in ops:
        for (a, _, da), (b, _, _) in zip(job, job[1:]):
            if g.strict or rng.random() < 0.5:
                out.append(f"(assert (>= (- {b} {a}) {g.num(da)}))")
            else:
                out.append(f"(assert (<= (+ {a} {g.num(da)}) {b}))")
    nchoice = 0
    for m in range(machines):
        on = [(v, d) for job in ops for (v, mm, d) in job if mm == m]
        for i in range(len(on)):
            for k in range(i + 1, len(on)):
                (a, da), (b, db) = on[i], on[k]
                first, second = f"(>= (- {b} {a}) {g.num(da)})", f"(>= (- {a} {b}) {g.num(db)})"
                r = rng.random()
                if r < 0.6:
                    out.append(f"(assert (or {first} {second}))")
                else:
                    p = f"p{nchoice}"
                    nchoice += 1
                    g.decls.append(g._declare(p, "Bool"))
                    g.bs.append(p)
                    if r < 0.8:
                        out.append(f"(assert (ite {p} {first} {second}))")
                    else:
                        out.append(f"(assert (and (=> {p} {first}) (=> (not {p}) {second})))")
    job_len = max(sum(Fraction(d) for _, _, d in job) for job in ops)  # type: ignore[arg-type,misc]
    load = max((sum((Fraction(d) for job in ops for (_, mm, d) in job if mm == m), Fraction(0))  # type: ignore[arg-type]
                for m in range(machines)), default=Fraction(0))
    bound = max(job_len, load) + rng.choice((-1, 0, 0, 1, 1, 2, 3))
    if g.strict or rng.random() < 0.5:
        for job in ops:
            v, _, d = job[-1]
            out.append(f"(assert (<= {v} {g.num(bound - Fraction(d))}))")  # type: ignore[arg-type]
    else:
        g.decls.append(f"(define-fun makespan () {g.sort} {g.num(bound)})")
        for job in ops:
            v, _, d = job[-1]
            out.append(f"(assert (<= (+ {v} {g.num(d)}) makespan))")
    return out


def _boolean(g: TermGen) -> list[str]:
    g.variables((2, 5), 3)
    return g.assertions(g.rng.randint(1, 5), 4)


def _let(g: TermGen) -> list[str]:
    rng = g.rng
    g.variables((2, 4), 2)
    depth = rng.randint(5, 40)
    names: list[str] = []
    arith: list[str] = []
    opens = []
    for i in range(depth):
        if not g.strict and rng.random() < 0.25:
            name = f"d{i}"
            opens.append(f"(let (({name} {g.diff() if rng.random() < 0.5 else g.unit(0)}))")
            arith.append(name)
            continue
        name = f"e{i}" if not names or rng.random() < 0.85 else rng.choice(names)  # shadowing
        k = rng.randint(0, 5)
        if k <= 1 or not names:
            if arith and rng.random() < 0.5:
                val = f"({rng.choice(COMPARISONS)} {rng.choice(arith)} {g.const()})"
            else:
                val = g.atom(0)
        elif k == 2:
            val = f"(not {rng.choice(names)})"
        elif k == 3:
            val = f"({rng.choice(('and', 'or', 'xor', '=>', '='))} {rng.choice(names)} {rng.choice(names + [g.atom(0)])})"
        elif k == 4:
            val = f"(ite {rng.choice(names)} {rng.choice(names)} {g.atom(0)})"
        else:
            val = g.boolean(1)
        if rng.random() < 0.2:  # a parallel let: two bindings at once
            other = f"f{i}"
            opens.append(f"(let (({name} {val}) ({other} {g.atom(0)}))")
            names.append(other)
        else:
            opens.append(f"(let (({name} {val}))")
        if name not in names:
            names.append(name)
    tail = rng.sample(names, min(len(names), rng.randint(1, 3)))
    body = f"({rng.choice(('and', 'or'))} {' '.join(tail)} {g.atom(0)})"
    out = [f"(assert {''.join(opens)} {body}{')' * len(opens)})"]
    if rng.random() < 0.5:
        out.append(f"(assert {g.boolean(2)})")
    return out


def _huge(g: TermGen) -> list[str]:
    rng = g.rng
    xs = g.variables((2, 5), 2)
    out = g.assertions(rng.randint(0, 2), 3)
    # A cycle whose huge constants cancel to a small sum: feasible iff the sum is >= 0
    # (or > 0 with a strict edge) -- wrong by one if any constant is mishandled.
    k = rng.randint(2, min(3, len(xs)))  # longer cycles make forced sd slow (wide adders)
    cyc = rng.sample(xs, k)
    h = 2 ** rng.choice(_HUGE_EXP)
    consts = [rng.choice((-1, 1)) * h + rng.randint(-2, 2) for _ in range(k - 1)]
    consts.append(-sum(consts) + rng.randint(-2, 2))
    atoms = []
    for i in range(k):
        x, y = cyc[i], cyc[(i + 1) % k]
        op = rng.choice(("<=", "<=", "<"))
        atoms.append(f"({op} (- {x} {y}) {g.num(consts[i])})")
    if rng.random() < 0.7:
        out.append("(assert (and " + " ".join(atoms) + "))")
    else:
        out += [f"(assert {a})" for a in atoms]
    if rng.random() < 0.5:  # a bound far from zero
        out.append(f"(assert ({rng.choice(COMPARISONS)} {rng.choice(xs)} {g.num(g.value(True))}))")
    return out


def _components(g: TermGen) -> list[str]:
    rng = g.rng
    out = []
    all_x = g.xs
    for c in range(rng.randint(3, 5 if g.real else 8)):  # reals: the scale grows with n
        group = g.ints(rng.randint(2, 3), prefix=f"c{c}_")
        g.xs = group  # atoms of this assertion use this group only
        g.pool = []
        for _ in range(rng.randint(1, 2)):
            out.append(f"(assert {g.boolean(rng.randint(0, 2))})")
        all_x = all_x + group
    g.xs = all_x
    if rng.random() < 0.5:
        bs = g.bools(2)
        out.append(f"(assert (or {bs[0]} {bs[1]}))")
    return out


def _equalities(g: TermGen) -> list[str]:
    rng = g.rng
    xs = g.variables((3, 6), 2)
    out = []
    for a, b in zip(xs, xs[1:]):  # chains the preprocessor substitutes
        r = rng.random()
        if r < 0.15:
            out.append(f"(assert (= {a} {b}))")
        elif r < 0.6:
            c = g.num(rng.randint(-2, 2))
            out.append(f"(assert (= (- {b} {a}) {c}))" if g.strict else f"(assert (= {b} (+ {a} {c})))")
        elif r < 0.65 and not g.strict:
            out.append(f"(assert (= {a} {b} {rng.choice(xs)}))")
    n = rng.randint(2, min(5, len(xs)))
    group = rng.sample(xs, n)
    out.append("(assert (distinct " + " ".join(group) + "))")
    width = n - 1 - (rng.random() < 0.3)  # values in [lo, lo + width]: a pigeonhole when < n - 1
    lo = rng.randint(-3, 3)
    for x in group:
        if rng.random() < 0.6:
            out.append(f"(assert (and (>= {x} {g.num(lo)}) (<= {x} {g.num(lo + width)})))")
    if not g.strict:
        for _ in range(rng.randint(0, 2)):
            out.append(f"(assert (= {rng.choice(xs)} {g.ite(1, g.unit)}))")
    if g.bs:
        out.append(f"(assert (= {rng.choice(g.bs)} {g.atom(0)}))")
    return out + g.assertions(rng.randint(0, 2), 2)


def _macros(g: TermGen) -> list[str]:
    rng = g.rng
    xs = g.variables((2, 4), 2)
    s = g.sort
    out = []
    op = rng.choice(COMPARISONS)
    c = g.const()
    out.append(f"(define-fun le ((a {s}) (b {s})) Bool ({op} (- a b) {c}))")
    out.append(f"(define-fun sh ((a {s})) {s} (+ a {g.const()}))" if not g.strict else
               f"(define-fun sh ((a {s})) {s} a)")
    out.append("(define-fun both ((p Bool) (q Bool)) Bool (and p (not (and q (not p)))))")
    out.append(f"(define-fun k () {s} {g.const()})")
    g.decls += out
    out = []
    for i in range(rng.randint(1, 4)):
        x, y = rng.choice(xs), rng.choice(xs)
        r = rng.random()
        if r < 0.3:
            out.append(f"(assert (le {x} {y}))")
        elif r < 0.5:
            out.append(f"(assert (both (le {x} {y}) {g.boolean(1)}))")
        elif r < 0.7:
            out.append(f"(assert ({rng.choice(COMPARISONS)} (- (sh {x}) {y}) k))")
        elif r < 0.85:
            out.append(f"(assert (! (or (le {y} {x}) {g.atom(0)}) :named n{i}))")
            out.append(f"(assert (or n{i} {g.boolean(1)}))")
        else:
            out.append(f"(assert (not (le (sh {x}) {y})))")
    out.append(f"(assert {g.boolean(rng.randint(0, 2))})")
    return out


_SHAPE_FUNCS: dict[str, Callable[[TermGen], list[str]]] = {
    "jobshop": _jobshop, "boolean": _boolean, "let": _let, "huge": _huge,
    "components": _components, "equalities": _equalities, "macros": _macros,
}
