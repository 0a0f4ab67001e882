"""`eagersmt cube` / `eagersmt conquer` / `solve --cubes`: formats, answers, exit codes."""

from __future__ import annotations

import pytest

from eagersmt import Config, Status, solve_file
from eagersmt.cube.icnf import read_icnf

from .conftest import BENCH, needs_shared
from .test_cli import EXAMPLE, run

FT06 = BENCH / "jobshop_classic"


def test_cube_then_conquer_round_trip(tmp_path):
    out = tmp_path / "ex.icnf"
    p = run("cube", str(EXAMPLE), "-o", str(out), "--cubes", "4", "--level", "cnf")
    assert p.returncode == 0, p.stderr
    ic = read_icnf(out.read_text())
    assert ic.cubes and len(ic.cubes) <= 4
    p = run("conquer", str(out), "--jobs", "2")
    assert p.returncode == 10 and p.stdout.startswith("s SATISFIABLE"), p.stderr
    model = {int(t) for ln in p.stdout.splitlines() if ln.startswith("v ") for t in ln.split()[1:]}
    assert all(any(l in model for l in cl) for cl in ic.clauses)  # the model is a model


def test_conquer_reads_a_hand_written_icnf(tmp_path):
    f = tmp_path / "h.icnf"
    f.write_text("c march_cu style\np inccnf\n1 2 0\n-1 2 0\n1 -2 0\na 1 0\na -1 0\n")
    p = run("conquer", str(f))
    assert p.returncode == 10 and "v 1 2 0" in p.stdout
    f.write_text("p inccnf\n1 2 0\n-1 2 0\n1 -2 0\n-1 -2 0\na 1 0\na -1 0\n")
    p = run("conquer", str(f))
    assert p.returncode == 20 and p.stdout.strip() == "s UNSATISFIABLE"


@pytest.mark.parametrize("text, line, message", [
    ("p inccnf\n1 x 0\n", 2, "literal"),
    ("p inccnf\n1 2 0\na 1 2\n", 3, "0"),
    ("p cnf 2 1\n1 3 0\n", 2, "range"),
])
def test_malformed_icnf_is_an_error(tmp_path, text, line, message):
    f = tmp_path / "bad.icnf"
    f.write_text(text)
    p = run("conquer", str(f))
    assert p.returncode == 1 and p.stdout == "" and "Traceback" not in p.stderr
    assert p.stderr.startswith(f"error: {f}:{line}:"), p.stderr
    assert message in p.stderr


@needs_shared
@pytest.mark.parametrize("name, status", [("jobshop_ft06_b54.smt2", "unsat"),
                                          ("jobshop_ft06_b55.smt2", "sat")])
@pytest.mark.parametrize("cubes, level", [("4", "cnf"), ("auto", "smt")])
def test_solve_with_cubes_matches_known_status(name, status, cubes, level):
    r = solve_file(str(FT06 / name), config=Config(cubes=cubes, cube_level=level, jobs=2, timeout=120))
    assert str(r.status) == status
    if r.status == Status.SAT:
        assert r.stats.notes.get("model_checked") == "yes"
