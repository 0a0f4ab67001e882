"""How the SMT-LIB commands (``solve``, ``optimize``) end: one mapping from exceptions to a
message on stderr and an exit code, so that every command reports a failure the same way.

Exit codes: 0 an answer was printed (sat, unsat or unknown); 1 bad input (``error:
FILE:LINE:COL: message``); 2 internal error (e.g. a SAT model that does not satisfy the
formula: never printed as ``sat``); 3 a cross-check disagreed; 130 interrupted (SIGINT),
143 terminated (SIGTERM): both print ``unknown`` first, and every solver process is killed
by the ``finally`` blocks that started it.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from typing import Any, Callable, Iterator, Optional

import click

from ..errors import CrossCheckError, EagerSmtError, InputError, InternalError

EXIT_INPUT, EXIT_INTERNAL, EXIT_CROSSCHECK, EXIT_INTERRUPT, EXIT_TERMINATED = 1, 2, 3, 130, 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that the same clean-up as Ctrl-C runs."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated()


def fail(kind: str, msg: str, code: int) -> None:
    click.echo(f"{kind}: {msg}", err=True)
    sys.exit(code)


def classify(e: BaseException, file: str) -> Optional[tuple[str, str, int]]:
    """``(kind, message, exit code)`` of an exception a command reports (None: not ours)."""
    if isinstance(e, FileNotFoundError):
        return "error", f"{file}: no such file", EXIT_INPUT
    if isinstance(e, IsADirectoryError):
        return "error", f"{file}: is a directory", EXIT_INPUT
    if isinstance(e, InputError):
        return "error", str(e), EXIT_INPUT
    if isinstance(e, CrossCheckError):
        return "error", f"cross-check failed: {e}", EXIT_CROSSCHECK
    if isinstance(e, InternalError):
        return ("internal error",
                f"{e} (this is a bug in eagersmt; please report it with the input)", EXIT_INTERNAL)
    if isinstance(e, Terminated):
        return "error", "terminated", EXIT_TERMINATED
    if isinstance(e, KeyboardInterrupt):
        return "error", "interrupted", EXIT_INTERRUPT
    if isinstance(e, (EagerSmtError, RuntimeError, MemoryError, RecursionError)):
        return "internal error", f"{type(e).__name__}: {e}", EXIT_INTERNAL
    return None


@contextlib.contextmanager
def reported_errors(file: str,
                    on_failure: Optional[Callable[[str, int], None]] = None) -> Iterator[None]:
    """Run a command on ``file``: SIGTERM behaves like Ctrl-C; exceptions become messages and
    exit codes (module doc; an interrupt prints ``unknown`` first).  ``on_failure(message,
    exit_code)`` runs before the exit (a Ray job prints its result line there)."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    except BaseException as e:
        reported = classify(e, file)
        if reported is None:
            raise
        kind, message, code = reported
        if isinstance(e, KeyboardInterrupt):
            click.echo("unknown")
        if on_failure is not None:
            on_failure(message, code)
        fail(kind, message, code)
