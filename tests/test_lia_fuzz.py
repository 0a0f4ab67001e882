"""The integer family of the differential campaign: what it generates, that a slice agrees
with Z3, that a planted wrong answer or a wrong function table is caught, and that a
``--tally`` run resumes where it stopped."""

from __future__ import annotations

import json

import z3
from click.testing import CliRunner

from eagersmt import Status
from eagersmt.cli.main import main
from eagersmt.ir.ackermann import FunctionValue
from eagersmt.result import Result, Stats
from eagersmt.smtlib.parser import parse
from eagersmt.tools.fuzz.campaign import CERTIFY, INTEGER_SHAPES, Campaign, case, schedule
from eagersmt.tools.fuzz.oracle import z3_model_ok, z3_status


def test_integer_cases_are_deterministic_and_cover_the_integer_language():
    texts = [case(11, i, INTEGER_SHAPES[i % len(INTEGER_SHAPES)]).text for i in range(150)]
    assert texts == [case(11, i, INTEGER_SHAPES[i % len(INTEGER_SHAPES)]).text for i in range(150)]
    joined = "\n".join(texts)
    for needle in ("(* 3 ", "(div ", "(mod ", "(abs ", "(ite ", "(distinct ", "(declare-fun f (Int) Int)",
                   "(set-logic QF_UFIDL)", "(set-logic QF_UF)", "(push 1)", "(pop 1)",
                   "(check-sat-assuming", "(get-value"):
        assert needle in joined, needle
    for t in texts[:60]:  # eagersmt reads every case (Z3 does: the oracle)
        parse(t)


def test_an_integer_case_runs_once_in_process_and_rotates_the_rest():
    combos = schedule(7, 2, integer=True)
    assert str(combos[0]) == "auto/cadical/mono" and len(combos) == 3
    assert all(c.encoding == "auto" for c in combos)


def test_an_integer_slice_agrees_with_z3(tmp_path):
    rep = Campaign(3, out=str(tmp_path), rotate=0, shapes=INTEGER_SHAPES).run(30)
    assert rep.cases == 30 and not rep.failed, rep.bugs
    assert rep.oracle["sat"] and rep.oracle["unsat"] and rep.oracle["script"]
    assert rep.models_checked == rep.oracle["sat"]  # every sat model re-checked by Z3


def test_a_planted_wrong_answer_on_an_integer_case_is_found(tmp_path):
    def wrong(text, combo, level, timeout):  # noqa: ANN001
        st, _ = z3_status(text)
        return Result(Status.UNSAT if st == "sat" else Status.SAT, {}, Stats())

    rep = Campaign(3, out=str(tmp_path), rotate=0, shapes=("linear",), solve=wrong,
                   minimize_checks=30).run(3)
    assert rep.failed and any(k.startswith("wrong-answer") for k in rep.bugs)
    assert list(tmp_path.glob("wrong-answer-*.smt2"))


def test_certified_slice_checks_every_unsat_certificate(tmp_path):
    rep = Campaign(5, out=str(tmp_path), rotate=0, shapes=("linear", "pb", "capacity", "uf"),
                   certify=True).run(24)
    assert not rep.failed, rep.bugs
    assert rep.oracle["unsat"] and rep.certificates["verified"] == rep.oracle["unsat"]


def test_a_certificate_of_a_stronger_formula_is_a_finding(tmp_path, monkeypatch):
    """A normalizer that pairs applications of different functions (``f(x) = g(x)``
    outright) refutes a satisfiable case; the check of its certificate refuses it, and the
    campaign reports ``bad-certificate``."""
    from itertools import combinations

    import eagersmt.ir.linear as linear

    text = """(set-logic QF_UFLIA)
(declare-fun f (Int) Int) (declare-fun g (Int) Int) (declare-const x Int)
(assert (<= 0 x 3)) (assert (< (+ (f x) 1) (g x)))
(check-sat)
"""
    campaign = Campaign(5, out=str(tmp_path), rotate=0, certify=True)
    assert campaign.check(text, CERTIFY, "smt", "sat", []) == ("sat", None)
    monkeypatch.setattr(linear, "consistency_pairs", lambda apps: combinations(apps, 2))
    got, finding = campaign.check(text, CERTIFY, "smt", "sat", [])
    assert got == "unsat" and finding is not None and finding[0] == "bad-certificate"
    assert "not two applications of one function" in finding[1]


def test_z3_refutes_a_wrong_function_table():
    s = z3.Solver()
    s.from_string("(declare-fun f (Int Bool) Int)(declare-const x Int)"
                  "(assert (= (f x true) 3))(assert (= (f 1 false) 4))")
    a = list(s.assertions())
    good = FunctionValue({(2, True): 3, (1, False): 4}, 0, ("Int", "Bool"), "Int")
    swapped = FunctionValue({(2, True): 4, (1, False): 3}, 0, ("Int", "Bool"), "Int")
    assert z3_model_ok(a, {"x": 2, "f": good})
    assert not z3_model_ok(a, {"x": 2, "f": swapped})
    assert not z3_model_ok(a, {"x": 5, "f": good})  # f(5, true) is the default, 0


def test_a_tallied_campaign_resumes_after_its_last_case(tmp_path):
    tally = tmp_path / "tally.jsonl"
    args = ["fuzz", "--family", "integers", "--seed", "5", "--rotate", "0", "--tally",
            str(tally), "--progress-every", "4", "--out", str(tmp_path / "f")]
    r = CliRunner().invoke(main, args + ["--cases", "8"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in tally.read_text().splitlines()]
    assert [row["cases"] for row in rows] == [4, 8] and rows[-1]["next"] == 8
    r = CliRunner().invoke(main, args + ["--cases", "12"])  # 4 more, from case 8
    assert r.exit_code == 0, r.output
    last = json.loads(tally.read_text().splitlines()[-1])
    assert last["cases"] == 12 and last["next"] == 12
    assert sum(last["shapes_run"].values()) == 12 and last["disagreements_and_failures"] == 0
    r = CliRunner().invoke(main, args[:2] + ["difference"] + args[3:] + ["--cases", "20"])
    assert r.exit_code != 0 and "another campaign" in r.output
