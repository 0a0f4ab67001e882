"""Local conquer: answers, cancellation without orphans, and a killed worker loses no cube."""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time

import psutil
import pytest

from eagersmt.conquer.local import CubeWorker, LocalConquer
from eagersmt.encode.cnf import CNF
from eagersmt.result import Status

from .cnfs import php
from .procs import no_children




def all_cubes(vars_: list[int]) -> list[list[int]]:
    return [[s * v for s, v in zip(signs, vars_)] for signs in itertools.product((1, -1), repeat=len(vars_))]


def test_worker_is_a_plain_class():
    cnf = CNF()
    a, b = cnf.new_var(), cnf.new_var()
    cnf.add([a, b])
    w = CubeWorker(cnf)
    assert w.solve([-a, -b]).status == Status.UNSAT
    r = w.solve([-a])
    assert r.status == Status.SAT and r.model[b - 1] > 0
    w.close()


@pytest.mark.parametrize("backend", ["cadical", "kissat"])
def test_unsat_needs_every_cube(backend):
    cnf = php(6, 5)
    cubes = all_cubes([1, 2, 7])
    r = LocalConquer(jobs=2, backend=backend).solve_cubes(cnf, cubes)
    assert r.status == Status.UNSAT and len(r.cube_seconds) == len(cubes)
    assert no_children()


def test_first_sat_cube_stops_the_rest():
    # A sat cube first, then hard unsat cubes (PHP(10,9) under assumptions: seconds each).
    cnf = php(10, 9)
    extra = cnf.new_var()
    cnf.clauses = [list(cl) + [extra] for cl in cnf.clauses]
    cubes = [[extra]] + [[-extra, v] for v in range(1, 6)]
    t0 = time.monotonic()
    r = LocalConquer(jobs=2).solve_cubes(cnf, cubes)
    assert r.status == Status.SAT and r.cube == [extra]
    assert time.monotonic() - t0 < 3.0
    assert no_children()


def test_timeout_gives_unknown_and_no_orphans():
    r = LocalConquer(jobs=2).solve_cubes(php(11, 10), [[1], [-1]], timeout=1.0)
    assert r.status == Status.UNKNOWN
    assert no_children()


def test_killed_worker_loses_no_cube():
    cnf = php(10, 9)  # cubes of 0.5-3 s: the kill lands mid-cube
    cubes = all_cubes([1, 10])
    killed: list[int] = []

    def killer() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not killed:
            kids = psutil.Process().children()
            if kids:
                time.sleep(0.3)  # let it start a cube
                os.kill(kids[0].pid, signal.SIGKILL)
                killed.append(kids[0].pid)
            time.sleep(0.05)

    t = threading.Thread(target=killer)
    t.start()
    r = LocalConquer(jobs=2).solve_cubes(cnf, cubes)
    t.join()
    assert killed
    assert r.status == Status.UNSAT
    assert r.retried >= 1
    assert len(r.cube_seconds) == len(cubes)
    assert no_children()


# -- the shared scheduler, re-splitting, progress -------------------------------------------

from eagersmt.conquer.scheduler import CubeScheduler, Outcome  # noqa: E402
from eagersmt.cube import check_coverage  # noqa: E402

from .conftest import BENCH, needs_shared  # noqa: E402

LA05 = BENCH / "jobshop_classic" / "jobshop_la05_b592.smt2"  # unsat, ~1.5 s in one call


def test_scheduler_answers_unsat_only_when_every_cube_is_closed():
    s = CubeScheduler([[1], [-1]], cube_timeout=1.0)
    a, b = s.assign("w1"), s.assign("w1")
    assert (a.cube, a.time_limit, b.cube) == ([1], 1.0, [-1])
    s.finish("w1", Outcome(a.id, "unsat"))
    s.finish("w1", Outcome(b.id, "split", children=[[-1, 2], [-1, -2]]))
    assert not s.finished and s.open == 2
    c = s.assign("w2")
    assert c.cube == [-1, 2]  # children go to the front
    s.lost("w2")  # its worker died: back to the front, counted
    assert s.out.retried == 1 and s.assign("w3").cube == [-1, 2]
    d = s.assign("w3")
    s.finish("w3", Outcome(d.id, "timeout"))  # could not split: again, without a limit
    e = s.assign("w3")
    assert e.id == d.id and e.time_limit is None
    s.finish("w3", Outcome(e.id, "unsat"))
    assert not s.finished
    s.finish("w3", Outcome(c.id, "unsat"))
    assert s.finished
    r = s.result()
    assert r.status == Status.UNSAT and r.resplit == 1 and r.cubes == 4
    assert sorted(r.cube_seconds) == [0, 2, 3]


def test_scheduler_gives_up_on_a_cube_that_keeps_killing_workers():
    s = CubeScheduler([[1]])
    for k in range(CubeScheduler.max_retries + 1):
        s.assign(f"w{k}")
        s.lost(f"w{k}", "killed")
    assert s.finished and s.result().status == Status.UNKNOWN
    assert s.out.unknown == [0] and "died" in s.out.messages[0]


def test_scheduler_ignores_stale_and_stops_at_sat():
    s = CubeScheduler([[1], [2]])
    a = s.assign("w1")
    s.finish("w2", Outcome(a.id, "unsat"))  # not w2's cube
    assert s.open == 2
    s.finish("w1", Outcome(a.id, "sat", model=[1, 2]))
    r = s.result()
    assert s.finished and r.status == Status.SAT and r.cube == [1] and r.model == [1, 2]


def test_batches_grow_only_for_quick_cubes():
    s = CubeScheduler([[i] for i in range(1, 201)])
    assert s.batch_size() == 1
    s.worker_started("w")
    s.finish("w", Outcome(s.assign("w").id, "unsat", seconds=0.0001))
    assert s.batch_size() > 1
    s.finish("w", Outcome(s.assign("w").id, "unsat", seconds=5.0))
    assert s.batch_size() == 1


def test_worker_time_limit_stops_a_hard_cube():
    w = CubeWorker(php(11, 10))
    t0 = time.monotonic()
    assert w.solve([], timeout=0.3).status == Status.UNKNOWN
    assert time.monotonic() - t0 < 2.0
    w.close()


def test_split_children_cover_their_cube():
    cnf = php(7, 7)  # satisfiable: the coverage check is not vacuous
    w = CubeWorker(cnf)
    cs = w.split([1, -9])
    assert cs.status == Status.UNKNOWN and len(cs.cubes) > 1
    assert all(c[:2] == [1, -9] for c in cs.cubes)
    sub = CNF()
    sub.nvars, sub.clauses = cnf.nvars, cnf.clauses + [[1], [-9]]
    assert not check_coverage(sub, [])  # the cube has models...
    assert check_coverage(sub, cs.cubes)  # ...and every one is in a child
    w.close()


@needs_shared
def test_local_resplit_keeps_the_answer_and_coverage():
    from eagersmt.encode import encode
    from eagersmt.ir.normalize import normalize
    from eagersmt.smtlib.parser import parse_file

    # order, not auto: auto refutes la05_b592 at the root (encode/disjunctive.py); the
    # re-split needs cubes that take time
    enc = encode(normalize(parse_file(str(LA05)).assertions), encoding="order")
    atoms = [p.var for p in enc.tseitin.preds]
    seen = []
    r = LocalConquer(jobs=2, cube_timeout=0.5, variables=atoms, progress=seen.append) \
        .solve_cubes(enc.cnf, [[atoms[0]], [-atoms[0]]])
    assert r.status == Status.UNSAT and r.resplit >= 1
    assert r.cubes == 2 + sum(len(ch) for _, ch in r.splits)
    for parent, children in r.splits[:3]:
        sub = CNF()
        sub.nvars, sub.clauses = enc.cnf.nvars, enc.cnf.clauses + [[x] for x in parent]
        assert check_coverage(sub, children)
    last = seen[-1]
    assert last.final and last.resplit == r.resplit and last.closed == last.cubes
    assert no_children()


def test_progress_lines_and_quiet():
    import io

    from eagersmt.cli.progress import PlainProgress, RichProgress, progress_display
    from eagersmt.conquer.scheduler import Progress
    from eagersmt.config import Config

    out = io.StringIO()
    show = PlainProgress(out, every=5.0)
    for t in (1.0, 5.5, 7.0, 11.0):
        show(Progress(cubes=8, closed=int(t), refuted=int(t), resplit=0, retried=0, running=2,
                      pending=0, workers=2, elapsed=t))
    show(Progress(8, 8, 8, 0, 0, 0, 0, 2, 12.0, final=True))
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and lines[0].startswith("progress: 5/8 cubes closed")
    assert "workers 2; 12.0 s" in lines[-1]
    with progress_display(Config(quiet=True), force=True, stream=out) as d:
        assert d is None
    with progress_display(Config(), stream=io.StringIO()) as d:
        assert d is None  # not a terminal, not asked: quiet
    from rich.console import Console

    rich = RichProgress(Console(file=io.StringIO(), force_terminal=True))
    rich(Progress(8, 3, 3, 0, 0, 2, 3, 2, 1.0))
    rich(Progress(8, 8, 8, 0, 0, 0, 0, 2, 2.0, final=True))
    rich.close()


def test_job_helpers_without_ray(monkeypatch, tmp_path):
    from fractions import Fraction

    from eagersmt import ray_jobs as jobs
    from eagersmt.config import Config
    from eagersmt.result import Result

    assert jobs.config_args(Config()) == []
    assert jobs.config_args(Config(cubes="8", check_models=False, ray="auto", timeout=5.0)) == \
        ["--timeout", "5.0", "--no-check-models", "--cubes", "8", "--ray", "auto"]
    line = jobs.result_line("f.smt2", ["sat"], [Result(Status.SAT, {"x": 3, "b": True,
                                                                     "r": Fraction(1, 3)})])
    r = jobs.parse_result("noise\n" + line + "\nmore noise\n")
    assert r.answers == ["sat"] and r.models == [{"x": 3, "b": True, "r": Fraction(1, 3)}]
    assert jobs.parse_result("no marker") is None
    for k in ("RAY_API_SERVER_ADDRESS", "RAY_ADDRESS", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert jobs.resolve_address() == "http://127.0.0.1:8265"
    monkeypatch.setenv("RAY_ADDRESS", "10.0.0.1:6379")  # a GCS address is not the Jobs URL
    assert jobs.resolve_address() == "http://127.0.0.1:8265"
    monkeypatch.setenv("RAY_ADDRESS", "http://10.0.0.1:8265")
    assert jobs.resolve_address() == "http://10.0.0.1:8265"
    assert jobs.resolve_address("http://h:1") == "http://h:1"
    assert jobs.find_token() is None
    (tmp_path / ".ray").mkdir()
    (tmp_path / ".ray" / "auth_token").write_text("home-token\n")
    assert jobs.find_token() == "home-token"
    (tmp_path / "t").write_text("path-token")
    monkeypatch.setenv("RAY_AUTH_TOKEN_PATH", str(tmp_path / "t"))
    assert jobs.find_token() == "path-token"
    monkeypatch.setenv("RAY_AUTH_TOKEN", "env-token")
    assert jobs.find_token() == "env-token" and jobs.find_token("arg") == "arg"


def test_no_ray_needed_to_import_or_ask_for_help():
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys; sys.modules['ray'] = None\n"
            "import eagersmt, eagersmt.conquer, eagersmt.ray_jobs, eagersmt.cli.main\n"
            "from click.testing import CliRunner\n"
            "from eagersmt.cli.main import main\n"
            "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0 and 'submit' in r.output\n"
            "r = CliRunner().invoke(main, ['solve', 'examples/jobshop_3x3.smt2', '--ray'])\n"
            "assert r.exit_code == 2, r.output\n"
            "print(r.output)\n")
    repo = Path(__file__).resolve().parents[1]
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       cwd=repo)
    assert p.returncode == 0, p.stderr
    assert "eagersmt[cluster]" in p.stdout


class FakePool:
    """A ``WorkerPool`` without processes: a worker is ready at the first ``wait`` after its
    spawn, every task is refuted at the next ``wait``; ``die`` names workers that die (with
    their tasks) at their first ``wait`` with a task."""

    def __init__(self, die=()):
        self.sent: dict[int, list[list[int]]] = {}
        self.queue: list = []
        self.die = set(die)
        self.started: list = []

    def spawn(self):
        w = max(self.sent, default=0) + 1
        self.sent[w] = []
        self.started.append(("ready", w, 1000 + w))
        return w

    def workers(self):
        return list(self.sent)

    def send(self, w, tasks):
        self.sent[w].append([t.id for t in tasks])
        self.queue += [(w, t) for t in tasks]

    def wait(self, timeout):
        events, dead = self.started, set()
        self.started = []
        for w, t in self.queue:
            if w in self.die:
                dead.add(w)
            else:
                events.append(("done", w, Outcome(t.id, "unsat", seconds=1.0)))
        self.queue = []
        for w in dead:
            del self.sent[w]
            self.die.discard(w)
            events.append(("dead", w, "killed"))
        return events

    def close(self):
        pass


def test_drive_spreads_cubes_before_queueing_a_second():
    from eagersmt.conquer.scheduler import drive

    pool = FakePool()
    r = drive(pool, CubeScheduler([[1], [2]]), workers=2, depth=2)
    assert r.status == Status.UNSAT and pool.sent == {1: [[0]], 2: [[1]]}


def test_drive_replaces_a_dead_worker_and_requeues_its_cubes():
    from eagersmt.conquer.scheduler import drive

    pool = FakePool(die={1})
    r = drive(pool, CubeScheduler([[1], [2], [3]]), workers=2, depth=1)
    assert r.status == Status.UNSAT and r.retried == 1 and r.workers == 3
    assert sorted(r.cube_seconds) == [0, 1, 2]


def test_drive_gives_no_cube_to_a_worker_that_is_not_ready():
    # (a Ray actor waiting for a CPU, or for a pool worker another solve holds: cubes queued
    # on it would wait for that other solve, which may be waiting for ours)
    from eagersmt.conquer.scheduler import drive

    class OneNeverStarts(FakePool):
        def spawn(self):
            w = super().spawn()
            if w == 2:
                self.started.pop()
            return w

    pool = OneNeverStarts()
    r = drive(pool, CubeScheduler([[1], [2], [3]]), workers=2, depth=2)
    assert r.status == Status.UNSAT and sorted(r.cube_seconds) == [0, 1, 2]
    assert pool.sent[2] == [] and sorted(i for batch in pool.sent[1] for i in batch) == [0, 1, 2]


def test_solve_progress_in_a_pipe_only_when_asked():
    import subprocess
    import sys
    from pathlib import Path

    example = str(Path(__file__).resolve().parents[1] / "examples" / "jobshop_3x3.smt2")

    def stderr(*extra: str) -> str:
        p = subprocess.run([sys.executable, "-m", "eagersmt.cli.main", "solve", example,
                            "--cubes", "4", "--jobs", "2", *extra], capture_output=True,
                           text=True, timeout=120)
        assert p.returncode == 0 and p.stdout.startswith("sat"), p.stderr
        return p.stderr

    assert "progress:" not in stderr()  # a pipe, not asked: quiet
    lines = [ln for ln in stderr("--progress").splitlines() if ln.startswith("progress:")]
    assert lines and "cubes closed" in lines[-1] and "workers 2" in lines[-1]
    assert "progress:" not in stderr("--progress", "--quiet")


# -- solve --cubes: split spaces, auto sizing, the probe, the Kissat racer ---------------

from eagersmt import Config, solve_file  # noqa: E402
from eagersmt.backends import unavailable  # noqa: E402

FT06_UNSAT = BENCH / "jobshop_classic" / "jobshop_ft06_b54.smt2"
FT06_SAT = BENCH / "jobshop_classic" / "jobshop_ft06_b55.smt2"
ABZ6 = BENCH / "jobshop_classic" / "jobshop_abz6_b942.smt2"  # unsat, ~0.3 s in one call
needs_bench = needs_shared
needs_kissat = pytest.mark.skipif(bool(unavailable("kissat")), reason="Kissat not installed")


def check_answer(r, status: str) -> None:  # type: ignore[no-untyped-def]
    assert str(r.status) == status
    if status == "sat":
        assert r.stats.notes.get("model_checked") == "yes"


@needs_bench
@pytest.mark.parametrize("level", ["bounds", "smt+bounds"])
@pytest.mark.parametrize("path, status", [(FT06_UNSAT, "unsat"), (FT06_SAT, "sat")])
def test_solve_at_a_cube_level_gives_the_known_status(level, path, status):
    r = solve_file(str(path), config=Config(cubes="4", cube_level=level, jobs=2,
                                            backend="cadical"))
    check_answer(r, status)
    assert r.stats.counts["cubes"] <= 4
    # (at 4 bounds cubes the conquer refutes ft06 b54; the smt+bounds lookahead alone does)
    assert r.stats.notes["conquer"] in ("local", "none (the cuber decided)")
    if level == "bounds":
        assert r.stats.notes["conquer"] == "local"
    assert no_children()


@needs_bench
def test_cli_solve_at_the_bounds_level():
    from .test_cli import run

    for path, status, level in ((FT06_SAT, "sat", "bounds"), (FT06_UNSAT, "unsat", "smt+bounds")):
        p = run("solve", str(path), "--cubes", "4", "--jobs", "2", "--cube-level", level,
                "--stats")
        assert p.returncode == 0, p.stderr
        assert p.stdout.splitlines()[0] == status
        if status == "sat":
            assert "model_checked" in p.stderr
    p = run("solve", "--help")
    assert "smt+bounds" in p.stdout and "bounds" in p.stdout


def test_default_cube_level_is_bounds():
    assert Config().cube_level == "bounds"


@needs_bench
@pytest.mark.parametrize("jobs", [1, 2])
def test_cubes_auto_aims_at_8_cubes_per_worker(monkeypatch, jobs):
    import eagersmt.strategy.cubes as cubes

    monkeypatch.setattr(cubes, "PROBE_SECONDS", 0.0)  # a probe that decides nothing
    r = solve_file(str(FT06_SAT), config=Config(cubes="auto", jobs=jobs, backend="cadical"))
    check_answer(r, "sat")
    assert 1 <= r.stats.counts["cubes"] <= 8 * jobs
    assert "probe_s" in r.stats.as_dict()
    assert "warm-started by the probe" in r.stats.notes["conquer"]
    assert no_children()


@needs_shared
def test_probe_decides_an_easy_instance():
    r = solve_file(str(ABZ6), config=Config(cubes="auto", jobs=2))
    assert r.status == Status.UNSAT
    assert r.stats.notes["conquer"] == "none (the probe decided)"
    assert r.stats.counts["cubes"] == 0 and "cube_s" not in r.stats.as_dict()
    assert no_children()


@needs_bench
def test_no_probe_for_an_explicit_cube_count():
    r = solve_file(str(FT06_SAT), config=Config(cubes="4", jobs=2, backend="cadical"))
    check_answer(r, "sat")
    assert "probe_s" not in r.stats.as_dict()


@needs_bench
@needs_kissat
@pytest.mark.parametrize("path, status", [(FT06_UNSAT, "unsat"), (FT06_SAT, "sat")])
def test_portfolio_races_kissat_beside_the_cubes(path, status):
    r = solve_file(str(path), config=Config(cubes="4", jobs=1, backend="portfolio"))
    check_answer(r, status)
    if (os.cpu_count() or 1) < 2:
        pytest.skip("the racer needs a CPU beside the one worker")
    assert r.stats.notes["conquer"] == "local + kissat on the whole CNF"
    assert r.stats.notes["decided_by"] in ("cubes", "kissat (whole CNF)")
    assert no_children()


@needs_bench
def test_no_racer_with_a_single_back_end():
    from eagersmt.conquer import make_conquer

    for backend in ("cadical", "kissat"):
        assert make_conquer(Config(backend=backend), race=True).racer is None
    r = solve_file(str(FT06_SAT), config=Config(cubes="4", jobs=2, backend="cadical"))
    assert "kissat" not in r.stats.notes["conquer"] and "decided_by" not in r.stats.notes
    if not unavailable("kissat"):
        assert make_conquer(Config(jobs=1), race=True, cpus=2).racer is not None
        assert make_conquer(Config(jobs=2), race=True, cpus=2).racer is None  # no spare CPU
        assert make_conquer(Config(), race=True, proof_dir="/nonexistent").racer is None
        assert make_conquer(Config()).racer is None  # only when asked


def _stuck_worker(self, task):  # type: ignore[no-untyped-def]
    time.sleep(60)  # a cube worker that never answers: only the racer can


@needs_bench
@needs_kissat
@pytest.mark.parametrize("path, status", [(FT06_UNSAT, Status.UNSAT), (FT06_SAT, Status.SAT)])
def test_the_racer_decides_when_the_cubes_do_not(monkeypatch, path, status):
    from .test_cube import encoded, satisfies

    enc = encoded(path)
    monkeypatch.setattr(CubeWorker, "run", _stuck_worker)  # the forked workers inherit it
    t0 = time.monotonic()
    r = LocalConquer(jobs=2, racer="kissat").solve_cubes(
        enc.cnf, [[1], [-1]], timeout=30)
    assert time.monotonic() - t0 < 10
    assert r.status == status and r.decided_by == "racer"
    if status == Status.SAT:
        assert satisfies(enc.cnf, r.model)
    assert no_children()


@needs_bench
@needs_kissat
def test_racer_is_killed_when_the_cubes_finish_first(monkeypatch):
    import eagersmt.conquer.race as race

    real = race._racer_main
    pids: list[int] = []

    def slow_racer(cnf, backend, timeout, tmpdir, conn):  # type: ignore[no-untyped-def]
        time.sleep(60)  # the cubes win; the racer must not outlive the call
        real(cnf, backend, timeout, tmpdir, conn)

    monkeypatch.setattr(race, "_racer_main", slow_racer)
    real_start = race.WholeRacer.start

    def start(self, ctx=None):  # type: ignore[no-untyped-def]
        real_start(self, ctx)
        pids.append(self.pid)
        assert os.path.isdir(self.tmpdir)

    monkeypatch.setattr(race.WholeRacer, "start", start)
    r = LocalConquer(jobs=2, racer="kissat").solve_cubes(
        php(6, 5), all_cubes([1, 2]))
    assert r.status == Status.UNSAT and r.decided_by == "cubes"
    assert pids and not psutil.pid_exists(pids[0])  # killed and reaped
    assert no_children()


def test_scheduler_takes_a_racer_answer():
    from eagersmt.conquer.scheduler import drive

    s = CubeScheduler([[1], [2]])
    s.whole(Status.UNKNOWN, None, "no answer")
    assert not s.finished and s.out.messages == ["racer: no answer"]
    s.whole(Status.UNSAT)
    assert s.finished and s.result().status == Status.UNSAT and s.out.decided_by == "racer"
    s = CubeScheduler([[1], [2]])
    s.whole(Status.SAT, [1, -2])
    r = s.result()
    assert r.status == Status.SAT and r.model == [1, -2] and r.cube == []

    class RacingFakePool(FakePool):  # the racer answers unsat at the first wait
        def wait(self, timeout):
            return [("whole", None, (Status.UNSAT, None, ""))]

    r = drive(RacingFakePool(), CubeScheduler([[1], [2]]), workers=2)
    assert r.status == Status.UNSAT and r.decided_by == "racer" and not r.cube_seconds


@needs_bench
def test_resplit_with_ladders_extends_and_covers_the_cube():
    from eagersmt.cube import LookaheadCuber, split_space

    from .test_cube import encoded

    enc = encoded(FT06_SAT)
    sp = split_space(enc, "bounds")
    cube = LookaheadCuber(max_cubes=2, dynamic=False).cubes(
        enc.cnf, variables=sp.variables, ladders=sp.ladders).cubes[0]
    w = CubeWorker(enc.cnf, variables=sp.variables, ladders=sp.ladders)
    try:
        cs = w.split(cube, children=4)
    finally:
        w.close()
    assert cs.status == Status.UNKNOWN and len(cs.cubes) > 1
    assert all(c[:len(cube)] == cube for c in cs.cubes)
    ladder_vars = {abs(lit) for lad in sp.ladders for lit in lad}
    assert all(abs(x) in ladder_vars for c in cs.cubes for x in c[len(cube):])
    sub = CNF()
    sub.nvars, sub.clauses = enc.cnf.nvars, enc.cnf.clauses + [[x] for x in cube]
    assert not check_coverage(sub, [])  # the cube has models...
    assert check_coverage(sub, cs.cubes)  # ...and every one is in a child


@needs_kissat
def test_kissat_workers_killed_mid_cube_leave_no_file(monkeypatch, tmp_path):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the pool's directory goes here
    cnf = php(10, 9)  # the second cube is hard: its Kissat is killed when the first is sat
    extra = cnf.new_var()
    cnf.clauses = [list(cl) + [extra] for cl in cnf.clauses]
    r = LocalConquer(jobs=2, backend="kissat").solve_cubes(cnf, [[extra], [-extra, 1]])
    assert r.status == Status.SAT
    assert no_children() and list(tmp_path.iterdir()) == []
