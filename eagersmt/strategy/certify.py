"""Certified solving: any strategy, plus an UNSAT certificate that ``check-proof`` verifies.

The inner strategy writes its DRAT proofs into the certificate directory (one proof of the
whole CNF, or one per refuted cube); on ``unsat`` this wrapper writes what ties them to the
input (``check/certificate.py``: the CNF and what its variables mean) and, for cubes, first
proves that the refuted cubes cover every model of the CNF (the CNF and the cubes'
negations are unsat, with a DRAT proof of their own); without that proof the answer is an
error, never ``unsat``.  A formula that normalizes to false gets a certificate that says so;
one the corner polyhedron refutes (``compile.py``), the witness of that refutation.
Cost: the proof logging of the SAT solver, writing the CNF, and for cubes one more solve.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any, Optional

from ..backends.base import SatResult
from ..errors import InternalError
from ..result import Stats, Status

if TYPE_CHECKING:
    from ..compile import Compiled
    from ..encode.cnf import CNF


class Certifying:
    def __init__(self, inner: Any, proof_dir: str):
        self.inner = inner
        self.proof_dir = proof_dir

    def solve(self, compiled: "Compiled", *, deadline: Optional[float], stats: Stats,
              proof_dir: Optional[str] = None) -> SatResult:
        from ..check.certificate import write_certificate

        if compiled.trivial:
            write_certificate(self.proof_dir, enc=None, solver="none", seconds=0.0,
                              trivial=compiled.trivial, corner=compiled.corner)
            return SatResult(Status.UNSAT)
        t0 = time.perf_counter()
        sat = self.inner.solve(compiled, deadline=deadline, stats=stats, proof_dir=self.proof_dir)
        if sat.status != Status.UNSAT:
            return sat
        t1 = time.perf_counter()
        if self.inner.proves_by_cubes:
            cubes = coverage_proof(compiled.cnf, self.proof_dir)
            write_certificate(self.proof_dir, enc=compiled.enc, solver="cube-and-conquer",
                              seconds=t1 - t0, cubes=cubes)
        else:
            write_certificate(self.proof_dir, enc=compiled.enc,
                              solver=str(sat.stats.get("winner", self.inner.backend)),
                              seconds=t1 - t0)
        stats.add_time("certificate", time.perf_counter() - t1)
        return sat


def coverage_proof(cnf: "CNF", proof_dir: str) -> list[list]:
    """The refuted cubes recorded in ``proof_dir``, after proving that they cover every model
    of ``cnf`` (``cnf`` and the cubes' negations unsat, DRAT in ``coverage.drat``, written by
    the first back end whose entry says ``proofs``)."""
    from ..backends import get_backend, proving
    from ..check.certificate import COVERAGE_FILE, read_cubes
    from ..encode.cnf import CNF

    cubes = read_cubes(proof_dir)
    both = CNF()
    both.nvars = cnf.nvars
    both.clauses = list(cnf.clauses) + [[-lit for lit in c] for _, c, _ in cubes]
    r = get_backend(proving()).solve(both, proof_path=os.path.join(proof_dir, COVERAGE_FILE))
    if r.status != Status.UNSAT:
        raise InternalError("the refuted cubes do not cover the search space "
                            f"(coverage check: {r.status})")
    return cubes
