"""Cube-and-conquer: split a CNF into cubes by lookahead, read and write them as iCNF.

``make_cuber`` builds the cuber (``lookahead.LookaheadCuber``: a fixed number of cubes, a
fixed depth, or march_cu's dynamic cutoff); ``LEVELS`` says where a cuber may split an
encoded SMT problem (``smt.py``: difference atoms, bisection of integer bounds, both, or any
CNF variable); ``icnf`` exchanges cubes with other tools (march_cu, iLingeling), and
``check_coverage`` proves a set of cubes sound: no model of the CNF escapes every cube, i.e.
CNF ∧ ¬cube₁ ∧ … ∧ ¬cubeₙ is unsatisfiable (one SAT call).  Modules load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Protocol, Sequence

from ..registry import Entry, Registry

if TYPE_CHECKING:
    from ..encode.cnf import CNF
    from .icnf import ICNF, read_icnf, write_icnf
    from .lookahead import CubeSet, LookaheadCuber
    from .smt import SplitSpace, split_space

LEVELS: Registry[Entry] = Registry("cube level")
LEVELS.register(Entry("smt", "eagersmt.cube.smt:atoms",
                      "the difference atoms (cubes are orderings)"))
LEVELS.register(Entry("bounds", "eagersmt.cube.smt:bounds",
                      "bisection of the windows of order-encoded integers (cubes are boxes; "
                      "the atoms where no integer is order-encoded)"))
LEVELS.register(Entry("smt+bounds", "eagersmt.cube.smt:atoms_and_bounds",
                      "both: the lookahead picks"))
LEVELS.register(Entry("cnf", "eagersmt.cube.smt:anything", "any CNF variable"))


class Cuber(Protocol):
    def cubes(self, cnf: "CNF", *, variables: Optional[Sequence[int]] = None,
              ladders: Sequence[Sequence[int]] = (),
              time_budget: Optional[float] = None) -> "CubeSet": ...


def make_cuber(cubes: Optional[int] = None, *, depth: Optional[int] = None) -> Cuber:
    """The cuber: about ``cubes`` cubes, or cubes of a fixed ``depth``, or (neither) as many as
    march_cu's dynamic cutoff makes."""
    from .lookahead import LookaheadCuber

    return LookaheadCuber(depth=depth, max_cubes=cubes, dynamic=cubes is None and depth is None)


def check_coverage(cnf: "CNF", cubes: Sequence[Sequence[int]]) -> bool:
    """True if every model of ``cnf`` satisfies some cube (no cubes: ``cnf`` is unsat)."""
    if any(len(c) == 0 for c in cubes):
        return True  # the empty cube covers everything
    from ..backends import open_solver

    with open_solver(cnf) as s:
        s.add_clauses([-lit for lit in cube] for cube in cubes)
        return not s.solve()


_LAZY = {"ICNF": "icnf", "read_icnf": "icnf", "write_icnf": "icnf", "CubeSet": "lookahead",
         "LookaheadCuber": "lookahead", "SplitSpace": "smt", "split_space": "smt"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["CubeSet", "Cuber", "ICNF", "LEVELS", "LookaheadCuber", "SplitSpace",
           "check_coverage", "make_cuber", "read_icnf", "split_space", "write_icnf"]
