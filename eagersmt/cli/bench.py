"""``eagersmt bench``: eagersmt configurations and peer solvers over a set of instances.

The command only gathers options, shows progress and prints; the work is in
``eagersmt.tools.bench`` (runner, report, plot, snapshot, parse_speed), imported inside the
command so that loading the CLI does not load it.  Registered on the ``eagersmt`` group in
``cli/commands.py``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Optional

import click

from .errors import EXIT_INTERRUPT, EXIT_WRONG
from .options import Seconds


def _instances(paths: tuple[str, ...], manifest: Optional[str], families: tuple[str, ...]) -> list:
    from ..tools.bench.instances import dedupe, from_manifest, from_paths

    fams = [x for f in families for x in f.split(",") if x]
    found = []
    try:
        if manifest:
            found += from_manifest(Path(manifest), fams)
        found += from_paths(paths, fams)
    except (OSError, ValueError) as e:
        raise click.UsageError(str(e)) from None
    return dedupe(found)


def _specs(names: tuple[str, ...], snapshots: Any) -> list:
    from ..tools.bench.solvers import DEFAULT_SOLVERS, parse_solver, unavailable

    specs = []
    for name in names or DEFAULT_SOLVERS:
        try:
            spec = snapshots.attach(parse_solver(name))
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--solver") from None
        why = unavailable(spec)
        if why:
            raise click.BadParameter(f"{spec.name}: {why}", param_hint="--solver")
        if spec.name in (s.name for s in specs):
            raise click.BadParameter(f"{spec.name} given twice", param_hint="--solver")
        specs.append(spec)
    return specs


def _parsers(names: tuple[str, ...], snapshots: Any) -> list:
    from ..tools.bench.parse_speed import PARSERS, parser_spec

    try:
        specs = [snapshots.attach(parser_spec(n)) for n in dict.fromkeys(names or PARSERS)]
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--solver") from None
    import importlib.util

    for spec in specs:
        if spec.argv[0] != "eagersmt" and importlib.util.find_spec(spec.argv[0]) is None:
            raise click.BadParameter(f"{spec.name}: the {spec.argv[0]} module is not installed",
                                     param_hint="--solver")
    return specs


class _Display:
    """A rich progress bar on a terminal, else one plain line per finished run (stderr)."""

    def __init__(self, total: int, csv_path: Path):
        from rich.console import Console

        from ..tools.bench.report import FIELDS

        self.total, self.done = total, 0
        self.console = Console(stderr=True)
        self.progress: Any = None
        self.csv = open(csv_path, "w", newline="")  # noqa: SIM115 (closed by close())
        import csv

        self.writer = csv.DictWriter(self.csv, fieldnames=FIELDS)
        self.writer.writeheader()
        if self.console.is_terminal:
            from rich.progress import (
                BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                TimeElapsedColumn,
            )
            self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                     BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                     console=self.console)
            self.task = self.progress.add_task("starting", total=total)
            self.progress.start()

    def start(self, spec: Any, inst: Any) -> None:
        if self.progress:
            self.progress.update(self.task, description=f"{spec.name} · {Path(inst.name).name}")

    def finish(self, row: Any) -> None:
        from dataclasses import asdict

        self.done += 1
        self.writer.writerow(asdict(row))
        self.csv.flush()
        line = (f"[{self.done}/{self.total}] {row.solver} {row.instance}: {row.answer} "
                f"{row.seconds:.2f} s ({row.check})" + (f" {row.note}" if row.note else ""))
        if self.progress:
            self.progress.advance(self.task)
            if row.check in ("wrong", "error"):
                style = "bold red" if row.check == "wrong" else "yellow"
                self.progress.console.print(("WRONG " if row.check == "wrong" else "") + line,
                                            style=style, markup=False, highlight=False)
        else:
            click.echo(("WRONG ANSWER: " if row.check == "wrong" else "") + line, err=True)

    def close(self) -> None:
        if self.progress:
            self.progress.stop()
        self.csv.close()


def _preamble(specs: list, n: int, timeout: float, memory: int, jobs: int) -> list[str]:
    from ..tools.bench.solvers import version

    versions = "; ".join(f"{s.name}: {version(s) or '?'}" for s in specs)
    import datetime as _dt
    import platform

    when = _dt.datetime.now().isoformat(timespec="seconds")
    return [f"{when}: {n} instances × {len(specs)} solvers, wall limit {timeout:g} s, "
            f"memory limit {f'{memory} MB' if memory else 'none'}, {jobs} at a time; "
            f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}.", "", f"Versions: {versions}."]


def _print_summary(summary: Any, out: Path, wrote: list[str]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from ..tools.bench.report import VBS, family_table, solver_table, wrong_table

    con = Console()
    if not con.is_terminal:  # a pipe or a file: do not squeeze the tables into 80 columns
        con = Console(width=240)

    def show(table: Any, title: str, style: str = "", optional: tuple[str, ...] = ()) -> None:
        head, rows = table  # columns in ``optional`` are left out when no row has a count
        keep = [i for i, h in enumerate(head)
                if h not in optional or any(r[i] not in ("0", "-") for r in rows)]
        t = Table(title=title, title_style=style or "bold", header_style=style or "bold",
                  box=box.SIMPLE_HEAD, pad_edge=False)
        for i in keep:
            t.add_column(head[i], justify="left" if i == 0 else "right", overflow="fold")
        for r in rows:
            t.add_row(*(r[i] for i in keep), style="italic" if r[0] == VBS else None)
        con.print(t)

    if summary.wrong:
        show(wrong_table(summary), f"WRONG ANSWERS ({len(summary.wrong)}), counted as unsolved",
             "bold red")
    show(solver_table(summary), f"Solved and PAR-2 (limit {summary.limit:g} s)",
         optional=("timeout", "memout", "unknown", "error", "WRONG", "unique", "fastest"))
    show(family_table(summary), "Per family: solved · PAR-2 (s)")
    if summary.errors:
        con.print(f"[yellow]{len(summary.errors)} runs ended in an error; see summary.md[/]")
    con.print("wrote " + ", ".join(str(out / w) for w in wrote), highlight=False)


@click.command("bench", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False), show_default="none",
              help="TSV of instances (columns path [family status ...]; paths relative to it).")
@click.option("--family", "families", multiple=True, metavar="F",
              help="Only instances of family F (repeatable; comma-separated works too).")
@click.option("--solver", "solvers", multiple=True, metavar="NAME",
              help="eagersmt[@REV][:ENC[:BACKEND]] (@REV: as committed at git revision REV), "
                   "z3, cvc5, yices, cadical-cnf[:ENC], kissat-cnf[:ENC] or "
                   "cmd:NAME=COMMAND ({file} = the instance); repeatable. "
                   "Default: eagersmt, z3, cvc5, yices, cadical-cnf.")
@click.option("--timeout", type=Seconds(required=True), default=60.0, metavar="SECONDS",
              show_default=True, help="Wall-clock limit in seconds of each run.")
@click.option("--memory-limit", type=click.IntRange(min=0), default=8192, show_default=True,
              metavar="MB", help="Address-space limit per run (RLIMIT_AS); 0 for none.")
@click.option("--out", type=click.Path(file_okay=False), default="bench-out", show_default=True,
              help="Folder for results.csv, summary.md and cactus.png.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Instances run at once (more than 1 disturbs the timings).")
@click.option("--baseline", metavar="NAME",
              help="Solver whose times the others are divided by in summary.md (instances "
                   "both solved). Default: z3 when it runs.")
@click.option("--parse-speed", is_flag=True,
              help="Measure parser throughput instead: each instance repeated to about "
                   "--parse-mb MB, parsed by eagersmt[@REV], z3 and pysmt (--solver picks "
                   "among them); writes parse_speed.csv and parse_speed.md.")
@click.option("--parse-mb", type=click.FloatRange(min=0, min_open=True), default=5.0,
              show_default=True, metavar="MB", help="Size of each --parse-speed text.")
@click.option("--parse-repeat", type=click.IntRange(min=1), default=3, show_default=True,
              help="Parses per parser and text (best and median reported).")
@click.option("--stages", is_flag=True,
              help="Measure the front end stage by stage instead: start, import, parse, "
                   "normalize, encode, SAT load, first SAT call (and the CPU time to it) and wall "
                   "of `eagersmt solve` "
                   "(eagersmt[@REV]; peers such as z3 or yices: wall only), medians of "
                   "--stage-runs runs; writes stages.csv and stages.md.")
@click.option("--stage-runs", type=click.IntRange(min=1), default=5, show_default=True,
              help="Runs per solver and instance of --stages (alternating).")
def bench(paths: tuple[str, ...], manifest: Optional[str], families: tuple[str, ...],
          solvers: tuple[str, ...], timeout: float, memory_limit: int, out: str, jobs: int,
          baseline: Optional[str], parse_speed: bool, parse_mb: float, parse_repeat: int,
          stages: bool, stage_runs: int) -> None:
    """Compare solvers on PATHS (.smt2 files or folders) and/or a --manifest.

    Each (instance, solver) pair runs in its own process group with a wall and a memory
    limit; every answer is checked against the expected one (the manifest's status column,
    else the file's (set-info :status ...)).  eagersmt runs as `eagersmt solve --stats`
    (stage times go to the report); the *-cnf solvers time only the SAT solver on
    eagersmt's CNF.  Writes results.csv, summary.md (solved sat/unsat, PAR-2, per family,
    virtual best, time ratios to --baseline, per instance) and cactus.png into --out, and
    prints the summary.

    \b
    Exit codes: 0 done (errors and timeouts are results, not failures);
    2 bad usage; 5 some solver gave a WRONG answer; 130 interrupted.
    """
    from ..tools.bench.report import read_csv, summarize, to_markdown, write_csv
    from ..tools.bench.runner import Limits, kill_all, run_all
    from ..tools.bench.snapshot import Snapshots

    instances = _instances(paths, manifest, families)
    if not instances:
        raise click.UsageError("no instances: give .smt2 files or folders, or --manifest")
    snapshots = Snapshots()
    click.get_current_context().call_on_close(snapshots.close)
    outdir = Path(out)
    limits = Limits(timeout, memory_limit or None)
    if parse_speed:
        _parse_speed(instances, _parsers(solvers, snapshots), outdir, limits, parse_mb,
                     parse_repeat)
        return
    if stages:
        specs = _specs(solvers or ("eagersmt",), snapshots)
        for spec in specs:
            if spec.kind == "cnf":
                raise click.BadParameter(f"{spec.name}: --stages times SMT solvers",
                                         param_hint="--solver")
        _stages(instances, specs, outdir, limits, stage_runs)
        return
    specs = _specs(solvers, snapshots)
    names = [s.name for s in specs]
    if baseline is not None and baseline not in names:
        raise click.BadParameter(f"{baseline} is not one of the solvers ({', '.join(names)})",
                                 param_hint="--baseline")
    outdir.mkdir(parents=True, exist_ok=True)
    display = _Display(len(instances) * len(specs), outdir / "results.csv")
    interrupted = False
    try:
        rows = run_all(instances, specs, limits, jobs=jobs, on_start=display.start,
                       on_done=display.finish)
    except KeyboardInterrupt:
        kill_all()
        interrupted = True
    finally:
        display.close()
    if interrupted:
        rows = read_csv(str(outdir / "results.csv"))
        click.echo(f"interrupted: reporting the {len(rows)} finished runs", err=True)
    write_csv(rows, str(outdir / "results.csv"))
    summary = summarize(rows, timeout, names)
    pre = _preamble(specs, len(instances), timeout, memory_limit, jobs)
    base = baseline or ("z3" if "z3" in names else None)
    (outdir / "summary.md").write_text(to_markdown(summary, pre, rows, base))
    wrote = ["results.csv", "summary.md"]
    try:
        from ..tools.bench.plot import cactus
        cactus(rows, timeout, str(outdir / "cactus.png"), names)
        wrote.append("cactus.png")
    except ImportError:
        click.echo("warning: matplotlib is not installed (pip install 'eagersmt[bench]'); "
                   "no cactus.png", err=True)
    _print_summary(summary, outdir, wrote)
    sys.exit(EXIT_INTERRUPT if interrupted else EXIT_WRONG if summary.wrong else 0)


def _parse_speed(instances: list, specs: list, outdir: Path, limits: Any, mb: float,
                 repeat: int) -> None:
    import csv
    from dataclasses import asdict, fields

    from ..tools.bench.parse_speed import ParseRow, measure, table
    from ..tools.bench.report import markdown_table

    def done(r: Any) -> None:
        click.echo(f"parse-speed: {Path(r.instance).name} ({r.mb:.2f} MB) {r.parser}: "
                   f"{r.mb_s_best:.2f} MB/s best; {r.check}", err=True)

    rows = measure(instances, specs, mb=mb, repeat=repeat, limits=limits, on_done=done)
    outdir.mkdir(parents=True, exist_ok=True)
    with open(outdir / "parse_speed.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=[x.name for x in fields(ParseRow)])
        w.writeheader()
        w.writerows(asdict(r) for r in rows)
    pre = _preamble(specs, len(instances), limits.timeout, limits.memory_mb or 0, 1)
    md = "\n".join(["# eagersmt bench --parse-speed", "", *pre, "", markdown_table(table(rows)),
                     "", f"{repeat} parses per parser and text in a fresh process, timed around "
                     "the parse call only (text in memory, imports done)."]) + "\n"
    (outdir / "parse_speed.md").write_text(md)
    click.echo(markdown_table(table(rows)))
    click.echo(f"wrote {outdir / 'parse_speed.csv'}, {outdir / 'parse_speed.md'}")


def _stages(instances: list, specs: list, outdir: Path, limits: Any, runs: int) -> None:
    import csv

    from ..tools.bench.report import markdown_table
    from ..tools.bench.stages import STAGES, measure, table

    def done(r: Any) -> None:
        figures = ", ".join(f"{k} {1000 * v:.0f}" for k, v in r.medians.items())
        click.echo(f"stages: {Path(r.instance).name} {r.solver}: {figures} ms"
                   f"{f'; {r.check}' if r.check else ''}", err=True)

    rows = measure(instances, specs, runs=runs, limits=limits, on_done=done)
    outdir.mkdir(parents=True, exist_ok=True)
    with open(outdir / "stages.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["instance", "solver", *(f"{s}_s" for s in STAGES), "runs", "check"])
        w.writerows([r.instance, r.solver, *(r.medians.get(s, "") for s in STAGES), r.runs,
                     r.check] for r in rows)
    pre = _preamble(specs, len(instances), limits.timeout, limits.memory_mb or 0, 1)
    md = "\n".join(["# eagersmt bench --stages", "", *pre, "", markdown_table(table(rows)), "",
                    f"Medians of {runs} runs per solver and instance (alternating); 'first SAT' "
                    "is from the process spawn to the first in-process SAT call."]) + "\n"
    (outdir / "stages.md").write_text(md)
    click.echo(markdown_table(table(rows)))
    click.echo(f"wrote {outdir / 'stages.csv'}, {outdir / 'stages.md'}")
