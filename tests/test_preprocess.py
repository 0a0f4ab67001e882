"""Equality substitution: top-level x = y + c removes x, and models come back right."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from eagersmt import Config, Status, solve_smtlib
from eagersmt.ir.normalize import normalize
from eagersmt.smtlib.parser import parse

from .oracle import z3_accepts_model, z3_status

VARS = ["a", "b", "c", "d"]


def lit(c: int) -> str:
    return str(c) if c >= 0 else f"(- {-c})"


@st.composite
def equality_systems(draw) -> str:
    lines = [f"(declare-const {v} Int)" for v in VARS]
    for _ in range(draw(st.integers(1, 4))):
        x, y = draw(st.sampled_from(VARS)), draw(st.sampled_from(VARS + ["const"]))
        k = draw(st.integers(-3, 3))
        rhs = lit(k) if y == "const" else f"(+ {y} {lit(k)})"
        lines.append(f"(assert (= {x} {rhs}))")
    for _ in range(draw(st.integers(0, 3))):
        x, y = draw(st.sampled_from(VARS)), draw(st.sampled_from(VARS))
        op = draw(st.sampled_from(["<", "<=", "distinct"]))
        lines.append(f"(assert (or ({op} {x} {y}) (= (- {x} {y}) {lit(draw(st.integers(-4, 4)))})))")
    return "\n".join(lines) + "\n(check-sat)"


@settings(max_examples=150, deadline=None)
@given(equality_systems())
def test_substitution_agrees_with_z3(text):
    expected = z3_status(text)
    for enc in ("order", "sd"):
        r = solve_smtlib(text, config=Config(encoding=enc))
        assert str(r.status) == expected, text
        if r.status == Status.SAT:
            assert z3_accepts_model(text, r.model)


def test_chain_collapses_to_one_variable():
    s = parse("(declare-const x Int)(declare-const y Int)(declare-const z Int)"
              "(assert (= x (+ y 3)))(assert (= y (- z 2)))(assert (< (- x z) 5))")
    norm = normalize(s.assertions)
    assert len(norm.aliases) == 2 and set(norm.aliases) <= {"x", "y", "z"}
    assert norm.circuit.roots == [1] * len(norm.circuit.roots)  # all facts became true


def test_conflicting_offsets_are_unsat():
    r = solve_smtlib("(declare-const x Int)(declare-const y Int)(declare-const z Int)"
                     "(assert (= x (+ y 1)))(assert (= z x))(assert (= z (+ y 2)))(check-sat)")
    assert r.status == Status.UNSAT
