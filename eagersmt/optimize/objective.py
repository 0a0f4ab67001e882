"""What is optimized and what comes back: ``Objective``, ``Optimum``, ``Progress``, and the
objective's difference form ``p - m + k`` (the shape ``search`` handles; any other linear
objective goes to ``linear``); plus the
``(get-objectives)`` output as Z3 prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

from ..errors import UnsupportedError
from ..ir import terms as T
from ..ir.terms import INT, Term
from ..result import Stats, Status


@dataclass
class Objective:
    """``minimize term`` (or ``maximize``); ``text`` is how the user wrote it (for output)."""

    term: Term
    maximize: bool = False
    text: str = ""


@dataclass
class Progress:
    """Reported to the ``progress`` callback after every improvement or new bound."""

    best: Optional[int]  # best objective value found so far
    bound: Optional[int]  # proven: no model is better than this (lower bound when minimizing)
    elapsed: float
    proven: bool = False


@dataclass
class Optimum:
    """The answer of an optimization.

    ``status``: SAT when a model was found (``value`` is the best; ``proven`` says whether it
    is optimal), UNSAT when the assertions have no model, UNKNOWN when no model was found in
    time.  ``unbounded``: the objective has no finite optimum (``value`` is None).  ``bound``
    is the proven bound: every model has ``t >= bound`` (minimize) / ``t <= bound``
    (maximize); when ``proven``, ``value == bound`` and ``t <= value - 1`` (``>= value + 1``)
    was shown unsatisfiable.
    """

    status: Status
    value: Optional[int] = None
    proven: bool = False
    unbounded: bool = False
    bound: Optional[int] = None
    model: dict[str, object] = field(default_factory=dict)
    stats: Stats = field(default_factory=Stats)
    history: list[tuple[float, int]] = field(default_factory=list)  # (seconds, value)
    reason: str = ""
    objective: Optional[Objective] = None

    def __bool__(self) -> bool:
        raise TypeError("use optimum.status / optimum.proven, an Optimum is not a truth value")

    def __repr__(self) -> str:
        sense = "maximize" if self.objective is not None and self.objective.maximize else "minimize"
        what = f"{sense} {self.objective.text}" if self.objective is not None else sense
        if self.status != Status.SAT:
            return f"Optimum({what}: {self.status})"
        if self.unbounded:
            return f"Optimum({what}: unbounded)"
        state = "proven" if self.proven else f"not proven, bound {self.bound}"
        return f"Optimum({what} = {self.value}, {state})"


def difference_form(t: Term, *, maximize: bool = False) -> tuple[Optional[str], Optional[str], int]:
    """``t`` (negated when maximizing) as ``p - m + k`` with names (None = zero); else raise."""
    if t.sort != INT:
        raise UnsupportedError(f"only Int objectives are supported (got a {t.sort} term)")
    coef: dict[str, int] = {}
    const = 0
    stack: list[tuple[Term, int]] = [(t, -1 if maximize else 1)]
    while stack:
        n, s = stack.pop()
        if n.op == T.CONST:
            const += s * n.val  # type: ignore[operator]
        elif n.op == T.VAR:
            coef[n.val] = coef.get(n.val, 0) + s  # type: ignore[index]
        elif n.op == T.ADD:
            stack.extend((a, s) for a in n.args)
        elif n.op == T.MUL:
            stack.append((n.args[0], s * n.val))  # type: ignore[operator]
        else:
            raise UnsupportedError(f"objective must be a difference x - y + k, not {t!r}")
    items = {v: c for v, c in coef.items() if c != 0}
    pos = [v for v, c in items.items() if c == 1]
    neg = [v for v, c in items.items() if c == -1]
    if len(pos) + len(neg) != len(items) or len(pos) > 1 or len(neg) > 1:
        raise UnsupportedError(f"objective must be a difference x - y + k (unit coefficients), "
                               f"not {t!r}")
    return (pos[0] if pos else None), (neg[0] if neg else None), int(const)


def is_difference(t: Term) -> bool:
    """Is ``t`` of the form ``x - y + k`` (``difference_form`` accepts it)?"""
    try:
        difference_form(t)
    except UnsupportedError:
        return False
    return True


def format_objectives(optima: Sequence[Optimum]) -> str:
    """``(get-objectives)`` output as Z3 prints it: ``(objectives\\n (t 55)\\n)``; unbounded is
    ``(* (- 1) oo)`` / ``oo``, an unproven one ``(interval bound best)``."""
    lines = ["(objectives"]
    for o in optima:
        obj = o.objective
        text = obj.text if obj is not None else "?"
        if o.unbounded:
            v = "oo" if obj is not None and obj.maximize else "(* (- 1) oo)"
        elif o.value is None:
            v = "(interval (* (- 1) oo) oo)"
        elif o.proven:
            v = _num(o.value)
        else:
            inf = "oo" if obj is not None and obj.maximize else "(* (- 1) oo)"
            bound = inf if o.bound is None else _num(o.bound)
            lo, hi = (o.value, bound) if obj is not None and obj.maximize else (bound, o.value)
            v = f"(interval {lo if isinstance(lo, str) else _num(lo)} "\
                f"{hi if isinstance(hi, str) else _num(hi)})"
        lines.append(f" ({text} {v})")
    lines.append(")")
    return "\n".join(lines)


def _num(v: int) -> str:
    return str(v) if v >= 0 else f"(- {-v})"
