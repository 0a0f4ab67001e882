"""The evaluations of a tune: which instances train and which test, and the runs, each an
independent task.

``split`` puts each family's files in a training and a test part by a seed (the same seed,
the same split, whatever else is in the run).  A ``Task`` is one solver on one instance
under one timeout, made by the benchmark runner (``tools.bench.runner.run_one``: a child
process under a wall and a memory limit, answer checked against the expected one): a
strategy of the space runs as ``eagersmt solve --strategy NAME``, a strategy file as
``--strategy FILE``, a reference as the solver on the file.  ``evaluate`` runs the tasks
whose row the runs table lacks, ``jobs`` at a time on local processes, and records each as
it ends (an interruption loses only the runs under way); the tasks share nothing, so a
cluster can run them as well.  Cost: the runs' own time plus a process start per run.
"""

from __future__ import annotations

import hashlib
import random
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

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


def evaluate(tasks: Sequence[Task], runs: Runs, *, jobs: int = 1,
             on_done: Optional[Callable[[Task, Row, int, int], None]] = None) -> int:
    """Run the tasks not in ``runs`` yet, ``jobs`` at a time, recording each as it ends;
    ``on_done(task, row, done, total)`` after each.  The number of runs made."""
    made = {limit: runs.done(limit) for limit in {t.timeout for t in tasks}}
    todo = [t for t in tasks if (t.instance.name, t.solver) not in made[t.timeout]]
    total, done = len(todo), 0
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    running: dict[Future, Task] = {}
    try:
        queue = iter(todo)
        for t in queue:
            running[pool.submit(t.run)] = t
            if len(running) >= jobs:
                break
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                task = running.pop(fut)
                row = fut.result()
                runs.add(row, task.timeout)
                done += 1
                if on_done is not None:
                    on_done(task, row, done, total)
                nxt = next(queue, None)
                if nxt is not None:
                    running[pool.submit(nxt.run)] = nxt
    except BaseException:
        kill_all()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return done


__all__ = ["REFERENCES", "Task", "evaluate", "learnt_name", "split"]
