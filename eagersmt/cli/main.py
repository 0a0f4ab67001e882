"""The ``eagersmt`` command line: the only place that prints.

One module per group of commands: ``solve`` (``solve.py``), ``optimize`` (``optimize.py``),
``check-proof`` (``proof.py``), the DIMACS-level ``encode``, ``cube``, ``conquer``
(``cnf.py``), the Ray Jobs commands ``submit``, ``status``, ``logs``, ``result`` (``jobs.py``),
and the tooling ``bench``, ``fuzz``, ``fuzz-input`` (``bench.py``, ``fuzz.py``).  Exit codes of
the SMT-LIB commands: ``cli/errors.py`` (0 answer, 1 bad input, 2 internal error, 3 cross-check
disagreement, 130/143 interrupted/terminated); DIMACS commands follow the SAT competition: 10
sat, 20 unsat, 0 unknown.
"""

from __future__ import annotations

from typing import Any

import click

from .. import __version__
from .options import config_options, make_config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eagersmt")
def main() -> None:
    """eagersmt: SMT (integer/real difference logic) by eager reduction to SAT."""


@main.command("solve")
@click.argument("file", type=click.Path())
@config_options
@click.option("--stats", is_flag=True, help="Print a table of stage times and sizes on stderr.")
@click.option("--progress", is_flag=True,
              help="Conquer progress on stderr even when it is not a terminal (plain lines "
                   "every 5 s; a terminal gets a live display anyway unless --quiet).")
def solve_cmd(file: str, stats: bool, progress: bool, **kwargs: Any) -> None:
    """Solve an SMT-LIB v2 FILE and print sat / unsat / unknown like an SMT solver.

    \b
    Exit codes: 0 answer printed; 1 bad input (error: FILE:LINE:COL: ...);
    2 internal error (a model failed its check); 3 cross-check disagreement;
    130 interrupted (SIGINT), 143 terminated (SIGTERM): both print unknown first
    and leave no solver process behind.  Why an answer is unknown (timeout,
    memory limit) is said on stderr.
    """
    from .solve import solve

    solve(file, make_config(kwargs), stats=stats, progress=progress)


def _register() -> None:
    from .bench import bench
    from .cnf import conquer_cmd, cube_cmd, encode_cmd
    from .fuzz import add_commands as add_fuzz_commands
    from .jobs import add_commands as add_job_commands
    from .optimize import make_optimize_cmd
    from .proof import check_proof_cmd

    for cmd in (encode_cmd, cube_cmd, conquer_cmd, bench, check_proof_cmd,
                make_optimize_cmd(config_options, make_config)):
        main.add_command(cmd)
    add_job_commands(main, config_options, make_config)
    add_fuzz_commands(main)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
