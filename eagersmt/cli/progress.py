"""The conquer's progress display on stderr (the conquer only calls a callback; this draws).

On a terminal, a rich line (cubes closed/total, refuted, re-split, retried, workers alive,
elapsed) while cubes are being conquered; in a pipe nothing, unless ``solve --progress`` asks
for plain lines (every 5 s, and a last one); ``--quiet`` turns both off.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, TextIO

from ..config import Config

if TYPE_CHECKING:  # the conquer layer loads only when a display is needed
    from ..conquer import Progress


def _line(p: Progress) -> str:
    return (f"{p.closed}/{p.cubes} cubes closed: refuted {p.refuted}, re-split {p.resplit}, "
            f"retried {p.retried}; running {p.running}, pending {p.pending}; "
            f"workers {p.workers}; {p.elapsed:.1f} s")


class PlainProgress:
    """A line on ``stream`` every ``every`` seconds of a conquer, and its last state."""

    def __init__(self, stream: TextIO, every: float = 5.0):
        self.stream = stream
        self.every = every
        self.next = every

    def __call__(self, p: Progress) -> None:
        if p.final or p.elapsed >= self.next:
            self.stream.write(f"progress: {_line(p)}\n")
            self.stream.flush()
            self.next = p.elapsed + self.every
        if p.final:
            self.next = self.every  # the next check-sat starts over

    def close(self) -> None:
        pass


class RichProgress:
    """A transient rich progress bar on stderr, started by the first snapshot."""

    def __init__(self, console: Any = None):
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, p: Progress) -> None:
        from rich.progress import BarColumn, Progress as Bar, TextColumn, TimeElapsedColumn

        if self.bar is None:
            self.bar = Bar(TextColumn("conquer"), BarColumn(), TextColumn("{task.fields[info]}"),
                           TimeElapsedColumn(), console=self.console, transient=True)
            self.bar.start()
        if self.task is None:
            self.task = self.bar.add_task("conquer", total=p.cubes, info="")
        info = (f"{p.closed}/{p.cubes} cubes · refuted {p.refuted} · re-split {p.resplit} · "
                f"retried {p.retried} · workers {p.workers}")
        self.bar.update(self.task, total=p.cubes, completed=p.closed, info=info)
        if p.final:
            self.bar.remove_task(self.task)
            self.task = None

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


@contextlib.contextmanager
def progress_display(config: Config, *, force: bool = False,
                     stream: Optional[TextIO] = None) -> Iterator[Optional[Callable]]:
    """Conquers inside the block report to a display chosen as in the module doc."""
    stream = stream or sys.stderr
    display: Any = None
    if not config.quiet:
        if stream.isatty():
            display = RichProgress()
        elif force:
            display = PlainProgress(stream)
    if display is None:
        yield None
        return
    from ..conquer import reporting

    try:
        with reporting(display):
            yield display
    finally:
        display.close()
