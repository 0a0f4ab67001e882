"""SMT-LIB output: values, models, terms (for messages and cube files) and whole scripts.

A term prints itself (``ir.terms.term_to_smtlib``, with ``format_value`` and
``quote_symbol``: ``repr`` of a ``Term``); this module adds models and scripts.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional, Sequence

from ..ir import terms as T
from ..ir.terms import APPLY, SMTLIB_NAMES, Term, app_text, format_value, iter_dag, quote_symbol, term_to_smtlib


def format_model(declarations: Iterable[Term], model: Mapping[str, object]) -> str:
    """The declared constants' values, then each uninterpreted function's table (a model's
    values with a ``sorts`` signature, ``ir/ackermann.FunctionValue``) as Z3 prints it:
    ``(define-fun f ((x!0 Int)) Int (ite (= x!0 1) 5 ... default))``."""
    lines = ["("]
    for v in declarations:
        if v.val in model:
            lines.append(f"  (define-fun {quote_symbol(v.val)} () {v.sort} "  # type: ignore[arg-type]
                         f"{format_value(model[v.val], v.sort)})")  # type: ignore[index]
    for name in sorted(k for k, f in model.items() if hasattr(f, "sorts")):
        f = model[name]
        params = [f"x!{i}" for i in range(len(f.sorts))]  # type: ignore[attr-defined]
        body = format_value(f.default, f.sort)  # type: ignore[attr-defined]
        for args, value in reversed(list(f.table.items())):  # type: ignore[attr-defined]
            test = [f"(= {p} {format_value(a, s)})"
                    for p, a, s in zip(params, args, f.sorts)]  # type: ignore[attr-defined]
            cond = test[0] if len(test) == 1 else f"(and {' '.join(test)})"
            body = f"(ite {cond} {format_value(value, f.sort)} {body})"  # type: ignore[attr-defined]
        sig = " ".join(f"({p} {s})" for p, s in zip(params, f.sorts))  # type: ignore[attr-defined]
        lines.append(f"  (define-fun {quote_symbol(name)} ({sig}) {f.sort} {body})")  # type: ignore[attr-defined]
    lines.append(")")
    return "\n".join(lines)


def script_text(assertions: Sequence[Term], *, logic: Optional[str] = None,
                declarations: Iterable[Term] = ()) -> str:
    """An SMT-LIB script that declares every variable of ``assertions`` (and
    ``declarations``), asserts each and checks: the parser reads back the same terms.
    Subterms used twice in an assertion are bound by ``let`` (so a DAG prints in linear
    size, where ``term_to_smtlib`` would repeat them)."""
    roots = list(assertions)
    variables = {t.val: t for t in iter_dag(roots) if t.op == T.VAR}
    variables.update((v.val, v) for v in declarations)
    lines = [f"(set-logic {logic})"] if logic else []
    for name in sorted(variables):  # type: ignore[type-var]
        lines.append(f"(declare-fun {quote_symbol(name)} () {variables[name].sort})")  # type: ignore[arg-type]
    prefix = "?s"
    while any(str(n).startswith(prefix) for n in variables):
        prefix = "?" + prefix
    for a in roots:
        lines.append(f"(assert {_shared_text(a, prefix)})")
    lines.append("(check-sat)")
    return "\n".join(lines) + "\n"


def _shared_text(root: Term, prefix: str) -> str:
    order = iter_dag([root])
    parents: dict[int, int] = {}
    for n in order:
        for a in n.args:
            parents[a.id] = parents.get(a.id, 0) + 1
    out: dict[int, str] = {}
    binds: list[str] = []
    for n in order:
        if n.op == T.CONST:
            s = format_value(n.val, n.sort)
        elif n.op == T.VAR:
            s = quote_symbol(n.val)  # type: ignore[arg-type]
        elif n.op == T.MUL:
            s = f"(* {format_value(n.val, n.sort)} {out[n.args[0].id]})"
        elif n.op in SMTLIB_NAMES or n.op == APPLY:
            s = app_text(n, [out[a.id] for a in n.args])
        else:
            raise ValueError(f"cannot print operator {n.op}")
        if n.args and parents.get(n.id, 0) > 1:
            name = f"{prefix}{len(binds)}"
            binds.append(f"(let (({name} {s})) ")
            s = name
        out[n.id] = s
    return "".join(binds) + out[root.id] + ")" * len(binds)


__all__ = ["format_model", "format_value", "quote_symbol", "script_text", "term_to_smtlib"]
