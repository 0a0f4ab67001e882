"""The lazy hand-off: a query given to Z3 or Yices (CDCL(T) solvers) instead of the eager
pipeline, its answer checked as every answer is.

Idea: some formulas are decided faster by a lazy SMT solver than by any encoding to SAT
(wide linear domains, large UF problems); a learnt strategy may send them there, as the
eager-vs-lazy predictor of Amazon's ``amzn-smt-prediction`` does.  The query's assertions
are printed as one SMT-LIB script (``smtlib.printer.script_text``, with the uninterpreted
functions declared), followed by a ``get-value`` of the variables and of every function
application and its arguments (one form both solvers print alike, where their
``get-model`` forms differ), and run through the solver's executable (``check.reference``:
``z3``, ``yices-smt2``) under the query's deadline.  A ``sat`` answer is kept only with a
model that satisfies the assertions (the values read back, each function's table built
from its applications, evaluated by ``check.model``; a model that cannot be read or fails
is ``unknown``, never ``sat``).  An ``unsat`` answer is the
lazy solver's word, not a refutation eagersmt checked: ``--stats`` says so (``lazy``).
Cost: a process start and the solver's time; no CNF is built.
"""

from __future__ import annotations

import math
import re
import subprocess
import time
from fractions import Fraction
from typing import Any, Optional, Sequence

from ..check import reference
from ..check.model import check_model
from ..errors import InternalError
from ..ir import terms as T
from ..ir.ackermann import FunctionValue
from ..ir.terms import Term
from ..result import Result, Stats, Status

LAZY_SOLVERS = ("z3", "yices")
_TOKEN = re.compile(r"\(|\)|\|[^|]*\||[^\s()]+")


class Unreadable(Exception):
    """A model in a form this reader does not know."""


def solve_lazy(solver: str, assertions: Sequence[Term], declarations: Sequence[Term], *,
               logic: Optional[str], stats: Stats, deadline: Optional[float]) -> Result:
    """Decide ``assertions`` with the lazy ``solver`` (module doc); the model (of
    ``declarations`` and the functions applied) is checked here."""
    if solver not in LAZY_SOLVERS:
        raise ValueError(f"lazy solver must be one of {', '.join(LAZY_SOLVERS)}")
    try:
        text = script(solver, assertions, declarations, logic)
    except ValueError as e:  # (a term the printer cannot write)
        return Result(Status.UNKNOWN, {}, stats, f"{solver}: {e}")
    left = None if deadline is None else deadline - time.perf_counter()
    if left is not None and left <= 0:
        return Result(Status.UNKNOWN, {}, stats, "timeout")
    exe = reference.find_executable({"z3": "z3", "yices": "yices-smt2"}[solver])
    if exe is None:
        return Result(Status.UNKNOWN, {}, stats, f"{solver}: executable not found")
    argv = [exe, "-in"] if solver == "z3" else [exe]
    if left is not None:
        argv.append(("-T:{}" if solver == "z3" else "--timeout={}").format(
            max(1, math.ceil(left))))
    t0 = time.perf_counter()
    try:
        p = subprocess.run(argv, input=text, capture_output=True, text=True, timeout=left)
    except subprocess.TimeoutExpired:
        stats.add_time("solve", time.perf_counter() - t0)
        return Result(Status.UNKNOWN, {}, stats, "timeout")
    stats.add_time("solve", time.perf_counter() - t0)
    tokens = _TOKEN.findall(p.stdout)
    answer = tokens[0] if tokens else ""
    if answer == "unsat":
        stats.notes["lazy"] = f"{solver} says unsat (its word: no refutation checked here)"
        return Result(Status.UNSAT, {}, stats)
    if answer != "sat":
        why = (p.stderr.strip() or p.stdout.strip()).splitlines()[-1:] or [answer or "no answer"]
        return Result(Status.UNKNOWN, {}, stats, f"{solver}: {why[0][:200]}")
    try:
        model = read_model(tokens[1:], assertions, declarations)
        check_model(list(assertions), model)
    except (Unreadable, InternalError) as e:
        return Result(Status.UNKNOWN, {}, stats, f"{solver}'s model not accepted: {e}")
    stats.notes["lazy"] = f"{solver} says sat, its model checked"
    return Result(Status.SAT, model, stats)


def _wanted(assertions: Sequence[Term], declarations: Sequence[Term]) -> list[Term]:
    """The terms whose values make the model: the declared constants and the variables of
    the assertions, then every function application and its arguments (the tables)."""
    dag = T.iter_dag(list(assertions))
    wanted = {v.id: v for v in declarations}
    wanted.update((t.id, t) for t in dag if t.op == T.VAR)
    for t in dag:
        if t.op == T.APPLY:
            wanted.update((a.id, a) for a in t.args if a.op != T.CONST)
            wanted[t.id] = t
    return list(wanted.values())


# Z3 refuses a term outside its logic's fragment, and the printer writes a difference as
# ``(+ x (* (- 1) y))``; told the linear logic instead, Z3 leaves its difference-logic
# solver aside and is slower by orders of magnitude on a schedule.  Under a difference
# logic it is told none: it finds the fragment itself.
_DIFFERENCE_LOGICS = {"QF_IDL", "QF_RDL", "QF_UFIDL"}


def script(solver: str, assertions: Sequence[Term], declarations: Sequence[Term],
           logic: Optional[str]) -> str:
    """The SMT-LIB script given to the lazy ``solver``: the assertions, the uninterpreted
    functions' declarations, ``check-sat`` and a ``get-value`` of ``_wanted``."""
    from ..smtlib.printer import script_text

    dag = T.iter_dag(list(assertions))
    functions = {t.val: (tuple(a.sort for a in t.args), t.sort) for t in dag
                 if t.op == T.APPLY}
    if logic is None:
        real = any(t.sort == T.REAL for t in dag)
        logic = f"QF_{'UF' if functions else ''}{'LRA' if real else 'LIA'}"
    told = [] if solver == "z3" and logic in _DIFFERENCE_LOGICS else [f"(set-logic {logic})"]
    body = script_text(assertions, declarations=declarations).splitlines()
    decls = [f"(declare-fun {T.quote_symbol(name)} ({' '.join(sorts)}) {sort})"
             for name, (sorts, sort) in sorted(functions.items())]
    values = " ".join(T.term_to_smtlib(t) for t in _wanted(assertions, declarations))
    lines = ["(set-option :produce-models true)", *told, *decls, *body,
             f"(get-value ({values}))" if values else ""]
    return "\n".join(lines) + "\n"


def _tree(tokens: list[str]) -> list[Any]:
    """The S-expressions of ``tokens`` (nested lists of atoms)."""
    stack: list[list[Any]] = [[]]
    for tok in tokens:
        if tok == "(":
            stack.append([])
        elif tok == ")":
            if len(stack) == 1:
                raise Unreadable("unbalanced parentheses")
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(tok)
    if len(stack) != 1:
        raise Unreadable("unbalanced parentheses")
    return stack[0]


def _value(x: Any, sort: str) -> Any:
    """A value as the solver prints it (``5``, ``(- 5)``, ``(/ 1 2)``, ``1.5``, ``true``), of
    ``sort``."""
    if sort == T.BOOL:
        if x not in ("true", "false"):
            raise Unreadable(f"{x!r} is not a Boolean")
        return x == "true"
    if isinstance(x, list) and len(x) == 2 and x[0] == "-":
        return -_value(x[1], sort)
    if isinstance(x, list) and len(x) == 3 and x[0] == "/":
        v = Fraction(_value(x[1], T.REAL)) / Fraction(_value(x[2], T.REAL))
    elif isinstance(x, str) and re.fullmatch(r"\d+(\.\d+)?", x):
        v = Fraction(x)
    else:
        raise Unreadable(f"{str(x)[:80]} is not a number")
    if sort == T.INT:
        if v.denominator != 1:
            raise Unreadable(f"{v} is not an integer")
        return int(v)
    return v


def read_model(tokens: list[str], assertions: Sequence[Term],
               declarations: Sequence[Term]) -> dict[str, object]:
    """The model in a ``get-value`` answer (``tokens`` after the ``sat``: one pair per term
    of ``_wanted``, in its order): the constants' values, and each function's table of the
    applications' values (elsewhere the first value of its table)."""
    wanted = _wanted(assertions, declarations)
    trees = _tree(tokens)
    if not trees or not isinstance(trees[0], list) or len(trees[0]) != len(wanted):
        raise Unreadable("not one value per term asked for")
    values = {}
    for t, pair in zip(wanted, trees[0]):
        if not (isinstance(pair, list) and len(pair) == 2):
            raise Unreadable(f"not a (term value) pair: {str(pair)[:80]}")
        values[t.id] = _value(pair[1], t.sort)
    model: dict[str, object] = {t.val: values[t.id] for t in wanted  # type: ignore[misc]
                                if t.op == T.VAR}
    tables: dict[str, FunctionValue] = {}
    for t in wanted:
        if t.op == T.APPLY:
            args = tuple(a.val if a.op == T.CONST else values[a.id] for a in t.args)
            f = tables.get(t.val)  # type: ignore[call-overload]
            if f is None:
                f = tables[t.val] = FunctionValue(  # type: ignore[index]
                    {}, values[t.id], tuple(a.sort for a in t.args), t.sort)
            f.table[args] = values[t.id]
    model.update(tables)
    return model


__all__ = ["LAZY_SOLVERS", "Unreadable", "read_model", "script", "solve_lazy"]
