"""The ``eagersmt`` command line: the only place that prints.

Exit codes of ``solve`` and ``optimize``: see ``cli/errors.py`` (0 answer, 1 bad input, 2
internal error, 3 cross-check disagreement, 130/143 interrupted/terminated).  DIMACS
commands follow the SAT competition: 10 sat, 20 unsat, 0 unknown.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable

import click

from .. import __version__
from ..config import ENCODINGS, OPTIONS, Config
from ..errors import CrossCheckError, InputError
from .errors import EXIT_INPUT, fail, reported_errors


def config_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """One click option per row of the options table (``config.OPTIONS``)."""
    for o in reversed(OPTIONS):
        flag = "--" + o.name.replace("_", "-")
        if o.type is bool:
            neg = "--no-" + o.name.replace("_", "-")
            fn = click.option(f"{flag}/{neg}", o.name, default=o.default, show_default=True,
                              help=o.help)(fn)
        elif o.choices:
            fn = click.option(flag, o.name, type=click.Choice(o.choices), default=o.default,
                              show_default=True, help=o.help)(fn)
        elif o.name == "ray":  # --ray alone means a private local Ray; --ray ADDRESS joins one
            fn = click.option(flag, o.name, is_flag=False, flag_value="local", default=None,
                              metavar="[ADDRESS]", help=o.help)(fn)
        else:
            text = str(o.type)
            typ = {int: int, float: float}.get(
                o.type, float if "float" in text else int if "int" in text else str)
            metavar = {"timeout": "SECONDS", "cube_timeout": "SECONDS", "memory_limit": "MB",
                       "proof": "DIR"}.get(o.name)
            fn = click.option(flag, o.name, type=typ, default=o.default, show_default=True,
                              help=o.help, metavar=metavar)(fn)
    return fn


def make_config(kwargs: dict[str, Any]) -> Config:
    names = {o.name for o in OPTIONS}
    try:
        return Config(**{k: v for k, v in kwargs.items() if k in names})
    except ValueError as e:
        raise click.UsageError(str(e)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eagersmt")
def main() -> None:
    """eagersmt: SMT (integer/real difference logic) by eager reduction to SAT."""


@main.command()
@click.argument("file", type=click.Path())
@config_options
@click.option("--stats", is_flag=True, help="Print a table of stage times and sizes on stderr.")
@click.option("--progress", is_flag=True,
              help="Conquer progress on stderr even when it is not a terminal (plain lines "
                   "every 5 s; a terminal gets a live display anyway unless --quiet).")
def solve(file: str, stats: bool, progress: bool, **kwargs: Any) -> None:
    """Solve an SMT-LIB v2 FILE and print sat / unsat / unknown like an SMT solver.

    \b
    Exit codes: 0 answer printed; 1 bad input (error: FILE:LINE:COL: ...);
    2 internal error (a model failed its check); 3 cross-check disagreement;
    130 interrupted (SIGINT), 143 terminated (SIGTERM): both print unknown first
    and leave no solver process behind.  Why an answer is unknown (timeout,
    memory limit) is said on stderr.
    """
    from ..engine import Session
    from ..smtlib.parser import parse_file

    from .cluster import progress_display, solve_config

    config = solve_config(make_config(kwargs))  # --ray implies cube-and-conquer
    t0 = time.perf_counter()
    with reported_errors(file):
        script = parse_file(file)
        parse_s = time.perf_counter() - t0
        for w in script.warnings:
            click.echo(f"warning: {w.locate('', file)}", err=True)
        session = Session(script, config=config)
        lines: list[tuple[tuple[str, Any], str]] = []  # ((channel, its set-option), line)
        with _Channels(script) as out, progress_display(config, force=progress):
            for line in session.run():
                where = (session.regular_channel, session.regular_channel_pos)
                if config.cross_check == "none":
                    out.write(where, line)
                else:
                    lines.append((where, line))
            if config.cross_check != "none":
                _cross_check(file, [str(r.status) for r in session.results], config)
                for where, line in lines:
                    out.write(where, line)
        for i, r in enumerate(session.results, 1):
            if str(r.status) == "unknown" and r.reason:
                click.echo(f"note: check-sat #{i}: unknown: {r.reason}", err=True)
    if stats:
        _print_stats(session.results, parse_s)


class _Channels:
    """Where ``solve`` prints a line: stdout, stderr, or the file a script named with
    ``(set-option :regular-output-channel "FILE")`` (opened for appending, kept open)."""

    def __init__(self, script: Any) -> None:
        self.script = script  # to locate an error at the set-option that named the file
        self.files: dict[str, Any] = {}

    def __enter__(self) -> "_Channels":
        return self

    def __exit__(self, *exc: object) -> None:
        for f in self.files.values():
            f.close()

    def write(self, where: tuple[str, Any], line: str) -> None:
        channel, pos = where
        if channel == "stdout":
            click.echo(line)
        elif channel == "stderr":
            click.echo(line, err=True)
        else:
            f = self.files.get(channel)
            if f is None:
                try:
                    f = self.files[channel] = open(channel, "a")  # noqa: SIM115 (closed in __exit__)
                except OSError as e:
                    raise self.script.locate(InputError(
                        f"cannot open :regular-output-channel {channel!r}: {e.strerror}",
                        pos)) from None
            f.write(line + "\n")
            f.flush()


def _cross_check(file: str, ours: list[str], config: Config) -> None:
    from ..check.crosscheck import compare, reference_answers

    solvers = ("z3", "cvc5") if config.cross_check == "all" else (config.cross_check,)
    problems: list[str] = []
    for solver in solvers:
        theirs = reference_answers(file, solver, config.cross_check_timeout)
        problems += compare(ours, theirs, solver)
    if problems:
        raise CrossCheckError("; ".join(problems))


def _print_stats(results: list, parse_s: float) -> None:
    for i, r in enumerate(results):
        d = {"parse_s": round(parse_s, 6), **r.stats.as_dict()}
        click.echo(f"stats (check-sat #{i + 1}, {r.status}):", err=True)
        width = max(len(k) for k in d)
        for k, v in d.items():
            click.echo(f"  {k:<{width}}  {v}", err=True)


@main.command("encode")
@click.argument("file", type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="-",
              help="Where to write the DIMACS CNF (default: stdout).")
@click.option("--encoding", type=click.Choice(ENCODINGS),
              default="auto", show_default=True, help="Eager encoding (as for solve).")
def encode_cmd(file: str, output: str, encoding: str) -> None:
    """Encode the assertions of FILE to DIMACS CNF (for any SAT solver).

    The CNF is satisfiable iff the conjunction of FILE's assertions is.
    """
    from ..encode import encode
    from ..ir.normalize import normalize
    from ..result import Stats
    from ..smtlib.parser import parse_file

    try:
        script = parse_file(file)
        try:
            norm = normalize(script.assertions, positions=script.atom_pos)
        except InputError as e:
            raise script.locate(e)
        stats = Stats()
        enc = encode(norm, encoding=encoding, stats=stats)
        if -1 in norm.circuit.roots:
            enc.cnf.add([])
    except FileNotFoundError:
        fail("error", f"{file}: no such file", EXIT_INPUT)
    except InputError as e:
        fail("error", str(e), EXIT_INPUT)
    header = [f"eagersmt {__version__} encoding of {file}",
              f"encoding: {stats.notes.get('encodings', '')}; classes: {stats.counts['classes']}; "
              f"predicates: {stats.counts['preds']}"]
    out = sys.stdout if output == "-" else open(output, "w")
    try:
        enc.cnf.write_dimacs(out, header)
    finally:
        if out is not sys.stdout:
            out.close()


from .bench import bench  # noqa: E402  (eagersmt bench: cli/bench.py)
main.add_command(bench)


from .cubes import conquer_cmd, cube_cmd  # noqa: E402

main.add_command(cube_cmd)
main.add_command(conquer_cmd)

from .proof import check_proof_cmd  # noqa: E402

main.add_command(check_proof_cmd)

from .cluster import add_commands  # noqa: E402  (submit, status, logs, result: cli/cluster.py)

add_commands(main, config_options, make_config)

from .optimize import make_optimize_cmd  # noqa: E402  (eagersmt optimize: cli/optimize.py)

main.add_command(make_optimize_cmd(config_options, make_config))

from .fuzz import add_commands as add_fuzz_commands  # noqa: E402  (fuzz, fuzz-input: cli/fuzz.py)
add_fuzz_commands(main)

from .memo import memo_cmd  # noqa: E402  (eagersmt memo stats|gc|export|import: cli/memo.py)

main.add_command(memo_cmd)

if __name__ == "__main__":  # pragma: no cover
    main()
