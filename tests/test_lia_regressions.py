"""Findings of the integer differential campaign (``eagersmt fuzz --family integers``),
minimized, each against Z3."""

from __future__ import annotations

import z3

from eagersmt import Config, Status
from eagersmt.api import solve_smtlib
from eagersmt.session import Session


def _z3(text: str) -> str:
    s = z3.Solver()
    s.from_string(text)
    return str(s.check())


# Seed 2026, case 2704 (shape linear): x3 in [0, 12] with |x3| > 10 is sat (x3 = 11), but the
# unbounded x0, x1 make the normalizer take the solution bound B = 7, and it clipped every
# variable to [-B, B] -- x3 and the abs variable too, whose values a model keeps -- so the
# answer was unsat.  The bound may only restrict the variables it was computed for (those
# without both bounds): ``_Linearizer.bounds`` in ir/linear.py.
SOLUTION_BOUND_CLIP = """(set-logic QF_LIA)
(declare-const x0 Int)
(declare-const x1 Int)
(declare-fun x3 () Int)
(assert (<= 0 x3 12))
(assert (<= x0 x1))
(assert (> (abs x3) (* 2 5)))
(check-sat)
"""


# Seed 2026, case 53958 (shape uf): the same clipping: f's result is 9, B is 3.
SOLUTION_BOUND_CLIP_UF = """(set-logic QF_UFLIA)
(declare-fun g (Int Int) Int)
(declare-fun f (Int) Int)
(declare-fun x1 () Int)
(assert (= 9 (f (g 0 x1))))
(check-sat)
"""


def test_the_solution_bound_does_not_clip_bounded_variables():
    assert _z3(SOLUTION_BOUND_CLIP) == "sat"
    res = solve_smtlib(SOLUTION_BOUND_CLIP, config=Config(memo="off"))
    assert res.status == Status.SAT and res.model["x3"] in (11, 12)


def test_the_solution_bound_does_not_clip_a_function_result():
    assert _z3(SOLUTION_BOUND_CLIP_UF) == "sat"
    res = solve_smtlib(SOLUTION_BOUND_CLIP_UF, config=Config(memo="off"))
    assert res.status == Status.SAT


def test_the_solution_bound_does_not_clip_a_quotient():
    """Seed 2026, case 54364 (shape linear): the quotient of ``div`` is 6, ``x1`` has one
    side open: the same clipping."""
    text = ("(set-logic QF_UFLIA)(declare-fun x1 () Int)(declare-const x2 Int)"
            "(assert (and (< x1 1) (= (div x2 4) 6)))(check-sat)")
    assert _z3(text) == "sat"
    res = solve_smtlib(text, config=Config(memo="off"))
    assert res.status == Status.SAT and 24 <= res.model["x2"] <= 27


def test_get_value_of_a_function_no_assertion_applies():
    """Seed 0, case 79 (shape incremental): ``get-value`` of an application of a function
    that no assertion applies was an internal error (the model had no table for it); any
    value is right, the same one for the same arguments."""
    text = ("(set-logic QF_UFLIA)(declare-fun h (Bool) Int)(declare-fun x0 () Int)"
            "(declare-const x3 Int)(assert (> x3 x0))(check-sat)"
            "(get-value ((h (= x3 x0)) (+ (h (= x3 x0)) 1) x0))")
    session = Session(config=Config(memo="off"))
    try:
        lines = list(session.run_text(text))
    finally:
        session.close()
    assert lines[0] == "sat"
    assert lines[1] == "(((h (= x3 x0)) 0) ((+ (h (= x3 x0)) 1) 1) (x0 " + lines[1].split("(x0 ")[1]
