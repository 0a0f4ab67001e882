"""``PysatSolver``: any python-sat solver behind the incremental ``SatSolver`` facade.

python-sat's solvers (CaDiCaL 1.9.5, Glucose 4, ...) share one API; this class adds what
eagersmt needs on top: a time limit kept by conflict-budget slices (the solvers cannot be
interrupted from another thread, and the GIL is held while they search), models padded to
the CNF's variables, and one place that knows python-sat's method names.

Slices: a ``solve`` with a ``deadline`` runs ``solve_limited`` with a budget of
``next_slice`` conflicts, then sizes each next slice by the conflict rate just measured so
that it takes about ``slice_seconds`` (at most a quarter of the time left).  A stop costs at
most one slice; between slices Python sees Ctrl-C.  The slice size carries over to the next
call (a cube worker's next cube starts at the right size).  ``between``: a callback run after
each slice that did not decide (a sharing worker exchanges clauses there, ``conquer.sharing``);
with it a call without a deadline slices too.

Ctrl-C: python-sat stops a solve in the main thread on SIGINT and raises its own
``pysolvers.error``; ``solve`` raises ``KeyboardInterrupt`` instead, as Python code would.
The stopped CaDiCaL is left in a state where any further call aborts the process (its API
contract), so it is deleted then, and a later use of this object raises ``RuntimeError``.

``options`` are set before the first clause (python-sat's ``configure``: CaDiCaL's option
names); ``native()`` is python-sat's own solver object, or the ``CadicalHandle`` that stands
for it (``cadical.Learner`` connects to the C++ solver behind either).

CaDiCaL 1.9.5 without a proof is driven through ``CadicalHandle``, straight over python-sat's
C extension: importing python-sat's ``Solver`` loads ``pysat.solvers`` and ``pysat.formula``
(its ~70 solver classes, the compressors of its file reader), which costs a one-shot
``eagersmt solve`` of a small file more than its encoding (``benchmarks/RESULTS.md``,
"Start-up").
"""

from __future__ import annotations

import math
import os
import threading
import time
from typing import Any, BinaryIO, Callable, Iterable, Optional, Sequence

from .base import native_library, pad_model


CADICAL = "cadical195"  # python-sat's name of CaDiCaL 1.9.5


class CadicalHandle:
    """CaDiCaL 1.9.5 through ``pysolvers`` (python-sat's C extension), with the methods and
    the answers of python-sat's ``Solver(name="cadical195")`` that ``PysatSolver`` uses (see
    the module doc).  It is its own ``solver`` (python-sat's inner ``Cadical195``, what
    ``native()`` returns): ``cadical`` is the handle of the C++ solver, ``status`` the last
    answer; it keeps no proof (``prfile`` is None).  The main-thread flag tells the
    extension to turn SIGINT into ``pysolvers.error``, as python-sat does."""

    prfile = prfp = None

    def __init__(self) -> None:
        import pysolvers

        self._api = pysolvers
        self.cadical: Any = pysolvers.cadical195_new()
        self.status: Optional[bool] = None
        self.prev_assumps: list[int] = []

    @property
    def solver(self) -> "CadicalHandle":
        return self

    def configure(self, parameters: dict[str, int]) -> None:
        for name, value in parameters.items():
            self._api.cadical195_set(self.cadical, name, value)

    def add_clause(self, clause: Sequence[int]) -> None:
        if self._api.cadical195_add_cl(self.cadical, clause) is False:
            self.status = False

    def append_formula(self, clauses: Iterable[Sequence[int]]) -> None:
        for clause in clauses:
            self.add_clause(clause)

    def conf_budget(self, budget: int) -> None:
        self._api.cadical195_cbudget(self.cadical, budget)

    def solve(self, assumptions: list[int]) -> Optional[bool]:
        self.status = self._api.cadical195_solve(self.cadical, assumptions, _main_thread())
        self.prev_assumps = assumptions
        return self.status

    def solve_limited(self, assumptions: list[int]) -> Optional[bool]:
        st = self._api.cadical195_solve_lim(self.cadical, assumptions, _main_thread())
        self.status = None if st == 0 else st > 0
        self.prev_assumps = assumptions
        return self.status

    def propagate(self, assumptions: Sequence[int]) -> tuple[bool, list[int]]:
        st, props = self._api.cadical195_propagate(self.cadical, assumptions, 0, _main_thread())
        return bool(st), props if props is not None else []

    def set_phases(self, literals: list[int]) -> None:
        self.configure({"lucky": 0})  # (python-sat's: keep 'lucky' phases from overriding)
        self._api.cadical195_setphases(self.cadical, literals)

    def get_model(self) -> Optional[list[int]]:
        if self.status is not True:
            return None
        model = self._api.cadical195_model(self.cadical)
        return model if model is not None else []

    def get_core(self) -> Optional[list[int]]:
        if self.status is not False:
            return None
        return self._api.cadical195_core(self.cadical, self.prev_assumps)  # type: ignore[no-any-return]

    def accum_stats(self) -> dict[str, int]:
        return self._api.cadical195_acc_stats(self.cadical)  # type: ignore[no-any-return]

    def get_proof(self) -> None:
        return None

    def delete(self) -> None:
        if self.cadical:
            self._api.cadical195_del(self.cadical, None)
            self.cadical = None

    def __del__(self) -> None:
        self.delete()


def _main_thread() -> int:
    return int(threading.current_thread() is threading.main_thread())


class PysatSolver:
    """One python-sat solver (``name``: python-sat's, e.g. ``cadical195``, ``glucose4``)."""

    slice_seconds = 0.2

    def __init__(self, name: str, clauses: Iterable[Sequence[int]] = (), *, nvars: int = 0,
                 proof: bool = False,
                 options: Optional[dict[str, int]] = None):
        self.name = name
        self.nvars = nvars
        self.next_slice = 1000
        self.interrupted = False  # a solve was stopped by Ctrl-C (module doc)
        # the native thread adding the clauses (``add_clauses``): (library, handle), joined
        # before any other use; and the phases set meanwhile, set after it
        self._loading: Optional[tuple[Any, Any]] = None
        self._phases: list[list[int]] = []
        self._s: Any
        if name == CADICAL and not proof:
            self._s = CadicalHandle()
        else:
            from pysat.solvers import Solver

            self._s = Solver(name=name, with_proof=proof)
        if options:
            self._s.solver.configure(options)
        clauses = list(clauses) if not isinstance(clauses, list) else clauses
        if clauses:
            self.add_clauses(clauses)

    def _native_solver(self) -> Any:
        if self._s is None:
            raise RuntimeError("this SAT solver was " + ("interrupted" if self.interrupted
                                                        else "closed") + " and cannot be used")
        if self._loading is not None:
            self.wait_loaded()
        return self._s

    def wait_loaded(self) -> None:
        """Wait for the clauses' thread (``add_clauses``), then set the phases that came
        meanwhile: the solver sees the calls in the order they were made.  Every other use
        waits so; a caller waits here before starting work that would compete with that
        thread for the CPUs."""
        if self._loading is not None:
            lib, handle = self._loading
            self._loading = None
            lib.load_join(handle)
        while self._phases:
            self._s.set_phases(self._phases.pop(0))

    # -- clauses ------------------------------------------------------------------------
    def add_clause(self, clause: Sequence[int]) -> None:
        self._native_solver().add_clause(clause)

    def add_clauses(self, clauses: Iterable[Sequence[int]]) -> None:
        """CaDiCaL 1.9.5's clauses are copied in one C loop and added by a C thread
        (``native/share.cpp``'s ``load_start``) where ``base.native_library`` gives the
        library: this call returns at once, and the caller's next steps (a list schedule's
        phases made, ``strategy/monolithic.py``) overlap CaDiCaL's own work on the clauses,
        which the next use of this solver waits for (``wait_loaded``); else they go to
        python-sat's C entry point in one ``map`` (python-sat's ``append_formula`` makes
        three Python calls per clause); other solvers' through ``append_formula``."""
        s = self._native_solver()
        native = s.solver
        if self.name == CADICAL and getattr(native, "cadical", None):
            if not isinstance(clauses, (list, tuple)):
                clauses = list(clauses)
            lib = native_library(len(clauses))
            if lib is not None:
                self._loading = (lib, lib.load_start(native.cadical, clauses))
                return
            import functools

            import pysolvers

            added = list(map(functools.partial(pysolvers.cadical195_add_cl, native.cadical),
                             clauses))
            if False in added:
                native.status = False
        else:
            s.append_formula(clauses)

    def configure(self, options: dict[str, int]) -> None:
        """Set solver options now (python-sat's ``configure``; CaDiCaL takes most of its
        options between two solves, e.g. ``seed`` and ``phase``)."""
        self._native_solver().solver.configure(options)

    def native(self) -> Any:
        """python-sat's own solver object (e.g. ``Cadical195``) or the ``CadicalHandle``
        standing for it; its ``cadical`` is the handle of the C++ solver."""
        return self._native_solver().solver

    def set_phases(self, literals: Sequence[int]) -> None:
        """Initial decision phases (a hint; satisfiability is unchanged); set once the
        clauses' thread is done (``wait_loaded``)."""
        if self._loading is not None and self._s is not None:
            self._phases.append(list(literals))
            return
        self._native_solver().set_phases(list(literals))

    # -- solving ------------------------------------------------------------------------
    def solve(self, assumptions: Sequence[int] = (), *, deadline: Optional[float] = None,
              conflicts: Optional[int] = None,
              between: Optional[Callable[[], None]] = None) -> Optional[bool]:
        """See ``SatSolver.solve`` and the module doc; ``deadline=math.inf`` slices
        without a limit (so that Ctrl-C is seen between slices)."""
        s = self._native_solver()
        assumptions = list(assumptions)
        if between is not None and deadline is None:
            deadline = math.inf
        try:
            return self._solve(s, assumptions, deadline, conflicts, between)
        except Exception as e:
            import pysolvers

            if not (isinstance(e, pysolvers.error) and "keyboard interrupt" in str(e).lower()):
                raise
            self.close()  # (see the module doc: the stopped solver cannot be used again)
            self.interrupted = True
            raise KeyboardInterrupt() from None

    def _solve(self, s: Any, assumptions: list[int], deadline: Optional[float],
               conflicts: Optional[int], between: Optional[Callable[[], None]]) -> Optional[bool]:
        if deadline is None:
            if conflicts is None:
                return s.solve(assumptions=assumptions)  # type: ignore[no-any-return]
            if conflicts <= 0:
                return None
            s.conf_budget(conflicts)
            return s.solve_limited(assumptions=assumptions)  # type: ignore[no-any-return]
        n, spent = self.next_slice, 0
        while True:
            t = time.perf_counter()
            left = deadline - t
            step = n if conflicts is None else min(n, conflicts - spent)
            if left <= 0 or step <= 0:
                self.next_slice = n
                return None
            s.conf_budget(step)
            ok = s.solve_limited(assumptions=assumptions)
            if ok is not None:
                self.next_slice = n
                return ok  # type: ignore[no-any-return]
            spent += step
            if between is not None:
                between()
            rate = step / max(time.perf_counter() - t, 1e-4)  # conflicts per second
            aim = min(self.slice_seconds, max(left / 4, 0.01))
            n = int(min(max(rate * aim, 100), 1_000_000))

    def propagate(self, assumptions: Sequence[int]) -> tuple[bool, list[int]]:
        """Unit propagation of ``assumptions``: (no conflict, the implied literals)."""
        ok, implied = self._native_solver().propagate(assumptions=assumptions)
        return ok, implied

    # -- results ------------------------------------------------------------------------
    def model(self) -> list[int]:
        return pad_model(self._native_solver().get_model() or [], self.nvars)

    def core(self) -> list[int]:
        return list(self._native_solver().get_core() or [])

    def stats(self) -> dict[str, float]:
        return {k: float(v) for k, v in (self._native_solver().accum_stats() or {}).items()}

    def proof(self) -> list[str]:
        return list(self._native_solver().get_proof() or [])

    def copy_proof(self, out: BinaryIO) -> bool:
        """Copy the DRAT trace to ``out`` as the solver wrote it (CaDiCaL: binary DRAT,
        ``eagersmt.drat``; no text conversion); False if it keeps none that way."""
        inner = self._native_solver().solver
        prfile, prfp = getattr(inner, "prfile", None), getattr(inner, "prfp", None)
        if prfile is None or prfp is None:
            return False
        import shutil

        import pysolvers

        pysolvers.flushpr(prfp)
        prfile.seek(0)
        shutil.copyfileobj(prfile, out, 1 << 22)
        prfile.seek(0, os.SEEK_END)
        return True

    # -- life cycle ---------------------------------------------------------------------
    def close(self) -> None:
        if self._s is not None:
            self.wait_loaded()  # (no solver deleted under its clauses' thread)
            self._s.delete()
            self._s = None

    def __del__(self) -> None:
        if getattr(self, "_loading", None) is not None:
            self.wait_loaded()

    def __enter__(self) -> "PysatSolver":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
