"""From Z3 to eagersmt, through SMT-LIB text (Z3 prints it, eagersmt parses it).

>>> import z3
>>> from eagersmt import Solver
>>> x, y = z3.Ints("x y")
>>> s = Solver()
>>> s.add_z3([x - y >= 3, x >= 0, z3.Or(x < 0, y > 5)])   # or s.add(z3 exprs)
>>> s.check(), s.minimize("x")
(<Status.SAT: 'sat'>, Optimum(minimize x = 9, proven))

``from_z3`` returns the text itself (declarations and assertions), e.g. to save a Z3 model
of a problem as an SMT-LIB file that ``eagersmt solve`` reads.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from ..ir.terms import Term


def from_z3(obj: Any) -> str:
    """SMT-LIB text (declarations + assertions) of a Z3 ``BoolRef``, a list of them, a
    ``z3.Solver`` or the assertions of a ``z3.Optimize`` (its objectives are not copied:
    pass them to ``Solver.minimize``; a non-Bool ``ArithRef`` becomes ``(get-value (t))``)."""
    return z3_to_smtlib(obj)


_DECL = re.compile(r"\(declare-fun (\|[^|]*\||[^\s()|]+) \(\) (\w+)\)")


def z3_to_smtlib(obj: Any, declared: Mapping[str, Term] = {}) -> str:
    """``from_z3``, leaving out the declarations of symbols in ``declared`` (same sort)."""
    text = _z3_text(obj)
    if not declared:
        return text

    def keep(line: str) -> bool:
        m = _DECL.fullmatch(line.strip())
        if m is None:
            return True
        name = m.group(1)[1:-1] if m.group(1).startswith("|") else m.group(1)
        t = declared.get(name)
        return t is None or t.sort != m.group(2)

    return "\n".join(line for line in text.splitlines() if keep(line))


def _z3_text(obj: Any) -> str:
    import z3

    if isinstance(obj, z3.Solver):
        return obj.sexpr()
    if isinstance(obj, z3.Optimize):
        items = list(obj.assertions())
    elif isinstance(obj, (list, tuple, z3.AstVector)):
        items = list(obj)
    else:
        items = [obj]
    s = z3.Solver()
    terms = []
    for e in items:
        if not isinstance(e, z3.ExprRef):
            raise TypeError(f"not a Z3 expression: {e!r}")
        if z3.is_bool(e):
            s.add(e)
        else:
            s.add(e == e)  # only to have its symbols declared
            terms.append(e)
    text = s.sexpr()
    if terms:
        decls = [line for line in text.splitlines() if line.startswith("(declare-")]
        text = "\n".join(decls + [f"(assert {e.sexpr()})" if z3.is_bool(e) else
                                  f"(get-value ({e.sexpr()}))" for e in items])
    return text
