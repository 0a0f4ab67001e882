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


@pytest.mark.parametrize("encoding", ["sd", "order", "eij", "compact"])
@pytest.mark.parametrize("op", list(OPS))
def test_models_are_exactly_the_solutions(encoding, op):
    for c in (-4, -1, 0, 1, 3):
        for atom, holds in shapes(op, c):
            for negate in (False, True):
                text = f"(not {atom})" if negate else atom
                expected = {(x, y) for x, y in itertools.product(BOX, BOX)
                            if holds(x, y) != negate}
                assert solutions(text, encoding) == expected, (encoding, text)


def test_pair_lemmas_are_valid_and_complete_on_a_pair():
    """Every pair lemma holds for all integer values in a box (brute force), and together
    they imply every implication between the atoms of one pair."""
    import random

    from eagersmt.encode.cnf import CNF
    from eagersmt.encode.pairs import pair_lemmas
    from eagersmt.encode.tseitin import NEG, POS, PredUse

    rng = random.Random(7)
    for _ in range(200):
        preds = []
        for var in range(1, rng.randint(2, 6) + 1):
            x, y = rng.sample([0, 1, 2], 2)
            preds.append(PredUse(x, y, rng.randint(-4, 4), var, POS | NEG))
        cnf = CNF()
        cnf.nvars = len(preds)
        n = pair_lemmas(preds, cnf)
        assert n == len(cnf.clauses)

        def truth(vals):  # the atoms' values under integer values of x0, x1, x2
            return {p.var: vals[p.x] - vals[p.y] <= p.c for p in preds}

        box = range(-5, 6)
        for vals in itertools.product(box, box, box):
            t = truth(vals)
            for clause in cnf.clauses:
                assert any(t[abs(lit)] == (lit > 0) for lit in clause), (preds, clause, vals)
        # complete: any implication a -> b between two atoms of one pair that holds in the box
        # follows from the lemmas by unit propagation
        for p, q in itertools.permutations(preds, 2):
            if {p.x, p.y} != {q.x, q.y}:
                continue
            for sp, sq in itertools.product((1, -1), repeat=2):
                holds = all((truth(v)[q.var] == (sq > 0)) or (truth(v)[p.var] != (sp > 0))
                            for v in itertools.product(box, box, box))
                if holds and p.var != q.var:
                    assert _propagates(cnf.clauses, sp * p.var, sq * q.var), (preds, p, q)


def _propagates(clauses, lit, target):
    true = {lit}
    changed = True
    while changed:
        changed = False
        for c in clauses:
            if any(x in true for x in c):
                continue
            open_ = [x for x in c if -x not in true]
            if len(open_) == 1 and open_[0] not in true:
                true.add(open_[0])
                changed = True
    return target in true


@pytest.mark.parametrize("path", ["jobshop_classic/jobshop_ft06_b54.smt2"])
def test_kissat_gets_the_cnf_without_pair_lemmas(path, tmp_path):
    """The lemmas are recorded as redundant; Kissat's DIMACS leaves them out (same answer)."""
    from eagersmt.backends.kissat import write_dimacs
    from eagersmt.encode import encode
    from eagersmt.ir.normalize import normalize
    from eagersmt.smtlib.parser import parse_file

    from .conftest import BENCH, require_shared

    require_shared()
    enc = encode(normalize(parse_file(str(BENCH / path)).assertions))
    (r,) = enc.cnf.redundant
    assert len(r) > 0 and r.stop == len(enc.cnf.clauses)
    with open(tmp_path / "all.cnf", "w") as f:
        write_dimacs(f, enc.cnf)
    with open(tmp_path / "ess.cnf", "w") as f:
        write_dimacs(f, enc.cnf, essential=True)
    head = (tmp_path / "ess.cnf").read_text().splitlines()[0]
    assert head == f"p cnf {enc.cnf.nvars} {len(enc.cnf.clauses) - len(r)}"
    assert (solve_smtlib((BENCH / path).read_text(), config=Config(backend="kissat")).status
            == Status.UNSAT)
