"""Elimination of top-level integer equalities (``ir/equalities.py``): the parametrisation
is exact (every integer solution of an equality and nothing else), answers agree with Z3
on formulas with equalities (unit and non-unit coefficients, gcd-infeasible ones), models
are checked by Z3 on the original formula."""

from __future__ import annotations

import itertools
import random

import pytest

from eagersmt.api import solve_smtlib
from eagersmt.config import Config
from eagersmt.ir import equalities
from eagersmt.ir.equalities import eliminate, mod_hat, substitute
from eagersmt.ir.linear import normalize_linear
from eagersmt.result import Status
from eagersmt.smtlib.parser import parse

from .oracle import z3_accepts_model, z3_status
from .smtgen import numeral

z3 = pytest.importorskip("z3")

CONFIG = Config(memo="off", backend="cadical")


def _eliminate(coefs: dict[str, int], b: int, bounds=None):
    names = iter(f"s{i}" for i in itertools.count())
    return eliminate([(coefs, b, ())], [coefs], lambda x: True, lambda: next(names),
                     bounds or {})


def _term(coefs: dict[str, int]) -> str:
    parts = [f"(* {a} {x})" if a >= 0 else f"(* (- {-a}) {x})" for x, a in coefs.items()]
    return parts[0] if len(parts) == 1 else f"(+ {' '.join(parts)})"


def test_mod_hat_is_the_symmetric_remainder():
    for m in range(2, 9):
        for a in range(-30, 31):
            r = mod_hat(a, m)
            assert (a - r) % m == 0 and -m / 2 <= r < m / 2


@pytest.mark.parametrize("coefs,b", [
    ({"x": 6, "y": 10, "z": 15}, 7),
    ({"x": 7, "y": 12, "z": -31}, 17),
    ({"x": 3, "y": 5}, 7),
    ({"x": 4, "y": -6, "z": 9}, 1),
    ({"x": 1, "y": 4}, 3),
])
def test_the_parametrisation_is_every_solution_and_nothing_else(coefs, b):
    """Within a box, the images of the parameters' integer points are exactly the integer
    solutions of the equality."""
    out = _eliminate(coefs, b)
    assert out.eliminated == 1 and not out.infeasible
    sub = out.substitution
    originals = sorted(coefs)
    free = sorted({y for e in sub.values() for y in e[0]} | (set(originals) - set(sub)))
    box = range(-6, 7)
    solutions = {p for p in itertools.product(box, repeat=len(originals))
                 if sum(coefs[x] * v for x, v in zip(originals, p)) == b}
    assert solutions  # (the box holds some, so the test can fail)
    images = set()
    for p in itertools.product(range(-40, 41), repeat=len(free)):
        value = dict(zip(free, p))
        point = tuple(substitute(*sub[x], {})[1] + sum(k * value[y] for y, k in sub[x][0].items())
                      if x in sub else value[x] for x in originals)
        assert sum(coefs[x] * v for x, v in zip(originals, point)) == b
        if all(v in box for v in point):
            images.add(point)
    assert images == solutions


def test_a_gcd_that_does_not_divide_the_constant_is_infeasible():
    assert _eliminate({"x": 6, "y": 10, "z": 4}, 7).infeasible
    assert not _eliminate({"x": 6, "y": 10, "z": 4}, 8).infeasible


def test_a_parameter_gets_a_range_from_the_bounds():
    out = _eliminate({"x": 3, "y": 5}, 7, {"x": (0, 20), "y": (-4, 4)})
    assert out.parameters and all(lo is not None and hi is not None
                                  for lo, hi in out.ranges.values())


@pytest.mark.parametrize("text,expected", [
    # gcd infeasibility
    ("(declare-const x Int) (declare-const y Int) (assert (= (+ (* 2 x) (* 4 y)) 7))", "unsat"),
    ("(declare-const x Int) (declare-const y Int) (declare-const z Int)"
     "(assert (= (+ (* 6 x) (* 10 y) (* 15 z)) 7)) (assert (<= 0 x 3))", "sat"),
    # non-unit coefficients, bounded: 3x + 5y in {0, 3, 5, 8}
    ("(declare-const x Int) (declare-const y Int) (assert (= (+ (* 3 x) (* 5 y)) 7))"
     "(assert (<= 0 x 1)) (assert (<= 0 y 1))", "unsat"),
    ("(declare-const x Int) (declare-const y Int) (assert (= (+ (* 3 x) (* 5 y)) 7))"
     "(assert (<= (- 5) x 5)) (assert (<= (- 5) y 5))", "sat"),
    # a chain of unit equalities, bounds on the eliminated variables
    ("(declare-const a Int) (declare-const b Int) (declare-const c Int) (declare-const d Int)"
     "(assert (= a (+ b c 1))) (assert (= d (- a (* 2 c)))) (assert (<= 0 a 4))"
     "(assert (<= 0 d 2)) (assert (<= 1 c)) (assert (or (> b 0) (< d 1)))", "sat"),
    ("(declare-const a Int) (declare-const b Int) (declare-const c Int)"
     "(assert (= a (+ b c))) (assert (<= 0 b 2)) (assert (<= 0 c 2)) (assert (> a 4))", "unsat"),
    # an equality under a disjunction is not eliminated, one at the top is
    ("(declare-const x Int) (declare-const y Int) (assert (= (+ (* 4 x) (* 6 y)) 10))"
     "(assert (or (= (+ x y) 3) (= (- x y) 7))) (assert (<= (- 9) x 9))", "sat"),
])
def test_answers_with_equalities_agree_with_z3(text, expected):
    text = "(set-logic QF_LIA)" + text
    assert z3_status(text) == expected
    res = solve_smtlib(text + "(check-sat)", config=CONFIG)
    assert res.status.value == expected
    if res.status == Status.SAT:
        assert z3_accepts_model(text, res.model)


def test_the_stats_count_the_eliminated_equalities():
    script = parse("(set-logic QF_LIA) (declare-const x Int) (declare-const y Int)"
                   "(declare-const z Int) (assert (= (+ (* 3 x) (* 5 y) z) 7))"
                   "(assert (= (+ (* 4 x) (* 6 y)) 10)) (assert (<= 0 x 9))")
    norm = normalize_linear(script.assertions)
    assert norm.stats["eliminated_equalities"] == 2
    assert normalize_linear(script.assertions, checkable=True).stats.get(
        "eliminated_equalities", 0) == 0  # (not in the form certificates check)


def _random_formula(rng: random.Random) -> str:
    n = rng.randint(2, 5)
    xs = [f"x{i}" for i in range(n)]
    lines = [f"(declare-const {x} Int)" for x in xs]
    for x in xs:
        if rng.random() < 0.7:
            lo = rng.randint(-8, 0)
            lines.append(f"(assert (<= {numeral(lo)} {x} {numeral(lo + rng.randint(0, 12))}))")

    def sum_() -> dict[str, int]:
        k = rng.randint(1, min(4, n))
        return {x: rng.choice([c for c in range(-6, 7) if c]) for x in rng.sample(xs, k)}

    for _ in range(rng.randint(1, 3)):
        lines.append(f"(assert (= {_term(sum_())} {numeral(rng.randint(-12, 12))}))")
    for _ in range(rng.randint(0, 3)):
        op = rng.choice(["<=", ">=", "<"])
        atom = f"({op} {_term(sum_())} {numeral(rng.randint(-15, 15))})"
        if rng.random() < 0.4:
            atom = f"(or {atom} (= {_term(sum_())} {numeral(rng.randint(-6, 6))}))"
        lines.append(f"(assert {atom})")
    return "(set-logic QF_LIA)" + "".join(lines)


@pytest.mark.parametrize("unbounded", [False, True])
def test_random_systems_with_equalities_agree_with_z3(unbounded, monkeypatch):
    """Under the default rule, and with every equality eliminated whatever the atoms
    become (so that the Omega steps' parametrisation decides the answers)."""
    if unbounded:
        monkeypatch.setattr(equalities, "WIDTH_SLACK", 10**6)
        monkeypatch.setattr(equalities, "COEF_GROWTH", 10**9)
    rng = random.Random(26)
    seen = set()
    for _ in range(80):
        text = _random_formula(rng)
        expected = z3_status(text)
        res = solve_smtlib(text + "(check-sat)", config=CONFIG)
        assert res.status.value == expected, text
        seen.add(expected)
        if res.status == Status.SAT:
            assert z3_accepts_model(text, res.model), text
    assert seen == {"sat", "unsat"}
