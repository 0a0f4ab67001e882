"""``eagersmt cube`` and ``eagersmt conquer``: cube-and-conquer at the DIMACS level.

``cube`` writes iCNF (``p inccnf``, the clauses, one ``a <lits> 0`` line per cube) so
other tools can conquer our cubes; ``conquer`` reads iCNF from anywhere (march_cu's
included) and follows the SAT-competition conventions: ``s SATISFIABLE`` and ``v`` lines
with exit 10, ``s UNSATISFIABLE`` with exit 20, ``s UNKNOWN`` with exit 0; bad input is
``error: FILE:LINE: message`` with exit 1.
"""

from __future__ import annotations

import sys
import time
from typing import Optional

import click

from ..config import CUBE_LEVELS, ENCODINGS
from ..errors import InputError
from ..result import Status


def _fail_input(e: InputError) -> None:
    click.echo(f"error: {e}", err=True)
    sys.exit(1)


def _load_cnf(path: str, encoding: str):  # type: ignore[no-untyped-def]
    """A CNF, its encoding (``encode.Encoded``; None for a DIMACS / iCNF input) and the
    cubes of an iCNF input."""
    from ..cube.icnf import read_icnf
    from ..encode.cnf import CNF

    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    head = text.lstrip()[:200]
    if path.endswith((".cnf", ".icnf", ".dimacs")) or head.startswith(("p ", "c")):
        ic = read_icnf(text, filename=path)
        cnf = CNF()
        cnf.nvars = ic.nvars
        cnf.clauses = ic.clauses
        return cnf, None, ic.cubes
    from ..encode import encode
    from ..ir.normalize import normalize
    from ..smtlib.parser import parse

    script = parse(text, filename=path)
    try:
        norm = normalize(script.assertions, positions=script.atom_pos)
    except InputError as e:
        raise script.locate(e)
    enc = encode(norm, encoding=encoding)
    if -1 in norm.circuit.roots:
        enc.cnf.add([])
    return enc.cnf, enc, []


@click.command("cube")
@click.argument("file", type=click.Path())
@click.option("-o", "--output", default="-", help="Where to write the iCNF (default: stdout).")
@click.option("--cubes", "count", default="auto", show_default=True,
              help="'auto' (march_cu dynamic cutoff) or the number of cubes to aim for.")
@click.option("--depth", type=int, default=None, help="Fixed cube depth (overrides --cubes).")
@click.option("--level", type=click.Choice(CUBE_LEVELS), default=None,
              help="Where to split an SMT-LIB input: bounds (bisect the windows of "
                   "order-encoded integers; the default, as for solve), smt (difference "
                   "atoms), smt+bounds (both) or cnf (any CNF variable).  DIMACS input has "
                   "only cnf (its default).")
@click.option("--encoding", type=click.Choice(ENCODINGS), default="auto", show_default=True)
@click.option("--time-budget", type=float, default=None, help="Seconds the cuber may spend.")
def cube_cmd(file: str, output: str, count: str, depth: Optional[int], level: Optional[str],
             encoding: str, time_budget: Optional[float]) -> None:
    """Split FILE (SMT-LIB, or DIMACS CNF) into cubes and write them as iCNF.

    Exit 20 when lookahead alone refutes the formula (the iCNF then has no cube), else 0.
    """
    from ..config import Config
    from ..cube.icnf import write_icnf
    from ..cube.lookahead import LookaheadCuber
    from ..cube.smt import SplitSpace, split_space

    try:
        cnf, enc, _ = _load_cnf(file, encoding)
    except FileNotFoundError:
        click.echo(f"error: {file}: no such file", err=True)
        sys.exit(1)
    except InputError as e:
        _fail_input(e)
    if count != "auto" and not count.isdigit():
        raise click.UsageError("--cubes takes 'auto' or a number")
    if enc is None and level not in (None, "cnf"):
        click.echo(f"error: {file}: --level {level} needs an SMT-LIB input (it splits on what "
                   "the encoding's variables mean); a DIMACS input is cubed at --level cnf",
                   err=True)
        sys.exit(1)
    space = SplitSpace(None) if enc is None else \
        split_space(enc, level or Config().cube_level)
    cuber = LookaheadCuber(depth=depth, max_cubes=None if count == "auto" else int(count),
                           dynamic=count == "auto" and depth is None)
    t0 = time.perf_counter()
    cs = cuber.cubes(cnf, variables=space.variables, ladders=space.ladders,
                     time_budget=time_budget)
    seconds = time.perf_counter() - t0
    out = sys.stdout if output == "-" else open(output, "w")
    try:
        write_icnf(out, cnf, cs.cubes, comments=[f"eagersmt cubes of {file}",
                                                 f"{len(cs.cubes)} cubes in {seconds:.3f} s"])
    finally:
        if out is not sys.stdout:
            out.close()
    click.echo(f"c {len(cs.cubes)} cubes in {seconds:.3f} s ({cs.status})", err=True)
    if cs.status == Status.UNSAT:
        sys.exit(20)


@click.command("conquer")
@click.argument("file", type=click.Path())
@click.option("--jobs", type=int, default=2, show_default=True, help="Worker processes.")
@click.option("--backend", type=click.Choice(["cadical", "kissat"]), default="cadical",
              show_default=True)
@click.option("--timeout", type=float, default=None, help="Wall-clock limit in seconds.")
def conquer_cmd(file: str, jobs: int, backend: str, timeout: Optional[float]) -> None:
    """Solve the cubes of an iCNF FILE (a plain DIMACS file is one cube: the whole problem).

    Prints s SATISFIABLE / s UNSATISFIABLE / s UNKNOWN; exit 10 / 20 / 0; 1 on bad input.
    """
    from ..cluster.local import LocalConquer

    try:
        cnf, _, cubes = _load_cnf(file, "auto")
    except FileNotFoundError:
        click.echo(f"error: {file}: no such file", err=True)
        sys.exit(1)
    except InputError as e:
        _fail_input(e)
    r = LocalConquer(jobs=jobs, backend=backend).solve_cubes(cnf, cubes or [[]], timeout=timeout)
    click.echo(f"c {len(cubes or [[]])} cubes, {len(r.cube_seconds)} refuted, "
               f"{r.seconds:.3f} s", err=True)
    if r.status == Status.SAT:
        click.echo("s SATISFIABLE")
        lits = [str(v) for v in (r.model or [])[:cnf.nvars]] + ["0"]
        for i in range(0, len(lits), 20):
            click.echo("v " + " ".join(lits[i:i + 20]))
        sys.exit(10)
    if r.status == Status.UNSAT:
        click.echo("s UNSATISFIABLE")
        sys.exit(20)
    click.echo("s UNKNOWN")
    sys.exit(0)
