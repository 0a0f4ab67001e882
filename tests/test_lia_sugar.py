"""Sugar's order encoding of linear sums (``encode/linear_order.py``): every assignment of
small boxes against the sum it encodes, the size prediction against the clauses made, and
whole formulas with the encoding forced (``--encoding order``) against Z3, models checked
by Z3 on the original formula."""

from __future__ import annotations

import itertools
import random

import pytest
from pysat.solvers import Solver

from eagersmt.api import solve_smtlib
from eagersmt.config import Config
from eagersmt.encode.cnf import CNF
from eagersmt.encode.linear_order import SugarEncoder, ladder, predicted
from eagersmt.result import Status

z3 = pytest.importorskip("z3")

CONFIG = Config(memo="off", backend="cadical")


def _fix(lad, v):
    """Unit literals that put a ladder at value ``v``."""
    out = []
    for i, lit in enumerate(lad.lits):
        out.append(lit if v >= lad.values[i + 1] else -lit)
    return out


@pytest.mark.parametrize("seed", range(40))
def test_every_assignment_of_a_small_box(seed):
    r = random.Random(seed)
    n = r.randint(1, 6)
    cnf = CNF()
    ladders = {}
    for i in range(n):
        if r.random() < 0.3:  # a sparse domain
            values = sorted(r.sample(range(-4, 6), r.randint(1, 4)))
        else:
            lo = r.randint(-3, 2)
            values = range(lo, lo + r.randint(1, 4))
        ladders[f"x{i}"] = ladder(cnf, values)
    terms = [(f"x{i}", r.choice([c for c in range(-4, 5) if c])) for i in range(n)]
    enc = SugarEncoder(cnf, dict(ladders))
    cond = cnf.new_vars(1)[0]
    checks = []
    for c in (r.randint(-12, 12) for _ in range(3)):
        before = len(cnf.clauses)
        guard = cnf.new_vars(1)[0]
        enc.leq(terms, c, [guard, cond])
        checks.append((c, guard))
        assert len(cnf.clauses) >= before
    with Solver(name="cadical195", bootstrap_with=cnf.clauses) as s:
        for point in itertools.product(*(ladders[x].values for x, _ in terms)):
            fixed = [lit for (x, _), v in zip(terms, point) for lit in _fix(ladders[x], v)]
            total = sum(a * v for (_, a), v in zip(terms, point))
            for c, guard in checks:
                got = s.solve(assumptions=fixed + [guard, cond])
                assert got == (total <= c), (terms, c, point)
            assert s.solve(assumptions=fixed + [-cond])  # the condition off: no constraint


@pytest.mark.parametrize("seed", range(20))
def test_the_prediction_bounds_the_clauses(seed):
    r = random.Random(seed)
    cnf = CNF()
    sizes = {}
    ladders = {}
    for i in range(8):
        lo = r.randint(-5, 5)
        n = r.randint(1, 12)
        ladders[f"x{i}"] = ladder(cnf, range(lo, lo + n))
        sizes[f"x{i}"] = n
    start = len(cnf.clauses) - sum(n - 2 for n in sizes.values() if n > 1)
    sums = []
    for _ in range(r.randint(1, 5)):
        k = r.randint(1, 8)
        sums.append([(x, r.choice([-3, -2, -1, 1, 2, 3])) for x in r.sample(sorted(ladders), k)])
    enc = SugarEncoder(cnf, dict(ladders))
    for terms in sums:
        enc.leq(terms, r.randint(-10, 10), [])
    assert len(cnf.clauses) - start <= predicted(sums, sizes)


def _z3_model_ok(text: str, model: dict) -> bool:
    fixed = [f"(assert (= {x} {v if v >= 0 else f'(- {-v})'}))" for x, v in model.items()
             if isinstance(v, int) and not isinstance(v, bool)]
    s = z3.Solver()
    s.add(z3.parse_smt2_string(text + "\n".join(fixed)))
    return str(s.check()) == "sat"


def _script(r: random.Random) -> str:
    n = r.randint(2, 6)
    names = [f"x{i}" for i in range(n)]
    lines = ["(set-logic QF_LIA)"] + [f"(declare-const {x} Int)" for x in names]
    for x in names:
        lo = r.randint(-6, 3)
        lines.append(f"(assert (<= {lo} {x} {lo + r.randint(0, 9)}))")

    def num(k: int) -> str:
        return str(k) if k >= 0 else f"(- {-k})"

    def atom() -> str:
        k = r.randint(1, n)
        terms = " ".join(f"(* {num(r.choice([-5, -3, -2, -1, 1, 2, 3, 4]))} {x})"
                         for x in r.sample(names, k))
        op = r.choice(["<=", ">=", "=", "<", ">"])
        return f"({op} (+ 0 {terms}) {num(r.randint(-15, 15))})"

    for _ in range(r.randint(1, 5)):
        if r.random() < 0.4:
            lines.append(f"(assert (or {atom()} {atom()}))")
        elif r.random() < 0.2:
            lines.append(f"(assert (not {atom()}))")
        else:
            lines.append(f"(assert {atom()})")
    return "\n".join(lines + ["(check-sat)"]) + "\n"


@pytest.mark.parametrize("encoding", ["order", "auto"])
def test_small_boxes_against_z3(encoding):
    config = CONFIG.replace(encoding=encoding)
    sugar = 0
    for seed in range(60):
        text = _script(random.Random(seed))
        s = z3.Solver()
        s.add(z3.parse_smt2_string(text))
        expected = str(s.check())
        res = solve_smtlib(text, config=config)
        assert str(res.status) == expected, (seed, text)
        if expected == "sat":
            assert _z3_model_ok(text, res.model), (seed, text)
        sugar += "linear-sugar" in res.stats.notes.get("encodings", "")
    assert sugar > 20


def test_the_requested_encoding_is_said():
    text = """(set-logic QF_LIA)
(declare-const x Int) (declare-const y Int) (declare-const z Int)
(assert (and (<= 0 x 9) (<= 0 y 9) (<= 0 z 9)))
(assert (= (+ (* 3 x) (* 2 y) (* (- 4) z)) 5))
(assert (or (> (+ x y z) 12) (< (- x z) (- 3))))
(check-sat)
"""
    for encoding, name in (("order", "linear-sugar:1"), ("sd", "linear-log:1")):
        res = solve_smtlib(text, config=CONFIG.replace(encoding=encoding))
        assert res.status == Status.SAT and _z3_model_ok(text, res.model)
        assert name in res.stats.notes["encodings"]


def test_a_class_of_zero_one_variables_keeps_the_pseudo_boolean_encoding():
    """Pigeons 0-1: auto keeps pindakaas's PB sums; forced, Sugar's clauses decide it too."""
    n, m = 5, 4
    x = [[f"p{i}_{j}" for j in range(m)] for i in range(n)]
    lines = ["(set-logic QF_LIA)"] + [f"(declare-const {v} Int)" for row in x for v in row]
    lines += [f"(assert (<= 0 {v} 1))" for row in x for v in row]
    lines += [f"(assert (>= (+ {' '.join(row)}) 1))" for row in x]
    lines += [f"(assert (<= (+ {' '.join(x[i][j] for i in range(n))}) 1))" for j in range(m)]
    text = "\n".join(lines + ["(check-sat)"]) + "\n"
    for encoding, name in (("auto", "linear-log:1"), ("order", "linear-sugar:1")):
        res = solve_smtlib(text, config=CONFIG.replace(encoding=encoding))
        assert res.status == Status.UNSAT and name in res.stats.notes["encodings"]
