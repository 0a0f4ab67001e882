"""Ray conquer: the cubes of a CNF solved by long-lived Ray actors (the only module that
imports ``ray`` for solving; ``ray_jobs`` uses Ray's job-submission client).

Same interface and bookkeeping as the local conquer (``scheduler.drive``): the CNF goes
into the object store once (``ray.put``); each actor (one CPU) loads it once into
CaDiCaL and solves cube after cube incrementally (``local.CubeWorker``); the driver keeps
``depth=2`` requests in flight per actor (``ray.wait``), so an actor never idles for a
round trip and the idle ones pull the next cube; quick cubes go in batches (the
scheduler's ``batch_size``), so the cost of a call is shared (``benchmarks/bench_ray.py``).
The first ``sat`` kills every actor; an actor that dies (``RayActorError``) has its cubes re-queued and is replaced; with
``cube_timeout`` a cube past it comes back split (the actor runs the lookahead).

Where to connect (``address``): ``"local"`` starts a private Ray on this machine
(``num_cpus=jobs``, ``object_store_memory`` capped at 150 MB, no dashboard, Ray's token
authentication on) and shuts it down afterwards; ``"auto"`` joins ``RAY_ADDRESS`` or the
cluster ``ray start`` left on this machine; anything else is a cluster address
``HOST:PORT``.  A cluster gets one actor per CPU it has.  If this process is already
connected (``ray.is_initialized()``, e.g. inside a Ray Job) that connection is used as is.

Token authentication (Ray 2.60): a client presents the cluster's token, found in
``RAY_AUTH_TOKEN``, the file ``RAY_AUTH_TOKEN_PATH`` or ``~/.ray/auth_token``; Ray turns
token mode on by itself only for a cluster it discovers ("auto" without RAY_ADDRESS), so
when a token is available and ``RAY_AUTH_MODE`` is unset we set ``RAY_AUTH_MODE=token``
for this process before joining (Ray's own helper does exactly that).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from typing import Hashable, Iterator, Optional, Sequence

import ray

from ..encode.cnf import CNF
from .local import CubeWorker
from .scheduler import ConquerResult, CubeScheduler, Outcome, ProgressCallback, Task, drive

OBJECT_STORE_BYTES = 150 * 1024 * 1024  # of a private local Ray


class CubeActor:
    """The Ray side of a worker: a ``CubeWorker`` over the CNF, built once per actor."""

    def __init__(self, cnf: CNF, backend: str, variables: Optional[list[int]],
                 ladders: Sequence[Sequence[int]] = ()):
        self.worker = CubeWorker(cnf, backend, variables, ladders=ladders)

    def info(self) -> tuple[int, str]:
        return os.getpid(), socket.gethostname()

    def run(self, tasks: list[Task]) -> list[Outcome]:
        return self.worker.run_batch(tasks)


class ActorPool:
    """``scheduler.WorkerPool`` over Ray actors (events from ``ray.wait`` on their calls)."""

    def __init__(self, cnf_ref, backend: str, variables: Optional[list[int]],  # type: ignore[no-untyped-def]
                 spread: bool, ladders=()):
        options = {"num_cpus": 1, "max_restarts": 0, "max_task_retries": 0}
        if spread:
            options["scheduling_strategy"] = "SPREAD"
        self.actor_class = ray.remote(**options)(CubeActor)
        self.args = (cnf_ref, backend, variables, ladders)
        self.actors: dict[int, object] = {}
        self.calls: dict[object, tuple[int, str]] = {}  # ObjectRef -> (worker, kind)
        self._next = 0

    def spawn(self) -> Hashable:
        self._next += 1
        actor = self.actor_class.remote(*self.args)  # type: ignore[attr-defined]
        self.actors[self._next] = actor
        self.calls[actor.info.remote()] = (self._next, "ready")
        return self._next

    def workers(self) -> list[Hashable]:
        return list(self.actors)

    def send(self, worker: Hashable, tasks: list[Task]) -> None:
        self.calls[self.actors[worker].run.remote(tasks)] = (worker, "done")  # type: ignore[attr-defined,index]

    def _forget(self, worker: int) -> None:
        actor = self.actors.pop(worker, None)
        for ref in [r for r, (w, _) in self.calls.items() if w == worker]:
            del self.calls[ref]
        if actor is not None:
            try:
                ray.kill(actor, no_restart=True)
            except Exception:  # noqa: BLE001 - already gone
                pass

    def wait(self, timeout: float) -> list[tuple]:
        if not self.calls:
            return []
        refs = list(self.calls)
        ready, rest = ray.wait(refs, num_returns=1, timeout=max(timeout, 0))
        if ready and rest:
            more, _ = ray.wait(rest, num_returns=len(rest), timeout=0)
            ready += more
        events: list[tuple] = []
        for ref in ready:
            if ref not in self.calls:
                continue  # the call of an actor forgotten earlier in this batch
            worker, kind = self.calls.pop(ref)
            try:
                value = ray.get(ref)
            except (ray.exceptions.RayActorError, ray.exceptions.RayError) as e:
                self._forget(worker)
                events.append(("dead", worker, f"{type(e).__name__}: {str(e).splitlines()[0]}"))
                continue
            if kind == "ready":
                events.append(("ready", worker, value[0]))
            else:
                events.extend(("done", worker, outcome) for outcome in value)
        return events

    def close(self) -> None:
        for worker in list(self.actors):
            self._forget(worker)
        self.calls.clear()


def _enable_token_auth_if_available() -> None:
    if os.environ.get("RAY_AUTH_MODE") is not None:
        return
    try:
        from ray._private.authentication.authentication_token_setup import (
            maybe_enable_token_auth_if_token_available,
        )
    except ImportError:  # a Ray without token authentication
        return
    maybe_enable_token_auth_if_token_available(warn_if_disabled=False)


@contextlib.contextmanager
def connected(address: str, *, num_cpus: int,
              object_store_memory: int = OBJECT_STORE_BYTES) -> Iterator[bool]:
    """Connect this process to Ray for the ``with`` block (see the module doc).

    Yields True for a private local Ray (started here, stopped on exit).
    """
    if ray.is_initialized():
        yield False
        return
    quiet = {"log_to_driver": False, "logging_level": logging.ERROR}
    if address == "local":
        ray.init(address="local", num_cpus=num_cpus, object_store_memory=object_store_memory,
                 include_dashboard=False, dashboard_host="127.0.0.1", **quiet)
    else:
        _enable_token_auth_if_available()
        ray.init(address=address, **quiet)  # "auto": RAY_ADDRESS or the local cluster
    try:
        yield address == "local"
    finally:
        ray.shutdown()


class RayConquer:
    """``solve_cubes`` on Ray actors (see the module doc)."""

    depth = 2  # requests in flight per actor

    def __init__(self, address: str = "local", jobs: int = 2, backend: str = "cadical", *,
                 cube_timeout: Optional[float] = None,
                 variables: Optional[Sequence[int]] = None,
                 ladders: Sequence[Sequence[int]] = (),
                 progress: Optional[ProgressCallback] = None,
                 object_store_memory: int = OBJECT_STORE_BYTES):
        if jobs < 1:
            raise ValueError("jobs must be at least 1")
        self.address = address
        self.jobs = jobs
        self.backend = backend
        self.cube_timeout = cube_timeout
        self.variables = None if variables is None else list(variables)
        self.ladders = [list(lad) for lad in ladders]  # re-split space (``cube.smt``)
        self.progress = progress
        self.object_store_memory = object_store_memory

    def solve_cubes(self, cnf: CNF, cubes: Sequence[Sequence[int]], *,
                    timeout: Optional[float] = None) -> ConquerResult:
        sched = CubeScheduler(cubes, cube_timeout=self.cube_timeout, progress=self.progress)
        if not sched.cubes:  # no cube: the cuber refuted every branch
            return sched.result()
        with connected(self.address, num_cpus=self.jobs,
                       object_store_memory=self.object_store_memory) as private:
            workers = self.jobs if private else max(1, int(ray.cluster_resources().get("CPU", 1)))
            ladders = ray.put(self.ladders) if self.ladders else ()  # once, not per actor
            pool = ActorPool(ray.put(cnf), self.backend, self.variables, spread=not private,
                             ladders=ladders)
            return drive(pool, sched, workers=workers, depth=self.depth, timeout=timeout)
