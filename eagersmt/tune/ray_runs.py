"""A tune's evaluations on a Ray cluster: each run a Ray task of one CPU.

Idea: the runs of a tune share nothing (``evaluate.Task``: a solver process on one file
under a wall limit), so they spread over a cluster's CPUs as plain tasks; the driver keeps
``jobs`` of them in flight (one per CPU of the cluster unless told), takes each result as
it ends and records it (``evaluate.evaluate``), as it does for local processes.  A task runs
the same child process a local run does, on whichever node Ray places it: the files must
be at the same path on every node (a shared folder, or a cluster of one machine) and
eagersmt installed there, as for the cubes' actors.  Interrupted, the driver cancels the
tasks in flight (the runner kills the child's process group) and records nothing of them:
the next tune makes exactly those again.  Connecting is ``conquer.ray_actors.connected``'s
(``local``: a private Ray; ``auto`` or HOST:PORT: a running cluster, failing fast when none
answers).  Cost: a Ray connection (seconds), then a task's scheduling (milliseconds) per run.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, Sequence

from ..conquer.ray_actors import connected
from ..tools.bench.report import Row


def _run(task: Any) -> Row:
    return task.run()


class RayRunner:
    """Runs as Ray tasks on the cluster at ``address`` (module doc), ``jobs`` at a time
    (0: the cluster's CPUs; a private ``local`` Ray gets ``jobs`` CPUs, else the
    machine's)."""

    def __init__(self, address: str, jobs: int = 0):
        import ray

        self.ray = ray
        self.stack = contextlib.ExitStack()
        self.stack.enter_context(connected(address, num_cpus=jobs or os.cpu_count() or 1))
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.jobs = jobs if jobs > 0 else max(1, cpus)
        self.remote = ray.remote(num_cpus=1, max_retries=0)(_run)

    def submit(self, task: Any) -> Any:
        return self.remote.remote(task)

    def wait(self, handles: Sequence[Any]) -> list[Any]:
        return self.ray.wait(list(handles), num_returns=1)[0]

    def result(self, handle: Any) -> Row:
        return self.ray.get(handle)

    def abort(self, handles: Sequence[Any]) -> None:
        for h in handles:
            self.ray.cancel(h)

    def close(self) -> None:
        self.stack.close()


__all__ = ["RayRunner"]
