"""Running an SMT-LIB script as an SMT solver does: the ``solve`` command's body, without click.

``run_script`` is shared with the Ray job's ``job-run``: it runs FILE's commands through the
SMT-LIB session (``session.Session``), routes every output line to stdout, stderr or the
file a ``(set-option :regular-output-channel ...)`` named, cross-checks the answers with
``--cross-check`` (then the lines are held back until the reference agrees), and says on
stderr why an answer is ``unknown``.  ``run_stream`` reads standard input instead and
answers each command as soon as it has arrived (``solve -``); with ``--interactive`` every
error is an ``(error "...")`` answer and the session goes on, as ``z3 -in`` does.  Nothing
here imports click, whose import is a large part of a small file's run
(``benchmarks/RESULTS.md``, "Start-up"); ``solve.py`` is the click command around it.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Iterator, Optional

from ..config import Config
from ..errors import CrossCheckError, InputError
from .errors import echo, reported_errors

STDIN_NAME = "<stdin>"


def solve(file: str, config: Config, *, stats: bool = False, progress: Optional[bool] = None,
          interactive: bool = False) -> None:
    """The ``solve`` command's body (exit codes: ``cli/errors.py``)."""
    stdin = file == "-"
    with reported_errors(STDIN_NAME if stdin else file, answer="unknown"):
        if stdin:
            session = run_stream(config, progress=progress, interactive=interactive)
        else:
            session = run_script(file, config, progress=progress, stats=stats)
    if stats:
        print_stats(session.results, session.parse_s, parser=session.parser.elaborated)


def _warn(e: InputError) -> None:
    echo(f"warning: {e}", err=True)


def run_script(file: str, config: Config, *, progress: Optional[bool] = None, stats: bool = False,
               tee: Optional[Callable[[str], None]] = None) -> Any:
    """Run FILE (errors are raised; the caller reports them): the ``Session`` it ran.
    ``tee``: also called with every stdout line (the Ray job keeps them)."""
    from ..session import Session
    from ..smtlib.parser import read_source

    text = read_source(file)
    session = Session(config=config, filename=file, warn=_warn)
    held: list[tuple[tuple[str, Any], str]] = []  # ((channel, its set-option), line)
    try:
        with _Channels(session, tee) as out, _display(config, progress):
            for line in session.run_text(text):
                where = (session.regular_channel, session.regular_channel_pos)
                if config.cross_check == "none":
                    out.write(where, line)
                else:
                    held.append((where, line))
                _notes(session, config)
            if config.cross_check != "none":
                agreed = _cross_check(file, [str(r.status) for r in session.results], config)
                for where, line in held:
                    out.write(where, line)
                if stats:
                    echo(f"cross-check: {agreed}", err=True)
    finally:
        session.close()
    return session


def run_stream(config: Config, *, progress: Optional[bool] = None,
               interactive: bool = False) -> Any:
    """Run the script on standard input, answering each command as soon as it has arrived."""
    from ..session import Session

    if config.cross_check != "none" or config.proof is not None:
        from click import UsageError

        raise UsageError("--cross-check and --proof read the script again: give a FILE")
    session = Session(config=config, filename=STDIN_NAME, interactive=interactive, warn=_warn)
    try:
        with _Channels(session) as out, _display(config, progress):
            for chunk, final in _stdin_chunks(session):
                for line in session.feed(chunk, final=final):
                    out.write((session.regular_channel, session.regular_channel_pos), line)
                    _notes(session, config)
                if session.exited:
                    break
    finally:
        session.close()
    return session


def _stdin_chunks(session: Any) -> Iterator[tuple[str, bool]]:
    """Standard input as UTF-8 text, in the pieces it arrives in (all that is there at each
    read: a file or a fast pipe is read in large pieces), then ``("", True)`` at its end.
    Line endings as ``read_source`` reads them."""
    import codecs
    import select

    from ..errors import ParseError

    fd = sys.stdin.fileno()
    decoder = codecs.getincrementaldecoder("utf-8")()
    held_cr = ""  # a CR at the end of a piece may start a CRLF
    seen = 0  # bytes read before this piece
    while True:
        parts = [os.read(fd, 1 << 16)]
        while parts[-1] and select.select([fd], [], [], 0)[0]:
            parts.append(os.read(fd, 1 << 16))
        data = b"".join(parts)
        try:
            text = held_cr + decoder.decode(data, final=not data)
        except UnicodeDecodeError as e:  # answer what comes before the bad byte first
            start = min(max(e.start, 0), len(data) - 1)
            good = (held_cr + data[:start].decode("utf-8", "replace"))
            good = good.replace("\r\n", "\n").replace("\r", "\n")
            yield good, False
            before = session.text
            raise ParseError(f"not UTF-8 text (byte {seen + start}: 0x{data[start]:02x})",
                             line=before.count("\n") + 1, col=len(before) - before.rfind("\n"),
                             filename=STDIN_NAME) from None
        seen += len(data)
        held_cr = ""
        if data and text.endswith("\r"):
            text, held_cr = text[:-1], "\r"
        yield text.replace("\r\n", "\n").replace("\r", "\n"), not data
        if not data:
            return


def _display(config: Config, progress: Optional[bool]) -> Any:
    """The progress display (``progress``: None when stderr is a terminal, False none)."""
    import contextlib

    from .progress import progress_display

    if progress is False:
        return contextlib.nullcontext(None)
    return progress_display(config, force=bool(progress))


def _notes(session: Any, config: Config) -> None:
    """On stderr, once per check-sat: why an answer is unknown, and a forced ``--encoding``
    that some variable class did not get (it exceeded its budget: ``eij->order``)."""
    for i in range(getattr(session, "noted", 0), len(session.results)):
        r = session.results[i]
        if str(r.status) == "unknown" and r.reason:
            echo(f"note: check-sat #{i + 1}: unknown: {r.reason}", err=True)
        note = encoding_fallback(config, r.stats.notes.get("encodings", ""))
        if note:
            echo(f"note: check-sat #{i + 1}: {note}", err=True)
    session.noted = len(session.results)


def encoding_fallback(config: Config, encodings: str) -> str:
    """What to say when ``--encoding X`` was not honoured for some class ('' if it was):
    ``encodings`` is the stats note (``eij->order:2,eij:1``)."""
    if config.encoding == "auto" or not encodings:
        return ""
    fell = [item for item in encodings.split(",") if "->" in item]
    if not fell:
        return ""
    classes = sum(int(item.rsplit(":", 1)[1]) for item in fell)
    how = ", ".join(item.rsplit(":", 1)[0] for item in fell)
    return (f"--encoding {config.encoding} was not used for {classes} variable class"
            f"{'es' if classes != 1 else ''} ({how}): it exceeded its size budget"
            f"{' (--eij-max-clauses)' if config.encoding == 'eij' else ''}")


class _Channels:
    """Where a line goes: stdout, stderr, or the file a script named with
    ``(set-option :regular-output-channel "FILE")`` (opened for appending, kept open)."""

    def __init__(self, session: Any, tee: Optional[Callable[[str], None]] = None) -> None:
        self.session = session  # to locate an error at the set-option that named the file
        self.tee = tee
        self.files: dict[str, Any] = {}

    def __enter__(self) -> "_Channels":
        return self

    def __exit__(self, *exc: object) -> None:
        for f in self.files.values():
            f.close()

    def write(self, where: tuple[str, Any], line: str) -> None:
        channel, pos = where
        if channel == "stdout":
            echo(line)
            if self.tee is not None:
                self.tee(line)
        elif channel == "stderr":
            echo(line, err=True)
        else:
            f = self.files.get(channel)
            if f is None:
                try:
                    f = self.files[channel] = open(channel, "a")  # noqa: SIM115 (closed in __exit__)
                except OSError as e:
                    raise self.session.locate(InputError(
                        f"cannot open :regular-output-channel {channel!r}: {e.strerror}",
                        pos)) from None
            f.write(line + "\n")
            f.flush()


def _cross_check(file: str, ours: list[str], config: Config) -> str:
    """Compare with the reference solver(s): ``CrossCheckError`` on a disagreement, else
    what agreed (for ``--stats``)."""
    from ..check.crosscheck import compare, reference_answers

    solvers = ("z3", "cvc5") if config.cross_check == "all" else (config.cross_check,)
    problems: list[str] = []
    said = []
    for solver in solvers:
        theirs = reference_answers(file, solver, config.cross_check_timeout)
        problems += compare(ours, theirs, solver)
        decided = sum(a != "unknown" and b != "unknown" for a, b in zip(ours, theirs))
        said.append(f"{solver} agrees on {decided} of {len(ours)} answer"
                    f"{'s' if len(ours) != 1 else ''}")
    if problems:
        raise CrossCheckError("; ".join(problems))
    return "; ".join(said)


def print_stats(results: list, parse_s: float, labels: Optional[list[str]] = None, *,
                parser: Optional[dict[str, int]] = None) -> None:
    """Each result's stats on stderr (``labels``: what each is; default its check-sat;
    ``parser``: how many commands each front end elaborated, ``Parser.elaborated``)."""
    for i, r in enumerate(results):
        d: dict = {"parse_s": round(parse_s, 6)}
        if parser is not None:
            d["parser"] = ", ".join(f"{k} {v}" for k, v in parser.items())
        d.update(r.stats.as_dict())
        label = labels[i] if labels else f"check-sat #{i + 1}, {r.status}"
        echo(f"stats ({label}):", err=True)
        width = max(len(k) for k in d)
        for k, v in d.items():
            echo(f"  {k:<{width}}  {v}", err=True)
