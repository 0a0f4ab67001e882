"""Exhaustive small-box checks: for every atom shape, small constants and both polarities,
the decoded models of each encoding are exactly the integer solutions in a box."""

from __future__ import annotations

import itertools
import operator

import pytest

from eagersmt import Config, Status, solve_smtlib

OPS = {"<": operator.lt, "<=": operator.le, "=": operator.eq, ">=": operator.ge,
       ">": operator.gt, "distinct": operator.ne}
BOX = range(0, 4)


def lit(c: int) -> str:
    return str(c) if c >= 0 else f"(- {-c})"


def shapes(op: str, c: int):
    """(SMT-LIB atom, Python predicate on (x, y)) pairs for one operator and constant."""
    f = OPS[op]
    yield f"({op} (- x y) {lit(c)})", lambda x, y: f(x - y, c)
    yield f"({op} x {lit(c)})", lambda x, y: f(x, c)
    yield f"({op} {lit(c)} (+ y {lit(c)}))", lambda x, y: f(c, y + c)
    yield f"({op} (+ x {lit(c)}) y)", lambda x, y: f(x + c, y)


def solutions(atom: str, encoding: str) -> set[tuple[int, int]]:
    box = "(and (<= 0 x 3) (<= 0 y 3))"
    found: set[tuple[int, int]] = set()
    blocks = ""
    for _ in range(len(BOX) ** 2 + 1):
        text = (f"(declare-const x Int)(declare-const y Int)(assert {box})(assert {atom}){blocks}"
                "(check-sat)")
        r = solve_smtlib(text, config=Config(encoding=encoding))
        if r.status == Status.UNSAT:
            return found
        assert r.status == Status.SAT
        pt = (r.model["x"], r.model["y"])
        assert pt not in found
        found.add(pt)
        blocks += f"(assert (not (and (= x {lit(pt[0])}) (= y {lit(pt[1])}))))"
    raise AssertionError("more models than the box holds")


@pytest.mark.parametrize("encoding", ["sd", "order", "eij"])
@pytest.mark.parametrize("op", list(OPS))
def test_models_are_exactly_the_solutions(encoding, op):
    for c in (-4, -1, 0, 1, 3):
        for atom, holds in shapes(op, c):
            for negate in (False, True):
                text = f"(not {atom})" if negate else atom
                expected = {(x, y) for x, y in itertools.product(BOX, BOX)
                            if holds(x, y) != negate}
                assert solutions(text, encoding) == expected, (encoding, text)
