"""Run one solver on one instance in a child process, under a wall and a memory limit.

``run_limited`` starts a command in its own session with ``RLIMIT_AS`` set (in
``preexec_fn``) and ``TMPDIR`` pointing at a private folder, and kills the whole process
group (SIGKILL) at the wall limit; the folder is removed afterwards, so files a killed
solver leaves behind do not pile up.  ``run_one`` turns the output into a ``Row``: an
answer (sat, unsat, unknown, timeout, memout, error), wall seconds and the check against
the expected answer.  For ``*-cnf`` solvers the instance is first encoded by
``eagersmt encode`` (once per instance and encoding, not timed), then only the SAT solver
is timed.  ``run_all`` runs every (instance, solver) pair, ``jobs`` instances at a time.
Cost: the solvers' own time plus a process start per run.
"""

from __future__ import annotations

import math
import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping, Optional, Sequence

from ...check import reference
from .instances import ANSWERS, Instance
from .report import Row, check
from .snapshot import child_env
from .solvers import SolverSpec

_MEMOUT = re.compile(r"MemoryError|bad_alloc|out of memory|Cannot allocate memory|"
                     r"memory exhausted|failed to allocate|Out of Memory", re.I)
_LIVE: set[int] = set()          # process groups running now (killed on interrupt)
_LIVE_LOCK = threading.Lock()
_STOP = threading.Event()


@dataclass(frozen=True)
class Limits:
    timeout: float                  # wall seconds
    memory_mb: Optional[int] = None  # address-space limit; None = unlimited


@dataclass
class Outcome:
    returncode: Optional[int]
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool

    def memout(self) -> bool:
        return self.returncode != 0 and bool(_MEMOUT.search(self.stderr[-4000:] + self.stdout[-2000:]))

    def last_line(self) -> str:
        for text in (self.stderr, self.stdout):
            lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
            if lines:
                return lines[-1][:300]
        return ""


def _preexec(memory_mb: Optional[int]) -> Optional[Callable[[], None]]:
    if not memory_mb:
        return None
    nbytes = int(memory_mb) * 1024 * 1024

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (nbytes, nbytes))
    return limit


def run_limited(argv: Sequence[str], limits: Limits, *, wall: Optional[float] = None,
                env: Optional[Mapping[str, str]] = None, cwd: Optional[str] = None) -> Outcome:
    """Run ``argv`` (in ``env``, default this process's, and ``cwd``); kill its process
    group after ``wall`` (default: the timeout) seconds."""
    wall = limits.timeout if wall is None else wall
    tmp = tempfile.mkdtemp(prefix="eagersmt-bench-")
    env = {**(os.environ if env is None else env), "TMPDIR": tmp}
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, errors="replace", env=env,
                                cwd=cwd, start_new_session=True, preexec_fn=_preexec(limits.memory_mb))
        with _LIVE_LOCK:
            _LIVE.add(proc.pid)
        timed_out = False
        try:
            out, err = proc.communicate(timeout=wall)
        except subprocess.TimeoutExpired:
            timed_out = True
            _killpg(proc.pid)
            out, err = proc.communicate()
        finally:
            if proc.returncode is None:  # interrupted: leave nothing running
                _killpg(proc.pid)
                proc.wait()
            with _LIVE_LOCK:
                _LIVE.discard(proc.pid)
        seconds = time.perf_counter() - t0
        return Outcome(proc.returncode, out or "", err or "", seconds, timed_out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _killpg(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_all() -> None:
    """Stop starting runs and kill every running one (for Ctrl-C)."""
    _STOP.set()
    with _LIVE_LOCK:
        for pid in list(_LIVE):
            _killpg(pid)


def _row(inst: Instance, spec: SolverSpec, answer: str, seconds: float, note: str = "") -> Row:
    return Row(inst.name, inst.family, inst.expected, spec.name, answer, round(seconds, 4),
               check(answer, inst.expected), note)


def _unanswered(o: Outcome) -> tuple[str, str]:
    """(answer, note) of a run without an answer."""
    if o.timed_out:
        return "timeout", ""
    if o.memout():
        return "memout", o.last_line()
    code = o.returncode
    how = f"killed by {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit {code}"
    line = o.last_line()
    return "error", f"{how}: {line}" if line else how


def _smt_row(spec: SolverSpec, inst: Instance, limits: Limits) -> Row:
    env, cwd = child_env(spec)
    o = run_limited(spec.command(str(inst.path)), limits, env=env, cwd=cwd)
    answers = reference.answers(o.stdout)
    if o.timed_out or not answers or (spec.strict_exit and o.returncode != 0):
        answer, note = _unanswered(o)
        if answers and answer == "error":
            note = f"answered {answers[-1]}, then {note}"
        return _row(inst, spec, answer, o.seconds, note)
    note = f"{len(answers)} answers, the last one counted" if len(answers) > 1 else ""
    row = _row(inst, spec, answers[-1], o.seconds, note)
    if spec.kind == "eagersmt":
        _stage_times(row, o.stderr, inst)
    return row


_STAT = re.compile(r"^  (parse_s|normalize_s|encode_s|solve_s|vars|clauses)\s+([0-9.e+-]+)\s*$",
                   re.M)


def _stage_times(row: Row, stderr: str, inst: Instance) -> None:
    """Fill the front-end columns of an eagersmt row from its ``--stats`` table (summed
    over the check-sats)."""
    seen: dict[str, float] = {}
    for key, value in _STAT.findall(stderr):
        seen[key] = seen.get(key, 0.0) + float(value)
    if "parse_s" not in seen:
        return
    row.parse_s = round(seen["parse_s"], 6)
    row.encode_s = round(seen.get("normalize_s", 0.0) + seen.get("encode_s", 0.0), 6)
    row.solve_s = round(seen.get("solve_s", math.nan), 6)
    row.vars = int(seen.get("vars", 0))
    row.clauses = int(seen.get("clauses", 0))
    try:
        row.bytes = os.path.getsize(inst.path)
    except OSError:
        pass


class CnfCache:
    """The CNF of one instance per encoding, written once into a private folder."""

    def __init__(self, folder: str):
        self.folder = folder
        self.done: dict[str, tuple[Optional[str], Outcome, str]] = {}

    def get(self, spec: SolverSpec, inst: Instance, limits: Limits) -> tuple[Optional[str], Outcome, str]:
        """(cnf path or None, the encoder's outcome, a note: size and time or what failed)."""
        if spec.encoding not in self.done:
            cnf = os.path.join(self.folder, f"{spec.encoding}.cnf")
            o = run_limited(spec.encode_command(str(inst.path), cnf), limits)
            if o.returncode == 0 and os.path.exists(cnf):
                self.done[spec.encoding] = (cnf, o, f"encode {o.seconds:.2f} s, {_header(cnf)}")
            else:
                self.done[spec.encoding] = (None, o, "")
        return self.done[spec.encoding]


def _header(cnf: str) -> str:
    with open(cnf) as f:
        for line in f:
            if line.startswith("p cnf"):
                _, _, v, c = line.split()
                return f"{v} vars, {c} clauses"
            if not line.startswith("c"):
                break
    return "no header"


def _cnf_row(spec: SolverSpec, inst: Instance, limits: Limits, cache: CnfCache) -> Row:
    cnf, enc, note = cache.get(spec, inst, limits)
    if cnf is None:
        answer, why = _unanswered(enc)
        return _row(inst, spec, answer, enc.seconds,
                    "encode: " + (why or f"not done in {limits.timeout:g} s"))
    if spec.sat_solver == "cadical":  # the child stops itself (SIGALRM) at the limit
        o = run_limited(spec.command("", cnf=cnf, timeout=limits.timeout), limits,
                        wall=2 * limits.timeout + 10)
        m = re.search(r"@@SAT_SECONDS (\S+)", o.stdout)
        if o.returncode == -signal.SIGALRM:
            return _row(inst, spec, "timeout", limits.timeout, note)
        if o.timed_out:
            return _row(inst, spec, "timeout", o.seconds, note + "; killed while loading the CNF")
        seconds = float(m.group(1)) if m else o.seconds
    else:
        o = run_limited(spec.command("", cnf=cnf, timeout=limits.timeout), limits)
        seconds = o.seconds
    if not o.timed_out and o.returncode in (10, 20):
        return _row(inst, spec, "sat" if o.returncode == 10 else "unsat", seconds, note)
    if o.returncode == 0 and not o.timed_out:
        return _row(inst, spec, "unknown", seconds, note)
    answer, why = _unanswered(o)
    return _row(inst, spec, answer, seconds, f"{note}; {why}" if why else note)


def run_one(spec: SolverSpec, inst: Instance, limits: Limits, cache: Optional[CnfCache] = None) -> Row:
    """Run ``spec`` on ``inst`` (a ``cache`` is needed for cnf solvers)."""
    if spec.kind == "cnf":
        if cache is None:
            with tempfile.TemporaryDirectory(prefix="eagersmt-bench-cnf-") as d:
                return _cnf_row(spec, inst, limits, CnfCache(d))
        return _cnf_row(spec, inst, limits, cache)
    return _smt_row(spec, inst, limits)


Callback = Callable[[SolverSpec, Instance], None]


def run_instance(inst: Instance, specs: Sequence[SolverSpec], limits: Limits,
                 on_start: Optional[Callback] = None) -> Iterator[Row]:
    """Every solver on ``inst``, one after the other (the CNF is shared, then removed)."""
    with tempfile.TemporaryDirectory(prefix="eagersmt-bench-cnf-") as d:
        cache = CnfCache(d)
        for spec in specs:
            if _STOP.is_set():
                return
            if on_start:
                on_start(spec, inst)
            yield run_one(spec, inst, limits, cache)


def run_all(instances: Sequence[Instance], specs: Sequence[SolverSpec], limits: Limits, *,
            jobs: int = 1, on_start: Optional[Callback] = None,
            on_done: Optional[Callable[[Row], None]] = None) -> list[Row]:
    """All (instance, solver) rows, in instance then solver order.  ``jobs`` > 1 runs that
    many instances at once (faster, but the timings then disturb each other)."""
    _STOP.clear()
    lock = threading.Lock()

    def one(inst: Instance) -> list[Row]:
        rows = []
        for row in run_instance(inst, specs, limits, on_start):
            if _STOP.is_set():  # killed by an interrupt: not a result
                break
            rows.append(row)
            if on_done:
                with lock:
                    on_done(row)
        return rows

    pool = ThreadPoolExecutor(max_workers=jobs) if jobs > 1 else None
    try:
        per = list(pool.map(one, instances)) if pool else [one(inst) for inst in instances]
    except BaseException:
        kill_all()
        raise
    finally:
        if pool:
            pool.shutdown(wait=True, cancel_futures=True)
    return [r for rows in per for r in rows]


__all__ = ["ANSWERS", "CnfCache", "Limits", "Outcome", "kill_all", "run_all", "run_instance",
           "run_limited", "run_one"]
