"""Every constructor simplification of the circuit preserves the truth table (exhaustive)."""

from __future__ import annotations

import itertools

from eagersmt.ir.circuit import FALSE, K_AND, K_BVAR, K_IFF, K_ITE, TRUE, Circuit


def evaluate(c: Circuit, lit: int, env: dict[str, bool]) -> bool:
    val = {1: True}
    for n in range(2, len(c.kind)):
        k, a = c.kind[n], c.args[n]

        def L(x: int) -> bool:
            return val[abs(x)] if x > 0 else not val[abs(x)]

        if k == K_BVAR:
            val[n] = env[a[0]]
        elif k == K_AND:
            val[n] = all(L(x) for x in a)
        elif k == K_ITE:
            val[n] = L(a[1]) if L(a[0]) else L(a[2])
        elif k == K_IFF:
            val[n] = L(a[0]) == L(a[1])
    return val[abs(lit)] if lit > 0 else not val[abs(lit)]


def test_constructors_are_exact():
    c = Circuit()
    names = ["a", "b", "c"]
    leaves = [TRUE, FALSE] + [s * c.bool_var(n) for n in names for s in (1, -1)]
    envs = [dict(zip(names, bits)) for bits in itertools.product([False, True], repeat=3)]

    def truth(lit: int, env: dict[str, bool]) -> bool:
        return evaluate(c, lit, env)

    for x, y, z in itertools.product(leaves, repeat=3):
        built = {
            "ite": c.ite(x, y, z), "iff": c.iff(x, y),
            "and": c.and_([x, y, z]), "or": c.or_([x, y, z]),
        }
        for env in envs:
            X, Y, Z = truth(x, env), truth(y, env), truth(z, env)
            assert truth(built["ite"], env) == (Y if X else Z), (x, y, z, env)
            assert truth(built["iff"], env) == (X == Y), (x, y, env)
            assert truth(built["and"], env) == (X and Y and Z), (x, y, z, env)
            assert truth(built["or"], env) == (X or Y or Z), (x, y, z, env)


def test_predicate_orientation_shares_atom_negation_and_mirror():
    c = Circuit()
    x, y = c.int_var("x"), c.int_var("y")
    p = c.pred(x, y, 3)  # x - y <= 3
    assert c.pred(y, x, -4) == -p  # y - x <= -4  is  not (x - y <= 3)
    assert c.pred(x, x, 0) == TRUE and c.pred(x, x, -1) == FALSE


def test_regression_ite_else_is_the_condition():
    """ite(c, t, not c) once simplified to c and t: a silent wrong unsat (found by a benchmark run)."""
    from eagersmt import Status, solve_smtlib

    r = solve_smtlib("(declare-const x Int)(declare-const y Int)"
                     "(assert (ite (<= x y) (<= x (- y 5)) (> x y)))(assert (> x y))(check-sat)")
    assert r.status == Status.SAT
    r = solve_smtlib("(declare-const a Bool)(declare-const b Bool)"
                     "(assert (ite a b (not a)))(assert (not a))(check-sat)")
    assert r.status == Status.SAT
