"""The two interfaces of the SAT layer: one-shot ``SatBackend`` and incremental ``SatSolver``.

* ``SatBackend.solve(cnf, assumptions, *, timeout, proof_path, warm) -> SatResult``: decide a
  whole CNF once (in a child process or an external executable, so a timeout or Ctrl-C can
  stop it).  What a back end can do is said by its registry entry (``backends.BACKENDS``).
* ``SatSolver``: one SAT solver object in this process, kept across calls: clauses added
  at any time, ``solve`` under assumptions within a deadline and/or a conflict budget (by
  conflict-budget slices: python-sat's solvers cannot be interrupted from another thread),
  model, failed-assumption core, statistics, DRAT proof, unit propagation.  The cube
  workers, the probe, the optimizer, the cuber and the coverage check all use this one
  facade (``backends.open_solver``); a ``SatSolver`` survives ``fork`` (copy-on-write), which
  is how a warm start reaches a worker process.

A model is a list of DIMACS literals indexed by ``var - 1``, one per CNF variable.
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Optional, Protocol, Sequence, Union

from ..encode.cnf import CNF
from ..result import Status

PathLike = Union[str, os.PathLike[str]]  # (a string would make typing compile it: slow)

# From this many clauses a CNF goes to the native library (``native/``): CaDiCaL's clauses
# in one call (``pysat.PysatSolver.add_clauses``), Kissat's DIMACS made in C and written by a
# thread (``kissat.KissatRun``); below, importing ``ctypes`` and loading the library cost
# more than they save (``benchmarks/RESULTS.md``, "Start-up").
NATIVE_CLAUSES = 20_000


def native_library(clauses: int) -> Any:
    """The native library (``native.build.library``) for a CNF of ``clauses`` clauses, or
    None: below ``NATIVE_CLAUSES``, or where it cannot be built or loaded (python-sat's
    per-clause calls and a forked writer do the work then)."""
    if clauses < NATIVE_CLAUSES:
        return None
    from ..native.build import library

    lib = library()
    return None if isinstance(lib, str) else lib


class SatResult:
    """A SAT call's answer: status, model (DIMACS literals, when sat) and its statistics.
    (A plain class: see ``result.py``.)"""

    __slots__ = ("status", "model", "stats")

    def __init__(self, status: Status, model: Optional[list[int]] = None,
                 stats: Optional[dict[str, Any]] = None) -> None:
        self.status = status
        self.model = model
        self.stats: dict[str, Any] = {} if stats is None else stats  # floats, "winner", ...

    def __eq__(self, other: object) -> bool:
        return type(other) is SatResult and (self.status, self.model, self.stats) == (
            other.status, other.model, other.stats)  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SatResult(status={self.status!r}, model={self.model!r}, stats={self.stats!r})"

    def value(self, var: int) -> bool:
        assert self.model is not None
        return self.model[var - 1] > 0


class SatSolver(Protocol):
    """An incremental SAT solver in this process (see the module doc)."""

    nvars: int

    def add_clause(self, clause: Sequence[int]) -> None: ...
    def add_clauses(self, clauses: Iterable[Sequence[int]]) -> None: ...

    def wait_loaded(self) -> None:
        """Return once the clauses added so far are in the solver (they may go in on a
        thread: ``pysat.PysatSolver.add_clauses``)."""

    def solve(self, assumptions: Sequence[int] = (), *, deadline: Optional[float] = None,
              conflicts: Optional[int] = None) -> Optional[bool]:
        """True / False, or None when the deadline (``time.perf_counter()`` value) or the
        conflict budget ran out first."""

    def propagate(self, assumptions: Sequence[int]) -> tuple[bool, list[int]]: ...
    def model(self) -> list[int]: ...
    def core(self) -> list[int]: ...
    def stats(self) -> dict[str, float]: ...
    def proof(self) -> list[str]: ...
    def close(self) -> None: ...
    def __enter__(self) -> "SatSolver": ...
    def __exit__(self, *exc: object) -> None: ...


class SatBackend(Protocol):
    """``solve`` decides the CNF under the assumptions; with ``proof_path`` an UNSAT answer
    comes with a text DRAT proof written there (of the CNF plus the assumption units).
    ``warm``: a ``SatSolver`` already loaded with the CNF (and what it has learnt) that a back
    end whose entry says ``warm`` goes on from; the others ignore it.  A back end whose entry
    says ``prestarts`` also has ``prestart(cnf, assumptions, *, timeout)``, whose result its
    ``solve(..., started=)`` takes over (the portfolio: Kissat running while the caller tries
    CaDiCaL in-process)."""

    name: str

    def solve(self, cnf: CNF, assumptions: Sequence[int] = (), *,
              timeout: Optional[float] = None, proof_path: Optional[PathLike] = None,
              warm: Optional[SatSolver] = None) -> SatResult: ...


def pad_model(model: list[int], nvars: int) -> list[int]:
    """``model`` extended to ``nvars`` variables (a variable in no clause is false)."""
    if len(model) < nvars:
        model = model + [-(v + 1) for v in range(len(model), nvars)]
    return model


def write_proof(path: PathLike, lines: Iterable[str]) -> None:
    """Write proof lines (DRAT text, one step per line) to ``path``."""
    with open(path, "w", buffering=1 << 20) as f:
        for line in lines:
            f.write(line)
            f.write("\n")
