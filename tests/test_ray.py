"""The conquer on Ray, against a real head started for this module (own ports, own temp
dir, own token): answers against Z3, a killed actor, re-splitting, a Ray Job round trip,
and a client without the token refused.  Skipped when Ray is not installed.

The head is ``eagersmt.tools.ray_head.RayHead`` (``ray start --head --block`` in its own
session; teardown kills its whole process tree, never ``ray stop``).  Code that connects
to Ray runs in child processes, so this pytest process never joins a cluster.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from eagersmt import Config
from eagersmt.cli.errors import (EXIT_NO_JOB, EXIT_NO_RESULT, EXIT_NOT_FINISHED,
                                 EXIT_UNREACHABLE)

pytest.importorskip("ray")
pytest.importorskip("ray.job_submission")

from eagersmt.tools.ray_head import RayHead, http_status, worker_ports  # noqa: E402

from .conftest import BENCH, needs_shared, require_shared  # noqa: E402
from .oracle import z3_status  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "jobshop_3x3.smt2"
LA01 = BENCH / "jobshop_classic" / "jobshop_la01_b665.smt2"  # unsat; 8 cubes to conquer
LA05 = BENCH / "jobshop_classic" / "jobshop_la05_b592.smt2"  # unsat; ~1.5 s in one call


def eagersmt(head: RayHead, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eagersmt.cli.main", *args], env=head.env,
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)


def in_child(head: RayHead, code: str, timeout: float = 120) -> dict:
    """Run ``code`` (which prints one JSON line last) in a Python child joined to ``head``."""
    p = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=head.env, cwd=REPO,
                       capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


def stats_of(stderr: str) -> dict[str, str]:
    """The ``--stats`` table of a solve (key -> value text)."""
    out = {}
    for line in stderr.splitlines():
        if line.startswith("  ") and len(line.split(None, 1)) == 2:
            key, value = line.split(None, 1)
            out[key] = value.strip()
    return out


def unsat_example(tmp_path: Path) -> Path:
    f = tmp_path / "jobshop_3x3_b10.smt2"
    f.write_text(EXAMPLE.read_text().replace("(define-fun makespan () Int 11)",
                                             "(define-fun makespan () Int 10)")
                 .replace(":status sat", ":status unsat"))
    return f


@pytest.mark.parametrize("kind", ["sat", "unsat"])
def test_solve_ray_auto_agrees_with_z3(head, kind):
    # (the example with bound 10 is refuted by the cuber alone: la01 needs the conquer)
    f = EXAMPLE if kind == "sat" else LA01
    if kind == "unsat":
        require_shared()
    # (--cube-level smt: at the default level, bounds, the cuber alone finds the example's model)
    # (--encoding order: auto refutes la01_b665 at the root, encode/disjunctive.py)
    p = eagersmt(head, "solve", str(f), "--cubes", "8", "--ray", "auto", "--stats",
                 "--cube-level", "smt", "--encoding", "order")
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[0] == z3_status(f.read_text()) == kind
    st = stats_of(p.stderr)
    assert st["conquer"] == "ray (auto)" and int(st["workers"]) == 2
    if kind == "sat":
        assert st["model_checked"] == "yes"
    else:
        assert st["cubes_refuted"] == st["cubes_total"] == st["cubes"]


def test_killed_actor_is_retried(head):
    # Four cubes of PHP(10, 9) (0.5-3 s each); the first actor that reports its pid is
    # killed 0.3 s later, mid-cube: its cubes go back to the queue, a new actor takes over.
    r = in_child(head, """
        import itertools, json, os, signal, time
        from tests.cnfs import php
        from eagersmt.conquer.ray_actors import RayConquer

        killed = []
        def progress(p):
            if p.pids and not killed and p.running and p.elapsed > getattr(progress, "t", 1e9):
                os.kill(p.pids[0], signal.SIGKILL)
                killed.append(p.pids[0])
            if p.pids and not hasattr(progress, "t"):
                progress.t = p.elapsed + 0.3

        cubes = [[a * 1, b * 10] for a, b in itertools.product((1, -1), repeat=2)]
        r = RayConquer("auto", progress=progress).solve_cubes(php(10, 9), cubes)
        print(json.dumps({"status": str(r.status), "retried": r.retried, "killed": killed,
                          "refuted": len(r.cube_seconds), "workers": r.workers}))
    """)
    assert r["killed"], r
    assert r["status"] == "unsat"
    assert r["retried"] >= 1
    assert r["refuted"] == 4 and r["workers"] >= 3


@needs_shared
def test_resplit_on_ray(head):
    r = in_child(head, f"""
        import json
        from eagersmt.conquer.ray_actors import RayConquer
        from eagersmt.cube import check_coverage
        from eagersmt.encode import encode
        from eagersmt.ir.normalize import normalize
        from eagersmt.smtlib.parser import parse_file

        script = parse_file({str(LA05)!r})
        enc = encode(normalize(script.assertions), encoding="order")  # auto: refuted at the root
        atoms = [p.var for p in enc.tseitin.preds]
        first = atoms[0]
        r = RayConquer("auto", cube_timeout=0.3, variables=atoms).solve_cubes(
            enc.cnf, [[first], [-first]])
        covered = []
        for parent, children in r.splits[:3]:
            sub = type(enc.cnf)()
            sub.nvars, sub.clauses = enc.cnf.nvars, enc.cnf.clauses + [[x] for x in parent]
            covered.append(check_coverage(sub, children)
                           and all(c[:len(parent)] == parent for c in children))
        print(json.dumps({{"status": str(r.status), "resplit": r.resplit, "covered": covered}}))
    """)
    assert r["status"] == "unsat"
    assert r["resplit"] >= 1
    assert r["covered"] and all(r["covered"])


def test_job_round_trip(head, tmp_path):
    from eagersmt import ray_jobs as jobs

    unsat = LA01 if LA01.exists() else unsat_example(tmp_path)
    base = ["--address", head.dashboard, "--token", head.token]
    p = eagersmt(head, "submit", str(EXAMPLE), "--cubes", "4", *base)
    assert p.returncode == 0, p.stderr
    sat_job = p.stdout.strip().splitlines()[-1]
    # (encoding order: auto refutes la01 at the root; --cubes 8: with cubes auto the 1 s
    # probe decides it in this process, before any actor)
    unsat_job = jobs.submit(str(unsat), Config(encoding="order", cubes="8"),
                            address=head.dashboard, token=head.token, python=sys.executable)
    for job, want in ((sat_job, "sat"), (unsat_job, "unsat")):
        assert jobs.wait(job, address=head.dashboard, token=head.token, timeout=120,
                         poll=0.5) == "SUCCEEDED", jobs.logs(job, address=head.dashboard,
                                                             token=head.token)
        r = jobs.result(job, address=head.dashboard, token=head.token)
        assert r.answers == [want] and r.output[0] == want
        assert r.stats[0]["conquer"] in ("ray (auto)", "none (the cuber decided)")
        if job == unsat_job and unsat == LA01:
            assert r.stats[0]["conquer"] == "ray (auto)"  # the job conquered on the cluster
        if want == "sat":
            assert set(r.models[0]) == {f"s_{j}_{k}" for j in range(3) for k in range(3)} - {"s_2_2"}
    p = eagersmt(head, "status", sat_job, *base)
    assert p.returncode == 0 and p.stdout.startswith("SUCCEEDED"), p.stderr
    p = eagersmt(head, "result", sat_job, *base)
    assert p.returncode == 0 and p.stdout.splitlines()[0] == "sat"
    assert "(define-fun s_0_0 () Int" in p.stdout
    p = eagersmt(head, "logs", unsat_job, *base)
    assert p.returncode == 0 and "EAGERSMT-RESULT" in p.stdout


def test_client_without_the_token_is_refused(head):
    assert http_status(f"{head.dashboard}/api/jobs/", None) == 401
    assert http_status(f"{head.dashboard}/api/jobs/", "not-the-token") == 403
    assert http_status(f"{head.dashboard}/api/jobs/", head.token) == 200
    env = {k: v for k, v in head.env.items() if not k.startswith("RAY_AUTH")}
    env["HOME"] = head.tmp  # no ~/.ray/auth_token to fall back on
    p = subprocess.run([sys.executable, "-m", "eagersmt.cli.main", "status", "raysubmit_x",
                        "--address", head.dashboard], env=env, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == EXIT_UNREACHABLE, p.stderr
    assert "refused" in p.stderr and "Missing authentication token" in p.stderr
    assert "Error" not in p.stderr.replace("error:", "")  # no exception class names


def test_private_local_ray_leaves_nothing(tmp_path):
    # `--ray` alone: a private Ray (2 CPUs, no dashboard) started and shut down by the run.
    env = {**os.environ, "RAY_AUTH_TOKEN_PATH": str(tmp_path / "token"), "HOME": str(tmp_path)}
    (tmp_path / "token").write_text(secrets.token_hex(32))
    env.pop("RAY_ADDRESS", None)
    p = subprocess.Popen([sys.executable, "-m", "eagersmt.cli.main", "solve",
                          str(EXAMPLE), "--ray", "--jobs", "2", "--stats", "--cubes", "4",
                          "--cube-level", "smt"],  # (bounds cubes: the cuber alone decides;
                         # cubes auto: the probe decides, without Ray)
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    seen: set[int] = set()
    try:
        while p.poll() is None:
            try:
                seen.update(c.pid for c in psutil.Process(p.pid).children(recursive=True))
            except psutil.NoSuchProcess:
                pass
            time.sleep(0.2)
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, err
    st = stats_of(err)
    assert out.splitlines()[0] == "sat" and st["model_checked"] == "yes"
    assert st["conquer"] == "ray (local)"
    deadline = time.monotonic() + 15
    alive = [q for q in seen if psutil.pid_exists(q)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.5)
        alive = [q for q in seen if psutil.pid_exists(q)
                 and psutil.Process(q).status() != psutil.STATUS_ZOMBIE]
    for q in alive:  # never leave them running, even when the assertion fails
        try:
            psutil.Process(q).kill()
        except psutil.NoSuchProcess:
            pass
    assert not alive


def test_ray_actors_share_clauses(head):
    # Clause sharing (``--cubes sharing``) on four actors on a private local Ray (4 CPUs):
    # every actor on the whole CNF, clauses exchanged in rounds through the actors'
    # ``exchange`` calls.
    r = in_child(head, """
        import json
        from tests.cnfs import php
        from eagersmt.conquer.ray_actors import RayConquer

        r = RayConquer("local", jobs=4, share=True).solve_cubes(php(9, 8), None)
        print(json.dumps({"status": str(r.status), "sharing": r.sharing,
                          "workers": r.workers, "stats": r.worker_stats}))
    """)
    assert r["status"] == "unsat" and r["workers"] == 4
    assert r["sharing"]["rounds"] >= 3 and r["sharing"]["refused"] == 0
    assert r["sharing"]["exported"] > 0 and r["sharing"]["imported"] > 0
    assert len(r["stats"]) >= 2


def test_ray_sharing_runs_the_probe_while_the_actors_boot(head):
    # ``meanwhile`` (the clause-sharing strategy's probe): its learnt clauses seed the first round;
    # an answer of its own ends the run before any solving call.
    r = in_child(head, """
        import json
        from tests.cnfs import php
        from eagersmt.conquer.ray_actors import RayConquer
        from eagersmt.strategy.probe import probe_learning

        cnf = php(10, 9)  # (php(9, 8) can be refuted within the probe's 0.3 s)
        seed = probe_learning(cnf, 0.3)
        r = RayConquer("local", jobs=2, share=True).solve_cubes(cnf, None,
                                                                meanwhile=lambda: seed)
        early = RayConquer("local", jobs=2, share=True).solve_cubes(
            cnf, None, meanwhile=lambda: "decided")
        easy = probe_learning(php(4, 4), 1.0)
        print(json.dumps({"seed": len(seed), "status": str(r.status), "sharing": r.sharing,
                          "early": early, "easy": str(easy.status)}))
    """)
    assert r["seed"] > 0 and r["status"] == "unsat" and r["sharing"]["imported"] > 0
    assert r["early"] == "decided" and r["easy"] == "sat"


@pytest.mark.parametrize("address", ["foo:1", "127.0.0.1:1", "auto"])
def test_unreachable_cluster_fails_fast_with_a_hint(address, tmp_path):
    # (where Ray looks: conftest points RAY_TMPDIR at the session's own directory)
    if address == "auto" and Path(os.environ.get("RAY_TMPDIR", "/tmp"), "ray",
                                  "ray_current_cluster").exists():
        pytest.skip("a Ray cluster was started on this machine: 'auto' would find it")
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "eagersmt.cli.main", "solve", str(EXAMPLE),
                        "--ray", address, "--timeout", "10"], env=env, capture_output=True,
                       text=True, timeout=60, cwd=REPO)
    assert time.monotonic() - t0 < 10
    assert p.returncode == EXIT_UNREACHABLE and p.stdout == ""
    assert p.stderr.startswith(f"error: --ray {address}: ") and "Traceback" not in p.stderr
    assert "ray start --head" in p.stderr and "--ray local" in p.stderr


@needs_shared
def test_an_easy_instance_does_not_pay_for_the_cluster(head):
    # la01 at 665 is unsat in 0.5 s: the probe decides before any cube or actor (--encoding
    # order: auto refutes it at the root, before any strategy)
    t0 = time.monotonic()
    p = eagersmt(head, "solve", str(LA01), "--ray", "auto", "--stats", "--encoding", "order")
    assert p.returncode == 0 and p.stdout.splitlines()[0] == "unsat", p.stderr
    st = stats_of(p.stderr)
    assert st["conquer"] == "none (the probe decided)" and st["cubes"] == "0"
    assert time.monotonic() - t0 < 20


def test_an_easy_instance_does_not_even_import_ray(head):
    # (``import ray`` alone costs a few tenths of a second: the probe decides first)
    r = in_child(head, f"""
        import json, sys
        from eagersmt import Solver
        with Solver(ray="auto", cubes="auto") as s:
            s.add(open({str(EXAMPLE)!r}).read())
            status = str(s.check())
        print(json.dumps({{"status": status, "ray": "ray" in sys.modules}}))
    """)
    assert r == {"status": "sat", "ray": False}


def test_private_local_ray_writes_its_token_owner_only(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("RAY_AUTH") and k != "RAY_ADDRESS"}
    env["HOME"] = str(tmp_path)  # no token yet: Ray makes ~/.ray/auth_token
    p = subprocess.run([sys.executable, "-m", "eagersmt.cli.main", "solve", str(EXAMPLE),
                        "--ray", "--cubes", "4", "--cube-level", "smt"], env=env,
                       capture_output=True, text=True, timeout=120, cwd=REPO)
    assert p.returncode == 0 and p.stdout.splitlines()[0] == "sat", p.stderr
    token = tmp_path / ".ray" / "auth_token"
    if not token.exists():
        pytest.skip("this Ray wrote no token for a local cluster")
    assert token.stat().st_mode & 0o777 == 0o600


def test_worker_ports_never_hold_the_other_ports():
    """A head once failed to start because its random worker range held its object manager's
    port: the range is now drawn clear of every other port."""
    taken = [20500, 24000, 24150, 28000, 31000, 34411]
    for _ in range(500):
        low = worker_ports(taken)
        assert not any(low <= p <= low + 200 for p in taken)


@pytest.fixture
def not_ray():
    """A local TCP port that accepts connections and never says a word (not Ray)."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()


def test_an_open_port_that_is_not_ray_fails_fast_and_quietly(not_ray, tmp_path):
    f = tmp_path / "pigeons.smt2"  # hard enough that the conquer is needed
    n = 14
    f.write_text("".join(f"(declare-fun p{i} () Int)" for i in range(n))
                 + "".join(f"(assert (and (<= 1 p{i}) (<= p{i} {n - 1})))" for i in range(n))
                 + "(assert (distinct " + " ".join(f"p{i}" for i in range(n)) + "))(check-sat)")
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "eagersmt.cli.main", "solve", str(f), "--encoding",
                        "sd", "--ray", not_ray, "--timeout", "5"], capture_output=True, text=True,
                       timeout=120, cwd=REPO)
    assert time.monotonic() - t0 < 15
    assert p.returncode == EXIT_UNREACHABLE and p.stdout == ""
    assert p.stderr.splitlines() == [p.stderr.strip()], p.stderr  # one line: none of Ray's
    assert p.stderr.startswith(f"error: --ray {not_ray}: ") and "not a Ray cluster" in p.stderr


@pytest.mark.parametrize("command", ["status", "logs", "result"])
def test_a_jobs_endpoint_that_cannot_be_reached_is_a_clean_error(not_ray, command):
    for address in (f"http://{not_ray}", "http://127.0.0.1:1"):
        p = subprocess.run([sys.executable, "-m", "eagersmt.cli.main", command, "raysubmit_x",
                            "--address", address], capture_output=True, text=True, timeout=120,
                           cwd=REPO)
        assert p.returncode == EXIT_UNREACHABLE, p.stderr
        assert p.stderr.splitlines() == [p.stderr.strip()], p.stderr
        assert p.stderr.startswith("error: ") and address in p.stderr
        assert "Error" not in p.stderr.replace("error:", "")  # no exception class names


def test_status_of_an_unfinished_an_ended_and_an_unknown_job(head, tmp_path):
    from eagersmt import ray_jobs as jobs

    base = ["--address", head.dashboard, "--token", head.token]
    f = tmp_path / "pigeons.smt2"  # runs until stopped
    n = 16
    f.write_text("".join(f"(declare-fun p{i} () Int)" for i in range(n))
                 + "".join(f"(assert (and (<= 1 p{i}) (<= p{i} {n - 1})))" for i in range(n))
                 + "(assert (distinct " + " ".join(f"p{i}" for i in range(n)) + "))(check-sat)")
    job = jobs.submit(str(f), Config(encoding="sd", ray="local"), address=head.dashboard,
                      token=head.token, python=sys.executable)
    try:
        p = eagersmt(head, "status", job, *base)
        assert p.returncode == EXIT_NOT_FINISHED, p.stderr
        assert p.stdout.split(":")[0].strip() in ("PENDING", "RUNNING")
        p = eagersmt(head, "result", job, *base)
        assert p.returncode == EXIT_NOT_FINISHED and "no result yet" in p.stderr
    finally:
        jobs.client(head.dashboard, head.token).stop_job(job)
    assert jobs.wait(job, address=head.dashboard, token=head.token, timeout=60,
                     poll=0.5) == "STOPPED"
    p = eagersmt(head, "status", job, *base)
    assert p.returncode == EXIT_NO_RESULT and p.stdout.startswith("STOPPED"), p.stderr
    for command in ("status", "logs", "result"):
        p = eagersmt(head, command, "raysubmit_nosuchjob", *base)
        assert p.returncode == EXIT_NO_JOB, p.stderr
        assert p.stderr.strip() == f"error: no job raysubmit_nosuchjob at {head.dashboard}"
