"""Run a function in a forked child with a wall-clock limit, killing it when time is up.

python-sat's CaDiCaL cannot be interrupted from another thread, so a time limit needs a
process boundary: the child inherits the CNF by ``fork`` (copy-on-write, no pickling of the
input), sends back its result through a pipe, and is killed (SIGKILL) on timeout.  No child
outlives the call.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import resource
import signal
import time
from typing import Any, Callable, Iterator, Optional, TypeVar

R = TypeVar("R")


class Timeout(Exception):
    pass


def child_main(fn: Callable[[], R], conn) -> None:  # type: ignore[no-untyped-def]
    """The body of a solver child: ``fn()``'s value (or its error) goes back through ``conn``."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        conn.send(("ok", fn()))
    except BaseException as e:  # report everything, including MemoryError
        conn.send(("error", "out of memory" if isinstance(e, MemoryError) else
                   str(e) or "it stopped without a message"))
    finally:
        conn.close()


def start_child(fn: Callable[[], R]) -> tuple[mp.process.BaseProcess, Any]:
    """Fork a child that runs ``fn`` (``child_main``): the process and the receiving end of
    its pipe (one message: ``("ok", value)`` or ``("error", text)``)."""
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=child_main, args=(fn, send), daemon=True)
    proc.start()
    send.close()
    return proc, recv


def run_with_timeout(fn: Callable[[], R], timeout: Optional[float]) -> R:
    """``fn()`` in a child process; ``Timeout`` if it has not answered after ``timeout`` s."""
    proc, recv = start_child(fn)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if recv.poll(left if left is None else min(left, 0.5)):
                try:
                    kind, payload = recv.recv()
                except EOFError:
                    raise RuntimeError(f"solver process died (exit code {proc.exitcode})") from None
                if kind == "error":
                    raise RuntimeError(f"solver process failed: {payload}")
                return payload
            if not proc.is_alive() and not recv.poll():
                raise RuntimeError(f"solver process died (exit code {proc.exitcode})")
            if deadline is not None and time.monotonic() >= deadline:
                raise Timeout()
    finally:
        if proc.is_alive():
            os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        recv.close()


@contextlib.contextmanager
def memory_limit(mb: Optional[int]) -> Iterator[None]:
    """Allow this process ``mb`` MB of address space beyond what it uses now, and so every
    solver process it starts while the limit holds (forked children and Kissat inherit the
    limit); restored afterwards.  Relative, because an embedding process (or pytest) may
    already map more than a small absolute limit, and would then fail at once.  Past it,
    allocation fails (``MemoryError`` here, a dead solver process there) instead of the
    machine running out and the OS killing someone.  ``None``: no-op."""
    if mb is None:
        yield
        return
    old = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + (mb << 20)
    if old[1] != resource.RLIM_INFINITY:
        limit = min(limit, old[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, old[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, old)


def _address_space() -> int:
    """Bytes of virtual address space this process maps now (``VmSize``)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        import psutil

        return int(psutil.Process().memory_info().vms)
