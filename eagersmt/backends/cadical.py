"""CaDiCaL 1.9.5 through python-sat: the incremental solver of eagersmt and a one-shot back end.

``solver(cnf)`` is the incremental facade (``pysat.PysatSolver`` over ``cadical195``): cube
workers, the probe, the optimizer and the coverage check use it.  ``CadicalBackend.solve``
runs one solve in a forked child: the child makes it interruptible (Ctrl-C, ``--timeout``:
the parent kills it) and keeps a crash or an out-of-memory inside the SAT solver from taking
the caller down, for a few ms per call.  ``in_process=True`` skips the child (for callers
that are already a process boundary, e.g. a conquer worker).
"""

from __future__ import annotations

from typing import Optional, Sequence

from ..encode.cnf import CNF
from ..result import Status
from .base import PathLike, SatResult
from .pysat import PysatSolver

PYSAT_NAME = "cadical195"


def solver(cnf: Optional[CNF] = None, *, proof: bool = False) -> PysatSolver:
    """A CaDiCaL loaded with ``cnf`` (``proof``: keep a DRAT proof, ``SatSolver.proof``)."""
    if cnf is None:
        return PysatSolver(PYSAT_NAME, proof=proof)
    return PysatSolver(PYSAT_NAME, cnf.clauses, nvars=cnf.nvars, proof=proof)


class CadicalBackend:
    name = "cadical"

    def __init__(self, *, in_process: bool = False):
        self.in_process = in_process

    @staticmethod
    def incremental(cnf: Optional[CNF] = None, *, proof: bool = False) -> PysatSolver:
        return solver(cnf, proof=proof)

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
