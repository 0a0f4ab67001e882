"""Lemma-store keys of linear queries: two different constraints never share a key (checked by
evaluating every pair of generated atoms with equal keys on a grid of points), equal
rewritings of one constraint share it, and the store answers a linear query it has seen
(the model checked again) and nothing else; off by default."""

from __future__ import annotations

import itertools
import random

from eagersmt import Config, Status
from eagersmt.api import solve_smtlib
from eagersmt.check.model import evaluate
from eagersmt.check.query_keys import query_keys
from eagersmt.core.hook import hook_for
from eagersmt.ir.ackermann import FunctionValue
from eagersmt.smtlib.parser import parse

from .memohelp import private_env

DECLS = ("(declare-const x Int)(declare-const y Int)(declare-const b Bool)"
         "(declare-fun f (Int) Int)(declare-fun p (Int Bool) Bool)")


def _term(rng: random.Random, depth: int) -> str:
    if depth <= 0:
        return rng.choice(("x", "y", "x", "y", str(rng.randint(0, 3)), "(- 2)"))
    t = lambda: _term(rng, depth - 1)  # noqa: E731
    return rng.choice((
        lambda: f"(* {rng.choice((2, 3, '(- 1)', '(- 2)'))} {t()})", lambda: f"(+ {t()} {t()})",
        lambda: f"(- {t()} {t()})", lambda: f"(div {t()} {rng.choice((2, 3, '(- 2)'))})",
        lambda: f"(mod {t()} {rng.choice((2, 3))})", lambda: f"(abs {t()})",
        lambda: f"(ite b {t()} {t()})", lambda: f"(ite (<= x {rng.randint(-1, 1)}) {t()} {t()})",
        lambda: f"(f {t()})", lambda: t()))()


def _atom(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return f"(p {_term(rng, 1)} {rng.choice(('b', '(not b)', '(<= x y)'))})"
    return f"({rng.choice(('<=', '<', '=', '>=', '>'))} {_term(rng, 2)} {_term(rng, 2)})"


def test_atoms_with_equal_keys_are_the_same_constraint():
    rng = random.Random(7)
    texts = sorted({_atom(rng) for _ in range(1500)})
    script = parse(DECLS + "".join(f"(assert {a})" for a in texts))
    by_key: dict[str, list] = {}
    for t in script.assertions:
        by_key.setdefault(query_keys([t]).key, []).append(t)
    f = FunctionValue({(v,): (3 * v) % 5 - 2 for v in range(-40, 41)}, 1, ("Int",), "Int")
    p = FunctionValue({(v, bb): (v + bb) % 3 == 0 for v in range(-40, 41) for bb in (0, 1)},
                      False, ("Int", "Bool"), "Bool")
    models = [{"x": x, "y": y, "b": b, "f": f, "p": p}
              for x, y, b in itertools.product(range(-4, 5), range(-4, 5), (False, True))]
    shared = 0
    for same in by_key.values():
        if len(same) < 2:
            continue
        shared += 1
        for m in models:
            values = evaluate(same, m)
            assert len(set(values)) == 1, (same, m)
    assert len(by_key) > 1000  # nearly every atom is a constraint of its own
    assert shared > 0  # and some are rewritings of one another


def test_rewritings_of_one_linear_constraint_share_its_key():
    def key(body: str) -> str:
        return query_keys(parse(DECLS + body).assertions).key

    same = [("(assert (<= (+ (* 3 x) (* 2 y)) 10))", "(assert (>= 10 (+ (* 2 y) (* 3 x))))"),
            ("(assert (<= (+ (* 3 x) (* 2 y)) 10))", "(assert (<= (+ (* 6 x) (* 4 y)) 21))"),
            ("(assert (< (* 3 x) 10))", "(assert (not (>= (* 3 x) 10)))"),
            ("(assert (= (* 2 x) (* 3 y)))", "(assert (= (* 3 y) (* 2 x)))"),
            ("(assert (and (<= (f (+ x 1)) 1) (p y b)))", "(assert (p y b)) (assert (<= (f (+ 1 x)) 1))")]
    different = [("(assert (<= (+ (* 3 x) (* 2 y)) 10))", "(assert (<= (+ (* 3 x) (* 2 y)) 11))"),
                 ("(assert (<= (div x 3) 1))", "(assert (<= (div x (- 3)) 1))"),
                 ("(assert (<= (mod x 3) 1))", "(assert (<= (div x 3) 1))"),
                 ("(assert (<= (f x) 1))", "(assert (<= (f y) 1))"),
                 ("(assert (p x b))", "(assert (p x (not b)))"),
                 ("(assert (<= (ite b x y) 0))", "(assert (<= (ite b y x) 0))")]
    for a, b in same:
        assert key(a) == key(b), (a, b)
    for a, b in different:
        assert key(a) != key(b), (a, b)


LINEAR = ("(set-logic QF_LIA)(declare-const x Int)(declare-const y Int)"
          "(assert (<= (+ (* 3 x) (* 2 y)) 10))(assert (>= (- x (mod y 3)) {k}))"
          "(assert (>= y 0))(check-sat)")


def test_the_store_answers_a_linear_query_it_has_seen_and_no_other(tmp_path, monkeypatch):
    private_env(tmp_path, monkeypatch)
    assert hook_for(Config()) is None  # off by default
    cfg = Config(memo=str(tmp_path / "memo.sqlite"))
    first = solve_smtlib(LINEAR.format(k=2), config=cfg)
    assert first.status == Status.SAT and first.stats.counts.get("memo_written") == 1
    again = solve_smtlib(LINEAR.format(k=2), config=cfg)
    assert again.status == Status.SAT and again.stats.notes.get("memo") == "answer from the lemma store"
    assert 3 * again.model["x"] + 2 * again.model["y"] <= 10
    other = solve_smtlib(LINEAR.format(k=4), config=cfg)  # x >= 4 + (y mod 3): unsat
    assert other.status == Status.UNSAT and "memo" not in other.stats.notes
