"""Optimization of a linear objective (coefficients, or a formula outside difference logic):
optima equal Z3 Optimize's on random QF_LIA formulas and on an rcpsp instance, the model at
the optimum satisfies the formula, unsat stays unsat, an unbounded objective is never
reported as an optimum."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
import z3

from eagersmt import Config, Int, Solver, Status
from eagersmt.check.model import check_model
from eagersmt.optimize import Objective, optimize, optimize_lex
from eagersmt.optimize.linear import box_bound
from eagersmt.smtlib.parser import parse

from .conftest import BENCH, needs_shared

REPO = Path(__file__).resolve().parents[1]
FAST = Config(backend="cadical")
EAGERSMT = str(Path(sys.executable).with_name("eagersmt"))  # the console script


def _sum(coefs: list[int], names: list[str]) -> str:
    return "(+ " + " ".join(f"(* {c} {n})" if c >= 0 else f"(* (- {-c}) {n})"
                            for c, n in zip(coefs, names)) + ")"


def _num(v: int) -> str:
    return str(v) if v >= 0 else f"(- {-v})"


def random_lia(seed: int) -> tuple[str, list[int], list[str]]:
    """A boxed QF_LIA formula with coefficients and disjunctions, and objective coefficients."""
    r = random.Random(seed)
    n = r.randint(2, 4)
    names = [f"x{i}" for i in range(n)]
    lines = ["(set-logic QF_LIA)"] + [f"(declare-const {v} Int)" for v in names]
    lines += [f"(assert (and (>= {v} {_num(-r.randint(0, 8))}) (<= {v} {r.randint(0, 8)})))"
              for v in names]
    for _ in range(r.randint(1, 4)):
        atoms = []
        for _ in range(r.randint(1, 2)):
            coefs = [r.randint(-4, 4) for _ in names]
            atoms.append(f"({r.choice(['<=', '>=', '='])} {_sum(coefs, names)} "
                         f"{_num(r.randint(-10, 10))})")
        lines.append(f"(assert {atoms[0] if len(atoms) == 1 else '(or ' + ' '.join(atoms) + ')'})")
    obj = [r.randint(-5, 5) for _ in names]
    if sum(1 for c in obj if c) < 2 or all(abs(c) == 1 for c in obj):
        obj[0] = 3  # not a difference
    return "\n".join(lines) + "\n", obj, names


def _objective(script):
    (cmd,) = [c for c in script.commands if c.name == "minimize"]
    return cmd.args[0]


def z3_optimum(text: str, term: str, maximize: bool) -> object:
    """Z3 Optimize's optimum of ``term`` over the assertions of ``text`` (None: unsat)."""
    o = z3.Optimize()
    o.add(*z3.parse_smt2_string(text + f"(declare-const obj__ Int)(assert (= obj__ {term}))"))
    obj = z3.Int("obj__")
    h = o.maximize(obj) if maximize else o.minimize(obj)
    if o.check() != z3.sat:
        return None
    return h.value().as_long()


@pytest.mark.parametrize("maximize", [False, True])
@pytest.mark.parametrize("seed", range(12))
def test_random_lia_optimum_equals_z3(seed: int, maximize: bool):
    text, coefs, names = random_lia(seed)
    term_text = _sum(coefs, names)
    script = parse(text + f"(minimize {term_text})\n")
    obj = Objective(_objective(script), maximize, term_text)
    want = z3_optimum(text, term_text, maximize)
    opt = optimize(script.assertions, script.declarations, obj, config=FAST,
                   terms=script.terms)
    if want is None:
        assert opt.status == Status.UNSAT
        return
    assert opt.status == Status.SAT and opt.proven and not opt.unbounded
    assert opt.value == want
    check_model(script.assertions, opt.model)
    model = {k: v for k, v in opt.model.items()}
    got = sum(c * model[n] for c, n in zip(coefs, names))  # type: ignore[operator]
    assert got == want == opt.value


def test_api_linear_objective_and_unsat():
    x, y = Int("x"), Int("y")
    s = Solver(FAST)
    s.add(3 * x + 2 * y >= 13, x >= 0, y >= 0, x + y <= 12, x <= 10)
    opt = s.minimize(2 * x + y)
    assert opt.status == Status.SAT and opt.proven and opt.value == 7
    m = s.model()
    assert 2 * m[x] + m[y] == 7 and 3 * m[x] + 2 * m[y] >= 13
    opt = s.maximize(x + 3 * y - 1)
    assert opt.proven and opt.value == 35  # y = 12
    s.add(x + y >= 13)
    assert s.minimize(2 * x + y).status == Status.UNSAT


def test_unbounded_linear_objective_is_no_optimum():
    x, y = Int("x"), Int("y")
    s = Solver(FAST)
    s.add(x - y <= 5, y >= 3, 2 * x + y <= 40)
    opt = s.minimize(2 * x + y)
    assert opt.status == Status.SAT and not opt.proven
    assert opt.value is not None and opt.value < -10 ** 6
    assert opt.bound is None


def test_difference_objective_over_lia_formula():
    """A difference objective whose formula is outside difference logic: the linear route
    (the difference search found no circuit variable and said 'unbounded')."""
    text = ("(set-logic QF_LIA)(declare-const x Int)(declare-const y Int)"
            "(assert (= (+ (* 2 x) y) 7))(assert (>= x 0))(assert (>= y 0))"
            "(assert (>= (+ (* 3 x) (* 2 y)) 13))\n")
    script = parse(text + "(minimize (- x y))")
    (r,) = optimize_lex(script.assertions, script.declarations,
                        [Objective(_objective(script), False, "(- x y)")], script.terms,
                        config=FAST)
    assert r.proven and r.value == z3_optimum(text, "(- x y)", False) == -7


def test_rcpsp_weighted_start_cli(tmp_path: Path):
    """An rcpsp instance (benchmarks/gen_lia.py): minimize the weighted sum of the start
    times (weighted completion, less a constant) and maximize one, against Z3."""
    path = tmp_path / "r.smt2"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "gen_lia.py"), "rcpsp",
                    "--jobs", "6", "--resources", "2", "--seed", "3", "-o", str(path)],
                   check=True, timeout=120)
    text = path.read_text()
    problem = text.replace("(check-sat)", "").replace("(exit)", "")
    term = "(+ (* 3 s_0) (* 1 s_1) (* 2 s_2) (* 4 s_3) (* 1 s_4) (* 2 s_5))"
    want = z3_optimum(problem, term, False)
    assert want is not None
    out = subprocess.run([EAGERSMT, "optimize", str(path), "--minimize", term],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("sat\n")
    assert f"; optimum {term} = {want}; proof: (<= {term} {want - 1}) is unsat" in out.stdout
    # The model printed satisfies the formula and attains the optimum.
    script = parse(text)
    model_text = out.stdout.split(")\n(\n", 1)[1].rsplit(")\n;", 1)[0]
    model = {}
    for line in model_text.splitlines():
        parts = line.replace("(", " ").replace(")", " ").split()
        if parts and parts[0] == "define-fun":
                v = parts[3:]  # ["7"], ["-", "7"] or ["true"]
                model[parts[1]] = (v == ["true"]) if parts[2] == "Bool" else \
                    (-int(v[1]) if v[0] == "-" else int(v[0]))
    check_model(script.assertions, model)
    assert sum(c * model[f"s_{j}"] for j, c in enumerate([3, 1, 2, 4, 1, 2])) == want


def test_script_minimize_get_objectives(tmp_path: Path):
    path = tmp_path / "a.smt2"
    path.write_text("(set-logic QF_LIA)(declare-const x Int)(declare-const y Int)"
                    "(assert (>= (+ (* 3 x) (* 2 y)) 13))(assert (>= x 0))(assert (>= y 0))"
                    "(assert (<= (+ x y) 12))(minimize (+ (* 2 x) y))(check-sat)"
                    "(get-objectives)\n")
    out = subprocess.run([EAGERSMT, "solve", str(path)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["sat", "(objectives", "((+", "(*", "2", "x)", "y)", "7)", ")"]


@needs_shared
def test_shared_rcpsp_weighted_start_equals_z3():
    """A shared rcpsp file (overlap model, 24 jobs, makespan bound at its optimum): a
    weighted sum of start times minimized, against Z3 Optimize; the model checked."""
    text = (BENCH / "lia" / "lia_rcpsp" / "rcpsp_j24_r3_s7_overlap_opt.smt2").read_text()
    problem = text.replace("(check-sat)", "").replace("(exit)", "")
    term = "(+ s_0 (* 2 s_5) (* 3 s_8) s_10 (* 2 s_19))"
    script = parse(problem + f"(minimize {term})\n")
    opt = optimize(script.assertions, script.declarations,
                   Objective(_objective(script), False, term), config=FAST, terms=script.terms)
    assert opt.status == Status.SAT and opt.proven
    assert opt.value == z3_optimum(problem, term, False)
    check_model(script.assertions, opt.model)


def test_linear_objective_certificate_checks(tmp_path: Path):
    """``optimize --proof`` for a linear objective: the certificate (the model at the
    optimum, the refutation below it) is accepted by ``check-proof``."""
    path = tmp_path / "a.smt2"
    path.write_text("(set-logic QF_LIA)(declare-const x Int)(declare-const y Int)"
                    "(assert (>= (+ (* 3 x) (* 2 y)) 13))(assert (>= x 0))(assert (>= y 0))"
                    "(assert (<= (+ x y) 12))\n")
    proof = tmp_path / "proof"
    out = subprocess.run([EAGERSMT, "optimize", str(path), "--minimize", "(+ (* 2 x) y)",
                          "--proof", str(proof)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "; optimum (+ (* 2 x) y) = 7;" in out.stdout
    assert f"; certificate: {proof} (verify:" in out.stdout
    chk = subprocess.run([EAGERSMT, "check-proof", str(proof), str(path)], capture_output=True,
                         text=True, timeout=120)
    assert chk.returncode == 0 and chk.stdout.startswith("verified:"), chk.stdout + chk.stderr


def test_uflia_objective_with_an_application_equals_z3():
    text = ("(set-logic QF_UFLIA)(declare-fun f (Int) Int)(declare-const x Int)"
            "(declare-const y Int)(assert (and (>= x 0) (<= x 6) (>= y 0) (<= y 6)))"
            "(assert (>= (f x) (+ y 2)))(assert (or (= x y) (>= (+ (f y) x) 9)))"
            "(assert (<= (f x) 7))(assert (<= (f y) 5))\n")
    for maximize in (False, True):
        term = "(+ (* 3 (f x)) (* (- 2) y) x)"
        script = parse(text + f"(minimize {term})\n")
        opt = optimize(script.assertions, script.declarations,
                       Objective(_objective(script), maximize, term), config=FAST,
                       terms=script.terms)
        assert opt.status == Status.SAT and opt.proven
        assert opt.value == z3_optimum(text, term, maximize)
        check_model(script.assertions, opt.model)


def test_box_bound_of_a_linear_objective():
    """The box of the variables (top-level bounds, strict ones on integers) bounds the
    objective on the side it needs, and nothing when a needed side is missing."""
    script = parse("(declare-const x Int)(declare-const y Int)(declare-const z Int)"
                   "(assert (and (>= x 0) (<= x 6) (< y 4) (>= (- x y) 2) (> 3 y) (< (- 2) y)))"
                   "(assert (<= z 5))(minimize (+ (* 2 x) (* (- 3) y) 1))(minimize (+ x z))"
                   "(minimize (- x z))")
    t, xz, x_z = [c.args[0] for c in script.commands if c.name == "minimize"]
    assert box_bound(script.assertions, t, 1) == 2 * 0 - 3 * 2 + 1  # y in [-1, 2]
    assert box_bound(script.assertions, t, -1) == -(2 * 6 + 3 * 1 + 1)  # maximize: -max
    assert box_bound(script.assertions, xz, 1) is None  # z has no lower bound
    assert box_bound(script.assertions, x_z, 1) == 0 - 5
