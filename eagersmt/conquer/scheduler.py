"""Driver-side bookkeeping of a conquer, shared by the local processes and Ray.

``CubeScheduler`` owns every cube of a run: the pending queue (cuber order; a retried
cube and the children of a re-split cube go to the front), which worker runs which cube,
and how each cube ended.  A transport (``local.ProcessPool``: forked processes and pipes;
``ray_actors.ActorPool``: Ray actors and ``ray.wait``) only starts workers, sends them
``Task`` values and reports what came back (``Outcome``) or which worker died; ``drive``
is the one loop between the two.  The soundness of the answer lives here:

* ``unsat`` only when every cube is closed: refuted, or split into children that are all
  closed (the children of a cube cover it: ``CubeWorker.split`` cubes "CNF + the cube's
  units" and prefixes each child with the parent cube);
* a worker that dies hands its running cubes back to the front of the queue
  (``retried``); a cube that takes ``max_retries`` workers down with it ends ``unknown``;
* with ``cube_timeout``, a cube that runs past it comes back split (dynamic re-splitting,
  as in Paracooba: Heisinger, Fleury, Biere, "Distributed Cube and Conquer with
  Paracooba", SAT 2020), its children re-queued; a cube the cuber cannot split any more,
  or one ``max_generations`` splits deep, runs again without a time limit;
* a racer on the whole CNF (``race.WholeRacer``: Kissat beside the cubes with the portfolio
  back end) decides the run when it answers first (``whole``): its ``sat`` model is one of
  the whole CNF, its ``unsat`` needs no cube; so does the refutation of an empty cube (a
  clause-sharing strategy gives every worker the empty cube, i.e. the whole CNF);
* clause sharing (``exchange``: a ``sharing.Exchange``): ``drive`` closes a round every
  ``sharing.ROUND_SECONDS`` and sends its buffer to each worker without a request in flight
  (``pool.share``); the answers (``"share"`` events) go into the next round.  Sharing never
  decides anything: an answer is still a refuted cube or a model.

Cost: a few dictionary operations per cube; the transports add their round trip (a pipe
message locally, an actor call on Ray), shared by a batch when cubes prove quick
(``batch_size``: about ``batch_seconds`` of work per message, at most ``max_batch`` cubes,
never more than a fair share of what is pending); ``benchmarks/bench_ray.py`` measures both.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Callable, Hashable, Iterable, Optional, Protocol, Sequence

from ..result import Status
from .sharing import ROUND_SECONDS, Exchange


@dataclass
class Task:
    """One cube for one worker; past ``time_limit`` seconds the worker stops and splits it."""

    id: int
    cube: list[int]
    time_limit: Optional[float] = None


@dataclass
class Outcome:
    """What a worker hands back for a ``Task`` (a value, never an exception).

    ``status``: ``sat`` (``model``), ``unsat``, ``unknown`` (conflict budget spent),
    ``split`` (``children``: cubes covering the task's cube), ``timeout`` (past the time
    limit and the cuber could not split it), ``error`` (``message``).
    """

    id: int
    status: str
    model: Optional[list[int]] = None
    children: Optional[list[list[int]]] = None
    seconds: float = 0.0
    message: str = ""


@dataclass(frozen=True)
class Progress:
    """A snapshot for a progress display (the CLI draws it; libraries never print)."""

    cubes: int  # every cube so far: the cuber's plus the children of re-splits
    closed: int  # refuted, split or given up
    refuted: int
    resplit: int
    retried: int
    running: int
    pending: int
    workers: int
    elapsed: float
    pids: tuple[int, ...] = ()  # worker process ids, busy ones first (Ray: on their nodes)
    final: bool = False


ProgressCallback = Callable[[Progress], None]


@dataclass
class ConquerResult:
    status: Status
    model: Optional[list[int]] = None
    cube: Optional[list[int]] = None  # the cube that was sat
    cube_seconds: dict[int, float] = field(default_factory=dict)  # cube id -> seconds (refuted)
    unknown: list[int] = field(default_factory=list)  # cubes given up (budget, errors)
    retried: int = 0  # cubes put back after their worker died
    resplit: int = 0  # cubes that ran past cube_timeout and were split again
    splits: list[tuple[list[int], list[list[int]]]] = field(default_factory=list)
    cubes: int = 0  # every cube of the run (ids run 0 .. cubes - 1)
    workers: int = 0  # workers started, replacements included
    messages: list[str] = field(default_factory=list)
    seconds: float = 0.0
    startup: float = 0.0  # seconds until the first answer (workers up, CNF loaded, 1 cube)
    decided_by: str = "cubes"  # or "racer": the whole-CNF racer answered first
    sharing: dict[str, float] = field(default_factory=dict)  # clause sharing counters
    worker_stats: list[dict[str, float]] = field(default_factory=list)  # each worker's last


class CubeScheduler:
    """The state of one conquer run (see the module doc); transports call its methods."""

    max_retries = 3  # deaths of a cube's worker before the cube ends unknown
    max_generations = 10  # re-splits of re-splits; deeper cubes run without a time limit
    report_every = 0.2  # seconds between progress callbacks
    # the batching below: ``benchmarks/RESULTS.md``, "Ray" (overhead per cube)
    batch_seconds = 0.02  # cubes per message: about this much work (quick cubes travel
    max_batch = 64  # in batches, so a Ray call's cost is shared; hard ones go alone)
    prefetch_below = 0.5  # a second message in flight only while cubes take less than this

    def __init__(self, cubes: Iterable[Sequence[int]], *, cube_timeout: Optional[float] = None,
                 progress: Optional[ProgressCallback] = None,
                 clock: Callable[[], float] = time.monotonic,
                 exchange: Optional[Exchange] = None):
        self.clock = clock
        self.exchange = exchange  # clause sharing: ``drive`` runs its rounds
        self.t0 = clock()
        self.cube_timeout = cube_timeout
        self.progress = progress
        self.cubes: list[list[int]] = [list(c) for c in cubes]
        self.generation: list[int] = [0] * len(self.cubes)
        self.no_limit: set[int] = set()
        self.pending: deque[int] = deque(range(len(self.cubes)))
        self.running: dict[int, Hashable] = {}
        self.by_worker: dict[Hashable, set[int]] = {}
        self.pids: dict[Hashable, int] = {}
        self.tries: Counter[int] = Counter()
        self.out = ConquerResult(Status.UNKNOWN)
        self.open = len(self.cubes)  # cubes neither closed nor split
        self.deaths = 0
        self.answers = 0  # outcomes received (a systematic failure has none)
        self.mean_seconds: Optional[float] = None  # moving average of a cube's solve time
        self.whole_unsat = False  # a racer refuted the whole CNF
        self._last_report = float("-inf")

    # -- state --------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.out.status == Status.SAT or self.open == 0 or self.whole_unsat

    def load(self, worker: Hashable) -> int:
        return len(self.by_worker.get(worker, ()))

    def batch_size(self) -> int:
        """Cubes per message: 1 until cubes prove quick, then ~``batch_seconds`` of work,
        never more than a fair share of what is pending."""
        if self.mean_seconds is None:
            return 1
        b = int(self.batch_seconds / max(self.mean_seconds, 1e-6))
        share = len(self.pending) // max(1, 2 * len(self.by_worker))
        return max(1, min(b, self.max_batch, share))

    # -- transitions --------------------------------------------------------------------
    def worker_started(self, worker: Hashable) -> None:
        self.by_worker.setdefault(worker, set())
        self.out.workers += 1

    def worker_ready(self, worker: Hashable, pid: int) -> None:
        self.pids[worker] = pid

    def assign(self, worker: Hashable) -> Optional[Task]:
        """The next cube for ``worker``, or None when nothing is pending."""
        if not self.pending or self.finished:
            return None
        i = self.pending.popleft()
        self.running[i] = worker
        self.by_worker.setdefault(worker, set()).add(i)
        limited = (self.cube_timeout is not None and i not in self.no_limit
                   and self.generation[i] < self.max_generations)
        return Task(i, self.cubes[i], self.cube_timeout if limited else None)

    def finish(self, worker: Hashable, r: Outcome) -> None:
        if self.running.get(r.id) != worker:
            return  # stale: the cube was already handed to someone else
        del self.running[r.id]
        self.by_worker.get(worker, set()).discard(r.id)
        self.answers += 1
        if self.answers == 1:
            self.out.startup = self.clock() - self.t0
        m = self.mean_seconds
        self.mean_seconds = r.seconds if m is None else 0.8 * m + 0.2 * r.seconds
        out = self.out
        if r.status == "sat":
            out.status, out.model, out.cube = Status.SAT, r.model, self.cubes[r.id]
        elif r.status == "unsat":
            out.cube_seconds[r.id] = r.seconds
            self.open -= 1
            if not self.cubes[r.id]:  # the empty cube is the whole CNF (clause sharing's)
                self.whole_unsat = True
        elif r.status == "split" and r.children:
            first = len(self.cubes)
            self.cubes.extend(list(c) for c in r.children)
            self.generation.extend([self.generation[r.id] + 1] * len(r.children))
            self.pending.extendleft(reversed(range(first, len(self.cubes))))
            out.splits.append((self.cubes[r.id], [list(c) for c in r.children]))
            out.resplit += 1
            self.open += len(r.children) - 1
        elif r.status == "timeout" or (r.status == "split" and not r.children):
            self.no_limit.add(r.id)  # the cuber could not split it: run it to the end
            self.pending.appendleft(r.id)
        else:  # unknown (conflict budget), error
            if r.message:
                out.messages.append(f"cube {r.id}: {r.message}")
            out.unknown.append(r.id)
            self.open -= 1

    def whole(self, status: Status, model: Optional[list[int]] = None,
              message: str = "") -> None:
        """A racer's answer on the whole CNF: ``sat`` (a model of the whole CNF) or
        ``unsat`` decide the run unless the cubes already did; anything else is noted."""
        if self.finished:
            return
        if status == Status.SAT:
            self.out.status, self.out.model, self.out.cube = Status.SAT, model, []
            self.out.decided_by = "racer"
        elif status == Status.UNSAT:
            self.whole_unsat = True
            self.out.decided_by = "racer"
        elif message:
            self.out.messages.append(f"racer: {message}")

    def lost(self, worker: Hashable, message: str = "") -> None:
        """``worker`` died: its running cubes go back to the front of the queue."""
        self.deaths += 1
        self.pids.pop(worker, None)
        for i in sorted(self.by_worker.pop(worker, set()), reverse=True):
            del self.running[i]
            self.tries[i] += 1
            if self.tries[i] > self.max_retries:
                self.out.unknown.append(i)
                self.out.messages.append(f"cube {i}: its worker died {self.tries[i]} times"
                                         + (f" ({message})" if message else ""))
                self.open -= 1
            else:
                self.out.retried += 1
                self.pending.appendleft(i)

    # -- reporting ----------------------------------------------------------------------
    def snapshot(self, final: bool = False) -> Progress:
        out = self.out
        closed = len(out.cube_seconds) + out.resplit + len(out.unknown)
        pids = sorted(self.pids.items(), key=lambda wp: not self.by_worker.get(wp[0]))
        return Progress(cubes=len(self.cubes), closed=closed, refuted=len(out.cube_seconds),
                        resplit=out.resplit, retried=out.retried, running=len(self.running),
                        pending=len(self.pending), workers=len(self.by_worker),
                        elapsed=self.clock() - self.t0, pids=tuple(pid for _, pid in pids),
                        final=final)

    def report(self, final: bool = False) -> None:
        if self.progress is None:
            return
        now = self.clock()
        if final or now - self._last_report >= self.report_every:
            self._last_report = now
            self.progress(self.snapshot(final))

    def result(self) -> ConquerResult:
        out = self.out
        if out.status != Status.SAT and self.whole_unsat:
            out.status = Status.UNSAT
        elif out.status != Status.SAT:
            everything_closed = (self.open == 0 and not self.pending and not self.running
                                 and not out.unknown)
            out.status = Status.UNSAT if everything_closed else Status.UNKNOWN
        out.cubes = len(self.cubes)
        out.seconds = self.clock() - self.t0
        if self.exchange is not None:
            out.sharing = self.exchange.totals()
            out.worker_stats = list(self.exchange.worker_stats.values())
        return out


class WorkerPool(Protocol):
    """A transport: workers that each run ``CubeWorker.run`` on the tasks sent to them
    (a batch per message, solved in order, stopping at a ``sat``).

    ``share`` sends a clause-sharing request (``sharing.Exchange.request``), answered by an
    event ``("share", worker, (tag, clauses, counters))``.
    ``wait`` returns events: ``("ready", worker, pid)``, ``("done", worker, Outcome)``,
    ``("dead", worker, message)`` (the worker is gone; the pool has forgotten it), and from a
    pool with a racer ``("whole", None, (status, model, message))``.
    """

    def spawn(self) -> Hashable: ...
    def workers(self) -> list[Hashable]: ...
    def send(self, worker: Hashable, tasks: list[Task]) -> None: ...
    def share(self, worker: Hashable, request: tuple[str, bytes]) -> None: ...
    def wait(self, timeout: float) -> list[tuple]: ...
    def close(self) -> None: ...


def drive(pool: WorkerPool, sched: CubeScheduler, *, workers: int, depth: int = 1,
          timeout: Optional[float] = None) -> ConquerResult:
    """Run ``sched``'s cubes on ``workers`` workers of ``pool``, up to ``depth`` batches in
    flight each (``depth=2``: a worker never waits for a round trip; only while cubes are
    quick, since a cube queued behind a slow one cannot go to an idle worker).

    A worker gets cubes (and sharing requests) once it said it is ready: a worker that
    cannot start yet (a Ray actor waiting for a CPU or for a pool worker another solve
    holds) keeps none, so two runs that share a cluster never wait for each other's cubes;
    a second batch goes to a ready worker only while enough cubes are left for a first
    batch of each starting one.
    Idle workers pull the next cube; a dead worker is replaced (up to ``4 * workers + 4``
    deaths); the first ``sat`` or the deadline ends the run and ``pool.close()`` kills every
    worker.  Raises ``RuntimeError`` when workers die before a single cube came back (a
    worker that cannot start: e.g. eagersmt missing on a Ray node).
    """
    deadline = None if timeout is None else sched.t0 + timeout
    want = max(1, min(workers, sched.open))
    max_deaths = 4 * workers + 4
    last_error = ""
    exchange = sched.exchange
    asked: set[Hashable] = set()  # workers with a sharing request in flight
    ready: set[Hashable] = set()  # workers that said they are ready (and are alive)
    next_round = sched.clock() + ROUND_SECONDS
    try:
        if not sched.finished:
            for _ in range(want):
                sched.worker_started(pool.spawn())
        while not sched.finished:
            b = sched.batch_size()
            quick = sched.mean_seconds is None or sched.mean_seconds < sched.prefetch_below
            starting = sum(w not in ready for w in pool.workers())
            for level in range(depth if quick else 1):  # round by round: every worker
                for w in pool.workers():  # gets its first batch before anyone a second,
                    if w not in ready or sched.load(w) > level * b:  # a starting one too
                        continue
                    if level and len(sched.pending) <= starting * b:
                        break
                    tasks = []
                    while len(tasks) < b and (task := sched.assign(w)) is not None:
                        tasks.append(task)
                    if tasks:
                        pool.send(w, tasks)
            now = sched.clock()
            if deadline is not None and now >= deadline:
                break
            if exchange is not None and now >= next_round:  # a sharing round
                exchange.round()
                for w in pool.workers():
                    if w in ready and w not in asked:
                        asked.add(w)
                        pool.share(w, exchange.request())
                next_round = now + ROUND_SECONDS
            wait = 0.25 if deadline is None else min(0.25, deadline - now)
            if exchange is not None:
                wait = max(0.0, min(wait, next_round - now))
            for event in pool.wait(wait):
                kind, w, value = event
                if kind == "ready":
                    ready.add(w)
                    sched.worker_ready(w, value)
                elif kind == "done":
                    sched.finish(w, value)
                elif kind == "share" and exchange is not None:
                    asked.discard(w)
                    if value[0] is not None:  # (None: a Ray actor had no answer ready)
                        exchange.offer(w, *value)
                elif kind == "whole":
                    sched.whole(*value)
                elif kind == "dead":
                    asked.discard(w)
                    ready.discard(w)
                    last_error = value or last_error
                    sched.lost(w, value)
                    if (not sched.finished and sched.deaths <= max_deaths
                            and len(pool.workers()) < want):
                        sched.worker_started(pool.spawn())
            if not pool.workers():
                if sched.answers == 0:
                    raise RuntimeError("every conquer worker died before solving a cube"
                                       + (f": {last_error}" if last_error else ""))
                sched.out.messages.append("too many workers died")
                break
            sched.report()
    finally:
        pool.close()
    sched.report(final=True)
    return sched.result()
