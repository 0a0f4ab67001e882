"""Run a function in a forked child with a wall-clock limit, killing it when time is up.

python-sat's CaDiCaL cannot be interrupted from another thread, so a time limit needs a
process boundary: the child inherits the CNF by ``fork`` (copy-on-write, no pickling of the
input), sends back its result through a pipe, and is killed (SIGKILL) on timeout.  No child
outlives the call.  ``Child`` is ``os.fork`` and ``os.pipe`` with one pickled message, not
``multiprocessing``, whose import (with ``socket`` and ``selectors``) would cost every solve
that forks one child more than the fork (``benchmarks/RESULTS.md``, "Start-up").
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import resource
import select
import signal
import time
from typing import Any, Callable, Iterator, Optional, TypeVar

R = TypeVar("R")


class Timeout(Exception):
    pass


class Child:
    """A forked child running ``child_main``, and the reading end of its pipe (``fileno``:
    readable when its message has come or it has exited: ``wait_readable``).  ``poll``, then
    ``recv`` (its one message, ``EOFError`` when it died without one); ``is_alive``,
    ``join`` and ``exitcode`` (negative: the signal that ended it), as ``multiprocessing``'s."""

    def __init__(self, pid: int, fd: int):
        self.pid, self.fd = pid, fd
        self.exitcode: Optional[int] = None

    def fileno(self) -> int:
        return self.fd

    def poll(self, timeout: Optional[float] = 0.0) -> bool:
        return bool(wait_readable([self.fd], timeout))

    def recv(self) -> Any:
        chunks = []
        while True:
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        if not chunks:
            raise EOFError
        return pickle.loads(b"".join(chunks))

    def is_alive(self) -> bool:
        if self.exitcode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.exitcode = os.waitstatus_to_exitcode(status)
        return self.exitcode is None

    def join(self) -> None:
        if self.exitcode is None:
            self.exitcode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])

    def kill(self) -> None:
        """SIGKILL if still running, then wait for it."""
        if self.is_alive():
            os.kill(self.pid, signal.SIGKILL)
        self.join()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def wait_readable(fds: list[Any], timeout: Optional[float]) -> list[int]:
    """Wait until one of ``fds`` (descriptors, or objects with ``fileno``) is readable
    (data, end of file or a process descriptor's exit) or ``timeout`` seconds (None:
    forever) have passed; the readable descriptors.  ``poll``, not ``select``: any
    descriptor number."""
    p = select.poll()
    for fd in fds:
        p.register(fd, select.POLLIN)
    ms = None if timeout is None else max(0, math.ceil(timeout * 1000))
    return [fd for fd, _ in p.poll(ms)]


def child_main(fn: Callable[[], R], fd: int) -> None:
    """The body of a solver child: ``fn()``'s value (or its error) goes back through the
    pipe ``fd`` as one pickled ``("ok", value)`` or ``("error", text)``."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        data = pickle.dumps(("ok", fn()), pickle.HIGHEST_PROTOCOL)
    except BaseException as e:  # report everything, including MemoryError
        data = pickle.dumps(("error", "out of memory" if isinstance(e, MemoryError) else
                             str(e) or "it stopped without a message"))
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def start_child(fn: Callable[[], R]) -> Child:
    """Fork a child that runs ``fn`` (``child_main``) and exits (``os._exit``: none of this
    process's exit handlers, no flush of its buffers)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read)
            child_main(fn, write)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    return Child(pid, read)


def run_with_timeout(fn: Callable[[], R], timeout: Optional[float]) -> R:
    """``fn()`` in a child process; ``Timeout`` if it has not answered after ``timeout`` s."""
    child = start_child(fn)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if child.poll(0.5 if left is None else min(left, 0.5)):
                try:
                    kind, payload = child.recv()
                except EOFError:
                    child.join()
                    raise RuntimeError(f"solver process died (exit code {child.exitcode})") \
                        from None
                if kind == "error":
                    raise RuntimeError(f"solver process failed: {payload}")
                return payload  # type: ignore[no-any-return]
            if deadline is not None and time.monotonic() >= deadline:
                raise Timeout()
    finally:
        child.kill()
        child.close()
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
