"""The ``eagersmt`` click group (the console script is ``main.run``).

One module per group of commands: ``solve`` (``solve.py``, its body ``script.py``),
``optimize`` (``optimize.py``), ``check-proof`` (``proof.py``), the DIMACS-level ``encode``,
``cube``, ``conquer`` (``cnf.py``), the Ray commands ``submit``, ``status``, ``logs``,
``result``, ``pool`` (``jobs.py``), the tooling ``bench``, ``fuzz``, ``fuzz-input``
(``bench.py``, ``fuzz.py``), and ``tune``, which learns a strategy file (``tune.py``).  One table of exit codes for every command (``cli/errors.py``,
``EXIT_CODES``); the DIMACS commands follow the SAT competition (10 sat, 20 unsat, 0
unknown).  Every command runs under ``errors.interrupts``: Ctrl-C and SIGTERM end it the
same way everywhere.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any, Optional

import click

from .. import __version__
from .errors import interrupts, show_warning

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
    """eagersmt: SMT over the integers and reals (difference logic, linear integer arithmetic, functions) by eager reduction to SAT."""
    warnings.showwarning = show_warning

