"""Learnt strategies: features, the strategy file, the selector's use by solve, the lazy
hand-off, the runs table's resumption, and the learning on a space whose best is known."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eagersmt import Config, solve_file
from eagersmt.result import Status
from eagersmt.smtlib.printer import format_model
from eagersmt.tools.bench.instances import Instance
from eagersmt.tools.bench.report import Row, check
from eagersmt.tune import evaluate as evaluate_module
from eagersmt.tune.evaluate import Task, evaluate, pending, split
from eagersmt.tune.features import FEATURES, file_features
from eagersmt.tune.fit import fit
from eagersmt.tune.runs import Runs
from eagersmt.tune.selector import Selector, constant, from_json, load, save
from eagersmt.tune.space import SPACE

from .oracle import z3_status

EAGERSMT = str(Path(sys.executable).with_name("eagersmt"))
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "jobshop_3x3.smt2"

IDL_SAT = """(set-logic QF_IDL)
(declare-fun x () Int) (declare-fun y () Int) (declare-fun z () Int)
(assert (<= (- x y) 3)) (assert (>= (- x z) 5)) (assert (or (< y z) (> (- y z) 10)))
(check-sat)
"""
IDL_UNSAT = """(set-logic QF_IDL)
(declare-fun x () Int) (declare-fun y () Int)
(assert (< (- x y) 0)) (assert (< (- y x) 0))
(check-sat)
"""
UFLIA_SAT = """(set-logic QF_UFLIA)
(declare-fun f (Int) Int) (declare-fun a () Int) (declare-fun b () Int)
(assert (and (<= 0 a) (<= a 5) (<= 0 b) (<= b 5)))
(assert (= (f a) (+ (* 2 b) 1))) (assert (not (= (f b) (f (+ a 1))))) (assert (= (+ a b) 4))
(check-sat)
"""
RDL_SAT = """(set-logic QF_RDL)
(declare-fun x () Real) (declare-fun y () Real)
(assert (< (- x y) (/ 1 2))) (assert (> (- x y) (/ 1 3)))
(check-sat)
"""


def write(tmp_path: Path, text: str, name: str = "f.smt2") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([EAGERSMT, *args], capture_output=True, text=True, timeout=120,
                          env=env)


# ---- features -----------------------------------------------------------------------------

def test_features_are_deterministic_and_the_same_in_another_process(tmp_path):
    f = write(tmp_path, UFLIA_SAT)
    here = file_features(str(f))
    assert list(here) == list(FEATURES)
    assert here == file_features(str(f))
    code = ("import json, sys; from eagersmt.tune.features import file_features; "
            "print(json.dumps(file_features(sys.argv[1])))")
    other = subprocess.run([sys.executable, "-c", code, str(f)], capture_output=True,
                           text=True, timeout=60, env={"PYTHONHASHSEED": "123"})
    assert json.loads(other.stdout) == here
    assert here["logic_uf"] == 1.0 and here["linear"] == 1.0 and here["uf_applications"] > 0
    idl = file_features(str(write(tmp_path, IDL_SAT, "idl.smt2")))
    assert idl["linear"] == 0.0 and idl["linear_atoms"] == 0.0 and idl["difference_atoms"] > 0


# ---- the strategy file ----------------------------------------------------------------------

def _tree() -> Selector:
    return Selector(FEATURES, {"order": SPACE["order"], "z3": SPACE["z3"]},
                    [{"feature": "logic_uf", "threshold": 0.5, "le": 1, "gt": 2},
                     {"strategy": "order", "files": 3, "par2": {"order": 1.0, "z3": 4.0}},
                     {"strategy": "z3", "files": 2, "par2": {"order": 9.0, "z3": 2.0}}],
                    {"timeout": 10})


def test_strategy_file_round_trips(tmp_path):
    sel = _tree()
    path = str(tmp_path / "s.json")
    save(sel, path)
    back = load(path)
    assert back == sel
    assert back.to_json() == json.loads(Path(path).read_text())
    assert back.pick({**dict.fromkeys(FEATURES, 0.0), "logic_uf": 1.0})[0] == "z3"
    name, why = back.pick(dict.fromkeys(FEATURES, 0.0))
    assert name == "order" and "logic_uf <= 0.5" in why


@pytest.mark.parametrize("content, message", [
    ("{not json", "strategy file"),
    (json.dumps({"format": "other"}), "not a strategy file"),
    ("VERSION", "version 99"),
    ("UNKNOWN_LEAF", "not in 'strategies'"),
    ("CYCLE", "neither a leaf nor a test"),
    ("BAD_OPTION", "not an option a strategy sets"),
    ("FEATURES", "other features"),
])
def test_a_corrupt_strategy_file_is_a_clean_error(tmp_path, content, message):
    data = _tree().to_json()
    if content == "VERSION":
        data["version"] = 99
    elif content == "UNKNOWN_LEAF":
        data["nodes"][2]["strategy"] = "nosuch"
    elif content == "CYCLE":
        data["nodes"][0]["gt"] = 0
    elif content == "BAD_OPTION":
        data["strategies"]["order"] = {"timeout": 1}
    elif content == "FEATURES":
        data["features"] = data["features"][::-1]
    text = json.dumps(data) if content.isupper() else content
    bad = write(tmp_path, text, "bad.json")
    p = run("solve", "--strategy", str(bad), str(EXAMPLE))
    assert p.returncode == 1, p.stderr
    assert p.stderr.startswith("error: ") and message in p.stderr and str(bad) in p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""


def test_a_missing_strategy_is_a_clean_error(tmp_path):
    p = run("solve", "--strategy", str(tmp_path / "none.json"), str(EXAMPLE))
    assert p.returncode == 1 and p.stderr.startswith("error: ") and "auto" in p.stderr


# ---- solve with a strategy ------------------------------------------------------------------

def test_solve_uses_the_learnt_file_and_says_why(tmp_path):
    path = str(tmp_path / "s.json")
    save(_tree(), path)
    uf = write(tmp_path, UFLIA_SAT, "uf.smt2")
    p = run("solve", "--stats", "--strategy", path, str(uf))
    assert p.returncode == 0 and p.stdout.startswith("sat")
    assert "strategy" in p.stderr and "z3: logic_uf > 0.5" in p.stderr
    assert "z3 says sat, its model checked" in p.stderr
    idl = write(tmp_path, IDL_SAT, "idl.smt2")
    import os

    p = run("solve", "--stats", str(idl), env={**os.environ, "EAGERSMT_STRATEGY": path})
    assert p.stdout.startswith("sat") and "order: logic_uf <= 0.5" in p.stderr
    plain = run("solve", "--stats", str(idl), env={k: v for k, v in os.environ.items()
                                                    if k != "EAGERSMT_STRATEGY"})
    assert plain.stdout.startswith("sat") and "strategy" not in plain.stderr


@pytest.mark.parametrize("lazy", ["z3", "yices"])
@pytest.mark.parametrize("text", [IDL_SAT, IDL_UNSAT, UFLIA_SAT, RDL_SAT])
def test_the_lazy_hand_off_answers_as_z3_with_a_checked_model(tmp_path, lazy, text):
    f = write(tmp_path, text)
    res = solve_file(str(f), config=Config(strategy=lazy))
    assert res.status.value == z3_status(text)
    assert res.stats.notes["strategy"].startswith(f"{lazy}:")
    if res.status == Status.SAT:
        assert res.stats.notes["model_checked"] == "yes"
        assert "its model checked" in res.stats.notes["lazy"]
    else:
        assert res.stats.notes["lazy"].startswith(f"{lazy} says unsat")
    if text is UFLIA_SAT:
        from eagersmt.smtlib.parser import parse

        shown = format_model(parse(text).declarations, res.model)
        assert "(define-fun f ((x!0 Int)) Int" in shown


def test_a_certificate_is_never_asked_of_a_lazy_solver(tmp_path):
    f = write(tmp_path, IDL_UNSAT)
    res = solve_file(str(f), config=Config(strategy="z3", proof=str(tmp_path / "cert")))
    assert res.status == Status.UNSAT and "lazy" not in res.stats.notes
    assert res.stats.notes["strategy"].startswith("auto, not z3")


# ---- the runs table and resumption ----------------------------------------------------------

def _instances(tmp_path: Path, n: int) -> list[Instance]:
    out = []
    for i in range(n):
        p = write(tmp_path, IDL_SAT, f"i{i}.smt2")
        out.append(Instance(p.name, p, "toy" if i % 2 else "other", "sat"))
    return out


def test_split_is_by_family_and_seed(tmp_path):
    insts = _instances(tmp_path, 10)
    train, test = split(insts, seed=3)
    assert sorted(i.name for i in train + test) == sorted(i.name for i in insts)
    assert {i.family for i in test} == {"toy", "other"} and len(test) == 4  # round(2.5) each
    assert split(insts, seed=3) == (train, test)
    assert split(list(reversed(insts)), seed=3) == (train, test)


def test_an_interrupted_evaluation_resumes_without_repeating_runs(tmp_path, monkeypatch):
    made: list[tuple[str, str]] = []

    def fake_run(self: Task) -> Row:
        if len(made) == 3 and not getattr(fake_run, "resumed", False):
            raise KeyboardInterrupt
        made.append((self.instance.name, self.solver))
        return Row(self.instance.name, self.instance.family, "sat", self.solver, "sat", 0.5,
                   check("sat", "sat"))

    monkeypatch.setattr(evaluate_module.Task, "run", fake_run)
    tasks = [Task(i, s, 5.0) for i in _instances(tmp_path, 3) for s in ("auto", "z3")]
    db = str(tmp_path / "runs.sqlite")
    with Runs(db) as runs, pytest.raises(KeyboardInterrupt):
        evaluate(tasks, runs)
    assert len(made) == 3
    fake_run.resumed = True  # type: ignore[attr-defined]
    with Runs(db) as runs:
        assert len(runs.rows(5.0)) == 3
        assert evaluate(tasks, runs) == 3
        assert evaluate(tasks, runs) == 0
        assert len(runs.rows(5.0)) == 6 and len(runs.rows(9.0)) == 0
    assert sorted(made) == sorted((t.instance.name, t.solver) for t in tasks)


def test_a_budget_stops_starting_runs_and_the_next_call_goes_on(tmp_path, monkeypatch):
    made: list[tuple[str, str]] = []

    def fake_run(self: Task) -> Row:
        made.append((self.instance.name, self.solver))
        return Row(self.instance.name, self.instance.family, "sat", self.solver, "sat", 0.5,
                   check("sat", "sat"))

    monkeypatch.setattr(evaluate_module.Task, "run", fake_run)
    tasks = [Task(i, s, 5.0) for i in _instances(tmp_path, 2) for s in ("auto", "z3")]
    with Runs(str(tmp_path / "runs.sqlite")) as runs:
        assert evaluate(tasks, runs, budget=0.0) == 0 and made == []
        assert len(pending(tasks, runs)) == 4
        assert evaluate(tasks, runs, jobs=2, budget=60.0) == 4
        assert pending(tasks, runs) == [] and len(made) == 4


def test_a_file_that_is_not_a_runs_table_is_a_clean_error(tmp_path):
    bad = write(tmp_path, "not sqlite at all" * 100, "runs.sqlite")
    p = run("tune", str(EXAMPLE), "--runs", str(bad), "-o", str(tmp_path / "s.json"))
    assert p.returncode == 1 and p.stderr.startswith("error: --runs") and "Traceback" not in p.stderr


# ---- learning ------------------------------------------------------------------------------

def test_a_toy_space_whose_best_strategy_is_known_is_learnt():
    """UF files are solved fast by z3 only, linear files by order only, the rest by auto:
    the learnt tree must send each kind to its strategy, and beat every single one."""
    costs, vectors = {}, {}
    for i in range(12):
        kind = ("uf", "linear", "plain")[i % 3]
        v = dict.fromkeys(FEATURES, 0.0)
        v["logic_uf"] = float(kind == "uf")
        v["linear"] = float(kind != "plain")
        v["atoms"] = float(i)  # noise
        vectors[f"f{i}"] = v
        best = {"uf": "z3", "linear": "order", "plain": "auto"}[kind]
        costs[f"f{i}"] = {s: 1.0 if s == best else 20.0 for s in ("auto", "order", "z3")}
    sel = fit(costs, vectors, ["auto", "order", "z3"], seed=0)
    for name, v in vectors.items():
        assert costs[name][sel.pick(v)[0]] == 1.0
    assert sel.trained["learnt_training_par2"] == 12.0 < min(sel.trained["training_par2"].values())
    assert from_json(json.loads(json.dumps(sel.to_json()))) == sel


def test_no_learnt_rule_is_worse_than_auto_on_its_training_files():
    """Costs with a weak signal and much noise: whatever tree cross-validation keeps, each
    leaf's strategy costs at most auto's over the training files that reach it."""
    import random

    rng = random.Random(7)
    costs, vectors = {}, {}
    for i in range(40):
        v = {f: float(rng.randint(0, 8)) for f in FEATURES}
        vectors[f"f{i}"] = v
        base = rng.uniform(0.1, 5.0)
        costs[f"f{i}"] = {"auto": base,
                          "z3": base * rng.choice([0.5, 1.2, 4.0]) if v["atoms"] > 4 else 20.0,
                          "order": rng.choice([base * 0.9, 20.0])}
    sel = fit(costs, vectors, ["auto", "order", "z3"], seed=1, max_depth=4)
    reach: dict[int, list[str]] = {}
    for name, v in vectors.items():
        i = 0
        while "strategy" not in sel.nodes[i]:
            n = sel.nodes[i]
            i = n["le"] if v[n["feature"]] <= n["threshold"] else n["gt"]
        reach.setdefault(i, []).append(name)
    for leaf, names in reach.items():
        pick = sel.nodes[leaf]["strategy"]
        assert sum(costs[n][pick] for n in names) <= sum(costs[n]["auto"] for n in names)
    assert sel.trained["learnt_training_par2"] <= sel.trained["training_par2"]["auto"]
    assert sel.trained["cross_validation"]["folds"] == 5


def test_a_gain_within_the_noise_keeps_auto():
    """order gains 5 % over auto in total (much on most files, losing much on files that
    look the same): below the margin cross-validation keeps, the leaf stays auto."""
    vectors = {f"f{i}": dict.fromkeys(FEATURES, 0.0) for i in range(10)}
    costs = {n: {"auto": 2.0, "order": 1.0 if i % 5 else 5.5} for i, n in enumerate(vectors)}
    sel = fit(costs, vectors, ["auto", "order"])
    assert [n["strategy"] for n in sel.nodes] == ["auto"]


def test_one_best_strategy_everywhere_is_learnt_as_that_strategy():
    vectors = {f"f{i}": {**dict.fromkeys(FEATURES, 0.0), "atoms": float(i)} for i in range(6)}
    costs = {n: {"auto": 5.0, "sd": 2.0 + (i % 2)} for i, n in enumerate(vectors)}
    sel = fit(costs, vectors, ["auto", "sd"])
    assert len(sel.nodes) == 1 and sel.nodes[0]["strategy"] == "sd"
    assert constant("sd").pick(vectors["f0"]) == ("sd", "named")


def test_tune_writes_a_strategy_file_and_resumes(tmp_path):
    (tmp_path / "fam").mkdir()
    for i, text in enumerate([IDL_SAT, IDL_UNSAT, UFLIA_SAT, IDL_SAT]):
        write(tmp_path / "fam", text, f"f{i}.smt2")
    args = ["tune", str(tmp_path / "fam"), "--runs", str(tmp_path / "runs.sqlite"), "-o",
            str(tmp_path / "s.json"), "--timeout", "20", "--space", "auto,yices",
            "--test-share", "0.25"]
    p = run(*args)
    assert p.returncode == 0, p.stderr
    assert p.stderr.count("[train ") == 3 * 2
    sel = load(str(tmp_path / "s.json"))
    assert set(sel.strategies) == {"auto", "yices"}
    again = run(*args, "--test", "--plot", str(tmp_path / "test.png"))
    assert again.returncode == 0, again.stderr
    assert "[train " not in again.stderr and again.stderr.count("[test ") == 1 + 2 + 2
    table = again.stdout.splitlines()
    assert table[0].startswith("| family | files | auto | learnt | picks | virtual best | Z3 | Yices")
    assert table[2].startswith("| fam | 1 |") and table[3].startswith("| all | 1 |")
    assert (tmp_path / "test.png").read_bytes()[:4] == b"\x89PNG"
    fitted = run(*args, "--fit", "-o", str(tmp_path / "fitted.json"))
    assert fitted.returncode == 0 and "[train " not in fitted.stderr, fitted.stderr
    assert load(str(tmp_path / "fitted.json")) == load(str(tmp_path / "s.json"))
    both = run(*args, "--fit", "--test")
    assert both.returncode == 2 and "--fit makes no run" in both.stderr
    empty = run(*args, "--fit", "--runs", str(tmp_path / "empty.sqlite"))
    assert empty.returncode == 1 and "no training file has a run" in empty.stderr


def test_z3_is_told_no_logic_under_difference_logic_and_yices_its_own():
    """Told QF_LIA, Z3 leaves its difference-logic solver aside (orders of magnitude on a
    schedule); the printer's differences are outside QF_IDL's syntax, so it is told none."""
    from eagersmt.smtlib.parser import parse
    from eagersmt.tune.lazy import script

    s = parse(IDL_SAT)
    assert "set-logic" not in script("z3", s.assertions, s.declarations, s.logic)
    assert "(set-logic QF_IDL)" in script("yices", s.assertions, s.declarations, s.logic)
    u = parse(UFLIA_SAT)
    text = script("z3", u.assertions, u.declarations, u.logic)
    assert "(set-logic QF_UFLIA)" in text and "(declare-fun f (Int) Int)" in text


def test_solving_with_a_learnt_file_does_not_import_the_learning_library(tmp_path):
    path = str(tmp_path / "s.json")
    save(_tree(), path)
    code = ("import sys; from eagersmt import Config, solve_file; "
            f"r = solve_file({str(EXAMPLE)!r}, config=Config(strategy={path!r})); "
            "print(r.status, r.stats.notes['strategy'].split(':')[0], 'sklearn' in sys.modules)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120)
    assert p.stdout.split() == ["sat", "order", "False"], p.stderr


def test_the_strategy_option_names_every_strategy_of_the_space():
    from eagersmt.config import OPTIONS

    text = next(o.help for o in OPTIONS if o.name == "strategy")
    assert f"({', '.join(SPACE)})" in text
