"""Clause sharing between the workers of a conquer: the same code for processes and Ray actors.

Idea (Mallob: Schreiber & Sanders, "MallobSat", JAIR 2024): each worker's CaDiCaL hands
every short clause it learns over as it learns it, and takes the clauses of the others.
Two paths, chosen per worker by ``Sharer.attach`` (``--stats``: ``sharing_path``):

* native (``native.share``, where g++ and a tested python-sat are found): a C++ learner
  buffers the clauses, a C++ external propagator imports the offered ones at CaDiCaL's next
  propagation fixpoint, and the worker runs one long ``solve`` (stopped by CaDiCaL's
  ``terminate``) while its transport exchanges beside it every ``native.share.POLL_SECONDS``;
* slice boundaries (the fallback): ``backends.cadical.Learner`` (a Python callback per
  conflict) exports, and the worker imports with ``add_clause`` between two conflict-budget
  slices of ``SLICE_SECONDS`` (re-entering CaDiCaL's ``solve`` each time).

The driver runs the rounds: every
``ROUND_SECONDS`` it sends each worker that has answered the previous request the merged
buffer of the last round, and the worker, at its next exchange point, imports the clauses it
has not seen and answers with what it
learnt since (one request in flight per worker: a busy worker never has buffers piling up).
The driver merges the answers of a round into one buffer (``Exchange``): shortest clauses
first, duplicates and clauses already shared dropped, at most ``capacity`` literals (which
grows like K^0.75 with the K workers, as Mallob's buffer does); every worker gets the same
buffer and filters what it knows itself.  ``scheduler.drive`` ticks the rounds,
``local.ProcessPool`` and ``ray_actors.ActorPool`` only carry the messages.

Soundness: an exported clause is implied by the CNF.  CaDiCaL 1.9.5 derives no clause that
is not implied by the clauses it holds (``backends.cadical``: no RAT steps; eliminations
delete clauses, and a deleted clause is implied by the CNF), a clause learnt under
assumptions is implied without them (assumptions are decisions), and imports are implied,
so everything a sharing worker holds is.  Two guards keep a clause from another problem out:
every buffer carries the CNF's tag (``cnf_tag``: its size and a hash of its clauses), and a
worker or driver refuses a buffer with another tag; and a clause over a variable beyond the
CNF's (a fresh variable of bounded variable addition, were it on) is never exported.  The
answer of a conquer does not rest on trusting this: a certified run proves every refuted
cube afresh (``local.CubeWorker.prove``), and models are checked against the input.

Cost: natively, a C++ call per assignment and per learnt literal; at slice boundaries, a
Python callback per conflict and per literal of a clause short enough (a few per cent of a
CaDiCaL's time) and a re-entry of ``solve`` per slice; both: a message of 4 bytes per
shared literal each way per round; ``benchmarks/RESULTS.md``, "Clause sharing", measures it.
"""

from __future__ import annotations

import threading
from array import array
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Hashable, Iterable, Optional, Sequence

ROUND_SECONDS = 0.25  # driver: a round every this often
SLICE_SECONDS = 0.1  # a sharing worker's conflict-budget slices (the exchange points)
MAX_LENGTH = 8  # longest clause shared
SHARE_BINARIES = False  # binary clauses come in bursts from inprocessing: see the module doc
CAPACITY = 1500  # literals per round and worker^0.75 (Mallob's default buffer: 1,500)
ANSWER_LITERALS = 4 * CAPACITY  # a worker's answer at most (24 KB: well inside a pipe's buffer)
SEEN_LIMIT = 1_000_000  # clauses remembered as shared; then the memory starts afresh
NATIVE_PATH = "native (C++ export, import mid-search)"  # ``Sharer.path``
SLICE_PATH = "slice boundaries"

Clause = tuple[int, ...]


def cnf_tag(cnf: Any) -> str:
    """The tag of ``cnf`` on every buffer: variables, clauses and a hash of the clauses
    (Python's integer-tuple hash: the same on every machine of a Ray cluster, which runs
    one Python version).  Cached on the CNF object (it travels with it to a Ray actor)."""
    tag = getattr(cnf, "_sharing_tag", None)
    if tag is None:
        h = hash(tuple(map(tuple, cnf.clauses))) & 0xFFFF_FFFF_FFFF_FFFF
        tag = f"{cnf.nvars}:{len(cnf.clauses)}:{h:016x}"
        try:
            cnf._sharing_tag = tag
        except AttributeError:
            pass
    return tag


def pack(clauses: Iterable[Sequence[int]]) -> bytes:
    """Clauses as int32 literals, each clause ended by 0 (4 bytes a literal on the wire)."""
    a = array("i")
    for c in clauses:
        a.extend(c)
        a.append(0)
    return a.tobytes()


def unpack(data: bytes) -> list[Clause]:
    a = array("i")
    a.frombytes(data)
    out: list[Clause] = []
    start = 0
    for i, lit in enumerate(a):
        if lit == 0:
            out.append(tuple(a[start:i]))
            start = i + 1
    return out


def key(clause: Sequence[int]) -> Clause:
    return tuple(sorted(clause))


@dataclass
class ShareStats:
    """One worker's counters (the driver adds them up for ``--stats``)."""

    exported: int = 0  # clauses handed to the driver
    imported: int = 0  # clauses added to the solver
    dropped: int = 0  # offered to the worker but known already, or refused (tag, variables)
    rounds: int = 0  # exchanges answered
    conflicts: float = 0.0  # the worker's CaDiCaL conflicts so far
    native: bool = False  # imports mid-search (``Sharer.native``)

    def as_dict(self) -> dict[str, float]:
        return {"exported": self.exported, "imported": self.imported, "dropped": self.dropped,
                "rounds": self.rounds, "conflicts": self.conflicts, "native": int(self.native)}


class Sharer:
    """A worker's side of clause sharing: the learner on its solver, what waits to be
    exported, what it has seen (exported or imported), and ``exchange``.

    Two ways to reach the solver, chosen by ``attach``: natively (``native.share``: C++
    export and mid-search import, the solver searching in one long ``solve`` while
    ``exchange`` runs beside it) when the solver is fresh and the shim builds, else the
    ``backends.cadical.Learner`` and ``add_clause`` at slice boundaries; ``path`` says
    which, and why."""

    def __init__(self, tag: str, nvars: int, max_length: int = MAX_LENGTH,
                 binaries: bool = SHARE_BINARIES):
        self.tag = tag
        self.nvars = nvars
        self.binaries = binaries
        self.max_length = max_length
        self.learner: Any = None
        self.native: Any = None  # a ``native.share.NativeShare``, or None
        self.path = ""
        self.seen: set[Clause] = set()
        self.outbox: list[list[int]] = []
        self.stats = ShareStats()

    def attach(self, solver: Any, fresh: bool = False) -> None:
        """Export what ``solver`` (a CaDiCaL ``PysatSolver``) learns from now on; natively
        when ``fresh`` (loaded, never solved) and the shim is available."""
        from ..backends.cadical import Learner, solver_pointer
        from ..native.share import NativeShare, unavailable

        why = unavailable() if fresh else "the solver has searched already"
        if not why:
            self.native = NativeShare(solver_pointer(solver), self.nvars, self.max_length,
                                      binaries=self.binaries)
            self.path = NATIVE_PATH
            self.stats.native = True
            return
        self.path = f"{SLICE_PATH} ({why})"
        self.learner = Learner(self.max_length)
        self.learner.attach(solver)

    def conflicts(self, solver: Any) -> float:
        """The solver's conflicts so far (natively: counted by the shim, safe mid-search)."""
        if self.native is not None:
            return float(self.native.counters()["conflicts"])
        return solver.stats().get("conflicts", 0.0)

    def collect(self) -> None:
        """Move what the solver learnt since the last call into the outbox."""
        nvars, seen = self.nvars, self.seen
        binaries = self.binaries
        source = self.native if self.native is not None else self.learner
        for c in source.take():
            if not c or max(map(abs, c)) > nvars or (len(c) == 2 and not binaries):
                continue
            k = key(c)
            if k not in seen:
                seen.add(k)
                self.outbox.append(c)
        if len(seen) > SEEN_LIMIT:
            seen.clear()

    def take(self, tag: str, data: bytes, solver: Any) -> int:
        """Add the clauses of a buffer that this worker has not seen to ``solver``; a buffer
        of another CNF (``tag``) is refused whole.  Returns the clauses added."""
        clauses = unpack(data)
        if tag != self.tag:
            self.stats.dropped += len(clauses)
            return 0
        nvars, seen, new = self.nvars, self.seen, []
        for c in clauses:
            k = key(c)
            if k in seen or not c or max(map(abs, c)) > nvars:
                self.stats.dropped += 1
                continue
            seen.add(k)
            new.append(list(c))
        if new and self.native is not None:
            self.native.offer(new)  # imported at the solver's next fixpoint
        elif new:
            solver.add_clauses(new)
        self.stats.imported += len(new)
        return len(new)

    def exchange(self, request: Optional[tuple[str, bytes]], solver: Any,
                 conflicts: float = 0.0) -> tuple[str, bytes, dict[str, float]]:
        """Answer a driver's request (``(tag, buffer)``; None: no buffer yet): import the
        buffer, then hand over the outbox.  The answer is ``(tag, clauses, counters)``."""
        if request is not None:
            self.take(request[0], request[1], solver)
        self.collect()
        out, self.outbox = self.outbox, []
        if sum(map(len, out)) > ANSWER_LITERALS:  # a burst: the shortest, within a message
            out.sort(key=len)
            room, kept = ANSWER_LITERALS, []
            for c in out:
                if len(c) > room:
                    break
                kept.append(c)
                room -= len(c)
            self.stats.dropped += len(out) - len(kept)
            out = kept
        self.stats.exported += len(out)
        self.stats.rounds += 1
        self.stats.conflicts = conflicts
        return self.tag, pack(out), self.stats.as_dict()

    def close(self) -> None:
        """Disconnect from the solver: before the solver is closed."""
        if self.native is not None:
            self.native.close()
        if self.learner is not None:
            self.learner.detach()


class Mailbox:
    """The thread-safe hand-over between a worker's solving loop and its transport (a Ray
    actor's second thread): requests in, answers out; the solving loop calls ``serve``
    between slices."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: deque = deque()
        self.answers: deque = deque()
        self.ready = threading.Event()

    def post(self, request: Optional[tuple[str, bytes]]) -> None:
        with self.lock:
            self.requests.append(request)

    def serve(self, sharer: Sharer, solver: Any, conflicts: float = 0.0) -> None:
        with self.lock:
            requests = list(self.requests)
            self.requests.clear()
        for r in requests:
            answer = sharer.exchange(r, solver, conflicts)
            with self.lock:
                self.answers.append(answer)
            self.ready.set()

    def collect(self, timeout: float) -> list[tuple[str, bytes, dict[str, float]]]:
        """Answers so far, waiting up to ``timeout`` seconds for the first."""
        self.ready.wait(timeout)
        with self.lock:
            out = list(self.answers)
            self.answers.clear()
            self.ready.clear()
        return out


def capacity(workers: int, per_worker: int = CAPACITY) -> int:
    """Literals in one round's buffer for ``workers`` workers (Mallob: sublinear growth)."""
    return int(per_worker * max(1, workers) ** 0.75)


@dataclass
class Exchange:
    """The driver's side: answers of a round in, one buffer out (see the module doc)."""

    tag: str
    workers: int = 2
    max_length: int = MAX_LENGTH
    per_worker: int = CAPACITY
    offered: dict[int, list[Clause]] = field(default_factory=dict)  # length -> clauses
    shared: set[Clause] = field(default_factory=set)
    buffer: bytes = b""  # the last round's merged clauses
    rounds: int = 0
    received: int = 0  # clauses offered by workers
    dropped: int = 0  # refused (tag), duplicates, or over the capacity
    refused: int = 0  # buffers of another CNF
    worker_stats: dict[Hashable, dict[str, float]] = field(default_factory=dict)

    def offer(self, worker: Hashable, tag: str, data: bytes,
              counters: Optional[dict[str, float]] = None) -> None:
        """A worker's answer: its new clauses (refused whole if ``tag`` is another CNF's)."""
        clauses = unpack(data)
        self.received += len(clauses)
        if tag != self.tag:
            self.refused += 1
            self.dropped += len(clauses)
            return
        if counters is not None:
            self.worker_stats[worker] = dict(counters)
        for c in clauses:
            if len(c) <= self.max_length:
                self.offered.setdefault(len(c), []).append(c)
            else:
                self.dropped += 1

    def round(self) -> bytes:
        """Close a round: merge what was offered into the next buffer (shortest first, no
        duplicates, nothing shared before, at most ``capacity`` literals)."""
        room = capacity(self.workers, self.per_worker)
        out: list[Clause] = []
        shared = self.shared
        for length in sorted(self.offered):
            for c in self.offered[length]:
                k = key(c)
                if k in shared or room < length:
                    self.dropped += 1
                    continue
                shared.add(k)
                out.append(c)
                room -= length
        self.offered.clear()
        if len(shared) > SEEN_LIMIT:
            shared.clear()
        self.rounds += 1
        self.buffer = pack(out)
        return self.buffer

    def request(self) -> tuple[str, bytes]:
        return self.tag, self.buffer

    def totals(self) -> dict[str, float]:
        """Counters for ``--stats``: over the workers (their last answers) and the driver."""
        ws = self.worker_stats.values()
        return {"exported": sum(w.get("exported", 0) for w in ws),
                "imported": sum(w.get("imported", 0) for w in ws),
                "dropped": self.dropped + sum(w.get("dropped", 0) for w in ws),
                "rounds": self.rounds, "refused": self.refused}
