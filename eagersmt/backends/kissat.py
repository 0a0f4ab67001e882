"""Kissat 4.0.4 as an external executable, one process per call.

A call starts ``kissat -q`` reading DIMACS from a pipe and writes the CNF into it from
another thread or process, so Kissat starts at once and parses while the text comes, and the
caller goes on meanwhile (the portfolio loads CaDiCaL on the other CPU): a CNF of at least
``base.NATIVE_CLAUSES`` clauses is made into text in C and written by a C thread
(``native/share.cpp``'s ``dimacs_start``; ``KissatRun.written`` waits for it: the caller must
before it forks, or the child would hold the pipe open), a smaller one (or one where the
native library cannot be built) by a forked child of this process.  With a DRAT proof Kissat
needs a file name, so the CNF goes to a temporary file first.  The ``s``/``v`` lines are
read back.  Cost: a process start plus writing and parsing text per literal (and, for the
forked writer, a fork: its page tables grow with this process, and this process's pages are
copied on write while it lives); worth it on large, hard instances.  Chosen with ``--backend kissat``
and raced against CaDiCaL by the ``portfolio`` back end.

The executable is looked up in this order: ``$EAGERSMT_KISSAT`` (a path or a name on PATH),
then ``sage_wheels/bin/kissat`` from the ``passagemath-kissat`` wheel, then ``kissat`` on PATH.
Kissat has no assumptions interface, so assumptions become unit clauses of the written file
(correct for a one-shot call).  Do not replace this with python-sat's ``Kissat404``: it
silently ignores assumptions.
"""

from __future__ import annotations

import importlib.util
import math
import os
import signal
import time
from typing import IO, Any, Optional, Sequence

from ..encode.cnf import CNF, SCHEDULE_TUNING
from ..result import Status
from .base import PathLike, SatResult, native_library

ENV_VAR = "EAGERSMT_KISSAT"

# The command-line options of a CNF's ``tuning`` (``CNF.tuning``; see ``cadical.TUNINGS``):
# "schedule", a job shop's compact order encoding: stable mode only, no elimination, probing
# or vivification (``benchmarks/RESULTS.md``, "Solver settings").
TUNINGS: dict[str, tuple[str, ...]] = {
    SCHEDULE_TUNING: ("--stable=2", "--eliminate=false", "--probe=false", "--vivify=false"),
}


class KissatNotFound(Exception):
    pass


class Spawned:
    """The Kissat process: ``os.posix_spawnp`` of ``args`` with ``stdin``, ``stdout`` and
    ``stderr`` (descriptors) as its 0, 1 and 2, and with the signals Python ignores
    (``SIGPIPE``, ``SIGXFSZ``) back to their defaults, as ``subprocess.Popen`` starts a
    child; ``pid``, ``returncode`` (negative: the signal that ended it), ``poll``, ``wait``,
    ``kill`` as ``Popen``'s.  (``subprocess`` itself, with ``selectors`` and ``locale``, is a
    large part of a one-shot solve's imports; ``benchmarks/RESULTS.md``, "Start-up".)  Every
    other descriptor of this process is close-on-exec (Python opens them so, PEP 446)."""

    def __init__(self, args: list[str], stdin: int, stdout: int, stderr: int) -> None:
        self.args = args
        self.returncode: Optional[int] = None
        actions = [(os.POSIX_SPAWN_DUP2, fd, i) for i, fd in enumerate((stdin, stdout, stderr))]
        self.pid = os.posix_spawnp(args[0], args, os.environ, file_actions=actions,
                                   setsigdef=(signal.SIGPIPE, signal.SIGXFSZ))

    def _reap(self, flags: int) -> Optional[int]:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, flags)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def poll(self) -> Optional[int]:
        return self._reap(os.WNOHANG)

    def wait(self, timeout: Optional[float] = None) -> Optional[int]:
        """The exit code; ``TimeoutError`` once ``timeout`` seconds have passed first."""
        if timeout is None:
            return self._reap(0)
        end, delay = time.monotonic() + timeout, 0.0005
        while self.poll() is None:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError
            delay = min(delay * 2, left, 0.05)
            time.sleep(delay)
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            os.kill(self.pid, signal.SIGKILL)


def _wheel_executable() -> Optional[str]:
    try:
        spec = importlib.util.find_spec("sage_wheels")
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(folder, "bin", "kissat")
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def find_kissat() -> str:
    """Path of the Kissat executable: ``$EAGERSMT_KISSAT``, the wheel's, then PATH."""
    override = os.environ.get(ENV_VAR)
    if override:  # an explicit choice that does not work is an error, not a fall-through
        import shutil

        path = shutil.which(override)
        if path is None:
            raise KissatNotFound(f"${ENV_VAR}={override!r} is not an executable")
        return path
    path = _wheel_executable()
    if path is None:
        import shutil

        path = shutil.which("kissat")
    if path is None:
        raise KissatNotFound(f"Kissat executable not found (set ${ENV_VAR}, install "
                             "passagemath-kissat, or put kissat on PATH)")
    return path


def unavailable() -> str:
    """Why Kissat cannot run here ('' when it can): the registry's availability check."""
    try:
        find_kissat()
    except KissatNotFound as e:
        return str(e)
    return ""


def write_dimacs(out: IO[str], cnf: CNF, assumptions: Sequence[int] = (), *,
                 essential: bool = False) -> None:
    """``cnf`` plus one unit clause per assumption, in DIMACS (``essential``: without the
    CNF's redundant lemmas)."""
    clauses = cnf.essential() if essential else cnf.clauses
    out.write(_header(cnf, clauses, assumptions))
    out.writelines(" ".join(map(str, cl)) + " 0\n" for cl in clauses)
    out.writelines(f"{a} 0\n" for a in assumptions)


def _header(cnf: CNF, clauses: Sequence[Sequence[int]], assumptions: Sequence[int]) -> str:
    """The ``p cnf`` line of ``clauses`` (of ``cnf``) and one unit per assumption."""
    nvars = max([cnf.nvars, *(abs(a) for a in assumptions)])
    return f"p cnf {nvars} {len(clauses) + len(assumptions)}\n"


def _fork_writer(fd: int, cnf: CNF, assumptions: Sequence[int]) -> int:
    """Fork a child that writes ``cnf`` (without its redundant lemmas) and the assumption units
    as DIMACS to the pipe ``fd`` and exits (at once if the reader is gone); its pid."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:  # the child: no exit handlers of the parent's (os._exit), nothing but the writing
        with os.fdopen(os.dup(fd), "w", buffering=1 << 20) as out:
            write_dimacs(out, cnf, assumptions, essential=True)
        code = 0
    finally:
        os._exit(code)


def _scratch() -> IO[bytes]:
    """An unnamed file for Kissat's output: a memfd where Linux has one (no ``tempfile``,
    whose import brings ``shutil``, ``random`` and the compressors), else a temporary file."""
    if hasattr(os, "memfd_create"):
        return open(os.memfd_create("eagersmt-kissat", os.MFD_CLOEXEC), "w+b")
    import tempfile

    return tempfile.TemporaryFile()


class KissatRun:
    """One started Kissat process.  ``poll``/``wait``, then ``result``; always ``close``.

    Kissat's stdout goes to an unnamed file (``_scratch``), not a pipe, so a large model never
    blocks the solver while the caller is busy elsewhere (the portfolio polls two engines).
    """

    def __init__(self, executable: str, cnf: CNF, assumptions: Sequence[int] = (), *,
                 timeout: Optional[float] = None, proof_path: Optional[PathLike] = None):
        self.cnf = cnf
        self.timed_out = False
        self.proc: Optional[Spawned] = None
        self.writer: Optional[int] = None  # pid of the child writing Kissat's input
        self.dimacs: Optional[int] = None  # or the native thread writing it (its handle)
        self.lib: Any = None
        self.cnf_path: Optional[str] = None
        self.out = _scratch()
        self.err = _scratch()
        try:
            self.start = time.perf_counter()
            args = [executable, "-q", *TUNINGS.get(cnf.tuning, ())]
            if timeout is not None:  # also a backstop should this process die without killing it
                args.append(f"--time={max(1, math.ceil(timeout))}")
            if proof_path is None:
                # Kissat gets the CNF without the pair lemmas (encode/pairs.py: they slow it
                # on job shops where they speed CaDiCaL up), from a pipe (the module doc)
                read, write = os.pipe()
                try:
                    try:
                        self.proc = Spawned(args, read, self.out.fileno(), self.err.fileno())
                    finally:
                        os.close(read)
                    self.lib = native_library(len(cnf.clauses))
                    if self.lib is not None:
                        self._start_thread(write, cnf, assumptions)
                    else:
                        self.writer = _fork_writer(write, cnf, assumptions)
                finally:
                    os.close(write)  # the writer's copy is now the only write end
            else:
                # A DRAT proof must refute the certificate's CNF itself (lemmas included);
                # Kissat takes a proof path only after a DIMACS path.  -f: write even where
                # a .cnf-like file exists.
                import tempfile

                fd, self.cnf_path = tempfile.mkstemp(prefix="eagersmt-", suffix=".cnf")
                with os.fdopen(fd, "w", buffering=1 << 20) as f:
                    write_dimacs(f, cnf, assumptions)
                args += ["-f", "--no-binary", self.cnf_path, os.fspath(proof_path)]
                null = os.open(os.devnull, os.O_RDONLY)
                try:
                    self.proc = Spawned(args, null, self.out.fileno(), self.err.fileno())
                finally:
                    os.close(null)
        except BaseException:
            self.close()
            raise

    def _start_thread(self, fd: int, cnf: CNF, assumptions: Sequence[int]) -> None:
        clauses = cnf.essential()
        copy = os.dup(fd)  # the thread closes it
        try:
            self.dimacs = self.lib.dimacs_start(_header(cnf, clauses, assumptions).encode(),
                                                clauses, list(assumptions), copy)
        except BaseException:
            os.close(copy)
            raise

    def written(self) -> None:
        """Wait until the native thread has written Kissat's input (or Kissat is gone):
        before this process forks, so that no child holds the pipe open."""
        if self.dimacs is not None:
            self.lib.dimacs_join(self.dimacs)
            self.dimacs = None

    def poll(self) -> Optional[int]:
        assert self.proc is not None
        return self.proc.poll()

    def wait(self, timeout: Optional[float]) -> None:
        """Wait for the exit, killing the process once ``timeout`` seconds have passed."""
        assert self.proc is not None
        try:
            self.proc.wait(timeout)
        except TimeoutError:
            self.timed_out = True
            self.kill()

    def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            self.proc.wait()
        if self.writer is not None:  # done by now, or stopped here; reaped either way
            try:
                os.kill(self.writer, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self.writer, 0)
            self.writer = None
        self.written()  # (ends at once when Kissat is gone: its writes fail)

    def close(self) -> None:
        """Kill the process if still running and remove the temporary files."""
        try:
            self.kill()
        finally:
            self.out.close()
            self.err.close()
            if self.cnf_path is not None:
                try:
                    os.unlink(self.cnf_path)
                except FileNotFoundError:
                    pass

    def result(self) -> SatResult:
        """The answer of the finished process (``RuntimeError`` if Kissat failed)."""
        assert self.proc is not None and self.proc.returncode is not None
        code = self.proc.returncode
        stats: dict[str, Any] = {"kissat_s": time.perf_counter() - self.start}
        if self.timed_out:
            stats["timeout"] = 1.0
            return SatResult(Status.UNKNOWN, None, stats)
        if code == 20:
            return SatResult(Status.UNSAT, None, stats)
        if code == 0:  # Kissat's own --time limit (or an interrupt): "s UNKNOWN"
            stats["timeout"] = 1.0
            return SatResult(Status.UNKNOWN, None, stats)
        if code != 10:
            self.err.seek(0)
            msg = self.err.read().decode(errors="replace").strip()
            raise RuntimeError(f"kissat failed (exit code {code}): {msg}")
        self.out.seek(0)
        n = self.cnf.nvars
        model = [-(v + 1) for v in range(n)]
        for line in self.out:
            if line.startswith(b"v "):
                for lit in map(int, line[2:].split()):
                    if abs(lit) > len(model):  # variables only in assumptions
                        model.extend(-(v + 1) for v in range(len(model), abs(lit)))
                    if lit:
                        model[abs(lit) - 1] = lit
        return SatResult(Status.SAT, model, stats)


def resolve_kissat(executable: Optional[str], backend: str) -> str:
    """``executable`` or the found Kissat; ``ValueError`` naming ``backend`` when there is none."""
    try:
        return executable or find_kissat()
    except KissatNotFound as e:
        raise ValueError(f"SAT back end '{backend}' is not available: {e}") from None


class KissatBackend:
    name = "kissat"

    def __init__(self, *, executable: Optional[str] = None):
        self.executable = resolve_kissat(executable, self.name)

    def solve(self, cnf: CNF, assumptions: Sequence[int] = (), *,
              timeout: Optional[float] = None,
              proof_path: Optional[PathLike] = None, warm: Any = None) -> SatResult:
        """Run Kissat once.  ``proof_path``: write a text DRAT proof there (of the CNF plus
        the assumption units) -- complete when the answer is UNSAT.  ``warm`` (a loaded
        CaDiCaL) is of no use to Kissat and ignored."""
        run = KissatRun(self.executable, cnf, assumptions, timeout=timeout,
                        proof_path=proof_path)
        try:
            run.wait(timeout)
            return run.result()
        finally:
            run.close()
