"""pysmt formulas as SMT-LIB text, which ``eagersmt.Solver.add`` parses (as ``z3.py`` does
for Z3 expressions).  pysmt is imported when a formula is converted."""

from __future__ import annotations

from typing import Any, Collection


def pysmt_to_smtlib(formula: Any, declared: Collection[str] = ()) -> str:
    """SMT-LIB text of a pysmt formula: declarations of its symbols not in ``declared``
    (constants, and uninterpreted functions over Bool and Int), then ``(assert f)`` (or
    ``(get-value (t))`` for a term that is not Bool)."""
    from pysmt.smtlib.printers import quote
    from pysmt.shortcuts import to_smtlib

    lines = []
    for v in sorted(formula.get_free_variables(), key=lambda s: s.symbol_name()):
        name = v.symbol_name()
        if name in declared:
            continue
        t = v.symbol_type()
        if t.is_function_type():
            args = " ".join(_sort(name, a) for a in t.param_types)
            lines.append(f"(declare-fun {quote(name)} ({args}) {_sort(name, t.return_type)})")
            continue
        lines.append(f"(declare-fun {quote(name)} () {_sort(name, t)})")
    body = to_smtlib(formula, daggify=True)
    if formula.get_type().is_bool_type():
        lines.append(f"(assert {body})")
    else:
        lines.append(f"(get-value ({body}))")
    return "\n".join(lines)


def _sort(name: str, t: Any) -> str:
    if t.is_bool_type():
        return "Bool"
    if t.is_int_type():
        return "Int"
    if t.is_real_type():
        return "Real"
    from ..errors import UnsupportedError

    raise UnsupportedError(f"symbol {name} has type {t}: eagersmt handles Bool, Int and Real "
                           "(and functions over Bool and Int)")
