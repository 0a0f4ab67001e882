"""``eagersmt solve FILE``: run an SMT-LIB script and print what an SMT solver prints.

``run_script`` is shared with the Ray job's ``job-run``: it parses FILE, runs its commands
through the SMT-LIB session (``session.Session``), routes every output line to stdout, stderr
or the file a ``(set-option :regular-output-channel ...)`` named, cross-checks the answers
with ``--cross-check`` (then the lines are held back until the reference agrees), and says
on stderr why an answer is ``unknown``.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

import click

from ..config import Config
from ..errors import CrossCheckError, InputError
from .errors import reported_errors


def solve(file: str, config: Config, *, stats: bool = False, progress: bool = False) -> None:
    """The ``solve`` command's body (exit codes: ``cli/errors.py``)."""
    with reported_errors(file):
        session, parse_s = run_script(file, config, progress=progress)
    if stats:
        _print_stats(session.results, parse_s)


def run_script(file: str, config: Config, *, progress: bool = False,
               echo: Optional[Callable[[str], None]] = None) -> tuple[Any, float]:
    """Parse and run FILE (errors are raised; the caller reports them): the ``Session`` and
    the parse time.  ``echo``: also called with every stdout line (the Ray job keeps them)."""
    from ..session import Session
    from ..smtlib.parser import parse_file
    from .progress import progress_display

    t0 = time.perf_counter()
    script = parse_file(file)
    parse_s = time.perf_counter() - t0
    for w in script.warnings:
        click.echo(f"warning: {w.locate('', file)}", err=True)
    session = Session(script, config=config)
    held: list[tuple[tuple[str, Any], str]] = []  # ((channel, its set-option), line)
    with _Channels(script, echo) as out, progress_display(config, force=progress):
        for line in session.run():
            where = (session.regular_channel, session.regular_channel_pos)
            if config.cross_check == "none":
                out.write(where, line)
            else:
                held.append((where, line))
        if config.cross_check != "none":
            _cross_check(file, [str(r.status) for r in session.results], config)
            for where, line in held:
                out.write(where, line)
    for i, r in enumerate(session.results, 1):
        if str(r.status) == "unknown" and r.reason:
            click.echo(f"note: check-sat #{i}: unknown: {r.reason}", err=True)
    return session, parse_s


class _Channels:
    """Where a line goes: stdout, stderr, or the file a script named with
    ``(set-option :regular-output-channel "FILE")`` (opened for appending, kept open)."""

    def __init__(self, script: Any, echo: Optional[Callable[[str], None]] = None) -> None:
        self.script = script  # to locate an error at the set-option that named the file
        self.echo = echo
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
            if self.echo is not None:
                self.echo(line)
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
