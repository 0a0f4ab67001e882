"""Input fuzzing: mutated files through the ``solve`` command; every outcome is judged.

Mutant ``i`` of a run with ``seed`` is ``mutate.mutate`` applied to a seed file picked by
``random.Random(f"{seed}/input/{i}")``: small valid files (the shared benchmarks up to
9 KB and ``examples/jobshop_3x3.smt2`` by default).  Each mutant is written to a file and
run by a ``RunFn`` -- the CLI provides one that invokes ``eagersmt solve FILE --timeout T``
in process (click's ``CliRunner``: no process start) and one through a real subprocess (an
interpreter start each, so for a sample) -- under a watchdog (``hang_after``, default ``3 T + 10`` s).  Verdicts:

* ``answer-checked``: exit 0, and the answers equal Z3's on the mutated text (Z3 read it
  cleanly: no ``(error ...)`` but harmless ones -- a wrong ``:status``, no model to show, a
  bad ``set-info`` / ``set-option`` / ``get-*`` --, no ``unsupported``; ``unknown`` on
  either side matches anything; CRs and Unicode white space normalized for Z3, which ends
  comments at LF only and rejects what eagersmt skips as white space);
* ``answer-unchecked``: exit 0 but Z3 rejects the text or times out (kept for review);
* ``error``: exit 1 with ``error: FILE:LINE:COL: message`` on stderr and no traceback;
* failures: ``wrong-answer`` (exit 0, Z3 answers differently), ``traceback``, ``hang``,
  ``internal-error`` (exit 70), ``error-format`` (exit 1 without ``FILE:LINE:COL``),
  ``exit-code`` (anything else), ``accepted-invalid-utf8``.

Failing mutants are written to ``out`` (bytes, plus a ``.txt`` with the command's output);
so are the first ``review`` unchecked answers, under ``out/review``.
"""

from __future__ import annotations

import os
import random
import re
import tempfile
import time
from collections import Counter
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from .mutate import mutate
from .oracle import CaseTimeout, Report, watchdog, z3_script_answers

OK = ("answer-checked", "answer-unchecked", "error")
FAILING = ("wrong-answer", "traceback", "hang", "internal-error", "error-format", "exit-code",
           "accepted-invalid-utf8")


@dataclass
class Run:
    """What one ``solve`` run did."""

    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    exception: Optional[BaseException] = None  # raised out of the command (in process)
    traceback: Optional[str] = None


RunFn = Callable[[str, float], Run]


@dataclass
class Verdict:
    outcome: str  # one of OK or FAILING
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in OK


@dataclass
class InputFinding:
    index: int
    seed_file: str
    mutations: list[str]
    verdict: Verdict
    path: Optional[str] = None
    via: str = "in-process"


@dataclass
class InputReport(Report):
    findings: list[InputFinding] = field(default_factory=list)  # failures (all of them)
    mutants: int = 0
    outcomes: Counter = field(default_factory=Counter)
    by_mutation: dict[str, Counter] = field(default_factory=dict)
    subprocess_outcomes: Counter = field(default_factory=Counter)
    subprocess_agree: int = 0  # subprocess verdict == in-process verdict
    review: list[InputFinding] = field(default_factory=list)  # unchecked answers (saved ones)
    max_seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return bool(self.findings)


def default_seed_files(max_bytes: int = 9000, max_z3_seconds: float = 0.5) -> list[Path]:
    """``examples/*.smt2`` of the repository and the shared benchmarks of at most
    ``max_bytes`` that the manifest says Z3 decides within ``max_z3_seconds`` (the judge
    runs Z3 on every answered mutant: a seed must be cheap to judge)."""
    import csv

    repo = Path(__file__).resolve().parents[3]
    shared = Path(os.environ.get("EAGERSMT_SHARED", repo.parent / "shared"))
    out = [p for p in [repo / "examples" / "jobshop_3x3.smt2"] if p.exists()]
    bench = shared / "benchmarks"
    manifest = bench / "MANIFEST.tsv"
    if manifest.is_file():
        with open(manifest, newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        quick = []
        for r in rows:
            try:
                seconds = float(r.get("z3_s") or "inf")
            except ValueError:  # ("timeout", "-", "error")
                continue
            p = bench / r["path"]
            if seconds <= max_z3_seconds and p.is_file() and p.stat().st_size <= max_bytes:
                quick.append(p)
        out += sorted(quick)
    return out


_ERROR_LINE = re.compile(r"^error: (?P<file>.+?):(?P<line>\d+):(?P<col>\d+): \S", re.M)
_ANSWER = ("sat", "unsat", "unknown")
_CHANNEL = re.compile(r'\(\s*set-option\s+:regular-output-channel\s+"(?:[^"]|"")*"\s*\)')


def judge(run: Run, data: bytes, path: str, z3_timeout: float = 5.0) -> Verdict:
    """The verdict on one run of ``solve`` over the mutant ``data`` written at ``path``."""
    if isinstance(run.exception, CaseTimeout):
        return Verdict("hang", f"no answer after {run.seconds:.1f} s")
    if run.traceback or "Traceback (most recent call last)" in run.stderr:
        tb = run.traceback or run.stderr
        return Verdict("traceback", tb.strip().splitlines()[-1][:300])
    if run.exit_code == 0:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return Verdict("accepted-invalid-utf8", "exit 0 on a file that is not UTF-8")
        ours = [ln for ln in run.stdout.splitlines() if ln in _ANSWER]
        # Z3 ends a comment at LF only; SMT-LIB (and eagersmt) also at CR.  Z3 rejects Unicode
        # white space that eagersmt skips: ask Z3 again about the text with it normalized.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        # eagersmt answers on stdout whatever :regular-output-channel says; Z3 obeys it.
        text = _CHANNEL.sub("", text)
        theirs, problems = z3_script_answers(text, z3_timeout)
        clean = all(_harmless(p, text) for p in problems)
        if not clean:
            spaced = "".join(" " if c.isspace() and c not in " \t\n" else c for c in text)
            if spaced != text:
                theirs, problems = z3_script_answers(spaced, z3_timeout)
                clean = all(_harmless(p, spaced) for p in problems)
        if not clean:
            same = "agree" if ours == theirs else "differ"
            return Verdict("answer-unchecked", f"Z3 rejects part of the text (answers {same}: "
                                               f"eagersmt {' '.join(ours)}; Z3 {' '.join(theirs)})")
        if len(ours) != len(theirs) or any(
                a != b and "unknown" not in (a, b) for a, b in zip(ours, theirs)):
            return Verdict("wrong-answer", f"eagersmt {' '.join(ours)}; Z3 {' '.join(theirs)}")
        if "unknown" in ours or "unknown" in theirs:
            return Verdict("answer-unchecked", f"unknown: eagersmt {' '.join(ours)}; Z3 {' '.join(theirs)}")
        return Verdict("answer-checked", " ".join(ours))
    if run.exit_code == 1:
        m = _ERROR_LINE.search(run.stderr)
        if m is None or m.group("file") != path:
            last = run.stderr.strip().splitlines()[-1:] or [""]
            return Verdict("error-format", last[0][:300])
        return Verdict("error", run.stderr[m.start():].splitlines()[0][len("error: ") + len(path) + 1:][:200])
    if run.exit_code == 70:  # (cli/errors.py: internal error)
        return Verdict("internal-error", run.stderr.strip()[:300])
    return Verdict("exit-code", f"exit {run.exit_code}: {run.stderr.strip()[:300]}")


_Z3_WHERE = re.compile(r"line (\d+) column (\d+)")
_NO_ANSWER_CHANGE = ("set-info", "set-option", "get-model", "get-value", "get-info", "echo",
                     "get-assignment", "get-option")


def _harmless(problem: str, text: str) -> bool:
    """Whether a Z3 complaint leaves the answers comparable: a wrong ``:status`` annotation, no
    model to show, or an error inside a command that does not change any answer."""
    if "check annotation that says" in problem or "model is not available" in problem:
        return True
    m = _Z3_WHERE.search(problem)
    if m is None:
        return False
    lines = text.split("\n")
    row = int(m.group(1)) - 1
    if not 0 <= row < len(lines):
        return False
    before = lines[row][: int(m.group(2))]
    cmd = re.findall(r"\(\s*([a-z-]+)", before)
    return bool(cmd) and cmd[0] in _NO_ANSWER_CHANGE and before.lstrip().startswith("(")


@dataclass
class InputFuzz:
    """Mutants ``first .. first+n-1`` of ``seed`` made from the files ``seeds``, each run by
    ``run`` (every ``subprocess_every``-th also by ``subprocess_run``) with ``timeout``, a
    hang after ``hang_after`` (default ``3 timeout + 10`` s); failures and the first
    ``review`` unchecked answers are written to ``out``."""

    seed: int
    seeds: Sequence[Path]
    run_fn: RunFn
    _: KW_ONLY
    out: Optional[str] = None
    timeout: float = 10.0
    z3_timeout: float = 5.0
    subprocess_run: Optional[RunFn] = None
    subprocess_every: int = 0
    review: int = 30
    hang_after: Optional[float] = None

    def __post_init__(self) -> None:
        if not self.seeds:
            raise ValueError("no seed files")
        self.texts = [(str(p), Path(p).read_bytes()) for p in self.seeds]
        if self.hang_after is None:
            self.hang_after = 3 * self.timeout + 10
        self.report = InputReport(self.seed)

    def mutant(self, index: int) -> tuple[str, list[str], bytes]:
        rng = random.Random(f"{self.seed}/input/{index}")
        name, data = rng.choice(self.texts)
        mutations, data = mutate(rng, data)
        return name, mutations, data

    def run(self, n: int, *, first: int = 0,
            progress: Optional[Callable[[InputReport], None]] = None,
            progress_every: int = 100) -> InputReport:
        rep = self.report
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="eagersmt-fuzz-input-") as tmp:
            path = os.path.join(tmp, "mutant.smt2")
            for i in range(first, first + n):
                seed_file, mutations, data = self.mutant(i)
                with open(path, "wb") as f:
                    f.write(data)
                verdict, seconds = self._one(self.run_fn, path, data)
                rep.max_seconds = max(rep.max_seconds, seconds)
                rep.mutants += 1
                rep.outcomes[verdict.outcome] += 1
                for m in mutations:
                    rep.by_mutation.setdefault(m, Counter())[verdict.outcome] += 1
                self._keep(InputFinding(i, seed_file, mutations, verdict), data)
                if self.subprocess_run is not None and self.subprocess_every and \
                        (i - first) % self.subprocess_every == 0:
                    sv, _ = self._one(self.subprocess_run, path, data)
                    rep.subprocess_outcomes[sv.outcome] += 1
                    rep.subprocess_agree += sv.outcome == verdict.outcome
                    self._keep(InputFinding(i, seed_file, mutations, sv, via="subprocess"), data)
                rep.seconds = time.perf_counter() - t0
                if progress is not None and rep.mutants % progress_every == 0:
                    progress(rep)
        rep.seconds = time.perf_counter() - t0
        return rep

    def _one(self, fn: RunFn, path: str, data: bytes) -> tuple[Verdict, float]:
        t = time.perf_counter()
        try:
            with watchdog(self.hang_after):
                run = fn(path, self.timeout)
        except CaseTimeout as e:
            run = Run(-1, "", "", time.perf_counter() - t, exception=e)
        seconds = time.perf_counter() - t
        return judge(run, data, path, self.z3_timeout), seconds

    def _keep(self, f: InputFinding, data: bytes) -> None:
        rep = self.report
        if f.verdict.ok and not (f.verdict.outcome == "answer-unchecked"
                                 and len(rep.review) < self.review and f.via == "in-process"):
            return
        (rep.review if f.verdict.ok else rep.findings).append(f)
        if self.out is None:
            return
        folder = self.out if not f.verdict.ok else os.path.join(self.out, "review")
        os.makedirs(folder, exist_ok=True)
        base = os.path.join(folder, f"input-{f.verdict.outcome}-s{self.seed}-m{f.index}")
        with open(base + ".smt2", "wb") as fh:
            fh.write(data)
        with open(base + ".txt", "w") as fh:
            fh.write(f"eagersmt fuzz-input: seed {self.seed}, mutant {f.index} ({f.via})\n"
                     f"seed file: {f.seed_file}\nmutations: {', '.join(f.mutations)}\n"
                     f"verdict: {f.verdict.outcome}: {f.verdict.detail}\n"
                     f"run: eagersmt solve {base}.smt2 --timeout {self.timeout:g}\n")
        f.path = base + ".smt2"
