"""Cube and conquer on linear formulas: the split space of a linear encoding (its atoms and
0-1 variables; the top bits of log-encoded integers), answers against brute force and Z3 at
every cube level, cubes that cover every model."""

from __future__ import annotations

import itertools
import random

import pytest
import z3

from eagersmt import Config, Status
from eagersmt.api import solve_smtlib
from eagersmt.compile import compile_script
from eagersmt.cube import check_coverage, make_cuber
from eagersmt.cube.smt import split_space
from eagersmt.smtlib.parser import parse

LEVELS = ("smt", "bounds", "smt+bounds", "cnf")


def _subset_sum(seed: int, reachable: bool) -> tuple[str, bool]:
    """``sum w_i * x_i = T`` and ``sum v_i * x_i = U`` over 0-1 integers (and a wide integer
    ``y`` in a third constraint), each reachable alone, both at once or not (decided by
    enumeration)."""
    rng = random.Random(seed)
    n = 11
    w = [rng.randint(5, 40) for _ in range(n)]
    v = [rng.randint(5, 40) for _ in range(n)]
    both = {(sum(a for a, b in zip(w, bits) if b), sum(a for a, b in zip(v, bits) if b))
            for bits in itertools.product((0, 1), repeat=n)}
    ts, us = sorted({t for t, _ in both}), sorted({u for _, u in both})
    while True:
        t, u = rng.choice(ts[len(ts) // 3:-len(ts) // 3]), rng.choice(us[len(us) // 3:-len(us) // 3])
        if ((t, u) in both) == reachable:
            break
    decls = "".join(f"(declare-const x{i} Int)(assert (<= 0 x{i} 1))" for i in range(n))
    sum_w = "(+ " + " ".join(f"(* {a} x{i})" for i, a in enumerate(w)) + ")"
    sum_v = "(+ " + " ".join(f"(* {a} x{i})" for i, a in enumerate(v)) + ")"
    text = (f"(set-logic QF_LIA){decls}(declare-const y Int)(assert (<= 0 y 1000))"
            f"(assert (= {sum_w} {t}))(assert (= {sum_v} {u}))"
            f"(assert (= (+ y (* 3 x0)) (+ (* 2 x1) 500)))(check-sat)")
    return text, reachable


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed,reachable", [(1, True), (2, False), (3, False)])
def test_cubed_linear_answers_are_right(level, seed, reachable):
    text, sat = _subset_sum(seed, reachable)
    s = z3.Solver()
    s.from_string(text)
    assert (s.check() == z3.sat) == sat  # the instance is what it claims
    res = solve_smtlib(text, config=Config(cubes="4", jobs=2, cube_level=level, memo="off"))
    assert res.status == (Status.SAT if sat else Status.UNSAT)
    if sat:  # (checked by eagersmt on the formula too)
        m = res.model
        assert m["y"] + 3 * m["x0"] == 2 * m["x1"] + 500
    counts = res.stats.counts
    assert counts.get("cubes", 0) >= 2 and res.stats.notes.get("conquer") == "local"
    if not sat:  # every cube refuted
        assert counts["cubes_refuted"] == counts["cubes_total"] >= 2


@pytest.mark.parametrize("level", LEVELS)
def test_linear_split_spaces_cover_every_model(level, monkeypatch):
    # (without surrogates: on this instance they fix so much at the root that nothing is
    # left to split, and the split space is what this test is about)
    monkeypatch.setattr("eagersmt.encode.linear.surrogates", lambda rows, domains: [])
    text, _ = _subset_sum(4, True)
    compiled = compile_script(parse(text), Config(cube_level=level))
    space = split_space(compiled.enc, level)
    if level == "cnf":
        assert space.variables is None
    else:
        assert space.variables  # atoms, 0-1 variables or top bits: never empty
        assert all(0 < v <= compiled.cnf.nvars for v in space.variables)
    cs = make_cuber(8).cubes(compiled.cnf, variables=space.variables, ladders=space.ladders)
    assert cs.status == Status.SAT or len(cs.cubes) >= 2
    assert check_coverage(compiled.cnf, cs.cubes)


@pytest.mark.slow
def test_ray_conquers_a_linear_formula():
    pytest.importorskip("ray")
    text, _ = _subset_sum(2, False)
    res = solve_smtlib(text, config=Config(cubes="4", jobs=2, ray="local", memo="off"))
    assert res.status == Status.UNSAT
    assert res.stats.notes.get("conquer") == "ray (local)"
    assert res.stats.counts["cubes_refuted"] == res.stats.counts["cubes_total"] >= 2
