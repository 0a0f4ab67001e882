"""Small domains first (``core/widths.py``): a linear formula that only the solution bound
makes finite is tried on narrow domains; a narrow model is final (and checked), a narrow
refutation is not: the answer stays the full domain's, judged here by Z3."""

from __future__ import annotations

import pytest

from eagersmt.api import solve_smtlib
from eagersmt.config import Config
from eagersmt.core.widths import WIDTHS, narrow_rounds, narrowed
from eagersmt.ir.linear import normalize_linear
from eagersmt.result import Status
from eagersmt.smtlib.parser import parse

z3 = pytest.importorskip("z3")

CONFIG = Config(memo="off", backend="cadical")
HEAD = "(set-logic QF_LIA)\n(declare-const x Int)\n(declare-const y Int)\n(declare-const z Int)\n"
# the equalities behind an asserted guard: not at the top level, so not eliminated
# (``ir/equalities.py``), and the variables stay open for the solution bound
GUARD = "(declare-const p Bool)\n(assert p)\n"


def _z3_status(text: str) -> Status:
    s = z3.Solver()
    s.add(z3.parse_smt2_string(text))
    r = s.check()
    assert r != z3.unknown
    return Status.SAT if r == z3.sat else Status.UNSAT


def _holds(text: str, model: dict) -> bool:
    s = z3.Solver()
    s.add(z3.parse_smt2_string(text))
    s.add([z3.Int(k) == v for k, v in model.items()])
    return s.check() == z3.sat


@pytest.mark.parametrize("body, widths", [
    # a small model: the first narrow round finds it
    ("(assert (=> p (= (+ (* 3 x) (* 5 y)) (+ z 7))))\n(assert (> (- x y) 2))", "2^2 sat"),
    # a model just past the first round's values: the next one finds it
    ("(assert (=> p (= (+ (* 3 x) (* 5 y)) (+ z 7))))\n(assert (> (- x y) 20))", "2^2 unsat, 2^6 sat"),
    # every model is wide (x = y = 5e9): each narrow round refutes, the full domain answers
    ("(assert (=> p (= (+ x y) 10000000000)))\n(assert (= (- x y) 0))\n"
     "(assert (=> p (= (* 2 z) x)))",
     ", ".join(f"2^{k} unsat" for k in WIDTHS) + ", full"),
    # unsatisfiable: refuted at every width, the full one decides
    ("(assert (=> p (= (+ x y) 10000000000)))\n(assert (= (- x y) 1))\n(assert (> z x))",
     ", ".join(f"2^{k} unsat" for k in WIDTHS) + ", full"),
])
def test_widths_answer_as_z3(body, widths):
    text = HEAD + GUARD + body + "\n(check-sat)\n"
    res = solve_smtlib(text, config=CONFIG)
    assert res.status == _z3_status(text)
    assert res.stats.notes.get("widths") == widths
    if res.status == Status.SAT:
        assert _holds(text, {k: res.model[k] for k in ("x", "y", "z")})


def test_narrowed_stays_inside_the_propagated_bounds():
    text = HEAD + GUARD + "(assert (>= x 1000000))\n(assert (<= y -3))\n" \
        "(assert (=> p (= (+ x y z) 0)))\n"
    norm = normalize_linear(parse(text).assertions)
    assert set(norm.open_sides) == {"x", "y", "z"}
    narrow = narrowed(norm, 6)
    assert narrow.domains["x"] == (1000000, 1000000 + 64)
    assert narrow.domains["y"] == (-3 - 64, -3)
    assert narrow.domains["z"] == (-64, 64)
    assert not narrow.open_sides


def test_the_two_bit_round_only_where_every_domain_is_that_small():
    # w is bounded with 101 values: beside it the 2-bit round would repeat the 2^6
    # round's search on fewer models, so the rounds start at 2^6
    body = ("(declare-const w Int)\n(assert (<= 0 w 100))\n"
            "(assert (=> p (= (+ (* 3 x) (* 5 y)) (+ z w))))\n(assert (> (- x y) 2))")
    text = HEAD + GUARD + body + "\n(check-sat)\n"
    rounds = [k for k, _ in narrow_rounds(normalize_linear(parse(text).assertions))]
    assert rounds[0] == WIDTHS[1] and WIDTHS[0] not in rounds
    res = solve_smtlib(text, config=CONFIG)
    assert res.status == _z3_status(text) == Status.SAT
    assert res.stats.notes.get("widths") == f"2^{WIDTHS[1]} sat"
    assert _holds(text, {k: res.model[k] for k in ("x", "y", "z", "w")})
