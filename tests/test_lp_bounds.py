"""Bounds from the linear relaxation (``ir/lp_bounds.py``) and the integer-infeasibility
check of the top-level equalities (``ir/equalities.integer_infeasible``): bounds against
brute force, formulas answered as Z3 does, models checked by Z3 on the original formula,
and the relaxation's bounds replacing the solution bound where it closes every side."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from eagersmt.config import Config
from eagersmt.ir.equalities import integer_infeasible
from eagersmt.ir.lp_bounds import Infeasible, lp_bounds, lp_minimum

from .oracle import solved_as_z3
from .smtgen import numeral

z3 = pytest.importorskip("z3")

CONFIG = Config(memo="off", backend="cadical")


def _solve(text: str):
    res = solved_as_z3(text, CONFIG)
    return res, res.stats


def _script(names, rows) -> str:
    decl = "".join(f"(declare-const {x} Int)" for x in names)
    body = "".join(
        f"(assert (<= (+ {' '.join(f'(* {numeral(a)} {x})' for x, a in coefs.items())} 0) {numeral(b)}))"
        for coefs, b in rows)
    return f"(set-logic QF_LIA){decl}{body}(check-sat)"


def test_a_triangle_interval_propagation_cannot_close_is_bounded_exactly():
    # x - y <= 3, y - 2x <= 0, -x - y <= -4 ... every row open on a side
    rows = [({"x": 2, "y": 1}, 20), ({"x": -1, "y": 2}, 6), ({"x": -1, "y": -3}, -5)]
    got = lp_bounds(rows, ["x", "y"])
    # vertices: (7, 6)? solve exactly: 2x + y = 20 & -x + 2y = 6 -> x = 34/5, y = 32/5;
    # 2x + y = 20 & -x - 3y = -5 -> x = 11, y = -2; -x + 2y = 6 & -x - 3y = -5 -> y = 11/5, x = -8/5
    assert got == {"x": (-1, 11), "y": (-2, 6)}


@pytest.mark.parametrize("seed", range(40))
def test_bounds_are_the_rational_optima_rounded_inwards(seed):
    rng = random.Random(seed)
    names = ["x", "y", "z"]
    rows = [({x: rng.randint(-4, 4) for x in names}, rng.randint(-6, 12)) for _ in range(rng.randint(3, 6))]
    try:
        got = lp_bounds(rows, names)
    except Infeasible:
        # no rational point: z3 over the reals agrees
        s = z3.Solver()
        v = {x: z3.Real(x) for x in names}
        s.add([z3.Sum([a * v[x] for x, a in c.items()]) <= b for c, b in rows])
        assert s.check() == z3.unsat
        return
    v = {x: z3.Real(x) for x in names}
    for x, (lo, hi) in got.items():
        for side, bound in (("lo", lo), ("hi", hi)):
            opt = z3.Optimize()
            opt.add([z3.Sum([a * v[y] for y, a in c.items()]) <= b for c, b in rows])
            h = opt.maximize(v[x]) if side == "hi" else opt.minimize(v[x])
            assert opt.check() == z3.sat
            val = opt.upper(h) if side == "hi" else opt.lower(h)
            if bound is None:  # open: unbounded over the reals
                assert "oo" in str(val)
                continue
            q = Fraction(str(z3.simplify(z3.ToReal(val) if z3.is_int(val) else val)))
            assert bound == (q.numerator // q.denominator if side == "hi"
                             else -((-q.numerator) // q.denominator))


def test_an_infeasible_relaxation_raises():
    with pytest.raises(Infeasible):
        lp_bounds([({"x": 1, "y": 1}, 3), ({"x": -1, "y": -1}, -4)], ["x"])


@pytest.mark.parametrize("seed", range(25))
def test_closed_polytopes_need_no_solution_bound_and_answer_asz3_status(seed):
    rng = random.Random(100 + seed)
    n = rng.randint(3, 6)
    names = [f"x{i}" for i in range(n)]
    rows = []
    for _ in range(n + 1 + rng.randint(0, 3)):  # every row over 2+ variables
        xs = rng.sample(names, rng.randint(2, n))
        rows.append(({x: rng.choice([-3, -2, -1, 1, 2, 3]) for x in xs}, rng.randint(-5, 15)))
    text = _script(names, rows)
    res, stats = _solve(text)
    expected_closed = _relaxation_closed(names, rows)
    if expected_closed and str(res.status) != "unsat":
        assert "solution_bound_bits" not in stats.counts


def _relaxation_closed(names, rows) -> bool:
    try:
        got = lp_bounds(rows, names)
    except Infeasible:
        return False
    return all(lo is not None and hi is not None for lo, hi in got.values())


def test_a_cut_lemma_shape_is_closed_by_the_relaxation():
    # a simplex of rows with coefficients, each open alone; the relaxation bounds it
    rows = [({"a": 1, "b": -1, "c": 2}, 5), ({"a": -2, "b": 1}, 1), ({"b": -1, "c": -1}, 3),
            ({"a": 1, "b": 1, "c": -1}, 4)]
    text = _script(["a", "b", "c"], rows)
    res, stats = _solve(text)
    assert str(res.status) == "sat"
    assert "solution_bound_bits" not in stats.counts


def test_equalities_without_an_integer_solution_together():
    # x + 2y = 1 and x + 2z = 0: 2(y - z) = 1, no integer solution; each alone has one
    assert integer_infeasible([({"x": 1, "y": 2}, 1, ()), ({"x": 1, "z": 2}, 0, ())])
    assert not integer_infeasible([({"x": 1, "y": 2}, 1, ())])
    assert not integer_infeasible([({"x": 3, "y": 5}, 1, ()), ({"x": 1, "z": 7}, 4, ())])
    assert integer_infeasible([({"x": 6, "y": 10, "z": 14}, 3, ())])


@pytest.mark.parametrize("seed", range(30))
def test_random_equality_systems_answer_asz3_status(seed):
    rng = random.Random(500 + seed)
    names = [f"v{i}" for i in range(rng.randint(3, 6))]
    parts = [f"(declare-const {x} Int)" for x in names]
    for x in names:
        parts.append(f"(assert (and (<= (- 30) {x}) (<= {x} 30)))")
    for _ in range(rng.randint(2, 4)):
        xs = rng.sample(names, rng.randint(2, 3))
        lhs = " ".join(f"(* {numeral(rng.choice([-6, -4, -3, -2, 2, 3, 4, 6]))} {x})" for x in xs)
        parts.append(f"(assert (= (+ {lhs}) {numeral(rng.randint(-9, 9))}))")
    if rng.random() < 0.5:
        a, b = rng.sample(names, 2)
        parts.append(f"(assert (or (< (+ {a} {b}) 3) (> (- {a} {b}) 5)))")
    text = "(set-logic QF_LIA)" + "".join(parts) + "(check-sat)"
    _solve(text)


@pytest.mark.parametrize("seed", range(30))
def test_the_minimum_of_an_objective_is_the_rational_optimum(seed):
    # several variables in the objective: more than one basic column is priced
    rng = random.Random(500 + seed)
    names = [f"x{i}" for i in range(rng.randint(2, 5))]
    rows = [({x: rng.randint(-4, 4) for x in rng.sample(names, rng.randint(1, len(names)))},
             rng.randint(-6, 12)) for _ in range(rng.randint(2, 7))]
    objective = {x: rng.choice([-3, -1, 1, 2, 5]) for x in rng.sample(names, rng.randint(2, len(names)))}
    v = {x: z3.Real(x) for x in names}
    opt = z3.Optimize()
    opt.add([z3.Sum([a * v[x] for x, a in c.items()]) <= b for c, b in rows])
    h = opt.minimize(z3.Sum([a * v[x] for x, a in objective.items()]))
    try:
        got = lp_minimum(rows, objective)
    except Infeasible:
        assert opt.check() == z3.unsat
        return
    assert opt.check() == z3.sat
    low = opt.lower(h)
    if got is None:  # unbounded below
        assert "oo" in str(low)
        return
    value, tight = got
    assert value == Fraction(str(z3.simplify(z3.ToReal(low) if z3.is_int(low) else low)))
    # the rows tight in the optimal basis admit a point at the optimum where all of them hold
    # with equality
    s = z3.Solver()
    s.add([z3.Sum([a * v[x] for x, a in c.items()]) <= b for c, b in rows])
    s.add([z3.Sum([a * v[x] for x, a in rows[i][0].items()]) == rows[i][1] for i in tight])
    s.add(z3.Sum([a * v[x] for x, a in objective.items()]) == z3.RealVal(str(value)))
    assert s.check() == z3.sat
