"""The warm pool on Ray (``conquer.ray_actors``: ``PoolActor``), the default of ``--ray`` on
a running cluster: a second ``solve --ray`` reuses the first's workers (same processes),
answers stay right (sharing and cubes), a worker that dies mid-solve is replaced, two solves
at once queue for the workers instead of taking each other's, a Ray Job's solve runs on the
same workers, a solve whose driver died frees its workers, idle workers end by themselves,
``pool status|stop`` shows and ends them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from eagersmt.tools.ray_head import RayHead

from .test_native_share import php_smt

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "jobshop_3x3.smt2"


def eagersmt(head: RayHead, *args: str, env: dict = {}) -> subprocess.CompletedProcess:  # noqa: B006
    return subprocess.run([sys.executable, "-m", "eagersmt.cli.main", *args],
                          env={**head.env, "EAGERSMT_MEMO": "off", **env},
                          capture_output=True, text=True, timeout=300, cwd=REPO)


def workers(head: RayHead) -> list[dict]:
    p = eagersmt(head, "pool", "status")
    assert p.returncode == 0, p.stderr[-2000:]
    return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]


def test_a_second_solve_reuses_the_warm_workers_and_stop_ends_them(head, tmp_path):
    php = tmp_path / "php.smt2"  # unsat, not decided before the workers (as the example is)
    php.write_text(php_smt(10, 9))
    first = eagersmt(head, "solve", "--ray", "auto", "--cubes", "4", str(EXAMPLE))
    assert first.returncode == 0 and first.stdout.split()[0] == "sat", first.stderr[-2000:]
    status = workers(head)
    before = {w["name"]: w["pid"] for w in status}
    loads = sum(w["solves"] for w in status)
    assert len(before) == 2 and loads >= 1
    for args in (("--cubes", "4"), ("--cubes", "sharing")):
        p = eagersmt(head, "solve", "--ray", "auto", *args, str(php))
        assert p.returncode == 0 and p.stdout.split()[0] == "unsat", p.stderr[-2000:]
    after = workers(head)
    assert {w["name"]: w["pid"] for w in after} == before, after  # the same processes, warm
    assert sum(w["solves"] for w in after) >= loads + 3 and not any(w["busy"] for w in after)
    p = eagersmt(head, "pool", "stop")
    assert p.returncode == 0 and "stopped 2 pool workers" in p.stdout
    deadline = time.time() + 30
    while workers(head) and time.time() < deadline:
        time.sleep(1)
    assert workers(head) == []


def test_a_pool_worker_killed_mid_solve_is_replaced(head):
    r = subprocess.run([sys.executable, "-c", """
import itertools, json, os, signal
from tests.cnfs import php
from eagersmt.conquer.ray_actors import RayConquer

killed = []
def progress(p):
    if p.pids and not killed and p.running and p.elapsed > 1.0:
        os.kill(p.pids[0], signal.SIGKILL)
        killed.append(p.pids[0])

cubes = [[a * 1, b * 10] for a, b in itertools.product((1, -1), repeat=2)]
r = RayConquer("auto", progress=progress).solve_cubes(php(10, 9), cubes)
print(json.dumps({"status": str(r.status), "retried": r.retried, "killed": killed}))
"""], env=head.env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["killed"] and out["status"] == "unsat" and out["retried"] >= 1
    assert out["killed"][0] not in {w["pid"] for w in workers(head)}


def solve_args(php: Path) -> list[str]:
    return [sys.executable, "-m", "eagersmt.cli.main", "solve", "--ray", "auto", "--cubes", "4",
            "--stats", str(php)]


def test_two_solves_at_once_queue_for_the_workers(head, tmp_path):
    # (before leases, the second solve took the first's workers: its cubes came back as
    # errors, and its answer was unknown)
    php = tmp_path / "php.smt2"
    php.write_text(php_smt(10, 9))
    before = {w["name"]: w["pid"] for w in workers(head)}
    env = {**head.env, "EAGERSMT_MEMO": "off"}
    procs = [subprocess.Popen(solve_args(php), env=env, cwd=REPO, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0 and out.split()[0] == "unsat", err[-2000:]
        stats = dict(line.split(None, 1) for line in err.splitlines()
                     if line.startswith("  ") and len(line.split(None, 1)) == 2)
        assert stats["cubes_refuted"] == stats["cubes_total"]
    after = workers(head)
    assert len(after) == 2 and not any(w["busy"] for w in after)
    assert {w["name"]: w["pid"] for w in after} == before  # nobody was killed


def test_a_ray_job_solves_on_the_pool(head, tmp_path):
    from eagersmt import ray_jobs as jobs

    php = tmp_path / "php.smt2"
    php.write_text(php_smt(10, 9))
    before = workers(head)
    auth = {"address": head.dashboard, "token": head.token}
    p = eagersmt(head, "submit", str(php), "--cubes", "4", "--address", head.dashboard,
                 "--token", head.token)
    assert p.returncode == 0, p.stderr
    job = p.stdout.strip().splitlines()[-1]
    assert jobs.wait(job, timeout=240, poll=0.5, **auth) == "SUCCEEDED", jobs.logs(job, **auth)
    r = jobs.result(job, **auth)
    assert r.answers == ["unsat"] and r.stats[0]["conquer"] == "ray (auto)"
    after = workers(head)
    assert {w["name"]: w["pid"] for w in after} == {w["name"]: w["pid"] for w in before}
    assert sum(w["solves"] for w in after) > sum(w["solves"] for w in before)


def test_a_solve_whose_driver_died_frees_its_workers(head, tmp_path):
    hard = tmp_path / "php12.smt2"  # minutes for any cube: the workers stay busy
    hard.write_text(php_smt(12, 11))
    env = {**head.env, "EAGERSMT_MEMO": "off"}
    p = subprocess.Popen(solve_args(hard), env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 120
        while not any(w["busy"] for w in workers(head)):
            assert time.time() < deadline and p.poll() is None
            time.sleep(1)
    finally:
        os.killpg(p.pid, signal.SIGKILL)  # the driver dies without releasing its workers
        p.wait()
    assert any(w["busy"] for w in workers(head))  # its cubes still run
    php = tmp_path / "php.smt2"
    php.write_text(php_smt(10, 9))
    q = subprocess.run(solve_args(php), env=env, cwd=REPO, capture_output=True, text=True,
                       timeout=300)
    assert q.returncode == 0 and q.stdout.split()[0] == "unsat", q.stderr[-2000:]
    assert not any(w["busy"] for w in workers(head))


def test_idle_pool_workers_end_by_themselves(head):
    r = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import json, time
        import ray
        from tests.cnfs import php
        from eagersmt.conquer.ray_actors import RayConquer, pool_actors, pool_status, pool_stop

        ray.init(address="auto", log_to_driver=False)
        pool_stop()  # (workers of earlier tests, with the default idle time)
        while pool_actors():
            time.sleep(0.5)
        cubes = [[1], [-1]]
        status = str(RayConquer("auto").solve_cubes(php(8, 7), cubes).status)
        started = pool_status()
        t = time.monotonic()
        while pool_actors() and time.monotonic() - t < 90:
            time.sleep(0.5)
        print(json.dumps({"status": status, "started": started, "left": len(pool_actors())}))
    """)], env={**head.env, "EAGERSMT_POOL_IDLE": "3"}, cwd=REPO, capture_output=True,
        text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["status"] == "unsat" and out["left"] == 0
    # (a worker still starting when the solve ended is not listed yet)
    assert out["started"] and all(w["stops_after"] == 3 for w in out["started"])


def test_pool_on_a_private_ray_is_refused(tmp_path):
    p = subprocess.run([sys.executable, "-m", "eagersmt.cli.main", "pool", "status", "--ray",
                        "local"], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert p.returncode == 1 and p.stderr.startswith("error:")
