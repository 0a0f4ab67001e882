"""SAT back ends: answers, models, assumptions, timeouts, no leftover processes, DRAT proofs."""

from __future__ import annotations

import ast
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import pytest

import eagersmt
from eagersmt.backends import get_backend
from eagersmt.backends.kissat import ENV_VAR, KissatBackend, _wheel_executable, find_kissat
from eagersmt.backends.portfolio import PortfolioBackend
from eagersmt.config import Config
from eagersmt.encode.cnf import CNF
from eagersmt.result import Status

from .cnfs import php
from .conftest import BENCH, needs_shared
from .procs import no_children

ALL = ["cadical", "kissat", "portfolio"]
JOBSHOP = BENCH / "jobshop_classic"




def planted_3sat(nvars: int = 60, nclauses: int = 250, seed: int = 1) -> CNF:
    rng = random.Random(seed)
    secret = [rng.choice((1, -1)) * v for v in range(1, nvars + 1)]
    cnf = CNF()
    cnf.new_vars(nvars)
    while len(cnf.clauses) < nclauses:
        cl = [rng.choice((1, -1)) * v for v in rng.sample(range(1, nvars + 1), 3)]
        if any(lit in secret for lit in cl):
            cnf.add(cl)
    return cnf


def satisfies(model: list[int], clauses: list[list[int]]) -> bool:
    return all(any(model[abs(lit) - 1] == lit for lit in cl) for cl in clauses)


@pytest.fixture(autouse=True)
def _tmp_as_tempdir(tmp_path, monkeypatch):
    """Temporary files go to ``tmp_path`` so tests can see that none is left behind."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    yield
    assert not list(tmp_path.glob("eagersmt-*")), "temporary CNF left behind"
    assert no_children()


@pytest.mark.parametrize("name", ALL)
def test_php_unsat(name):
    assert get_backend(name).solve(php(5, 4)).status == Status.UNSAT


@pytest.mark.parametrize("name", ALL)
def test_planted_sat_model(name):
    cnf = planted_3sat()
    cnf.new_vars(3)  # variables in no clause: the model still covers them
    res = get_backend(name).solve(cnf)
    assert res.status == Status.SAT
    assert len(res.model) == cnf.nvars
    assert all(abs(lit) == v + 1 for v, lit in enumerate(res.model))
    assert satisfies(res.model, cnf.clauses)


@pytest.mark.parametrize("name", ALL)
def test_assumptions(name):
    cnf = CNF()
    cnf.new_vars(3)
    cnf.extend([[1, 2], [-1, 3], [-2, 3]])  # sat; forces 3 under any assumption on 1, 2
    backend = get_backend(name)
    assert backend.solve(cnf).status == Status.SAT
    assert backend.solve(cnf, [-3]).status == Status.UNSAT
    assert backend.solve(cnf, [-1, -2]).status == Status.UNSAT
    res = backend.solve(cnf, [-1])
    assert res.status == Status.SAT and res.model[0] == -1 and res.model[1] == 2


@pytest.mark.parametrize("name", ALL)
def test_timeout_returns_unknown_and_kills(name):
    t0 = time.monotonic()
    res = get_backend(name).solve(php(11, 10), timeout=1)
    assert res.status == Status.UNKNOWN
    assert time.monotonic() - t0 < 3
    assert no_children()


@pytest.mark.parametrize("name", ["kissat", "portfolio"])
def test_ctrl_c_leaves_no_child(name):
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        get_backend(name).solve(php(11, 10))
    timer.join()
    assert no_children()


def test_kissat_runs_the_executable(monkeypatch):
    import pysat.solvers

    def forbidden(*args, **kwargs):
        raise AssertionError("python-sat's Kissat404 ignores assumptions")

    monkeypatch.setattr(pysat.solvers.Kissat404, "__init__", forbidden)
    calls = []
    real_spawn = os.posix_spawnp

    def spawn(path, args, *a, **kw):
        calls.append(list(args))
        return real_spawn(path, args, *a, **kw)

    monkeypatch.setattr(os, "posix_spawnp", spawn)  # (how ``kissat.Spawned`` starts it)
    backend = KissatBackend()
    assert backend.solve(php(4, 3), timeout=5).status == Status.UNSAT
    assert len(calls) == 1 and calls[0][0] == backend.executable
    assert os.path.basename(backend.executable) == "kissat" and os.access(backend.executable, os.X_OK)
    assert "-q" in calls[0] and "--time=5" in calls[0]


def test_no_kissat404_in_sources():
    """python-sat's Kissat404 (also reachable as Solver(name="kissat")) ignores assumptions;
    only prose (comments, docstrings) may mention it."""
    bad_names = {"kissat404", "kissat4", "ks4", "ks"}
    for path in Path(eagersmt.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Name):
                names = [node.id]
            elif isinstance(node, ast.Attribute):
                names = [node.attr]
            elif isinstance(node, ast.alias):
                names = [node.name, node.asname or ""]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names = [node.value]
            elif isinstance(node, ast.keyword) and node.arg == "name" and \
                    isinstance(node.value, ast.Constant) and node.value.value == "kissat":
                names = ["kissat404"]  # pysat.solvers.Solver(name="kissat")
            assert not bad_names & {n.lower() for n in names}, f"{path}: {names}"


def test_lookup_order(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert find_kissat() == _wheel_executable()
    log = tmp_path / "called"
    wrapper = tmp_path / "my-kissat"
    wrapper.write_text(f'#!/bin/sh\necho "$@" > {log}\nexec {_wheel_executable()} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv(ENV_VAR, str(wrapper))
    assert KissatBackend().solve(php(4, 3)).status == Status.UNSAT
    assert log.exists()
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "missing"))
    with pytest.raises(ValueError, match=ENV_VAR):
        KissatBackend()


def test_unavailable_kissat_is_reported():
    code = ("import eagersmt.backends as b\n"
            "assert b.unavailable('kissat') and b.unavailable('portfolio')\n"
            "assert not b.unavailable('cadical')\n"
            "try:\n    b.get_backend('kissat')\nexcept ValueError as e:\n    print(e)\n"
            "print(type(b.get_backend('portfolio')).__name__)\n")  # the default degrades
    env = {**os.environ, ENV_VAR: "/nonexistent/kissat"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert "'kissat' is not available" in out and ENV_VAR in out
    assert out.strip().splitlines()[-1] == "CadicalBackend"


def test_kissat_crash_is_an_error_and_portfolio_survives_it(tmp_path):
    broken = tmp_path / "broken-kissat"
    broken.write_text("#!/bin/sh\necho 'kissat: error: out of memory' >&2\nexit 1\n")
    broken.chmod(0o755)
    with pytest.raises(RuntimeError, match="out of memory"):
        KissatBackend(executable=str(broken)).solve(php(4, 3))
    res = PortfolioBackend(executable=str(broken)).solve(php(9, 8))  # ~0.6 s: the crash comes first
    assert res.status == Status.UNSAT and res.stats["winner"] == "cadical"
    assert "out of memory" in res.stats["kissat_error"]


def test_drat_proof(tmp_path):
    proof = tmp_path / "php.drat"
    res = KissatBackend().solve(php(5, 4), proof_path=proof)
    assert res.status == Status.UNSAT
    lines = proof.read_text().splitlines()
    assert lines and lines[-1].strip() == "0"
    assert all(tok.lstrip("-").isdigit() for ln in lines for tok in ln.split() if tok != "d")


def test_portfolio_winner_and_polling_fallback(monkeypatch):
    res = PortfolioBackend().solve(planted_3sat())
    assert res.stats["winner"] in ("cadical", "kissat")
    monkeypatch.delattr(os, "pidfd_open", raising=False)  # older kernels / Pythons: poll
    res = PortfolioBackend().solve(php(5, 4))
    assert res.status == Status.UNSAT and res.stats["winner"] in ("cadical", "kissat")


@needs_shared
@pytest.mark.parametrize("name", ["kissat", "portfolio"])
@pytest.mark.parametrize("bound,expected", [(54, "unsat"), (55, "sat")])
def test_solve_file_jobshop_ft06(name, bound, expected):
    path = JOBSHOP / f"jobshop_ft06_b{bound}.smt2"
    res = eagersmt.solve_file(str(path), config=Config(backend=name))
    assert str(res.status) == expected
    if expected == "sat":
        assert res.stats.notes.get("model_checked") == "yes"


@pytest.mark.parametrize("backend", ["cadical", "portfolio"])
def test_warm_start_goes_on_from_a_limited_first_try(backend):
    """A solver stopped by a conflict budget is handed on (``warm``); the back end's child
    goes on from it to the right answer."""
    from eagersmt.backends import open_solver

    cnf = php(8, 7)  # unsat, needs thousands of conflicts
    warm = open_solver(cnf)
    try:
        assert warm.solve(conflicts=10) is None
        r = get_backend(backend).solve(cnf, warm=warm)
    finally:
        warm.close()
    assert r.status == Status.UNSAT
    assert not psutil.Process().children()
    easy = CNF()
    easy.nvars = 3  # variable 3 is in no clause: the model still has it
    easy.clauses = [[1, 2], [-1]]
    with open_solver(easy) as s:
        assert s.solve(conflicts=10) is True and s.model() == [-1, 2, -3]


def test_incremental_solver_keeps_deadline_and_conflict_budget():
    """The one bounded-solve loop (first try, cube workers, optimizer): a deadline and a
    conflict budget each stop it with None; an easy CNF is answered; the core names the
    failed assumptions."""
    from eagersmt.backends import open_solver

    hard = php(11, 10)
    with open_solver(hard) as s:
        t = time.perf_counter()
        assert s.solve(deadline=t + 0.3) is None and time.perf_counter() - t < 1.0
    with open_solver(hard) as s:
        s.next_slice = 100
        assert s.solve(deadline=math.inf, conflicts=300) is None
        # CaDiCaL may pass a conflict limit by one per call (3 slices of 100 here)
        assert 300 <= s.stats()["conflicts"] <= 303
    with open_solver(php(5, 4)) as s:
        assert s.solve(deadline=time.perf_counter() + 30) is False
    with open_solver(CNF()) as s:
        s.add_clauses([[1, 2], [-1, 3]])
        assert s.solve([-2, -3]) is False and set(s.core()) <= {-2, -3} and s.core()


def test_kissat_reads_a_cnf_larger_than_the_pipe():
    """Kissat's input comes through a pipe from a forked writer: a CNF of ~1 MB of text
    (far beyond a pipe's 64 KiB) arrives whole, and the writer is gone afterwards."""
    cnf = CNF()
    cnf.new_vars(20000)
    cnf.extend([v % 20000 + 1, -((v + 1) % 20000 + 1), (3 * v) % 20000 + 1] for v in range(60000))
    res = KissatBackend().solve(cnf)
    assert res.status == Status.SAT and satisfies(res.model, cnf.clauses)
    assert no_children()


def test_closing_a_kissat_run_stops_its_writer():
    """Closed while its input is still being written: Kissat and the writer both end."""
    from eagersmt.backends.kissat import KissatRun

    cnf = CNF()
    cnf.new_vars(100000)
    cnf.extend([v % 100000 + 1, -((v + 1) % 100000 + 1), (7 * v) % 100000 + 1]
               for v in range(400000))
    run = KissatRun(find_kissat(), cnf)
    run.close()
    assert no_children()


@needs_shared
def test_portfolio_prestarts_kissat_before_the_first_try(monkeypatch):
    """The default strategy starts the portfolio's Kissat before its in-process CaDiCaL try
    on a CNF of ``PRESTART_CLAUSES`` or more (not on a small one): an instance that try
    decides leaves no process behind, and one it does not decide is raced with the Kissat
    already running (its answer the known status)."""
    calls = []
    original = PortfolioBackend.prestart

    def recording(self, cnf, *args, **kwargs):  # type: ignore[no-untyped-def]
        run = original(self, cnf, *args, **kwargs)
        calls.append(run)
        return run

    monkeypatch.setattr(PortfolioBackend, "prestart", recording)
    small = eagersmt.solve_file(str(JOBSHOP / "jobshop_ft06_b55.smt2"), config=Config(memo="off"))
    assert str(small.status) == "sat" and not calls  # a few thousand clauses: no prestart
    easy = eagersmt.solve_file(str(JOBSHOP / "jobshop_la01_b666.smt2"), config=Config(memo="off"))
    assert str(easy.status) == "sat" and easy.stats.notes.get("model_checked") == "yes"
    assert easy.stats.notes.get("winner") == "cadical (in-process first try)"
    assert len(calls) == 1 and no_children()
    hard = eagersmt.solve_file(str(JOBSHOP / "jobshop_la16_b944.smt2"), config=Config(memo="off"))
    assert str(hard.status) == "unsat" and len(calls) == 2
    assert str(hard.stats.notes.get("winner")) in ("cadical", "kissat")
    assert no_children()


def test_a_solver_child_answers_reports_its_error_or_death_and_is_stopped_at_its_timeout():
    # backends.process: the value (a large one, past a pipe's buffer), the child's exception
    # as RuntimeError, a child killed by a signal as "died", a slow one as Timeout; no child
    # left behind by any
    from eagersmt.backends.process import Timeout, run_with_timeout

    assert run_with_timeout(lambda: list(range(200_000)), 30) == list(range(200_000))
    with pytest.raises(RuntimeError, match="solver process failed: .*by zero"):
        run_with_timeout(lambda: 1 // 0, 30)
    with pytest.raises(RuntimeError, match=r"solver process died \(exit code -9\)"):
        run_with_timeout(lambda: os.kill(os.getpid(), signal.SIGKILL), 30)
    t0 = time.monotonic()
    with pytest.raises(Timeout):
        run_with_timeout(lambda: time.sleep(30), 0.3)
    assert time.monotonic() - t0 < 10
    assert no_children()
