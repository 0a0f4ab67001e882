"""The compact order encoding (``encode/compact.py``): its clauses are exactly the
constraint on small domains (exhaustive), answers match Z3 and models satisfy the formula
(random job shops under ``auto``, random QF_IDL with ``--encoding compact``), unsat
certificates are verified, and ``check-proof`` refuses a digit clause the encoding does not
produce or a domain that does not cover the checker's box."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from pysat.solvers import Cadical195

from eagersmt import Config, solve_file, solve_smtlib
from eagersmt.check.proof import CertificateError, check_certificate
from eagersmt.encode import compact
from eagersmt.encode.compact import compiled_le_clauses, le_clauses, var_clauses
from eagersmt.result import Status
from eagersmt.tools.fuzz.generate import formula_script, oracle_text

from .oracle import z3_accepts_model, z3_status
from .test_disjunctive import append_clause


def _digits(lay, v):
    hb, n, lb, B = lay
    h, low = divmod(v, B)
    return ([hb + a if h <= a else -(hb + a) for a in range(n)]
            + [lb + b if low <= b else -(lb + b) for b in range(B - 1)])


@pytest.mark.parametrize("B", [2, 3, 4, 8])
def test_clauses_are_exactly_the_constraint(B: int) -> None:
    """Every digit assignment of ``X`` in ``[0, wx]``, ``Y`` in ``[0, wy]`` (and past ``wx``
    where the digits can say it) extends to a model iff ``guard -> X <= Y + k``."""
    rng = random.Random(B)
    for _ in range(60):
        wx, wy, k = rng.randint(0, 3 * B + 2), rng.randint(0, 3 * B + 2), rng.randint(-4 * B, 4 * B)
        top = [0]

        def new(n: int) -> int:
            top[0] += n
            return top[0] - n + 1

        X = (new(wx // B) if wx // B else 0, wx // B, new(B - 1), B)
        Y = (new(wy // B) if wy // B else 0, wy // B, new(B - 1), B)
        guard = new(1) if rng.random() < 0.5 else 0
        q0, q1 = new(1), (new(1) if k % B else 0)
        cnf = var_clauses(X, wx) + var_clauses(Y, wy) + le_clauses(X, Y, k, guard, q0, q1)
        with Cadical195(bootstrap_with=cnf) as s:
            for x in range(wx // B * B + B):
                for y in range(wy + 1):
                    for g in ([guard, -guard] if guard else [0]):
                        want = x <= wx and (x <= y + k or g < 0)
                        got = s.solve(assumptions=_digits(X, x) + _digits(Y, y) + ([g] if g else []))
                        assert got == want, (B, wx, wy, k, x, y, g)


def test_the_compiled_clauses_are_the_python_ones() -> None:
    """``native/compact.c`` against ``le_clauses``: the same clauses, each the same list or
    tuple, appended to the list given; on layouts with and without high digits, guards,
    with ``q1`` absent where it would be needed (as the checker may call it), offsets of
    every sign and beyond the domains."""
    native = compiled_le_clauses()
    assert native is not le_clauses, "the compiled le_clauses was not built here"
    rng = random.Random(5)
    for _ in range(3000):
        B = rng.choice([2, 3, 4, 8, 16, 64])
        lay = []
        for _ in range(2):
            n = rng.choice([0, 0, 1, 2, rng.randint(0, 40)])
            lay.append((rng.randint(1, 500) if n else 0, n, rng.randint(1, 500), B))
        k = rng.randint(-60 * B, 60 * B)
        guard = rng.choice([0, rng.randint(-900, 900) or 1])
        q0, q1 = rng.randint(1, 900), rng.choice([0, rng.randint(1, 900)])
        start = [[7], (8, 9)]
        want = le_clauses(lay[0], lay[1], k, guard, q0, q1, list(start))
        out = list(start)
        got = native(lay[0], lay[1], k, guard, q0, q1, out)
        assert got is out
        assert got == want and [type(c) for c in got] == [type(c) for c in want], (lay, k, guard)


@pytest.mark.parametrize("seed", range(3))
def test_a_job_shops_cnf_is_the_same_without_the_compiled_clauses(seed, monkeypatch) -> None:
    """The encoder's CNF with the Python ``le_clauses`` (where ``compact.c`` cannot be
    built) is the one with the compiled."""
    from eagersmt.compile import compile_script
    from eagersmt.smtlib.parser import parse

    text = _job_shop(seed, scale=120)
    config = Config(encoding="compact")
    native = compile_script(parse(text), config).cnf.clauses
    monkeypatch.setattr(compact, "compiled_le_clauses", lambda: le_clauses)
    python = compile_script(parse(text), config).cnf.clauses
    assert len(native) > 100 and [list(c) for c in native] == [list(c) for c in python]


def _job_shop(seed: int, scale: int = 40, slack: float = 0.0, jobs: int = 5,
              machines: int = 4) -> str:
    """A random job shop (5x4 by default) with durations in [scale, 6 scale] (windows wide
    enough for ``auto`` to choose the compact encoding), at a makespan bound near its load."""
    rng = random.Random(seed)
    ops = [[(m, scale * rng.randint(1, 6)) for m in rng.sample(range(machines), machines)]
           for _ in range(jobs)]
    load = max(max(sum(d for mm, d in sum(ops, []) if mm == m) for m in range(machines)),
               max(sum(d for _, d in j) for j in ops))
    bound = int(load * (slack or rng.choice([1.05, 1.15, 1.25, 1.4])))
    out = ["(set-logic QF_IDL)", "(declare-fun z () Int)"]
    out += [f"(declare-fun s_{j}_{k} () Int)" for j in range(jobs) for k in range(machines)]
    on: dict[int, list] = {}
    for j, job in enumerate(ops):
        out.append(f"(assert (>= (- s_{j}_0 z) 0))")
        for k in range(1, machines):
            out.append(f"(assert (>= (- s_{j}_{k} s_{j}_{k - 1}) {job[k - 1][1]}))")
        out.append(f"(assert (<= (- s_{j}_{machines - 1} z) {bound - job[-1][1]}))")
        for k, (m, d) in enumerate(job):
            on.setdefault(m, []).append((f"s_{j}_{k}", d))
    for tasks in on.values():
        for i, (a, da) in enumerate(tasks):
            for b, db in tasks[i + 1:]:
                out.append(f"(assert (or (>= (- {a} {b}) {db}) (>= (- {b} {a}) {da})))")
    out.append("(check-sat)")
    return "\n".join(out) + "\n"


def _check(text: str, tmp_path: Path, encoding: str) -> Status:
    expected = z3_status(oracle_text(text))
    path = tmp_path / "x.smt2"
    path.write_text(text)
    r = solve_file(str(path), config=Config(encoding=encoding, backend="cadical"))
    assert r.status.value == expected
    if r.status == Status.SAT:
        assert z3_accepts_model(oracle_text(text), r.model)
    elif r.status == Status.UNSAT:
        cert = tmp_path / "cert"
        r2 = solve_file(str(path), config=Config(encoding=encoding, proof=str(cert), backend="cadical"))
        assert r2.status == Status.UNSAT
        check_certificate(str(cert), str(path))
    return r.status


@pytest.mark.parametrize("seed", range(16))
def test_job_shops_under_auto(seed: int, tmp_path: Path) -> None:
    _check(_job_shop(seed), tmp_path, "auto")


@pytest.mark.parametrize("seed", range(16))
def test_tight_job_shops_with_compact(seed: int, tmp_path: Path) -> None:
    # without root propagation (an explicit encoding): most are unsat in the SAT search
    _check(_job_shop(seed, slack=1.1), tmp_path, "compact")


def test_the_sweeps_see_compact_and_both_answers() -> None:
    # else the tests above prove little: auto must choose compact on these windows, and the
    # tight ones must give both answers
    auto = [solve_smtlib(_job_shop(s), config=Config(encoding="auto")) for s in range(16)]
    assert sum(r.stats.notes.get("encodings") == "compact:1" for r in auto) >= 8
    tight = {solve_smtlib(_job_shop(s, slack=1.1), config=Config(encoding="compact")).status
             for s in range(16)}
    assert tight == {Status.SAT, Status.UNSAT}


@pytest.mark.parametrize("seed", range(40))
def test_random_idl_with_compact(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    text = formula_script(rng, max_vars=4, big=seed % 4 == 0).replace("QF_LIA", "QF_IDL")
    _check(text, tmp_path, "compact")


def _certificate(tmp_path: Path) -> tuple[Path, Path, dict]:
    text = next(t for t in (_job_shop(s, slack=1.1) for s in range(16))
                if solve_smtlib(t, config=Config(encoding="compact")).status == Status.UNSAT)
    path = tmp_path / "x.smt2"
    path.write_text(text)
    cert = tmp_path / "cert"
    config = Config(encoding="compact", proof=str(cert), backend="cadical")
    assert solve_file(str(path), config=config).status == Status.UNSAT
    check_certificate(str(cert), str(path))
    meta = json.loads((cert / "certificate.json").read_text())
    return path, cert, meta


def test_checker_rejects_a_forged_digit_clause(tmp_path: Path) -> None:
    path, cert, meta = _certificate(tmp_path)
    cl = next(c for c in meta["classes"] if c["encoding"] == "compact")
    low = cl["vars"][1][3]  # [X0 <= 0] of a variable: not a consequence of anything
    append_clause(cert, meta, [low])
    with pytest.raises(CertificateError, match="compact digits"):
        check_certificate(str(cert), str(path))


def test_checker_rejects_a_domain_narrower_than_its_box(tmp_path: Path) -> None:
    path, cert, meta = _certificate(tmp_path)
    cl = next(c for c in meta["classes"] if c["encoding"] == "compact")
    v = max(cl["vars"], key=lambda v: v[5] - v[4])
    v[4] += cl["base"]  # lo one digit higher: values the formula allows lose their digits
    v[2] -= 1
    (cert / "certificate.json").write_text(json.dumps(meta))
    with pytest.raises(CertificateError, match="does not cover its box"):
        check_certificate(str(cert), str(path))
