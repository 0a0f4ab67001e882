"""CaDiCaL 1.9.5 through python-sat: the incremental solver of eagersmt and a one-shot back end.

``solver(cnf)`` is the incremental facade (``pysat.PysatSolver`` over ``cadical195``): cube
workers, the probe, the optimizer and the coverage check use it.  ``CadicalBackend.solve``
runs one solve in a forked child: the child makes it interruptible (Ctrl-C, ``--timeout``:
the parent kills it) and keeps a crash or an out-of-memory inside the SAT solver from taking
the caller down, for a few ms per call.  ``in_process=True`` skips the child (for callers
that are already a process boundary, e.g. a conquer worker).

Clause sharing (``conquer.sharing``) needs two more things, both here: ``trace_learnt``
streams every clause CaDiCaL derives to a file (its binary DRAT proof trace; it must be
attached right after the solver is made, before any clause: the facade's ``tracer`` hook),
and ``diversity(i)`` gives the i-th worker of a sharing portfolio its own options (seed,
initial phase, search mode), since identical solvers fed identical clauses would repeat
each other.  Every clause CaDiCaL 1.9.5 derives is implied by the clauses it was given (its
LRAT tracer "has no RAT steps"; its eliminations only delete clauses), so what a worker
exports is implied by the CNF; CaDiCaL 2.1+'s bounded variable addition (``factor``) would
add clauses over fresh variables that are not: ``SHARING_OPTIONS`` keeps it off where it
exists.  ``benchmarks/RESULTS.md``, "Clause sharing", has the measurements (and CaDiCaL
3.0.0's, which was slower here).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from ..encode.cnf import CNF
from ..result import Status
from .base import PathLike, SatResult
from .pysat import PysatSolver

PYSAT_NAME = "cadical195"

# Options of a worker whose learnt clauses are shared: a binary trace; no technique that
# adds non-implied clauses (BVA exists from CaDiCaL 2.1 on and is refused by 1.9.5).
SHARING_OPTIONS: dict[str, int] = {"binary": 1}

# The options of portfolio worker i (i modulo the list; the seed is i on top): the default
# first, then CaDiCaL's 'unsat' configuration (focused mode only), initial phase false,
# stable mode only, and two mixes, as Mallob cycles CaDiCaL's configurations.  Not tuned
# here: two of them without sharing ran at 1.04x one CaDiCaL (RESULTS.md).
DIVERSITY: tuple[dict[str, int], ...] = (
    {},
    {"stabilize": 0, "walk": 0},
    {"phase": 0},
    {"stabilizeonly": 1},
    {"phase": 0, "stabilize": 0, "walk": 0},
    {"shuffle": 1, "shufflerandom": 1},
)


def diversity(index: int) -> dict[str, int]:
    """The CaDiCaL options of worker ``index`` of a sharing conquer (see ``DIVERSITY``)."""
    options = dict(DIVERSITY[index % len(DIVERSITY)])
    if index:
        options["seed"] = index
    return options


def trace_learnt(pysat_solver: Any, fileobj: Any) -> None:
    """Stream every clause ``pysat_solver`` (python-sat's ``Cadical195``, just made, no
    clause yet) derives, as binary DRAT, to ``fileobj`` (anything with ``fileno()``; the
    solver writes through its own buffer and never closes it)."""
    import pysolvers

    pysat_solver.configure(SHARING_OPTIONS)
    pysolvers.cadical195_tracepr(pysat_solver.cadical, fileobj)


def solver(cnf: Optional[CNF] = None, *, proof: bool = False, tracer: Any = None,
           options: Optional[dict[str, int]] = None) -> PysatSolver:
    """A CaDiCaL loaded with ``cnf`` (``proof``: keep a DRAT proof, ``SatSolver.proof``;
    ``tracer``: called with the python-sat solver before any clause, e.g. a
    ``conquer.sharing.LearntTrace``; ``options``: CaDiCaL options, e.g. ``diversity(i)``)."""
    clauses = () if cnf is None else cnf.clauses
    nvars = 0 if cnf is None else cnf.nvars
    return PysatSolver(PYSAT_NAME, clauses, nvars=nvars, proof=proof, tracer=tracer,
                       options=options)


class CadicalBackend:
    name = "cadical"

    def __init__(self, *, in_process: bool = False):
        self.in_process = in_process

    @staticmethod
    def incremental(cnf: Optional[CNF] = None, *, proof: bool = False, tracer: Any = None,
                    options: Optional[dict[str, int]] = None) -> PysatSolver:
        return solver(cnf, proof=proof, tracer=tracer, options=options)

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
