"""The differential campaign: generated scripts, every configuration of eagersmt, Z3 as referee.

Schedule (per case ``i`` of a campaign; ``Combo`` = encoding × back end × mode; the names
come from ``eagersmt.config``'s registries):

* always: every encoding on CaDiCaL *in process* (``CadicalBackend(in_process=True)``,
  swapped into the back-end registry for the call: far cheaper than a forked child), plus
  Z3 (in process).
* rotating: the other combinations -- the other back ends monolithic, and every back end
  cubed (``cubes=4``, ``jobs=2``) -- ``rotate`` of them per case (default 2), in a fixed
  cycle: case ``i`` runs ``ROTATING[(i*rotate + j) % len(ROTATING)]`` for ``j < rotate``.
  With today's 25 rotating combinations the cycle (25 cases) and the shape cycle (7) are
  coprime, so every combination meets every shape.  Cubed runs rotate ``cube_level``
  (``config.CUBE_LEVELS``) with the case index, and clause sharing (``SHARING``: cubes
  sharing, cubes not sharing, the clause-sharing strategy ``--cubes sharing``) every
  ``len(CUBE_LEVELS)`` cases.  (Cubed with the portfolio back end conquers with CaDiCaL:
  that is what the engine does; Kissat's cube workers cannot share.)

With ``certify``, every case Z3 calls unsat is also solved with ``--proof`` (``CERTIFY``:
in-process CaDiCaL writing DRAT) and its certificate checked by ``check-proof``'s code
(``check/proof.py``); a certificate it rejects is a ``bad-certificate`` finding.

Every answer is compared with Z3's; ``unknown`` on either side is a skip, not an agreement.
Every ``sat`` model is evaluated again by Z3 (``z3_model_ok``), independently of eagersmt's
own check (which raises ``InternalError``).  Findings: ``wrong-answer``, ``model-check``
(eagersmt's check caught its own wrong model), ``bad-model`` (Z3 refutes a checked model),
``crash`` (any other exception), ``rejected`` (``InputError`` on a script Z3 reads),
``bad-certificate``,
``slow`` (past the per-case limit; reported, does not fail the campaign).  The first
``max_saved`` findings of each distinct bug (kind + exception type / answers) are
minimized (``minimize.py``) and written to ``out`` with a header saying how to reproduce;
the rest are counted.

The solver is injectable (``solve=``) so tests can plant a wrong one; libraries return,
``CampaignReport`` is what the CLI prints.  Cost: a few solves a case, most of it process
start-up of the rotating forked back ends and cube workers; the recorded runs are in
``benchmarks/RESULTS.md`` ("Fuzzing").
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import time
from collections import Counter
from dataclasses import KW_ONLY, dataclass, field
from typing import Callable, Iterator, Optional

from ... import config
from .generate import SHAPES, Case, generate
from .integers import INTEGER_SHAPES, generate_integer
from .minimize import minimize
from .oracle import (CaseTimeout, Report, Z3Rejects, watchdog, z3_model_ok, z3_script_answers,
                     z3_status)

ENCODINGS = tuple(sorted(config.ENCODINGS, key=lambda e: e == "auto"))  # auto last
SCRIPT_SHAPES = ("incremental",)  # several check-sats: every answer compared (``check_script``)
BACKENDS = config.BACKENDS
FAILING = ("wrong-answer", "model-check", "bad-model", "crash", "rejected", "bad-certificate")


@dataclass(frozen=True)
class Combo:
    encoding: str
    backend: str
    cubed: bool = False
    sharing: str = "share"  # cubed runs: one of SHARING (set per case, ``sharing_mode``)
    proof: bool = False  # solved with ``--proof``, the certificate checked (``certify``)

    def __str__(self) -> str:
        mode = "proof" if self.proof else "cubed" if self.cubed else "mono"
        return f"{self.encoding}/{self.backend}/{mode}"

    def cli_options(self, cube_level: str = "smt") -> str:
        opts = f"--encoding {self.encoding} --backend {self.backend}"
        if self.proof:
            return opts + " --proof CERT_DIR (then: eagersmt check-proof CERT_DIR THIS_FILE)"
        if self.cubed and self.sharing == "sharing":
            opts += " --cubes sharing --jobs 2"
        elif self.cubed:
            opts += f" --cubes 4 --jobs 2 --cube-level {cube_level}"
            opts += " --share off" if self.sharing == "no-share" else " --share on"
        return opts


# Cubed runs rotate clause sharing: cubes with sharing, cubes without, and the
# clause-sharing strategy (every worker on the whole problem), changing every len(CUBE_LEVELS)
# cases so that each meets every cube level.
SHARING = ("share", "no-share", "sharing")


def sharing_mode(index: int) -> str:
    return SHARING[(index // len(config.CUBE_LEVELS)) % len(SHARING)]


ALWAYS = tuple(Combo(e, "cadical") for e in ENCODINGS)  # in process: see eagersmt_solve
ROTATING = tuple(Combo(e, b, c) for c in (False, True) for b in BACKENDS for e in ENCODINGS
                 if (b, c) != ("cadical", False))
ALL_COMBOS = ALWAYS + ROTATING
CERTIFY = Combo("auto", "cadical", proof=True)


# Integer cases (``integers.py``): the encoding option does not apply to linear formulas
# (``encode/linear.py`` is their one encoding), so one in-process run, and the other back
# ends and the cubed runs rotating.
INTEGER_ALWAYS = (Combo("auto", "cadical"),)
INTEGER_ROTATING = tuple(Combo("auto", b, c) for c in (False, True) for b in BACKENDS
                         if (b, c) != ("cadical", False))


def schedule(index: int, rotate: int = 2, *, integer: bool = False) -> list[Combo]:
    """The combinations case ``index`` runs (see the module doc); ``integer``: an integer
    case's."""
    always, rotating = (INTEGER_ALWAYS, INTEGER_ROTATING) if integer else (ALWAYS, ROTATING)
    n = len(rotating)
    return list(always) + [rotating[(index * rotate + j) % n] for j in range(min(rotate, n))]


def case(seed: int, index: int, shape: Optional[str] = None) -> Case:
    """Case ``index`` of the campaign with ``seed``: an integer shape's from ``integers.py``,
    else ``generate.py``'s (shape round robin over ``SHAPES`` unless given)."""
    if shape in INTEGER_SHAPES:
        return generate_integer(seed, index, shape)
    return generate(seed, index, shape)


def cube_level(index: int) -> str:
    """The split space of case ``index``'s cubed runs: every level in turn."""
    return config.CUBE_LEVELS[index % len(config.CUBE_LEVELS)]


# A solve function: (script text, combination, cube level, timeout) -> eagersmt Result.
SolveFn = Callable[[str, Combo, str, Optional[float]], object]


def eagersmt_solve(text: str, combo: Combo, level: str, timeout: Optional[float]) -> object:
    """eagersmt's answer on ``text`` with ``combo`` (the default ``SolveFn``)."""
    from ...api import solve_smtlib

    config, in_process = _config(combo, level, timeout)
    if not in_process:
        return solve_smtlib(text, config=config)
    with _in_process_cadical():
        return solve_smtlib(text, config=config)


def _config(combo: Combo, level: str, timeout: Optional[float]) -> tuple:
    """The ``Config`` of ``combo`` and whether it runs in process (CaDiCaL, not cubed)."""
    from ...config import Config

    in_process = combo.backend == "cadical" and not combo.cubed
    cubes = "none" if not combo.cubed else "sharing" if combo.sharing == "sharing" else "4"
    config = Config(encoding=combo.encoding, backend=combo.backend, cubes=cubes,
                    cube_level=level, jobs=2, share="off" if combo.sharing == "no-share" else "on",
                    timeout=None if in_process else timeout, quiet=True,
                    memo="off")  # every configuration solves: none answers from a record
    return config, in_process


def eagersmt_script(text: str, combo: Combo, level: str, timeout: Optional[float]) -> list[str]:
    """The lines eagersmt prints for the whole script ``text`` with ``combo`` (a session,
    as ``eagersmt solve`` runs one; in-process CaDiCaL for the in-process combination)."""
    from ...session import Session

    config, in_process = _config(combo, level, timeout)
    session = Session(config=config)
    try:
        if not in_process:
            return list(session.run_text(text))
        with _in_process_cadical():
            return list(session.run_text(text))
    finally:
        session.close()


@contextlib.contextmanager
def _in_process_cadical() -> Iterator[None]:
    from ...backends import BACKENDS as REGISTRY
    from ...backends.cadical import CadicalBackend

    class InProcess(CadicalBackend):
        def __init__(self) -> None:
            super().__init__(in_process=True)

    saved = REGISTRY["cadical"]
    REGISTRY.register(saved.replace(target=InProcess), replace=True)
    try:
        yield
    finally:
        REGISTRY.register(saved, replace=True)


@dataclass
class Finding:
    kind: str  # one of FAILING, or "slow"
    detail: str  # what was wrong, e.g. "eagersmt sat, Z3 unsat" or "OverflowError: ..."
    combo: Combo
    case: Case
    level: str = "smt"
    path: Optional[str] = None  # the saved (minimized) reproducer
    minimized_chars: Optional[int] = None
    checks: int = 0

    @property
    def bug(self) -> str:
        """What identifies the bug (findings with the same key are the same bug, probably)."""
        return f"{self.kind}: {_normalize(self.detail)}"


def _normalize(detail: str) -> str:
    return re.sub(r"\d+", "N", detail)[:100]


@dataclass
class ComboStats:
    runs: int = 0
    answers: Counter = field(default_factory=Counter)  # sat / unsat / unknown
    failures: int = 0
    seconds: float = 0.0


@dataclass
class CampaignReport(Report):
    findings: list[Finding] = field(default_factory=list)
    cases: int = 0
    shapes: Counter = field(default_factory=Counter)
    logics: Counter = field(default_factory=Counter)
    oracle: Counter = field(default_factory=Counter)  # Z3: sat / unsat / unknown / rejects
    combos: dict[str, ComboStats] = field(default_factory=dict)
    cube_levels: Counter = field(default_factory=Counter)
    sharing: Counter = field(default_factory=Counter)  # cubed runs per ``SHARING`` mode
    models_checked: int = 0  # sat models Z3 re-evaluated
    bugs: Counter = field(default_factory=Counter)  # Finding.bug -> occurrences
    z3_seconds: float = 0.0
    certificates: Counter = field(default_factory=Counter)  # ``certify``: verified

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.kind in FAILING]

    @property
    def failed(self) -> bool:
        return any(k.split(":")[0] in FAILING for k in self.bugs)


@dataclass
class Campaign:
    """Runs cases ``first .. first+cases-1`` of ``seed`` (see the module doc): ``timeout``
    per solve, ``case_limit`` per case (default ``6 timeout + 30`` s), findings minimized
    with at most ``minimize_checks`` candidates and written to ``out``."""

    seed: int
    _: KW_ONLY
    out: Optional[str] = None
    timeout: float = 10.0
    rotate: int = 2
    solve: Optional[SolveFn] = None  # default: eagersmt_solve
    max_saved: int = 3
    case_limit: Optional[float] = None
    minimize_checks: int = 400
    shapes: Optional[tuple[str, ...]] = None
    certify: bool = False  # unsat cases also with ``--proof``, certificates checked

    def __post_init__(self) -> None:
        self.solver: SolveFn = self.solve or eagersmt_solve
        if self.case_limit is None:
            self.case_limit = 6 * self.timeout + 30
        self.report = CampaignReport(self.seed)
        for c in ALL_COMBOS + INTEGER_ROTATING + (CERTIFY,):
            self.report.combos[str(c)] = ComboStats()

    def run(self, cases: int, *, first: int = 0,
            progress: Optional[Callable[[CampaignReport], None]] = None,
            progress_every: int = 100) -> CampaignReport:
        t0 = time.perf_counter()
        rep = self.report
        for i in range(first, first + cases):
            shape = None if self.shapes is None else self.shapes[i % len(self.shapes)]
            one = case(self.seed, i, shape)
            found: list[Finding] = []
            try:
                with watchdog(self.case_limit):
                    self.run_case(one, found)
            except CaseTimeout as e:
                found.append(Finding("slow", str(e), Combo("-", "-"), one))
            for f in found:  # outside the watchdog: minimizing takes its own time
                self._record(f, minimize_it=f.kind != "slow")
            rep.cases += 1
            rep.seconds = time.perf_counter() - t0
            if progress is not None and rep.cases % progress_every == 0:
                progress(rep)
        rep.seconds = time.perf_counter() - t0
        return rep

    # -- one case --------------------------------------------------------------------------
    def run_case(self, case: Case, found: list[Finding]) -> None:
        rep = self.report
        rep.shapes[case.shape] += 1
        rep.logics[case.logic] += 1
        script = case.shape in SCRIPT_SHAPES
        t = time.perf_counter()
        if script:
            expected, assertions = "script", []
        else:
            try:
                expected, assertions = z3_status(case.text, self.timeout)
            except Z3Rejects:
                expected, assertions = "rejects", []
        rep.z3_seconds += time.perf_counter() - t
        rep.oracle[expected] += 1
        level = cube_level(case.index)
        combos = schedule(case.index, self.rotate, integer=case.shape in INTEGER_SHAPES)
        if self.certify and expected == "unsat":
            combos.append(CERTIFY)
        for combo in combos:
            if combo.cubed:
                combo = dataclasses.replace(combo, sharing=sharing_mode(case.index))
            stats = rep.combos[str(combo)]
            t = time.perf_counter()
            if script:
                got, finding = self.check_script(case.text, combo, level)
            else:
                got, finding = self.check(case.text, combo, level, expected, assertions)
            stats.seconds += time.perf_counter() - t
            stats.runs += 1
            if combo.cubed:
                rep.cube_levels[level] += 1
                rep.sharing[combo.sharing] += 1
            for answer in got.split():
                if answer in ("sat", "unsat", "unknown"):
                    stats.answers[answer] += 1
            if got == "sat" and finding is None:
                rep.models_checked += 1
            if finding is not None:
                stats.failures += 1
                found.append(Finding(finding[0], finding[1], combo, case, level))

    def check_script(self, text: str, combo: Combo,
                     level: str = "smt") -> tuple[str, Optional[tuple[str, str]]]:
        """Run a whole script (several ``check-sat``s) with ``combo`` and compare each answer
        with Z3's: (the answers, space-separated, or "error"; a finding or None).  eagersmt
        checks each ``sat`` model on the assertions live at that point itself (an
        ``InternalError`` if one fails); an ``(error ...)`` line where Z3 reads the script is
        a ``rejected`` finding."""
        from ...errors import InternalError

        t = time.perf_counter()
        z3_answers, problems = z3_script_answers(text, self.timeout)
        self.report.z3_seconds += time.perf_counter() - t
        try:
            lines = eagersmt_script(text, combo, level, self.timeout)
        except InternalError as e:
            return "error", ("model-check", f"InternalError: {str(e)[:160]}")
        except CaseTimeout:
            raise
        except Exception as e:  # noqa: BLE001 -- any other exception is a crash to report
            return "error", ("crash", f"{type(e).__name__}: {str(e)[:160]}")
        errors = [ln for ln in lines if ln.startswith("(error")]
        if errors:
            if problems:
                return "error", None  # both complain: the generator's fault
            return "error", ("rejected", errors[0][:160])
        got = [ln for ln in lines if ln in ("sat", "unsat", "unknown")]
        if len(got) != len(z3_answers):
            return " ".join(got), ("wrong-answer", f"{len(got)} answers, Z3 {len(z3_answers)}")
        for k, (a, b) in enumerate(zip(got, z3_answers)):
            if a != b and "unknown" not in (a, b):
                return " ".join(got), ("wrong-answer", f"check-sat {k + 1}: eagersmt {a}, Z3 {b}")
        return " ".join(got), None

    def check(self, text: str, combo: Combo, level: str, expected: str,
              assertions: list) -> tuple[str, Optional[tuple[str, str]]]:
        """Run one combination: (its answer or "error", a (kind, detail) finding or None).
        ``CERTIFY``'s run checks its certificate first (a wrong ``unsat``'s rejection says
        where it is wrong)."""
        from ...check.certificate import CertificateError
        from ...errors import InputError, InternalError

        try:
            res = self.certified(text) if combo.proof else \
                self.solver(text, combo, level, self.timeout)
        except CertificateError as e:
            return "unsat", ("bad-certificate", str(e)[:160])
        except InternalError as e:
            return "error", ("model-check", f"InternalError: {str(e)[:160]}")
        except InputError as e:
            if expected == "rejects":
                return "error", None  # both refuse it: the generator's fault, not a finding
            return "error", ("rejected", f"{type(e).__name__}: {e.message[:160]}")
        except CaseTimeout:
            raise
        except Exception as e:  # noqa: BLE001 -- any other exception is a crash to report
            return "error", ("crash", f"{type(e).__name__}: {str(e)[:160]}")
        got = str(res.status)  # type: ignore[attr-defined]
        if got in ("sat", "unsat") and expected in ("sat", "unsat") and got != expected:
            return got, ("wrong-answer", f"eagersmt {got}, Z3 {expected}")
        if got == "sat" and assertions:
            try:
                ok = z3_model_ok(assertions, res.model)  # type: ignore[attr-defined]
            except Exception as e:  # noqa: BLE001 -- e.g. a model value of the wrong type
                return got, ("bad-model", f"Z3 cannot evaluate the model: {type(e).__name__}: {e}")
            if not ok:
                return got, ("bad-model", "Z3 evaluates an assertion to false under the model")
        return got, None

    def certified(self, text: str) -> object:
        """eagersmt's answer on ``text`` with ``--proof`` (``CERTIFY``); the certificate of
        an ``unsat`` answer checked (``CertificateError`` when it is rejected) and counted."""
        import tempfile

        from ...api import solve_file
        from ...check.proof import check_certificate
        from ...config import Config

        with tempfile.TemporaryDirectory(prefix="eagersmt-certify-") as d:
            path, cert = os.path.join(d, "case.smt2"), os.path.join(d, "cert")
            with open(path, "w") as fh:
                fh.write(text)
            res = solve_file(path, config=Config(proof=cert, timeout=self.timeout, quiet=True,
                                                 memo="off"))
            if str(res.status) == "unsat":
                check_certificate(cert, path)
                self.report.certificates["verified"] += 1
        return res

    def classify(self, text: str, combo: Combo, level: str, script: bool = False) -> Optional[str]:
        """The bug key of ``text`` under ``combo`` (None: no finding) -- the minimizer's test;
        ``script``: compare every answer (``check_script``)."""
        if script:
            _, finding = self.check_script(text, combo, level)
            if finding is None:
                return None
            return Finding(finding[0], finding[1], combo, Case(0, "", "", text), level).bug
        try:
            expected, assertions = z3_status(text, self.timeout)
        except Z3Rejects:
            return None  # a candidate Z3 cannot read is no reproducer
        if expected == "unknown":
            return None
        _, finding = self.check(text, combo, level, expected, assertions)
        if finding is None:
            return None
        return Finding(finding[0], finding[1], combo, Case(0, "", "", text), level).bug

    # -- findings --------------------------------------------------------------------------
    def _record(self, f: Finding, *, minimize_it: bool = True) -> None:
        rep = self.report
        rep.bugs[f.bug] += 1
        if rep.bugs[f.bug] > self.max_saved:
            return
        rep.findings.append(f)
        text = f.case.text
        if minimize_it:
            key = f.bug

            def still_fails(candidate: str) -> bool:
                try:
                    with watchdog(self.case_limit):
                        return self.classify(candidate, f.combo, f.level,
                                             f.case.shape in SCRIPT_SHAPES) == key
                except CaseTimeout:
                    return False

            text, f.checks = minimize(f.case.text, still_fails, max_checks=self.minimize_checks)
            f.minimized_chars = len(text)
        if self.out is not None:
            os.makedirs(self.out, exist_ok=True)
            slug = str(f.combo).replace("/", "-")
            base = os.path.join(self.out, f"{f.kind}-s{self.seed}-c{f.case.index}-{slug}")
            header = (f"; eagersmt fuzz reproducer: {f.kind}: {f.detail}\n"
                      f"; campaign seed {self.seed}, case {f.case.index} ({f.case.shape}, "
                      f"{f.case.logic}); combination {f.combo}\n"
                      + (f"; run: eagersmt fuzz --seed {self.seed} --first {f.case.index} --cases 1\n"
                         if f.kind == "slow" else
                         f"; run: eagersmt solve THIS_FILE {f.combo.cli_options(f.level)}\n"))
            if f.minimized_chars is not None:
                header += (f"; minimized from {len(f.case.text)} to {len(text)} characters "
                           f"({f.checks} candidate checks); original: {os.path.basename(base)}-orig.smt2\n")
                with open(base + "-orig.smt2", "w") as fh:
                    fh.write(f.case.text)
            with open(base + ".smt2", "w") as fh:
                fh.write(header + text)
            f.path = base + ".smt2"


def run_campaign(cases: int, seed: int, **options: object) -> CampaignReport:
    """``Campaign(seed, **options).run(cases)`` (options: see ``Campaign``)."""
    progress = options.pop("progress", None)
    first = options.pop("first", 0)
    return Campaign(seed, **options).run(cases, first=first, progress=progress)  # type: ignore[arg-type]


__all__ = ["ALL_COMBOS", "ALWAYS", "CERTIFY", "INTEGER_SHAPES", "Campaign", "CampaignReport", "Combo", "ComboStats", "Finding",
           "ROTATING", "SHAPES", "case", "eagersmt_solve", "run_campaign", "schedule"]
