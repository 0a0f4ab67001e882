"""The warm pool on Ray (``conquer.ray_actors``: ``PoolActor``): a second ``solve --ray``
reuses the first's workers (same processes), answers stay right (sharing and cubes), a
worker that dies mid-solve is replaced, ``pool status|stop`` shows and ends them."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eagersmt.tools.ray_head import RayHead

from .test_native_share import php_smt

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "jobshop_3x3.smt2"


@pytest.fixture(scope="module")
def head():
    try:
        h = RayHead(2, object_store_mb=100)
    except RuntimeError as e:
        pytest.fail(str(e))
    with h:
        yield h


def eagersmt(head: RayHead, *args: str, env: dict = {}) -> subprocess.CompletedProcess:  # noqa: B006
    return subprocess.run([sys.executable, "-m", "eagersmt.cli.main", *args],
                          env={**head.env, "EAGERSMT_MEMO": "off", "EAGERSMT_POOL": "1", **env},
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
"""], env={**head.env, "EAGERSMT_POOL": "1"}, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["killed"] and out["status"] == "unsat" and out["retried"] >= 1
    assert out["killed"][0] not in {w["pid"] for w in workers(head)}


def test_pool_on_a_private_ray_is_refused(tmp_path):
    p = subprocess.run([sys.executable, "-m", "eagersmt.cli.main", "pool", "status", "--ray",
                        "local"], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert p.returncode == 1 and p.stderr.startswith("error:")
