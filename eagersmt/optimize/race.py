"""The unsat side of the search: Kissat on the decision problem at a bound, beside the kept solver.

Idea.  The search's kept solver (one incremental CaDiCaL, ``core/bounded.py``) descends
from the best model; on a second CPU a ``Refuter`` decides ``F and p - m <= b`` from scratch
the way ``solve`` decides a file: normalized, root-propagated at that very bound (narrower
windows than the kept encoding's, built at the first model), encoded by ``auto`` with its
solver settings, and given to Kissat.  A forked child does all of it and then *becomes*
Kissat (``exec`` on the DIMACS it wrote), so the encoding does not take the kept solver's
CPU and one kill stops the run whatever its stage, as soon as its bound is moot.  An
``unsat`` raises the lower bound; a ``sat`` model (the search asks a bound between its
bounds: ``search._race``) is decoded by encoding the same formula again here (encodings are deterministic) and
is a better schedule.  When one bound is left (``optimum - 1`` once the optimum is found) both engines
work on it: a portfolio of the kept CaDiCaL and a fresh Kissat.

Cost: one Kissat run (and one normalization and encoding, in the child) per bound asked;
the DIMACS goes through a temporary file.
"""

from __future__ import annotations

import math
import os
import signal
import tempfile
import time
from typing import IO, Optional

from ..backends.kissat import TUNINGS, find_kissat, write_dimacs
from ..compile import encode_normalized, normalize_assertions
from ..config import Config
from ..core.bounded import Raw
from ..ir.normalize import Normalized
from ..result import Stats, Status

SAT_CODE, UNSAT_CODE = 10, 20  # the SAT competition's exit codes (Kissat's)


class Refuter:
    """At most one run on ``F and p - m <= bound`` at a time (module doc)."""

    def __init__(self, assertions: list, positions, p: int, m: int, config: Config,
                 stats: Stats):
        self.assertions, self.positions, self.p, self.m = assertions, positions, p, m
        self.config, self.stats = config, stats
        self.executable = find_kissat()
        self.bound: Optional[int] = None  # the bound being decided (None: idle)
        self.pid = 0
        self.out: Optional[IO[bytes]] = None  # Kissat's stdout
        self.path: Optional[str] = None  # the DIMACS
        self.started = 0.0

    def formula(self, bound: int) -> Normalized:
        norm = normalize_assertions(self.assertions, positions=self.positions)
        norm.circuit.roots.append(norm.circuit.pred(self.p, self.m, bound))
        return norm

    def start(self, bound: int, deadline: Optional[float]) -> None:
        """Decide ``F and p - m <= bound`` (the previous run stopped first)."""
        self.stop()
        self.stats.counts["refuter_runs"] = self.stats.counts.get("refuter_runs", 0) + 1
        fd, self.path = tempfile.mkstemp(prefix="eagersmt-refuter-", suffix=".cnf")
        os.close(fd)
        self.out = tempfile.TemporaryFile()
        timeout = None if deadline is None else max(deadline - time.perf_counter(), 1.0)
        self.bound, self.started = bound, time.perf_counter()
        pid = os.fork()
        if pid:
            self.pid = pid
            return
        code = 1  # the child: encode, write, become Kissat; never return
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops it
            compiled = encode_normalized(self.formula(bound), self.config)
            if compiled.enc is None:  # false once normalized
                code = UNSAT_CODE
            else:
                with open(self.path, "w", buffering=1 << 20) as f:
                    write_dimacs(f, compiled.cnf, essential=True)
                args = [self.executable, "-q", *TUNINGS.get(compiled.cnf.tuning, ())]
                if timeout is not None:
                    args.append(f"--time={math.ceil(timeout)}")
                os.dup2(self.out.fileno(), 1)
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, 2)
                os.execv(self.executable, args + [self.path])
        finally:
            os._exit(code)

    def poll(self) -> Optional[tuple[Status, Optional[tuple[Normalized, Raw]]]]:
        """The answer of the run when it has finished (its status and, for ``sat``, the
        formula and the model's raw values), else None; idle afterwards."""
        if self.bound is None:
            return None
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid == 0:
            return None
        self.pid = 0
        code = os.waitstatus_to_exitcode(status)
        bound = self.bound
        self.stats.add_time("refuter", time.perf_counter() - self.started)
        st = {SAT_CODE: Status.SAT, UNSAT_CODE: Status.UNSAT}.get(code, Status.UNKNOWN)
        key = {Status.SAT: "refuter_sat", Status.UNSAT: "refuter_unsat"}.get(st)
        if key:
            self.stats.counts[key] = self.stats.counts.get(key, 0) + 1
        raw = self._model(bound) if st == Status.SAT else None
        self.stop()
        return st, raw

    def _model(self, bound: int) -> tuple[Normalized, Raw]:
        assert self.out is not None
        self.out.seek(0)
        true: set[int] = set()
        for line in self.out:
            if line.startswith(b"v "):
                true.update(lit for lit in map(int, line[2:].split()) if lit > 0)
        norm = self.formula(bound)
        compiled = encode_normalized(norm, self.config)
        assert compiled.enc is not None
        return norm, compiled.enc.decode(lambda v: v in true)

    def stop(self) -> None:
        """Kill the run (if any); idle afterwards."""
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
            self.pid = 0
        if self.out is not None:
            self.out.close()
            self.out = None
        if self.path is not None:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
            self.path = None
        self.bound = None


__all__ = ["Refuter"]
