"""Linear integer arithmetic and uninterpreted functions (QF_LIA, QF_UFLIA, QF_UFIDL, QF_UF):
answers against the benchmarks' known status and against Z3 on random formulas, models
checked by Z3 on the original formula, bad input a clean error with its position."""

from __future__ import annotations

import csv
import os
import random

import pytest

from eagersmt.api import solve_file, solve_smtlib
from eagersmt.config import Config
from eagersmt.errors import UnsupportedError
from eagersmt.result import Status

z3 = pytest.importorskip("z3")

CONFIG = Config(memo="off", backend="cadical")
SHARED = os.environ.get("EAGERSMT_SHARED", os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
MANIFEST = os.path.join(SHARED, "benchmarks", "MANIFEST.tsv")
FAMILIES = ("lia_rcpsp", "lia_pb", "lia_general", "uflia", "ufidl", "lia_real_")
# Run by default (a few seconds each here); the other files of these families are marked
# slow (``-m slow``): minutes for some (a knapsack refutation, systems with a solution bound).
QUICK = {
    "lia/lia_pb/php_10_9.smt2", "lia/lia_pb/colour_n25_s48_optm1.smt2",
    "lia/lia_pb/setcover_n60_m90_s220_optm1.smt2", "lia/lia_pb/mknap_n30_m3_s37_opt.smt2",
    "lia/lia_general/lia_n12_m14_s53_eq.smt2", "lia/lia_general/lia_n30_m30_s58.smt2",
    "lia/lia_rcpsp/rcpsp_j20_r2_s206_time_optm1.smt2", "lia/uflia/assign_n12_s69_optm1.smt2",
    "lia/uflia/uflia_rand_n10_m16_s72.smt2", "lia/uflia/mmrcpsp_j14_r2_s64_opt.smt2",
    "lia/ufidl/jobshop_10x5_s230_optm1.smt2", "lia/ufidl/windows_n50_m4_s94_tight.smt2",
    "lia/ufidl/jobshop_12x6_s234_opt.smt2",
}


def _solve(text: str):
    return solve_smtlib(text, config=CONFIG)


def _z3_confirms(text: str, model: dict) -> bool:
    """Z3 finds the formula satisfiable with the declared constants fixed to ``model``'s
    values (functions left to Z3: their tables are ours, the constants are the answer)."""
    fixed = []
    for name, v in model.items():
        if callable(v):
            continue
        if isinstance(v, bool):
            fixed.append(f"(assert (= {name} {'true' if v else 'false'}))")
        else:
            fixed.append(f"(assert (= {name} {v if v >= 0 else f'(- {-v})'}))")
    s = z3.Solver()
    s.add(z3.parse_smt2_string(text + "\n" + "\n".join(fixed)))
    return s.check() == z3.sat


# -- the benchmark families -----------------------------------------------------------------
def _manifest_rows():
    if not os.path.exists(MANIFEST):
        return []
    with open(MANIFEST) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    out = []
    for r in rows:
        if not r["family"].startswith(FAMILIES) or r["status"] not in ("sat", "unsat"):
            continue
        marks = () if r["path"] in QUICK else (pytest.mark.slow,)
        out.append(pytest.param(r["path"], r["status"], marks=marks, id=r["path"]))
    return out


@pytest.mark.parametrize("path, status", _manifest_rows())
def test_benchmark_answered_with_its_known_status(path, status):
    full = os.path.join(SHARED, "benchmarks", path)
    with open(full) as f:
        text = f.read()
    res = _solve(text)
    assert str(res.status) == status, (path, res.status, res.reason)
    if status == "sat":
        assert res.stats.notes.get("model_checked") == "yes"


# -- small formulas -------------------------------------------------------------------------
def test_linear_sum_sat_model_checked():
    text = ("(set-logic QF_LIA)(declare-const x Int)(declare-const y Int)(declare-const z Int)"
            "(assert (<= (+ (* 3 x) (* 2 y) z) 10))(assert (and (<= 0 x 5) (<= 0 y 5) (<= 1 z 5)))"
            "(assert (>= (+ x y) 4))(assert (= (mod x 3) 1))(check-sat)")
    res = _solve(text)
    assert res.status == Status.SAT
    m = res.model
    assert 3 * m["x"] + 2 * m["y"] + m["z"] <= 10 and m["x"] % 3 == 1 and m["x"] + m["y"] >= 4
    assert _z3_confirms(text, m)
    assert not _z3_confirms(text, {**m, "x": 2})  # (the confirmation can fail)


def test_parity_unsat():
    res = _solve("(set-logic QF_LIA)(declare-const x Int)(declare-const y Int)"
                 "(assert (<= 0 x 50))(assert (<= 0 y 50))(assert (= (+ (* 2 x) (* 4 y)) 7))")
    assert res.status == Status.UNSAT


def test_uninterpreted_function_gets_a_table():
    text = ("(set-logic QF_UFLIA)(declare-fun f (Int) Int)(declare-const x Int)"
            "(declare-const y Int)(assert (<= 0 x 3))(assert (<= 0 y 3))"
            "(assert (= (f 0) 5))(assert (= (f 1) 7))(assert (= (f 2) 5))(assert (= (f 3) 9))"
            "(assert (distinct x y))(assert (= (f x) (f y)))(assert (> (+ (f x) x) 6))")
    res = _solve(text)
    assert res.status == Status.SAT
    m = res.model
    assert {m["x"], m["y"]} == {0, 2}
    assert m["f"]((m["x"],)) == m["f"]((m["y"],)) == 5
    assert _z3_confirms(text, m)


def test_printed_model_defines_the_functions_for_z3():
    from eagersmt.smtlib.parser import parse
    from eagersmt.smtlib.printer import format_model

    decls = "(declare-fun f (Int) Int)(declare-fun p (Int Bool) Bool)(declare-const x Int)(declare-const y Int)"
    body = ("(assert (<= 0 x 3))(assert (<= 0 y 3))(assert (= (f 0) 5))(assert (= (f 1) 7))"
            "(assert (= (f 2) 5))(assert (distinct x y))(assert (= (f x) (f y)))"
            "(assert (p x (> y 1)))(assert (not (p y true)))")
    res = _solve("(set-logic QF_UFLIA)" + decls + body)
    assert res.status == Status.SAT
    printed = format_model(parse(decls).declarations, res.model)
    assert "(define-fun f ((x!0 Int)) Int (ite" in printed
    defs = printed.strip()[1:-1]  # the define-funs, as Z3 would read them
    s = z3.Solver()
    s.add(z3.parse_smt2_string(defs + body))
    assert s.check() == z3.sat
    s = z3.Solver()
    s.add(z3.parse_smt2_string(defs.replace("(ite (= x!0 0) 5", "(ite (= x!0 0) 6") + body))
    assert s.check() == z3.unsat  # (a wrong table is caught)


def test_functional_consistency_refutes():
    res = _solve("(set-logic QF_UFLIA)(declare-fun f (Int) Int)(declare-fun p (Int) Bool)"
                 "(declare-const x Int)(declare-const y Int)(assert (<= 0 x 9))(assert (<= 0 y 9))"
                 "(assert (<= 0 (f x) 9))(assert (<= 0 (f y) 9))"
                 "(assert (= x y))(assert (or (distinct (f x) (f y)) (and (p x) (not (p y)))))")
    assert res.status == Status.UNSAT


def test_ufidl_logic_is_read():
    res = _solve("(set-logic QF_UFIDL)(declare-const x Int)(declare-const y Int)"
                 "(assert (< (- x y) 3))(assert (> (- x y) 1))")
    assert res.status == Status.SAT and res.model["x"] - res.model["y"] == 2


@pytest.mark.parametrize("text, message, line, col", [
    ("(set-logic QF_LIA)(declare-const x Int)(declare-const y Int)\n(assert (< (* x y) 1))",
     "non-linear", 2, 17),
    ("(set-logic QF_LIA)(declare-const x Int)(declare-const y Int)\n(assert (< (div x y) 1))",
     "non-constant", 2, 19),
])
def test_bad_input_is_a_clean_error_at_its_position(text, message, line, col):
    with pytest.raises(UnsupportedError) as e:
        _solve(text)
    assert message in e.value.message
    assert (e.value.line, e.value.col) == (line, col), str(e.value)


def test_proof_of_a_linear_formula(tmp_path):
    """``--proof`` takes the checkable encoding (``tests/test_lia_proof.py`` checks more)."""
    from eagersmt.check.proof import check_certificate

    text = ("(set-logic QF_LIA)(declare-const x Int)(declare-const y Int)"
            "(assert (<= 0 x 5))(assert (<= 0 y 5))(assert (= (+ x (* 2 y)) 13))")
    r = solve_smtlib(text, config=Config(memo="off", backend="cadical", proof=str(tmp_path / "s")))
    assert r.status == Status.SAT and r.model["x"] + 2 * r.model["y"] == 13
    (tmp_path / "u.smt2").write_text(text.replace("13", "16") + "(check-sat)")
    r = solve_file(str(tmp_path / "u.smt2"),
                   config=Config(memo="off", backend="cadical", proof=str(tmp_path / "u")))
    assert r.status == Status.UNSAT
    check_certificate(str(tmp_path / "u"), str(tmp_path / "u.smt2"))


def test_adder_encoding_is_exact():
    """``_adder_leq`` (sums too wide for pindakaas) against brute force, conditional too."""
    import itertools

    from pysat.solvers import Cadical153

    from eagersmt.encode.cnf import CNF
    from eagersmt.encode.linear import _adder_leq

    r = random.Random(1)
    for _ in range(60):
        n = r.randint(1, 5)
        w = [r.randint(1, 40) for _ in range(n)]
        bound = r.randint(0, sum(w))
        cnf = CNF()
        xs = list(cnf.new_vars(n))
        c = cnf.new_var()
        lits = [x if r.random() < 0.7 else -x for x in xs]
        _adder_leq(cnf, lits, w, bound, [c])
        with Cadical153(bootstrap_with=cnf.clauses) as s:
            for vals in itertools.product((0, 1), repeat=n):
                assume = [x if v else -x for x, v in zip(xs, vals)]
                total = sum(wi for wi, lit, v in zip(w, lits, vals) if bool(v) == (lit > 0))
                assert s.solve(assumptions=assume + [c]) == (total <= bound)
                assert s.solve(assumptions=assume + [-c])


def test_unbounded_variables_get_a_solution_bound():
    res = _solve("(set-logic QF_LIA)(declare-const x Int)(declare-const y Int)"
                 "(assert (= (+ (* 7 x) (* (- 5) y)) 3))(assert (> x 40))")
    assert res.status == Status.SAT and 7 * res.model["x"] - 5 * res.model["y"] == 3
    assert res.stats.counts["eliminated_equalities"] == 1  # (x = -5t - 1: t <= -9, a bound)
    # the equality under a disjunction is not eliminated: x and y stay, unbounded above
    res = _solve("(set-logic QF_LIA)(declare-const x Int)(declare-const y Int)"
                 "(assert (or (= (+ (* 7 x) (* (- 5) y)) 3) (< x 0)))(assert (> x 40))")
    assert res.status == Status.SAT and 7 * res.model["x"] - 5 * res.model["y"] == 3
    assert res.stats.counts["solution_bound_bits"] > 0
    res = _solve("(set-logic QF_LIA)(declare-const x Int)(declare-const y Int)"
                 "(assert (= (+ (* 6 x) (* (- 9) y)) 4))")
    assert res.status == Status.UNSAT


@pytest.mark.parametrize("family, params", [
    ("rcpsp", dict(jobs=6, resources=2, maxdur=4)), ("knapsack", dict(n=10)),
    ("setcover", dict(n=16, m=10, k=4)), ("general", dict(vars=5, cons=6, box=10)),
    ("uflia", dict(vars=4, cons=5, box=8)), ("cuts", dict(vars=6, cons=7)),
    ("cuts", dict(vars=5, cons=5, depth=150)),
])
def test_generated_instances_answered_as_z3_labels_them(family, params):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import gen_lia

    for seed in range(2):
        text = gen_lia.instance(family, seed, 20, **params)
        status = text.split(":status ")[1].split(")")[0]
        assert status in ("sat", "unsat")
        res = _solve(text)
        assert str(res.status) == status, (family, seed)
        if status == "sat":
            assert _z3_confirms(text, res.model)


# -- differential against Z3 ----------------------------------------------------------------
class _Gen:
    """Random small QF_UFLIA formulas: linear sums with coefficients, ite, distinct, div/mod
    by constants, abs, an Int -> Int function and an Int -> Bool predicate."""

    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.n = self.r.randint(2, 4)
        self.box = self.r.choice((3, 5, 8))
        self.apps: list[str] = []

    def var(self) -> str:
        return f"x{self.r.randrange(self.n)}"

    def const(self, lo: int = -6, hi: int = 6) -> str:
        k = self.r.randint(lo, hi)
        return str(k) if k >= 0 else f"(- {-k})"

    def int_term(self, depth: int) -> str:
        r = self.r
        if depth <= 0:
            return self.var() if r.random() < 0.75 else self.const()
        k = r.random()
        if k < 0.35:
            parts = [f"(* {self.const(-4, 4)} {self.int_term(depth - 1)})"
                     for _ in range(r.randint(2, 3))]
            return f"(+ {' '.join(parts)})"
        if k < 0.45:
            return f"(- {self.int_term(depth - 1)} {self.int_term(depth - 1)})"
        if k < 0.55:
            return f"(ite {self.bool_term(depth - 1)} {self.int_term(depth - 1)} {self.int_term(depth - 1)})"
        if k < 0.65:
            return f"({r.choice(('div', 'mod'))} {self.int_term(depth - 1)} {r.choice(('2', '3', '(- 2)'))})"
        if k < 0.7:
            return f"(abs {self.int_term(depth - 1)})"
        if k < 0.8:
            app = f"(f {self.int_term(depth - 1)})"
            self.apps.append(app)
            return app
        return self.int_term(0)

    def atom(self, depth: int) -> str:
        r = self.r
        k = r.random()
        if k < 0.1:
            return f"(distinct {self.int_term(depth)} {self.int_term(depth)} {self.int_term(0)})"
        if k < 0.2:
            return f"(p {self.int_term(depth)})"
        op = r.choice(("<=", "<", "=", ">=", ">"))
        return f"({op} {self.int_term(depth)} {self.int_term(depth)})"

    def bool_term(self, depth: int) -> str:
        r = self.r
        if depth <= 0 or r.random() < 0.4:
            return self.atom(max(depth, 1))
        op = r.choice(("and", "or", "not", "=>", "ite"))
        if op == "not":
            return f"(not {self.bool_term(depth - 1)})"
        if op == "ite":
            return f"(ite {self.bool_term(depth - 1)} {self.bool_term(depth - 1)} {self.bool_term(depth - 1)})"
        return f"({op} {self.bool_term(depth - 1)} {self.bool_term(depth - 1)})"

    def script(self) -> str:
        lines = ["(set-logic QF_UFLIA)", "(declare-fun f (Int) Int)", "(declare-fun p (Int) Bool)"]
        lines += [f"(declare-fun x{i} () Int)" for i in range(self.n)]
        lines += [f"(assert (and (<= (- {self.box}) x{i}) (<= x{i} {self.box})))" for i in range(self.n)]
        body = [f"(assert {self.bool_term(3)})" for _ in range(self.r.randint(1, 3))]
        lines += [f"(assert (<= (- 20) {a} 20))" for a in dict.fromkeys(self.apps)]
        return "\n".join(lines + body + ["(check-sat)"]) + "\n"


DIFFERENTIAL_CASES = int(os.environ.get("EAGERSMT_LIA_CASES", "300"))


def test_differential_against_z3():
    disagreements = []
    for seed in range(DIFFERENTIAL_CASES):
        text = _Gen(seed).script()
        s = z3.Solver()
        s.add(z3.parse_smt2_string(text))
        expected = str(s.check())
        res = _solve(text)
        got = str(res.status)
        if got != expected or (got == "sat" and not _z3_confirms(text, res.model)):
            disagreements.append((seed, expected, got))
    assert not disagreements, disagreements


# -- incremental scripts: push/pop, assumptions and cores on linear formulas ----------------
INCREMENTAL = """(set-logic QF_UFLIA)
(set-option :produce-unsat-cores true)
(declare-fun f (Int) Int)
(declare-const x Int)
(declare-const y Int)
(assert (<= (+ (* 3 x) (* 2 y)) 10))
(assert (>= x 0))
(assert (>= y 0))
(check-sat)
(push 1)
(assert (! (>= (+ x y) 6) :named big))
(assert (! (> (f x) (f y)) :named fxy))
(check-sat)
(get-unsat-core)
(pop 1)
(check-sat-assuming ((= x y) (> (f x) (f y))))
(get-unsat-assumptions)
(assert (= (f 2) 7))
(check-sat)
(get-value ((f 2) x y))
"""


@pytest.mark.parametrize("memo", ["off", "store"])
def test_push_pop_assumptions_and_cores_on_linear_formulas(tmp_path, memo):
    """After the first check linear formulas are decided on the kept (guarded) encoding,
    with the same answers Z3 gives, and an unsat answer names a core that is unsat with Z3
    too."""
    from eagersmt.session import Session

    store = "off" if memo == "off" else str(tmp_path / "memo.sqlite")
    session = Session(config=Config(memo=store, backend="cadical"))
    try:
        lines = list(session.run_text(INCREMENTAL))
    finally:
        session.close()
    assert lines[0] == "sat"
    assert lines[1] == "unsat"  # 3x + 2y <= 10, x + y >= 6, x, y >= 0 is unsat
    assert "big" in lines[2]
    assert lines[3] == "unsat"  # x = y and f(x) > f(y): functional consistency
    assert "(= x y)" in lines[4] and "(f x)" in lines[4]  # both assumptions failed
    assert lines[5] == "sat"
    assert lines[6].startswith("(((f 2) 7)")

