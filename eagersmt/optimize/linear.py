"""The search for a linear objective (``sum c_i x_i + k`` with integer coefficients, or any
Int term that is not a difference ``x - y + k``): one bound query per step, each
re-encoding the formula with the extra atom ``t <= a`` from scratch through the decision
core (``core.decide``: the linear path's encodings, the model decoded and checked on the
original assertions).

Descent, then bisection: the first model (a plain solve) gives ``ub = t(model)``; the search
gallops down (``t <= ub - 1``, ``ub - 2``, ``ub - 4``, ... each model's own value the new
``ub``) until a refutation ``t <= a`` gives the lower bound ``lb = a + 1``, then bisects
``[lb, ub]``.  Every raised lower bound is a refutation just below it, so the optimum ends
proven by the unsat query at ``optimum - 1`` (or by the box, below, when it attains it).
The box of the objective's variables (their top-level bounds: ``box_bound``), when it
bounds the objective, is a lower bound before any query: the gallop stops at it.  Without
one, when the gallop's step passes ``2 ** MAX_GALLOP_BITS`` the search stops with the best
model, not proven (the objective may be unbounded; it is never reported as an optimum).
Maximizing ``t`` is minimizing ``-t``.  Cost: one encoding and one SAT solve per query,
``O(log(ub - optimum))`` queries.
"""

from __future__ import annotations

import time
from typing import Callable, Mapping, Optional, Sequence

from ..check.model import evaluate
from ..config import Config
from ..core import Kept, Query, decide
from ..core.limits import is_interrupt
from ..errors import InternalError, Interrupted, UnsupportedError
from ..ir import terms as T
from ..ir.terms import INT, Term, TermManager
from ..result import Status
from .objective import Objective, Optimum, Progress
from .state import SearchState

MAX_GALLOP_BITS = 40


def optimize_linear(assertions: Sequence[Term], declarations: Sequence[Term],
                    objective: Objective, terms: Optional[TermManager], config: Config,
                    positions: Optional[Mapping[Term, int]],
                    progress: Optional[Callable[[Progress], None]]) -> Optimum:
    """Minimize (maximize) ``objective`` by bound queries re-encoded each time (module doc)."""
    if objective.term.sort != INT:
        raise UnsupportedError(f"only Int objectives are supported (got a {objective.term.sort} "
                               "term)")
    if terms is None:
        raise UnsupportedError("a linear objective needs the assertions' term manager")
    return _Linear(list(assertions), list(declarations), objective, terms, config, positions,
                   progress).run()


class _Linear(SearchState):
    def __init__(self, assertions: list[Term], declarations: list[Term], objective: Objective,
                 terms: TermManager, config: Config, positions: Optional[Mapping[Term, int]],
                 progress: Optional[Callable[[Progress], None]]):
        super().__init__(objective, config, progress)
        self.assertions, self.declarations = assertions, declarations
        self.terms, self.positions = terms, positions
        self.sign = -1 if objective.maximize else 1
        self.stats.notes["objective"] = "linear: re-encoded per bound query"

    def user(self, raw: Optional[int]) -> Optional[int]:
        return None if raw is None else self.sign * raw

    def ask(self, a: Optional[int]) -> tuple[Status, Optional[int]]:
        """Decide ``F and sign * t <= a`` (None: ``F``); the model's raw value when sat."""
        extra = []
        if a is not None:
            bound = self.terms.const(self.sign * a, INT)
            t = self.obj.term
            extra = [self.terms.le(t, bound) if self.sign > 0 else self.terms.le(bound, t)]
        query = Query(self.assertions + extra, self.declarations, positions=self.positions,
                      deadline=self.deadline)
        res = decide(query, self.config, Kept())
        key = {Status.SAT: "sat_calls", Status.UNSAT: "unsat_calls"}.get(res.status)
        if key is not None:
            self.stats.counts[key] = self.stats.counts.get(key, 0) + 1
        if res.status != Status.SAT:
            return res.status, None
        (v,) = evaluate([self.obj.term], res.model)
        raw = self.sign * int(v)  # type: ignore[call-overload]
        if a is not None and raw > a:  # (the model is checked on F and the bound atom)
            raise InternalError(f"model violates the bound query: {raw} > {a}")
        self.best_model = res.model
        self.history.append((time.perf_counter() - self.start, self.sign * raw))
        return Status.SAT, raw

    def run(self) -> Optimum:
        """The optimum; on Ctrl-C ``Interrupted`` with the best result so far."""
        try:
            return self._search()
        except BaseException as e:
            if not is_interrupt(e):
                raise
            ub, lb = self.bounds
            partial = None if ub is None else self.result(Status.SAT, ub, lb, reason="interrupted")
            raise Interrupted(partial) from None

    def _search(self) -> Optimum:
        st, ub = self.ask(None)
        if st != Status.SAT or ub is None:
            return self.result(st, None, None, reason="timeout" if st == Status.UNKNOWN else "")
        box = box_bound(self.assertions, self.obj.term, self.sign)
        lb: Optional[int] = None
        if box is not None and box >= ub:
            lb = box
        elif box is not None:
            self.stats.notes["box bound"] = str(self.user(box))
        self.report(ub, lb)
        step = 1
        while lb is None:  # gallop down until a refutation (not below the box)
            if step > 2 ** MAX_GALLOP_BITS:
                return self.result(Status.SAT, ub, None,
                                   reason="no lower bound found: the objective may be unbounded")
            a = ub - step if box is None else max(ub - step, box)
            if box is not None and a == box:
                lb = box  # the bisection asks ``t <= box`` if need be
                break
            st, v = self.ask(a)
            if st == Status.UNKNOWN:
                return self.result(Status.SAT, ub, lb, reason="timeout")
            if st == Status.UNSAT:
                lb = a + 1
            else:
                assert v is not None
                ub, step = v, 2 * step
            self.report(ub, lb)
        while lb < ub:  # bisection; each lb is a refutation at lb - 1
            a = lb + (ub - lb - 1) // 2
            st, v = self.ask(a)
            if st == Status.UNKNOWN:
                return self.result(Status.SAT, ub, lb, reason="timeout")
            if st == Status.UNSAT:
                lb = a + 1
            else:
                assert v is not None
                ub = v
            self.report(ub, lb)
        return self.result(Status.SAT, ub, lb)


def box_bound(assertions: Sequence[Term], t: Term, sign: int) -> Optional[int]:
    """A lower bound of ``sign * t`` from the box of its variables (top-level conjuncts
    ``x <= c``, ``c <= x``, ``x < c``, ``c < x``, ``x = c``), when ``t`` is a sum of integer
    multiples of Int variables plus a constant and every variable is bounded on the side it
    needs; else None.  Cost: one pass over the top-level conjuncts."""
    lo: dict[str, int] = {}
    hi: dict[str, int] = {}

    def tighten(name: str, low: Optional[int], high: Optional[int]) -> None:
        if low is not None:
            lo[name] = max(lo.get(name, low), low)
        if high is not None:
            hi[name] = min(hi.get(name, high), high)

    stack = list(assertions)
    while stack:
        a = stack.pop()
        if a.op == T.AND:
            stack.extend(a.args)
            continue
        if a.op not in (T.LE, T.LT, T.EQ) or len(a.args) != 2:
            continue
        l, r = a.args
        strict = 1 if a.op == T.LT else 0
        if l.op == T.VAR and l.sort == INT and r.op == T.CONST and isinstance(r.val, int):
            tighten(l.val, r.val if a.op == T.EQ else None,  # type: ignore[arg-type]
                    r.val - strict)
        elif r.op == T.VAR and r.sort == INT and l.op == T.CONST and isinstance(l.val, int):
            tighten(r.val, l.val + strict,  # type: ignore[arg-type]
                    l.val if a.op == T.EQ else None)
    coef: dict[str, int] = {}
    const = 0
    todo: list[tuple[Term, int]] = [(t, sign)]
    while todo:
        n, c = todo.pop()
        if n.op == T.CONST and isinstance(n.val, int):
            const += c * n.val
        elif n.op == T.VAR and n.sort == INT:
            coef[n.val] = coef.get(n.val, 0) + c  # type: ignore[index]
        elif n.op == T.ADD:
            todo.extend((x, c) for x in n.args)
        elif n.op == T.MUL and isinstance(n.val, int) and len(n.args) == 1:
            todo.append((n.args[0], c * n.val))
        else:
            return None
    total = const
    for name, c in coef.items():
        side = lo if c > 0 else hi
        if c == 0:
            continue
        if name not in side:
            return None
        total += c * side[name]
    return total


__all__ = ["box_bound", "optimize_linear"]
