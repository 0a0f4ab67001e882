"""Local conquer: answers, cancellation without orphans, and a killed worker loses no cube."""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time

import psutil
import pytest

from eagersmt.cluster.local import CubeWorker, LocalConquer
from eagersmt.encode.cnf import CNF
from eagersmt.result import Status

from .cnfs import php




def all_cubes(vars_: list[int]) -> list[list[int]]:
    return [[s * v for s, v in zip(signs, vars_)] for signs in itertools.product((1, -1), repeat=len(vars_))]


def no_children() -> bool:
    return not psutil.Process().children(recursive=True)


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
