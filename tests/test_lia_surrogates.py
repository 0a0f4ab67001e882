"""Surrogates in the default linear encoding (``encode/linear.py: _surrogates``): implied
combinations of the top-level constraints that carry the linear relaxation's bound.
A multi-knapsack asked for more than its optimum is refuted, one asked for the optimum
keeps its models (checked on the formula); both as Z3 says."""

from __future__ import annotations

import random

import pytest

from eagersmt.api import solve_smtlib
from eagersmt.config import Config
from eagersmt.result import Status

z3 = pytest.importorskip("z3")

CONFIG = Config(memo="off", backend="cadical")


def _mknap(n: int, m: int, seed: int, target: int) -> str:
    rng = random.Random(seed)
    values = [rng.randint(10, 60) for _ in range(n)]
    weights = [[rng.randint(5, 40) for _ in range(n)] for _ in range(m)]
    caps = [sum(w) // 2 for w in weights]
    decls = "".join(f"(declare-const x{i} Int)\n(assert (<= 0 x{i} 1))\n" for i in range(n))

    def dot(coefs: list[int]) -> str:
        return "(+ " + " ".join(f"(* {c} x{i})" for i, c in enumerate(coefs)) + ")"

    rows = "".join(f"(assert (<= {dot(w)} {cap}))\n" for w, cap in zip(weights, caps))
    return (f"(set-logic QF_LIA)\n{decls}{rows}(assert (>= {dot(values)} {target}))\n"
            "(check-sat)\n")


def _z3(text: str) -> Status:
    s = z3.Solver()
    s.add(z3.parse_smt2_string(text))
    r = s.check()
    return Status.SAT if r == z3.sat else Status.UNSAT


def _optimum(n: int, m: int, seed: int) -> int:
    o = z3.Optimize()
    o.add(z3.parse_smt2_string(_mknap(n, m, seed, 0)))
    rng = random.Random(seed)
    values = [rng.randint(10, 60) for _ in range(n)]
    h = o.maximize(z3.Sum([values[i] * z3.Int(f"x{i}") for i in range(n)]))
    assert o.check() == z3.sat
    return o.upper(h).as_long()


@pytest.mark.parametrize("seed", [3, 11])
def test_knapsack_above_its_optimum_is_refuted_with_surrogates(seed):
    best = _optimum(18, 3, seed)
    for target, expected in ((best + 1, Status.UNSAT), (best, Status.SAT)):
        text = _mknap(18, 3, seed, target)
        assert _z3(text) == expected
        res = solve_smtlib(text, config=CONFIG)
        assert res.status == expected
        if expected == Status.SAT:  # (checked on the formula by the solver; again here)
            s = z3.Solver()
            s.add(z3.parse_smt2_string(text))
            s.add([z3.Int(k) == v for k, v in res.model.items()])
            assert s.check() == z3.sat


def test_surrogates_are_counted_and_only_where_rows_allow():
    text = _mknap(18, 3, 3, _optimum(18, 3, 3) + 1)
    res = solve_smtlib(text, config=CONFIG)
    assert res.stats.counts.get("surrogates", 0) >= 1
    # a single row: nothing to combine
    one = "(set-logic QF_LIA)\n(declare-const x Int)\n(declare-const y Int)\n" \
          "(assert (<= 0 x 9))\n(assert (<= 0 y 9))\n(assert (<= (+ (* 3 x) (* 5 y)) 20))\n" \
          "(assert (>= (+ x y) 5))\n(check-sat)\n"
    res = solve_smtlib(one, config=CONFIG)
    assert res.status == Status.SAT
    assert "surrogates" not in res.stats.counts


def test_a_surrogate_that_refutes_the_box_ends_the_search():
    """Five 0-1 variables, every pair at most 1, all five at least 3 and the first four
    at least 3: the pair rows summed give 4 * sum <= 10, so a combination refutes the box
    with either long row as the pivot; the search ends at the first that does."""
    from itertools import combinations

    from eagersmt.encode.surrogate import combine, surrogates

    xs = [f"x{i}" for i in range(5)]
    rows = [({a: 1, b: 1}, 1) for a, b in combinations(xs, 2)]
    rows += [({x: -1 for x in xs}, -3), ({x: -1 for x in xs[:4]}, -3)]
    domains = {x: (0, 1) for x in xs}

    def slack(lam: list[int]) -> int:
        coef, bound = combine(rows, lam)
        return bound - sum(c * (domains[x][0] if c > 0 else domains[x][1])
                           for x, c in coef.items())

    found = surrogates(rows, domains)
    assert len(found) == 1 and all(m >= 0 for m in found[0])
    assert slack(found[0]) < 0  # (its minimum over the box exceeds its bound)
