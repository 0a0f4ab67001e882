"""Solver settings per kind of CNF (``CNF.tuning``): which CNFs get them, that they reach
CaDiCaL and Kissat, and that answers, models and certificates stay right under them."""

from __future__ import annotations

from pathlib import Path

import pytest

from eagersmt import Config, solve_file, solve_smtlib
from eagersmt.backends import cadical, kissat
from eagersmt.check.proof import check_certificate
from eagersmt.compile import compile_script
from eagersmt.encode.cnf import SCHEDULE_TUNING
from eagersmt.result import Status
from eagersmt.smtlib.parser import parse, parse_file
from eagersmt.tools.fuzz.generate import oracle_text

from .conftest import BENCH, require_shared
from .oracle import z3_accepts_model, z3_status
from .test_compact import _job_shop


def _cnf(text: str, encoding: str = "auto"):  # type: ignore[no-untyped-def]
    return compile_script(parse(text), Config(encoding=encoding)).cnf


def test_compact_job_shops_get_the_schedule_tuning_and_nothing_else_does() -> None:
    tuned = [_cnf(_job_shop(s)).tuning for s in range(8)]
    assert SCHEDULE_TUNING in tuned  # auto chose compact on wide windows
    for s in range(8):  # an explicit encoding keeps the solvers' defaults
        assert _cnf(_job_shop(s), "compact").tuning == ""
        assert _cnf(_job_shop(s), "order").tuning == ""
    narrow = _job_shop(0, scale=1)  # windows too narrow for compact: order, no tuning
    assert _cnf(narrow).tuning == ""


@pytest.mark.needs_shared
def test_shared_families_other_than_classic_keep_the_defaults() -> None:
    require_shared()
    for name in ("jobshop_lsidl/jobshop4-2-2-2-2-4-12.smt2", "jobshop_classic/jobshop_ft06_b54.smt2"):
        assert compile_script(parse_file(str(BENCH / name))).cnf.tuning == ""
    assert compile_script(parse_file(str(BENCH / "jobshop_classic/jobshop_orb05_b886.smt2"))
                          ).cnf.tuning == SCHEDULE_TUNING


def test_the_settings_reach_cadical(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list = []
    real = cadical.PysatSolver

    def spy(*args, options=None, **kw):  # type: ignore[no-untyped-def]
        seen.append(options)
        return real(*args, options=options, **kw)

    monkeypatch.setattr(cadical, "PysatSolver", spy)
    cnf = next(c for c in (_cnf(_job_shop(s)) for s in range(8)) if c.tuning)
    with cadical.solver(cnf, options={"seed": 3}) as s:
        s.solve()
    assert seen[-1] == {**cadical.TUNINGS[SCHEDULE_TUNING], "seed": 3}
    cnf.tuning = ""
    cadical.solver(cnf).close()
    assert seen[-1] is None


def test_the_settings_reach_kissat() -> None:
    cnf = next(c for c in (_cnf(_job_shop(s)) for s in range(8)) if c.tuning)
    run = kissat.KissatRun(kissat.find_kissat(), cnf, timeout=20)
    try:
        run.wait(20)
        assert all(a in run.proc.args for a in kissat.TUNINGS[SCHEDULE_TUNING])
        assert run.result().status in (Status.SAT, Status.UNSAT)
    finally:
        run.close()


# (seed, bound / load, jobs, machines): job shops that reach the SAT search with the
# compact encoding (neither refuted at the root nor restricted to a list schedule)
SEARCHED = [(0, 1.05, 8, 5), (2, 1.05, 8, 5), (1, 1.15, 7, 7), (0, 1.25, 7, 7),
            (2, 1.3, 6, 6), (0, 1.25, 6, 6)]


@pytest.mark.parametrize("backend", ["cadical", "kissat"])
@pytest.mark.parametrize("case", SEARCHED)
def test_tuned_answers_models_and_certificates(backend: str, case: tuple, tmp_path: Path) -> None:
    seed, slack, jobs, machines = case
    text = _job_shop(seed, slack=slack, jobs=jobs, machines=machines)
    path = tmp_path / "x.smt2"
    path.write_text(text)
    r = solve_file(str(path), config=Config(backend=backend))
    assert r.stats.notes.get("tuning") == SCHEDULE_TUNING, r.stats.notes
    assert r.status.value == z3_status(oracle_text(text))
    if r.status == Status.SAT:
        assert z3_accepts_model(oracle_text(text), r.model)
    else:
        cert = tmp_path / "cert"
        r2 = solve_file(str(path), config=Config(backend=backend, proof=str(cert)))
        assert r2.status == Status.UNSAT
        check_certificate(str(cert), str(path))


def test_the_cases_above_see_both_answers_after_a_search() -> None:
    got = set()
    for seed, slack, jobs, machines in SEARCHED:
        r = solve_smtlib(_job_shop(seed, slack=slack, jobs=jobs, machines=machines),
                         config=Config(backend="cadical"))
        assert r.stats.notes.get("tuning") == SCHEDULE_TUNING
        got.add(r.status)
    assert got == {Status.SAT, Status.UNSAT}
