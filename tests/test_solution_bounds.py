"""Solution bounds (``ir/solution_bounds.py``): formulas whose only models are far out
(values forced up through chains of differences or of doublings) answered as Z3 does,
models checked by Z3 on the original formula; which bound ``--stats`` names; the smaller
of the two is the one used."""

from __future__ import annotations

import random

import pytest

from eagersmt.config import Config
from eagersmt.ir.solution_bounds import (GATHEN_SIEVEKING, SESHIA_BRYANT, gathen_sieveking,
                                         reduced_rows, seshia_bryant, solution_bound)
from eagersmt.result import Status

from .oracle import solved_as_z3
from .smtgen import numeral

z3 = pytest.importorskip("z3")

CONFIG = Config(memo="off", backend="cadical")


def _solve(text: str):
    return solved_as_z3(text, CONFIG)


def test_separation_rows_give_the_difference_bound():
    rows = [({"x": 1, "y": -1}, 7), ({"y": 1}, 3), ({"x": -2, "y": 2}, 9)]  # (the last: x - y)
    assert seshia_bryant(rows, 2) == (2 + 2) * min(3, 3) * (9 + 1)


def test_each_non_separation_row_multiplies_by_width_times_coefficient():
    rows = [({"x": 1, "y": -1}, 7), ({"x": 3, "y": 2, "z": 1}, 4), ({"x": 1, "z": 1}, 2)]
    assert seshia_bryant(rows, 3) == (3 + 2) * 3 * (7 + 1) * (3 * 3) ** 2


def test_the_smaller_bound_is_used():
    atoms = [((("x", 1), ("y", -1)), 5), ((("y", 1), ("z", -1)), -3), ((("x", 2), ("z", 3)), 4)]
    lo = {"x": None, "y": None, "z": 0}
    hi = {"x": None, "y": None, "z": None}
    rows = reduced_rows(atoms, {"x", "y", "z"}, lo, hi)
    bound, method = solution_bound(atoms, {"x", "y", "z"}, lo, hi)
    sb, gs = seshia_bryant(rows, 3), gathen_sieveking(rows, 3)
    assert bound == min(sb, gs)
    assert method == (SESHIA_BRYANT if sb <= gs else GATHEN_SIEVEKING)


def _difference_chain(n: int, gap: int, extra: str) -> str:
    """``x_{i+1} - x_i >= gap`` from ``x_0 >= 0``: ``x_n`` is at least ``n * gap``; one
    constraint with coefficients on ``x_n`` (``extra``) keeps it outside difference logic."""
    lines = ["(set-logic QF_LIA)"] + [f"(declare-const x{i} Int)" for i in range(n + 1)]
    lines += ["(declare-const y Int)", "(assert (>= x0 0))"]
    lines += [f"(assert (>= (- x{i + 1} x{i}) {gap}))" for i in range(n)]
    lines += [extra.format(last=f"x{n}"), "(check-sat)"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("n,gap", [(10, 1000), (30, 1000), (25, 100_000)])
def test_a_long_difference_chain_is_bounded_by_seshia_bryant(n, gap):
    text = _difference_chain(n, gap, "(assert (= (+ (* 3 {last}) (* 5 y)) 7))")
    res = _solve(text)
    assert res.status == Status.SAT and res.model[f"x{n}"] >= n * gap
    assert res.stats.notes["solution_bound"] == SESHIA_BRYANT


@pytest.mark.parametrize("n,gap", [(12, 1000), (20, 50_000)])
def test_a_far_out_chain_that_cannot_close_is_unsat(n, gap):
    # x_n >= n * gap and 2 x_n + 4 y = 1 has no integer solution: unsat for parity, not width
    text = _difference_chain(n, gap, "(assert (= (+ (* 2 {last}) (* 4 y)) 1))")
    assert _solve(text).status == Status.UNSAT
    text = _difference_chain(n, gap, f"(assert (or (< (+ {{last}} y) {n * gap - 5}) "
                                     f"(= (+ (* 2 {{last}}) (* 4 y)) 2)))")
    res = _solve(text)
    assert res.status == Status.SAT


@pytest.mark.parametrize("k", [4, 12, 30, 50])
def test_doubling_chains_reach_two_to_the_k(k):
    """``x_{i+1} >= 2 x_i + 1`` from ``x_0 >= 1``: the only models have ``x_k >= 2^(k+1) - 1``
    (every step a constraint with a coefficient, so both bounds grow with ``k``)."""
    lines = ["(set-logic QF_LIA)"] + [f"(declare-const x{i} Int)" for i in range(k + 1)]
    lines.append("(assert (>= x0 1))")
    lines += [f"(assert (>= (- x{i + 1} (* 2 x{i})) 1))" for i in range(k)]
    lines += [f"(assert (or (>= x{k} {2 ** (k + 1) - 1}) (< x0 0)))", "(check-sat)"]
    text = "\n".join(lines) + "\n"
    res = _solve(text)
    assert res.status == Status.SAT and res.model[f"x{k}"] >= 2 ** (k + 1) - 1
    assert res.stats.notes["solution_bound"] in (SESHIA_BRYANT, GATHEN_SIEVEKING)


def _random_far(r: random.Random) -> str:
    """Open variables pushed apart by large differences, a few constraints with
    coefficients, Boolean structure (negations count: their constants are ``b + 1``)."""
    n = r.randint(3, 7)
    xs = [f"x{i}" for i in range(n)]
    lines = ["(set-logic QF_LIA)"] + [f"(declare-const {x} Int)" for x in xs]
    atoms = []
    for _ in range(r.randint(n, 2 * n)):
        a, b = r.sample(xs, 2)
        atoms.append(f"(>= (- {a} {b}) {numeral(r.randint(-3000, 3000))})")
    for _ in range(r.randint(1, 3)):
        k = r.randint(2, 3)
        terms = " ".join(f"(* {numeral(r.choice([-4, -3, -2, 2, 3, 5]))} {x})"
                         for x in r.sample(xs, k))
        op = r.choice(["=", "<=", ">="])
        atoms.append(f"({op} (+ {terms}) {numeral(r.randint(-50, 50))})")
    r.shuffle(atoms)
    i = 0
    while i < len(atoms):
        if r.random() < 0.25 and i + 1 < len(atoms):
            lines.append(f"(assert (or {atoms[i]} (not {atoms[i + 1]})))")
            i += 2
        else:
            lines.append(f"(assert {atoms[i]})")
            i += 1
    return "\n".join(lines + ["(check-sat)"]) + "\n"


def test_random_far_out_systems_againstz3_status():
    bounded = 0
    for seed in range(40):
        res = _solve(_random_far(random.Random(seed)))
        bounded += "solution_bound" in res.stats.notes
    assert bounded > 10
