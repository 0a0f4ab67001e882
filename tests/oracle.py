"""Z3 as the oracle of the differential tests."""

from __future__ import annotations

from fractions import Fraction

import z3


def z3_status(text: str) -> str:
    s = z3.Solver()
    s.set("timeout", 20000)
    s.from_string(text)
    return str(s.check())


def z3_accepts_model(text: str, model: dict) -> bool:
    """Z3 confirms that ``model`` satisfies the script's assertions (independent evaluator)."""
    s = z3.Solver()
    s.from_string(text)
    for name, v in model.items():
        if isinstance(v, bool):
            s.add(z3.Bool(name) == v)
        elif isinstance(v, Fraction):
            s.add(z3.Real(name) == z3.Q(v.numerator, v.denominator))
        else:
            s.add(z3.Int(name) == v)
    return s.check() == z3.sat


def solved_as_z3(text: str, config):  # type: ignore[no-untyped-def]
    """eagersmt's result on ``text`` under ``config``, asserted to be Z3's status, and a
    model Z3 accepts when sat."""
    from eagersmt.api import solve_smtlib

    expected = z3_status(text)
    res = solve_smtlib(text, config=config)
    assert str(res.status) == expected, text
    if expected == "sat":
        assert z3_accepts_model(text, res.model), text
    return res
