"""Ackermann's reduction of uninterpreted functions, and their interpretations in a model.

Idea.  Every application ``f(a1, ..., an)`` is replaced by a fresh variable ``F`` of its
result sort; for every two applications of the same function, the functional-consistency
constraint ``(a1 = b1 and ... and an = bn) -> F = G`` is asserted (``consistency_pairs``).
A model of the reduced formula gives each function a table (``interpretations``): the value
at each application's argument values, and the first result elsewhere.  The linear
normalizer (``linear.py``) does the replacing as it meets applications, bottom-up, so an
argument that is itself an application is already a variable.

Cost: quadratic in the applications of each function; pairs whose arguments are distinct
constants fold away when their constraint is built.  The applications of a function whose
results are only ever required to differ (Bryant, German and Velev's p-terms) are not
reduced here but given maximally diverse values (``positive.py``): no constraints for them.

References: W. Ackermann, "Solvable cases of the decision problem" (1954); Bryant, German,
Velev, "Processor verification using efficient reductions of the logic of uninterpreted
functions to propositional logic" (TOCL 2001).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Callable, Iterator, Mapping, Sequence

from .terms import APPLY, BOOL, Term, iter_dag


@dataclass
class Application:
    """One application: its function, its arguments (in the normalizer's form: a linear
    expression for an Int argument, a Boolean variable's name for a Bool one) and the name
    of the variable that stands for its result."""

    function: str
    args: tuple
    result: str
    sorts: tuple[str, ...] = ()  # the argument sorts
    sort: str = "Int"  # the result sort


class FunctionValue:
    """A function's interpretation: ``table`` (argument tuple -> value), ``default`` elsewhere
    (callable on an argument tuple, as the model checker applies it); ``sorts`` and ``sort``
    its signature (for printing it as a ``define-fun``)."""

    def __init__(self, table: Mapping[tuple, object], default: object,
                 sorts: tuple[str, ...] = (), sort: str = "Int"):
        self.table = dict(table)
        self.default = default
        self.sorts = sorts
        self.sort = sort

    def __call__(self, args: tuple) -> object:
        return self.table.get(tuple(args), self.default)

    def __repr__(self) -> str:
        return f"FunctionValue({self.table!r}, default={self.default!r})"


def consistency_pairs(apps: Sequence[Application]) -> Iterator[tuple[Application, Application]]:
    """The pairs of applications of the same function (each once)."""
    by_function: dict[str, list[Application]] = {}
    for a in apps:
        by_function.setdefault(a.function, []).append(a)
    for same in by_function.values():
        yield from combinations(same, 2)


def interpretations(apps: Sequence[Application], arg_value: Callable[[object], object],
                    result_value: Callable[[str], object]) -> dict[str, FunctionValue]:
    """Each function's table from the values of its applications in a model."""
    tables: dict[str, dict[tuple, object]] = {}
    first: dict[str, tuple[object, Application]] = {}
    for a in apps:
        key = tuple(arg_value(x) for x in a.args)
        v = result_value(a.result)
        tables.setdefault(a.function, {}).setdefault(key, v)
        first.setdefault(a.function, (v, a))
    return {f: FunctionValue(t, first[f][0], first[f][1].sorts, first[f][1].sort)
            for f, t in tables.items()}


def with_unapplied(roots: Sequence[Term], model: Mapping[str, object]) -> dict[str, object]:
    """``model`` plus an interpretation (a constant: 0 or false) of every function that
    ``roots`` apply and the model has none of: a function the assertions never apply is
    unconstrained, so a query term (``get-value``, a model's ``eval``) may give it any."""
    out = dict(model)
    for t in iter_dag(list(roots)):
        if t.op == APPLY and t.val not in out:
            out[t.val] = FunctionValue({}, False if t.sort == BOOL else 0,  # type: ignore[index]
                                       tuple(a.sort for a in t.args), t.sort)
    return out
