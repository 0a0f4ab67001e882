"""Bound queries of the decision core (``core.decide`` with a ``core.Bound``): the
optimizer's search asks them on one kept order encoding (``OrderBounds``) or, when the
objective's class is not order-encoded, re-encoded per bound (``Reencode``); both must
give Z3's answer, and every model satisfies the assertions and the bound."""

from __future__ import annotations

import pytest
import z3

from eagersmt import Config
from eagersmt.compile import normalize_assertions
from eagersmt.core import Bound, Kept, Query, decide
from eagersmt.core.bounded import OrderBounds, Reencode, open_bounds
from eagersmt.ir.circuit import polarities
from eagersmt.optimize import tighten
from eagersmt.result import Stats, Status
from eagersmt.smtlib.parser import parse

TEXT = """
(declare-const x Int) (declare-const y Int) (declare-const z Int)
(assert (>= (- x y) 3)) (assert (>= (- z x) 2))
(assert (or (<= (- y z) (- 7)) (>= (- x y) 10)))
(assert (>= y 0)) (assert (<= z 40))
"""
CONFIG = Config(backend="cadical")


def z3_status(a: int) -> Status:
    s = z3.Solver()
    s.from_string(TEXT + f"(assert (<= (- z y) {a}))")
    return Status.SAT if s.check() == z3.sat else Status.UNSAT


@pytest.mark.parametrize("kind", ["order", "reencode"])
def test_bound_queries_answer_like_z3_on_one_kept_encoding(kind: str) -> None:
    script = parse(TEXT)
    decls = script.declarations
    norm = normalize_assertions(script.assertions)
    c = norm.circuit
    p, m = c.int_index["z"], c.int_index["y"]
    c.roots.append(c.pred(p, m, 40))  # the encoding's bound: a top-level fact
    pol, _ = polarities(c)
    kept = Kept()
    stats = Stats()
    if kind == "order":
        kept.bounds = open_bounds(norm, p, m, CONFIG, stats, deadline=None, proof=False,
                                  assertions=list(script.assertions), positions=None)
        assert isinstance(kept.bounds, OrderBounds)
    else:
        kept.bounds = Reencode(norm, list(script.assertions), None, p, m, CONFIG, stats)
    try:
        for a in range(12, -1, -1):
            for improve in (None, lambda ints: tighten(c, pol, ints, p, m)):
                res = decide(Query(script.assertions, decls, bound=Bound(a, improve)), CONFIG,
                             kept)
                assert res.status == z3_status(a), (kind, a)
                if res.status != Status.SAT:
                    assert kept.values is None
                    continue
                assert res.model["z"] - res.model["y"] <= a  # type: ignore[operator]
                assert kept.values is not None
                ints = kept.values[0]
                assert ints[p] - ints.get(m, 0) == res.model["z"] - res.model["y"]  # type: ignore[operator]
                if improve is not None:  # compaction: the least value of either disjunct
                    assert kept.improved and res.model["z"] - res.model["y"] in (7, 12)
        assert stats.counts["sat_calls"] > 0 and stats.counts["unsat_calls"] > 0
    finally:
        kept.close()
    assert kept.bounds is None
