"""The reducer interface shared by every encoding, and the per-class split they work on.

An encoding receives the difference predicates that the Tseitin pass left in the CNF
(``PredUse``: ``x - y <= c``, its SAT variable, the needed directions) for one *variable
class* (a connected component of the constraint graph), adds clauses that tie those
variables to an integer meaning, and returns a ``Decoder`` that reads integer values of the
class's variables back from a SAT model.

Which encoding a class gets is decided by the encodings' own *rules* (``Rule``, named by
their registry entries, ``encode.ENCODINGS``): given a ``Choice`` (the class, and what the
rules share) each offers a ``Candidate``; ``auto.py`` tries them in order of rank.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Protocol, Sequence

from ..ir.components import DisjointSets
from .cnf import CNF
from .tseitin import PredUse


class EncodingTooLarge(Exception):
    """An encoding would exceed its size budget for a class (the caller falls back to SD)."""


class Decoder(Protocol):
    encoding: str  # the name of the encoding that made it

    def decode(self, value: Callable[[int], bool]) -> dict[int, int]:
        """Integer values of the class's variables given the truth of each SAT variable."""

    def meaning(self, var_range: tuple[int, int], pred_vars: set[int]) -> dict[str, Any]:
        """What the class's SAT variables (``var_range``, first and last) mean, as a
        certificate records it (``check/certificate.py``; ``pred_vars``: the variables of
        the input's atoms, named elsewhere)."""


class VarClass:
    """A connected component of the constraint graph: variables, predicates, unit facts
    (top-level ``x - y <= c``).  (This module's classes are plain classes: the solve path
    does not import ``dataclasses``; ``result.py``.)"""

    __slots__ = ("variables", "preds", "units")

    def __init__(self, variables: list[int], preds: list[PredUse],
                 units: Optional[list[tuple[int, int, int]]] = None) -> None:
        self.variables = variables
        self.preds = preds
        self.units: list[tuple[int, int, int]] = [] if units is None else units


class Encoding(Protocol):
    name: str
    own_pair_clauses: bool  # True: no pair lemmas for its classes (it has such clauses itself)
    # for a class with machines (``disjunctive.py``; only encodings whose entry says
    # ``machines`` get them): whether the ordering clauses (``orderings.py``) are added, and
    # the ``CNF.tuning`` it asks for
    ordering_clauses: bool
    machine_tuning: str

    def encode(self, cls: VarClass, cnf: CNF) -> Decoder: ...


class Candidate:
    """An encoding a rule offers for a class: tried in increasing ``rank`` (``auto.py``)."""

    __slots__ = ("rank", "encoding", "why", "full")

    def __init__(self, rank: int, encoding: Optional[Encoding], why: str = "",
                 full: bool = True) -> None:
        self.rank = rank
        self.encoding = encoding  # None: not offered here (its ``why`` still tells why)
        self.why = why  # for ``--stats`` ("choice")
        self.full = full  # at its full budget (a checkable run then need not try it again)


class Choice:
    """What a rule sees of the class being placed: the class, the EIJ budget
    (``eij_max_clauses``), whether the class has machines propagated at the root and may
    take an encoding made for them (``disjunctive.py``), and a cache the rules share
    (``cached``: domains, predicted sizes)."""

    def __init__(self, cls: VarClass, eij_max_clauses: int, *, machines: bool = False):
        self.cls = cls
        self.eij_max_clauses = eij_max_clauses
        self.machines = machines
        self._cache: dict[str, Any] = {}

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]


# An encoding's rule: ``rule(choice, mode)`` with ``mode`` "auto" (its rank for this class,
# or None), "requested" (the user named it: at its full budget) or "checkable" (a
# certified run tries it at its full budget before an encoding check-proof cannot verify;
# None: not tried so).
Rule = Callable[[Choice, str], Optional[Candidate]]


def split_classes(preds: Sequence[PredUse], units: Sequence[tuple[int, int, int]]) -> list[VarClass]:
    """Group predicates by connected component of their variables (union–find)."""
    sets: DisjointSets[int] = DisjointSets()
    find = sets.find
    for p in preds:
        sets.union(p.x, p.y)
    groups: dict[int, VarClass] = {}
    for v in sets:
        r = find(v)
        groups.setdefault(r, VarClass([], [])).variables.append(v)
    for p in preds:
        groups[find(p.x)].preds.append(p)
    for u in units:
        if u[0] in sets:
            groups[find(u[0])].units.append(u)
    for g in groups.values():
        g.variables.sort()
    return sorted(groups.values(), key=lambda g: g.variables[0])
