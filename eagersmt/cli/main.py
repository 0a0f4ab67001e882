"""The ``eagersmt`` command line: the only place that prints.

One module per group of commands: ``solve`` (``solve.py``), ``optimize`` (``optimize.py``),
``check-proof`` (``proof.py``), the DIMACS-level ``encode``, ``cube``, ``conquer``
(``cnf.py``), the Ray commands ``submit``, ``status``, ``logs``, ``result``, ``pool`` (``jobs.py``),
the tooling ``bench``, ``fuzz``, ``fuzz-input`` (``bench.py``, ``fuzz.py``), and ``tune``,
which learns a strategy file (``tune.py``).  One table of
exit codes for every command (``cli/errors.py``, ``EXIT_CODES``); the DIMACS commands
follow the SAT competition (10 sat, 20 unsat, 0 unknown).  Every command runs under
``errors.interrupts``: Ctrl-C and SIGTERM end it the same way everywhere.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any, Optional

import click

from .. import __version__
from .errors import interrupts

# Each command's module, loaded when the command runs (``eagersmt solve`` loads neither the
# benchmark, fuzzing, optimizer and Ray Jobs modules nor what they import): name ->
# (module of ``eagersmt.cli``, its attribute; None: the module's ``add_commands`` registers it).
_COMMAND_MODULES: dict[str, tuple[str, Optional[str]]] = {
    "solve": ("solve", "solve_cmd"), "optimize": ("optimize", "optimize_cmd"),
    "check-proof": ("proof", "check_proof_cmd"), "encode": ("cnf", "encode_cmd"),
    "cube": ("cnf", "cube_cmd"), "conquer": ("cnf", "conquer_cmd"), "bench": ("bench", "bench"),
    "memo": ("memo", "memo_cmd"), "tune": ("tune", "tune_cmd"), "fuzz": ("fuzz", None),
    "fuzz-input": ("fuzz", None),
    **{name: ("jobs", None) for name in ("submit", "status", "logs", "result", "job-run", "pool")},
}


class _Commands(click.Group):
    """The ``eagersmt`` group: every command runs under ``errors.interrupts`` (Ctrl-C and
    SIGTERM end it with exit 130 / 143 and a message, never a traceback); a command's module
    is imported when the command is asked for (``_COMMAND_MODULES``)."""

    def invoke(self, ctx: click.Context) -> Any:
        with interrupts():
            return super().invoke(ctx)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(_COMMAND_MODULES))

    def get_command(self, ctx: click.Context, cmd_name: str) -> Optional[click.Command]:
        if cmd_name not in self.commands and cmd_name in _COMMAND_MODULES:
            module_name, attr = _COMMAND_MODULES[cmd_name]
            module = importlib.import_module(f".{module_name}", __package__)
            if attr is not None:
                self.add_command(getattr(module, attr))
            elif module_name == "jobs":
                from .options import config_options, make_config

                module.add_commands(self, config_options, make_config)
            else:
                module.add_commands(self)
        return self.commands.get(cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eagersmt")
def main() -> None:
    """eagersmt: SMT (integer/real difference logic) by eager reduction to SAT."""
    warnings.showwarning = _show_warning


def _show_warning(message: Any, category: Any, filename: str, lineno: int, file: Any = None,
                  line: Optional[str] = None) -> None:
    """The library's warnings (a lemma store that cannot be used) as ``warning:`` lines."""
    click.echo(f"warning: {message}", err=True)


# Young objects between two collections of the cyclic garbage collector in the command's
# process (Python's default: 700).  The front end builds its terms and clauses in one go and
# keeps them to the end, so each collection scans live objects for nothing: with this many,
# a file of a few hundred thousand clauses is read and encoded without one, and a larger one
# sees a collection per that many new objects.  Measurements: ``benchmarks/RESULTS.md``,
# "Start-up".
GC_THRESHOLD = 200_000


def run() -> None:
    """The console script (and ``python -m eagersmt.cli.main``): ``main`` in a process of
    its own, which leaves the objects of its imports out of every collection (``gc.freeze``)
    and collects per ``GC_THRESHOLD`` new objects."""
    import gc

    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    main()


if __name__ == "__main__":  # pragma: no cover
    run()
