"""CaDiCaL 1.9.5 through python-sat: the incremental solver of eagersmt and a one-shot back end.

``solver(cnf)`` is the incremental facade (``pysat.PysatSolver`` over ``cadical195``): cube
workers, the probe, the optimizer and the coverage check use it.  ``CadicalBackend.solve``
runs one solve in a forked child: the child makes it interruptible (Ctrl-C, ``--timeout``:
the parent kills it) and keeps a crash or an out-of-memory inside the SAT solver from taking
the caller down, for a few ms per call.  ``in_process=True`` skips the child (for callers
that are already a process boundary, e.g. a conquer worker).

Clause sharing (``conquer.sharing``) needs two more things, both here: ``Learner`` hands
every clause CaDiCaL learns in conflict analysis (and every learnt unit) of at most
``max_length`` literals to Python, through CaDiCaL's own ``Learner`` interface (cadical.hpp:
``learning(size)``, then ``learn(lit)`` per literal and 0; what IPASIR's ``ipasir_set_learn``
uses).  python-sat does not wrap it, but its extension exports
``CaDiCaL195::Solver::connect_learner``: ``Learner`` builds the C++ object (a vtable of two
ctypes callbacks) and connects it to the solver behind a python-sat handle, at any time (a
warm solver forked from the probe too).  It replaced reading CaDiCaL's proof trace, which
had to start before the first clause and cost its writing and decoding
(``solver_pointer`` is that C++ solver's address: ``native.share`` connects its C++ learner
and propagator there).  The callbacks are called inside ``solve`` with the GIL held (python-sat keeps it), one per
conflict (``learning``) and one per literal of a clause short enough (``learn``, a built-in
method: see ``Learner``).  ``diversity(i)`` gives the
i-th worker of the clause-sharing strategy its own options (seed, initial phase, search mode),
since identical solvers fed identical clauses would repeat each other.  Every clause
CaDiCaL 1.9.5 learns is implied by the clauses it was given (learnt under assumptions:
implied without them; its LRAT tracer "has no RAT steps"), so what a worker exports is
implied by the CNF.  ``benchmarks/RESULTS.md``, "Clause sharing", has the measurements (and
CaDiCaL 3.0.0's, which was slower here).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from ..encode.cnf import CNF, SCHEDULE_TUNING
from ..result import Status
from .base import PathLike, SatResult
from .pysat import PysatSolver

PYSAT_NAME = "cadical195"

# The options of portfolio worker i (i modulo the list; the seed is i on top): the default
# first, then CaDiCaL's 'unsat' configuration (focused mode only), initial phase false,
# stable mode only, and two mixes, as Mallob cycles CaDiCaL's configurations.  Not tuned
# here (``benchmarks/RESULTS.md``, "Solver settings").
DIVERSITY: tuple[dict[str, int], ...] = (
    {},
    {"stabilize": 0, "walk": 0},
    {"phase": 0},
    {"stabilizeonly": 1},
    {"phase": 0, "stabilize": 0, "walk": 0},
    {"shuffle": 1, "shufflerandom": 1},
)


# The options of a CNF's ``tuning`` (``CNF.tuning``, named by the encoder), set before its
# first clause; explicit options (a sharing worker's ``diversity``) go on top.  "schedule"
# (a job shop's compact order encoding): stable mode only and no inprocessing (elimination,
# subsumption, probing, vivification): the instances are decided in seconds, before those
# pay, and stable mode's target phases keep the list schedule's (``benchmarks/RESULTS.md``,
# "Solver settings").
TUNINGS: dict[str, dict[str, int]] = {
    SCHEDULE_TUNING: {"stabilizeonly": 1, "elim": 0, "subsume": 0, "probe": 0, "vivify": 0},
}


def diversity(index: int) -> dict[str, int]:
    """The CaDiCaL options of worker ``index`` of a sharing conquer (see ``DIVERSITY``)."""
    options = dict(DIVERSITY[index % len(DIVERSITY)])
    if index:
        options["seed"] = index
    return options


_api: Any = None  # (ctypes is imported by the sharing code that needs it, not by every solve)


def _learner_api() -> Any:
    """(connect, disconnect, capsule -> pointer) of python-sat's CaDiCaL 1.9.5, or a
    string saying why there is none (another python-sat build)."""
    global _api
    if _api is None:
        import ctypes

        try:
            import pysolvers

            lib = ctypes.CDLL(pysolvers.__file__)
            connect = lib["_ZN10CaDiCaL1956Solver15connect_learnerEPNS_7LearnerE"]
            disconnect = lib["_ZN10CaDiCaL1956Solver18disconnect_learnerEv"]
        except (ImportError, OSError, AttributeError) as e:
            _api = f"python-sat's CaDiCaL 1.9.5 has no Learner entry point ({e})"
            return _api
        connect.argtypes, connect.restype = [ctypes.c_void_p, ctypes.c_void_p], None
        disconnect.argtypes, disconnect.restype = [ctypes.c_void_p], None
        pointer = ctypes.pythonapi.PyCapsule_GetPointer
        pointer.argtypes, pointer.restype = [ctypes.py_object, ctypes.c_char_p], ctypes.c_void_p
        _api = (connect, disconnect, pointer)
    return _api


def solver_pointer(solver: PysatSolver) -> int:
    """The address of the C++ ``CaDiCaL195::Solver`` behind ``solver`` (a CaDiCaL 1.9.5
    ``PysatSolver``: python-sat keeps it in a capsule, ``Cadical195.cadical``);
    ``RuntimeError`` when this python-sat has no such entry point."""
    api = _learner_api()
    if isinstance(api, str):
        raise RuntimeError(api)
    if solver.name != PYSAT_NAME:
        raise RuntimeError(f"not a {PYSAT_NAME} solver: {solver.name}")
    return int(api[2](solver.native().cadical, None))


def learner_unavailable() -> str:
    """Why ``Learner`` cannot connect here ('' when it can)."""
    api = _learner_api()
    return api if isinstance(api, str) else ""


class Learner:
    """CaDiCaL's ``Learner`` (see the module doc): the clauses of at most ``max_length``
    literals (and at least ``min_length``) that the connected solver learns; ``take()``
    returns those learnt since the last call.  Keep it alive while connected.  Solve with
    it outside the main thread of a process that gets Ctrl-C: there python-sat answers
    SIGINT by a ``longjmp`` out of the solver, which crashes through the callbacks (forked
    workers get no SIGINT; Ray actors and ``strategy.probe.probe_learning`` solve in
    another thread)."""

    def __init__(self, max_length: int, min_length: int = 1):
        import ctypes

        self.max_length, self.min_length = max_length, min_length
        # ``learn(this, lit)`` is a built-in method, no Python code: nothing (a signal
        # handler, an exception) can run inside it and cut a clause short.  It appends every
        # literal and the 0 that ends a clause to one flat list (``insert`` at index
        # ``this``, past the end), which ``take`` splits.  ``learning`` is Python; should it
        # fail, ctypes returns False: that clause is not exported, nothing is cut.
        self._flat: list[int] = []
        lengths = range(min_length, max_length + 1)

        def learning(_this: int, size: int) -> bool:
            return size in lengths

        destructor = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
        learning_type = ctypes.CFUNCTYPE(ctypes.c_bool, ctypes.c_void_p, ctypes.c_int)
        learn_type = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int)
        noop = destructor(id)  # CaDiCaL never deletes its learner
        self._callbacks = (noop, learning_type(learning), learn_type(self._flat.insert))
        # The C++ object: its first word points at the vtable's functions (Itanium ABI:
        # complete and deleting destructor, then ``learning`` and ``learn``).
        slots = (noop, noop, self._callbacks[1], self._callbacks[2])
        self._vtable = (ctypes.c_void_p * 4)(*(ctypes.cast(f, ctypes.c_void_p) for f in slots))
        self._object = (ctypes.c_void_p * 2)(ctypes.addressof(self._vtable), None)
        self._solver: Optional[int] = None

    def attach(self, solver: PysatSolver) -> None:
        """Connect to ``solver`` (a CaDiCaL 1.9.5 ``PysatSolver``); ``RuntimeError`` when
        this python-sat cannot (``learner_unavailable``)."""
        import ctypes

        self._solver = solver_pointer(solver)
        _learner_api()[0](self._solver, ctypes.addressof(self._object))

    def take(self) -> list[list[int]]:
        """The clauses learnt since the last call (between solves: none is half written)."""
        flat, out, start = self._flat, [], 0
        for i, lit in enumerate(flat):
            if lit == 0:
                out.append(flat[start:i])
                start = i + 1
        del flat[:start]
        return out

    def detach(self) -> None:
        """Disconnect (before the solver is deleted, or to stop exporting)."""
        if self._solver is not None:
            _learner_api()[1](self._solver)
            self._solver = None


def solver(cnf: Optional[CNF] = None, *, proof: bool = False,
           options: Optional[dict[str, int]] = None) -> PysatSolver:
    """A CaDiCaL loaded with ``cnf`` (``proof``: keep a DRAT proof, ``SatSolver.proof``;
    ``options``: CaDiCaL options, e.g. ``diversity(i)``, on top of those of ``cnf.tuning``)."""
    clauses = () if cnf is None else cnf.clauses
    nvars = 0 if cnf is None else cnf.nvars
    if cnf is not None and cnf.tuning in TUNINGS:
        options = {**TUNINGS[cnf.tuning], **(options or {})}
    return PysatSolver(PYSAT_NAME, clauses, nvars=nvars, proof=proof, options=options)


class CadicalBackend:
    name = "cadical"

    def __init__(self, *, in_process: bool = False):
        self.in_process = in_process

    @staticmethod
    def open_solver(cnf: Optional[CNF] = None, *, proof: bool = False,
                    options: Optional[dict[str, int]] = None) -> PysatSolver:
        return solver(cnf, proof=proof, options=options)

    def solve(self, cnf: CNF, assumptions: Sequence[int] = (), *,
              timeout: Optional[float] = None, proof_path: Optional[PathLike] = None,
              warm: Optional[PysatSolver] = None) -> SatResult:
        """See ``SatBackend`` and ``backends.solve_in_process``."""
        from . import solve_in_process

        def run() -> SatResult:
            return solve_in_process(cnf, assumptions, backend=self.name, proof_path=proof_path,
                                    warm=warm)

        if self.in_process and timeout is None:
            return run()
        from .process import Timeout, run_with_timeout

        try:
            return run_with_timeout(run, timeout)
        except Timeout:
            return SatResult(Status.UNKNOWN, None, {"timeout": 1.0})
