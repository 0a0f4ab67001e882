"""The corner-polyhedron refutation (``ir/corner.py``): the group minimum against Z3's
integer optimum, no refutation of a system that has an integer point, and rows plus a
negated cut (the cut lemmas' shape) answered as Z3 answers, refuted in normalization,
models checked on the original formula."""

from __future__ import annotations

import random
from typing import Optional

import pytest

from eagersmt.api import solve_smtlib
from eagersmt.config import Config
from eagersmt.ir.corner import cone_minimum, corner_infeasible
from eagersmt.ir.linear import corner_witness, normalize_linear
from eagersmt.smtlib.parser import parse, parse_file

from .conftest import BENCH, needs_shared
from .oracle import z3_accepts_model, z3_status
from .smtgen import numeral

z3 = pytest.importorskip("z3")

CONFIG = Config(memo="off", backend="cadical")
COEFFICIENTS = (1, 1, 1, -1, -1, -1, 2, -2, 3, -3)


def _rows(rng: random.Random, names: list[str], count: int) -> list[tuple[dict, int]]:
    out = []
    for _ in range(count):
        xs = rng.sample(names, rng.randint(2, len(names)))
        out.append(({x: rng.choice(COEFFICIENTS) for x in xs}, rng.randint(-3, 3)))
    return out


def _nonsingular(rng: random.Random, names: list[str]) -> list[tuple[dict, int]]:
    while True:
        rows = _rows(rng, names, len(names))
        B = [[c.get(x, 0) for x in names] for c, _ in rows]
        if _det(B):
            return rows


def _det(B: list[list[int]]) -> int:
    from fractions import Fraction

    m = [[Fraction(v) for v in row] for row in B]
    d = Fraction(1)
    for k in range(len(m)):
        p = next((i for i in range(k, len(m)) if m[i][k]), -1)
        if p < 0:
            return 0
        if p != k:
            m[k], m[p] = m[p], m[k]
            d = -d
        d *= m[k][k]
        for i in range(k + 1, len(m)):
            f = m[i][k] / m[k][k]
            m[i] = [v - f * w for v, w in zip(m[i], m[k])]
    return int(d)


def _objective(rng: random.Random, rows, names, top: int) -> dict[str, int]:
    """``-u A`` over ``rows`` with positive ``u``: bounded below on their cone."""
    u = [rng.randint(1, top) for _ in rows]
    a = {x: -sum(ui * c.get(x, 0) for ui, (c, _) in zip(u, rows)) for x in names}
    return {x: v for x, v in a.items() if v}


def _z3_integer_minimum(rows, a) -> Optional[int]:
    """None when the rows have no integer point."""
    v = {x: z3.Int(x) for c, _ in rows for x in c}
    opt = z3.Optimize()
    opt.add([z3.Sum([k * v[x] for x, k in c.items()]) <= b for c, b in rows])
    h = opt.minimize(z3.Sum([k * v[x] for x, k in a.items()]))
    if opt.check() != z3.sat:
        return None
    return opt.lower(h).as_long()


@pytest.mark.parametrize("seed", range(40))
def test_the_group_minimum_is_z3s_integer_optimum_over_the_cone(seed):
    rng = random.Random(seed)
    names = [f"x{i}" for i in range(rng.randint(2, 5))]
    rows = _nonsingular(rng, names)
    a = _objective(rng, rows, names, 30)
    if not a:
        return
    least = _z3_integer_minimum(rows, a)
    assert cone_minimum(rows, a, least + 100) == least
    assert cone_minimum(rows, a, least) == least
    assert cone_minimum(rows, a, least - 1) == least  # (above the limit: limit + 1)


def test_a_group_of_two_components():
    # 2x <= 1, 2x + 2y <= 1: Z^2 / B Z^2 is Z_2 x Z_2; -4x - 2y = -2x - 2(x + y) is -2 at
    # the apex (1/2, 0) and at least 0 on the integer points (x <= 0, x + y <= 0)
    rows = [({"x": 2}, 1), ({"x": 2, "y": 2}, 1)]
    a = {"x": -4, "y": -2}
    assert cone_minimum(rows, a, 10) == _z3_integer_minimum(rows, a) == 0
    big = {x: 10 * v for x, v in a.items()}  # (a candidate's coefficients stand out)
    assert corner_infeasible(rows + [(big, -1)], {})
    assert not corner_infeasible(rows + [(big, 0)], {})


def test_an_objective_unbounded_below_on_the_cone_is_not_minimised():
    rows = [({"x": 1}, 3), ({"y": 1}, 2)]  # x <= 3, y <= 2: x + y unbounded below
    assert cone_minimum(rows, {"x": 1, "y": 1}, 10) is None
    assert cone_minimum(rows, {"x": -1, "y": -1}, 10) == -5


@pytest.mark.parametrize("seed", range(60))
def test_a_system_with_an_integer_point_is_never_refuted(seed):
    rng = random.Random(1000 + seed)
    names = [f"x{i}" for i in range(rng.randint(2, 7))]
    point = {x: rng.randint(-20, 20) for x in names}
    rows = []
    for c, _ in _rows(rng, names, len(names) + rng.randint(0, 3)):
        rows.append((c, sum(k * point[x] for x, k in c.items()) + rng.randint(0, 2)))
    for _ in range(rng.randint(1, 2)):  # rows of large coefficients through the point
        a = _objective(rng, rows[:len(names)], names, 500) or {names[0]: 97}
        rows.append((a, sum(k * point[x] for x, k in a.items()) + rng.randint(0, 3)))
    rng.shuffle(rows)
    assert not corner_infeasible(rows, {})


def _cut_script(rng: random.Random, n: int, extra: int, k: int) -> tuple[str, bool]:
    """Rows and ``not (a x >= m + k)`` (``m``: Z3's integer minimum of ``a x``, scaled):
    unsat for ``k`` 0; and whether the rows are one square system (the cone itself)."""
    names = [f"x{i}" for i in range(n)]
    least = None
    while least is None:  # (extra rows may leave no integer point: draw again)
        rows = _nonsingular(rng, names) + _rows(rng, names, extra)
        a = _objective(rng, rows[:n], names, 400)
        least = _z3_integer_minimum(rows, a) if a else None
    f = rng.randint(1, 1000)
    decl = "".join(f"(declare-const {x} Int)" for x in names)

    def term(c):
        return f"(+ {' '.join(f'(* {numeral(v)} {x})' for x, v in c.items())} 0)"

    body = "".join(f"(assert (<= {term(c)} {numeral(b)}))" for c, b in rows)
    cut = term({x: f * v for x, v in a.items()})
    body += f"(assert (not (>= {cut} {numeral(f * (least + k))})))"
    return f"(set-logic QF_LIA){decl}{body}(check-sat)", extra == 0


@pytest.mark.parametrize("seed", range(24))
def test_rows_and_a_negated_cut_answer_as_z3(seed):
    rng = random.Random(2000 + seed)
    k = 0 if seed % 3 else 1  # a third with the cut one past the optimum: sat
    text, cone = _cut_script(rng, rng.randint(4, 6), 0 if seed % 2 else rng.randint(1, 3), k)
    expected = z3_status(text)
    res = solve_smtlib(text, config=CONFIG)
    assert str(res.status) == expected
    if expected == "sat":
        assert z3_accepts_model(text, res.model)
    elif cone:  # the cone's own minimum: refuted before encoding
        assert normalize_linear(parse(text).assertions).infeasible


def test_the_checkable_normalization_leaves_the_refutation_to_the_witness():
    rng = random.Random(7)
    text, _ = _cut_script(rng, 5, 0, 0)
    assert z3_status(text) == "unsat"
    assert normalize_linear(parse(text).assertions).infeasible
    checkable = normalize_linear(parse(text).assertions, checkable=True)
    assert not checkable.infeasible
    assert corner_witness(checkable) is not None  # (``--proof`` certifies the refutation)


@needs_shared
def test_smtlibs_cut_lemma_is_refuted_before_encoding():
    # Griggio's cut_lemma_03_012: 20 rows over 20 variables and a negated cut whose
    # coefficients reach 1.4e8 (unsat; the bit-level search did not refute it in 60 s)
    path = BENCH / "lia" / "lia_real_cut_lemmas" / "cut_lemma_03_012.smt2"
    assert normalize_linear(parse_file(str(path)).assertions).infeasible
    assert str(solve_smtlib(path.read_text(), config=CONFIG).status) == "unsat"
