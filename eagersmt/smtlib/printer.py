"""SMT-LIB output: values, models, and terms (for messages and cube files)."""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable, Mapping

from ..ir import terms as T
from ..ir.terms import BOOL, REAL, Term

_OPNAME = {T.NOT: "not", T.AND: "and", T.OR: "or", T.ITE: "ite", T.IFF: "=", T.EQ: "=",
           T.LE: "<=", T.LT: "<", T.ADD: "+"}


def quote_symbol(name: str) -> str:
    """A symbol as SMT-LIB writes it: bare when it is a simple symbol, else ``|name|``."""
    if name and not name[0].isdigit() and all(c.isalnum() or c in "~!@$%^&*_-+=<>.?/" for c in name):
        return name
    return f"|{name}|"


def format_value(value: object, sort: str) -> str:
    """``5``, ``(- 5)``, ``(/ 1 3)``, ``(- (/ 1 3))``, ``2.0``, ``true``."""
    if sort == BOOL:
        return "true" if value else "false"
    v = Fraction(value)  # type: ignore[arg-type]
    neg = v < 0
    v = -v if neg else v
    if sort == REAL:
        body = f"{v.numerator}.0" if v.denominator == 1 else f"(/ {v.numerator}.0 {v.denominator}.0)"
    else:
        body = str(v.numerator)
    return f"(- {body})" if neg else body


def format_model(declarations: Iterable[Term], model: Mapping[str, object]) -> str:
    lines = ["("]
    for v in declarations:
        if v.val in model:
            lines.append(f"  (define-fun {quote_symbol(v.val)} () {v.sort} "  # type: ignore[arg-type]
                         f"{format_value(model[v.val], v.sort)})")  # type: ignore[index]
    lines.append(")")
    return "\n".join(lines)


def term_to_smtlib(t: Term) -> str:
    """Print a term (iteratively; shared subterms are printed again, for messages only)."""
    out: dict[int, str] = {}
    stack = [t]
    while stack:
        n = stack[-1]
        if n.id in out:
            stack.pop()
            continue
        missing = [a for a in n.args if a.id not in out]
        if missing:
            stack.extend(missing)
            continue
        stack.pop()
        if n.op == T.CONST:
            s = format_value(n.val, n.sort)
        elif n.op == T.VAR:
            s = quote_symbol(n.val)  # type: ignore[arg-type]
        elif n.op == T.PARAM:
            s = f"_p{n.val[1]}"  # type: ignore[index]
        elif n.op == T.MUL:
            s = f"(* {format_value(n.val, n.sort)} {out[n.args[0].id]})"
        else:
            s = "(" + _OPNAME[n.op] + " " + " ".join(out[a.id] for a in n.args) + ")"
        out[n.id] = s
    return out[t.id]
