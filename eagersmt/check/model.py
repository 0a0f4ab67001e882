"""Model checking: evaluate the *original* asserted terms under a model.

This walks the parsed terms (before normalization, ite-lifting, scaling and encoding), so a
bug in any of those stages shows up as a failed check instead of a wrong ``sat``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Mapping

from ..errors import InternalError
from ..ir import terms as T
from ..ir.terms import Term, iter_dag


def evaluate(roots: list[Term], model: Mapping[str, object]) -> list[object]:
    """Values of ``roots`` (Python bool / int / Fraction) under ``model`` (name -> value; an
    uninterpreted function's name -> a callable from argument tuples to values)."""
    val: dict[int, object] = {}
    for t in iter_dag(roots):
        op = t.op
        a = [val[c.id] for c in t.args]
        if op == T.CONST:
            v = t.val
        elif op == T.VAR:
            if t.val not in model:
                raise InternalError(f"model has no value for '{t.val}'")
            v = model[t.val]  # type: ignore[index]
        elif op == T.NOT:
            v = not a[0]
        elif op == T.AND:
            v = all(a)
        elif op == T.OR:
            v = any(a)
        elif op == T.ITE:
            v = a[1] if a[0] else a[2]
        elif op == T.IFF:
            v = bool(a[0]) == bool(a[1])
        elif op == T.EQ:
            v = a[0] == a[1]
        elif op == T.LE:
            v = a[0] <= a[1]  # type: ignore[operator]
        elif op == T.LT:
            v = a[0] < a[1]  # type: ignore[operator]
        elif op == T.ADD:
            v = sum(a)  # type: ignore[arg-type]
        elif op == T.MUL:
            v = t.val * a[0]  # type: ignore[operator]
        elif op == T.DIV:
            v = T.int_div(a[0], t.val)  # type: ignore[arg-type]
        elif op == T.MOD:
            v = a[0] - t.val * T.int_div(a[0], t.val)  # type: ignore[arg-type, operator]
        elif op == T.ABS:
            v = abs(a[0])  # type: ignore[arg-type]
        elif op == T.APPLY:  # the model maps a function's name to its table (a callable)
            f = model.get(t.val)  # type: ignore[call-overload]
            if not callable(f):
                raise InternalError(f"model has no interpretation of '{t.val}'")
            v = f(tuple(a))
        else:
            raise InternalError(f"cannot evaluate operator {op}")
        if isinstance(v, Fraction) and v.denominator == 1 and t.sort == T.INT:
            v = int(v)
        val[t.id] = v
    return [val[r.id] for r in roots]


def check_model(assertions: list[Term], model: Mapping[str, object]) -> None:
    """Raise ``InternalError`` unless every assertion is true under ``model``."""
    for i, v in enumerate(evaluate(assertions, model)):
        if v is not True:
            from ..smtlib.printer import term_to_smtlib

            text = term_to_smtlib(assertions[i])
            raise InternalError(
                f"model check failed: assertion #{i + 1} is false under the SAT model: "
                f"{text[:200]}{'...' if len(text) > 200 else ''}")
