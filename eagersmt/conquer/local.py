"""Local conquer: solve the cubes of a CNF on K worker processes; first SAT wins.

Each worker is forked from the caller, so it inherits the CNF without pickling, loads it
once into CaDiCaL (or, with ``warm``, starts from its copy of the caller's CaDiCaL: the
``--cubes auto`` probe's, learnt clauses included) and then solves cube after cube
*incrementally* (the cube's literals as assumptions; learnt clauses carry over).  Idle
workers pull the next cube from the driver, in the cuber's order.  The first ``sat`` cube
stops everything at once: every worker runs in its own process group, which is killed
(SIGKILL) with anything it started (a solver executable), so no process outlives the call.
``unsat`` needs every cube refuted.  A worker that dies has its cube put back
(``retried``); with ``cube_timeout`` a cube that runs past it is split again by the
lookahead cuber and its children re-queued.  That bookkeeping is
``scheduler.CubeScheduler``, shared with the Ray conquer.
With a back end that has no incremental solver (Kissat) a worker makes one one-shot call per
cube, the cube's literals as assumptions (Kissat writes them as unit clauses).

With ``share`` the workers share learnt clauses (``sharing``): each worker's CaDiCaL (fresh,
or its copy of ``warm`` where the native path is not available) gets options of its own
(``backends.cadical.diversity``) and a learner that hands over what it learns; at each
exchange point of a cube (between two slices, or every poll beside a native solve) the
worker reads its pipe, where the driver's sharing requests arrive, and answers them (an idle
worker answers at once).

``CubeWorker`` is the plain, process-free part (``ray_actors`` wraps the same class in
an actor); ``ProcessPool`` is the transport of forked processes; ``LocalConquer`` ties
them to the scheduler.  With ``racer`` (a ``race.WholeRacer``: the portfolio's other member
on the whole CNF) the pool watches one more process beside the workers,
and its answer decides the run if it comes first (``scheduler.CubeScheduler.whole``).
"""

from __future__ import annotations

import multiprocessing as mp
import multiprocessing.connection
import os
import shutil
import signal
import tempfile
import time
from collections import deque
from typing import Callable, Hashable, Optional, Sequence

from ..backends import BACKENDS, get_backend, open_solver, solve_in_process
from ..backends.base import SatResult
from ..encode.cnf import CNF
from ..result import Status
from .scheduler import ConquerResult, CubeScheduler, Outcome, ProgressCallback, Task, drive
from .sharing import SLICE_SECONDS, Exchange, Sharer, cnf_tag

__all__ = ["ConquerResult", "CubeWorker", "LocalConquer", "ProcessPool"]


class CubeWorker:
    """Solves cubes of one CNF; the CNF is loaded once (CaDiCaL) and reused.

    ``variables`` and ``ladders`` are what a re-split may branch on (``cube.smt.split_space``:
    the SMT atoms and/or the bound ladders of the cube level; ``variables=None``: any).
    A time limit is kept by the solver's conflict-budget slices (``backends.pysat``), so a
    stop costs at most a slice.  ``solver``: a CaDiCaL already loaded
    with ``cnf`` to use instead of a fresh one (a forked worker's copy of the probe's, with
    its learnt clauses: ``LocalConquer(warm=...)``).
    """

    split_children = 4  # cubes a timed-out cube is split into
    split_seconds = 2.0  # time budget of that lookahead (the open nodes then become cubes)

    def __init__(self, cnf: CNF, backend: str = "cadical",
                 variables: Optional[Sequence[int]] = None,
                 conflict_budget: Optional[int] = None, proof_dir: Optional[str] = None,
                 ladders: Sequence[Sequence[int]] = (), solver=None,  # type: ignore[no-untyped-def]
                 share: Optional[int] = None):
        self.cnf = cnf
        self.backend = backend
        self.proof_dir = proof_dir  # certificates: each refuted cube's DRAT proof goes there
        self.variables = None if variables is None else list(variables)
        self.ladders = [list(lad) for lad in ladders]
        self.conflict_budget = conflict_budget
        self._solver = None
        self.opens_solver = BACKENDS[backend].opens_solver
        # ``share``: this worker's index in a sharing conquer (its options: ``diversity``)
        self.sharer: Optional[Sharer] = None
        # the transport's exchange point, called between slices (or beside a native solve):
        # set by a sharing worker's transport, and by a pooled Ray actor (to be released)
        self.between: Optional[Callable[[], None]] = None
        if share is not None and BACKENDS[backend].shares and proof_dir is None:
            from ..backends.cadical import diversity
            from ..native.share import unavailable

            self.sharer = Sharer(cnf_tag(cnf), cnf.nvars)
            # native sharing needs a solver that has not searched (``Sharer.attach``): a
            # fresh one then, not the probe's
            fresh = solver is None or not unavailable()
            if fresh:
                self._solver = open_solver(cnf, backend, options=diversity(share))
            else:  # warm: this process's copy of the probe's solver, its own options now
                self._solver = solver
                solver.configure(diversity(share))
            self.sharer.attach(self._solver, fresh=fresh)
            self._solver.slice_seconds = SLICE_SECONDS  # type: ignore[attr-defined]
        elif solver is not None and self.opens_solver:
            self._solver = solver  # a solver over ``cnf`` that has learnt already (``warm``)
        elif self.opens_solver:
            self._solver = open_solver(cnf, backend)

    @property
    def solver(self):  # type: ignore[no-untyped-def]
        """The incremental solver of this worker (None with a one-shot back end)."""
        return self._solver

    def solve(self, cube: Sequence[int], conflict_budget: Optional[int] = None,
              timeout: Optional[float] = None) -> SatResult:
        t0 = time.perf_counter()
        if self._solver is None:
            res = get_backend(self.backend).solve(self.cnf, list(cube), timeout=timeout)
            res.stats["seconds"] = time.perf_counter() - t0
            return res
        # a time limit: slices (``PysatSolver``); else one call of the whole budget (or
        # none); natively sharing: one solve, ``between`` called beside it (``NativeShare``)
        native = self.sharer.native if self.sharer is not None else None
        s = self._solver if native is None else native
        ok = s.solve(cube, deadline=None if timeout is None else t0 + timeout,
                     conflicts=conflict_budget,
                     between=self.between)
        seconds = time.perf_counter() - t0
        if ok is None:
            return SatResult(Status.UNKNOWN, None, {"seconds": seconds})
        model = s.model() if ok else None
        return SatResult(Status.SAT if ok else Status.UNSAT, model, {"seconds": seconds})

    def split(self, cube: Sequence[int], *, children: Optional[int] = None,
              time_budget: Optional[float] = None):  # type: ignore[no-untyped-def]
        """Cubes covering ``cube``: lookahead on "CNF + the cube's units", each child
        prefixed with ``cube``.  A ``CubeSet``: UNSAT if lookahead refutes the cube, SAT
        with a model, else UNKNOWN with the children (just ``cube`` if it cannot split)."""
        from ..cube import make_cuber

        sub = CNF()
        sub.nvars = self.cnf.nvars
        sub.clauses = list(self.cnf.clauses)
        sub.clauses.extend([lit] for lit in cube)
        cuber = make_cuber(children or self.split_children)
        cs = cuber.cubes(sub, variables=self.variables, ladders=self.ladders,
                         time_budget=self.split_seconds if time_budget is None else time_budget)
        cs.cubes = [list(cube) + [lit for lit in c if lit not in cube] for c in cs.cubes]
        return cs

    def run_batch(self, tasks: list[Task]) -> list[Outcome]:
        """``run`` each task in order, stopping after a ``sat``."""
        out = []
        for task in tasks:
            out.append(self.run(task))
            if out[-1].status == "sat":
                break
        return out

    def prove(self, task: Task) -> Outcome:
        """Certificate mode: solve "CNF + the cube as units" afresh with a DRAT proof
        (``cube-ID.drat``), and on unsat record the cube (``cube-ID.cube``) beside it."""
        from ..check.certificate import write_cube

        t0 = time.perf_counter()
        proof = os.path.join(self.proof_dir, f"cube-{task.id}.drat")  # type: ignore[arg-type]
        if self.opens_solver:  # in this process: the worker is the process boundary
            r = solve_in_process(self.cnf, task.cube, backend=self.backend, proof_path=proof)
        else:
            r = get_backend(self.backend).solve(self.cnf, task.cube, proof_path=proof)
        seconds = time.perf_counter() - t0
        if r.status == Status.SAT:
            return Outcome(task.id, "sat", model=r.model, seconds=seconds)
        if r.status == Status.UNSAT:
            write_cube(self.proof_dir, task.id, task.cube)  # type: ignore[arg-type]
            return Outcome(task.id, "unsat", seconds=seconds)
        return Outcome(task.id, "unknown", seconds=seconds, message="no answer")

    def run(self, task: Task) -> Outcome:
        """Solve one task; past its time limit, split it.  Errors come back as values."""
        t0 = time.perf_counter()
        try:
            if self.proof_dir is not None:
                return self.prove(task)
            r = self.solve(task.cube, self.conflict_budget, task.time_limit)
            if r.status == Status.SAT:
                return Outcome(task.id, "sat", model=r.model, seconds=time.perf_counter() - t0)
            if r.status == Status.UNSAT:
                return Outcome(task.id, "unsat", seconds=time.perf_counter() - t0)
            if task.time_limit is None:
                return Outcome(task.id, "unknown", seconds=time.perf_counter() - t0,
                               message="conflict budget spent")
            cs = self.split(task.cube, time_budget=max(task.time_limit, self.split_seconds))
            seconds = time.perf_counter() - t0
            if cs.status == Status.UNSAT:
                return Outcome(task.id, "unsat", seconds=seconds)
            if cs.status == Status.SAT and cs.model is not None:
                return Outcome(task.id, "sat", model=cs.model, seconds=seconds)
            if len(cs.cubes) <= 1:
                return Outcome(task.id, "timeout", seconds=seconds)
            return Outcome(task.id, "split", children=cs.cubes, seconds=seconds)
        except Exception as e:  # noqa: BLE001 - a worker reports, the driver decides
            return Outcome(task.id, "error", seconds=time.perf_counter() - t0,
                           message=f"{type(e).__name__}: {e}")

    def exchange(self, request: Optional[tuple[str, bytes]]) -> tuple[str, bytes, dict]:
        """Answer a sharing request of the driver (``sharing.Sharer.exchange``)."""
        assert self.sharer is not None
        conflicts = self.sharer.conflicts(self._solver) if self._solver else 0.0
        return self.sharer.exchange(request, self._solver, conflicts)

    def close(self) -> None:
        if self.sharer is not None:  # first: the learner is disconnected from a live solver
            self.sharer.close()
            self.sharer = None
        if self._solver is not None:
            self._solver.close()
            self._solver = None


class _Stop(BaseException):  # not an error of a cube: ``run`` lets it through
    pass


def _worker_main(cnf: CNF, backend: str, variables: Optional[list[int]],
                 ladders: list[list[int]], conflict_budget: Optional[int],
                 proof_dir: Optional[str], warm, tmpdir: Optional[str],
                 share: Optional[int], conn) -> None:  # type: ignore[no-untyped-def]
    os.setpgid(0, 0)  # own process group: the parent kills it with everything it started
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if tmpdir is not None:  # a one-shot solver's files: the parent removes them, killed or not
        tempfile.tempdir = tmpdir
    # ``warm``: the caller's CaDiCaL (the probe's), this process's copy of it since the fork;
    # ``share``: this worker's index in a sharing conquer
    worker = CubeWorker(cnf, backend, variables, conflict_budget, proof_dir, ladders, warm,
                        share=share)
    queue: deque[Task] = deque()

    def handle(msg) -> None:  # type: ignore[no-untyped-def]
        if msg is None:
            raise _Stop
        if isinstance(msg, tuple) and msg[0] == "share":  # a sharing round: answer at once
            if worker.sharer is not None:
                conn.send(("share", worker.exchange(msg[1])))
        else:
            queue.extend(msg)

    def between() -> None:  # between two slices of a cube: the driver's requests
        while conn.poll():
            handle(conn.recv())

    if worker.sharer is not None:
        worker.between = between
    conn.send(("ready", os.getpid()))
    try:
        while True:
            if not queue:
                handle(conn.recv())
                continue
            r = worker.run(queue.popleft())  # each outcome goes back as soon as it is known
            conn.send(("done", r))
            if r.status == "sat":
                queue.clear()
    except _Stop:
        pass
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


class ProcessPool:
    """Forked workers, one pipe each (a shared queue could be left locked by a worker
    killed mid-write); the sentinels tell a worker that died.  ``racer``: a whole-CNF
    solver watched beside them (``race.WholeRacer``), started by ``start_racer``."""

    def __init__(self, cnf: CNF, backend: str, variables: Optional[list[int]],
                 conflict_budget: Optional[int], proof_dir: Optional[str] = None,
                 ladders: Sequence[Sequence[int]] = (), racer=None,  # type: ignore[no-untyped-def]
                 warm=None, share: bool = False):
        # A one-shot worker killed mid-cube cannot remove its files (Kissat's DIMACS): all go into a
        # directory of the pool's, removed by ``close``.
        one_shot = not BACKENDS[backend].opens_solver
        self.tmpdir = tempfile.mkdtemp(prefix="eagersmt-pool-") if one_shot else None
        self.args = (cnf, backend, variables, [list(lad) for lad in ladders], conflict_budget,
                     proof_dir, warm, self.tmpdir)
        self.ctx = mp.get_context("fork")
        self.procs: dict[int, tuple[mp.process.BaseProcess, object]] = {}
        self._next = 0
        self.racer = racer
        self.sharing = share and BACKENDS[backend].shares and proof_dir is None

    def start_racer(self) -> None:
        if self.racer is not None:
            self.racer.start(self.ctx)

    def spawn(self) -> Hashable:
        mine, theirs = self.ctx.Pipe()
        index = self._next if self.sharing else None  # its options (``diversity``)
        p = self.ctx.Process(target=_worker_main, daemon=True,
                             args=(*self.args, index, theirs))
        p.start()
        theirs.close()
        self._next += 1
        self.procs[self._next] = (p, mine)
        return self._next

    def share(self, worker: Hashable, request: tuple[str, bytes]) -> None:
        """A sharing round's request (answered by a ``("share", worker, answer)`` event)."""
        self.send(worker, ("share", request))  # type: ignore[arg-type]

    def workers(self) -> list[Hashable]:
        return list(self.procs)

    def send(self, worker: Hashable, tasks) -> None:  # type: ignore[no-untyped-def]
        try:
            self.procs[worker][1].send(tasks)  # type: ignore[attr-defined,index]
        except (BrokenPipeError, OSError):
            pass  # it died: its sentinel reports it, the scheduler re-queues the task

    def wait(self, timeout: float) -> list[tuple]:
        handles: dict[object, int] = {}
        for key, (p, conn) in self.procs.items():
            handles[conn] = key
            handles[p.sentinel] = key
        extra = self.racer.handles() if self.racer is not None else []
        events: list[tuple] = []
        for h in mp.connection.wait(list(handles) + extra, timeout=max(timeout, 0)):
            if h not in handles:
                continue  # the racer's: polled below
            key = handles[h]
            if key not in self.procs:
                continue
            p, conn = self.procs[key]
            msg = None
            try:
                while conn.poll():  # type: ignore[attr-defined]
                    msg = conn.recv()  # type: ignore[attr-defined]
                    events.append((msg[0], key, msg[1]))
            except (EOFError, OSError):
                msg = None
            if msg is None and (h is conn or not p.is_alive()):
                # The worker died (killed, out of memory): the scheduler re-queues its cube.
                _kill_group(p)
                p.join(timeout=1)
                conn.close()  # type: ignore[attr-defined]
                del self.procs[key]
                events.append(("dead", key, f"exit code {p.exitcode}"))
        if extra:
            answer = self.racer.poll()  # type: ignore[union-attr]
            if answer is not None:
                events.append(("whole", None, answer))
        return events

    def close(self) -> None:
        if self.racer is not None:
            self.racer.close()
        for p, _ in self.procs.values():
            _kill_group(p)
        for p, conn in self.procs.values():
            p.join(timeout=5)
            conn.close()  # type: ignore[attr-defined]
        self.procs.clear()
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)


class LocalConquer:
    """A pool of ``jobs`` forked workers over one CNF (see the module doc).

    ``variables``/``ladders``: the split space of re-splits (``cube.smt.split_space``);
    ``racer``: the back end of a whole-CNF racer beside the workers
    (``race.py``; ignored with ``proof_dir``, whose certificate covers cubes only)."""

    def __init__(self, jobs: int = 2, backend: str = "cadical",
                 conflict_budget: Optional[int] = None, *,
                 cube_timeout: Optional[float] = None,
                 variables: Optional[Sequence[int]] = None,
                 ladders: Sequence[Sequence[int]] = (),
                 progress: Optional[ProgressCallback] = None,
                 proof_dir: Optional[str] = None,
                 racer: Optional[str] = None, warm=None,  # type: ignore[no-untyped-def]
                 share: bool = False):
        if jobs < 1:
            raise ValueError("jobs must be at least 1")
        self.proof_dir = proof_dir  # certificates: a DRAT proof per refuted cube (no re-split)
        self.jobs = jobs
        self.backend = backend
        self.conflict_budget = conflict_budget
        self.cube_timeout = cube_timeout
        self.variables = None if variables is None else list(variables)
        self.ladders = [list(lad) for lad in ladders]
        self.progress = progress
        self.racer = None if proof_dir is not None else racer
        # A solver over the same CNF (the probe's) each forked worker starts from, with
        # what it has learnt; the caller keeps it alive (and unchanged) until the call ends.
        self.warm = warm if BACKENDS[backend].opens_solver and proof_dir is None else None
        # clause sharing between the workers (``sharing``): a back end that can, no certificate
        self.share = share and BACKENDS[backend].shares and proof_dir is None

    def solve_cubes(self, cnf: CNF, cubes: Optional[Sequence[Sequence[int]]], *,
                    timeout: Optional[float] = None) -> ConquerResult:
        """Conquer ``cubes`` (None: clause sharing, every worker on the whole CNF)."""
        if cubes is None:
            cubes = [[] for _ in range(self.jobs)]
        cube_timeout = None if self.proof_dir is not None else self.cube_timeout
        exchange = Exchange(cnf_tag(cnf), workers=self.jobs) if self.share else None
        sched = CubeScheduler(cubes, cube_timeout=cube_timeout, progress=self.progress,
                              exchange=exchange)
        if not sched.cubes:  # no cube: the cuber refuted every branch
            return sched.result()
        racer = None
        if self.racer is not None:
            from .race import WholeRacer

            racer = WholeRacer(cnf, self.racer, timeout=timeout)
        pool = ProcessPool(cnf, self.backend, self.variables, self.conflict_budget,
                           self.proof_dir, self.ladders, racer, self.warm, share=self.share)
        try:
            pool.start_racer()  # first: it writes its DIMACS while the workers load the CNF
        except BaseException:
            pool.close()
            raise
        return drive(pool, sched, workers=self.jobs, depth=1, timeout=timeout)
