"""Clause sharing (``conquer/sharing.py``): what is shared is implied, another CNF's clauses
are refused, sharing changes no answer (vs Z3 and vs sharing off), a killed worker loses
nothing."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from pysat.solvers import Solver

from eagersmt.backends import open_solver
from eagersmt.conquer.local import CubeWorker, LocalConquer
from eagersmt.backends.cadical import Learner, learner_unavailable
from eagersmt.conquer.sharing import Exchange, Sharer, capacity, cnf_tag, pack, unpack
from eagersmt.encode.cnf import CNF
from eagersmt.result import Status

from .cnfs import php
from .conftest import BENCH, needs_shared, require_shared
from .oracle import z3_status

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "jobshop_3x3.smt2"
LA01 = BENCH / "jobshop_classic" / "jobshop_la01_b665.smt2"  # unsat, ~0.5 s


def random_cnf(n: int, m: int, seed: int) -> CNF:
    rng = random.Random(seed)
    cnf = CNF()
    cnf.nvars = n
    cnf.clauses = [[v if rng.random() < 0.5 else -v for v in rng.sample(range(1, n + 1), 3)]
                   for _ in range(m)]
    return cnf


def reference(cnf: CNF) -> bool:
    with Solver(name="minisat22", bootstrap_with=cnf.clauses) as s:
        return bool(s.solve())


def test_clauses_pack_and_unpack():
    assert unpack(pack([[1, -2], [3], [-70000, 5, 6]])) == [(1, -2), (3,), (-70000, 5, 6)]
    assert unpack(pack([])) == []


def test_the_learner_connects_here_and_sees_every_conflict():
    assert learner_unavailable() == ""  # python-sat's CaDiCaL 1.9.5 exports connect_learner
    cnf = php(9, 8)
    learner = Learner(max_length=3)
    s = open_solver(cnf)
    try:
        learner.attach(s)
        assert s.solve(conflicts=2000) is None
        conflicts = s.stats()["conflicts"]
        got = learner.take()
        assert learner.take() == []  # taken
        assert conflicts > 0
        assert got and all(1 <= len(c) <= 3 for c in got)
        learner.detach()
        s.solve(conflicts=500)
        assert learner.take() == []  # disconnected: nothing more
    finally:
        learner.detach()
        s.close()


def test_a_warm_solver_exports_after_it_has_learnt():
    cnf = php(8, 7)
    s = open_solver(cnf)
    try:
        assert s.solve(conflicts=1000) is None  # the probe's work, no learner yet
        sharer = Sharer(cnf_tag(cnf), cnf.nvars)
        sharer.attach(s)
        assert s.solve(conflicts=1000) is None
        sharer.collect()
        assert len(sharer.outbox) > 20
        sharer.close()
    finally:
        s.close()


def test_the_learner_streams_what_cadical_learns_and_every_shared_clause_is_implied():
    cnf = php(8, 7)
    sharer = Sharer(cnf_tag(cnf), cnf.nvars)
    s = open_solver(cnf)
    sharer.attach(s)
    try:
        assert s.solve(conflicts=3000) is None
        sharer.collect()
        learnt = sharer.outbox
        assert len(learnt) > 50  # short clauses streamed while the solver ran
        assert all(len(c) <= 8 and max(map(abs, c)) <= cnf.nvars for c in learnt)
    finally:
        sharer.close()
        s.close()
    # implied: CNF and the clause's negation are unsat, for a sample
    for c in random.Random(1).sample(learnt, 40):
        with Solver(name="cadical195", bootstrap_with=cnf.clauses) as check:
            assert check.solve(assumptions=[-lit for lit in c]) is False, c


def test_clauses_learnt_under_assumptions_and_after_imports_are_implied():
    cnf = random_cnf(120, 500, seed=3)  # sat, with search
    a = Sharer(cnf_tag(cnf), cnf.nvars)
    b = Sharer(cnf_tag(cnf), cnf.nvars)
    sa = open_solver(cnf)
    sb = open_solver(cnf, options={"seed": 7, "phase": 0})
    a.attach(sa)
    b.attach(sb)
    shared = []
    try:
        for cube in ([1, 2], [-1, 3], [-2, -3], []):
            sa.solve(cube, conflicts=300)
            sb.solve([-lit for lit in cube], conflicts=300)
            tag, data, _ = a.exchange(None, sa)
            b.take(tag, data, sb)
            tag, data, _ = b.exchange(None, sb)
            a.take(tag, data, sa)
            shared += unpack(data)
    finally:
        for s, sh in ((sa, a), (sb, b)):
            sh.close()
            s.close()
    assert shared
    with Solver(name="cadical195", bootstrap_with=cnf.clauses) as check:
        for c in shared[:200]:
            assert check.solve(assumptions=[-lit for lit in c]) is False, c


def test_a_clause_of_another_cnf_is_refused():
    mine, other = php(5, 5), php(6, 5)  # sat / unsat: the other's clauses would be wrong here
    assert cnf_tag(mine) != cnf_tag(other)
    sharer = Sharer(cnf_tag(mine), mine.nvars)
    s = open_solver(mine)
    sharer.attach(s)
    try:
        wrong = pack([[-1], [-2], [-3], [-4], [-5]])  # pigeon 1 in no hole
        assert sharer.take(cnf_tag(other), wrong, s) == 0
        assert sharer.stats.dropped == 5 and sharer.stats.imported == 0
        assert s.solve() is True  # nothing got in
        assert sharer.take(cnf_tag(mine), pack([[mine.nvars + 1]]), s) == 0  # not its variable
    finally:
        sharer.close()
        s.close()
    ex = Exchange(cnf_tag(mine), workers=2)
    ex.offer("w", cnf_tag(other), wrong)
    assert ex.refused == 1 and unpack(ex.round()) == []


def test_the_exchange_merges_short_first_without_duplicates_within_capacity():
    ex = Exchange("t", workers=1, per_worker=6, max_length=3)
    ex.offer(1, "t", pack([[1, 2, 3], [4], [5, 6]]))
    ex.offer(2, "t", pack([[6, 5], [7, 8, 9], [1, 2, 3, 4]]))
    assert capacity(1, 6) == 6
    assert unpack(ex.round()) == [(4,), (5, 6), (1, 2, 3)]  # 6 literals; [6,5] is [5,6]
    ex.offer(1, "t", pack([[4], [10]]))
    assert unpack(ex.round()) == [(10,)]  # [4] was shared already
    assert capacity(16) > capacity(2) > capacity(1) and capacity(16) < 16 * capacity(1)


@pytest.mark.parametrize("seed", range(6))
def test_sharing_agrees_with_sharing_off_and_the_reference_on_random_cnfs(seed):
    cnf = random_cnf(90, 383, seed)  # ratio 4.26: sat and unsat, a few thousand conflicts
    want = reference(cnf)
    for share in (True, False):
        r = LocalConquer(jobs=2, share=share).solve_cubes(cnf, None)  # portfolio
        assert r.status == (Status.SAT if want else Status.UNSAT), (share, r.messages)
        if want:
            assert all(any((lit > 0) == (r.model[abs(lit) - 1] > 0) for lit in c)
                       for c in cnf.clauses)
        cubes = [[1, 2], [1, -2], [-1, 2], [-1, -2]]
        r = LocalConquer(jobs=2, share=share).solve_cubes(cnf, cubes)
        assert r.status == (Status.SAT if want else Status.UNSAT)


@pytest.mark.parametrize("seed", range(4))
def test_warm_sharing_workers_agree_with_the_reference(seed):
    cnf = random_cnf(100, 426, seed + 10)
    want = reference(cnf)
    probe = CubeWorker(cnf)  # as ``--cubes sharing`` does: a probe, then forked copies
    try:
        if probe.solve([], conflict_budget=200).status != Status.UNKNOWN:
            pytest.skip("the probe decided")
        r = LocalConquer(jobs=2, share=True, warm=probe.solver).solve_cubes(cnf, None)
        cubes = [[1, 2], [1, -2], [-1, 2], [-1, -2]]  # ``--cubes auto --share on``: warm cubes
        rc = LocalConquer(jobs=2, share=True, warm=probe.solver).solve_cubes(cnf, cubes)
    finally:
        probe.close()
    for res in (r, rc):
        assert res.status == (Status.SAT if want else Status.UNSAT), res.messages
        if want:
            assert all(any((lit > 0) == (res.model[abs(lit) - 1] > 0) for lit in c)
                       for c in cnf.clauses)


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_sharing_workers_exchange_and_report_their_work(warm):
    cnf = php(10, 9)  # seconds: rounds happen
    probe = CubeWorker(cnf) if warm else None
    try:
        if probe is not None:
            assert probe.solve([], conflict_budget=2000).status == Status.UNKNOWN
        r = LocalConquer(jobs=2, share=True, warm=probe and probe.solver).solve_cubes(cnf, None)
    finally:
        if probe is not None:
            probe.close()
    assert r.status == Status.UNSAT
    assert r.sharing["rounds"] >= 2 and r.sharing["exported"] > 0
    assert r.sharing["imported"] > 0 and r.sharing["refused"] == 0
    assert len(r.worker_stats) == 2 and all(w["conflicts"] > 0 for w in r.worker_stats)
    if warm:  # the workers went on from the probe's 2,000 conflicts
        assert all(w["conflicts"] > 2000 for w in r.worker_stats)


def test_killed_sharing_worker_loses_no_cube():
    cnf = php(10, 9)
    cubes = [[a, b] for a in (1, -1) for b in (10, -10)]
    killed: list[int] = []

    def killer() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not killed:
            kids = psutil.Process().children()
            if kids:
                time.sleep(0.5)  # mid-cube, after a few sharing rounds
                os.kill(kids[0].pid, signal.SIGKILL)
                killed.append(kids[0].pid)
            time.sleep(0.05)

    t = threading.Thread(target=killer)
    t.start()
    r = LocalConquer(jobs=2, share=True).solve_cubes(cnf, cubes)
    t.join()
    assert killed and r.status == Status.UNSAT and r.retried >= 1
    assert len(r.cube_seconds) == len(cubes)
    assert not psutil.Process().children(recursive=True)


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eagersmt.cli.main", *args],
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)


@pytest.mark.parametrize("path", [EXAMPLE, LA01], ids=["jobshop_3x3", "la01_b665"])
def test_clause_sharing_on_smt_files_agrees_with_z3(path):
    if path == LA01:
        require_shared()
    want = z3_status(path.read_text())
    # ('portfolio': the older name of 'sharing', still accepted)
    for share, cubes in (("on", "sharing"), ("off", "sharing"), ("on", "portfolio")):
        p = cli("solve", str(path), "--cubes", cubes, "--share", share, "--stats",
                "--encoding", "order")  # (auto refutes la01 at the root: no workers)
        assert p.returncode == 0, p.stderr
        assert p.stdout.splitlines()[0] == want
        shown = "clause sharing" if share == "on" else "diversified workers, no sharing"
        assert re.search(rf"conquer +({shown}|none \(the probe decided)", p.stderr)
        if want == "sat":
            assert re.search(r"model_checked +yes", p.stderr)


@needs_shared
def test_certified_sharing_run_gives_a_checked_certificate(tmp_path):
    p = cli("solve", str(LA01), "--cubes", "sharing", "--proof", str(tmp_path / "cert"),
            "--encoding", "order")
    assert p.returncode == 0 and p.stdout.strip() == "unsat", p.stderr
    p = cli("check-proof", str(tmp_path / "cert"), str(LA01))
    assert p.returncode == 0, p.stdout + p.stderr


def test_an_answer_keeps_the_shortest_clauses_within_its_size():
    from eagersmt.conquer.sharing import ANSWER_LITERALS

    cnf = php(5, 5)
    sharer = Sharer(cnf_tag(cnf), cnf.nvars)
    s = open_solver(cnf)
    sharer.attach(s)
    try:
        sharer.outbox = [[1, 2, 3]] * ANSWER_LITERALS + [[4]] * 10
        tag, data, counters = sharer.exchange(None, s)
        got = unpack(data)
        assert got[:10] == [(4,)] * 10 and sum(map(len, got)) <= ANSWER_LITERALS
        assert counters["dropped"] == ANSWER_LITERALS + 10 - len(got)
    finally:
        sharer.close()
        s.close()


def test_ctrl_c_during_the_learning_probe_is_a_clean_interrupt():
    # python-sat answers SIGINT in the main thread by a longjmp out of CaDiCaL, which would
    # crash through the learner's callbacks: the probe solves in a thread of its own
    code = """
import os, signal, threading
from tests.cnfs import php
from eagersmt.strategy.probe import probe_learning
threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
try:
    probe_learning(php(10, 9), 1.0)
    print("no interrupt")
except KeyboardInterrupt:
    print("interrupted")
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=60, cwd=REPO)
    assert p.returncode == 0 and p.stdout.strip() == "interrupted", p.stderr[-2000:]
