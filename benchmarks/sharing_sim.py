"""A conquer of K virtual workers, run round by round in one process: the projection to K CPUs.

A research tool of ``bench_sharing.py`` (``project``, ``validate``), kept out of the
``eagersmt`` package: solving never runs it.  It drives the package's real sharing parts
(``eagersmt.conquer.sharing``, CaDiCaL through ``eagersmt.backends``).

This machine has 2 CPUs; the question is what K = 16, 64 or 1,000 workers would do.  The
simulation runs the real thing in rounds: K CaDiCaLs in this process (each a worker:
``diversity(i)`` options, its own ``sharing.Sharer``), and per round each one solves for
``round_seconds`` of CPU time (conflict-budget slices sized by its measured rate; a worker
whose cube ends mid-round takes the next cube and goes on), then every worker answers the
driver's request and the ``sharing.Exchange`` merges the round, exactly as the real driver
does every ``ROUND_SECONDS``.  Simulated wall time (``projected_wall``) is the sum over
rounds of the slowest worker's round (its slices, imports and exports, CPU seconds) plus the
exchange: the driver's merge (measured) and ``latency`` per round (a message round trip: a
pipe or a local Ray call here, a network hop on a cluster).  Speed-up = one CaDiCaL's CPU
seconds on the whole CNF over the simulated wall.

Where it is optimistic (``benchmarks/RESULTS.md``, "Clause sharing", with the validation
against real K = 2 runs): workers are in lock-step (a real one answers at its next slice boundary, up
to a slice later); memory bandwidth and caches are those of one process at a time, not of K
solvers at once; the CNF's load time on each worker is not counted (it overlaps with the
cuber's and other workers' start on a cluster; ``load_seconds`` adds it when asked); a
worker lost to a crash is not simulated.  Where it is pessimistic: nothing runs between
rounds, and lock-step rounds wait for the slowest slice.

The second schedule, ``asynchronous=True``, runs the protocol the real driver runs
(``scheduler.drive``) instead of lock-step rounds: every worker has its own clock (its CPU
seconds so far), and the worker whose clock is lowest goes next, one slice of
``sharing.SLICE_SECONDS`` as a real worker's.  The driver closes a round every
``round_seconds`` of simulated time, merging the answers that arrived by then, and sends
the buffer to each worker without a request in flight; a worker answers at its first slice
boundary after the request arrived, and its answer arrives ``latency`` later.  Running the
lowest clock first keeps it causal: when a worker is at time t, every other worker is past
t, so every answer the driver could have had by t is known.  Simulated wall time is the
deciding worker's clock (a cube-and-conquer: the clock of the worker closing the last
cube).  Optimistic and pessimistic as above, minus the lock-step wait; the driver's merge
runs beside the workers (its own process), so it delays only the buffer, by its measured
seconds.

Cost: K solvers in one process (memory: K times one CaDiCaL on the CNF) and the CPU time of
all K workers, one after the other: the run takes about K x the simulated wall.
"""

from __future__ import annotations

import heapq
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from eagersmt.result import Status
from eagersmt.conquer.sharing import ROUND_SECONDS, SLICE_SECONDS, Exchange, Sharer, cnf_tag


@dataclass
class Schedule:
    """What a simulated run spent: per round, each worker's seconds (lock-step only); per
    round, the exchange's seconds (driver merge); ``latency``: seconds added per round."""

    rounds: list[list[float]] = field(default_factory=list)
    exchange: list[float] = field(default_factory=list)
    latency: float = 0.0
    load_seconds: float = 0.0  # added once (the workers load the CNF at the same time)
    probe_seconds: float = 0.0  # added once: the probe before the workers start


def projected_wall(schedule: Schedule) -> float:
    """Simulated wall seconds: the slowest worker of each round, plus each round's exchange
    and latency, plus the load."""
    return (sum(max(r) if r else 0.0 for r in schedule.rounds) + sum(schedule.exchange)
            + schedule.latency * len(schedule.rounds) + schedule.load_seconds
            + schedule.probe_seconds)


def efficiency(one_worker_seconds: float, wall: float, workers: int) -> float:
    """Parallel efficiency: speed-up over one worker, per worker."""
    return one_worker_seconds / wall / workers if wall > 0 and workers > 0 else 0.0


@dataclass
class SimResult:
    status: Status
    wall: float  # ``projected_wall``: lock-step rounds
    schedule: Schedule
    rounds: int
    work: list[float]  # CPU seconds each worker spent
    cubes_done: int = 0
    sharing: dict[str, float] = field(default_factory=dict)
    winner: Optional[int] = None
    asynchronous: bool = False  # ``wall`` of the asynchronous schedule (no lock-step rounds)

    @property
    def free_running(self) -> float:
        """The other estimate: workers that do not wait for each other's rounds (as real
        ones do not): the deciding worker's own seconds, plus the exchange and latency (for
        cubes, the last worker's).  Not above ``wall``; the gap is what lock-step costs.  For
        the asynchronous schedule it is ``wall``."""
        if self.asynchronous:
            return self.wall
        s = self.schedule
        own = self.work[self.winner] if self.winner is not None else max(self.work, default=0)
        return (own + sum(s.exchange) + s.latency * len(s.rounds) + s.load_seconds
                + s.probe_seconds)


class _Worker:
    def __init__(self, cnf: Any, index: int, share: bool, max_length: int,
                 options: Optional[dict[str, int]], binaries: Optional[bool] = None):
        from eagersmt.backends import open_solver
        from eagersmt.backends.cadical import diversity

        self.index = index
        kw = {} if binaries is None else {"binaries": binaries}
        self.sharer = Sharer(cnf_tag(cnf), cnf.nvars, max_length, **kw) if share else None
        opts = diversity(index) if options is None else options
        self.solver = open_solver(cnf, options=opts)
        if self.sharer is not None:
            self.sharer.attach(self.solver)
        self.cube: Optional[list[int]] = None
        self.rate = 1000.0  # conflicts per CPU second, measured
        self.work = 0.0

    def conflicts(self) -> float:
        return float(self.solver.stats().get("conflicts", 0.0))

    def run(self, conflicts: int) -> tuple[Optional[bool], float]:
        """One slice of ``conflicts`` on the worker's cube: (the answer or None, CPU
        seconds); an unfinished slice updates the measured rate."""
        t0 = time.process_time()
        ok = self.solver.solve(self.cube, conflicts=conflicts)
        dt = time.process_time() - t0
        if ok is None:
            self.rate = conflicts / max(dt, 1e-4)
        return ok, dt

    def close(self) -> None:
        if self.sharer is not None:
            self.sharer.close()
        self.solver.close()


class _Cubes:
    """The cubes of a simulated conquer (None: clause sharing, every worker on the
    whole CNF): who runs which, and when the run is decided."""

    def __init__(self, cubes: Optional[Sequence[Sequence[int]]], ws: list[_Worker]):
        self.portfolio = cubes is None
        self.pending: deque[list[int]] = deque([list(c) for c in cubes or ()])
        self.open = len(self.pending)
        self.done = 0
        for w in ws:
            w.cube = [] if self.portfolio else (self.pending.popleft() if self.pending else None)

    def answered(self, w: _Worker, ok: bool) -> Status:
        """Worker ``w``'s slice answered ``ok``: the run's status now (a refuted cube
        gives ``w`` the next one; the last refuted cube decides unsat)."""
        if ok:
            return Status.SAT
        if self.portfolio or not w.cube:
            return Status.UNSAT
        self.done += 1
        self.open -= 1
        w.cube = self.pending.popleft() if self.pending else None
        return Status.UNSAT if self.open == 0 else Status.UNKNOWN


def simulate(cnf: Any, workers: int, *, cubes: Optional[Sequence[Sequence[int]]] = None,
             share: bool = True, round_seconds: float = ROUND_SECONDS, max_length: int = 8,
             per_worker: Optional[int] = None, latency: float = 0.0,
             max_seconds: float = 600.0, options: Optional[list[dict[str, int]]] = None,
             min_slice: int = 20, binaries: Optional[bool] = None,
             probe_seconds: float = 0.0, asynchronous: bool = False,
             slice_seconds: float = SLICE_SECONDS) -> SimResult:
    """Run ``workers`` virtual workers on ``cnf`` (see the module doc).  ``cubes``: the cubes
    to conquer, in order (None: clause sharing, every worker on the whole CNF);
    ``max_seconds``: give up (``unknown``) past this much simulated wall time;
    ``probe_seconds``: first one CaDiCaL alone for that long (CPU), as ``--cubes sharing``
    probes, then every worker starts with the probe's short learnt clauses (what a Ray
    actor gets; a forked local worker gets the probe's whole solver, which is more);
    ``asynchronous``: the real driver's protocol instead of lock-step rounds, workers
    slicing at ``slice_seconds`` (the module doc)."""
    from eagersmt.conquer.sharing import CAPACITY

    ws = [_Worker(cnf, i, share, max_length, None if options is None else options[i], binaries)
          for i in range(workers)]
    ex = Exchange(cnf_tag(cnf), workers=workers, max_length=max_length,
                  per_worker=CAPACITY if per_worker is None else per_worker)
    sched = Schedule(latency=latency)
    status, winner = Status.UNKNOWN, None
    try:
        if probe_seconds > 0:
            seed, sched.probe_seconds = _probe(cnf, probe_seconds, max_length)
            if not isinstance(seed, list):  # the probe decided
                return SimResult(seed, projected_wall(sched), sched, 0, [0.0] * workers)
            for w in ws:
                w.solver.add_clauses(seed)
        plan = _Cubes(cubes, ws)
        if asynchronous:
            return _run_async(ws, ex, sched, plan, share, round_seconds, slice_seconds,
                              max_seconds, min_slice)
        while status == Status.UNKNOWN and projected_wall(sched) < max_seconds:
            times = []
            for w in ws:
                spent = 0.0
                while w.cube is not None and spent < round_seconds and status == Status.UNKNOWN:
                    ok, dt = w.run(max(min_slice, int(w.rate * (round_seconds - spent))))
                    spent += dt
                    if ok is not None:
                        status = plan.answered(w, ok)
                        if status != Status.UNKNOWN:
                            winner = w.index
                if w.sharer is not None and status == Status.UNKNOWN:
                    t0 = time.process_time()
                    tag, data, counters = w.sharer.exchange(ex.request() if ex.rounds else None,
                                                            w.solver, w.conflicts())
                    ex.offer(w.index, tag, data, counters)
                    spent += time.process_time() - t0
                w.work += spent
                times.append(spent)
            sched.rounds.append(times)
            if share and status == Status.UNKNOWN:
                t0 = time.process_time()
                ex.round()
                sched.exchange.append(time.process_time() - t0)
            if all(w.cube is None for w in ws) and status == Status.UNKNOWN:
                break  # every cube closed or none left: (unsat was set above)
        stats = ex.totals() if share else {}
        return SimResult(status, projected_wall(sched), sched, len(sched.rounds),
                         [w.work for w in ws], plan.done, stats, winner)
    finally:
        for w in ws:
            w.close()


def _run_async(ws: list[_Worker], ex: Exchange, sched: Schedule, plan: _Cubes, share: bool,
               round_seconds: float, slice_seconds: float, max_seconds: float,
               min_slice: int) -> SimResult:
    """The asynchronous schedule of ``simulate`` (the module doc): workers' clocks, the
    lowest first; driver rounds at multiples of ``round_seconds``."""
    k = len(ws)
    clock = [0.0] * k  # each worker's simulated time (its own CPU seconds, exchange included)
    inbox: list[Optional[tuple[float, tuple[str, bytes]]]] = [None] * k  # (arrival, request)
    asked: set[int] = set()  # workers with a request in flight (unanswered at the driver)
    answers: list[tuple[float, int, tuple]] = []  # heap: (arrival at the driver, worker, answer)
    next_round = round_seconds
    base = sched.probe_seconds + sched.load_seconds
    status, winner, end = Status.UNKNOWN, None, 0.0
    while status == Status.UNKNOWN:
        live = [i for i in range(k) if ws[i].cube is not None]
        if not live:
            break
        i = min(live, key=clock.__getitem__)
        t = clock[i]
        if base + t >= max_seconds:
            break
        while share and next_round <= t:  # the driver's rounds up to t
            while answers and answers[0][0] <= next_round:
                _, j, answer = heapq.heappop(answers)
                asked.discard(j)
                ex.offer(j, *answer)
            t0 = time.process_time()
            ex.round()
            merge = time.process_time() - t0
            sched.exchange.append(merge)
            sent = next_round + merge + sched.latency
            for j in range(k):
                if j not in asked and ws[j].cube is not None:
                    asked.add(j)
                    inbox[j] = (sent, ex.request())
            next_round += round_seconds
        w = ws[i]
        request = inbox[i]
        if share and w.sharer is not None and request is not None and request[0] <= t:
            t0 = time.process_time()
            answer = w.sharer.exchange(request[1], w.solver, w.conflicts())
            clock[i] += time.process_time() - t0
            inbox[i] = None
            heapq.heappush(answers, (clock[i] + sched.latency, i, answer))
        ok, dt = w.run(max(min_slice, int(w.rate * slice_seconds)))
        clock[i] += dt
        w.work = clock[i]
        if ok is not None:
            status = plan.answered(w, ok)
            if status != Status.UNKNOWN:
                winner, end = i, clock[i]
    wall = base + (end if status != Status.UNKNOWN else max(clock, default=0.0))
    stats = ex.totals() if share else {}
    return SimResult(status, wall, sched, len(sched.exchange), [w.work for w in ws],
                     plan.done, stats, winner, asynchronous=True)


def _probe(cnf: Any, seconds: float, max_length: int) -> tuple[Any, float]:
    """One CaDiCaL for ``seconds`` of CPU: (its answer, or its short learnt clauses; CPU
    seconds spent)."""
    from eagersmt.backends import open_solver

    sharer = Sharer(cnf_tag(cnf), cnf.nvars, max_length)
    s = open_solver(cnf)
    sharer.attach(s)
    try:
        t0, n, ok = time.process_time(), 1000, None
        while ok is None and time.process_time() - t0 < seconds:
            t = time.process_time()
            ok = s.solve(conflicts=n)
            n = max(100, int(n / max(time.process_time() - t, 1e-4) * 0.1))
        spent = time.process_time() - t0
        if ok is not None:
            return (Status.SAT if ok else Status.UNSAT), spent
        sharer.collect()
        return [list(c) for c in sharer.outbox], spent
    finally:
        sharer.close()
        s.close()
