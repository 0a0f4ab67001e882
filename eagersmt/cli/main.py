"""The ``eagersmt`` command line: the only place that prints.

One module per group of commands: ``solve`` (``solve.py``), ``optimize`` (``optimize.py``),
``check-proof`` (``proof.py``), the DIMACS-level ``encode``, ``cube``, ``conquer``
(``cnf.py``), the Ray Jobs commands ``submit``, ``status``, ``logs``, ``result`` (``jobs.py``),
and the tooling ``bench``, ``fuzz``, ``fuzz-input`` (``bench.py``, ``fuzz.py``).  One table of
exit codes for every command (``cli/errors.py``, ``EXIT_CODES``); the DIMACS commands
follow the SAT competition (10 sat, 20 unsat, 0 unknown).  Every command runs under
``errors.interrupts``: Ctrl-C and SIGTERM end it the same way everywhere.
"""

from __future__ import annotations

import warnings
from typing import Any, Optional

import click

from .. import __version__
from . import fuzz, jobs
from .bench import bench
from .cnf import conquer_cmd, cube_cmd, encode_cmd
from .errors import interrupts
from .memo import memo_cmd
from .optimize import optimize_cmd
from .options import config_options, make_config
from .proof import check_proof_cmd
from .solve import solve_cmd


class _Commands(click.Group):
    """The ``eagersmt`` group: every command runs under ``errors.interrupts`` (Ctrl-C and
    SIGTERM end it with exit 130 / 143 and a message, never a traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        with interrupts():
            return super().invoke(ctx)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eagersmt")
def main() -> None:
    """eagersmt: SMT (integer/real difference logic) by eager reduction to SAT."""
    warnings.showwarning = _show_warning


def _show_warning(message: Any, category: Any, filename: str, lineno: int, file: Any = None,
                  line: Optional[str] = None) -> None:
    """The library's warnings (a lemma store that cannot be used) as ``warning:`` lines."""
    click.echo(f"warning: {message}", err=True)


for _cmd in (solve_cmd, optimize_cmd, check_proof_cmd, encode_cmd, cube_cmd, conquer_cmd,
             bench, memo_cmd):
    main.add_command(_cmd)
jobs.add_commands(main, config_options, make_config)
fuzz.add_commands(main)

if __name__ == "__main__":  # pragma: no cover
    main()
