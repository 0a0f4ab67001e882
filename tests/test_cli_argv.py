"""``solve_argv.read`` (``eagersmt solve`` without click) reads what the click command reads.

For every argument list it takes, the keyword arguments equal those click passes to
``solve_cmd`` (and the ``Config`` equals ``make_config``'s); what it declines, click reads.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from eagersmt.cli.options import make_config
from eagersmt.cli.solve import solve_cmd
from eagersmt.cli.solve_argv import read

from .conftest import BENCH, needs_shared

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "examples" / "jobshop_3x3.smt2")

TAKEN = [
    [EXAMPLE],
    ["--stats", EXAMPLE],
    [EXAMPLE, "--timeout", "5", "--encoding", "order", "--backend", "cadical"],
    ["--timeout=2.5", EXAMPLE, "--no-check-models", "--quiet", "--no-quiet"],
    ["--timeout", "inf", "--cube-timeout", "3", "--cross-check-timeout", "1e9", EXAMPLE],
    ["--cubes", "portfolio", "--jobs", "3", "--share", "off", "--cube-level", "cnf", EXAMPLE],
    ["--memory-limit", "512", "--eij-max-clauses", "1_000", EXAMPLE, "--progress"],
    ["--no-memo", EXAMPLE, "--no-progress"],
    ["--memo", "off", EXAMPLE, "--timeout", "1", "--timeout", "7"],
    ["--cross-check", "z3", EXAMPLE],
]

DECLINED = [
    [], ["-"], ["--interactive"], ["-in"], ["-h"], ["--help"], [EXAMPLE, EXAMPLE],
    [EXAMPLE, "--ray"], [EXAMPLE, "--ray", "local"], [EXAMPLE, "--proof", "dir"],
    [EXAMPLE, "--timeout"], [EXAMPLE, "--timeout", "0"], [EXAMPLE, "--timeout", "-1"],
    [EXAMPLE, "--timeout", "soon"], [EXAMPLE, "--encoding", "nope"], [EXAMPLE, "--jobs", "0"],
    [EXAMPLE, "--jobs", "2.5"], [EXAMPLE, "--cubes", "lots"], [EXAMPLE, "--stats=1"],
    [EXAMPLE, "--unknown"], [EXAMPLE, "--", "x"], [EXAMPLE, "--memory-limit", "-5"],
]


def _click_kwargs(argv: list[str]) -> dict:
    ctx = solve_cmd.make_context("solve", list(argv))
    return dict(ctx.params)


@pytest.mark.parametrize("argv", TAKEN, ids=" ".join)
def test_read_equals_click(argv: list[str]) -> None:
    ours = read(argv)
    assert ours is not None
    theirs = _click_kwargs(argv)
    config = make_config(dict(theirs))
    assert ours.pop("config") == config
    for key in ("file", "interactive", "stats", "progress"):
        assert ours.pop(key) == theirs[key], key
    assert ours == {}


@pytest.mark.parametrize("argv", DECLINED, ids=" ".join)
def test_read_declines_what_click_reads(argv: list[str]) -> None:
    assert read(argv) is None


def test_console_script_without_click_answers_as_click(tmp_path: Path) -> None:
    """The console script's solve path imports neither click nor python-sat's ``Solver``
    classes (CaDiCaL runs through ``backends.pysat.CadicalHandle``) and prints what the click
    command prints (the answer and model of the example, and a bad file's error and exit
    code)."""
    probe = ("import runpy, sys; sys.argv = ['eagersmt', 'solve'] + sys.argv[1:]\n"
             "try:\n    runpy.run_module('eagersmt.cli.main', run_name='__main__')\n"
             "finally:\n    print('click' in sys.modules or 'pysat.solvers' in sys.modules,"
             " file=sys.stderr)\n")
    missing = str(tmp_path / "missing.smt2")
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    fast = subprocess.run([sys.executable, "-c", probe, EXAMPLE], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120, env=env)
    assert fast.stderr.strip().splitlines()[-1] == "False"
    from click.testing import CliRunner

    slow = CliRunner().invoke(solve_cmd, [EXAMPLE])
    assert fast.returncode == slow.exit_code == 0
    assert fast.stdout == slow.output
    assert fast.stdout.startswith("sat\n")
    bad = subprocess.run([sys.executable, "-c", probe, missing], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120, env=env)
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[0] == f"error: {missing}: no such file"


def test_version_without_click_prints_what_click_prints(tmp_path: Path) -> None:
    probe = ("import runpy, sys; sys.argv = ['eagersmt', '--version']\n"
             "runpy.run_module('eagersmt.cli.main', run_name='__main__')\n"
             "print('click' in sys.modules, file=sys.stderr)\n")
    fast = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    from click.testing import CliRunner

    from eagersmt import __version__
    from eagersmt.cli.commands import main

    slow = CliRunner().invoke(main, ["--version"])
    assert fast.returncode == slow.exit_code == 0
    assert fast.stdout == slow.output == f"eagersmt, version {__version__}\n"
    assert fast.stderr.strip() == "False"


def test_solving_a_difference_logic_file_imports_only_what_it_needs():
    """The console script on the 3x3 job shop answers sat without loading click, Ray,
    ``dataclasses`` (its import and class creation were a third of a small file's run), the
    linear path, the local searches, the optimizer or the lemma store."""
    code = ("import sys; from eagersmt.cli.main import run; sys.argv = ['eagersmt', 'solve', "
            f"{EXAMPLE!r}]\ntry:\n    run()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m in ('click', 'ray', 'dataclasses') or "
            "m.startswith(('eagersmt.ir.linear', 'eagersmt.core.local_search', "
            "'eagersmt.core.disjunct_walk', 'eagersmt.optimize', 'eagersmt.memo', "
            "'eagersmt.tools'))), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "EAGERSMT_MEMO": "off"})
    assert out.stdout.splitlines()[0] == "sat", out.stderr
    assert out.stderr.strip().splitlines()[-1] == "[]"


@needs_shared
def test_a_job_shop_raced_against_kissat_starts_it_without_subprocess():
    """A 10x10 job shop (its CNF large enough for the portfolio's Kissat to be started
    beside CaDiCaL's first try, and for the native load) answers as its status says, and
    Kissat is started without importing ``subprocess`` (``kissat.Spawned``) and the click,
    Ray or ``dataclasses`` of the test above."""
    path = BENCH / "jobshop_classic" / "jobshop_abz6_b942.smt2"
    code = ("import sys; from eagersmt.cli.main import run; sys.argv = ['eagersmt', 'solve', "
            f"{str(path)!r}]\ntry:\n    run()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m in ('click', 'ray', 'dataclasses', "
            "'subprocess', 'selectors')), 'eagersmt.backends.kissat' in sys.modules, "
            "file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "EAGERSMT_MEMO": "off"})
    assert out.stdout.splitlines()[0] == "unsat", out.stderr  # (its :status)
    assert out.stderr.strip().splitlines()[-1] == "[] True"
