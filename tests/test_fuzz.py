"""The fuzzers: a slice of the differential campaign and of the input fuzzer, the minimizer on a
planted bug, exit codes on a planted wrong solver, and regressions of what fuzzing found."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from eagersmt import Config, Status, solve_smtlib
from eagersmt.cli.fuzz import run_solve_in_process, run_solve_subprocess
from eagersmt.cli.main import main
from eagersmt.errors import ParseError, UnsupportedError
from eagersmt.tools.fuzz.campaign import ALL_COMBOS, ROTATING, Campaign, Combo, eagersmt_solve
from eagersmt.tools.fuzz.generate import SHAPES, generate
from eagersmt.tools.fuzz.inputs import InputFuzz, Run, default_seed_files, judge
from eagersmt.tools.fuzz.minimize import minimize
from eagersmt.tools.fuzz.mutate import MUTATIONS, mutate
from eagersmt.smtlib.parser import parse, parse_file

from .conftest import needs_shared

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "jobshop_3x3.smt2"


# -- the differential campaign ---------------------------------------------------------------
def test_campaign_slice_agrees_with_z3_on_every_shape_and_combination(tmp_path):
    """150 cases: all 7 shapes, all 30 combinations (the rotation covers the 25 expensive ones
    every 25 cases), both answers; any disagreement, crash or bad model fails the test."""
    rep = Campaign(11, out=str(tmp_path), timeout=20).run(150)
    assert rep.cases == 150
    assert not rep.failed, (dict(rep.bugs), [(f.path, f.detail) for f in rep.findings])
    assert set(rep.shapes) == set(SHAPES)
    assert all(rep.combos[str(c)].runs >= 10 for c in ALL_COMBOS), rep.combos
    assert rep.oracle["sat"] > 30 and rep.oracle["unsat"] > 30
    assert rep.models_checked > 100  # Z3 re-evaluated the sat models
    assert set(rep.cube_levels) == {"bounds", "smt", "smt+bounds", "cnf"}
    assert set(rep.sharing) == {"share", "no-share", "sharing"}  # rotated
    assert not any(tmp_path.iterdir())  # nothing to report, nothing written


def test_generator_is_deterministic_and_round_robin():
    a = [generate(5, i) for i in range(14)]
    assert [c.text for c in a] == [generate(5, i).text for i in range(14)]
    assert [c.shape for c in a] == list(SHAPES) * 2
    assert generate(5, 0).text != generate(6, 0).text
    huge = generate(5, SHAPES.index("huge"))
    assert re.search(r"\d{19,}", huge.text)  # constants past 2^63
    for c in a:  # every script is read by eagersmt without complaint
        parse(c.text)


def _ites_nested_over_their_condition(text: str) -> list[str]:
    """The heads of the terms holding an ``(ite c a b)`` with an arm ``(ite c' ...)``, c' = c
    or (not c) (the shape of a normalizer bug that hypothesis found)."""
    from eagersmt.smtlib.tokenizer import read_sexprs

    heads = []
    todo: list = [("", x) for x in read_sexprs(text)]
    while todo:
        head, x = todo.pop()
        if not isinstance(x, list) or not x:
            continue
        todo.extend((str(x[0]), y) for y in x)
        if len(x) == 4 and x[0] == "ite" and any(
                isinstance(arm, list) and len(arm) == 4 and arm[0] == "ite"
                and arm[1] in (x[1], ["not", x[1]]) for arm in x[2:]):
            heads.append(head)
    return heads


def test_generator_nests_an_ite_over_the_same_condition():
    """Boolean and arithmetic ites, in strict and sugared logics, get an arm that is an ite
    over the same condition (or its negation), in the campaign and in the hypothesis
    scripts; eagersmt agrees with Z3 on such cases."""
    import random

    from eagersmt.tools.fuzz.generate import formula_script
    from eagersmt.tools.fuzz.oracle import z3_status

    cases = [generate(3, i) for i in range(300)]
    nested = [c for c in cases if _ites_nested_over_their_condition(c.text)]
    assert len(nested) > 20
    assert {c.logic for c in nested} >= {"QF_IDL", "QF_LIA"}
    heads = {h for c in nested for h in _ites_nested_over_their_condition(c.text)}
    assert heads & {"<", "<=", ">=", ">", "+", "-"}  # arithmetic ites
    assert heads & {"and", "or", "not", "assert", "=>", "xor"}  # Boolean ones
    assert any(_ites_nested_over_their_condition(formula_script(random.Random(i)))
               for i in range(50))
    for c in nested[:20]:
        expected = z3_status(c.text)[0]
        if expected in ("sat", "unsat"):
            got = solve_smtlib(c.text, config=Config(backend="cadical")).status
            assert str(got) == expected, c.text


def test_schedule_gives_every_rotating_combination_its_share():
    from eagersmt.tools.fuzz.campaign import ALWAYS, schedule

    counts = {str(c): 0 for c in ROTATING}
    for i in range(1000):
        s = schedule(i, 2)
        assert s[:len(ALWAYS)] == list(ALWAYS)
        for c in s[len(ALWAYS):]:
            counts[str(c)] += 1
    assert set(counts.values()) == {80}
    assert len(ROTATING) == 25 and len(ALL_COMBOS) == 30


def _flip_when(atom: str):
    """A solver that is eagersmt, except that it says the opposite when ``atom`` occurs."""
    def solve(text: str, combo: Combo, level: str, timeout):
        res = eagersmt_solve(text, combo, level, timeout)
        if atom in text and res.status in (Status.SAT, Status.UNSAT):
            res.status = Status.UNSAT if res.status == Status.SAT else Status.SAT
            res.model = {}
        return res
    return solve


PLANTED = "(<= (- x1 x2) 5)"
BIG = """(set-logic QF_LIA)
(declare-fun x0 () Int)
(declare-fun x1 () Int)
(declare-fun x2 () Int)
(declare-fun x3 () Int)
(declare-fun b0 () Bool)
(assert (or (< (- x0 x3) 2) (and b0 (> (- x3 x1) 4))))
(assert (let ((l1 (distinct x0 x1 x2))) (and l1 (or l1 (= x3 (+ x2 1))))))
(assert (=> b0 (xor (<= (- x2 x0) (- 3)) (and (>= x1 0) %s (< x3 10)))))
(assert (ite (> x0 x1) (<= (- x0 x1) 7) (>= (- x1 x0) 1)))
(assert (not (= x2 x3)))
(check-sat)
(get-model)
""" % PLANTED


def test_minimizer_shrinks_a_planted_bug_to_a_small_reproducer(tmp_path):
    camp = Campaign(1, out=str(tmp_path), timeout=20, solve=_flip_when(PLANTED))
    combo = Combo("auto", "cadical")
    key = camp.classify(BIG, combo, "smt")
    assert key is not None and key.startswith("wrong-answer")
    from eagersmt.tools.fuzz.campaign import Finding
    from eagersmt.tools.fuzz.generate import Case

    f = Finding("wrong-answer", key.split(": ", 1)[1], combo, Case(0, "boolean", "QF_LIA", BIG))
    camp._record(f)
    text = Path(f.path).read_text()
    body = "\n".join(ln for ln in text.splitlines() if not ln.startswith(";"))
    assert PLANTED in body
    assert body.count("(assert") == 1  # the other four assertions are gone
    assert "x0" not in body and "x3" not in body and "b0" not in body  # unused declarations too
    assert len(body) < 150, body
    assert camp.classify(body, combo, "smt") == key  # still the same failure
    assert (tmp_path / (Path(f.path).stem + "-orig.smt2")).read_text() == BIG
    assert "run: eagersmt solve THIS_FILE --encoding auto --backend cadical" in text


def test_minimize_keeps_only_what_the_predicate_needs():
    text = ("(set-logic QF_IDL)(declare-fun x () Int)(declare-fun y () Int)(declare-fun z () Int)"
            "(assert (and (< x y) (or (< y z) (distinct x z)) (> z 123456789)))"
            "(assert (< (- x z) 4))(check-sat)")
    small, checks = minimize(text, lambda t: "distinct" in t and "(check-sat)" in t
                             and "(declare-fun x" in t)
    assert "distinct" in small and "(< (- x z) 4)" not in small and "123456789" not in small
    assert checks < 200
    assert len(small) < len(text) / 2


def test_a_disagreement_makes_the_command_fail(tmp_path):
    """A planted wrong back end (kissat flips its answers): exit 5, reproducers saved."""
    def wrong_kissat(text, combo, level, timeout):
        res = eagersmt_solve(text, combo, level, timeout)
        if combo.backend == "kissat" and res.status in (Status.SAT, Status.UNSAT):
            res.status = Status.UNSAT if res.status == Status.SAT else Status.SAT
        return res

    out = tmp_path / "found"
    r = CliRunner().invoke(main, ["fuzz", "--cases", "10", "--seed", "3", "--out", str(out),
                                  "--max-saved", "1"], obj={"fuzz_solve": wrong_kissat})
    assert r.exit_code == 5, r.output  # (cli/errors.py: EXIT_WRONG)
    assert "wrong-answer" in r.output and "kissat" in r.output
    saved = sorted(out.glob("wrong-answer-*kissat*.smt2"))
    assert saved and all("Z3" in p.read_text().splitlines()[0] for p in saved
                         if not p.name.endswith("-orig.smt2"))
    honest = CliRunner().invoke(main, ["fuzz", "--cases", "10", "--seed", "3", "--out",
                                       str(tmp_path / "none")])
    assert honest.exit_code == 0, honest.output
    assert "disagreements and failures: 0" in honest.output
    assert "sd/kissat/cubed" in honest.output  # the per-combination table


def test_a_crash_is_a_finding_too(tmp_path):
    def crashing(text, combo, level, timeout):
        if combo.encoding == "eij":
            raise ZeroDivisionError("planted")
        return eagersmt_solve(text, combo, level, timeout)

    rep = Campaign(2, out=str(tmp_path), solve=crashing, max_saved=1,
                   minimize_checks=30).run(3)
    assert rep.failed
    eij_runs = sum(st.runs for name, st in rep.combos.items() if name.startswith("eij/"))
    assert rep.bugs["crash: ZeroDivisionError: planted"] == eij_runs > 3
    assert len(rep.findings) == 1 and Path(rep.findings[0].path).exists()


# -- the input fuzzer ------------------------------------------------------------------------
@needs_shared
def test_input_fuzz_slice(tmp_path):
    """200 mutants through the solve command in process, 4 of them also as real processes:
    only correct answers or 'error: FILE:LINE:COL' with exit 1."""
    seeds = default_seed_files()
    assert len(seeds) >= 5, seeds
    fz = InputFuzz(4, seeds, run_solve_in_process, out=str(tmp_path), timeout=10,
                   subprocess_run=run_solve_subprocess, subprocess_every=50)
    rep = fz.run(200)
    assert not rep.failed, [(f.index, f.mutations, f.verdict, f.path) for f in rep.findings]
    assert rep.outcomes["error"] > 50 and rep.outcomes["answer-checked"] > 10, rep.outcomes
    assert sum(rep.subprocess_outcomes.values()) == 4 and rep.subprocess_agree == 4
    assert len(rep.by_mutation) >= 20


def test_every_mutation_changes_something():
    data = EXAMPLE.read_bytes()
    import random

    for name, f in MUTATIONS.items():
        from eagersmt.tools.fuzz.mutate import tokens

        outs = {f(random.Random(k), data, tokens(data)) for k in range(5)}
        assert outs != {data}, name
    names, out = mutate(random.Random(1), data)
    assert names and all(n in MUTATIONS for n in names) and out != data


def test_judge_catches_each_kind_of_failure(tmp_path):
    p = str(tmp_path / "m.smt2")
    ok = b"(declare-fun x () Int)(assert (< x 0))(check-sat)"
    assert judge(Run(0, "sat\n", "", 0.1), ok, p).outcome == "answer-checked"
    assert judge(Run(0, "unsat\n", "", 0.1), ok, p).outcome == "wrong-answer"
    assert judge(Run(1, "", f"error: {p}:1:5: unknown symbol 'y'\n", 0.1), ok, p).outcome == "error"
    assert judge(Run(1, "", f"error: {p}: not UTF-8 text\n", 0.1), ok, p).outcome == "error-format"
    assert judge(Run(70, "", "internal error: RuntimeError: boom\n", 0.1), ok, p).outcome == \
        "internal-error"
    assert judge(Run(1, "", "Traceback (most recent call last):\n  ...\nValueError: x\n", 0.1),
                 ok, p).outcome == "traceback"
    assert judge(Run(0, "sat\n", "", 0.1), b"\xff(check-sat)", p).outcome == "accepted-invalid-utf8"
    assert judge(Run(3, "", "", 0.1), ok, p).outcome == "exit-code"
    # Z3 obeys :regular-output-channel, eagersmt answers on stdout: not a disagreement.
    quiet = ok + b'(set-option :regular-output-channel "/dev/null")(check-sat)'
    assert judge(Run(0, "sat\nsat\n", "", 0.1), quiet, p).outcome == "answer-checked"
    assert judge(Run(0, "sat\nunsat\n", "", 0.1), quiet, p).outcome == "wrong-answer"


def test_input_fuzz_reports_tracebacks_and_hangs(tmp_path):
    calls = []

    def flaky(path, timeout):
        calls.append(path)
        if len(calls) == 2:
            try:
                raise KeyError("planted")
            except KeyError as e:
                import traceback

                return Run(1, "", "", 0.0, e, traceback.format_exc())
        if len(calls) == 3:
            time.sleep(5)  # the watchdog stops this
        return run_solve_in_process(path, timeout)

    fz = InputFuzz(0, [EXAMPLE], flaky, out=str(tmp_path), timeout=5, hang_after=0.5)
    rep = fz.run(4)
    assert rep.outcomes["traceback"] == 1 and rep.outcomes["hang"] == 1, rep.outcomes
    assert rep.failed and len(list(tmp_path.glob("input-*.smt2"))) == 2


def test_fuzz_input_command(tmp_path):
    r = CliRunner().invoke(main, ["fuzz-input", str(EXAMPLE), "--mutations", "20", "--seed", "2",
                                  "--subprocess", "0", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "outcomes:" in r.output and "failures: 0" in r.output


# -- regressions: bugs the fuzzers found -----------------------------------------------------
def test_huge_constants_with_order_eij_auto():
    """Found by the campaign (seed 1, case 87): predicted_clauses took len() of a range past
    2^63 (OverflowError) for the order encoding, which eij and auto also consult."""
    text = ("(set-logic QF_LRA)(declare-const x0 Real)(declare-fun x1 () Real)"
            "(assert (= (> x1 0.0) (<= x0 36893488147419103235)))(check-sat)")
    for enc in ("order", "eij", "auto", "sd"):
        r = solve_smtlib(text, config=Config(encoding=enc, backend="cadical"))
        assert r.status == Status.SAT, enc
    r = solve_smtlib("(declare-fun x () Int)(declare-fun y () Int)"
                     f"(assert (<= (- x y) {2**70}))(assert (> (- x y) {2**70 - 1}))(check-sat)",
                     config=Config(encoding="order", backend="cadical"))
    assert r.status == Status.SAT and r.model["x"] - r.model["y"] == 2**70


def test_numerals_past_the_digit_limit_are_a_clear_error(tmp_path):
    """Found by fuzz-input: int() of a numeral of more than 4300 digits raised ValueError
    (a traceback from 'solve').  Now an error with its position; 4000 digits still work."""
    big = "7" * 4301
    with pytest.raises(UnsupportedError, match=r"<input>:1:36: numeral of 4301 characters is too large"):
        parse(f"(declare-fun x () Int)(assert (< x {big}))")
    with pytest.raises(UnsupportedError, match="too large"):
        parse(f"(declare-fun x () Real)(assert (< x 1.{big}))")
    ok = "9" * 4000
    r = solve_smtlib(f"(declare-fun x () Int)(assert (= x {ok}))(check-sat)",
                     config=Config(backend="cadical"))
    assert r.status == Status.SAT and r.model["x"] == int(ok)
    f = tmp_path / "big.smt2"
    f.write_text(f"(set-logic QF_IDL)\n(declare-fun x () Int)\n(assert (< x {big}))\n(check-sat)\n")
    run = run_solve_in_process(str(f), 10)
    assert run.exit_code == 1 and run.traceback is None
    assert run.stderr.startswith(f"error: {f}:3:14: numeral of 4301 characters"), run.stderr


def test_invalid_utf8_error_has_line_and_column(tmp_path):
    """Found by fuzz-input: the error for a file that is not UTF-8 had no LINE:COL."""
    f = tmp_path / "bad.smt2"
    f.write_bytes("(set-logic QF_IDL)\n; é\n(assert \xff)\n".encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
    with pytest.raises(ParseError) as e:
        parse_file(str(f))
    assert str(e.value).startswith(f"{f}:3:9: not UTF-8 text (byte 32: 0xff)"), str(e.value)
    run = run_solve_in_process(str(f), 10)
    assert run.exit_code == 1 and re.match(rf"error: {re.escape(str(f))}:3:9: not UTF-8", run.stderr)


def test_carriage_returns_end_lines_and_comments(tmp_path):
    """SMT-LIB ends a comment at CR or LF; parse_file keeps reading files as text mode did."""
    f = tmp_path / "cr.smt2"
    f.write_bytes(b"; comment\r(declare-fun x () Int)\r\n(assert (< x 0)) ; c\r(check-sat)\r")
    script = parse_file(str(f))
    assert [c.name for c in script.commands] == ["declare", "assert", "check-sat"]
    run = run_solve_in_process(str(f), 10)
    assert run.exit_code == 0 and run.stdout == "sat\n"
    g = tmp_path / "cr_err.smt2"
    g.write_bytes(b"(declare-fun x () Int)\r(assert (< y 0))\r")
    assert run_solve_in_process(str(g), 10).stderr.startswith(f"error: {g}:2:12: unknown symbol 'y'")


def test_default_seed_files_are_small_valid_benchmarks():
    seeds = default_seed_files()
    assert EXAMPLE in seeds
    assert all(os.path.getsize(p) <= 9000 for p in seeds)


def test_reserved_words_cannot_be_declared():
    """Found by fuzz-input: '(define-fun _ () Int 3)' was accepted (Z3 rejects it); SMT-LIB's
    reserved words are not symbols."""
    for word in ("_", "!", "let", "as", "forall", "par", "NUMERAL"):
        with pytest.raises(ParseError, match=f"'{re.escape(word)}' is a reserved word"):
            parse(f"(declare-fun x () Int)\n(define-fun {word} () Int 3)")
        with pytest.raises(ParseError, match=r"<input>:1:14: .* reserved word"):
            parse(f"(declare-fun {word} () Bool)")
    parse("(declare-fun lets () Int)(declare-const |par2| Int)")  # near misses are fine


def test_a_case_past_its_time_limit_is_reported_not_failed(tmp_path):
    def slow(text, combo, level, timeout):
        time.sleep(0.3)
        return eagersmt_solve(text, combo, level, timeout)

    rep = Campaign(3, out=str(tmp_path), solve=slow, case_limit=0.1, max_saved=1).run(2)
    assert rep.bugs["slow: more than N.N s"] == 2 and not rep.failed
    saved = list(tmp_path.glob("slow-*.smt2"))
    assert len(saved) == 1 and "eagersmt fuzz --seed 3 --first 0 --cases 1" in saved[0].read_text()
