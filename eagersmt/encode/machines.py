"""What the root analysis of machines finds (``disjunctive.py``), as the modules that use it
see it: difference constraints, lemmas with their justification, machines, disjunctive
pairs and the ``Analysis`` of a class.  Shared by ``disjunctive.py`` (which builds it),
``listsched.py`` (list schedules in its windows) and ``orderings.py`` (ordering clauses)."""

from __future__ import annotations

from typing import Optional

INF = float("inf")

# A difference constraint ``x - y <= k``.
Con = tuple[int, int, int]
# A lemma: the constraint, the refuted opposite side (or None: its negation), the tasks of
# the overload (or None: a negative cycle suffices).
Lemma = tuple[int, int, int, Optional[Con], Optional[tuple[int, ...]]]


class Machine:
    """A machine's tasks.  (This module's classes are plain classes: the solve path does not
    import ``dataclasses``; ``result.py``.)"""

    __slots__ = ("tasks", "p")

    def __init__(self, tasks: list[int], p: dict[int, int]) -> None:
        self.tasks = tasks
        self.p = p  # p_a = min over the machine's partners b of d_ab


class Pair:
    __slots__ = ("a", "b", "d_ab", "d_ba")

    def __init__(self, a: int, b: int, d_ab: int, d_ba: int) -> None:
        self.a = a
        self.b = b
        self.d_ab = d_ab  # a before b: b - a >= d_ab, i.e. the constraint (a, b, -d_ab)
        self.d_ba = d_ba

    def before(self, first: int) -> Con:
        """The constraint "``first`` before the other one"."""
        if first == self.a:
            return (self.a, self.b, -self.d_ab)
        return (self.b, self.a, -self.d_ba)


class Analysis:
    def __init__(self, machines: Optional[list[Machine]] = None,
                 pairs: Optional[list[Pair]] = None, lemmas: Optional[list[Lemma]] = None,
                 infeasible: bool = False, fixed: int = 0, rounds: int = 0,
                 width_before: int = 0, width_after: int = 0, restricted: bool = False,
                 lo: Optional[dict] = None, hi: Optional[dict] = None) -> None:
        self.machines: list[Machine] = [] if machines is None else machines
        self.pairs: list[Pair] = [] if pairs is None else pairs
        self.lemmas: list[Lemma] = [] if lemmas is None else lemmas
        self.infeasible = infeasible
        self.fixed = fixed  # pairs whose order the root decided
        self.rounds = rounds
        self.width_before = width_before  # sum of window widths (hi - lo) of the machines' tasks
        self.width_after = width_after
        self.restricted = restricted  # domains restricted to a list schedule (listsched.py)
        self.lo: dict = {} if lo is None else lo  # the final windows (relative to the anchor)
        self.hi: dict = {} if hi is None else hi

    def units(self) -> list[Con]:
        return [(x, y, k) for x, y, k, _, _ in self.lemmas]
