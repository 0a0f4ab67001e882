"""How the commands end: one table of exit codes, and one mapping from exceptions to a
message on stderr and a code, so that every command reports a failure the same way.

Exit codes (``EXIT_CODES``, the README's table; no two meanings share a code):
0 an answer was printed (sat / unsat / unknown, a verified certificate, a finished run);
1 bad input: a file that cannot be read or written, or its content (``error:
FILE:LINE:COL: message``); 2 usage: an unknown option, a bad option value, a missing
argument (click's code); 3 a cross-check disagreed; 4 a verification refused
(``check-proof``: a certificate rejected; ``memo``: entries not authentic);
5 wrong answers or failures found (``bench``, ``fuzz``, ``fuzz-input``); 6 a Ray job has
not finished, 7 it ended without a result (``status``, ``result``); 8 a service cannot be
reached or refuses the connection (``--ray ADDRESS``, the Ray Jobs endpoint); 9 no such Ray
job; 10 / 20 satisfiable / unsatisfiable (the DIMACS commands, as SAT solvers); 70 internal
error (a bug: e.g. a SAT model that does not satisfy the formula, never printed as
``sat``); 130 interrupted (SIGINT), 143 terminated (SIGTERM): both print ``unknown`` first
(where an answer is due), and every solver process is killed by the ``finally`` blocks that
started it.  No message names an exception class.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from typing import Any, Callable, Iterator, Optional, TextIO

from ..errors import CrossCheckError, EagerSmtError, InputError, InternalError, Unreachable

EXIT_ANSWER, EXIT_INPUT, EXIT_USAGE, EXIT_CROSSCHECK, EXIT_REJECTED = 0, 1, 2, 3, 4
EXIT_WRONG, EXIT_NOT_FINISHED, EXIT_NO_RESULT, EXIT_UNREACHABLE, EXIT_NO_JOB = 5, 6, 7, 8, 9
EXIT_SAT, EXIT_UNSAT, EXIT_INTERNAL, EXIT_INTERRUPT, EXIT_TERMINATED = 10, 20, 70, 130, 143

EXIT_CODES: dict[int, str] = {
    EXIT_ANSWER: "an answer (sat, unsat or unknown; DIMACS: s UNKNOWN), a verified "
                 "certificate, a finished run",
    EXIT_INPUT: "bad input: a file that cannot be read or written, or its content "
                "(error: FILE:LINE:COL: message)",
    EXIT_USAGE: "usage: an unknown option, a bad option value, a missing argument",
    EXIT_CROSSCHECK: "--cross-check: the reference solver disagrees",
    EXIT_REJECTED: "a verification refused: check-proof (the certificate is rejected), memo "
                   "(entries not authentic under the key)",
    EXIT_WRONG: "bench, fuzz, fuzz-input: wrong answers or failures found",
    EXIT_NOT_FINISHED: "status, result: the Ray job has not finished (PENDING, RUNNING)",
    EXIT_NO_RESULT: "status, result: the Ray job ended without a result (FAILED, STOPPED)",
    EXIT_UNREACHABLE: "--ray ADDRESS, submit, status, logs, result: the Ray cluster or Jobs "
                      "endpoint cannot be reached, is not Ray, or refuses the token",
    EXIT_NO_JOB: "status, logs, result: no Ray job of that id",
    EXIT_SAT: "DIMACS commands (conquer): s SATISFIABLE",
    EXIT_UNSAT: "DIMACS commands (conquer, cube): s UNSATISFIABLE",
    EXIT_INTERNAL: "internal error: a bug in eagersmt (e.g. a model that failed its check)",
    EXIT_INTERRUPT: "interrupted (SIGINT): unknown is printed first, no solver process is left",
    EXIT_TERMINATED: "terminated (SIGTERM): as for SIGINT",
}


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that the same clean-up as Ctrl-C runs."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated()


def echo(line: str, err: bool = False) -> None:
    """``line`` and a newline on stdout (``err``: stderr), flushed: what ``click.echo`` writes
    (but for its removal of ANSI escapes off a terminal), without importing click (the
    ``solve`` path does not)."""
    out = sys.stderr if err else sys.stdout
    out.write(line + "\n")
    out.flush()


def show_warning(message: Any, category: Any, filename: str, lineno: int, file: Any = None,
                 line: Optional[str] = None) -> None:
    """The library's warnings (a lemma store that cannot be used) as ``warning:`` lines
    (``warnings.showwarning`` of every command)."""
    echo(f"warning: {message}", err=True)


def fail(kind: str, msg: str, code: int) -> None:
    echo(f"{kind}: {msg}", err=True)
    sys.exit(code)


@contextlib.contextmanager
def output_file(path: str) -> Iterator[TextIO]:
    """``path`` opened for writing (``-``: stdout, left open); ``error: cannot write PATH``
    and exit 1 when it cannot be."""
    if path == "-":
        yield sys.stdout
        return
    try:
        f = open(path, "w")  # noqa: SIM115 (closed below)
    except OSError as e:
        fail("error", f"cannot write {path}: {e.strerror}", EXIT_INPUT)
    try:
        yield f
    finally:
        f.close()


def classify(e: BaseException, file: str) -> Optional[tuple[str, str, int]]:
    """``(kind, message, exit code)`` of an exception a command reports (None: not ours)."""
    if isinstance(e, FileNotFoundError):
        return "error", f"{file}: no such file", EXIT_INPUT
    if isinstance(e, IsADirectoryError):
        return "error", f"{file}: is a directory", EXIT_INPUT
    if isinstance(e, PermissionError):
        return "error", f"{e.filename or file}: permission denied", EXIT_INPUT
    if isinstance(e, Unreachable):
        return "error", str(e), EXIT_UNREACHABLE
    if isinstance(e, InputError):
        return "error", str(e), EXIT_INPUT
    if isinstance(e, CrossCheckError):
        return "error", f"cross-check failed: {e}", EXIT_CROSSCHECK
    if isinstance(e, InternalError):
        return ("internal error",
                f"{e} (this is a bug in eagersmt; please report it with the input)", EXIT_INTERNAL)
    if isinstance(e, (FileExistsError, NotADirectoryError)):
        return "error", f"{e.filename or file}: not a directory", EXIT_INPUT
    if isinstance(e, KeyboardInterrupt):
        return interrupted(e)
    if isinstance(e, MemoryError):
        return ("internal error", "out of memory (with --memory-limit MB the answer is "
                "'unknown' instead)", EXIT_INTERNAL)
    if isinstance(e, RecursionError):
        return ("internal error", "the input nests too deeply for this Python (this is a bug "
                "in eagersmt; please report it with the input)", EXIT_INTERNAL)
    if isinstance(e, (EagerSmtError, RuntimeError)):
        return ("internal error", f"{e or 'no message'} (this is a bug in eagersmt; please "
                "report it with the input)", EXIT_INTERNAL)
    return None


def interrupted(e: KeyboardInterrupt) -> tuple[str, str, int]:
    """``(kind, message, exit code)`` of Ctrl-C (130) or SIGTERM (143)."""
    seen: Optional[BaseException] = e
    while seen is not None:  # (the optimizer re-raises Ctrl-C with its best result so far)
        if isinstance(seen, Terminated):
            return "error", "terminated", EXIT_TERMINATED
        seen = seen.__cause__ or seen.__context__
    return "error", "interrupted", EXIT_INTERRUPT


@contextlib.contextmanager
def interrupts() -> Iterator[None]:
    """Around every command (``cli.main``): SIGTERM behaves like Ctrl-C, and either ends the
    command with ``error: interrupted`` (130) or ``error: terminated`` (143) on stderr, no
    traceback.  The solver processes and temporary files are removed by the ``finally``
    blocks that made them, as the exception passes; what a command prints on stdout first
    (``unknown``) is its own (``reported_errors(answer=)``)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    except KeyboardInterrupt as e:
        fail(*interrupted(e))


@contextlib.contextmanager
def reported_errors(file: str, on_failure: Optional[Callable[[str, int], None]] = None, *,
                    answer: Optional[str] = None) -> Iterator[None]:
    """Run a command on ``file``: exceptions become messages and exit codes (module doc).
    ``answer``: the line printed on stdout first when interrupted (``unknown``, DIMACS: ``s
    UNKNOWN``).  ``on_failure(message, exit_code)`` runs before the exit (a Ray job prints
    its result line there)."""
    try:
        yield
    except BaseException as e:
        reported = classify(e, file)
        if reported is None:
            raise
        kind, message, code = reported
        if isinstance(e, KeyboardInterrupt) and answer is not None:
            echo(answer)
        if on_failure is not None:
            on_failure(message, code)
        fail(kind, message, code)
