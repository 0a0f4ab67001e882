"""The whole problem beside the cubes: one Kissat process races the local conquer.

With ``--backend portfolio`` (the default) and ``--cubes``, the local conquer starts one
extra process that solves the *whole* CNF with Kissat, the portfolio's other member (the
cube workers run CaDiCaL), beside its K cube workers; whichever side answers first decides
(issue 5, item 4: "``--backend portfolio`` on the whole problem beside cubes").  Kissat's
``sat`` is a model of the whole CNF (decoded and checked like any other), its ``unsat`` the
whole CNF's; when the cubes finish first the racer is killed with its process group.

Cost: one more process (on 2 CPUs, three solvers share two), and writing the CNF as
DIMACS in that process (not in the caller).  Measured: a whole-CNF CaDiCaL beside a
1-worker conquer gave 0.95x on the hard job shops (``benchmarks/RESULTS.md``,
"Cube-and-conquer speed-up"); with K = 2 on this 2-CPU machine under load 2.2-2.8,
``--cubes auto`` took 4.9 s on orb05 with the racer vs 3.2-3.5 s without it, 2.85 s vs
2.2 s on lsidl js4-4 (the cubes answered first every time): on two CPUs it is a cost,
worth it where Kissat is much faster than CaDiCaL's cubes or with spare cores.  Not used with ``--backend cadical``/``kissat`` (behaviour unchanged), on Ray, or with
certificates (``proof_dir``: a certificate covers the refuted cubes, not a racer's answer).

The racer is a forked child in its own process group (like the cube workers) that runs
``KissatBackend`` with its temporary files in a directory of the caller's, so killing the
group leaves neither a process nor a file behind.
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


def kissat_executable() -> Optional[str]:
    """Kissat's path, or None when it is missing (then there is no racer)."""
    from ..backends.kissat import KissatNotFound, find_kissat

    try:
        return find_kissat()
    except KissatNotFound:
        return None


def _racer_main(cnf: CNF, executable: str, timeout: Optional[float], tmpdir: str,
                conn: Any) -> None:
    os.setpgid(0, 0)  # own process group: the caller kills it with Kissat inside
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the caller decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    tempfile.tempdir = tmpdir  # Kissat's DIMACS file goes where the caller cleans up
    try:
        from ..backends.kissat import KissatBackend

        r = KissatBackend(executable=executable).solve(cnf, timeout=timeout)
        conn.send((r.status, r.model, "" if r.status != Status.UNKNOWN else "no answer"))
    except Exception as e:  # noqa: BLE001 - reported as a value, the cubes go on
        conn.send((Status.UNKNOWN, None, f"{type(e).__name__}: {e}"))


class WholeRacer:
    """One Kissat process on the whole CNF (see the module doc): ``start``, then the
    caller waits on ``handles()`` with its own, ``poll()`` gives the answer once, and
    ``close()`` kills and cleans up (always)."""

    def __init__(self, cnf: CNF, executable: str, *, timeout: Optional[float] = None):
        self.cnf = cnf
        self.executable = executable
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
                                args=(self.cnf, self.executable, self.timeout, self.tmpdir,
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
