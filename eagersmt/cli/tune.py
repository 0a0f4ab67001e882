"""``eagersmt tune``: learn a strategy file from runs of the strategy space on training files.

The command gathers options, prints progress and the tables; the work is in
``eagersmt.tune`` (``evaluate``: split and runs, ``runs``: the table, ``fit``: the
learning).  Registered on the ``eagersmt`` group in ``cli/main.py``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import click

from .errors import EXIT_INPUT, EXIT_UNREACHABLE, fail
from .options import Seconds


def _instances(paths: Sequence[str], manifest: Optional[str], families: Sequence[str]) -> list:
    from ..tools.bench.instances import dedupe, from_manifest, from_paths

    fams = [x for f in families for x in f.split(",") if x]
    try:
        found = from_manifest(Path(manifest), fams) if manifest else []
        found += from_paths(paths, fams)
    except (OSError, ValueError) as e:
        raise click.UsageError(str(e)) from None
    if not found:
        raise click.UsageError("no instances: give .smt2 files, folders or --manifest "
                               "(and --family names that occur)")
    return dedupe(found)


def _space(text: str) -> list[str]:
    from ..tune.space import SPACE

    names = list(dict.fromkeys(x for x in text.split(",") if x))
    unknown = [n for n in names if n not in SPACE]
    if unknown or not names:
        raise click.BadParameter(f"{', '.join(unknown) or 'nothing'}: the space has "
                                 f"{', '.join(SPACE)}", param_hint="--space")
    return names


def _features(instances: Sequence[Any], runs: Any) -> list:
    """The instances whose features are known (computed once, kept in the runs table); a
    file that cannot be read is left out with a warning."""
    from ..errors import EagerSmtError
    from ..tune.features import FEATURES, file_features

    kept = []
    for inst in instances:
        vector = runs.features(inst.name)
        if vector is None or tuple(sorted(vector)) != tuple(sorted(FEATURES)):
            try:
                vector = file_features(str(inst.path))
            except (EagerSmtError, OSError, RecursionError) as e:
                click.echo(f"warning: {inst.name}: left out: {e}", err=True)
                continue
            runs.set_features(inst.name, vector)
        kept.append(inst)
    return kept


def _progress(phase: str) -> Any:
    """One line per finished run (stderr): the run, and the strategy of least mean PAR-2 so
    far in its family."""
    seen: dict[str, dict[str, list[float]]] = {}

    def on_done(task: Any, row: Any, done: int, total: int) -> None:
        from ..tune.runs import par2

        fam = seen.setdefault(row.family, {})
        fam.setdefault(row.solver, []).append(par2(row, task.timeout))
        mean = {s: sum(v) / len(v) for s, v in fam.items()}
        leader = min(mean, key=mean.__getitem__)
        click.echo(f"[{phase} {done}/{total}] {row.instance} {row.solver}: {row.answer} "
                   f"{row.seconds:.2f} s ({row.family}: {leader} leads, mean PAR-2 "
                   f"{mean[leader]:.2f} s)", err=True)
    return on_done


def _costs(rows: Sequence[Any], timeout: float) -> dict[str, dict[str, float]]:
    from ..tune.runs import par2

    costs: dict[str, dict[str, float]] = {}
    for r in rows:
        costs.setdefault(r.instance, {})[r.solver] = par2(r, timeout)
    return costs


@click.command("tune")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--manifest", type=click.Path(dir_okay=False), show_default="none",
              help="A TSV of instances (path, family, status), as benchmarks/MANIFEST.tsv.")
@click.option("--family", "families", multiple=True,
              help="Only these families (repeat or comma-separate).")
@click.option("--runs", "runs_path", default="tune-runs.sqlite", show_default=True,
              metavar="DB", help="The runs table (SQLite): every run is recorded there, and "
                                 "a run found there is not made again (a tune resumes).")
@click.option("-o", "--output", default="strategy.json", show_default=True, metavar="FILE",
              help="The strategy file to write (solve --strategy FILE).")
@click.option("--timeout", type=Seconds(required=True), default=10.0, show_default=True,
              help="Wall-clock limit of each run; an unsolved run counts twice it (PAR-2).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Which files of each family train and which test.")
@click.option("--test-share", type=click.FloatRange(0.0, 0.9), default=0.5,
              show_default=True, help="The share of each family held out for testing.")
@click.option("--space", "space_text", default=None, metavar="NAMES",
              help="The strategies to evaluate, comma-separated (default: auto, order, sd, "
                   "cadical, kissat, z3, yices).")
@click.option("--jobs", type=click.IntRange(1), default=None, show_default="1; with --ray "
              "the cluster's CPUs", help="Runs at once (each a process; more on one "
              "machine disturb each other's times).")
@click.option("--budget", type=Seconds(required=True), default=None, show_default="none",
              help="Start no run after this many seconds (those under way finish); run the "
                   "command again to go on where it stopped.")
@click.option("--ray", "ray_address", default=None, metavar="ADDRESS", show_default="none",
              help="Make the runs as tasks on this Ray cluster (HOST:PORT, auto, or local); "
                   "the files must be at the same path on its nodes.")
@click.option("--fit", "fit_only", is_flag=True,
              help="Make no run: learn the strategy file from the runs already in --runs "
                   "(training files with a run of every strategy).")
@click.option("--memory-limit", type=click.IntRange(1), default=None, metavar="MB",
              show_default="none", help="Address space of each run.")
@click.option("--max-depth", type=click.IntRange(1, 8), default=3, show_default=True,
              help="The deepest tree cross-validation may keep (it also tries shallower ones, "
                   "down to one strategy for every file).")
@click.option("--plot", type=click.Path(dir_okay=False), default=None, show_default="none",
              metavar="PNG", help="With --test: a cactus plot of auto, the learnt file, Z3 "
                                  "and Yices on the held-out files (matplotlib).")
@click.option("--test", "held_out", is_flag=True,
              help="Then run auto, the learnt file, every strategy (the virtual best) and Z3 "
                   "and Yices on the held-out files, and print the table.")
def tune_cmd(paths: tuple[str, ...], manifest: Optional[str], families: tuple[str, ...],
             runs_path: str, output: str, timeout: float, seed: int, test_share: float,
             space_text: Optional[str], jobs: Optional[int], budget: Optional[float],
             ray_address: Optional[str], fit_only: bool, memory_limit: Optional[int],
             max_depth: int, plot: Optional[str], held_out: bool) -> None:
    """Learn a strategy file: evaluate the strategy space on the training files of PATHS
    (split per family by --seed; locally or with --ray on a cluster; a run recorded in
    --runs is not made again), fit a decision tree from features to strategies, write it
    to --output.  Use it with 'eagersmt solve --strategy FILE'."""
    if fit_only and (held_out or budget is not None or ray_address is not None):
        raise click.UsageError("--fit makes no run: not with --test, --budget or --ray")
    from ..tune.evaluate import REFERENCES, Task, learnt_name, split
    from ..tune.fit import fit
    from ..tune.runs import Runs
    from ..tune.selector import save
    from ..tune.space import DEFAULT_SPACE

    space = _space(space_text) if space_text else list(DEFAULT_SPACE)
    until = None if budget is None else time.monotonic() + budget  # (both phases)
    instances = _instances(paths, manifest, families)
    try:
        runs = Runs(runs_path)
    except (OSError, ValueError) as e:
        fail("error", f"--runs {runs_path}: {e}", EXIT_INPUT)
    with runs:
        train, test = split(_features(instances, runs), seed, test_share)
        click.echo(f"tune: {len(train)} training and {len(test)} test files, "
                   f"{len(space)} strategies, {timeout:g} s per run", err=True)
        tasks = [Task(i, s, timeout, memory_mb=memory_limit) for i in train for s in space]
        if not fit_only and not _run(tasks, runs, "train", jobs, until, ray_address):
            return
        costs = _costs(runs.rows(timeout, [i.name for i in train]), timeout)
        costs = {i: c for i, c in costs.items() if all(s in c for s in space)}
        if len(costs) < len(train):
            click.echo(f"warning: {len(train) - len(costs)} training files lack a run of "
                       "some strategy: learnt without them", err=True)
        if not costs:
            fail("error", f"--runs {runs_path}: no training file has a run of every "
                 "strategy: run 'eagersmt tune' without --fit first", EXIT_INPUT)
        vectors = {i.name: runs.features(i.name) for i in train}
        selector = fit(costs, vectors, space, seed=seed, max_depth=max_depth,
                       trained={"timeout": timeout, "seed": seed, "test_share": test_share,
                                "families": sorted({i.family for i in train})})
        try:
            save(selector, output)
        except OSError as e:
            fail("error", f"-o {output}: {e.strerror}", EXIT_INPUT)
        click.echo(f"wrote {output}: {_rules(selector)}", err=True)
        if not held_out or not test:
            return
        learnt = learnt_name(output)
        tasks = [Task(i, s, timeout, file=os.path.abspath(output) if s == learnt else "",
                      memory_mb=memory_limit)
                 for i in test for s in [learnt, *space, *REFERENCES]]
        if not _run(tasks, runs, "test", jobs, until, ray_address):
            return
        rows = runs.rows(timeout, [i.name for i in test])
        picks = {i.name: selector.pick(runs.features(i.name))[0] for i in test}
        click.echo(_table(test, _costs(rows, timeout), learnt, picks, space, timeout))
        if plot:
            _plot(rows, timeout, plot, ["auto", learnt, *REFERENCES])


def _run(tasks: Sequence[Any], runs: Any, phase: str, jobs: Optional[int],
         until: Optional[float], ray_address: Optional[str]) -> bool:
    """Make the runs of ``tasks`` the table lacks, none started after the monotonic time
    ``until``; whether none is left (else a note)."""
    from ..conquer.cluster import RAY_MISSING
    from ..errors import Unreachable
    from ..tune.evaluate import evaluate, pending

    try:
        budget = None if until is None else max(0.0, until - time.monotonic())
        evaluate(tasks, runs, jobs=jobs, budget=budget,
                 ray=ray_address, on_done=_progress(phase))
    except Unreachable as e:
        fail("error", str(e), EXIT_UNREACHABLE)
    except ModuleNotFoundError as e:
        if e.name != "ray":
            raise
        fail("error", RAY_MISSING, EXIT_INPUT)
    left = len(pending(tasks, runs))
    if left:
        click.echo(f"tune: --budget spent with {left} {phase} runs to make: run the same "
                   "command again to go on", err=True)
    return not left


def _plot(rows: Sequence[Any], timeout: float, path: str, solvers: Sequence[str]) -> None:
    try:
        from ..tools.bench.plot import cactus
    except ImportError:
        fail("error", "--plot needs matplotlib: pip install 'eagersmt[bench]'", EXIT_INPUT)
    try:
        cactus([r for r in rows if r.solver in solvers], timeout, path, solvers,
               title="eagersmt tune: held-out files")
    except OSError as e:
        fail("error", f"--plot {path}: {e.strerror}", EXIT_INPUT)
    click.echo(f"wrote {path}", err=True)


def _rules(selector: Any) -> str:
    leaves = [n for n in selector.nodes if "strategy" in n]
    if len(leaves) == 1:
        return f"one strategy for every file: {leaves[0]['strategy']}"
    return f"a tree of {len(leaves)} leaves: " + ", ".join(sorted({n["strategy"] for n in leaves}))


def _table(test: Sequence[Any], costs: Mapping[str, Mapping[str, float]], learnt: str,
           picks: Mapping[str, str], space: Sequence[str], timeout: float) -> str:
    """Per family of the test files: PAR-2 seconds of auto, the learnt file (its own run),
    its picks (the PAR-2 of the strategies it picks, from their own runs: the same choice
    without a second run's noise), the virtual best of the space, Z3 and Yices; the share
    of auto's distance to the virtual best that the learnt file closed."""
    fams: dict[str, list[str]] = {}
    for inst in test:
        if inst.name in costs:
            fams.setdefault(inst.family, []).append(inst.name)
    head = ["family", "files", "auto", "learnt", "picks", "virtual best", "Z3", "Yices",
            "learnt/auto", "picks/auto", "closed"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    every = [n for names in fams.values() for n in names]
    for fam, names in sorted(fams.items()) + [("all", every)]:
        def total(solver: str) -> float:
            return sum(costs[n].get(solver, 2 * timeout) for n in names)
        vbs = sum(min(costs[n].get(s, 2 * timeout) for s in space) for n in names)
        auto, got = total("auto"), total(learnt)
        picked = sum(costs[n].get(picks[n], 2 * timeout) for n in names)
        closed = f"{(auto - got) / (auto - vbs):.0%}" if auto - vbs > 1e-9 else "-"
        ratio = (lambda x: f"{x / auto:.2f}" if auto > 0 else "-")
        cells = [fam, str(len(names)), f"{auto:.1f}", f"{got:.1f}", f"{picked:.1f}",
                 f"{vbs:.1f}", f"{total('ref:z3'):.1f}", f"{total('ref:yices'):.1f}",
                 ratio(got), ratio(picked), closed]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)
