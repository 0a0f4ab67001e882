"""The ``eagersmt`` command line: the only place that prints.

One module per group of commands: ``solve`` (``solve.py``), ``optimize`` (``optimize.py``),
``check-proof`` (``proof.py``), the DIMACS-level ``encode``, ``cube``, ``conquer``
(``cnf.py``), the Ray Jobs commands ``submit``, ``status``, ``logs``, ``result`` (``jobs.py``),
and the tooling ``bench``, ``fuzz``, ``fuzz-input`` (``bench.py``, ``fuzz.py``).  One table of
exit codes for every command (``cli/errors.py``, ``EXIT_CODES``): 0 answer, 1 bad input, 2
usage, 3 cross-check disagreement, 70 internal error, 130/143 interrupted/terminated; the
DIMACS commands follow the SAT competition (10 sat, 20 unsat, 0 unknown).
"""

from __future__ import annotations

import time
from typing import Any, Optional

STARTED = time.perf_counter()  # (optimize --timeout counts from here)

import warnings

import click

from .. import __version__
from .options import config_options, file_after_ray, make_config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eagersmt")
def main() -> None:
    """eagersmt: SMT (integer/real difference logic) by eager reduction to SAT."""
    warnings.showwarning = _show_warning


def _show_warning(message: Any, category: Any, filename: str, lineno: int, file: Any = None,
                  line: Optional[str] = None) -> None:
    """The library's warnings (a lemma store that cannot be used) as ``warning:`` lines."""
    click.echo(f"warning: {message}", err=True)


@main.command("solve")
@click.argument("file", type=click.Path(), required=False)
@click.option("--interactive", "-in", "interactive", is_flag=True,
              help="Answer the commands of standard input as they arrive, as 'z3 -in': an "
                   "error is an (error \"...\") answer and the session goes on.")
@config_options
@click.option("--stats", is_flag=True, help="Print a table of stage times and sizes on stderr "
              "(and what --cross-check agreed on).")
@click.option("--progress", is_flag=True,
              help="Conquer progress on stderr even when it is not a terminal (plain lines "
                   "every 5 s; a terminal gets a live display anyway unless --quiet).")
def solve_cmd(file: Optional[str], interactive: bool, stats: bool, progress: bool,
              **kwargs: Any) -> None:
    """Solve the SMT-LIB v2 script FILE ('-': standard input) and print what an SMT solver
    prints: sat / unsat / unknown, models, values, unsat cores.

    \b
    Exit codes: 0 answers printed; 1 bad input (error: FILE:LINE:COL: ...);
    2 usage (a bad option); 3 cross-check disagreement; 70 internal error (a
    model failed its check); 130 interrupted (SIGINT), 143 terminated
    (SIGTERM): both print unknown first and leave no solver process behind.
    Why an answer is unknown (timeout, memory limit) is said on stderr.  A
    command of the standard that eagersmt does not implement is answered
    (error "...") and the script goes on.
    """
    from .solve import solve

    file = file_after_ray(kwargs, file)
    if file is None and not interactive:
        raise click.UsageError("give a FILE ('-' for standard input), or --interactive")
    if interactive and file not in (None, "-"):
        raise click.UsageError("--interactive reads standard input: give no FILE (or '-')")
    config = make_config(kwargs)
    solve(file or "-", config, stats=stats, progress=progress, interactive=interactive)


def _register() -> None:
    from .bench import bench
    from .cnf import conquer_cmd, cube_cmd, encode_cmd
    from .fuzz import add_commands as add_fuzz_commands
    from .jobs import add_commands as add_job_commands
    from .optimize import optimize_cmd
    from .proof import check_proof_cmd

    for cmd in (encode_cmd, cube_cmd, conquer_cmd, bench, check_proof_cmd, optimize_cmd):
        main.add_command(cmd)
    add_job_commands(main, config_options, make_config)
    add_fuzz_commands(main)


_register()

from .memo import memo_cmd  # noqa: E402  (eagersmt memo stats|gc|export|import: cli/memo.py)

main.add_command(memo_cmd)

if __name__ == "__main__":  # pragma: no cover
    main()
