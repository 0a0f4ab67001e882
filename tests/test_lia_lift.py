"""Atoms over ``ite`` trees lifted into the atom (``ir/linear.py``'s ``lifted``): nested
program-counter ``ite``s over constants, data ``ite``s over variables, sums of several
trees, big sentinel constants.  Answers against Z3, sat models checked by Z3 on the
original formula, under the default limits and under limits small enough that every
fallback (a variable per tree, ``arith``'s fresh variables) is taken."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from eagersmt.config import Config
from eagersmt.ir import linear
from tests.oracle import solved_as_z3
from tests.smtgen import numeral

pytest.importorskip("z3")

CONFIG = Config(memo="off", backend="cadical")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import gen_lia  # noqa: E402


def _check(text: str):
    return solved_as_z3(text, CONFIG)


def _tree(r: random.Random, names: list[str], conds: list[str], depth: int) -> str:
    """An ``ite`` tree: leaves constants (a sentinel now and then), variables, ``x + c``,
    ``-x``; inner nodes sometimes ``tree + c``."""
    if depth == 0 or r.random() < 0.25:
        x = r.choice(names)
        return r.choice([numeral(r.randint(-4, 6)), x, f"(+ {x} {numeral(r.randint(-3, 3))})",
                         f"(* (- 1) {x})", "2147483647", f"(- {x} {r.choice(names)})"])
    node = (f"(ite {r.choice(conds)} {_tree(r, names, conds, depth - 1)} "
            f"{_tree(r, names, conds, depth - 1)})")
    return f"(+ {node} {r.randint(-2, 2)})" if r.random() < 0.2 else node


def _script(r: random.Random) -> str:
    names = [f"x{i}" for i in range(r.randint(2, 4))]
    bools = [f"b{i}" for i in range(r.randint(1, 3))]
    lines = ["(set-logic QF_LIA)", *(f"(declare-const {x} Int)" for x in names),
             *(f"(declare-const {b} Bool)" for b in bools),
             f"(assert (<= (* 2 {names[0]}) (+ {names[1]} 7)))",  # (not difference logic)
             *(f"(assert (<= (- 9) {x} 9))" for x in names)]
    conds = bools + [f"(<= {a} {numeral(r.randint(-3, 3))})" for a in names] + \
        [f"(< {a} {b})" for a, b in zip(names, names[1:])]
    for _ in range(r.randint(2, 5)):
        sides = [[_tree(r, names, conds, r.randint(1, 4)) for _ in range(r.randint(1, 3))]
                 for _ in range(2)]
        left, right = (f"(+ {' '.join(s)})" if len(s) > 1 else s[0] for s in sides)
        atom = f"({r.choice(['<=', '<', '=', '>=', '>'])} {left} {right})"
        lines.append(f"(assert {atom if r.random() < 0.6 else f'(or (not {atom}) {r.choice(bools)})'})")
    lines.append("(check-sat)")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("limits", [(linear.PRODUCT_LIMIT, linear.LIFT_LIMIT), (2, 4096), (2, 3)],
                         ids=["default", "tree-variables", "fresh-variables"])
def test_ite_sums_answered_as_z3(monkeypatch, limits):
    monkeypatch.setattr(linear, "PRODUCT_LIMIT", limits[0])
    monkeypatch.setattr(linear, "LIFT_LIMIT", limits[1])
    r = random.Random(7)
    answers = set()
    for _ in range(30):
        text = _script(r)
        answers.add(str(_check(text).status))
    assert answers == {"sat", "unsat"}


def test_programs_answered_as_z3():
    answers = []
    for seed in range(12):
        decls, body = gen_lia.program(random.Random(seed), n=6, m=3, k=8)
        text = "\n".join(["(set-logic QF_LIA)", *decls, *body, "(check-sat)"]) + "\n"
        answers.append(str(_check(text).status))
    assert "unsat" in answers


def test_program_counter_chain_needs_no_variable():
    """``pc`` a chain of ``ite``s over label constants, each step over the last: every
    comparison with it becomes a Boolean function of the conditions, so ``x`` and ``y``
    stay a difference class and no variable is added."""
    lines = ["(set-logic QF_LIA)", "(declare-const x Int)", "(declare-const y Int)"]
    pc = "0"
    for t in range(12):
        pc = (f"(let ((p {pc})) (ite (= p 0) (ite (<= x {t}) 1 2) (ite (= p 1) "
              f"(ite (< y x) 0 3) (ite (= p 2) 0 p))))")
    lines += [f"(assert (= {pc} 3))", "(assert (<= (- x y) 0))",
              "(declare-const z Int)(declare-const w Int)",  # (a class outside difference
              "(assert (= (+ (* 2 z) (* 3 w)) 7))", "(check-sat)"]  # logic, beside them)
    text = "\n".join(lines) + "\n"
    res = _check(text)
    counts = res.stats.counts
    assert counts["int_vars"] == counts["difference_int_vars"] == 2  # (z, w eliminated)


def test_two_data_trees_get_a_variable_each_past_the_product_limit(monkeypatch):
    """``a`` and ``b`` trees over variables: lifted together their cases multiply; past
    ``PRODUCT_LIMIT`` each becomes one variable whose definition is lifted."""
    monkeypatch.setattr(linear, "PRODUCT_LIMIT", 2)
    a = "(ite p x0 (ite q (+ x1 2) x2))"
    b = "(ite q x3 (ite p x4 (- x0 1)))"
    text = ("(set-logic QF_LIA)\n" + "".join(f"(declare-const x{i} Int)" for i in range(5))
            + "(declare-const p Bool)(declare-const q Bool)\n"
            f"(assert (< {a} {b}))(assert (or p (= x0 (+ x3 1))))\n"
            "(assert (<= (* 2 x0) (+ x1 x2)))(check-sat)\n")
    res = _check(text)
    assert str(res.status) == "sat"
    assert res.stats.counts["int_vars"] > 5  # (the trees' variables)
