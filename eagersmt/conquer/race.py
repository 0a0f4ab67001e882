"""The whole problem beside the cubes: the portfolio's other member races the local conquer.

With the portfolio back end and ``--cubes``, the local conquer can start one extra process
that solves the *whole* CNF with the back end's ``racer`` (Kissat; the cube workers run
CaDiCaL) beside its K cube workers; whichever side answers first decides.  The racer's
``sat`` is a model of the whole CNF (decoded and checked like any other), its ``unsat`` the
whole CNF's; when the cubes finish first the racer is killed with its process group.

Cost: one more process, and writing the CNF as DIMACS in that process (not in the caller).
With every CPU busy it only slows the cubes, so ``make_conquer`` starts it only when a CPU
is left over (``benchmarks/RESULTS.md``, "Cube and conquer").  Not used with
certificates (a certificate covers the refuted cubes, not a racer's answer).

The racer is a forked child in its own process group (like the cube workers) that runs the
back end with its temporary files in a directory of the caller's, so killing the group leaves
neither a process nor a file behind.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import signal
import tempfile
from typing import Any, Optional

from ..encode.cnf import CNF
from ..result import Status


def _racer_main(cnf: CNF, backend: str, timeout: Optional[float], tmpdir: str,
                conn: Any) -> None:
    os.setpgid(0, 0)  # own process group: the caller kills it with Kissat inside
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the caller decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    tempfile.tempdir = tmpdir  # e.g. Kissat's DIMACS file goes where the caller cleans up
    try:
        from ..backends import get_backend

        r = get_backend(backend).solve(cnf, timeout=timeout)
        conn.send((r.status, r.model, "" if r.status != Status.UNKNOWN else "no answer"))
    except Exception as e:  # noqa: BLE001 - reported as a value, the cubes go on
        conn.send((Status.UNKNOWN, None, f"{type(e).__name__}: {e}"))


class WholeRacer:
    """Back end ``backend`` on the whole CNF in a child (see the module doc): ``start``,
    then the caller waits on ``handles()`` with its own, ``poll()`` gives the answer once,
    and ``close()`` kills and cleans up (always)."""

    def __init__(self, cnf: CNF, backend: str, *, timeout: Optional[float] = None):
        self.cnf = cnf
        self.backend = backend
        self.timeout = timeout
        self.proc: Optional[mp.process.BaseProcess] = None
        self.conn: Any = None
        self.tmpdir: Optional[str] = None
        self.done = False

    def start(self, ctx: Any = None) -> None:
        ctx = ctx or mp.get_context("fork")
        self.tmpdir = tempfile.mkdtemp(prefix="eagersmt-race-")
        mine, theirs = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_racer_main, daemon=True,
                                args=(self.cnf, self.backend, self.timeout, self.tmpdir,
                                      theirs))
        self.proc.start()
        theirs.close()
        self.conn = mine

    @property
    def pid(self) -> Optional[int]:
        return None if self.proc is None else self.proc.pid

    def handles(self) -> list:
        if self.done or self.proc is None:
            return []
        return [self.conn, self.proc.sentinel]

    def poll(self) -> Optional[tuple[Status, Optional[list[int]], str]]:
        """``(status, model, message)`` once the racer has finished (or died), else None."""
        if self.done or self.proc is None:
            return None
        try:
            if self.conn.poll():
                self.done = True
                return self.conn.recv()  # type: ignore[no-any-return]
        except (EOFError, OSError):
            pass
        if self.proc.is_alive():
            return None
        self.done = True
        return Status.UNKNOWN, None, f"died (exit code {self.proc.exitcode})"

    def close(self) -> None:
        self.done = True
        if self.proc is not None and self.proc.pid is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if self.proc.is_alive():
                try:
                    os.kill(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.proc.join(timeout=5)
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None
