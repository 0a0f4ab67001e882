"""Every example runs and prints the expected answer (examples/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import BENCH, needs_shared

REPO = Path(__file__).resolve().parents[1]
EX = REPO / "examples"
DATA = BENCH / "data" / "jobshop1.txt"


def run(*args: str, timeout: float = 120) -> str:
    r = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=REPO,
                       timeout=timeout)
    assert r.returncode == 0, r.stderr
    return r.stdout


def cli(*args: str) -> str:
    """The console script (what a user runs)."""
    r = subprocess.run([str(Path(sys.executable).with_name("eagersmt")), *args],
                       capture_output=True, text=True, cwd=REPO, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_jobshop_ft06_from_the_small_data_file():
    out = run(str(EX / "jobshop.py"))
    assert "optimum makespan 55 (proven: makespan <= 54 is unsat)" in out


def test_jobshop_la01_from_the_shipped_data_file():
    # (no ../shared: what a fresh clone has)
    out = run(str(EX / "jobshop.py"), "la01")
    assert "la01: 10 jobs x 5 machines" in out
    assert "optimum makespan 666 (proven" in out


@pytest.mark.parametrize("args, message", [
    (["la07"], "no instance 'la07' in the shipped data (there: ft06, la01, la02, la03, la04, "
               "la05)"),
    (["la01", "--data", "no/such/file.txt"], "cannot read the data file no/such/file.txt: "),
    (["la01", "--data", "examples/ft06.txt"], "no instance 'la01' in examples/ft06.txt "
                                              "(there: ft06)")])
def test_jobshop_without_the_instance_is_a_clean_error(args, message):
    r = subprocess.run([sys.executable, str(EX / "jobshop.py"), *args], capture_output=True,
                       text=True, cwd=REPO, timeout=120)
    assert r.returncode == 2 and r.stdout == ""
    assert message in r.stderr and "Traceback" not in r.stderr


@needs_shared
def test_jobshop_la01_from_the_shared_data_file():
    out = run(str(EX / "jobshop.py"), "la01", "--data", str(DATA))
    assert "la01: 10 jobs x 5 machines" in out
    assert "optimum makespan 666 (proven" in out


@pytest.mark.slow
@needs_shared
@pytest.mark.parametrize("name, opt", [("la02", 655), ("la03", 597), ("la04", 590),
                                       ("la05", 593)])
def test_jobshop_la02_to_la05(name, opt):
    out = run(str(EX / "jobshop.py"), name, "--data", str(DATA))
    assert f"optimum makespan {opt} (proven" in out


def test_pysmt_example():
    out = run(str(EX / "pysmt_example.py"))
    assert "finish by 9: True" in out and "finish by 8: False" in out
    assert "c first: True c starts at 0" in out


def test_z3_example():
    out = run(str(EX / "z3_example.py"))
    assert "optimum makespan 9 (proven: True)" in out and "z3 agrees: 9" in out


def test_smtlib_optimize_example_matches_z3():
    import z3

    path = EX / "jobshop_3x3_optimize.smt2"
    out = cli("solve", str(path))
    c = z3.Context()
    assert out.split() == z3.Z3_eval_smtlib2_string(c.ref(), path.read_text()).split()
    assert "(makespan 11)" in out
    out = cli("optimize", str(path))
    assert "; optimum makespan = 11; proof: (<= makespan 10) is unsat" in out
