"""Ray conquer: the cubes of a CNF solved by long-lived Ray actors (the only module that
imports ``ray`` for solving; ``ray_jobs`` uses Ray's job-submission client).

Same interface and bookkeeping as the local conquer (``scheduler.drive``): the CNF goes
into the object store once (``ray.put``); each actor (one CPU) loads it once into
CaDiCaL and solves cube after cube incrementally (``local.CubeWorker``); the driver keeps
``depth=2`` requests in flight per actor (``ray.wait``), so an actor never idles for a
round trip and the idle ones pull the next cube; quick cubes go in batches (the
scheduler's ``batch_size``), so the cost of a call is shared (``benchmarks/bench_ray.py``).
The first ``sat`` kills every actor (a pool's are released); an actor that dies
(``RayActorError``) has its cubes re-queued and is replaced; with ``cube_timeout`` a cube past it comes back split (the actor runs the lookahead).

With ``share`` the actors share learnt clauses through the same ``sharing`` code as local
workers (threaded actors: the driver's ``exchange`` call runs beside ``run``).

The warm pool (on a running cluster, not a private Ray; ``$EAGERSMT_POOL=0`` turns it off):
the workers are detached named actors (``PoolActor``: namespace ``eagersmt``, ``worker-0``,
``worker-1``, ..., one per CPU of the cluster) created on first use with ``get_if_exists``
and left running after the solve, so the next ``solve --ray ADDRESS`` (or a Ray Job's, which
joins the same cluster) finds them started and imported and pays only its CNF's ``ray.put``
and ``load`` per worker.  A solve holds the workers it loaded under a lease (a random token,
renewed while it runs) and releases them at its end (a running cube stops at its next
exchange point) instead of killing them; a second solve at the same time waits for each
worker until it is released (or its holder died: ``LEASE_SECONDS`` without a renewal),
as it would wait for Ray's CPUs, and meanwhile solves on the workers it has.  An idle worker
ends its process after ``IDLE_SECONDS`` (``$EAGERSMT_POOL_IDLE``); while it lives it keeps
its CPU reserved in Ray.  ``eagersmt pool status|stop`` shows or ends them (``pool_status``,
``pool_stop``).  A pool worker that dies mid-solve is replaced as any actor is (its cubes
re-queued; the replacement takes its slot, ``worker-N``).

Where to connect (``address``): ``"local"`` starts a private Ray on this machine
(``num_cpus=jobs``, ``object_store_memory`` capped at 150 MB, no dashboard, Ray's token
authentication on) and shuts it down afterwards; ``"auto"`` joins ``RAY_ADDRESS`` or the
cluster ``ray start`` left on this machine; anything else is a cluster address
``HOST:PORT``.  An address where nothing listens, or something that is not Ray, fails in
seconds (``cluster.check_cluster``, before ``ray.init``, which alone retries for minutes).
A cluster gets one actor per CPU it has.  If this process is already connected (``ray.is_initialized()``, e.g. inside a Ray Job) that connection is used as is.

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
import threading
import time
import uuid
from collections import deque
from typing import Any, Callable, Hashable, Iterator, Optional, Sequence

import ray

from ..encode.cnf import CNF
from .cluster import check_cluster
from .local import CubeWorker
from .scheduler import CubeScheduler, Outcome, ProgressCallback, Task, drive
from .sharing import Exchange, Mailbox, cnf_tag, pack

# The warm pool (module doc): its workers' names, and how long an idle one lives.
NAMESPACE = "eagersmt"
POOL_PREFIX = "worker-"
DEFAULT_IDLE_SECONDS = 600.0


def _idle_seconds() -> float:
    """``$EAGERSMT_POOL_IDLE`` when it is a positive number of seconds, else the default
    (a bad value must not break every ``--ray`` run at import)."""
    try:
        v = float(os.environ.get("EAGERSMT_POOL_IDLE", DEFAULT_IDLE_SECONDS))
    except ValueError:
        return DEFAULT_IDLE_SECONDS
    return v if v > 0 else DEFAULT_IDLE_SECONDS  # (nan > 0 is false)


IDLE_SECONDS = _idle_seconds()
RELEASE_SECONDS = 30.0  # a released cube that has not stopped by then ends its process
LEASE_SECONDS = 10.0  # a solve silent this long has died: another may take its workers
RENEW_SECONDS = 1.0  # how often a solve renews its lease on each of its workers
POOL_CALLS = 16  # concurrent calls of a pool worker (threads)
# ``benchmarks/RESULTS.md``, "Ray": what a private Ray costs, and the CNFs it holds.
OBJECT_STORE_BYTES = 150 * 1024 * 1024  # of a private local Ray


class CubeActor:
    """The Ray side of a worker: a ``CubeWorker`` over the CNF, built once per actor.

    With ``share`` (its index in a sharing conquer) the actor is threaded (two calls at
    once): ``exchange`` posts the driver's request into a ``sharing.Mailbox`` that the
    solving thread serves between two slices (or serves it itself when no cube runs), and
    returns the answers that are ready (the same ``Sharer`` as a local worker's)."""

    answer_wait = 0.5  # seconds an exchange waits for the solving thread's answer

    def __init__(self, cnf: CNF, backend: str, variables: Optional[list[int]],
                 ladders: Sequence[Sequence[int]] = (), share: Optional[int] = None):
        self.worker = CubeWorker(cnf, backend, variables, ladders=ladders, share=share)
        self.mailbox = Mailbox()
        self.solving = threading.Lock()  # held while a batch of cubes runs
        if self.worker.sharer is not None:
            self.worker.between = self._serve

    def _serve(self) -> None:
        assert self.worker.sharer is not None
        conflicts = self.worker.sharer.conflicts(self.worker.solver)
        self.mailbox.serve(self.worker.sharer, self.worker.solver, conflicts)

    def info(self) -> tuple[int, str]:
        return os.getpid(), socket.gethostname()

    def run(self, tasks: list[Task]) -> list[Outcome]:
        with self.solving:
            return self.worker.run_batch(tasks)

    def exchange(self, request: tuple[str, bytes]) -> list[tuple[str, bytes, dict]]:
        if self.worker.sharer is None:
            return []
        self.mailbox.post(request)
        if self.solving.acquire(blocking=False):  # idle: no slice will serve it
            try:
                self._serve()
            finally:
                self.solving.release()
        return self.mailbox.collect(self.answer_wait)


class Released(Exception):
    """Raised inside a pooled actor's solve when its solve was given up (``PoolActor``)."""


class PoolActor:
    """A warm worker of the pool (see the module doc): a detached, named actor that holds no
    CNF until ``load`` and then behaves as a ``CubeActor`` for the solve ``owner``.

    One solve at a time, under a lease: the owner renews it (``renew``, any call) while it
    lives; ``load`` for another solve waits until the holder releases the worker or falls
    silent for ``LEASE_SECONDS`` (a driver that died), so concurrent solves queue for the
    workers as they would for Ray's CPUs, never take each other's.  A released cube stops
    at its next exchange point (``CubeWorker.between``: every slice, or every poll of a
    native solve); one that does not within ``RELEASE_SECONDS`` (a long re-split, a one-shot
    back end) ends the process, which Ray reports and the next solve replaces.  ``run`` of a
    solve that no longer holds the worker returns None (the driver re-queues its cubes).  A
    watcher thread ends the actor (``quit``) after ``idle_seconds`` without a holder or a
    call.
    Ray runs the calls of a threaded actor in any order (a ``release`` may overtake its
    ``load``): the last owners released are remembered.
    """

    def __init__(self, idle_seconds: float):
        self.idle_seconds = idle_seconds
        self.cube: Optional[CubeActor] = None
        self.owner = ""
        self.busy = 0  # ``run`` calls under way
        self.released = True  # no solve holds the worker (or it is being stopped)
        self.renewed = 0.0  # the owner's last sign of life
        self.last = time.monotonic()  # the last call of a solve (the idle clock)
        self.stopping: Optional[float] = None  # when a running cube was asked to stop
        self.ended: deque[str] = deque(maxlen=16)  # owners released lately
        self.loads = 0
        self.state = threading.Condition()  # guards the fields above; notified on changes
        self.loading = threading.Lock()  # loads one at a time (queued solves wait here)
        threading.Thread(target=self._watch, daemon=True, name="pool-watch").start()

    def _watch(self) -> None:
        while True:
            time.sleep(1.0)
            now = time.monotonic()
            with self.state:
                if self.busy and self.stopping is not None and now - self.stopping > RELEASE_SECONDS:
                    os._exit(0)  # a released cube that cannot stop: the process goes
                if not self.busy and self._free(now) and now - self.last > self.idle_seconds:
                    break
        # idle for too long: the worker ends as an actor that exits on purpose does, and
        # Ray forgets the detached actor (its name is free for the next solve)
        ray.get_runtime_context().current_actor.quit.remote()

    def quit(self) -> None:
        ray.actor.exit_actor()

    def _free(self, now: float) -> bool:
        """No live solve holds the worker (released, or its owner silent too long)."""
        return self.released or now - self.renewed > LEASE_SECONDS

    def _stop(self, now: float) -> None:
        """(Under ``state``.)  The holder's cube stops at its next exchange point."""
        self.released = True
        if self.busy:
            self.stopping = self.stopping or now
        else:
            self._drop()
        self.state.notify_all()

    def _between(self) -> None:
        if self.released:
            raise Released("released")
        if self.cube is not None and self.cube.worker.sharer is not None:
            self.cube._serve()

    def load(self, owner: str, cnf: CNF, backend: str, variables: Optional[list[int]],
             ladders: Sequence[Sequence[int]], share: Optional[int]) -> tuple[int, str]:
        """Take ``cnf`` for the solve ``owner``, once the worker is free (class doc)."""
        with self.loading:
            with self.state:
                while not self._free(time.monotonic()) and owner not in self.ended:
                    self.state.wait(0.5)
                if owner in self.ended:  # this solve ended before its load ran
                    return os.getpid(), socket.gethostname()
                self._stop(time.monotonic())  # (an orphan whose owner fell silent)
                if not self.state.wait_for(lambda: not self.busy, RELEASE_SECONDS + 1.0):
                    os._exit(0)  # (the watcher's case, if it has not acted yet)
                self._drop()
                self.owner, self.last = owner, time.monotonic()
            cube = CubeActor(cnf, backend, variables, ladders, share)
            cube.worker.between = self._between
            with self.state:
                if owner in self.ended:  # released while loading
                    cube.worker.close()
                else:
                    self.cube, self.released, self.stopping = cube, False, None
                    self.loads += 1
                self.renewed = self.last = time.monotonic()
            return cube.info()

    def _holder(self, owner: str) -> Optional[CubeActor]:
        """(Under ``state``.)  The cube of ``owner`` if it holds the worker (a call renews)."""
        if owner != self.owner or self.released or self.cube is None:
            return None
        self.renewed = self.last = time.monotonic()
        return self.cube

    def run(self, owner: str, tasks: list[Task]) -> Optional[list[Outcome]]:
        with self.state:
            cube = self._holder(owner)
            if cube is None:
                return None
            self.busy += 1
        try:
            out = cube.run(tasks)
        finally:
            with self.state:
                self.busy -= 1
                self.last = time.monotonic()
                if self.released and not self.busy:
                    self._drop()
                self.state.notify_all()
        with self.state:  # stopped by a release: its outcomes mean nothing
            return None if self.released or self.owner != owner else out

    def exchange(self, owner: str, request: tuple[str, bytes]) -> list[tuple[str, bytes, dict]]:
        with self.state:
            cube = self._holder(owner)
        return [] if cube is None else cube.exchange(request)

    def renew(self, owner: str) -> None:
        with self.state:
            self._holder(owner)

    def release(self, owner: str) -> None:
        """The solve ``owner`` is over: stop its cube, forget its CNF."""
        with self.state:
            self.ended.append(owner)
            if owner == self.owner and not self.released:
                self.last = time.monotonic()
                self._stop(self.last)

    def _drop(self) -> None:
        if self.cube is not None and not self.busy:
            self.cube.worker.close()
            self.cube = None

    def status(self) -> dict[str, Any]:
        with self.state:
            return {"pid": os.getpid(), "host": socket.gethostname(), "busy": bool(self.busy),
                    "loaded": self.cube is not None, "solves": self.loads,
                    "idle_seconds": round(time.monotonic() - self.last, 1),
                    "stops_after": self.idle_seconds}


def pool_actor(index: int, idle_seconds: float = IDLE_SECONDS, spread: bool = True) -> Any:
    """The pool's worker ``index`` (``eagersmt`` namespace, ``worker-INDEX``): the running
    one, or a new detached one (get-or-create; this process must be connected).  A running
    one is looked up by name first: creating, even with ``get_if_exists``, exports the
    actor class first (Ray disassembles its methods: a few tenths of a second)."""
    name = f"{POOL_PREFIX}{index}"
    try:
        return ray.get_actor(name, namespace=NAMESPACE)
    except ValueError:  # none (or a dead one): create it, unless a concurrent solve did
        pass
    options: dict[str, Any] = {
        "name": name, "namespace": NAMESPACE, "lifetime": "detached",
        "get_if_exists": True, "num_cpus": 1, "max_restarts": 0, "max_task_retries": 0,
        # ``exchange``, ``renew``, ``release`` and ``status`` beside ``run``, and the loads
        # of solves queued for the worker
        "max_concurrency": POOL_CALLS}
    if spread:
        options["scheduling_strategy"] = "SPREAD"
    return ray.remote(PoolActor).options(**options).remote(idle_seconds)


def pool_actors() -> list[tuple[str, Any]]:
    """The pool's live workers on the connected cluster: (name, handle)."""
    from ray.util.state import list_actors

    out = []
    for a in list_actors(filters=[("ray_namespace", "=", NAMESPACE), ("state", "=", "ALIVE")],
                         raise_on_missing_output=False):
        name = a.name or ""
        if name.startswith(POOL_PREFIX):
            out.append((name, ray.get_actor(name, namespace=NAMESPACE)))
    return sorted(out, key=lambda na: na[0])


def pool_status() -> list[dict[str, Any]]:
    """Each live pool worker's ``PoolActor.status`` (with its name)."""
    out = []
    for name, actor in pool_actors():
        try:
            out.append({"name": name, **ray.get(actor.status.remote(), timeout=10)})
        except Exception as e:  # noqa: BLE001 - a worker dying meanwhile
            out.append({"name": name, "error": (str(e) or type(e).__name__).splitlines()[0]})
    return out


def pool_stop() -> int:
    """Kill every pool worker; returns how many there were."""
    actors = pool_actors()
    for _, actor in actors:
        ray.kill(actor, no_restart=True)
    return len(actors)


class ActorPool:
    """``scheduler.WorkerPool`` over Ray actors (events from ``ray.wait`` on their calls).

    Each worker has a slot (its index: its options with ``share``, its name in the pool); a
    replacement takes the lowest free slot, the one of the worker it replaces.  ``owner`` (a
    token of this solve): the workers are the warm pool's (``pool_actor``), loaded with the
    CNF, renewed every ``RENEW_SECONDS`` and released at the end instead of created and
    killed."""

    def __init__(self, cnf_ref, backend: str, variables: Optional[list[int]],  # type: ignore[no-untyped-def]
                 spread: bool, ladders=(), share: bool = False, owner: str = ""):
        options = {"num_cpus": 1, "max_restarts": 0, "max_task_retries": 0}
        if spread:
            options["scheduling_strategy"] = "SPREAD"
        if share:
            options["max_concurrency"] = RayConquer.depth + 1  # ``exchange`` beside ``run``s
        self.actor_class = ray.remote(**options)(CubeActor)
        self.args = (cnf_ref, backend, variables, ladders)
        self.spread = spread
        self.owner = owner
        self.sharing = share
        self.actors: dict[int, object] = {}
        self.slots: dict[int, int] = {}  # worker -> slot
        self.calls: dict[object, tuple[int, str]] = {}  # ObjectRef -> (worker, kind)
        self._next = 0
        self._early: dict[int, object] = {}  # slot -> actor created by ``prestart``
        self._renewed = time.monotonic()

    def _create(self, slot: int) -> object:
        if self.owner:
            return pool_actor(slot, spread=self.spread)
        return self.actor_class.remote(*self.args, slot if self.sharing else None)  # type: ignore[attr-defined]

    def prestart(self, n: int) -> None:
        """Create the actors of slots 0 .. ``n`` - 1 now (Ray boots their processes while
        the caller goes on); ``spawn`` hands them out first."""
        self._early = {slot: self._create(slot) for slot in range(n)}

    def spawn(self) -> Hashable:
        slot = min(set(range(len(self.slots) + 1)) - set(self.slots.values()))
        self._next += 1
        actor = self._early.pop(slot) if slot in self._early else self._create(slot)
        self.actors[self._next] = actor
        self.slots[self._next] = slot
        if self.owner:  # a pool worker: it loads this solve's CNF (and answers as ``info``)
            ref = actor.load.remote(self.owner, *self.args,  # type: ignore[attr-defined]
                                    slot if self.sharing else None)
        else:
            ref = actor.info.remote()  # type: ignore[attr-defined]
        self.calls[ref] = (self._next, "ready")
        return self._next

    def _mine(self) -> tuple:
        return (self.owner,) if self.owner else ()

    def share(self, worker: Hashable, request: tuple[str, bytes]) -> None:
        self.calls[self.actors[worker].exchange.remote(*self._mine(), request)] = (worker, "share")  # type: ignore[attr-defined,index]

    def workers(self) -> list[Hashable]:
        return list(self.actors)

    def send(self, worker: Hashable, tasks: list[Task]) -> None:
        self.calls[self.actors[worker].run.remote(*self._mine(), tasks)] = (worker, "done")  # type: ignore[attr-defined,index]

    def _forget(self, worker: int, end: str) -> None:
        """Drop ``worker``; ``end``: "release" (a pool worker stays warm), "kill", or
        "leave" (dead, or a pool worker another solve holds now)."""
        actor = self.actors.pop(worker, None)
        self.slots.pop(worker, None)
        for ref in [r for r, (w, _) in self.calls.items() if w == worker]:
            del self.calls[ref]
        try:
            if end == "release":
                actor.release.remote(self.owner)  # type: ignore[union-attr]
            elif end == "kill":
                ray.kill(actor, no_restart=True)
        except Exception:  # noqa: BLE001 - already gone
            pass

    def _renew(self) -> None:
        if self.owner and time.monotonic() - self._renewed >= RENEW_SECONDS:
            self._renewed = time.monotonic()
            for actor in self.actors.values():
                actor.renew.remote(self.owner)  # type: ignore[attr-defined]

    def wait(self, timeout: float) -> list[tuple]:
        self._renew()
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
                self._forget(worker, "kill")
                events.append(("dead", worker, (str(e) or "the actor died").splitlines()[0]))
                continue
            if kind == "ready":
                events.append(("ready", worker, value[0]))
            elif kind == "share":  # no answer ready yet: still one request in flight
                events.extend(("share", worker, answer) for answer in value)
                if not value:
                    events.append(("share", worker, (None, b"", None)))
            elif value is None:  # a pool worker another solve holds now (``PoolActor``)
                self._forget(worker, "leave")
                events.append(("dead", worker, "pool worker taken by another solve"))
            else:
                events.extend(("done", worker, outcome) for outcome in value)
        return events

    def close(self) -> None:
        if not self.owner:  # (pool workers not spawned yet hold nothing of this solve)
            for actor in self._early.values():
                ray.kill(actor, no_restart=True)
        self._early = {}
        for worker in list(self.actors):
            self._forget(worker, "release" if self.owner else "kill")
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


def _init_private(**kwargs) -> None:  # type: ignore[no-untyped-def]
    """``ray.init`` of a private local Ray; the auth token Ray writes on first use
    (``~/.ray/auth_token``, a secret) is created readable by its owner only."""
    token = os.path.join(os.path.expanduser("~"), ".ray", "auth_token")
    existed = os.path.exists(token)
    old = os.umask(0o077)
    try:
        ray.init(**kwargs)
    finally:
        os.umask(old)
    if not existed and os.path.exists(token):
        os.chmod(token, 0o600)


@contextlib.contextmanager
def connected(address: str, *, num_cpus: int,
              object_store_memory: int = OBJECT_STORE_BYTES,
              timeout: Optional[float] = None) -> Iterator[bool]:
    """Connect this process to Ray for the ``with`` block (see the module doc).

    Yields True for a private local Ray (started here, stopped on exit).  An address where no
    cluster listens fails within ``cluster.CONNECT_SECONDS`` (or ``timeout``):
    ``cluster.ClusterUnreachable``.
    """
    if ray.is_initialized():
        yield False
        return
    quiet = {"log_to_driver": False, "logging_level": logging.ERROR}
    if address == "local":
        _init_private(address="local", num_cpus=num_cpus,
                      object_store_memory=object_store_memory, include_dashboard=False,
                      dashboard_host="127.0.0.1", **quiet)
    else:
        check_cluster(address, timeout)
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
                 object_store_memory: int = OBJECT_STORE_BYTES, share: bool = False,
                 pooled: Optional[bool] = None):
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
        # on a running cluster the warm pool's workers (module doc) unless
        # ``$EAGERSMT_POOL=0``; else actors of this solve only, started and killed with it
        self.pooled = os.environ.get("EAGERSMT_POOL") != "0" if pooled is None else pooled
        # clause sharing between the actors (``sharing``): a back end that can
        from ..backends import BACKENDS

        self.share = share and BACKENDS[backend].shares

    def solve_cubes(self, cnf: CNF, cubes: Optional[Sequence[Sequence[int]]], *,
                    timeout: Optional[float] = None,
                    meanwhile: Optional[Callable[[], Any]] = None) -> Any:
        """Conquer ``cubes`` (None: clause sharing, every actor on the whole CNF).

        ``meanwhile``: run in this process while the actors boot (their processes start
        in Ray); it returns None, or a decided answer, which is returned instead of a
        ``ConquerResult`` (the actors are killed), or a list of clauses implied by the CNF
        (learnt by the caller's own solver), which go into the first sharing round."""
        if cubes is not None and not cubes:  # no cube: the cuber refuted every branch
            return CubeScheduler([]).result()
        with connected(self.address, num_cpus=self.jobs,
                       object_store_memory=self.object_store_memory, timeout=timeout) as private:
            workers = self.jobs if private else max(1, int(ray.cluster_resources().get("CPU", 1)))
            if cubes is None:
                cubes = [[] for _ in range(workers)]
            ladders = ray.put(self.ladders) if self.ladders else ()  # once, not per actor
            owner = "" if private or not self.pooled else uuid.uuid4().hex
            pool = ActorPool(ray.put(cnf), self.backend, self.variables, spread=not private,
                             ladders=ladders, share=self.share, owner=owner)
            seed: list = []
            if meanwhile is not None:
                pool.prestart(min(workers, len(cubes)))
                try:
                    early = meanwhile()
                except BaseException:
                    pool.close()
                    raise
                if early is not None and not isinstance(early, list):
                    pool.close()
                    return early
                seed = early or []
            exchange = Exchange(cnf_tag(cnf), workers=workers) if self.share else None
            if exchange is not None and seed:  # the first round hands them to every actor
                exchange.offer("caller", exchange.tag, pack(seed))
            sched = CubeScheduler(cubes, cube_timeout=self.cube_timeout, progress=self.progress,
                                  exchange=exchange)
            return drive(pool, sched, workers=workers, depth=self.depth, timeout=timeout)
