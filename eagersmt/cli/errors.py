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
from typing import Any, Iterator

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


@contextlib.contextmanager
def reported_errors(file: str) -> Iterator[None]:
    """Run a command on ``file``: SIGTERM behaves like Ctrl-C; exceptions become messages and
    exit codes (module doc)."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    except FileNotFoundError:
        fail("error", f"{file}: no such file", EXIT_INPUT)
    except IsADirectoryError:
        fail("error", f"{file}: is a directory", EXIT_INPUT)
    except InputError as e:
        fail("error", str(e), EXIT_INPUT)
    except CrossCheckError as e:
        fail("error", f"cross-check failed: {e}", EXIT_CROSSCHECK)
    except InternalError as e:
        fail("internal error", f"{e} (this is a bug in eagersmt; please report it with the input)",
             EXIT_INTERNAL)
    except KeyboardInterrupt as e:
        click.echo("unknown")
        if isinstance(e, Terminated):
            fail("error", "terminated", EXIT_TERMINATED)
        fail("error", "interrupted", EXIT_INTERRUPT)
    except (EagerSmtError, RuntimeError, MemoryError, RecursionError) as e:
        fail("internal error", f"{type(e).__name__}: {e}", EXIT_INTERNAL)
