"""Linear formulas split by variable class: difference classes through the difference-logic
encoders, substituted definitions, channelled (order-encoded) start times, log-encoded
rest.  Answers against Z3, models checked by Z3 on the original formula, and the stats
saying which path each class took."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from eagersmt.api import solve_smtlib
from eagersmt.config import Config
from eagersmt.result import Status

z3 = pytest.importorskip("z3")

CONFIG = Config(memo="off", backend="cadical")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import gen_lia  # noqa: E402


def _z3_status(text: str) -> str:
    s = z3.Solver()
    s.add(z3.parse_smt2_string(text))
    return str(s.check())


def _z3_confirms(text: str, model: dict) -> bool:
    fixed = []
    for name, v in model.items():
        if callable(v):
            continue
        if isinstance(v, bool):
            fixed.append(f"(assert (= {name} {'true' if v else 'false'}))")
        else:
            fixed.append(f"(assert (= {name} {v if v >= 0 else f'(- {-v})'}))")
    return _z3_status(text + "\n" + "\n".join(fixed)) == "sat"


def _check(text: str, config: Config = CONFIG):
    expected = _z3_status(text)
    res = solve_smtlib(text, config=config)
    assert str(res.status) == expected
    if expected == "sat":
        assert _z3_confirms(text, res.model)
    return res


@pytest.mark.parametrize("enc", ["overlap", "bool", "time"])
def test_rcpsp_models_answered_as_z3(enc):
    jobs = 10
    linear = 0
    for seed in range(4):
        decls, body = gen_lia.rcpsp(random.Random(seed), jobs=jobs, resources=2, maxdur=3,
                                    tight=0.8, enc=enc)
        text = "\n".join(["(set-logic QF_LIA)", *decls, *body, "(check-sat)"]) + "\n"
        res = _check(text)
        counts = res.stats.counts
        if counts.get("vars", 0) == 0 or "linear_atoms" not in counts:
            continue  # refuted before encoding, or short sums lifted into difference logic
        linear += 1
        if enc == "time":  # start times order-encoded, tied to their Booleans
            assert counts["channels"] == counts["order_int_vars"] > 0
        else:  # start times a difference class, the sums over indicators
            assert counts["difference_int_vars"] == jobs and counts["log_int_vars"] == 0
            assert counts["pb_constraints"] > 0
    assert linear >= 2


def test_zero_one_ite_definition_becomes_an_indicator():
    text = """(set-logic QF_LIA)
(declare-const a Int) (declare-const b Int) (declare-const z Int) (declare-const w Int)
(assert (and (<= 0 a 5) (<= 0 b 5) (< (- a b) 2)))
(assert (= z (ite (<= a b) 1 0)))
(assert (= w (ite (> a 3) 1 0)))
(assert (>= (+ (* 3 z) (* 2 w)) 5))
(check-sat)
"""
    res = _check(text)
    assert res.status == Status.SAT
    assert res.stats.counts["substituted"] == 2 and res.stats.counts["indicators"] == 2
    assert res.model["z"] == 1 and res.model["w"] == 1


def _channel_script(r: random.Random) -> str:
    """Start times defined from Booleans (with or without at most one of them asserted),
    differences between them, and a mixed sum that may put a start time in a linear atom;
    beside them a class with coefficients (so that the formula is not difference logic)."""
    n = r.randint(2, 3)
    lines = ["(set-logic QF_LIA)", "(declare-const u Int)", "(declare-const v Int)",
             "(assert (and (<= 0 u 9) (<= 0 v 9) (= (+ (* 2 u) (* 3 v)) 7)))"]  # (linear)
    for j in range(n):
        lines.append(f"(declare-const s{j} Int)")
        ts = range(r.randint(1, 4))
        lines += [f"(declare-const x{j}_{t} Bool)" for t in ts]
        values = [r.randint(-2, 5) for _ in ts]
        base = r.randint(-1, 2)
        amo = r.choice(("= 1", "<= 1", ""))
        if amo:
            op, k = amo.split()
            lines.append(f"(assert ({op} (+ 0 {' '.join(f'(ite x{j}_{t} 1 0)' for t in ts)}) {k}))")
        terms = " ".join(f"(ite x{j}_{t} {v} 0)" for t, v in zip(ts, values))
        lines.append(f"(assert (= s{j} (+ {base} {terms})))")
    for _ in range(r.randint(1, 4)):
        a, b = r.sample(range(n), 2)
        c = r.randint(-3, 3)
        atom = f"(<= (- s{a} s{b}) {c})"
        lines.append(f"(assert {atom})" if r.random() < 0.6 else
                     f"(assert (or {atom} (not x{b}_0)))")
    if r.random() < 0.3:
        lines.append(f"(assert (<= (+ (* 2 s0) s1) {r.randint(0, 8)}))")
    if r.random() < 0.5:
        lines.append(f"(assert (>= s{r.randrange(n)} {r.randint(-1, 4)}))")
    return "\n".join(lines + ["(check-sat)"]) + "\n"


def test_channelled_start_times_against_z3():
    order_used = 0
    for seed in range(120):
        res = _check(_channel_script(random.Random(seed)))
        order_used += res.stats.counts.get("order_int_vars", 0) > 0
    assert order_used > 10  # the channel path was taken, not only the log encoding


def test_difference_class_beside_a_linear_class():
    text = """(set-logic QF_LIA)
(declare-const s Int) (declare-const t Int) (declare-const x Int) (declare-const y Int)
(assert (and (<= 0 s 10) (<= 0 t 10) (>= (- t s) 4)))
(assert (or (<= (- s t) (- 6)) (>= s 5)))
(assert (<= 7 (+ (* 3 x) (* 5 y)) 8))
(assert (and (<= (- 5) x 5) (<= (- 5) y 5)))
(check-sat)
"""
    # (not an equality: one would be eliminated, leaving one variable, ``equalities.py``)
    res = _check(text, CONFIG.replace(encoding="sd"))  # (the log encoding forced)
    assert res.status == Status.SAT
    counts = res.stats.counts
    assert counts["difference_int_vars"] == 2 and counts["log_int_vars"] == 2
    assert "linear-log:1" in res.stats.notes["encodings"]
    res = _check(text)  # auto: two small boxes, Sugar's encoding
    assert res.status == Status.SAT
    counts = res.stats.counts
    assert counts["difference_int_vars"] == 2 and counts["order_int_vars"] == 2
    assert "linear-sugar:1" in res.stats.notes["encodings"]
