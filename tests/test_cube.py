"""Cubing: iCNF in and out, and the lookahead cuber's cubes cover the search space."""

from __future__ import annotations

import io
import random

import pytest
from pysat.solvers import Cadical195

from eagersmt.cube import CubeSet, LookaheadCuber, check_coverage, read_icnf, write_icnf
from eagersmt.encode import encode
from eagersmt.encode.cnf import CNF
from eagersmt.errors import ParseError
from eagersmt.ir.normalize import normalize
from eagersmt.result import Status
from eagersmt.smtlib.parser import parse_file

from .cnfs import php
from .conftest import BENCH, needs_shared, require_shared

JOBSHOP = str(BENCH / "jobshop_classic" / "jobshop_ft06_b{}.smt2")


def make_cnf(clauses, nvars=None) -> CNF:
    cnf = CNF()
    cnf.nvars = nvars if nvars is not None else max((abs(x) for c in clauses for x in c), default=0)
    cnf.extend(clauses)
    return cnf


def planted_3sat(n: int, m: int, seed: int) -> CNF:
    rng = random.Random(seed)
    sol = [rng.choice((1, -1)) * v for v in range(1, n + 1)]
    clauses = []
    while len(clauses) < m:
        c = [rng.choice((1, -1)) * v for v in rng.sample(range(1, n + 1), 3)]
        if any(lit in sol for lit in c):
            clauses.append(c)
    return make_cnf(clauses, n)




_ENCODED: dict[int, object] = {}


def jobshop(bound: int):  # type: ignore[no-untyped-def]
    require_shared()
    if bound not in _ENCODED:
        script = parse_file(JOBSHOP.format(bound))
        norm = normalize(script.assertions, positions=script.atom_pos)
        enc = encode(norm)
        if -1 in norm.circuit.roots:
            enc.cnf.add([])
        _ENCODED[bound] = enc
    return _ENCODED[bound]


def cube_answers(cnf: CNF, cubes) -> list[bool]:
    with Cadical195(bootstrap_with=cnf.clauses) as s:
        return [s.solve(assumptions=list(c)) for c in cubes]


def satisfies(cnf: CNF, model: list[int]) -> bool:
    true = set(model)
    return all(any(lit in true for lit in c) for c in cnf.clauses)


def check_cubes(cnf: CNF, cs: CubeSet, expect_sat: bool, max_cubes=None, depth=None) -> None:
    assert check_coverage(cnf, cs.cubes)
    if max_cubes is not None:
        assert len(cs.cubes) <= max_cubes
    if depth is not None:
        assert len(cs.cubes) <= 2 ** depth and all(len(c) <= depth for c in cs.cubes)
    for c in cs.cubes:
        assert len({abs(x) for x in c}) == len(c)
    if cs.status == Status.UNSAT:
        assert not expect_sat and cs.cubes == []
        return
    if cs.status == Status.SAT:
        assert expect_sat and cs.model is not None and satisfies(cnf, cs.model)
    answers = cube_answers(cnf, cs.cubes)
    assert any(answers) if expect_sat else not any(answers)


# -- iCNF -------------------------------------------------------------------------------

def test_icnf_round_trip():
    rng = random.Random(3)
    clauses = [[rng.choice((1, -1)) * rng.randint(1, 40) for _ in range(rng.randint(1, 5))]
               for _ in range(60)] + [[]]
    cubes = [[rng.choice((1, -1)) * rng.randint(1, 45) for _ in range(rng.randint(0, 4))]
             for _ in range(20)]
    out = io.StringIO()
    write_icnf(out, make_cnf(clauses, 45), cubes, comments=["a test"])
    text = out.getvalue()
    assert text.startswith("c a test\np inccnf\n")
    ic = read_icnf(text)
    assert ic.clauses == clauses and ic.cubes == cubes
    assert ic.nvars == max(abs(x) for c in clauses + cubes for x in c)


def test_icnf_march_cu_style():
    text = """c produced by march_cu
c number of cubes 3, including 0 refuted leaves
p inccnf
1 2 -3 0
-1
  3 0
2 0
a -1 2 0
a 1 0
a 0
"""
    ic = read_icnf(text)
    assert ic.nvars == 3
    assert ic.clauses == [[1, 2, -3], [-1, 3], [2]]
    assert ic.cubes == [[-1, 2], [1], []]


def test_plain_dimacs():
    ic = read_icnf("c x\np cnf 5 2\n1 -5 0 2\n0\n%\n0\n")
    assert (ic.nvars, ic.clauses, ic.cubes) == (5, [[1, -5], [2]], [])
    assert read_icnf("1 2 0\n").nvars == 2  # no header at all


@pytest.mark.parametrize("text,line,what", [
    ("p inccnf\n1 2 0\n3 x4 0\n", 3, "bad literal 'x4'"),
    ("p inccnf\n1 2 0\n3 -0 0\n", 3, "variable 0"),
    ("p inccnf\n1 2 0\n3\n4\n", 3, "clause not terminated"),
    ("p inccnf\n1 2 0\na 1 2\n", 3, "cube not terminated"),
    ("p inccnf\n1 2\na 1 0\n", 3, "not terminated by 0 before this cube"),
    ("c\np cnf 3 2\n1 2 0\n\n-4 1 0\n", 5, "variable 4 out of range"),
    ("p cnf 3 2\n1 2 0\n-3 1 0\na 1 0\n", 4, "cube in a plain DIMACS"),
    ("p cnf 3 3\n1 2 0\n-3 1 0\n", 1, "declares 3 clauses"),
    ("1 2 0\np cnf 3 1\n", 2, "header after"),
    ("p dnf 3 1\n1 0\n", 1, "bad header"),
])
def test_icnf_errors(text, line, what):
    with pytest.raises(ParseError) as e:
        read_icnf(text, filename="f.icnf")
    assert e.value.line == line and what in e.value.message
    assert str(e.value).startswith(f"f.icnf:{line}: ")


# -- the cuber --------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [{}, {"depth": 5, "dynamic": False}, {"max_cubes": 12},
                                {"depth": 3, "candidates": 3}, {"max_cubes": 9, "order": "free"}])
def test_random_3sat(kw):
    cnf = planted_3sat(80, 340, seed=1)
    cs = LookaheadCuber(**kw).cubes(cnf)
    check_cubes(cnf, cs, True, kw.get("max_cubes"), kw.get("depth"))
    assert cs.stats["nodes"] >= 1


@pytest.mark.parametrize("kw", [{}, {"depth": 4, "dynamic": False}, {"max_cubes": 6},
                                {"depth": 6, "candidates": 2, "dynamic": False},
                                {"max_cubes": 7, "order": "free", "candidates": 2}])
def test_pigeonhole(kw):
    cnf = php(6, 5)
    cs = LookaheadCuber(**kw).cubes(cnf)
    check_cubes(cnf, cs, False, kw.get("max_cubes"), kw.get("depth"))


def test_cnf_with_empty_clause_is_refuted():
    cs = LookaheadCuber().cubes(make_cnf([[1, 2], []], 2))
    assert cs.status == Status.UNSAT and cs.cubes == []


def test_time_budget_keeps_open_nodes():
    cnf = php(7, 6)
    cs = LookaheadCuber(depth=8, dynamic=False).cubes(cnf, time_budget=0.0)
    assert cs.status == Status.UNKNOWN and cs.cubes == [[]] and cs.stats["stopped"] == "time"
    assert check_coverage(cnf, cs.cubes)


def test_node_budget_keeps_open_nodes():
    cnf = php(7, 6)
    cuber = LookaheadCuber(depth=10, dynamic=False, candidates=2)
    cuber.max_nodes = 5
    cs = cuber.cubes(cnf)
    assert cs.stats["stopped"] == "nodes" and cs.stats["nodes"] == 5
    check_cubes(cnf, cs, False)


def test_sat_by_propagation_records_a_model():
    cnf = make_cnf([[1, 2], [-1, 3], [-2, 3], [-3, 4]], 5)  # var 5 occurs nowhere
    cs = LookaheadCuber(depth=6).cubes(cnf)
    assert cs.status == Status.SAT and satisfies(cnf, cs.model) and len(cs.model) == 5
    assert check_coverage(cnf, cs.cubes)


@pytest.mark.parametrize("bound,sat", [(54, False), (55, True)])
@pytest.mark.parametrize("level", ["cnf", "smt"])
@pytest.mark.parametrize("kw", [{}, {"depth": 5, "dynamic": False}, {"max_cubes": 8},
                                {"depth": 6, "candidates": 2, "dynamic": False}])
def test_jobshop(bound, sat, level, kw):
    enc = jobshop(bound)
    atoms = [p.var for p in enc.tseitin.preds]
    cs = LookaheadCuber(**kw).cubes(enc.cnf, variables=atoms if level == "smt" else None)
    check_cubes(enc.cnf, cs, sat, kw.get("max_cubes"), kw.get("depth"))
    if level == "smt":
        allowed = set(atoms)
        assert all(abs(x) in allowed for c in cs.cubes for x in c)


def test_bad_arguments():
    with pytest.raises(ValueError):
        LookaheadCuber(order="dfs")
    with pytest.raises(ValueError):
        LookaheadCuber(ladder_candidates=0)
    with pytest.raises(ValueError):
        LookaheadCuber(max_cubes=0)
    with pytest.raises(ValueError):
        LookaheadCuber(depth=-1)


@pytest.mark.parametrize("seed", range(12))
def test_random_small_formulas_agree_with_a_direct_solve(seed):
    rng = random.Random(seed)
    n = rng.randint(8, 30)
    widths = [rng.choice((2, 3, 3, 4)) for _ in range(int(n * rng.uniform(2.0, 6.0)))]
    cnf = make_cnf([[rng.choice((1, -1)) * v for v in rng.sample(range(1, n + 1), k)]
                    for k in widths], n)
    with Cadical195(bootstrap_with=cnf.clauses) as s:
        sat = s.solve()
    kw = rng.choice([{}, {"depth": 4, "dynamic": False}, {"max_cubes": 5}, {"candidates": 1}])
    variables = rng.sample(range(1, n + 1), n // 2) if seed % 2 else None
    cs = LookaheadCuber(seed=seed, **kw).cubes(cnf, variables=variables)
    check_cubes(cnf, cs, sat, kw.get("max_cubes"), kw.get("depth"))
    if variables is not None:
        assert all(abs(x) in variables for c in cs.cubes for x in c)


# -- bisection ladders and SMT-level split spaces ------------------------------------------

from eagersmt.cube.lookahead import _middle, _window  # noqa: E402
from eagersmt.cube import LEVELS  # noqa: E402
from eagersmt.cube.smt import split_space  # noqa: E402

from .oracle import z3_status  # noqa: E402

SMALL = ["jobshop_classic/jobshop_ft06_b54.smt2", "jobshop_classic/jobshop_ft06_b55.smt2",
         "jobshop_lsidl/jobshop4-2-2-2-2-4-12.smt2", "jobshop_lsidl/jobshop6-2-3-3-2-4-12.smt2",
         "fuzzsmt_yices/1b694516.smt2", "fuzzsmt_yices/268ed0cf.smt2",
         "fuzzsmt_yices/35d358eb.smt2", "fuzzsmt_yices/8e7bdc40.smt2",
         "rvpredict/RVpredict_11.smt2"]


def encoded(path, encoding="auto"):  # type: ignore[no-untyped-def]
    require_shared()
    script = parse_file(str(path))
    norm = normalize(script.assertions, positions=script.atom_pos)
    enc = encode(norm, encoding=encoding)
    if -1 in norm.circuit.roots:
        enc.cnf.add([])
    return enc


def test_ladder_window_and_middle():
    lad = [11, 12, 13, 14, 15, 16]  # [x <= 0] .. [x <= 5]
    assert _window(lad, set()) == (0, 6) and _middle(lad, set()) == 13
    assert _window(lad, {-11, -12, 15, 16}) == (2, 4) and _middle(lad, {-11, -12, 15, 16}) == 13
    assert _window(lad, {-11, -12, -13, 14, 15, 16}) == (3, 3)
    assert _middle(lad, {-11, -12, -13, 14, 15, 16}) == 0
    assert _window(lad, {-11, -12, -13, -14, -15, -16}) == (6, 6)
    assert _middle(lad, {11, 12, 13, 14, 15, 16}) == 0
    assert _middle([7], set()) == 7 and _middle([], set()) == 0


def test_split_space_levels():
    enc = jobshop(54)
    atoms = [p.var for p in enc.tseitin.preds]
    assert split_space(enc, "cnf").variables is None
    sp = split_space(enc, "smt")
    assert sp.variables == atoms and sp.ladders == []
    sp = split_space(enc, "bounds")
    assert sp.variables == [] and len(sp.ladders) >= 36  # the 36 start times of ft06 (+ z)
    assert split_space(enc, "smt+bounds").variables == atoms
    # Each ladder is monotone: [x <= a] and not [x <= a + 1] conflict by propagation.
    from pysat.solvers import Glucose4

    with Glucose4(bootstrap_with=enc.cnf.clauses) as g:
        for lad in sp.ladders[:5]:
            assert all(not g.propagate(assumptions=[a, -b])[0] for a, b in zip(lad, lad[1:]))
    with pytest.raises(ValueError):
        split_space(enc, "bisect")
    assert set(LEVELS.names()) == {"smt", "bounds", "smt+bounds", "cnf"}


def test_bounds_without_an_order_encoding_falls_back_to_the_atoms():
    enc = encoded(BENCH / SMALL[0], encoding="sd")
    sp = split_space(enc, "bounds")
    assert sp.ladders == [] and sp.variables == [p.var for p in enc.tseitin.preds]


@pytest.mark.parametrize("level", ["bounds", "smt+bounds"])
@pytest.mark.parametrize("kw", [{"max_cubes": 8, "dynamic": False}, {"depth": 4, "dynamic": False},
                                {}, {"max_cubes": 8, "dynamic": False, "order": "free"},
                                {"max_cubes": 6, "dynamic": False, "ladder_candidates": 1},
                                {"max_cubes": 5, "dynamic": False, "ladder_candidates": None}])
def test_bisection_cubes_on_jobshop(level, kw):
    for bound, sat in ((54, False), (55, True)):
        enc = jobshop(bound)
        sp = split_space(enc, level)
        cs = LookaheadCuber(**kw).cubes(enc.cnf, variables=sp.variables, ladders=sp.ladders)
        check_cubes(enc.cnf, cs, sat, kw.get("max_cubes"), kw.get("depth"))
        allowed = {abs(lit) for lad in sp.ladders for lit in lad} | set(sp.variables)
        assert all(abs(x) in allowed for c in cs.cubes for x in c)
        if level == "bounds" and cs.status == Status.UNKNOWN:
            assert cs.stats["ladder_branches"] >= 1


@needs_shared
@pytest.mark.parametrize("name", SMALL)
@pytest.mark.parametrize("level", ["smt", "bounds", "smt+bounds", "cnf"])
def test_cubes_answer_as_z3_does(name, level):
    path = BENCH / name
    enc = encoded(path)
    sp = split_space(enc, level)
    cs = LookaheadCuber(max_cubes=6, dynamic=False).cubes(enc.cnf, variables=sp.variables,
                                                          ladders=sp.ladders)
    expect = z3_status(path.read_text())
    assert expect in ("sat", "unsat")
    check_cubes(enc.cnf, cs, expect == "sat", max_cubes=6)


@pytest.mark.parametrize("seed", range(10))
def test_random_formulas_with_ladders_agree_with_a_direct_solve(seed):
    rng = random.Random(100 + seed)
    n = rng.randint(10, 30)
    clauses = [[rng.choice((1, -1)) * v for v in rng.sample(range(1, n + 1), rng.choice((2, 3, 3)))]
               for _ in range(int(n * rng.uniform(1.5, 4.5)))]
    ladders = []
    for _ in range(rng.randint(1, 3)):  # chains of fresh variables tied into the formula
        lad = list(range(n + 1, n + 1 + rng.randint(1, 6)))
        n += len(lad)
        clauses += [[-a, b] for a, b in zip(lad, lad[1:])]
        clauses += [[rng.choice((1, -1)) * rng.randint(1, n), rng.choice(lad)] for _ in range(3)]
        ladders.append(lad)
    cnf = make_cnf(clauses, n)
    with Cadical195(bootstrap_with=cnf.clauses) as s:
        sat = s.solve()
    kw = rng.choice([{}, {"depth": 3, "dynamic": False}, {"max_cubes": 5}, {"candidates": 1},
                     {"max_cubes": 7, "order": "free", "ladder_candidates": 1}])
    variables = rng.choice([None, [], rng.sample(range(1, n + 1), n // 3)])
    cs = LookaheadCuber(seed=seed, **kw).cubes(cnf, variables=variables, ladders=ladders)
    check_cubes(cnf, cs, sat, kw.get("max_cubes"), kw.get("depth"))


def test_free_order_splits_the_open_node_with_most_free_variables_first():
    # Var 1 true implies 2..6, false implies nothing: after the root split on 1 the "1 false"
    # side has more free variables and is split again before the other one.
    clauses = [[-1, v] for v in range(2, 7)] + [[7, 8, 9], [-7, 8, 10], [7, -8, 11]]
    cnf = make_cnf(clauses, 11)
    cs = LookaheadCuber(max_cubes=3, dynamic=False, order="free", candidates=11).cubes(cnf)
    assert check_coverage(cnf, cs.cubes) and len(cs.cubes) == 3
    assert sum(1 for c in cs.cubes if len(c) == 2) == 2  # one side split twice
    assert not any(len(c) == 2 and 1 in c for c in cs.cubes)  # ... the side with 1 false


def test_conquer_of_bisection_cubes_matches_the_status():
    from eagersmt.conquer.local import LocalConquer

    for bound, status in ((54, Status.UNSAT), (55, Status.SAT)):
        enc = jobshop(bound)
        sp = split_space(enc, "bounds")
        cs = LookaheadCuber(max_cubes=4, dynamic=False).cubes(enc.cnf, variables=sp.variables,
                                                              ladders=sp.ladders)
        assert cs.status == Status.UNKNOWN and len(cs.cubes) == 4  # (8 cubes refute b54)
        r = LocalConquer(jobs=2).solve_cubes(enc.cnf, cs.cubes)
        assert r.status == status
        if status == Status.SAT:
            assert satisfies(enc.cnf, r.model)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["jobshop_lsidl/jobshop4-4-2-2-2-4-24.smt2",
                                  "jobshop_classic/jobshop_la16_b944.smt2"])
def test_bisection_cubes_of_hard_unsat_instances(name):
    from eagersmt.conquer.local import LocalConquer

    enc = encoded(BENCH / name)
    sp = split_space(enc, "bounds")
    cs = LookaheadCuber(max_cubes=16, dynamic=False).cubes(enc.cnf, variables=sp.variables,
                                                           ladders=sp.ladders)
    assert check_coverage(enc.cnf, cs.cubes)
    if cs.status == Status.UNKNOWN:
        assert LocalConquer(jobs=2).solve_cubes(enc.cnf, cs.cubes).status == Status.UNSAT
    else:
        assert cs.status == Status.UNSAT


def test_config_offers_every_split_level():
    from eagersmt.config import CUBE_LEVELS, Config

    assert CUBE_LEVELS == LEVELS.names()
    assert Config().cube_level == "bounds"


@needs_shared
def test_cube_command_levels(tmp_path):
    from .test_cli import run

    out = tmp_path / "ft06.icnf"
    src = BENCH / SMALL[1]
    for level in ("bounds", "smt+bounds", None):
        args = ["cube", str(src), "-o", str(out), "--cubes", "4"]
        p = run(*args, *(["--level", level] if level else []))
        assert p.returncode == 0, p.stderr
        ic = read_icnf(out.read_text())
        assert 1 <= len(ic.cubes) <= 4
    enc = encoded(src)
    ladder_vars = {abs(lit) for lad in split_space(enc, "bounds").ladders for lit in lad}
    assert all(abs(x) in ladder_vars for c in ic.cubes for x in c)  # the default: bounds
    p = run("cube", str(out), "--cubes", "2", "-o", str(tmp_path / "again.icnf"))
    assert p.returncode == 0, p.stderr  # DIMACS input: cnf by default
    p = run("cube", str(out), "--level", "bounds")
    assert p.returncode == 1 and p.stdout == "" and "Traceback" not in p.stderr
    assert p.stderr.startswith(f"error: {out}: --level bounds needs an SMT-LIB input")
