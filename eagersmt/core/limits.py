"""Limits of one decision, handled in one place: memory, and Ctrl-C.

``within_limits(config, run, out_of_memory, cleanup)`` runs a decision (``decide.py``) or a
search (``optimize``) under ``config.memory_limit`` (past it the answer is ``unknown`` with
the reason; ``backends.process.memory_limit`` caps this process and the solver processes it
starts).  On an interrupt (``KeyboardInterrupt``,
or python-sat's ``pysolvers.error: Caught keyboard interrupt`` when SIGINT arrives inside a
native solve) ``cleanup`` closes the kept solvers, the strategies have already killed their
child processes and removed their temporary files on the way out (their ``finally``
blocks), and ``KeyboardInterrupt`` propagates: the CLI answers ``unknown`` and exits 130,
the Python API raises it.  Timeouts are deadlines passed down to every SAT call; the
Python stages before it that do not watch the clock (encoding) run under
``deadline_alarm``, which interrupts them when the deadline passes.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator, Optional, TypeVar

from ..config import Config

T = TypeVar("T")


def is_interrupt(e: BaseException) -> bool:
    """Is ``e`` a Ctrl-C: ``KeyboardInterrupt``, or python-sat's error that reports one?"""
    if isinstance(e, KeyboardInterrupt):
        return True
    return type(e).__module__ == "pysolvers" and "keyboard interrupt" in str(e).lower()


class DeadlinePassed(Exception):
    """The deadline passed inside a ``deadline_alarm`` block."""


@contextmanager
def deadline_alarm(deadline: Optional[float],
                   passed: Callable[[], Exception] = DeadlinePassed) -> Iterator[None]:
    """Run the block until ``deadline`` (``time.perf_counter()`` seconds), then raise
    ``passed()`` in it.  A real-time timer (SIGALRM) interrupts the Python code between
    two bytecodes (a call into C returns first); only in the main thread and when no other
    real-time timer is running (an outer block's, the fuzzer's watchdog: it is in charge
    of time), else the block runs unwatched."""
    if deadline is None or threading.current_thread() is not threading.main_thread() \
            or signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        yield
        return
    left = deadline - time.perf_counter()
    if left <= 0:
        raise passed()

    def ring(signum: int, frame: object) -> None:
        raise passed()

    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, left)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def within_limits(config: Config, run: Callable[[], T], out_of_memory: Callable[[str], T],
                  cleanup: Optional[Callable[[], None]] = None) -> T:
    """``run()`` under ``config.memory_limit`` (past it: ``out_of_memory(reason)``), an
    interrupt made ``KeyboardInterrupt`` after ``cleanup()`` (module doc)."""
    try:
        if config.memory_limit is None:
            return run()
        from ..backends.process import memory_limit

        mb = config.memory_limit
        try:
            with memory_limit(mb):
                return run()
        except MemoryError:
            return out_of_memory(f"memory limit ({mb} MB) reached")
        except RuntimeError as e:  # a solver process that died under the limit
            if is_interrupt(e):
                raise
            return out_of_memory(f"memory limit ({mb} MB) reached? {e}")
    except BaseException as e:
        if not is_interrupt(e):
            raise
        if cleanup is not None:
            cleanup()
        if isinstance(e, KeyboardInterrupt):
            raise
        raise KeyboardInterrupt(str(e)) from None


__all__ = ["DeadlinePassed", "deadline_alarm", "is_interrupt", "within_limits"]
