"""The evaluations of a tune: which instances train and which test, and the runs, each an
independent task.

``split`` puts each family's files in a training and a test part by a seed (the same seed,
the same split, whatever else is in the run).  A ``Task`` is one solver on one instance
under one timeout, made by the benchmark runner (``tools.bench.runner.run_one``: a child
process under a wall and a memory limit, answer checked against the expected one): a
strategy of the space runs as ``eagersmt solve --strategy NAME``, a strategy file as
``--strategy FILE``, a reference as the solver on the file.  ``evaluate`` runs the tasks
whose row the runs table lacks (``pending``), ``jobs`` at a time on local processes or, the
tasks sharing nothing, as Ray tasks on a cluster (``ray_runs``), and records each as it
ends: an interruption, or a ``budget`` after which no run starts, loses only the runs under
way, and the next call makes exactly the missing ones.  Cost: the runs' own time plus a
process start per run.
"""

from __future__ import annotations

import hashlib
import random
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from ..tools.bench.instances import Instance
from ..tools.bench.report import Row
from ..tools.bench.runner import Limits, kill_all, run_one
from ..tools.bench.solvers import PY, SolverSpec, parse_solver
from .runs import Runs

REFERENCES = ("ref:z3", "ref:yices")


def split(instances: Sequence[Instance], seed: int,
          test_share: float = 0.5) -> tuple[list[Instance], list[Instance]]:
    """(training, test): per family, ``test_share`` of the files (rounded, at least one
    training file) to the test part, drawn by ``seed``."""
    families: dict[str, list[Instance]] = {}
    for inst in instances:
        families.setdefault(inst.family, []).append(inst)
    train, test = [], []
    for family in sorted(families):
        files = sorted(families[family], key=lambda i: i.name)
        random.Random(f"{seed}:{family}").shuffle(files)
        k = min(round(len(files) * test_share), len(files) - 1)
        test += files[:k]
        train += files[k:]
    return train, test


def learnt_name(path: str) -> str:
    """The runs table's name of a strategy file: ``learnt@`` and its content's hash."""
    with open(path, "rb") as f:
        return "learnt@" + hashlib.sha256(f.read()).hexdigest()[:12]


@dataclass(frozen=True)
class Task:
    """One run: ``solver`` (a space strategy, ``learnt@HASH`` with its ``file``, or
    ``ref:NAME``) on ``instance`` under ``timeout`` seconds."""

    instance: Instance
    solver: str
    timeout: float
    file: str = ""
    memory_mb: Optional[int] = None

    def spec(self) -> SolverSpec:
        if self.solver.startswith("ref:"):
            ref = parse_solver(self.solver[4:])
            return SolverSpec(self.solver, ref.kind, ref.argv)
        how = self.file or self.solver
        argv = (PY, "-m", "eagersmt.cli.main", "solve", "--stats", "--strategy", how, "{file}")
        return SolverSpec(self.solver, "eagersmt", argv, strict_exit=True)

    def run(self) -> Row:
        return run_one(self.spec(), self.instance, Limits(self.timeout, self.memory_mb))


class _Local:
    """Runs on local processes, ``jobs`` at a time (threads waiting on children)."""

    def __init__(self, jobs: int):
        self.jobs = max(1, jobs)
        self.pool = ThreadPoolExecutor(max_workers=self.jobs)

    def submit(self, task: Task) -> Future:
        return self.pool.submit(task.run)

    def wait(self, handles: Sequence[Future]) -> list[Future]:
        return list(wait(handles, return_when=FIRST_COMPLETED)[0])

    @staticmethod
    def result(handle: Future) -> Row:
        return handle.result()

    @staticmethod
    def abort(handles: Sequence[Future]) -> None:
        kill_all()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def pending(tasks: Sequence[Task], runs: Runs) -> list[Task]:
    """The tasks whose run the runs table lacks, in their order."""
    made = {limit: runs.done(limit) for limit in {t.timeout for t in tasks}}
    return [t for t in tasks if (t.instance.name, t.solver) not in made[t.timeout]]


def evaluate(tasks: Sequence[Task], runs: Runs, *, jobs: Optional[int] = None,
             budget: Optional[float] = None, ray: Optional[str] = None,
             on_done: Optional[Callable[[Task, Row, int, int], None]] = None) -> int:
    """Run the tasks not in ``runs`` yet, ``jobs`` at a time, recording each as it ends;
    ``on_done(task, row, done, total)`` after each.  ``budget`` seconds: no run starts
    after them (those under way finish).  ``ray``: on the Ray cluster at that address
    (``ray_runs.RayRunner``) instead of local processes.  ``jobs`` unset: one at a time
    locally, as many as the cluster has CPUs on Ray.  The number of runs made."""
    todo = pending(tasks, runs)
    if not todo:
        return 0
    if ray is None:
        runner: Any = _Local(jobs or 1)
    else:
        from .ray_runs import RayRunner

        runner = RayRunner(ray, jobs or 0)
    deadline = None if budget is None else time.monotonic() + budget
    total, done = len(todo), 0
    running: dict[Any, Task] = {}
    queue = iter(todo)

    def start() -> None:
        while len(running) < runner.jobs and (deadline is None or time.monotonic() < deadline):
            nxt = next(queue, None)
            if nxt is None:
                return
            running[runner.submit(nxt)] = nxt

    try:
        start()
        while running:
            for handle in runner.wait(list(running)):
                task = running.pop(handle)
                row = runner.result(handle)
                runs.add(row, task.timeout)
                done += 1
                if on_done is not None:
                    on_done(task, row, done, total)
            start()
    except BaseException:
        runner.abort(list(running))
        raise
    finally:
        runner.close()
    return done


__all__ = ["REFERENCES", "Task", "evaluate", "learnt_name", "pending", "split"]
