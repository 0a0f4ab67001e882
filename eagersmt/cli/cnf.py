"""The DIMACS-level commands: ``encode`` (DIMACS out), ``cube`` (iCNF out), ``conquer`` (iCNF in).

``encode`` writes the CNF of an SMT-LIB file for any SAT solver; ``cube`` writes iCNF (``p
inccnf``, the clauses, one ``a <lits> 0`` line per cube) so other tools can conquer our
cubes; ``conquer`` reads iCNF from anywhere (march_cu's included).  They follow the
SAT-competition conventions: ``s SATISFIABLE`` and ``v`` lines with exit 10, ``s
UNSATISFIABLE`` with exit 20, ``s UNKNOWN`` with exit 0; bad input (or an output file that
cannot be written) is ``error: ...`` with exit 1, a bad option value a usage error (exit 2):
the table of ``cli/errors.py``.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Optional

import click

from .. import __version__
from ..config import OPTIONS
from ..cube import LEVELS
from ..result import Status
from .errors import EXIT_INPUT, EXIT_SAT, EXIT_UNSAT, fail, output_file, reported_errors
from .options import LiveChoice, Seconds, config_options, make_config


def _encoding_option(fn: Any) -> Any:
    from ..encode import choices

    return click.option("--encoding", type=LiveChoice(choices), default="auto",
                        show_default=True,
                        help="Eager encoding of an SMT-LIB input, as for 'solve --encoding': "
                             "auto chooses one per variable class, any other is used for all "
                             "(a DIMACS input is used as it is).")(fn)


def _load(path: str, encoding: str, *, dimacs: bool = True) -> tuple[Any, Any, list[list[int]]]:
    """A CNF, its ``compile.Compiled`` (None for a DIMACS / iCNF input) and the cubes of an
    iCNF input (``dimacs``: such inputs are accepted)."""
    from ..compile import compile_script
    from ..config import Config
    from ..encode.cnf import CNF
    from ..result import Stats
    from ..smtlib.parser import parse_file

    with open(path, "rb") as f:
        head = f.read(200).lstrip()
    if dimacs and (path.endswith((".cnf", ".icnf", ".dimacs")) or head.startswith((b"p ", b"c"))):
        from ..cube.icnf import read_icnf

        with open(path, encoding="utf-8", errors="replace") as f:
            ic = read_icnf(f.read(), filename=path)
        cnf = CNF()
        cnf.nvars = ic.nvars
        cnf.clauses = ic.clauses
        return cnf, None, ic.cubes
    compiled = compile_script(parse_file(path), Config(encoding=encoding), stats=Stats(),
                              encode_trivial=True)
    return compiled.cnf, compiled, []


@click.command("encode")
@click.argument("file", type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="-",
              help="Where to write the DIMACS CNF (default: stdout).")
@_encoding_option
def encode_cmd(file: str, output: str, encoding: str) -> None:
    """Encode the assertions of FILE to DIMACS CNF (for any SAT solver).

    The CNF is satisfiable iff the conjunction of FILE's assertions is.
    """
    with reported_errors(file):
        cnf, compiled, _ = _load(file, encoding, dimacs=False)
    stats = compiled.stats
    if compiled.trivial:
        what = f"none: {compiled.trivial} (the CNF is the empty clause)"
    else:
        what = (f"{stats.notes.get('encodings', '')}; classes: {stats.counts.get('classes', 0)}; "
                f"predicates: {stats.counts.get('preds', 0)}")
    header = [f"eagersmt {__version__} encoding of {file}", f"encoding: {what}"]
    with output_file(output) as out:
        cnf.write_dimacs(out, header)


@click.command("cube")
@click.argument("file", type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="-",
              help="Where to write the iCNF (default: stdout).")
@click.option("--cubes", "count", default="dynamic", show_default=True, metavar="dynamic|N",
              help="How many cubes: 'dynamic' (march_cu's dynamic cutoff: as many as the "
                   "formula's lookahead suggests) or a number of cubes to aim for.")
@click.option("--depth", type=click.IntRange(min=1), default=None, show_default="none",
              help="Fixed cube depth (overrides --cubes).")
@click.option("--cube-level", "level", type=LiveChoice(lambda: LEVELS.names()), default=None,
              show_default=next(o.default for o in OPTIONS if o.name == "cube_level"),
              help="Where to split an SMT-LIB input, as for 'solve --cube-level': bounds, "
                   "smt, smt+bounds or cnf.  A DIMACS input has only cnf.")
@click.option("--level", "old_level", type=LiveChoice(lambda: LEVELS.names()), default=None,
              hidden=True)  # (the earlier name of --cube-level)
@_encoding_option
@click.option("--time-budget", type=Seconds(), default=None, show_default="none",
              metavar="SECONDS", help="Wall-clock limit in seconds of the cuber.")
def cube_cmd(file: str, output: str, count: str, depth: Optional[int], level: Optional[str],
             old_level: Optional[str], encoding: str, time_budget: Optional[float]) -> None:
    """Split FILE (SMT-LIB, or DIMACS CNF) into cubes and write them as iCNF.

    Exit 20 when lookahead alone refutes the formula (the iCNF then has no cube), else 0.
    """
    from ..config import Config
    from ..cube import make_cuber
    from ..cube.icnf import write_icnf
    from ..cube.smt import SplitSpace, split_space

    level = level or old_level
    if count == "auto":  # (the earlier name of 'dynamic')
        count = "dynamic"
    if count != "dynamic" and not (count.isdigit() and int(count) >= 1):
        raise click.BadParameter(f"{count!r}: give 'dynamic' or a number of cubes (at least 1)",
                                 param_hint="'--cubes'")
    with reported_errors(file):
        cnf, compiled, _ = _load(file, encoding)
    if compiled is None and level not in (None, "cnf"):
        said = "--level" if old_level else "--cube-level"  # (the spelling the user wrote)
        fail("error", f"{file}: {said} {level} needs an SMT-LIB input (it splits on what the "
                      f"encoding's variables mean); a DIMACS input is cubed at {said} cnf",
             EXIT_INPUT)
    space = SplitSpace(None) if compiled is None or compiled.enc is None else \
        split_space(compiled.enc, level or Config().cube_level)
    cuber = make_cuber(None if count == "dynamic" else int(count), depth=depth)
    t0 = time.perf_counter()
    cs = cuber.cubes(cnf, variables=space.variables, ladders=space.ladders,
                     time_budget=time_budget)
    seconds = time.perf_counter() - t0
    with output_file(output) as out:
        write_icnf(out, cnf, cs.cubes, comments=[f"eagersmt cubes of {file}",
                                                 f"{len(cs.cubes)} cubes in {seconds:.3f} s"])
    click.echo(f"c {len(cs.cubes)} cubes in {seconds:.3f} s ({cs.status})", err=True)
    if cs.status == Status.UNSAT:
        sys.exit(EXIT_UNSAT)


@click.command("conquer")
@click.argument("file", type=click.Path())
@click.option("--jobs", type=click.IntRange(min=1), default=2, show_default=True,
              help="Worker processes of the local conquer.")
@config_options(only=("backend", "timeout"), help={
    "backend": "SAT back end, as for solve: the cubes go to its worker (CaDiCaL for the "
               "portfolio), and with a CPU to spare beyond --jobs the portfolio also races "
               "Kissat on the whole CNF."})
def conquer_cmd(file: str, jobs: int, backend: str, timeout: Optional[float]) -> None:
    """Solve the cubes of an iCNF FILE (a plain DIMACS file is one cube: the whole problem).

    Prints s SATISFIABLE / s UNSATISFIABLE / s UNKNOWN; exit 10 / 20 / 0; 1 on bad input;
    130 / 143 interrupted / terminated (s UNKNOWN first).
    """
    from ..conquer import make_conquer

    config = make_config({"backend": backend, "jobs": jobs, "timeout": timeout})
    with reported_errors(file):
        cnf, _, cubes = _load(file, "auto")
    with reported_errors(file, answer="s UNKNOWN"):
        r = make_conquer(config, race=True).solve_cubes(cnf, cubes or [[]],
                                                        timeout=config.timeout)
    click.echo(f"c {len(cubes or [[]])} cubes, {len(r.cube_seconds)} refuted, "
               f"{r.seconds:.3f} s", err=True)
    if r.status == Status.SAT:
        click.echo("s SATISFIABLE")
        lits = [str(v) for v in (r.model or [])[:cnf.nvars]] + ["0"]
        for i in range(0, len(lits), 20):
            click.echo("v " + " ".join(lits[i:i + 20]))
        sys.exit(EXIT_SAT)
    if r.status == Status.UNSAT:
        click.echo("s UNSATISFIABLE")
        sys.exit(EXIT_UNSAT)
    click.echo("s UNKNOWN")
    sys.exit(0)
