"""Z3 (in process, through its Python API) as the reference of the fuzzers, and a watchdog.

``z3_status`` decides the assertions of a script (one ``check-sat`` at the end, as the
campaign's scripts have); when Z3's difference-logic solver gives up (it is incomplete with
``distinct`` over reals: "incomplete (theory difference-logic)") it asks again with the
simplex configuration.  ``z3_model_ok`` evaluates the assertions under a model by
substitution and simplification: an independent check of eagersmt's models (which
eagersmt also checks itself, on its own terms).  ``z3_script_answers`` runs a whole script
(several ``check-sat``s, errors and all) in a fresh Z3 context, for the input fuzzer.
Cost: milliseconds per campaign case (no process: Z3's Python API).

``watchdog(seconds)`` raises ``CaseTimeout`` in the main thread when a block of Python code
runs too long (SIGALRM; the check happens between Python bytecodes, so a SAT call inside C
is stopped when it returns; forked solver processes are never timed by it).  ``Report``
holds what both fuzzers report (seed, wall seconds, findings); each adds its counters.
"""

from __future__ import annotations

import contextlib
import time
from fractions import Fraction
from dataclasses import dataclass, field
from typing import Iterator, Mapping, Optional

import z3

from ...core.limits import deadline_alarm
from ...ir.ackermann import FunctionValue
from .generate import oracle_text


@dataclass
class Report:
    """A fuzzing run: its seed, wall seconds and findings (the subclasses add counters)."""

    seed: int
    seconds: float = 0.0
    findings: list = field(default_factory=list)


class CaseTimeout(Exception):
    """A fuzz case ran past its time limit (raised by ``watchdog``)."""


@contextlib.contextmanager
def watchdog(seconds: Optional[float]) -> Iterator[None]:
    if not seconds:
        yield
        return
    with deadline_alarm(time.perf_counter() + seconds,
                        lambda: CaseTimeout(f"more than {seconds:g} s")):
        yield


class Z3Rejects(Exception):
    """Z3 could not read the script (its message is the exception text)."""


def z3_status(text: str, timeout: float = 5.0) -> tuple[str, list]:
    """Z3's answer on the script's assertions (``sat``/``unsat``/``unknown``) and the assertions."""
    ms = max(1, int(timeout * 1000))
    s = z3.Solver()
    s.set("timeout", ms)
    try:
        s.from_string(oracle_text(text))
    except z3.Z3Exception as e:
        raise Z3Rejects(_message(e)) from None
    r = str(s.check())
    if r == "unknown":  # the difference-logic solver is incomplete: ask simplex
        s2 = z3.Solver()
        s2.set("timeout", ms)
        s2.set("smt.arith.auto_config_simplex", True)
        s2.add(*s.assertions())
        r = str(s2.check())
    return r, list(s.assertions())


def z3_model_ok(assertions: list, model: Mapping[str, object]) -> bool:
    """Whether Z3 evaluates every assertion to true once the model's values are substituted
    (a function's table, ``FunctionValue``, as an ``ite`` chain over its arguments)."""
    pairs = []
    functions = []
    for name, v in model.items():
        if isinstance(v, FunctionValue):
            functions.append(_z3_function(name, v))
        elif isinstance(v, bool):
            pairs.append((z3.Bool(name), z3.BoolVal(v)))
        elif isinstance(v, Fraction):
            pairs.append((z3.Real(name), z3.RealVal(f"{v.numerator}/{v.denominator}")))
        else:
            pairs.append((z3.Int(name), z3.IntVal(str(v))))
    f = z3.And(*assertions) if assertions else z3.BoolVal(True)
    if functions:
        f = z3.substitute_funs(f, *functions)
    return z3.is_true(z3.simplify(z3.substitute(f, *pairs) if pairs else f))


def _z3_function(name: str, v: FunctionValue) -> tuple:
    """(Z3 declaration, body over ``Var(i)``) of a function's table, for ``substitute_funs``."""
    sort = {"Int": z3.IntSort(), "Bool": z3.BoolSort(), "Real": z3.RealSort()}
    decl = z3.Function(name, *(sort[s] for s in v.sorts), sort[v.sort])
    args = [z3.Var(i, sort[s]) for i, s in enumerate(v.sorts)]

    def val(x: object, s: str) -> z3.ExprRef:
        return z3.BoolVal(x) if s == "Bool" else z3.IntVal(str(x)) if s == "Int" else z3.RealVal(str(x))
    body = val(v.default, v.sort)
    for key, res in v.table.items():
        cond = z3.And(*(a == val(k, s) for a, k, s in zip(args, key, v.sorts)))
        body = z3.If(cond, val(res, v.sort), body)
    return decl, body


def z3_script_answers(text: str, timeout: float = 5.0) -> tuple[list[str], list[str]]:
    """Z3's ``sat``/``unsat``/``unknown`` lines for a whole script, and its complaints (the
    ``(error ...)`` and ``unsupported`` lines; Z3 goes on after each, like the executable)."""
    ctx = z3.Context(timeout=max(1, int(timeout * 1000)))
    try:
        out = z3.Z3_eval_smtlib2_string(ctx.ref(), oracle_text(text))
    except z3.Z3Exception as e:  # its message is the whole output (e.g. after an unknown option)
        out = _message(e)
    lines = [ln.strip() for ln in out.splitlines()]
    problems = [ln for ln in lines if ln.startswith("(error") or ln == "unsupported"]
    return [ln for ln in lines if ln in ("sat", "unsat", "unknown")], problems


def _message(e: Exception) -> str:
    v = e.value if isinstance(e, z3.Z3Exception) else str(e)  # type: ignore[attr-defined]
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
