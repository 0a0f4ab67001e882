"""The local search for a model (``core/local_search.py``): tried before the SAT search of
linear formulas whose domains are too wide for the order encoding; its models are decoded
and checked like every model, and Z3 judges both the answer and the model."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import pytest

from eagersmt.api import solve_smtlib
from eagersmt.check.model import check_model
from eagersmt.config import Config
from eagersmt.core.disjunct_walk import DisjunctWalk
from eagersmt.core.local_search import Walk, applies
from eagersmt.ir.linear import normalize_linear
from eagersmt.result import Status
from eagersmt.smtlib.parser import parse

pytest.importorskip("z3")

CONFIG = Config(memo="off", backend="cadical")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import gen_lia  # noqa: E402

from .oracle import z3_accepts_model, z3_status  # noqa: E402


def _tanks(seed: int, cap: int, n: int = 3, k: int = 6) -> str:
    decls, body = gen_lia.tanks(random.Random(seed), n=n, k=k, cap=cap)
    return "\n".join(["(set-logic QF_LIA)", *decls, *body, "(check-sat)"]) + "\n"


def _walk(text: str, seed: int = 0):
    script = parse(text)
    norm = normalize_linear(script.assertions)
    assert applies(norm)
    walk = Walk(norm, seed)
    values = walk.run(time.perf_counter() + 20)
    if values is None:
        return script, None
    return script, norm.decode(*walk.model(values), list(script.declarations))


def test_walk_models_of_tank_schedules_satisfy_the_formula():
    """Every model the walk returns satisfies the original formula (our checker and Z3's);
    on these small schedules it finds some (Z3 says which are satisfiable)."""
    found = 0
    for seed in range(6):
        for cap in (1500, 3000, 6000):
            text = _tanks(seed, cap)
            script, model = _walk(text, seed)
            if model is None:
                continue
            check_model(script.assertions, model)
            assert z3_accepts_model(text, model)
            found += 1
    assert found >= 10


def test_disjunct_walk_models_of_tank_schedules_satisfy_the_formula():
    """The walk over the disjunctions' choices: every model it returns satisfies the
    original formula (our checker and Z3's), on schedules Z3 finds satisfiable; it finds
    most of those (generated as ``gen_lia.py tanks`` writes them, smaller)."""
    found = sat = 0
    for seed in range(8):
        for cap in (2500, 4000, 6000):
            text = _tanks(seed, cap, n=4, k=10)
            script = parse(text)
            norm = normalize_linear(script.assertions)
            walk = DisjunctWalk.build(norm, seed)
            assert walk is not None  # (the tanks' shape: disjunctions of equalities)
            walk.greedy(None)
            values = walk.run(time.perf_counter() + 20)
            status = z3_status(text)
            sat += status == "sat"
            if values is None:
                continue
            assert status == "sat"
            model = norm.decode(values, {}, list(script.declarations))
            check_model(script.assertions, model)
            assert z3_accepts_model(text, model)
            found += 1
    assert sat >= 12 and found >= sat * 2 // 3


def test_disjunct_walk_needs_the_shape():
    """A formula that is not a conjunction of atoms and disjunctions of conjunctions of
    atoms (a Boolean variable), or whose disjuncts hold no equality, is not taken."""
    boolean = parse("(declare-const p Bool)(declare-const x Int)(declare-const y Int)"
                    "(assert (and (<= 0 x 5000) (<= 0 y 5000)))"
                    "(assert (or p (= (+ x y) 7000)))")
    assert DisjunctWalk.build(normalize_linear(boolean.assertions)) is None
    no_eq = parse("(declare-const x Int)(declare-const y Int)"
                  "(assert (and (<= 0 x 5000) (<= 0 y 5000)))"
                  "(assert (or (<= (+ x y) 7000) (>= (- x y) 4000)))")
    assert DisjunctWalk.build(normalize_linear(no_eq.assertions)) is None


def test_solve_answers_as_z3_on_a_full_size_tank_schedule():
    """A full-size generated schedule (8 tanks, 24 steps, ``gen_lia.py tanks --cap 8000
    --seed 1``) through ``solve``: the disjunct walk finds a model, the answer is Z3's and
    the model holds in Z3."""
    text = _tanks(1, 8000, n=8, k=24)
    res = solve_smtlib(text, config=Config(memo="off", backend="cadical", timeout=60))
    assert res.status.value == z3_status(text) == "sat"
    assert z3_accepts_model(text, res.model)
    assert res.stats.notes["local_search"].startswith("model after")
    assert "disjunct" in res.stats.notes["local_search"]


def test_walk_with_booleans_and_ite():
    """Boolean variables, ``ite`` over Int terms and a disjunction of wide sums: the walk
    flips the Booleans and moves the integers; its model holds in Z3."""
    text = """(set-logic QF_LIA)
(declare-const p Bool) (declare-const q Bool)
(declare-const x Int) (declare-const y Int) (declare-const z Int)
(assert (and (<= -5000 x 5000) (<= -5000 y 5000) (<= 0 z 9000)))
(assert (= z (ite p (+ x 1200) (- y 700))))
(assert (or (and q (>= (+ (* 3 x) y) 4001)) (and (not q) (<= (- x y) -3001))))
(assert (=> p (not q)))
(assert (>= z 2500))
(check-sat)
"""
    script, model = _walk(text)
    assert model is not None
    check_model(script.assertions, model)
    assert z3_accepts_model(text, model)


def test_walk_not_tried_on_narrow_or_open_domains():
    """Narrow domains (the order encoding's) and variables only the solution bound closes
    are left to the SAT encodings."""
    narrow = parse("(declare-const x Int)(declare-const y Int)"
                   "(assert (and (<= 0 x 100) (<= 0 y 100) (= (+ (* 3 x) (* 2 y)) 77)))")
    assert not applies(normalize_linear(narrow.assertions))
    open_ = parse("(declare-const x Int)(declare-const y Int)"
                  "(assert (or (= (+ (* 3 x) (* 2 y)) 77) (>= (- x y) 5000)))")
    assert not applies(normalize_linear(open_.assertions))


@pytest.mark.parametrize("seed, cap", [(0, 1500), (1, 3000), (2, 6000), (3, 800)])
def test_solve_answers_as_z3_on_tank_schedules(seed, cap):
    """Through ``solve``: the answer is Z3's, a model holds in Z3, and the walk was tried
    first (noted in the stats)."""
    text = _tanks(seed, cap)
    res = solve_smtlib(text, config=CONFIG)
    assert res.status.value == z3_status(text)
    assert "local_search" in res.stats.notes
    if res.status == Status.SAT:
        assert z3_accepts_model(text, res.model)


def test_proof_skips_the_walk(tmp_path):
    """A certificate is written by the SAT path alone: ``--proof`` does not walk."""
    text = _tanks(3, 800)
    assert z3_status(text) == "unsat"
    res = solve_smtlib(text, config=Config(memo="off", backend="cadical", proof=str(tmp_path)))
    assert res.status == Status.UNSAT
    assert "local_search" not in res.stats.notes
