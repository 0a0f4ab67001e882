"""Model repair (eagersmt/memo/repair.py): a near stored model made a model of the query.

The choice of disjuncts and the Bellman-Ford solve on small circuits; the store's index of
near answers (both back ends); ``solve`` answering sat from a repaired model and falling
back to search when the repair fails; ``optimize`` proving a what-if variant's optimum with
no SAT call, and random what-if variants against Z3.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
import z3

from eagersmt.api import solve_smtlib
from eagersmt.ir.circuit import Circuit
from eagersmt.memo import open_store
from eagersmt.memo.repair import NEAR_SHARE, select, solve
from eagersmt.memo.use import close_all
from eagersmt.result import Status

from .memohelp import location_for, private_env, query
from .oracle import z3_accepts_model

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from gen_jobshop import Instance, load_instances, longer, to_smtlib  # noqa: E402

FT06 = load_instances(REPO / "examples" / "ft06.txt")["ft06"]


@pytest.fixture
def memo(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    private_env(tmp_path, monkeypatch)
    loc = str(tmp_path / "memo.sqlite")
    monkeypatch.setenv("EAGERSMT_MEMO", loc)
    yield loc
    close_all()


# -- the repair itself --------------------------------------------------------------------

def _holds(cons, vals) -> bool:  # type: ignore[no-untyped-def]
    return all(vals[x] - vals[y] <= k for x, y, k in cons)


def test_select_keeps_the_disjunct_the_old_values_come_closest_to():
    c = Circuit()
    a, b = c.int_var("a"), c.int_var("b")
    # a + 3 <= b  or  b + 4 <= a   (one machine, two operations), old: a = 0, b = 2
    left, right = c.pred(a, b, -3), c.pred(b, a, -4)
    c.roots.append(c.or_((left, right)))
    v = [0, 0, 2]
    cons, bools = select(c, v, {})
    assert cons == [(a, b, -3)] and bools == {}  # a first, as before (violated by 1)
    vals = solve(3, cons, v)
    assert vals is not None and _holds(cons, vals)
    v = [0, 9, 2]  # b first in the old values
    cons, _ = select(c, v, {})
    assert cons == [(b, a, -4)]


def test_select_and_solve_fail_on_clashing_choices():
    c = Circuit()
    a, b = c.int_var("a"), c.int_var("b")
    p = c.bool_var("p")
    c.roots += [c.or_((c.pred(a, b, -1), p)), c.pred(b, a, -1)]  # (a < b or p) and b < a
    cons, bools = select(c, [0, 0, 5], {"p": False})  # old: a < b, p false
    assert solve(3, cons, [0, 0, 5]) is None  # a < b and b < a: a negative cycle
    cons, bools = select(c, [0, 5, 0], {"p": True})  # p true costs nothing, a < b does
    assert bools == {"p": True} and solve(3, cons, [0, 5, 0]) is not None
    c2 = Circuit()
    q = c2.bool_var("q")
    c2.roots += [q, c2.or_((-q, c2.pred(c2.int_var("x"), 0, 3)))]
    assert select(c2, [0, 7], {"q": True}) is not None
    c2.roots.append(-q)  # q and not q: a clash
    assert select(c2, [0, 0], {"q": True}) is None


def test_solve_minimizes_the_objective_for_the_chosen_orders():
    # z = 0 <= a, a + 3 <= b, b + 2 <= ms: the least ms - z is 5 whatever the old values
    cons = [(0, 1, 0), (1, 2, -3), (2, 3, -2)]
    vals = solve(4, cons, [0, 10, 20, 50], objective=(3, 0))
    assert vals is not None and _holds(cons, vals) and vals[3] - vals[0] == 5


# -- the index of near answers --------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgres"])
def location(request, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    private_env(tmp_path, monkeypatch)
    return location_for(request.param, request, tmp_path)


def test_near_answers_share_the_most_keys(location: str) -> None:
    base = "(assert (< x y))(assert (< y z))(assert (< z w))(assert (or p (<= w 100)))"
    q1, q2 = query(base), query(base + "(assert (<= x 3))")
    far = query("(assert (> x y))(assert (> y 7))")
    with open_store(location) as s:
        for q in (q1, far):
            r = solve_smtlib(q.text)
            s.put_sat(q.qk, r.model)
        near = s.near(q2.qk, share=NEAR_SHARE, limit=2)
        assert [e.qkey for e in near] == [q1.qk.key]  # far shares no key
        assert s.near(q1.qk, share=NEAR_SHARE, limit=2) == []  # itself is not near
        assert s.near(query("(assert (< x y))(assert (<= x 3))(assert (> w 1))(assert (> z 2))"
                            "(assert (> y 0))").qk, share=NEAR_SHARE, limit=2) == []  # 1 of 5
        s.backend.delete("answer", [q1.qk.key])
        assert s.near(q2.qk, share=NEAR_SHARE, limit=2) == []


# -- solve -----------------------------------------------------------------------------------

HEAD = "(set-logic QF_IDL)(declare-const x Int)(declare-const y Int)(declare-const z Int)"
ORDER = "(assert (or (<= (- x y) (- 3)) (>= (- x y) 2)))(assert (>= x 0))(assert (>= y 0))"


def test_solve_answers_a_near_query_from_the_repaired_model(memo):  # type: ignore[no-untyped-def]
    first = solve_smtlib(HEAD + ORDER + "(assert (<= y 50))(check-sat)")
    assert first.status == Status.SAT and first.stats.counts["memo_written"] == 1
    # the same problem with the bound moved and one more constraint: no SAT search
    text = HEAD + ORDER + "(assert (<= y 40))(assert (>= (- z x) 7))(check-sat)"
    r = solve_smtlib(text)
    assert r.status == Status.SAT and r.stats.counts["memo_repaired"] == 1
    assert "solve" not in r.stats.times and r.stats.notes["memo"].startswith("model repaired")
    assert z3_accepts_model(text, r.model)
    again = solve_smtlib(text)  # recorded as this query's answer
    assert again.stats.counts["memo_answered"] == 1


def test_a_repair_that_fails_falls_back_to_search(memo):  # type: ignore[no-untyped-def]
    first = solve_smtlib(HEAD + ORDER + "(assert (<= x y))(check-sat)")  # x before y
    assert first.status == Status.SAT
    # y before x now: the old order cannot be kept, the search finds the other one
    text = HEAD + ORDER + "(assert (> x y))(check-sat)"
    r = solve_smtlib(text)
    assert r.status == Status.SAT and r.stats.counts["memo_repaired"] == 0
    assert "solve" in r.stats.times and z3_accepts_model(text, r.model)
    # and an unsat near query stays unsat
    r = solve_smtlib(HEAD + ORDER + "(assert (> x y))(assert (< (- x y) 2))(check-sat)")
    assert r.status == Status.UNSAT and r.stats.counts.get("memo_repaired", 0) == 0


# -- optimize ----------------------------------------------------------------------------

def _z3_optimum(text: str) -> int:
    o = z3.Optimize()
    o.from_string(text.replace("(get-objectives)", ""))
    assert o.check() == z3.sat
    return o.model().eval(z3.Int("ms") - z3.Int("z")).as_long()


def _optimize(inst: Instance):  # type: ignore[no-untyped-def]
    from eagersmt.optimize import Objective, optimize
    from eagersmt.smtlib.parser import parse

    text = to_smtlib(inst, None)
    s = parse(text)
    [c] = [c for c in s.commands if c.name == "minimize"]
    return text, optimize(s.assertions, s.declarations, Objective(c.args[0], False, c.args[1]),
                          terms=s.terms, logic=s.logic)


@pytest.mark.parametrize("ops", [[(0, 0)], [(3, 1)], [(4, 4)], [(2, 0), (4, 3)]])
def test_a_variant_whose_optimum_does_not_move_needs_no_sat_call(memo, ops):  # type: ignore[no-untyped-def]
    _, base = _optimize(FT06)
    assert base.value == 55 and base.proven
    text, v = _optimize(longer(FT06, ops))
    assert v.proven and v.value == _z3_optimum(text) == 55
    assert v.stats.counts["memo_repaired"] == 1 and v.stats.counts["memo_applied"] >= 1
    assert v.stats.notes["memo"] == "optimum from a repaired stored model"
    assert v.stats.counts.get("sat_calls", 0) == v.stats.counts.get("unsat_calls", 0) == 0
    assert z3_accepts_model(text.split("(minimize")[0], v.model)


@pytest.mark.parametrize("ops", [[(0, 5)], [(4, 1)]])
def test_a_variant_whose_optimum_moves_searches_from_the_repaired_model(memo, ops):  # type: ignore[no-untyped-def]
    _, base = _optimize(FT06)
    text, v = _optimize(longer(FT06, ops))
    assert v.proven and v.value == _z3_optimum(text) > 55
    assert v.stats.counts["memo_repaired"] == 1
    assert v.stats.counts.get("unsat_calls", 0) == 1  # only "nothing better": no probe, no descent
    assert z3_accepts_model(text.split("(minimize")[0], v.model)


def _random_shop(rng: random.Random, n: int, m: int) -> Instance:
    jobs = []
    for _ in range(n):
        machines = list(range(m))
        rng.shuffle(machines)
        jobs.append(tuple((k, rng.randint(1, 9)) for k in machines))
    return Instance(f"r{n}x{m}", "random", n, m, tuple(jobs))


@pytest.mark.parametrize("seed", range(6))
def test_random_what_if_variants_agree_with_z3(memo, seed):  # type: ignore[no-untyped-def]
    """One store for a random shop and a chain of variants of it (and, across seeds, for
    shops that share variable names: near answers of another instance are repaired too)."""
    rng = random.Random(seed)
    inst = _random_shop(rng, rng.randint(3, 4), rng.randint(3, 4))
    text, base = _optimize(inst)
    assert base.proven and base.value == _z3_optimum(text)
    for _ in range(3):
        j, k = rng.randrange(inst.njobs), rng.randrange(inst.nmachines)
        inst = longer(inst, [(j, k)], delta=rng.choice((1, 1, 2, 5)))
        text, v = _optimize(inst)
        assert v.status == Status.SAT and v.proven and v.value == _z3_optimum(text), (seed, j, k)
        assert z3_accepts_model(text.split("(minimize")[0], v.model)


def test_random_near_queries_agree_with_z3(memo):  # type: ignore[no-untyped-def]
    """Random difference-logic scripts, each solved, then again with one more constraint:
    one store for all (near answers of other scripts are repaired too); every answer
    agrees with Z3 and every sat model satisfies the script."""
    from eagersmt.smtlib.parser import parse
    from eagersmt.tools.fuzz.generate import formula_script

    repaired = 0
    for seed in range(40):
        rng = random.Random(seed)
        text = formula_script(rng, real=False, max_vars=4, big=False)
        names = sorted(v.val for v in parse(text).declarations if v.sort == "Int")
        if len(names) < 2:
            continue
        body = text.rsplit("(check-sat)", 1)[0]
        variants = [text]
        for _ in range(3):
            u, v = rng.sample(names, 2)
            variants.append(body + f"(assert (<= (- {u} {v}) {rng.randint(-4, 4)}))(check-sat)\n")
        for t in variants:
            r = solve_smtlib(t)
            z = z3.Solver()
            z.from_string(t)
            want = Status.SAT if z.check() == z3.sat else Status.UNSAT
            assert r.status == want, (seed, t)
            if r.status == Status.SAT:
                assert z3_accepts_model(t, r.model), (seed, t)
            repaired += r.stats.counts.get("memo_repaired", 0)
    assert repaired >= 5, repaired  # (the campaign did exercise repairs)
