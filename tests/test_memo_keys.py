"""Keys of the lemma store (eagersmt/check/query_keys.py): what is recognised as the same, what is
not, and that equal keys mean equivalent assertions (checked by Z3 on random formulas)."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
import z3

from eagersmt.check.query_keys import Atom, BoolLit, literal_key, query_keys
from eagersmt.smtlib.parser import parse
from eagersmt.smtlib.printer import script_text

INT = "(set-logic QF_IDL)(declare-const x Int)(declare-const y Int)(declare-const z Int)" \
      "(declare-const p Bool)(declare-const q Bool)"
REAL = "(set-logic QF_RDL)(declare-const x Real)(declare-const y Real)(declare-const p Bool)"


def keys(text: str, head: str = INT):  # type: ignore[no-untyped-def]
    s = parse(head + text)
    return query_keys(s.assertions, s.logic)


SAME = [  # groups of scripts that must have one query key
    ["(assert (< x y))", "(assert (not (>= x y)))", "(assert (> y x))", "(assert (<= (+ x 1) y))",
     "(assert (<= (- x y) (- 1)))", "(assert (< (- x y) 0))", "(assert (not (<= y x)))",
     "(define-fun lt () Bool (< x y))(assert lt)", "(assert (let ((d (- y x))) (>= d 1)))"],
    ["(assert (< x y))(assert (or p q))", "(assert (or q p))(assert (< x y))",
     "(assert (and (or p q) (< x y)))", "(assert (not (or (not (or p q)) (>= x y))))",
     "(assert (or p q))(assert (< x y))(assert (< x y))",
     "(assert (not (and (not p) (not q))))(assert (< x y))"],
    ["(assert (= x (+ y 3)))", "(assert (<= (- x y) 3))(assert (>= (- x y) 3))",
     "(assert (and (>= x (+ y 3)) (<= x (+ y 3))))"],
    ["(assert (<= (ite p x y) 3))", "(assert (or (and p (<= x 3)) (and (not p) (<= y 3))))"],
    ["(assert (=> p (< x 5)))", "(assert (or (not p) (<= x 4)))", "(assert (or (not p) (< x 5)))"],
    ["(assert (xor p q))", "(assert (not (= p q)))", "(assert (= p (not q)))"],
    ["(assert (distinct x y))", "(assert (not (= x y)))", "(assert (or (< x y) (> x y)))"],
    ["(assert true)(assert (< x 1))", "(assert (< x 1))", "(assert (and true (<= x 0)))"],
]

DIFFERENT = [  # each pair must differ
    ("(assert (< x y))", "(assert (< y x))"),  # another constraint
    ("(assert (< x y))", "(assert (< x z))"),  # another variable (names matter)
    ("(assert (<= x 3))", "(assert (<= x 4))"),
    ("(assert (or p q))", "(assert (and p q))"),
    ("(assert (= p q))", "(assert (= p (not q)))"),
    ("(assert (<= (ite p x y) 3))", "(assert (<= (ite q x y) 3))"),
    ("(assert (< x y))", "(assert (<= x y))"),
]


@pytest.mark.parametrize("group", SAME, ids=range(len(SAME)))
def test_same_query_key(group: list[str]) -> None:
    ks = {keys(t).key for t in group}
    assert len(ks) == 1, group


@pytest.mark.parametrize("a,b", DIFFERENT)
def test_different_query_keys(a: str, b: str) -> None:
    assert keys(a).key != keys(b).key


def test_sorts_logic_and_strictness_matter() -> None:
    int_k = keys("(assert (< x y))").keys
    real_k = keys("(assert (< x y))", REAL).keys
    assert int_k != real_k  # x < y over the reals is not x - y <= -1
    assert keys("(assert (< x y))", REAL).keys != keys("(assert (<= x y))", REAL).keys
    # over the reals, scaling and the mirror are recognised
    assert keys("(assert (< (* 2 x) (* 2 y)))", REAL).key == keys("(assert (not (>= (- x y) 0)))", REAL).key
    a = keys("(assert (< x y))")
    b = parse("(set-logic QF_LIA)(declare-const x Int)(declare-const y Int)(assert (< x y))")
    assert query_keys(b.assertions, b.logic).keys == a.keys  # same assertion keys ...
    assert query_keys(b.assertions, b.logic).key != a.key  # ... but the query key has the logic


def test_top_level_conjunctions_split_and_per_assertion() -> None:
    k = keys("(assert (and (< x y) (< y z)))(assert p)")
    assert len(k.keys) == 3
    assert [len(ks) for ks in k.per_assertion] == [2, 1]
    assert k.support_of([1]) == [(k.per_assertion[1][0], None)]


def test_facts_are_the_asserted_difference_literals() -> None:
    k = keys("(assert (<= x 5))(assert (< x 3))(assert (>= (- y x) 2))(assert (or p (< z 0)))")
    assert k.bounds[("x", None)] == Atom("x", None, 2)  # the strongest of x <= 5, x < 3
    assert k.bounds[("x", "y")] == Atom("x", "y", -2)
    assert ("z", None) not in k.bounds  # under a disjunction: not asserted
    assert k.implies(Atom("x", None, 4)) and k.implies(Atom("x", None, 2))
    assert not k.implies(Atom("x", None, 1)) and not k.implies(Atom("y", None, 100))
    r = keys("(assert (< x 1))(assert (<= y 1))", REAL)
    assert r.implies(Atom("x", None, Fraction(1), True)) and r.implies(Atom("x", None, Fraction(1)))
    assert not r.implies(Atom("y", None, Fraction(1), True)) and r.implies(Atom("y", None, Fraction(2), True))


def test_literal_key_is_the_key_of_the_literal_asserted() -> None:
    k = keys("(assert (<= (- x y) 3))(assert (not p))(assert (> x 2))")
    assert literal_key(Atom("x", "y", 3)) in k.keys
    assert literal_key(Atom("y", "x", -4).negation()) in k.keys  # the mirror of x - y <= 3
    assert literal_key(BoolLit("p", False)) in k.keys
    assert literal_key(Atom(None, "x", -3)) in k.keys


def test_shared_benchmarks_keys_survive_printing(bench_dir) -> None:  # type: ignore[no-untyped-def]
    """Every file of ../shared: the keys of its assertions are those of the same assertions
    printed (script_text) and read again, and of a shuffled copy."""
    from eagersmt.smtlib.parser import parse_file

    files = sorted(bench_dir.glob("*/*.smt2"))
    assert files
    rng = random.Random(1)
    for f in files:
        s = parse_file(str(f))
        k = query_keys(s.assertions, s.logic)
        a = list(s.assertions)
        rng.shuffle(a)
        s2 = parse(script_text(a, logic=s.logic, declarations=s.declarations))
        assert query_keys(s2.assertions, s2.logic).key == k.key, f


def _random_assertion(rng: random.Random, depth: int = 2) -> str:
    """A tiny grammar, so that different texts often mean the same thing."""
    if depth == 0 or rng.random() < 0.3:
        r = rng.random()
        if r < 0.2:
            return rng.choice(["p", "q", "(not p)", "(not q)"])
        a, b = rng.sample(["x", "y", "0"], 2)
        op = rng.choice(["<", "<=", ">", ">=", "="])
        c = rng.randint(-1, 1)
        c_txt = str(c) if c >= 0 else f"(- {-c})"
        form = rng.randint(0, 3)
        if form == 0:
            return f"({op} {a} {b})"
        if form == 1:
            return f"({op} (- {a} {b}) {c_txt})"
        if form == 2:
            return f"({op} {a} (+ {b} {c_txt}))"
        return f"(not ({op} {a} {b}))"
    kind = rng.choice(["and", "or", "not", "=>", "ite"])
    if kind == "not":
        return f"(not {_random_assertion(rng, depth - 1)})"
    if kind == "ite":
        return "(ite " + " ".join(_random_assertion(rng, depth - 1) for _ in range(3)) + ")"
    return f"({kind} {_random_assertion(rng, depth - 1)} {_random_assertion(rng, depth - 1)})"


@pytest.mark.parametrize("sort", ["Int", "Real"])
def test_equal_keys_mean_equivalent_assertions(sort: str) -> None:
    """Soundness of a key match: random assertions grouped by key; Z3 proves every two
    texts of a group equivalent.  (The grammar is small so that groups are common.)"""
    rng = random.Random(7 if sort == "Int" else 8)
    head = (f"(set-logic {'QF_IDL' if sort == 'Int' else 'QF_RDL'})(declare-const x {sort})"
            f"(declare-const y {sort})(declare-const p Bool)(declare-const q Bool)")
    groups: dict[str, set[str]] = {}
    for _ in range(1500):
        a = _random_assertion(rng)
        if sort == "Real":
            a = a.replace(" 0)", " 0.0)").replace(" 1)", " 1.0)")
        s = parse(head + f"(assert {a})")
        groups.setdefault(query_keys(s.assertions, s.logic).key, set()).add(a)
    shared = [g for g in groups.values() if len(g) > 1]
    assert len(shared) >= 30  # the test exercises many matches
    checked = 0
    for g in shared:
        texts = sorted(g)
        for other in texts[1:]:
            smt = head + f"(assert (not (= {texts[0]} {other})))"
            solver = z3.Solver()
            solver.from_string(smt)
            assert solver.check() == z3.unsat, (texts[0], other)
            checked += 1
    assert checked >= 30


def test_a_key_cache_over_a_session_gives_the_keys_computed_afresh():
    """``KeyCache.query`` keeps the facts of the prefix two queries share: a session's
    stacks (base, base + level, another level, a longer base, a shorter one) get exactly
    the keys and facts of a computation from nothing."""
    from eagersmt.check.query_keys import KeyCache

    rng = random.Random(7)
    names = ["x", "y", "z"]
    lines = []
    for i in range(40):
        u, v = rng.sample(names, 2)
        c = rng.randint(-5, 5)
        lines.append(f"(assert (<= (- {u} {v}) {c}))" if i % 3 else
                     f"(assert (or (<= (- {u} {v}) {c}) (>= (- {u} {v}) {c + 3}) p))")
    s = parse(INT + "".join(lines))
    base = list(s.assertions[:20])
    cache = KeyCache()
    stacks = [base + [a] for a in s.assertions[20:26]] + [s.assertions[:30], base[:12],
                                                          base + s.assertions[30:], base]
    for stack in stacks:
        got, want = cache.query(stack, s.logic), query_keys(stack, s.logic)
        assert (got.key, got.keys, got.per_assertion) == (want.key, want.keys, want.per_assertion)
        assert (got.atoms, got.bounds, got.clauses) == (want.atoms, want.bounds, want.clauses)
        assert got.shapes == want.shapes
