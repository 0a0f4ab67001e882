"""The Python builder over integers past difference logic: sums with coefficients, div/mod/abs
by constants, ite over Int, distinct, uninterpreted functions and predicates -- answers
against Z3 (which reads the builder's SMT-LIB text), models checked by Z3."""

from __future__ import annotations

import random

import pytest
import z3

from eagersmt import (
    Abs, And, Bool, Distinct, Div, Eq, Function, Int, Ite, Mod, Not, Or, ParseError, Solver,
    Status, UnsupportedError,
)
from eagersmt.builder import to_smtlib
from eagersmt.tools.fuzz.oracle import z3_model_ok

X = [Int(f"x{i}") for i in range(3)]
P = [Bool(f"p{i}") for i in range(2)]
F = Function("f", Int, Int)
G = Function("g", Int, Bool, Int)
Q = Function("q", Int, Bool)
DECLS = ("(declare-fun f (Int) Int)(declare-fun g (Int Bool) Int)(declare-fun q (Int) Bool)"
         + "".join(f"(declare-const x{i} Int)" for i in range(3))
         + "".join(f"(declare-const p{i} Bool)" for i in range(2)))


def _term(rng: random.Random, depth: int):
    if depth <= 0:
        return rng.choice(X + [rng.randint(-5, 5)])
    t = lambda: _term(rng, depth - 1)  # noqa: E731
    k = rng.randint(0, 10)
    if k == 0:
        return rng.choice((-3, -1, 2, 5)) * t()
    if k == 1:
        return t() * rng.choice((-2, 3))
    if k == 2:
        return -t()
    if k == 3:
        return t() + t() - t()
    if k == 4:
        return Div(t(), rng.choice((-3, -2, 2, 5)))
    if k == 5:
        return Mod(t(), rng.choice((-3, 2, 4)))
    if k == 6:
        return Abs(t())
    if k == 7:
        return Ite(_atom(rng, 0), t(), t())
    if k == 8:
        return F(t())
    if k == 9:
        return G(t(), rng.choice(P))
    return t() + rng.randint(-3, 3)


def _atom(rng: random.Random, depth: int):
    a, b = _term(rng, depth), _term(rng, depth)
    k = rng.randint(0, 5)
    if k == 0:
        return Distinct(a, b, _term(rng, depth))
    if k == 1:
        return Q(a)
    if k == 2:
        return Eq(a, b)
    return (a <= b) if k == 3 else (a > b) if k == 4 else (a >= b + 1)


def _formula(rng: random.Random):
    atoms = [_atom(rng, rng.randint(0, 2)) for _ in range(rng.randint(2, 4))]
    box = [And(x >= -6, x <= 6) for x in X]
    k = rng.randint(0, 2)
    body = And(atoms) if k == 0 else Or(atoms) if k == 1 else And(Or(atoms[0], Not(atoms[1])), *atoms[1:])
    return box + [body, Or(P[0], atoms[0])]


def _z3(assertions) -> tuple[str, list]:
    s = z3.Solver()
    s.from_string(DECLS + "".join(f"(assert {to_smtlib(a)})" for a in assertions))
    return str(s.check()), list(s.assertions())


@pytest.mark.parametrize("seed", range(40))
def test_builder_formulas_agree_with_z3(seed):
    rng = random.Random(seed)
    assertions = _formula(rng)
    expected, z3_assertions = _z3(assertions)
    with Solver() as s:
        s.add(*assertions)
        got = s.check()
        assert str(got) == expected, [to_smtlib(a) for a in assertions]
        if got == Status.SAT:
            m = s.model()
            assert z3_model_ok(z3_assertions, dict(m.items()))
            for a in assertions:
                assert m[a] is True  # every assertion evaluates to true in the model


def test_linear_sums_with_coefficients_on_either_side():
    x, y = Int("x"), Int("y")
    with Solver() as s:
        s.add(3 * x + 2 * y <= 10, x * 3 - y >= 4, -x <= 2, y >= 0)
        assert s.check() == Status.SAT
        m = s.model()
        assert 3 * m[x] + 2 * m[y] <= 10 and 3 * m[x] - m[y] >= 4 and m[y] >= 0
        s.add(Eq(2 * x + 4 * y, 7))  # even = odd
        assert s.check() == Status.UNSAT


@pytest.mark.parametrize("k", [-3, -2, 2, 5])
def test_div_and_mod_are_euclidean(k):
    x = Int("x")
    with Solver() as s:
        for v in (-7, -1, 0, 4, 9):
            assert s.check(Eq(x, v)) == Status.SAT
            m = s.model()
            q, r = m[Div(x, k)], m[Mod(x, k)]
            assert v == k * q + r and 0 <= r < abs(k)
            assert z3.simplify(z3.IntVal(v) / k).as_long() == q
            assert z3.simplify(z3.IntVal(v) % k).as_long() == r


def test_functional_consistency_and_predicates():
    x, y, p = Int("x"), Int("y"), Bool("p")
    f, q = Function("f", Int, Int), Function("q", Int, Bool, Bool)
    with Solver() as s:
        s.add(Distinct(f(x), f(y)), q(f(x), p), Not(q(f(y), p)))
        assert s.check() == Status.SAT
        m = s.model()
        assert m[x] != m[y]
        assert m[f](( m[x],)) == m[f(x)] and m[q(f(x), p)] is True
        assert s.check(Eq(x, y)) == Status.UNSAT
        assert s.unsat_core() == [Eq(x, y)]


def test_functions_are_shared_with_smtlib_text():
    x = Int("x")
    f = Function("f", Int, Int)
    with Solver() as s:
        s.add("(declare-fun f (Int) Int) (declare-const x Int) (assert (= (f x) 3))")
        s.add(f(x) > 3)
        assert s.check() == Status.UNSAT
    with Solver() as s:
        s.add(f(x) >= 0)
        s.add("(assert (< (f x) 0))")
        assert s.check() == Status.UNSAT


def test_a_function_no_assertion_applies_gets_a_value_on_request():
    x = Int("x")
    with Solver() as s:
        s.add(x >= 2)
        assert s.check() == Status.SAT
        h = Function("h", Int, Int)
        assert isinstance(s.model()[h(x) + 1], int)


def test_bad_builder_terms_are_clean_errors():
    x, y = Int("x"), Int("y")
    with pytest.raises(UnsupportedError):
        Div(x, 0)
    with pytest.raises(TypeError):
        Mod(x, y)
    with pytest.raises(TypeError):
        x * y
    with pytest.raises(UnsupportedError):
        Function("r", Int, __import__("eagersmt").Real)
    f = Function("f", Int, Int)
    with pytest.raises(TypeError):
        f(Bool("b"))
    with pytest.raises(TypeError):
        f(x, x)
    with Solver() as s:
        s.add(f(x) >= 0)
        with pytest.raises(ParseError):
            s.add(Function("f", Int, Bool)(x))
        with pytest.raises(ParseError):
            s.add(Function("x", Int, Int)(y) >= 0)
