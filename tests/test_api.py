"""The embedding API: Solver (add / check / model / push / pop / minimize), the term builder,
and their errors; differential against Z3 on random formulas (tests/smtgen.py)."""

from __future__ import annotations

import doctest
import importlib
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import eagersmt
from eagersmt import (
    And, Bool, Distinct, Eq, Implies, Int, Ite, Not, NoModelError, Or, ParseError, Real, Solver,
    Status, UnsupportedError,
)

from .oracle import z3_accepts_model, z3_status
from .smtgen import idl_script

SETTINGS = dict(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("module", ["eagersmt.builder", "eagersmt.solver", "eagersmt.api",
                                    "eagersmt.interop.z3", "eagersmt.interop.pysmt"])
def test_docstring_examples_run(module):
    res = doctest.testmod(importlib.import_module(module))
    assert res.attempted > 0 and res.failed == 0


def _split(text: str) -> tuple[list[str], list[str]]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return ([ln for ln in lines if ln.startswith("(declare")],
            [ln for ln in lines if ln.startswith("(assert")])


@settings(**SETTINGS)
@given(st.data())
def test_add_check_model_agree_with_z3(data):
    text = data.draw(idl_script())
    expected = z3_status(text)
    assume(expected != "unknown")
    s = Solver()
    s.add(text)  # a whole script: its check-sat is ignored, assertions kept
    assert str(s.check()) == expected, text
    if expected == "sat":
        m = s.model()
        assert z3_accepts_model(text, dict(m)), (text, dict(m))


@settings(**SETTINGS)
@given(st.data())
def test_push_pop_round_trip_agrees_with_z3(data):
    base = data.draw(idl_script(max_vars=3, big_constants=False))
    other = data.draw(idl_script(max_vars=3, big_constants=False))
    decls, asserts = _split(base)
    decls2, asserts2 = _split(other)
    extra = [a for a in asserts2
             if all(v in " ".join(decls) for v in re.findall(r"\b[xb]\d\b", a))]
    s = Solver()
    s.add("\n".join(decls))
    s.add("\n".join(asserts))
    first = s.check()
    s.push()
    s.add("\n".join(extra))
    both = "\n".join(decls + asserts + extra) + "\n(check-sat)"
    expected = z3_status(both)
    assume(expected != "unknown")
    assert str(s.check()) == expected, both
    if expected == "sat":
        assert z3_accepts_model(both, dict(s.model()))
    s.pop()
    assert s.check() == first
    assert str(first) == z3_status(base)


# -- builder ---------------------------------------------------------------------------
def _z3_text(decls: dict[str, str], *assertions: object) -> str:
    lines = [f"(declare-fun {n} () {sort})" for n, sort in decls.items()]
    lines += [f"(assert {a!r})" for a in assertions]
    return "\n".join(lines) + "\n(check-sat)"


@st.composite
def builder_formula(draw):
    xs = [Int(f"x{i}") for i in range(3)]
    bs = [Bool("p"), Bool("q")]

    def atom():
        a, b = draw(st.sampled_from(xs)), draw(st.sampled_from(xs))
        k = draw(st.integers(-5, 5))
        shape = draw(st.integers(0, 5))
        if shape == 0:
            return a - b <= k
        if shape == 1:
            return a + k < b
        if shape == 2:
            return Eq(a, b + k)
        if shape == 3:
            return a >= k
        if shape == 4:
            return Distinct(a, b, xs[0] + 1)
        return Ite(draw(st.sampled_from(bs)), a, b + 2) > k

    def formula(depth):
        if depth == 0:
            return atom() if draw(st.integers(0, 4)) else draw(st.sampled_from(bs))
        k = draw(st.integers(0, 5))
        sub = [formula(depth - 1) for _ in range(draw(st.integers(1, 3)))]
        if k == 0:
            return And(sub)
        if k == 1:
            return Or(sub)
        if k == 2:
            return Not(sub[0])
        if k == 3:
            return Implies(sub[0], sub[-1])
        if k == 4:
            return sub[0] | ~sub[-1]
        return atom()

    return [formula(draw(st.integers(0, 3))) for _ in range(draw(st.integers(1, 3)))]


@settings(**SETTINGS)
@given(builder_formula())
def test_builder_terms_agree_with_z3(fs):
    s = Solver()
    s.add(*fs)
    text = _z3_text({"x0": "Int", "x1": "Int", "x2": "Int", "p": "Bool", "q": "Bool"}, *fs)
    expected = z3_status(text)
    assume(expected != "unknown")
    assert str(s.check()) == expected, text
    if expected == "sat":
        m = s.model()
        for f in fs:
            assert m.eval(f) is True


def test_builder_semantics():
    x, y = Int("x"), Int("y")
    assert (x == Int("x")) is True and (x == y) is False  # structural, not a constraint
    assert hash(x - y <= 3) == hash(Int("x") - Int("y") <= 3)
    with pytest.raises(TypeError, match="no truth value"):
        bool(x < y)
    with pytest.raises(TypeError, match="no truth value"):
        0 <= x <= 5  # noqa: B015 - chained comparison asks bool()
    with pytest.raises(TypeError, match="mixes Int and Real"):
        x + Real("r")
    with pytest.raises(TypeError, match="non-linear"):
        x * y
    s = Solver()
    with pytest.raises(TypeError, match="Eq"):
        s.add(x == 3)  # Python's == gave False: say how to write the constraint
    assert repr(3 - x) == "(- 3 x)" and repr(-x + 2 * y) == "(+ (- x) (* 2 y))"


def test_model_by_name_and_term_real_values():
    r, t = Real("r"), Real("t")
    s = Solver()
    s.add(r - t < Fraction(1, 2), r - t > Fraction(1, 3), t >= 0, t <= 0)
    assert s.check() == Status.SAT
    m = s.model()
    assert isinstance(m["r"], Fraction) and Fraction(1, 3) < m[r] < Fraction(1, 2)
    assert m[r - t] == m[r] - m[t]
    assert set(m) == {"r", "t"}
    x = Int("x")
    s = Solver()
    s.add(x >= 7, x <= 7)
    assert s.check() == Status.SAT
    assert s.model()[x] == 7 and type(s.model()[x]) is int
    assert s.model().eval("(+ x 1)") == 8
    s.add(Real("r") > 0)  # mixing sorts is reported at check()
    with pytest.raises(UnsupportedError, match="mixed integer and real"):
        s.check()


def test_check_with_assumptions_and_statistics():
    p, x = Bool("p"), Int("x")
    with Solver(encoding="order") as s:
        s.add(Implies(p, x >= 5), x <= 3)
        assert s.check() == Status.SAT
        assert s.check(p) == Status.UNSAT
        assert s.check("(not p)") == Status.SAT
        assert s.check(assumptions=[p], timeout=5) == Status.UNSAT
        assert s.check(assumptions=[Not(p)]) == Status.SAT
        assert s.model()["p"] is False
        st_ = s.statistics()
        assert st_["checks"] == 5 and st_["assertions"] == 2 and "solve_s" in st_
        # the first check() ran the one-shot pipeline; the others one kept encoding, which
        # already had the assumption Not(p) (as a guarded assertion) by the last one
        assert st_["incremental"] == "unchanged"
    with pytest.raises(NoModelError):
        Solver().model()


def test_push_pop_forgets_declarations():
    s = Solver()
    s.push()
    s.add("(declare-const z Int)(assert (> z 0))")
    assert s.check() == Status.SAT
    s.pop()
    with pytest.raises(ParseError, match="unknown symbol 'z'"):
        s.add("(assert (> z 0))")
    s.add("(declare-const z Bool)(assert z)")  # redeclared with another sort after pop
    assert s.check() == Status.SAT and s.model()["z"] is True
    with pytest.raises(ValueError):
        s.pop()


def test_timeout_gives_unknown_or_answer():
    s = Solver(backend="cadical")
    s.add("(declare-const x Int)(assert (< 0 x 3))")
    assert s.check(timeout=30) == Status.SAT


# -- errors: same messages as the CLI ---------------------------------------------------
BAD_INPUTS = [
    ("(declare-const x Int)\n(assert (< x 3)", ParseError, 2),
    ("(declare-const x Int)\n(assert (< x y))", ParseError, 2),
    ("(declare-const x Real)\n(declare-const y Real)\n  (assert (< (+ x y) 3))", UnsupportedError, 3),
    ("(declare-const x Int)\n(assert (< (* x x) 3))", UnsupportedError, 2),
    ("(declare-const x (_ BitVec 8))", UnsupportedError, 1),
]


@pytest.mark.parametrize("text, cls, line", BAD_INPUTS)
def test_bad_input_raises_with_line_and_column_like_the_cli(tmp_path, text, cls, line):
    s = Solver()
    with pytest.raises(cls) as info:
        s.add(text)
    e = info.value
    assert e.line == line and e.col is not None and e.col >= 1
    f = tmp_path / "bad.smt2"
    f.write_text(text + "\n(check-sat)\n")
    cli = subprocess.run([str(Path(sys.executable).with_name("eagersmt")), "solve", str(f)],
                         capture_output=True, text=True)
    assert cli.returncode == 1
    assert cli.stderr.strip() == f"error: {f}:{e.line}:{e.col}: {e.message}"
    assert s.assertions == []  # nothing half-added
    s.add("(declare-const x Int)(assert (> x 0))")  # the failed text declared nothing


def test_errors_are_eagersmt_exceptions():
    assert issubclass(ParseError, eagersmt.InputError)
    assert issubclass(UnsupportedError, eagersmt.EagerSmtError)
    with pytest.raises(UnsupportedError, match="minimize"):
        Solver().add("(declare-const x Int)(minimize x)")


def test_incremental_checks_reuse_one_encoding_and_unsat_core_names_assumptions():
    """After the first check(), push / add / check / pop rounds encode only what changed
    (the Solver runs on the SMT-LIB session's assertion stack: context.Context)."""
    xs = [Int(f"t{i}") for i in range(6)]
    chain = [c for a, b in zip(xs, xs[1:]) for c in (b - a >= 2, a >= 0, b <= 30)]
    with Solver(backend="cadical") as s:
        s.add(chain)
        assert s.check() == Status.SAT
        notes = []
        for bound in (20, 10, 9):
            s.push()
            s.add(xs[-1] <= bound)
            st = s.check()
            assert st == (Status.SAT if bound >= 10 else Status.UNSAT)
            notes.append(s.statistics()["incremental"])
            s.pop()
        assert notes[0] == "built" and notes[1:] == ["1 added in place"] * 2, notes
        late, early, free = xs[-1] <= 9, xs[0] >= 1, xs[2] <= 100
        assert s.check(free, early, late) == Status.UNSAT
        core = s.unsat_core()  # a subset of the assumptions, unsat with the assertions
        assert late in core and free not in core and set(core) <= {free, early, late}
        again = Solver(backend="cadical")
        again.add(chain, core)
        assert again.check() == Status.UNSAT
        assert s.check(early) == Status.SAT and s.model()[xs[0]] >= 1
        with pytest.raises(NoModelError):
            s.unsat_core()


def test_solver_add_refuses_stack_commands_in_text():
    s = Solver()
    with pytest.raises(UnsupportedError, match=r"call Solver.push\(...\) instead"):
        s.add("(declare-const x Int)(push 1)(assert (> x 0))")


def _interrupt_sat_calls_after(monkeypatch, n: int) -> None:  # type: ignore[no-untyped-def]
    """From the ``n+1``-th in-process SAT call on, SIGINT as python-sat reports it."""
    import pysolvers

    from eagersmt.backends.pysat import PysatSolver

    original = PysatSolver.solve
    calls = [0]

    def solve(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if calls[0] > n:
            raise pysolvers.error("Caught keyboard interrupt")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PysatSolver, "solve", solve)


def test_ctrl_c_in_check_after_push_is_keyboard_interrupt_and_the_solver_goes_on(monkeypatch):  # type: ignore[no-untyped-def]
    x, y = Int("x"), Int("y")
    with Solver() as s:
        s.add(x - y <= 3, y >= 0)
        s.push()
        s.add(x > 10)
        with monkeypatch.context() as m:
            _interrupt_sat_calls_after(m, 0)
            with pytest.raises(KeyboardInterrupt) as info:
                s.check()
        assert type(info.value) is KeyboardInterrupt  # (not python-sat's error)
        assert s.check() == Status.SAT  # the solvers were closed; a new check builds anew
        m = s.model()
        assert m[x] > 10 and m[x] - m[y] <= 3 and m[y] >= 0
        s.pop()
        s.add(y < 0)
        assert s.check() == Status.UNSAT


def test_ctrl_c_in_optimize_raises_interrupted_with_the_best_bound_so_far(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    from eagersmt.errors import Interrupted

    # ft06: the list schedule (56) is a first model without SAT; the optimum (55) needs
    # in-process SAT calls
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "benchmarks"))
    sys.path.insert(0, str(root / "examples"))
    from gen_jobshop import load_instances
    from jobshop import smtlib

    example = tmp_path / "ft06_optimize.smt2"
    example.write_text(smtlib(load_instances(root / "examples" / "ft06.txt")["ft06"]))
    optimum = eagersmt.solve_file(str(example))
    assert optimum.model["ms"] == 55
    _interrupt_sat_calls_after(monkeypatch, 0)  # the first model, then Ctrl-C
    with pytest.raises(Interrupted) as info:
        eagersmt.solve_file(str(example))
    assert isinstance(info.value, KeyboardInterrupt)
    partial = info.value.partial
    assert partial is not None and partial.status == Status.SAT and not partial.proven
    assert partial.value is not None and partial.value >= optimum.model["ms"]
    assert partial.model["ms"] == partial.value


def test_dir_lists_each_public_name_once():
    # ``__all__``'s names load lazily; once loaded (the imports above) a name is both a
    # module global and a lazy entry, and ``dir`` must still list it once
    names = dir(eagersmt)
    assert len(names) == len(set(names))
    assert set(eagersmt.__all__) <= set(names)
