"""Positive equality (``ir/positive.py``): which terms are p-terms, answers against Z3,
maximally diverse models that satisfy the original formula, and the certifying path that
keeps Ackermann's constraints."""

from __future__ import annotations

import random

import pytest

from eagersmt.api import solve_smtlib
from eagersmt.check.model import check_model
from eagersmt.config import Config
from eagersmt.ir.ackermann import FunctionValue
from eagersmt.ir.positive import classify
from eagersmt.result import Status
from eagersmt.smtlib.parser import parse
from eagersmt.tools.fuzz.integers import generate_integer

z3 = pytest.importorskip("z3")

CONFIG = Config(memo="off", backend="cadical")
DECLS = """(set-logic QF_UFLIA)
(declare-fun f (Int) Int) (declare-fun g (Int) Int) (declare-fun p (Int) Bool)
(declare-fun x () Int) (declare-fun y () Int) (declare-fun z () Int)
(declare-fun a () Int) (declare-fun b () Int) (declare-fun c () Bool)
"""


def _p_terms(body: str) -> set[str]:
    """The p-terms of ``DECLS + body`` as SMT-LIB text."""
    script = parse(DECLS + body)
    found = classify(script.assertions)
    from eagersmt.ir.terms import iter_dag

    return {repr(t) for t in iter_dag(script.assertions) if t.id in found.p_terms}


def _z3(text: str) -> str:
    s = z3.Solver()
    s.add(z3.parse_smt2_string(text))
    return str(s.check())


def _check(text: str) -> Status:
    """Solve ``text``; the answer must be Z3's, a model must satisfy the original formula
    (our evaluator) and Z3 must accept it with the constants fixed and every function
    pinned to its table."""
    r = solve_smtlib(text + "\n(check-sat)\n", config=CONFIG)
    assert str(r.status) == _z3(text), text
    if r.status == Status.SAT:
        script = parse(text)
        check_model(script.assertions, r.model)
        pins = []
        for name, v in r.model.items():
            if isinstance(v, FunctionValue):
                for args, value in v.table.items():
                    pins.append(f"(assert (= ({name} {' '.join(_num(a) for a in args)}) "
                                f"{_num(value)}))")
            else:
                pins.append(f"(assert (= {name} {_num(v)}))")
        assert _z3(text + "\n" + "\n".join(pins)) == "sat", (text, r.model)
    return r.status


def _num(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v) if v >= 0 else f"(- {-v})"  # type: ignore[operator]


# -- classification ----------------------------------------------------------------------
def test_disequalities_make_p_terms():
    assert _p_terms("(assert (not (= (f a) (f b))))") == {"(f a)", "(f b)"}
    assert _p_terms("(assert (distinct x y z))") == {"x", "y", "z"}
    assert _p_terms("(assert (not (= (+ x 1) (ite c y (f a)))))") == \
        {"x", "(+ x 1)", "y", "(f a)", "(ite c y (f a))"}


def test_equations_of_positive_polarity_make_no_p_terms():
    # (the assertions are satisfied, not proved valid: an equation they assert is a g-equation)
    assert _p_terms("(assert (= x y))") == set()
    assert _p_terms("(assert (or (= (f a) (f b)) c))") == set()
    assert _p_terms("(assert (not (not (= x y))))") == set()
    assert _p_terms("(assert (=> (not (= x y)) c))") == set()  # (= x y) under two negations


def test_equations_under_ite_conditions_iff_and_predicates_make_no_p_terms():
    # (the branches are p-terms, the condition's terms are not)
    assert _p_terms("(assert (not (= z (ite (= x y) a b))))") == \
        {"z", "a", "b", "(ite (= x y) a b)"}
    assert _p_terms("(assert (= c (= x y)))") == set()
    assert _p_terms("(assert (xor c (= x y)))") == set()
    assert _p_terms("(assert (p (ite (not (= x y)) a b)))") == set()


def test_arithmetic_and_arguments_make_g_terms():
    assert _p_terms("(assert (not (= x y))) (assert (<= x 3))") == {"y"}
    assert _p_terms("(assert (not (= x (* 2 y))))") == {"x"}
    assert _p_terms("(assert (not (= x (+ y z))))") == {"x"}
    assert _p_terms("(assert (not (= (f x) y)))") == {"(f x)", "y"}  # x: an argument
    # an application that is an argument makes its function a g-function everywhere
    assert _p_terms("(assert (not (= (f a) (f b)))) (assert (not (= (g (f a)) z)))") == \
        {"(g (f a))", "z"}


# -- answers and models --------------------------------------------------------------------
CASES = [
    # p-terms found: the reduced formula decides it
    "(assert (not (= (f a) (f b))))",
    "(assert (not (= (f a) (f b)))) (assert (= a b))",
    "(assert (not (= (f a) (f b)))) (assert (<= 0 a 1)) (assert (<= 0 b 1)) (assert (not (= a b)))",
    "(assert (distinct x y z))",
    "(assert (distinct x y z)) (assert (distinct (f x) (f y) (f z)))",
    "(assert (not (= (+ x 1) (+ y 2))))",
    "(assert (not (= (+ x 1) (+ x 1))))",
    "(assert (not (= (+ x 1) (- (+ x 3) 2))))",
    "(assert (not (= (ite c x y) (ite c x z))))",
    "(assert (not (= (ite c x y) (ite (not c) y x))))",
    "(assert (not (= (ite (= a 1) (f a) x) (ite (= b 1) (f b) x)))) (assert (= a b))",
    "(assert (not (= (f a) 5))) (assert (not (= (f b) a)))",
    "(assert (or (not (= (f a) (f b))) (not (= x y)))) (assert (= a b))",
    "(assert (=> (= a b) (not (= (f a) (f b)))))",
    "(assert (not (= (f (+ a 1)) (f b)))) (assert (= b (+ a 1)))",
    "(assert (not (and (= (f a) (f b)) (= x y)))) (assert (= a b))",
    # and where they must not be
    "(assert (= x y)) (assert (not (= x z)))",
    "(assert (= (f a) (f b))) (assert (not (= a b)))",
    "(assert (ite (= x y) (< a b) (> a b))) (assert (= a b))",
    "(assert (= c (= (f a) (f b)))) (assert c) (assert (= a b))",
    "(assert (not (= x y))) (assert (<= x 3)) (assert (>= x 3)) (assert (<= y 3)) (assert (>= y 3))",
    "(assert (not (= (g (f a)) (g (f b))))) (assert (= a b))",
    "(assert (not (= (f a) (f b)))) (assert (= (g (f a)) 1)) (assert (= (g (f b)) 2))",
    "(assert (p x)) (assert (not (p y))) (assert (not (= x z)))",
]


@pytest.mark.parametrize("body", CASES)
def test_answers_agree_with_z3_and_models_hold(body):
    _check(DECLS + body)


def test_stats_count_p_terms_and_saved_constraints():
    r = solve_smtlib(DECLS + "(assert (distinct (f a) (f b) (f x))) (assert (distinct y z))"
                             "(assert (<= 0 a 3)) (assert (<= 0 b 3)) (assert (<= 0 x 3))"
                             "(check-sat)", config=CONFIG)
    assert r.status == Status.SAT
    assert r.stats.counts["p_term_applications"] == 3
    assert r.stats.counts["p_term_vars"] == 2
    assert r.stats.counts["consistency_saved"] == 3
    assert r.model["y"] != r.model["z"]


def test_a_formula_without_p_terms_says_none():
    r = solve_smtlib(DECLS + "(assert (= (f a) (f b))) (check-sat)", config=CONFIG)
    assert r.status == Status.SAT
    assert "p_term_applications" not in r.stats.counts


def test_offsets_keep_diverse_values_apart():
    """``x + 3`` and ``y - 3`` must stay different although the values are fresh."""
    r = solve_smtlib(DECLS + "(assert (not (= (+ x 3) (- y 3)))) (assert (not (= x (+ y 1))))"
                             "(assert (not (= (f a) (+ x 5)))) (check-sat)", config=CONFIG)
    assert r.status == Status.SAT
    m = r.model
    assert m["x"] + 3 != m["y"] - 3 and m["x"] != m["y"] + 1


def test_the_certifying_path_keeps_ackermann(tmp_path):
    """``--proof`` normalizes without positive equality: Ackermann's constraints, which
    the certificate checker re-derives, and the certificate checks."""
    from eagersmt.api import solve_file
    from eagersmt.check.proof import check_certificate

    path = tmp_path / "pe.smt2"
    path.write_text(DECLS + "(assert (not (= (f a) (f b)))) (assert (= a b)) (check-sat)\n")
    cert = tmp_path / "cert"
    r = solve_file(str(path), config=Config(memo="off", backend="cadical", proof=str(cert)))
    assert r.status == Status.UNSAT
    assert "p_term_applications" not in r.stats.counts
    report = check_certificate(str(cert), str(path))
    assert report.counts["ackermann"] == 1


def test_random_equational_formulas_agree_with_z3():
    """The fuzzer's ``euf`` shape (equations, disequations, ``ite``, offsets, functions)."""
    rng = random.Random(7)
    found = 0
    for i in rng.sample(range(10_000), 60):
        text = generate_integer(26, i, "euf").text
        body = "\n".join(line for line in text.splitlines()
                         if not line.startswith(("(check-sat", "(get-")))
        found += bool(classify(parse(body).assertions).p_terms)
        _check(body)
    assert found >= 10  # (the shape does exercise positive equality)
