"""The pysmt plug-in over the integer logics: QF_LIA, QF_UFLIA, QF_UFIDL, QF_UF declared and
answered; functions declared once across assertions; values of applications."""

from __future__ import annotations

import pytest

pysmt = pytest.importorskip("pysmt")

from pysmt.environment import reset_env  # noqa: E402
from pysmt.shortcuts import (  # noqa: E402
    And, Equals, Function, GE, Int, LE, Not, Or, Plus, Solver, Symbol, Times, is_sat,
)
from pysmt.typing import BOOL, INT, FunctionType  # noqa: E402

import eagersmt.interop.pysmt as plugin  # noqa: E402


@pytest.fixture
def env():
    e = reset_env()
    plugin.register(e)
    yield e
    reset_env()


@pytest.mark.parametrize("logic", ["QF_LIA", "QF_UFLIA", "QF_UFIDL", "QF_UF"])
def test_the_integer_logics_are_declared(env, logic):
    assert logic in {str(lg) for lg in plugin.EagerSmtPysmtSolver.LOGICS}
    with Solver(name="eagersmt", logic=logic) as s:
        b = Symbol("b", BOOL)
        s.add_assertion(b)
        assert s.solve()


def test_linear_sums_and_functions_through_pysmt(env):
    x, y, b = Symbol("x", INT), Symbol("y", INT), Symbol("b", BOOL)
    f = Symbol("f", FunctionType(INT, [INT]))
    p = Symbol("p", FunctionType(BOOL, [INT, BOOL]))
    with Solver(name="eagersmt", logic="QF_UFLIA") as s:
        s.add_assertion(LE(Plus(Times(Int(3), x), Times(Int(2), y)), Int(10)))
        s.add_assertion(And(GE(x, Int(0)), GE(y, Int(0))))
        s.add_assertion(Not(Equals(Function(f, [x]), Function(f, [y]))))  # f declared once
        s.add_assertion(Or(Function(p, [x, b]), Function(p, [y, Not(b)])))
        assert s.solve()
        vx, vy = s.get_py_value(x), s.get_py_value(y)
        assert 3 * vx + 2 * vy <= 10 and vx != vy
        assert s.get_py_value(Function(f, [x])) != s.get_py_value(Function(f, [y]))
        s.push()
        s.add_assertion(Equals(x, y))  # then f(x) = f(y): functional consistency
        assert not s.solve()
        s.pop()
        s.add_assertion(GE(Times(Int(2), x), Int(7)))  # x >= 4: 3x > 10
        assert not s.solve()
    assert is_sat(Equals(Function(f, [Int(1)]), Int(5)), solver_name="eagersmt")
