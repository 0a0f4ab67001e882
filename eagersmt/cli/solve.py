"""``eagersmt solve FILE | - | --interactive``: the click command; its body is ``script.py``.

``solve_argv.read`` reads the same arguments without click for the common case (the
console script tries it first); the two are kept equal by ``tests/test_cli_argv.py``.
"""

from __future__ import annotations

from typing import Any, Optional

import click

from .options import PROGRESS_HELP, config_options, file_after_ray, make_config
from .script import solve


@click.command("solve")
@click.argument("file", type=click.Path(), required=False)
@click.option("--interactive", "-in", "interactive", is_flag=True,
              help="Answer the commands of standard input as they arrive, as 'z3 -in': an "
                   "error is an (error \"...\") answer and the session goes on.")
@config_options
@click.option("--stats", is_flag=True, help="Print a table of stage times and sizes on stderr "
              "(and what --cross-check agreed on).")
@click.option("--progress/--no-progress", default=None, show_default="when stderr is a terminal",
              help=PROGRESS_HELP.format(what="the conquer's progress (a live display on a "
                                             "terminal, else a plain line every 5 s)"))
def solve_cmd(file: Optional[str], interactive: bool, stats: bool, progress: Optional[bool],
              **kwargs: Any) -> None:
    """Solve the SMT-LIB v2 script FILE ('-': standard input) and print what an SMT solver
    prints: sat / unsat / unknown, models, values, unsat cores.

    \b
    Exit codes: 0 answers printed; 1 bad input (error: FILE:LINE:COL: ...);
    2 usage (a bad option); 3 cross-check disagreement; 8 the --ray cluster
    cannot be reached; 70 internal error (a model failed its check); 130
    interrupted (SIGINT), 143 terminated (SIGTERM): both print unknown first
    and leave no solver process behind.
    Why an answer is unknown (timeout, memory limit) is said on stderr.  A
    command of the standard that eagersmt does not implement is answered
    (error "...") and the script goes on.
    """
    file = file_after_ray(kwargs, file)
    if file is None and not interactive:
        raise click.UsageError("give a FILE ('-' for standard input), or --interactive")
    if interactive and file not in (None, "-"):
        raise click.UsageError("--interactive reads standard input: give no FILE (or '-')")
    config = make_config(kwargs)
    solve(file or "-", config, stats=stats, progress=progress, interactive=interactive)


