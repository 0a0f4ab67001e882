"""``eagersmt fuzz`` (differential campaign against Z3) and ``eagersmt fuzz-input`` (mutated files).

The logic lives in ``eagersmt/tools/fuzz``, imported inside the commands; this module
prints.  Exit codes of both: 0 nothing found; 5 at least one failure (a disagreement, a
failed model check, a crash; for ``fuzz-input`` also a traceback, a hang, an internal error
or an error without ``FILE:LINE:COL``); reproducers are written to ``--out``.  Tests inject a solver through
``ctx.obj["fuzz_solve"]`` (``CliRunner.invoke(main, args, obj=...)``).
"""

from __future__ import annotations

import sys
import time
from typing import Any, Optional

import click

from .errors import EXIT_WRONG
from .options import Seconds


def _run_options(count: str, dest: str, what: str, out: str, timeout_help: str,
                 progress_note: str = "") -> Any:
    """The options both campaigns share: how many runs, seed, first index, output folder,
    time limit, progress lines."""
    options = [
        click.option(count, dest, type=click.IntRange(min=1), default=1000, show_default=True,
                     help=f"Number of {what}s to run."),
        click.option("--seed", type=int, default=0, show_default=True,
                     help=f"Campaign seed: {what} i is a function of (seed, i) alone."),
        click.option("--first", type=click.IntRange(min=0), default=0, show_default=True,
                     help=f"Index of the first {what} (to resume, split, or rerun one)."),
        click.option("--out", type=click.Path(file_okay=False), default=out, show_default=True,
                     help="Directory for the reproducers of failures (created on a finding)."),
        click.option("--timeout", type=Seconds(required=True), default=10.0, metavar="SECONDS",
                     show_default=True, help=timeout_help),
        click.option("--progress-every", type=click.IntRange(min=0), default=0, show_default=True,
                     help=f"Print a progress line on stderr every N {what}s{progress_note}."),
    ]

    def decorate(f: Any) -> Any:
        for option in reversed(options):
            f = option(f)
        return f
    return decorate


@click.command("fuzz")
@_run_options("--cases", "cases", "case", "fuzz-findings",
              "Seconds per solve for Z3 and the forked back ends (kissat, portfolio, cubed).",
              " (0: a bar when stderr is a terminal)")
@click.option("--rotate", type=click.IntRange(min=0), default=2, show_default=True,
              help="Rotating combinations (other back ends, cubed runs) per case, on top of "
                   "the in-process ones; more than there are means all of them.")
@click.option("--family", type=click.Choice(("difference", "integers")), default="difference",
              show_default=True,
              help="difference: difference-logic scripts (every encoding runs); integers: "
                   "QF_LIA / QF_UFLIA / QF_UFIDL / QF_UF scripts (linear sums, div/mod/abs, "
                   "ite, distinct, functions, push/pop), one in-process run each.")
@click.option("--shape", "shapes", multiple=True, metavar="SHAPE",
              type=click.Choice(("jobshop", "boolean", "let", "huge", "components", "equalities",
                                 "macros", "linear", "pb", "capacity", "uf", "incremental",
                                 "euf")),
              help="Only these shapes, round robin (default: all of the family's).  "
                   "difference: jobshop, boolean, let, huge, components, equalities, macros; "
                   "integers: linear, pb, capacity, uf, incremental, euf.")
@click.option("--max-saved", type=click.IntRange(min=1), default=3, show_default=True,
              help="Reproducers minimized and saved per distinct bug (the rest are counted).")
@click.option("--certify", is_flag=True,
              help="Also solve every case Z3 calls unsat with --proof and check its "
                   "certificate (check-proof's code); a rejected one is a finding.")
@click.option("--tally", type=click.Path(dir_okay=False), default=None,
              help="Resumable run: start after the last case this file records (same seed, "
                   "family, shapes), run until --cases cases in all, and append a JSON line "
                   "of running totals every --progress-every cases (default 1000).")
@click.pass_context
def fuzz_cmd(ctx: click.Context, cases: int, seed: int, out: str, timeout: float, rotate: int,
             first: int, family: str, shapes: tuple[str, ...], max_saved: int,
             progress_every: int, certify: bool, tally: Optional[str]) -> None:
    """Differential campaign: random scripts through every encoding x back end
    x (monolithic, cubed), against Z3; disagreements are minimized into --out.

    Schedule: every difference-logic case runs every encoding on in-process CaDiCaL, and Z3;
    the other combinations (the other back ends; cubed on every back end) rotate, --rotate
    of them per case.  An integer case (--family integers) runs once in process, and the
    other back ends rotate.  Exit code: 0 no finding, 5 a disagreement or failure.
    """
    from ..tools.fuzz.campaign import INTEGER_SHAPES, Campaign

    obj = ctx.find_object(dict) or {}
    if not shapes and family == "integers":
        shapes = INTEGER_SHAPES
    def campaign_of() -> Any:
        return Campaign(seed, out=out, timeout=timeout, rotate=rotate,
                        solve=obj.get("fuzz_solve"), max_saved=max_saved,
                        shapes=shapes or None, certify=certify)
    if tally is not None:
        _tallied(campaign_of, tally, {"seed": seed, "family": family, "shapes": list(shapes),
                                      "rotate": rotate, "certify": certify}, cases, first,
                 progress_every or 1000)
        return
    campaign = campaign_of()
    t0 = time.perf_counter()
    if progress_every:
        def progress(rep: Any) -> None:
            click.echo(f"fuzz: {rep.cases}/{cases} cases, {rep.seconds:.0f} s, "
                       f"{len(rep.failures)} findings saved, bugs {dict(rep.bugs) or 0}", err=True)
        report = campaign.run(cases, first=first, progress=progress, progress_every=progress_every)
    elif sys.stderr.isatty():
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("fuzzing", total=cases)
            report = campaign.run(cases, first=first,
                                  progress=lambda rep: bar.update(task, completed=rep.cases),
                                  progress_every=10)
    else:
        report = campaign.run(cases, first=first)
    _print_campaign(report, time.perf_counter() - t0, first)
    if report.failed:
        sys.exit(EXIT_WRONG)


def _tallied(campaign_of: Any, path: str, key: dict, cases: int, first: int, chunk: int) -> None:
    """``fuzz --tally``: chunks of ``chunk`` cases, each a fresh ``Campaign``, running totals
    appended to ``path`` as JSON lines after each; resumes after the file's last line."""
    import json
    import os
    from collections import Counter

    from ..tools.fuzz.campaign import FAILING

    last: dict = {}
    if os.path.exists(path):
        with open(path) as fh:
            lines = [ln for ln in fh if ln.strip()]
        if lines:
            last = json.loads(lines[-1])
            if {k: last.get(k) for k in key} != key:
                raise click.UsageError(f"{path} records another campaign: "
                                       f"{ {k: last.get(k) for k in key} }")
    done = last.get("cases", 0)
    nxt = last.get("next", first)
    bugs, oracle = Counter(last.get("bugs", {})), Counter(last.get("oracle", {}))
    shapes, logics = Counter(last.get("shapes_run", {})), Counter(last.get("logics", {}))
    seconds, cpu0 = last.get("seconds", 0.0), _cpu_seconds() - last.get("cpu_seconds", 0.0)
    models = last.get("models_checked", 0)
    certificates = Counter(last.get("certificates", {}))
    while done < cases:
        n = min(chunk, cases - done)
        t0 = time.perf_counter()
        rep = campaign_of().run(n, first=nxt)
        seconds += time.perf_counter() - t0
        done, nxt = done + n, nxt + n
        bugs.update(rep.bugs)
        oracle.update(rep.oracle)
        shapes.update(rep.shapes)
        logics.update(rep.logics)
        models += rep.models_checked
        certificates.update(rep.certificates)
        failing = sum(v for k, v in bugs.items() if k.split(":")[0] in FAILING)
        row = {**key, "cases": done, "next": nxt, "disagreements_and_failures": failing,
               "bugs": dict(bugs), "oracle": dict(oracle), "shapes_run": dict(shapes),
               "logics": dict(logics), "models_checked": models,
               "certificates": dict(certificates),
               "seconds": round(seconds, 1), "cpu_seconds": round(_cpu_seconds() - cpu0, 1),
               "cases_per_second": round(done / max(seconds, 1e-9), 2),
               "findings": [f.path for f in rep.findings if f.path]}
        with open(path, "a") as fh:
            fh.write(json.dumps(row) + "\n")
        click.echo(f"fuzz: {done}/{cases} cases, {failing} disagreements and failures, "
                   f"{row['cases_per_second']} cases/s", err=True)
    if any(k.split(":")[0] in FAILING for k in bugs):
        sys.exit(EXIT_WRONG)


def _print_campaign(rep: Any, seconds: float, first: int) -> None:
    from rich.table import Table

    from ..tools.fuzz.campaign import FAILING

    con = _console()
    nfail = sum(v for k, v in rep.bugs.items() if k.split(":")[0] in FAILING)
    con.print(f"eagersmt fuzz: seed {rep.seed}, cases {first}..{first + rep.cases - 1} "
              f"({rep.cases}), {seconds:.1f} s ({1000 * seconds / max(1, rep.cases):.1f} ms a case); "
              f"CPU {_cpu_seconds():.1f} s (this process and its children)")
    con.print("shapes: " + ", ".join(f"{k} {v}" for k, v in sorted(rep.shapes.items())))
    con.print("logics: " + ", ".join(f"{k} {v}" for k, v in sorted(rep.logics.items())))
    con.print("Z3: " + ", ".join(f"{k} {v}" for k, v in sorted(rep.oracle.items()))
              + f"  ({rep.z3_seconds:.1f} s); sat models re-checked by Z3: {rep.models_checked}")
    if rep.cube_levels:
        con.print("cube levels: " + ", ".join(f"{k} {v}" for k, v in sorted(rep.cube_levels.items())))
    if rep.certificates:
        con.print("certificates checked: " + ", ".join(f"{k} {v}" for k, v in
                                                        sorted(rep.certificates.items())))
    if rep.sharing:
        con.print("clause sharing: " + ", ".join(f"{k} {v}" for k, v in sorted(rep.sharing.items())))
    table = Table(title="per combination (encoding/back end/mode)")
    for col in ("combination", "runs", "sat", "unsat", "unknown", "failures", "ms/run"):
        table.add_column(col, justify="left" if col == "combination" else "right")
    for name, st in rep.combos.items():
        if not st.runs:
            continue
        table.add_row(name, str(st.runs), *(str(st.answers[k]) for k in ("sat", "unsat", "unknown")),
                      str(st.failures), f"{1000 * st.seconds / max(1, st.runs):.1f}")
    con.print(table)
    slow = sum(v for k, v in rep.bugs.items() if k.startswith("slow"))
    con.print(f"disagreements and failures: {nfail}" + (f"; slow cases: {slow}" if slow else ""))
    for bug, n in rep.bugs.most_common():
        con.print(f"  {n} x {bug}")
    for f in rep.findings:
        where = f.path or "(not saved)"
        size = f", minimized to {f.minimized_chars} chars" if f.minimized_chars is not None else ""
        con.print(f"  case {f.case.index} {f.combo}: {f.kind}: {f.detail}{size} -> {where}")


@click.command("fuzz-input")
@click.argument("seed_files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@_run_options("--mutations", "count", "mutant", "fuzz-input-findings",
              "--timeout of each solve (the watchdog calls a run a hang after 3x + 10 s).")
@click.option("--subprocess", "subprocess_every", type=click.IntRange(min=0), default=50,
              show_default=True,
              help="Also run every Nth mutant through a real 'python -m eagersmt.cli.main' (0: none).")
@click.option("--max-seed-bytes", type=click.IntRange(min=1), default=9000, show_default=True,
              help="Default seed files: shared benchmarks up to this size, plus the bundled example.")
@click.pass_context
def fuzz_input_cmd(ctx: click.Context, seed_files: tuple[str, ...], count: int, seed: int,
                   out: str, timeout: float, subprocess_every: int, first: int,
                   max_seed_bytes: int, progress_every: int) -> None:
    """Mutate valid SMT-LIB files (SEED_FILES, default: small shared benchmarks and
    examples/jobshop_3x3.smt2) and run each mutant through 'eagersmt solve' in process.

    Every run must end in a correct answer (checked against Z3 when Z3 reads the mutant)
    or 'error: FILE:LINE:COL: ...' with exit 1: never a traceback, an internal error, a
    hang.  Exit code: 0 all runs passed, 5 a failure (mutants saved in --out).
    """
    from pathlib import Path

    from ..tools.fuzz.inputs import InputFuzz, default_seed_files

    obj = ctx.find_object(dict) or {}
    seeds = [Path(p) for p in seed_files] or default_seed_files(max_seed_bytes)
    if not seeds:
        raise click.UsageError("no seed files given and none found (set EAGERSMT_SHARED)")
    fz = InputFuzz(seed, seeds, obj.get("fuzz_input_run", run_solve_in_process), out=out,
                   timeout=timeout, subprocess_run=run_solve_subprocess,
                   subprocess_every=subprocess_every)
    def progress(rep: Any) -> None:
        click.echo(f"fuzz-input: {rep.mutants}/{count} mutants, {rep.seconds:.0f} s, "
                   f"{len(rep.findings)} failures", err=True)
    t0 = time.perf_counter()
    report = fz.run(count, first=first, progress=progress if progress_every else None,
                    progress_every=progress_every or 100)
    _print_inputs(report, seeds, time.perf_counter() - t0, first)
    if report.failed:
        sys.exit(EXIT_WRONG)


def run_solve_in_process(path: str, timeout: float) -> Any:
    """``eagersmt solve PATH --timeout T`` through click's test runner (same code, no process)."""
    import traceback

    from click.testing import CliRunner

    from ..tools.fuzz.inputs import Run
    from .solve import solve_cmd

    t = time.perf_counter()
    res = CliRunner().invoke(solve_cmd, [path, "--timeout", str(timeout), "--quiet",
                                    "--no-memo"], catch_exceptions=True)
    tb = None
    exc = res.exception if not isinstance(res.exception, SystemExit) else None
    if exc is not None and res.exc_info is not None:
        tb = "".join(traceback.format_exception(*res.exc_info))
    return Run(res.exit_code, res.stdout, res.stderr, time.perf_counter() - t, exc, tb)


def run_solve_subprocess(path: str, timeout: float) -> Any:
    """``python -m eagersmt.cli.main solve PATH --timeout T --no-memo`` as a real process."""
    import subprocess

    from ..tools.fuzz.oracle import CaseTimeout
    from ..tools.fuzz.inputs import Run

    t = time.perf_counter()
    cmd = [sys.executable, "-m", "eagersmt.cli.main", "solve", path, "--timeout", str(timeout),
           "--no-memo"]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=3 * timeout + 10)
    except subprocess.TimeoutExpired:
        return Run(-1, "", "", time.perf_counter() - t, CaseTimeout("subprocess timed out"))
    return Run(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"),
               time.perf_counter() - t)


def _print_inputs(rep: Any, seeds: list, seconds: float, first: int) -> None:
    from rich.table import Table

    from ..tools.fuzz.inputs import FAILING, OK

    con = _console()
    con.print(f"eagersmt fuzz-input: seed {rep.seed}, mutants {first}..{first + rep.mutants - 1} "
              f"({rep.mutants}) of {len(seeds)} seed files, {seconds:.1f} s "
              f"({1000 * seconds / max(1, rep.mutants):.0f} ms a mutant, slowest {rep.max_seconds:.1f} s)")
    con.print("outcomes: " + ", ".join(f"{k} {rep.outcomes[k]}" for k in OK + FAILING if rep.outcomes[k]))
    if rep.subprocess_outcomes:
        n = sum(rep.subprocess_outcomes.values())
        con.print(f"subprocess sample: {n} runs, " + ", ".join(
            f"{k} {v}" for k, v in sorted(rep.subprocess_outcomes.items()))
            + f"; same verdict as in process: {rep.subprocess_agree}/{n}")
    table = Table(title="per mutation")
    cols = [k for k in OK + FAILING if any(c[k] for c in rep.by_mutation.values())]
    table.add_column("mutation")
    for k in cols:
        table.add_column(k, justify="right")
    for m, c in sorted(rep.by_mutation.items()):
        table.add_row(m, *(str(c[k]) for k in cols))
    con.print(table)
    con.print(f"failures: {len(rep.findings)}")
    for f in rep.findings[:50]:
        con.print(f"  mutant {f.index} ({f.via}; {', '.join(f.mutations)} of {f.seed_file}): "
                  f"{f.verdict.outcome}: {f.verdict.detail} -> {f.path or '(not saved)'}")


def _cpu_seconds() -> float:
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _console() -> Any:
    from rich.console import Console

    con = Console(highlight=False, soft_wrap=True)
    return con if con.is_terminal else Console(highlight=False, soft_wrap=True, width=160)


def add_commands(group: click.Group) -> None:
    """Register ``fuzz`` and ``fuzz-input`` on the ``eagersmt`` group."""
    group.add_command(fuzz_cmd)
    group.add_command(fuzz_input_cmd)
