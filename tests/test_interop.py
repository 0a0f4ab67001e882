"""pysmt plug-in (through pysmt's own shortcuts) and Z3 import."""

from __future__ import annotations

import io

import pytest
import z3
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pysmt.environment import reset_env
from pysmt.exceptions import NoSolverAvailableError
from pysmt.shortcuts import (
    GE, LE, LT, And, Int, Minus, Not, Or, Plus, Real, Solver, Symbol, Times, get_env,
    get_model, is_sat, is_unsat,
)
from pysmt.smtlib.parser import SmtLibParser
from pysmt.typing import BOOL, INT, REAL

import eagersmt
from eagersmt import Status, UnsupportedError
from eagersmt.interop.pysmt import register
from eagersmt.interop.z3 import from_z3

from .oracle import z3_status
from .smtgen import idl_script


@pytest.fixture
def env():
    """A fresh pysmt environment with eagersmt registered (pysmt's global one)."""
    e = reset_env()
    register()
    register()  # idempotent
    yield e
    reset_env()


def test_registration_through_pysmt_shortcuts(env):
    assert "eagersmt" in get_env().factory.all_solvers()
    x, y = Symbol("x", INT), Symbol("y", INT)
    f = And(LE(Minus(x, y), Int(-2)), GE(x, Int(0)))
    assert is_sat(f, solver_name="eagersmt")
    assert is_unsat(And(f, LE(y, Int(1))), solver_name="eagersmt")
    m = get_model(f, solver_name="eagersmt")
    assert m.get_py_value(y) - m.get_py_value(x) >= 2
    with Solver(name="eagersmt", logic="QF_IDL") as s:
        s.add_assertion(f)
        assert s.solve()
        s.push()
        s.add_assertion(LE(y, Int(1)))
        assert not s.solve()
        s.pop()
        assert s.solve()
        assert s.get_value(x).is_int_constant()
        p = Symbol("p", BOOL)
        s.add_assertion(Or(p, LT(x, Int(0))))
        assert s.solve([Not(p)]) is False  # assumptions
        assert s.solve() and s.get_py_value(p) is True


def test_default_solver_choice_unchanged(env):
    before = reset_env().factory.solver_preference_list[:1]
    register()
    assert get_env().factory.solver_preference_list[:1] == before


def test_other_environment_and_options():
    from pysmt.environment import Environment

    other = Environment()
    with pytest.raises(NoSolverAvailableError):
        other.factory.Solver(name="eagersmt")
    register(other)
    mgr = other.formula_manager
    r = mgr.Symbol("r", REAL)
    s = other.factory.Solver(name="eagersmt", logic="QF_RDL",
                             solver_options={"encoding": "sd"})
    s.add_assertion(mgr.And(mgr.LT(mgr.Real(0), r), mgr.LT(r, mgr.Real((1, 2)))))
    assert s.solve()
    assert not s.solve([mgr.LE(r, mgr.Real(0))])
    # (pysmt's EagerModel.get_value substitutes through the global environment, so values
    # are read in the global one: see test_registration_through_pysmt_shortcuts)


def test_unsupported_atom_raises(env):
    """Linear integer atoms are accepted (QF_LIA); what eagersmt does not decide -- linear
    atoms over the reals outside difference logic, non-linear products -- is refused where
    it is added."""
    x, y = Symbol("x", INT), Symbol("y", INT)
    r, q = Symbol("r", REAL), Symbol("q", REAL)
    with Solver(name="eagersmt", logic="QF_LIA") as s:
        s.add_assertion(LE(Plus(x, y), Int(3)))
        s.add_assertion(LE(Times(Int(2), x), y))
        assert s.solve()
        vx, vy = s.get_py_value(x), s.get_py_value(y)
        assert vx + vy <= 3 and 2 * vx <= vy
        with pytest.raises(UnsupportedError):
            s.add_assertion(LE(Times(x, y), Int(3)))
    with Solver(name="eagersmt", logic="QF_LRA") as s:
        with pytest.raises(UnsupportedError, match="not a difference constraint"):
            s.add_assertion(LE(Plus(r, q), Real(3)))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_formulas_via_pysmt_agree_with_z3(data):
    text = data.draw(idl_script(max_vars=3))
    expected = z3_status(text)
    assume(expected != "unknown")
    reset_env()
    register()
    try:
        script = SmtLibParser().get_script(io.StringIO(text))
    except (AssertionError, Exception):  # pysmt's parser rejects n-ary '-' and some sugar
        assume(False)
    f = script.get_last_formula()
    assert is_sat(f, solver_name="eagersmt") == (expected == "sat")
    if expected == "sat":
        m = get_model(f, solver_name="eagersmt")
        assert m.get_value(f).is_true()  # pysmt's own evaluator agrees


def test_z3_expressions_solvers_and_optimize():
    x, y = z3.Ints("x y")
    b = z3.Bool("b c")
    s = eagersmt.Solver()
    s.add(x - y >= 3, z3.Or(b, x < 0))  # z3 expressions directly
    s.add(y >= 0)
    assert s.check() == Status.SAT and s.model()["b c"] is True
    assert s.minimize(x).value == 3
    zs = z3.Solver()
    zs.add(x - y >= 3, y >= 2, z3.If(b, x, y) <= 7, b)
    s2 = eagersmt.Solver()
    s2.add_z3(zs)
    assert s2.maximize("x").value == 7
    o = z3.Optimize()
    o.add(x >= 2, x - y <= -1)
    s3 = eagersmt.Solver()
    s3.add_z3(o)
    assert s3.minimize(y).value == 3
    assert s3.model().eval(x - y) == -1  # a Z3 term evaluated in our model
    text = from_z3([x - y >= 3, x - y])
    assert "(get-value ((- x y)))" in text and "(declare-fun x () Int)" in text


def test_z3_real_and_bad_input():
    r = z3.Real("r")
    s = eagersmt.Solver()
    s.add_z3(z3.And(r > 0.5, r < 1.5))
    assert s.check() == Status.SAT
    assert 0.5 < s.model()["r"] < 1.5
    s = eagersmt.Solver()
    x, y = z3.Ints("x y")
    s.add(x + y <= 3, x >= 2, y >= 1)  # linear integer atoms are decided
    assert s.check() == Status.SAT and s.model()["x"] == 2 and s.model()["y"] == 1
    with pytest.raises(UnsupportedError):
        s.add(x * y <= 3)  # non-linear
    with pytest.raises(UnsupportedError):
        s.add(r + z3.Real("q") <= 3)  # linear over the reals, outside difference logic
