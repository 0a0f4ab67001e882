"""Local conquer: solve the cubes of a CNF on K worker processes; first SAT wins.

Each worker is forked from the caller, so it inherits the CNF without pickling, loads it
once into CaDiCaL and then solves cube after cube *incrementally* (the cube's literals as
assumptions; learnt clauses carry over).  Idle workers pull the next cube from a shared
queue, in the cuber's order.  The first ``sat`` cube stops everything at once: every worker
runs in its own process group, which is killed (SIGKILL) with anything it started (a Kissat
process), so no process outlives the call.  ``unsat`` needs every cube refuted; a cube that
exceeds its conflict budget, or a worker that dies, makes the answer ``unknown`` unless
the cube is solved elsewhere (``retried`` counts cubes put back after a worker died).
With ``backend="kissat"`` a worker runs one Kissat process per cube with the cube as unit
clauses (never python-sat's kissat404, which ignores assumptions).

``CubeWorker`` is the plain, process-free part (the Ray layer of a later issue wraps the
same class); ``LocalConquer`` is the process pool around it.
"""

from __future__ import annotations

import multiprocessing as mp
import multiprocessing.connection
import os
import signal
import time
from dataclasses import dataclass, field
from typing import Optional, Sequence

from ..encode.cnf import CNF
from ..result import Status
from ..backends.base import SatResult


class CubeWorker:
    """Solves cubes of one CNF; the CNF is loaded once (CaDiCaL) and reused."""

    def __init__(self, cnf: CNF, backend: str = "cadical"):
        self.cnf = cnf
        self.backend = backend
        self._solver = None
        if backend == "cadical":
            from pysat.solvers import Cadical195

            self._solver = Cadical195(bootstrap_with=cnf.clauses)

    def solve(self, cube: Sequence[int], conflict_budget: Optional[int] = None,
              timeout: Optional[float] = None) -> SatResult:
        t0 = time.perf_counter()
        if self._solver is None:
            from ..backends.kissat import KissatBackend

            res = KissatBackend().solve(self.cnf, list(cube), timeout=timeout)
            res.stats["seconds"] = time.perf_counter() - t0
            return res
        s = self._solver
        if conflict_budget is not None:
            s.conf_budget(conflict_budget)
            ok = s.solve_limited(assumptions=list(cube))
        else:
            ok = s.solve(assumptions=list(cube))
        seconds = time.perf_counter() - t0
        if ok is None:
            return SatResult(Status.UNKNOWN, None, {"seconds": seconds})
        model = None
        if ok:
            model = s.get_model()
            if len(model) < self.cnf.nvars:
                model = model + [-(v + 1) for v in range(len(model), self.cnf.nvars)]
        return SatResult(Status.SAT if ok else Status.UNSAT, model, {"seconds": seconds})

    def close(self) -> None:
        if self._solver is not None:
            self._solver.delete()
            self._solver = None


@dataclass
class ConquerResult:
    status: Status
    model: Optional[list[int]] = None
    cube: Optional[list[int]] = None  # the cube that was sat
    cube_seconds: dict[int, float] = field(default_factory=dict)  # index -> seconds (refuted)
    unknown: list[int] = field(default_factory=list)  # cubes that ran out of budget
    retried: int = 0
    seconds: float = 0.0


def _worker_main(cnf: CNF, backend: str, cubes: list[list[int]], conn,
                 conflict_budget: Optional[int]) -> None:  # type: ignore[no-untyped-def]
    os.setpgid(0, 0)  # own process group: the parent kills it with everything it started
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides
    worker = CubeWorker(cnf, backend)
    conn.send(("ready", None, None))
    while True:
        i = conn.recv()
        if i is None:
            break
        r = worker.solve(cubes[i], conflict_budget)
        conn.send((str(r.status), i, (r.model, r.stats.get("seconds", 0.0))))
    worker.close()


def _kill_group(proc: mp.process.BaseProcess) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # type: ignore[arg-type]
    except (ProcessLookupError, PermissionError):
        pass
    if proc.is_alive():
        try:
            os.kill(proc.pid, signal.SIGKILL)  # type: ignore[arg-type]
        except ProcessLookupError:
            pass


class LocalConquer:
    """A pool of ``jobs`` forked workers over one CNF (see module doc).

    Each worker has its own pipe (a shared queue could be left locked by a worker killed
    mid-write); the parent hands the next cube to whichever worker reports back, and
    watches the workers' sentinels to notice one that died.
    """

    def __init__(self, jobs: int = 2, backend: str = "cadical",
                 conflict_budget: Optional[int] = None):
        if jobs < 1:
            raise ValueError("jobs must be at least 1")
        self.jobs = jobs
        self.backend = backend
        self.conflict_budget = conflict_budget

    def solve_cubes(self, cnf: CNF, cubes: Sequence[Sequence[int]], *,
                    timeout: Optional[float] = None) -> ConquerResult:
        t0 = time.monotonic()
        cubes = [list(c) for c in cubes]
        out = ConquerResult(Status.UNKNOWN)
        if not cubes:
            out.status = Status.UNSAT  # no cube: the cuber refuted every branch
            return out
        ctx = mp.get_context("fork")
        pending = list(range(len(cubes) - 1, -1, -1))  # a stack: pop() gives cube order
        workers: dict[int, tuple[mp.process.BaseProcess, object]] = {}  # pid -> (proc, conn)
        assigned: dict[int, Optional[int]] = {}  # pid -> cube index being solved
        done: set[int] = set()

        def spawn() -> None:
            mine, theirs = ctx.Pipe()
            p = ctx.Process(target=_worker_main, daemon=True,
                            args=(cnf, self.backend, cubes, theirs, self.conflict_budget))
            p.start()
            theirs.close()
            workers[p.pid] = (p, mine)  # type: ignore[index]
            assigned[p.pid] = None  # type: ignore[index]

        def feed(pid: int) -> None:
            conn = workers[pid][1]
            if pending:
                i = pending.pop()
                assigned[pid] = i
                conn.send(i)  # type: ignore[attr-defined]
            else:
                assigned[pid] = None
                conn.send(None)  # type: ignore[attr-defined]

        try:
            for _ in range(min(self.jobs, len(cubes))):
                spawn()
            deadline = None if timeout is None else t0 + timeout
            while len(done) < len(cubes):
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                handles = {}
                for pid, (p, conn) in workers.items():
                    handles[conn] = pid
                    handles[p.sentinel] = pid
                ready = mp.connection.wait(list(handles), timeout=left)
                for h in ready:
                    pid = handles[h]
                    if pid not in workers:
                        continue
                    p, conn = workers[pid]
                    try:
                        msg = conn.recv() if h is conn else None  # type: ignore[attr-defined]
                    except (EOFError, OSError):
                        msg = None
                    if msg is None:
                        if p.is_alive() and h is not conn:
                            continue
                        # The worker died (killed, out of memory): its cube goes back to the
                        # front of the queue and a fresh worker takes its place.
                        p.join(timeout=1)
                        del workers[pid]
                        lost = assigned.pop(pid)
                        if lost is not None and lost not in done:
                            out.retried += 1
                            pending.append(lost)
                        if pending:
                            spawn()
                        continue
                    kind, i, payload = msg
                    if kind != "ready":
                        done.add(i)
                        model, seconds = payload
                        if kind == "sat":
                            out.status, out.model, out.cube = Status.SAT, model, cubes[i]
                            return out
                        if kind == "unsat":
                            out.cube_seconds[i] = seconds
                        else:
                            out.unknown.append(i)
                    feed(pid)
            if len(done) == len(cubes):
                out.status = Status.UNSAT if not out.unknown else Status.UNKNOWN
            return out
        finally:
            for p, conn in workers.values():
                _kill_group(p)
            for p, conn in workers.values():
                p.join(timeout=5)
                conn.close()  # type: ignore[attr-defined]
            out.seconds = time.monotonic() - t0
