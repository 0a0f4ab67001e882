"""Cube-and-conquer: split a CNF into cubes by lookahead, read and write them as iCNF.

``LookaheadCuber`` (``lookahead``) makes the cubes, ``smt.split_space`` says where to split
an encoded SMT problem (atoms, bisection of integer bounds, or any variable), ``icnf``
exchanges them with other tools (march_cu, iLingeling), and ``check_coverage`` proves a set of cubes sound: no model of the
CNF escapes every cube, i.e. CNF ∧ ¬cube₁ ∧ … ∧ ¬cubeₙ is unsatisfiable (one CaDiCaL call).
"""

from __future__ import annotations

from typing import Sequence

from ..encode.cnf import CNF
from .icnf import ICNF, read_icnf, write_icnf
from .lookahead import CubeSet, LookaheadCuber
from .smt import LEVELS, SplitSpace, split_space

__all__ = ["CubeSet", "ICNF", "LEVELS", "LookaheadCuber", "SplitSpace", "check_coverage",
           "read_icnf", "split_space", "write_icnf"]


def check_coverage(cnf: CNF, cubes: Sequence[Sequence[int]]) -> bool:
    """True if every model of ``cnf`` satisfies some cube (no cubes: ``cnf`` is unsat)."""
    if any(len(c) == 0 for c in cubes):
        return True  # the empty cube covers everything
    from pysat.solvers import Cadical195

    with Cadical195(bootstrap_with=cnf.clauses) as s:
        for cube in cubes:
            s.add_clause([-lit for lit in cube])
        return not s.solve()
