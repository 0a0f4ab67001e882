"""What the root analysis of machines finds (``disjunctive.py``), as the modules that use it
see it: difference constraints, lemmas with their justification, machines, disjunctive
pairs and the ``Analysis`` of a class.  Shared by ``disjunctive.py`` (which builds it),
``listsched.py`` (list schedules in its windows) and ``orderings.py`` (ordering clauses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

INF = float("inf")

# A difference constraint ``x - y <= k``.
Con = tuple[int, int, int]
# A lemma: the constraint, the refuted opposite side (or None: its negation), the tasks of
# the overload (or None: a negative cycle suffices).
Lemma = tuple[int, int, int, Optional[Con], Optional[tuple[int, ...]]]


@dataclass
class Machine:
    tasks: list[int]
    p: dict[int, int]  # p_a = min over the machine's partners b of d_ab


@dataclass
class Pair:
    a: int
    b: int
    d_ab: int  # a before b: b - a >= d_ab, i.e. the constraint (a, b, -d_ab)
    d_ba: int

    def before(self, first: int) -> Con:
        """The constraint "``first`` before the other one"."""
        if first == self.a:
            return (self.a, self.b, -self.d_ab)
        return (self.b, self.a, -self.d_ba)


@dataclass
class Analysis:
    machines: list[Machine] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    lemmas: list[Lemma] = field(default_factory=list)
    infeasible: bool = False
    fixed: int = 0  # pairs whose order the root decided
    rounds: int = 0
    width_before: int = 0  # sum of window widths (hi - lo) of the machines' tasks
    width_after: int = 0
    restricted: bool = False  # domains restricted to a list schedule (listsched.py)
    lo: dict = field(default_factory=dict)  # the final windows (relative to the anchor)
    hi: dict = field(default_factory=dict)

    def units(self) -> list[Con]:
        return [(x, y, k) for x, y, k, _, _ in self.lemmas]
