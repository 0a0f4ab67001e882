"""Limits of one decision, handled in one place: memory, and Ctrl-C.

``within_limits(config, run, out_of_memory, cleanup)`` runs a decision (``decide.py``) or a
search (``optimize``) under ``config.memory_limit`` (past it the answer is ``unknown`` with
the reason; ``backends.process.memory_limit`` caps this process and the solver processes it
starts).  On an interrupt (``KeyboardInterrupt``,
or python-sat's ``pysolvers.error: Caught keyboard interrupt`` when SIGINT arrives inside a
native solve) ``cleanup`` closes the kept solvers, the strategies have already killed their
child processes and removed their temporary files on the way out (their ``finally``
blocks), and ``KeyboardInterrupt`` propagates: the CLI answers ``unknown`` and exits 130,
the Python API raises it.  Timeouts are deadlines passed down to every SAT call.
"""

from __future__ import annotations

from typing import Callable, Optional, TypeVar

from ..config import Config

T = TypeVar("T")


def is_interrupt(e: BaseException) -> bool:
    """Is ``e`` a Ctrl-C: ``KeyboardInterrupt``, or python-sat's error that reports one?"""
    if isinstance(e, KeyboardInterrupt):
        return True
    return type(e).__module__ == "pysolvers" and "keyboard interrupt" in str(e).lower()


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


__all__ = ["is_interrupt", "within_limits"]
