"""Features of an instance: a fixed vector of numbers that a learnt strategy is chosen by.

Idea: algorithm selection (MachSMT, Scott et al., TACAS 2021; the eager-vs-lazy predictor of
Amazon's ``amzn-smt-prediction``) maps cheap syntactic measures of a formula to the solver
that does best on similar formulas.  The measures here are what the front end has anyway:
the logic, the sizes the normalizer records (atoms, integer variables, difference and
linear atoms, indicators, UF applications), one walk over the assertions' DAG (terms by
kind, the largest constant) and, for a formula outside difference logic, the widths of the
finite integer domains.  Sizes are on a log scale (``log2(1 + n)``) so that a threshold
learnt on small files means something on large ones.

Deterministic (no clock, no hash order) and linear in the size of the DAG: the same file
gives the same vector in ``solve`` and in ``tune``.  ``FEATURES`` is the order of the
vector; a strategy file stores it and refuses a vector of another order.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Mapping, Optional, Sequence

from ..ir import terms as T
from ..ir.linear import LinearNormalized

if TYPE_CHECKING:
    from ..ir.normalize import Normalized
    from ..ir.terms import Term

# The order of the vector (names as ``--stats`` and the strategy file show them).
FEATURES: tuple[str, ...] = (
    "logic_uf", "logic_real", "linear",
    "assertions", "terms", "bool_vars", "int_vars",
    "atoms", "difference_atoms", "linear_atoms", "linear_share",
    "indicators", "uf_applications", "ite_terms", "mul_terms",
    "max_constant_bits", "domain_bits_max", "domain_bits_mean",
)


def _log(n: float) -> float:
    return round(math.log2(1 + max(n, 0)), 6)


def features(norm: "Normalized", assertions: Sequence["Term"],
             logic: Optional[str] = None) -> dict[str, float]:
    """The feature vector of ``assertions`` (normalized to ``norm``), as ``FEATURES``
    names it."""
    kinds: dict[str, int] = {}
    bool_vars = int_vars = 0
    max_const = 0
    dag = T.iter_dag(list(assertions))
    for t in dag:
        kinds[t.op] = kinds.get(t.op, 0) + 1
        if t.op == T.VAR:
            if t.sort == T.BOOL:
                bool_vars += 1
            else:
                int_vars += 1
        elif t.op == T.CONST and t.sort != T.BOOL:
            max_const = max(max_const, abs(int(t.val)))  # type: ignore[arg-type]
        elif t.op == T.MUL:
            max_const = max(max_const, abs(int(t.val)))  # type: ignore[arg-type]
    stats: Mapping[str, int] = norm.stats
    linear = isinstance(norm, LinearNormalized)
    diff = stats.get("difference_atoms", 0 if linear else stats.get("atoms", 0))
    lin = stats.get("linear_atoms", 0)
    widths = [hi - lo + 1 for lo, hi in norm.domains.values()] if linear else []  # type: ignore[attr-defined]
    logic = (logic or "").upper()
    out = {
        "logic_uf": float("UF" in logic or kinds.get(T.APPLY, 0) > 0),
        "logic_real": float("RDL" in logic or "LRA" in logic or norm.sort == T.REAL),
        "linear": float(linear),
        "assertions": _log(len(assertions)),
        "terms": _log(len(dag)),
        "bool_vars": _log(bool_vars),
        "int_vars": _log(stats.get("int_vars", int_vars)),
        "atoms": _log(diff + lin),
        "difference_atoms": _log(diff),
        "linear_atoms": _log(lin),
        "linear_share": round(lin / (diff + lin), 6) if diff + lin else 0.0,
        "indicators": _log(stats.get("indicators", 0)),
        "uf_applications": _log(kinds.get(T.APPLY, 0)),
        "ite_terms": _log(kinds.get(T.ITE, 0)),
        "mul_terms": _log(kinds.get(T.MUL, 0)),
        "max_constant_bits": _log(max_const),
        "domain_bits_max": _log(max(widths, default=0)),
        "domain_bits_mean": round(sum(_log(w) for w in widths) / len(widths), 6)
        if widths else 0.0,
    }
    return {name: float(out[name]) for name in FEATURES}


def file_features(path: str) -> dict[str, float]:
    """The features of an SMT-LIB file's assertions (those of its end: a script of one
    ``check-sat`` is decided on exactly these), as ``solve`` computes them."""
    from ..compile import normalize_assertions
    from ..errors import InputError
    from ..smtlib.parser import parse_file

    script = parse_file(path)
    assertions = script.assertions
    try:
        norm = normalize_assertions(assertions, positions=script.atom_pos)
    except InputError as e:  # (located as solve locates it)
        raise script.locate(e) from None
    return features(norm, assertions, script.logic)


__all__ = ["FEATURES", "features", "file_features"]
