"""Native clause sharing (``native/``): the shim builds where a compiler is, exports what
CaDiCaL learns and imports clauses mid-search, every exported clause is implied (under
assumptions and after imports too), answers and models are right, a time limit stops a
solve and leaves the solver usable; without a compiler, with ``EAGERSMT_NATIVE=0`` or an
untested python-sat, sharing falls back to slice boundaries and says so.

Where ``g++`` is missing these tests skip, unless ``EAGERSMT_REQUIRE_NATIVE=1`` (CI sets
it in ``.ci/run``, which installs g++), where they fail."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pysat.solvers import Solver

from eagersmt.backends import open_solver
from eagersmt.backends.cadical import solver_pointer
from eagersmt.conquer.local import CubeWorker, LocalConquer
from eagersmt.conquer.sharing import NATIVE_PATH, SLICE_PATH, Sharer, cnf_tag, pack, unpack
from eagersmt.native import build
from eagersmt.native.share import NativeShare, unavailable
from eagersmt.result import Status

from .cnfs import php
from .test_sharing import random_cnf, reference

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def native_or_skip():
    why = unavailable()
    if why:
        if os.environ.get("EAGERSMT_REQUIRE_NATIVE") == "1":
            pytest.fail(f"native sharing unavailable ({why}); EAGERSMT_REQUIRE_NATIVE=1 makes "
                        "that a failure", pytrace=False)
        pytest.skip(f"native sharing unavailable: {why}")


def implied(cnf, clauses) -> bool:  # type: ignore[no-untyped-def]
    with Solver(name="cadical195", bootstrap_with=cnf.clauses) as check:
        return all(check.solve(assumptions=[-lit for lit in c]) is False for c in clauses)


def test_the_shim_builds_into_the_cache_and_loads():
    lib = build.library()
    assert not isinstance(lib, str)
    assert os.path.dirname(lib._name) == build.cache_dir()
    assert build.source().startswith(b"// Mid-search clause sharing")


def test_exported_clauses_are_short_implied_and_counted():
    cnf = php(10, 9)
    s = open_solver(cnf)
    n = NativeShare(solver_pointer(s), cnf.nvars, 4)
    try:
        assert n.solve(deadline=time.perf_counter() + 0.5) is None  # stopped by the deadline
        got = n.take()
        assert n.take() == []  # taken
        counters = n.counters()
        assert counters["conflicts"] > 0 and counters["exported"] == len(got) > 20
        assert all(1 <= len(c) <= 4 and len(c) != 2 for c in got)  # no binaries by default
        assert n.solve([1, 10]) is False  # the stopped solver goes on (pigeons 1, 2 in hole 1)
    finally:
        n.close()
        s.close()
    assert implied(cnf, random.Random(2).sample(got, 30))


def test_clauses_are_imported_mid_search_and_change_the_answer_only_as_implied():
    # A satisfiable CNF, a clause it implies and one it does not: the solver takes both
    # (imports are trusted: the callers' tags and the implication checks stand for them)
    cnf = random_cnf(80, 300, seed=5)
    assert reference(cnf)
    s = open_solver(cnf)
    n = NativeShare(solver_pointer(s), cnf.nvars, 8)
    try:
        with Solver(name="cadical195", bootstrap_with=cnf.clauses) as ref:
            assert ref.solve()
            model = set(ref.get_model())
        true_lits = [v if v in model else -v for v in range(1, 6)]
        n.offer([true_lits[:2], true_lits[2:5]])  # satisfied by a model: sat stays sat
        assert n.solve() is True
        assert n.counters()["imported"] == 2
        m = set(n.model())
        assert all(any(lit in m for lit in c) for c in cnf.clauses)
        n.offer([[v] for v in range(1, cnf.nvars + 1)] + [[-1]])  # contradictory units
        assert n.solve() is False
    finally:
        n.close()
        s.close()


def test_import_while_searching_pigeonholes_keeps_unsat():
    # Worker a learns, worker b imports a's clauses while it searches: b's answer stays
    # unsat and everything it exports is implied by the CNF (also under assumptions).
    cnf = php(9, 8)
    sa, sb = open_solver(cnf), open_solver(cnf, options={"seed": 3, "phase": 0})
    a = NativeShare(solver_pointer(sa), cnf.nvars, 8)
    b = NativeShare(solver_pointer(sb), cnf.nvars, 8)
    try:
        # (unknown at its deadline, or already refuted under the assumption on a fast machine)
        assert a.solve([1], deadline=time.perf_counter() + 0.4) in (None, False)
        learnt = a.take()
        assert learnt
        fed = []

        def between() -> None:  # the transport's exchange point, beside b's search
            if not fed:
                b.offer(learnt)
                fed.append(len(learnt))

        assert b.solve(deadline=time.perf_counter() + 60, between=between) is False
        # imported at b's fixpoints while it searched (all of them unless b decided first)
        assert fed and 0 < b.counters()["imported"] <= len(learnt)
        assert implied(cnf, learnt[:40]) and implied(cnf, b.take()[:40])
    finally:
        for n, s in ((a, sa), (b, sb)):
            n.close()
            s.close()


def test_a_sharer_on_a_fresh_solver_goes_native_and_refuses_another_cnf():
    cnf, other = php(7, 6), php(6, 5)
    sharer = Sharer(cnf_tag(cnf), cnf.nvars)
    s = open_solver(cnf)
    sharer.attach(s, fresh=True)
    try:
        assert sharer.path == NATIVE_PATH and sharer.native is not None
        assert sharer.take(cnf_tag(other), pack([[1, 2, 3]]), s) == 0  # another CNF's
        assert sharer.stats.dropped == 1 and sharer.native.counters()["pending"] == 0
        assert sharer.take(cnf_tag(cnf), pack([[1, 2, 3], [-1, -2]]), s) == 2
        assert sharer.native.counters()["pending"] == 7  # literals and their 0s
        assert sharer.native.solve() is False
        assert sharer.native.counters()["imported"] == 2
    finally:
        sharer.close()
        s.close()


def test_a_sharer_on_a_warm_solver_stays_at_slice_boundaries():
    cnf = php(7, 6)
    s = open_solver(cnf)
    try:
        assert s.solve(conflicts=200) is None
        sharer = Sharer(cnf_tag(cnf), cnf.nvars)
        sharer.attach(s)  # not fresh: the solver may have eliminated variables
        assert sharer.native is None and sharer.path.startswith(SLICE_PATH)
        sharer.close()
    finally:
        s.close()


@pytest.mark.parametrize("seed", [11, 12])
def test_native_sharing_workers_agree_with_the_reference(seed):
    cnf = random_cnf(150, 640, seed=seed)
    r = LocalConquer(jobs=2, share=True).solve_cubes(cnf, None, timeout=60)
    assert r.status == (Status.SAT if reference(cnf) else Status.UNSAT)
    assert all(w.get("native") == 1 for w in r.worker_stats)
    if r.status == Status.SAT:
        assert all(any(lit in set(r.model) for lit in c) for c in cnf.clauses)


def test_native_cube_workers_split_past_their_time_limit():
    cnf = php(10, 9)
    w = CubeWorker(cnf, share=0)
    try:
        assert w.sharer is not None and w.sharer.native is not None
        t0 = time.perf_counter()
        r = w.solve([], timeout=0.3)
        assert r.status == Status.UNKNOWN and time.perf_counter() - t0 < 5
    finally:
        w.close()


def php_smt(pigeons: int, holes: int) -> str:
    """The pigeonhole formula in SMT-LIB (Booleans): unsat."""
    x = [[f"x_{i}_{j}" for j in range(holes)] for i in range(pigeons)]
    lines = ["(set-logic QF_UF)"] + [f"(declare-const {v} Bool)" for row in x for v in row]
    lines += [f"(assert (or {' '.join(row)}))" for row in x]
    lines += [f"(assert (or (not {x[a][j]}) (not {x[b][j]})))" for j in range(holes)
              for a in range(pigeons) for b in range(a + 1, pigeons)]
    return "\n".join(lines + ["(check-sat)", ""])


def cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eagersmt.cli.main", *args], cwd=REPO,
                          env={**os.environ, "EAGERSMT_MEMO": "off", **env},
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("env, path", [
    ({}, NATIVE_PATH),
    ({"EAGERSMT_NATIVE": "0"}, SLICE_PATH + " (turned off"),
    ({"CXX": "/nonexistent/g++", "XDG_CACHE_HOME": "{tmp}"}, SLICE_PATH + " (no C++ compiler"),
])
def test_stats_say_which_sharing_path_ran(env, path, tmp_path):
    env = {k: v.format(tmp=tmp_path) for k, v in env.items()}
    smt = tmp_path / "php.smt2"  # not decided by the probe (the example is)
    smt.write_text(php_smt(10, 9))
    p = cli("solve", "--cubes", "sharing", "--jobs", "2", "--stats", str(smt), env=env)
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.startswith("unsat")
    notes = [line for line in p.stderr.splitlines() if "sharing_path" in line]
    assert notes and path in notes[0], p.stderr[-2000:]


def test_a_compiler_that_fails_and_an_untested_python_sat_fall_back(tmp_path):
    code = """
import json, sys
from eagersmt.native import build
out = {"failed": build.library()}
build._loaded = None
build.PYSAT_TESTED = ("0.0",)
out["untested"] = build.library()
print(json.dumps({k: v if isinstance(v, str) else "" for k, v in out.items()}))
"""
    env = {**os.environ, "CXX": "false", "XDG_CACHE_HOME": str(tmp_path)}
    p = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    assert "false failed: exit code 1" in r["failed"], r
    assert "not a tested release" in r["untested"], r
    assert not list(tmp_path.rglob("*.so"))


@pytest.mark.parametrize("seed", range(6))
def test_a_cnf_loaded_in_one_native_call_gets_python_sats_answers(seed, monkeypatch):
    # random 3-CNFs around the threshold (sat and unsat), loaded by load_start: the same
    # answer as python-sat's own Solver, and every model satisfies every clause
    from eagersmt.backends import base, pysat

    monkeypatch.setattr(base, "NATIVE_CLAUSES", 1)
    cnf = random_cnf(60, 255 + 10 * seed, seed=seed)
    cnf.clauses = [tuple(c) if i % 2 else list(c) for i, c in enumerate(cnf.clauses)]
    with open_solver(cnf) as s:
        ok = s.solve()
        assert ok is reference(cnf)
        if ok:
            model = set(s.model())
            assert all(any(lit in model for lit in c) for c in cnf.clauses)


@pytest.mark.parametrize("bad, error", [
    ([1, "2"], "integer expected"), ([1, 0], "non-zero integer expected"),
    ([1, 2**40], "out of range"), (3, "sequence of ints")])
def test_a_bad_clause_is_refused_whole_as_python_sat_refuses_it(bad, error, monkeypatch):
    # the clause before it is in, the bad one not half added: [-1] then leaves 1 false
    from eagersmt.backends import base, pysat

    monkeypatch.setattr(base, "NATIVE_CLAUSES", 1)
    with pysat.PysatSolver("cadical195", nvars=2) as s:
        with pytest.raises((TypeError, ValueError, OverflowError), match=error):
            s.add_clauses([[2], bad])
        s.add_clauses([[-1]])
        assert s.solve() is True and s.model()[:2] == [-1, 2]


@pytest.mark.parametrize("assumptions, clauses", [([], 250), ([5, -7, 90], 250),
                                                   ([3], 120_000)])
def test_kissats_dimacs_made_natively_is_the_text_write_dimacs_makes(assumptions, clauses):
    # lemmas (a redundant range) left out, the assumption units after, a variable beyond
    # the CNF's counted in the header: byte for byte what the Python writer writes (also
    # past the writing thread's first chunk of text)
    import io
    import threading

    from eagersmt.backends.kissat import _header, write_dimacs

    lib = build.library()
    cnf = random_cnf(60, clauses, seed=3)
    cnf.clauses.append([])
    cnf.redundant = [range(10, 20), range(100, 101)]
    ref = io.StringIO()
    write_dimacs(ref, cnf, assumptions, essential=True)
    r, w = os.pipe()
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(os.fdopen(r, "rb").read()))
    reader.start()
    clauses = cnf.essential()
    handle = lib.dimacs_start(_header(cnf, clauses, assumptions).encode(), clauses,
                              assumptions, w)
    assert lib.dimacs_join(handle) == 0
    reader.join(30)
    assert got[0].decode() == ref.getvalue()


@pytest.mark.parametrize("seed", range(4))
def test_kissat_fed_by_the_native_writer_answers_as_python_sat(seed, monkeypatch):
    # every CNF through the C thread (threshold 1); a run stopped before Kissat has read
    # its input ends the thread too (close joins it)
    from eagersmt.backends import base, kissat

    if kissat.unavailable():
        pytest.skip(kissat.unavailable())
    monkeypatch.setattr(base, "NATIVE_CLAUSES", 1)
    cnf = random_cnf(60, 255 + 10 * seed, seed=seed)
    run = kissat.KissatRun(kissat.find_kissat(), cnf)
    try:
        assert run.dimacs is not None and run.writer is None
        run.wait(60)
        res = run.result()
    finally:
        run.close()
    assert res.status == (Status.SAT if reference(cnf) else Status.UNSAT)
    if res.status == Status.SAT:
        model = set(res.model)
        assert all(any(lit in model for lit in c) for c in cnf.clauses)
    big = random_cnf(3000, 12000, seed=seed)
    stopped = kissat.KissatRun(kissat.find_kissat(), big)
    stopped.close()
    assert stopped.dimacs is None
