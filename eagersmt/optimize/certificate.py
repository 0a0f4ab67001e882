"""A certificate of optimality, and the scripts that state it (``optimize --proof``).

For objective ``i`` of a lexicographic optimization (earlier optima fixed, ``t_j = v_j``)
with proven optimum ``v_i``, two SMT-LIB scripts are written next to each other, both FILE's
problem (``problem``: its commands that state it, as written) plus a few assertions
(``query``):

* ``optimum-i.smt2`` asserts ``t_i = v_i``: the optimum's model (``optimum.json``) satisfies
  it, which ``check-proof`` verifies by evaluating the script's assertions;
* ``bound-i.smt2`` asserts ``t_i <= v_i - 1`` (``>= v_i + 1`` when maximizing): unsat, with
  an ordinary unsat certificate in ``bound-i/`` (``solve --proof``: DRAT proof, encoding
  certificate).

``check-proof DIR FILE`` rebuilds both scripts from FILE with the same two functions and
rejects the certificate unless they are the files in DIR, byte for byte.  Cost: one more
unsat solve per objective (the bound query, from scratch and with proof logging).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

OPTIMUM_FILE = "optimum.json"

# Commands that state the problem (kept, in order); the others (check-sat, objectives,
# get-*, echo) are left out, and nothing after (exit) is read.
_PROBLEM = ("set-logic", "set-option", "set-info", "declare-const", "declare-fun", "define-fun",
            "assert", "push", "pop", "reset", "reset-assertions")


def problem(text: str) -> str:
    """The commands of the script ``text`` that state its problem, as written, one a line."""
    from ..smtlib.tokenizer import read_sexprs

    out = []
    for sx in read_sexprs(text):
        head = sx[0] if sx and type(sx[0]) is str else ""
        if head == "exit":
            break
        if head in _PROBLEM:
            out.append(text[sx.pos:sx.end])
    return "\n".join(out) + "\n"


def numeral(v: int) -> str:
    return str(v) if v >= 0 else f"(- {-v})"


def query(problem_text: str, fixed: Sequence[tuple[str, int]], term: str, rel: str,
          value: int) -> str:
    """``problem_text``, the earlier optima fixed (``(= t v)``), ``(rel term value)``, and a
    ``check-sat``."""
    lines = [problem_text.rstrip("\n"), "; eagersmt optimize --proof"]
    lines += [f"(assert (= {t} {numeral(v)}))" for t, v in fixed]
    lines.append(f"(assert ({rel} {term} {numeral(value)}))")
    lines.append("(check-sat)")
    return "\n".join(lines) + "\n"


def bound_relation(maximize: bool, value: int) -> tuple[str, int]:
    """The query that shows nothing beats ``value``: ``<= value - 1`` (``>= value + 1``)."""
    return (">=", value + 1) if maximize else ("<=", value - 1)


def model_to_json(model: dict) -> dict:
    """A model as JSON: ints and Booleans as they are, rationals as ``"n/d"``."""
    return {k: (f"{v.numerator}/{v.denominator}" if isinstance(v, Fraction) else v)
            for k, v in model.items()}


def model_from_json(doc: dict) -> dict:
    return {k: (Fraction(v) if isinstance(v, str) else v) for k, v in doc.items()}


__all__ = ["OPTIMUM_FILE", "bound_relation", "model_from_json", "model_to_json", "numeral",
           "problem", "query"]
