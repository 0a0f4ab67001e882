"""pysmt formulas as SMT-LIB text, which ``eagersmt.Solver.add`` parses (as ``z3.py`` does
for Z3 expressions).  pysmt is imported when a formula is converted."""

from __future__ import annotations

from typing import Any, Mapping

from ..ir.terms import Term


def pysmt_to_smtlib(formula: Any, declared: Mapping[str, Term] = {}) -> str:
    """SMT-LIB text of a pysmt formula: declarations of its symbols not in ``declared``, then
    ``(assert f)`` (or ``(get-value (t))`` for an arithmetic term)."""
    from pysmt.smtlib.printers import quote
    from pysmt.shortcuts import to_smtlib

    lines = []
    for v in sorted(formula.get_free_variables(), key=lambda s: s.symbol_name()):
        name = v.symbol_name()
        if name in declared:
            continue
        t = v.symbol_type()
        sort = "Bool" if t.is_bool_type() else "Int" if t.is_int_type() else \
            "Real" if t.is_real_type() else None
        if sort is None:
            from ..errors import UnsupportedError

            raise UnsupportedError(f"symbol {name} has type {t}: eagersmt handles Bool, Int "
                                   "and Real")
        lines.append(f"(declare-fun {quote(name)} () {sort})")
    body = to_smtlib(formula, daggify=True)
    if formula.get_type().is_bool_type():
        lines.append(f"(assert {body})")
    else:
        lines.append(f"(get-value ({body}))")
    return "\n".join(lines)
