"""The command line as a user meets it: answers, models, errors, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pysat.solvers import Cadical195

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "jobshop_3x3.smt2"


EAGERSMT = str(Path(sys.executable).with_name("eagersmt"))  # the console script pip installed


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([EAGERSMT, *args], capture_output=True, text=True, input=stdin,
                          timeout=120)


def write(tmp_path: Path, text: str, name: str = "f.smt2") -> str:
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return str(p)


def test_example_is_sat_and_prints_a_model():
    p = run("solve", str(EXAMPLE))
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == "sat"
    assert lines[1] == "(" and lines[-1] == ")"
    assert sum("(define-fun s_" in ln for ln in lines) == 8


def test_unsat_and_several_check_sats(tmp_path):
    f = write(tmp_path, """(set-logic QF_IDL)(declare-fun x () Int)(declare-fun y () Int)
        (assert (< (- x y) 0))(check-sat)
        (get-value (x (- x y)))
        (assert (< (- y x) 0))(check-sat)(get-model)""")
    p = run("solve", f)
    assert p.returncode == 0, p.stderr
    out = p.stdout.splitlines()
    assert out[0] == "sat"
    assert out[1].startswith("((x ") and "((- x y) (- " in out[1]
    assert out[2:] == ["unsat", '(error "model is not available")']


def test_negative_and_real_values_print_as_smtlib(tmp_path):
    f = write(tmp_path, """(set-logic QF_RDL)(declare-fun x () Real)(declare-fun z () Real)
        (assert (= (- x z) (- (/ 1 3))))(assert (= z 0))(check-sat)(get-model)""")
    p = run("solve", f)
    assert p.stdout.splitlines()[:1] == ["sat"]
    assert "(define-fun x () Real (- (/ 1.0 3.0)))" in p.stdout
    assert "(define-fun z () Real 0.0)" in p.stdout


def test_timeout_gives_unknown(tmp_path):
    # Pigeonhole in difference logic: 13 pigeons in 12 holes (distinct values in [1, 12]).
    n = 13
    decl = "".join(f"(declare-fun p{i} () Int)" for i in range(n))
    body = "".join(f"(assert (and (<= 1 p{i}) (<= p{i} {n - 1})))" for i in range(n))
    body += "(assert (distinct " + " ".join(f"p{i}" for i in range(n)) + "))"
    f = write(tmp_path, decl + body + "(check-sat)")
    p = run("solve", f, "--timeout", "1", "--encoding", "sd")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "unknown"


def test_stats_go_to_stderr(tmp_path):
    p = run("solve", str(EXAMPLE), "--stats")
    assert p.stdout.startswith("sat")
    for key in ("parse_s", "encode_s", "solve_s", "vars", "clauses"):
        assert key in p.stderr


def test_cross_check_with_z3_agrees():
    p = run("solve", str(EXAMPLE), "--cross-check", "z3")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("sat")


def test_cross_check_disagreement_exits_3(tmp_path, monkeypatch):
    """A fake Z3 that always says unsat makes the cross-check fail loudly."""
    fake = tmp_path / "z3"
    fake.write_text("#!/bin/sh\necho unsat\n")
    fake.chmod(0o755)
    env_path = f"{tmp_path}:{__import__('os').environ['PATH']}"
    p = subprocess.run([EAGERSMT, "solve", str(EXAMPLE),
                        "--cross-check", "z3"], capture_output=True, text=True, timeout=120,
                       env={**__import__("os").environ, "PATH": env_path})
    assert p.returncode == 3
    assert "eagersmt says sat, z3 says unsat" in p.stderr
    assert p.stdout == ""


def test_encode_writes_dimacs_with_the_same_answer(tmp_path):
    out = tmp_path / "ex.cnf"
    p = run("encode", str(EXAMPLE), "-o", str(out))
    assert p.returncode == 0, p.stderr
    lines = out.read_text().splitlines()
    assert lines[0].startswith("c eagersmt") and str(EXAMPLE) in lines[0]
    header = next(ln for ln in lines if ln.startswith("p cnf"))
    nv, nc = map(int, header.split()[2:])
    clauses = [list(map(int, ln.split()[:-1])) for ln in lines if ln and ln[0] not in "cp"]
    assert len(clauses) == nc and all(abs(l) <= nv for c in clauses for l in c)
    with Cadical195(bootstrap_with=clauses) as s:
        assert s.solve() is True
    unsat = tmp_path / "u.smt2"
    unsat.write_text(EXAMPLE.read_text().replace("makespan () Int 11", "makespan () Int 10"))
    run("encode", str(unsat), "-o", str(out))
    clauses = [list(map(int, ln.split()[:-1])) for ln in out.read_text().splitlines()
               if ln and ln[0] not in "cp"]
    with Cadical195(bootstrap_with=clauses) as s:
        assert s.solve() is False


BAD_INPUTS = [
    ("unbalanced", "(set-logic QF_IDL)\n(declare-fun x () Int)\n(assert (< x 3)\n(check-sat)\n",
     ":3:1: unbalanced parentheses"),
    ("extra paren", "(set-logic QF_IDL))\n", ":1:19: unexpected ')'"),
    ("unknown symbol", "(set-logic QF_IDL)\n(assert (< y 3))\n", ":2:12: unknown symbol 'y'"),
    ("unsupported logic", "(set-logic QF_NIA)\n", ":1:12: unsupported logic QF_NIA"),
    ("real division", "(set-logic QF_IDL)\n(declare-fun x () Int)\n(assert (< (/ x 2) 1))\n",
     ":3:13: real division"),
    ("non-linear", "(set-logic QF_LIA)(declare-fun x () Int)\n(assert (< (* x x) 1))\n",
     ":2:17: non-linear"),
    ("non-linear div", "(set-logic QF_LIA)(declare-fun x () Int)(declare-fun y () Int)\n"
     "(assert (< (div x y) 1))\n(check-sat)\n", ":2:19: 'div' by a non-constant"),
    ("non-difference real atom", "(set-logic QF_LRA)(declare-fun x () Real)(declare-fun y () Real)\n"
     "(assert (< (+ x y) 1))\n(check-sat)\n", ":2:9: not a difference constraint"),
    ("pop without push", "(pop 1)\n", ":1:6: cannot pop 1 level: 0 pushed"),
    ("ill-sorted", "(declare-fun x () Int)\n(assert (and x true))\n", ":2:14: 'and' expects Bool"),
    ("garbage bytes", b"(set-logic QF_IDL)\n\xff\xfe(check-sat)\n", "not UTF-8"),
    ("unterminated string", '(echo "abc)\n', ':1:7: unterminated string'),
]


@pytest.mark.parametrize("name, text, message", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_a_clear_error(tmp_path, name, text, message):
    f = write(tmp_path, text)
    p = run("solve", f)
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert p.stdout == ""  # never an answer
    assert "Traceback" not in p.stderr
    assert p.stderr.startswith(f"error: {f}"), p.stderr
    assert message in p.stderr, p.stderr


def test_encode_reports_bad_input_with_a_position(tmp_path):
    f = write(tmp_path, "(set-logic QF_LRA)(declare-fun x () Real)(declare-fun y () Real)\n"
                        "(assert (< (+ x y) 1))\n")
    p = run("encode", f)
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr.startswith(f"error: {f}:2:9: not a difference constraint")


def test_missing_file_and_directory(tmp_path):
    p = run("solve", str(tmp_path / "nope.smt2"))
    assert p.returncode == 1 and "no such file" in p.stderr and "Traceback" not in p.stderr
    p = run("solve", str(tmp_path))
    assert p.returncode == 1 and "Traceback" not in p.stderr


def test_unknown_option_warns_and_goes_on(tmp_path):
    f = write(tmp_path, "(set-option :frobnicate 1)(declare-fun x () Int)(assert (< x 0))(check-sat)")
    p = run("solve", f)
    assert p.returncode == 0
    assert p.stdout.strip() == "sat"
    assert "warning:" in p.stderr and ":frobnicate" in p.stderr


def test_help_documents_exit_codes():
    p = run("solve", "--help")
    assert "Exit codes" in p.stdout and "--encoding" in p.stdout and "--timeout" in p.stdout


def test_sigint_prints_unknown_and_leaves_no_solver_process(tmp_path):
    import os
    import signal
    import time

    import psutil

    n = 14  # pigeonhole in difference logic: far too hard to finish in the test
    decl = "".join(f"(declare-fun p{i} () Int)" for i in range(n))
    body = "".join(f"(assert (and (<= 1 p{i}) (<= p{i} {n - 1})))" for i in range(n))
    body += "(assert (distinct " + " ".join(f"p{i}" for i in range(n)) + "))"
    f = write(tmp_path, decl + body + "(check-sat)")
    proc = subprocess.Popen([EAGERSMT, "solve", f, "--encoding", "sd"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    kids: list[psutil.Process] = []
    deadline = time.monotonic() + 20
    while not kids and time.monotonic() < deadline:  # wait until the SAT child runs
        time.sleep(0.1)
        kids = psutil.Process(proc.pid).children(recursive=True)
    assert kids, "the solver child never started"
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert out.strip() == "unknown"
    assert "interrupted" in err and "Traceback" not in err
    gone, alive = psutil.wait_procs(kids, timeout=5)
    assert not alive


def test_cross_check_with_cvc5_and_all():
    for solver in ("cvc5", "all"):
        p = run("solve", str(EXAMPLE), "--cross-check", solver)
        assert p.returncode == 0, p.stderr
        assert p.stdout.startswith("sat")


def test_regular_output_channel_routes_the_answers(tmp_path):
    out_file = tmp_path / "answers.txt"
    out_file.write_text("before\n")  # appended to, not truncated
    f = write(tmp_path, f"""(declare-const x Int)
(assert (> x 2))
(check-sat)
(set-option :regular-output-channel "{out_file}")
(assert (< x 4))
(check-sat)
(get-value (x))
(set-option :regular-output-channel "stderr")
(assert (< x 3))
(check-sat)
(set-option :regular-output-channel "stdout")
(echo "done")
""")
    p = run("solve", f)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["sat", '"done"']
    assert out_file.read_text().splitlines() == ["before", "sat", "((x 3))"]
    assert p.stderr.splitlines() == ["unsat"]


def test_regular_output_channel_that_cannot_be_opened_is_an_input_error(tmp_path):
    f = write(tmp_path, '(check-sat)\n(set-option :regular-output-channel "/nonexistent/d/x")\n'
                        '(check-sat)\n')
    p = run("solve", f)
    assert p.returncode == 1
    assert p.stdout.split() == ["sat"]
    assert p.stderr.startswith(f"error: {f}:2:1: cannot open :regular-output-channel")
    assert "Traceback" not in p.stderr


# -- rough edges a first session hit ----------------------------------------------------
def test_an_output_that_cannot_be_written_is_an_error_line(tmp_path):
    for cmd in ("encode", "cube"):
        p = run(cmd, str(EXAMPLE), "-o", "/nonexistent/dir/x.out")
        assert p.returncode == 1, (cmd, p.stderr)
        assert p.stderr.startswith("error: cannot write /nonexistent/dir/x.out: No such file")
        assert "Traceback" not in p.stderr


@pytest.mark.parametrize("args, option", [
    (["cube", str(EXAMPLE), "--depth", "-1"], "'--depth'"),
    (["cube", str(EXAMPLE), "--cubes", "0"], "'--cubes'"),
    (["conquer", "x.icnf", "--jobs", "0"], "'--jobs'"),
    (["conquer", "x.icnf", "--timeout", "-1"], "'--timeout'"),
    (["solve", str(EXAMPLE), "--timeout", "-1"], "--timeout"),
    (["solve", str(EXAMPLE), "--memory-limit", "0"], "--memory-limit must be positive"),
    (["solve", str(EXAMPLE), "--jobs", "0"], "--jobs must be at least 1"),
    (["solve", str(EXAMPLE), "--ray", "not an address"], "--ray not an address: not an address"),
    (["optimize", str(EXAMPLE), "--cubes", "4"], "No such option '--cubes'"),
])
def test_bad_option_values_are_usage_errors_naming_the_option(args, option):
    p = run(*args)
    assert p.returncode == 2, p.stderr  # usage: never the code of an internal error (70)
    assert option in p.stderr and "Traceback" not in p.stderr
    assert "memory_limit" not in p.stderr and "cube_timeout" not in p.stderr


def test_submit_of_a_missing_file_is_bad_input_like_solve(tmp_path):
    for cmd in ("solve", "submit"):
        p = run(cmd, str(tmp_path / "nope.smt2"))
        assert p.returncode == 1, (cmd, p.stderr)
        assert p.stderr == f"error: {tmp_path / 'nope.smt2'}: no such file\n"


def test_ray_option_does_not_swallow_the_file():
    from eagersmt.cli.options import file_after_ray

    kwargs = {"ray": str(EXAMPLE)}
    assert file_after_ray(kwargs, None) == str(EXAMPLE) and kwargs["ray"] == "local"
    kwargs = {"ray": "auto"}
    assert file_after_ray(kwargs, None) is None and kwargs["ray"] == "auto"
    kwargs = {"ray": "10.0.0.1:6379"}
    assert file_after_ray(kwargs, "f.smt2") == "f.smt2" and kwargs["ray"] == "10.0.0.1:6379"


def test_a_forced_encoding_that_falls_back_is_said(tmp_path):
    f = write(tmp_path, "(declare-const a Int)(declare-const b Int)(declare-const c Int)"
                        "(assert (< a b))(assert (< b c))(assert (or (< c a) (> a 5)))(check-sat)")
    p = run("solve", f, "--encoding", "eij", "--eij-max-clauses", "1")
    assert p.returncode == 0 and p.stdout == "sat\n"
    assert "note: check-sat #1: --encoding eij was not used for 1 variable class (eij->order)" \
        in p.stderr
    p = run("solve", f, "--encoding", "eij")
    assert p.stderr == ""


def test_cross_check_says_it_agreed_with_stats():
    p = run("solve", str(EXAMPLE), "--cross-check", "z3", "--stats")
    assert p.returncode == 0 and "cross-check: z3 agrees on 1 of 1 answer" in p.stderr
    p = run("solve", str(EXAMPLE), "--cross-check", "z3")
    assert p.stderr == ""


def test_no_stray_punctuation_for_a_formula_that_is_false(tmp_path):
    f = write(tmp_path, "(declare-const x Int)(assert (< x x))(check-sat)")
    p = run("encode", f)
    assert "c encoding: none: an assertion simplifies to false" in p.stdout
    assert "encoding: ;" not in p.stdout
    cert = tmp_path / "cert"
    assert run("solve", f, "--proof", str(cert)).stdout == "unsat\n"
    p = run("check-proof", str(cert), f)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "unsat (the formula normalizes to false" in p.stdout and "(;" not in p.stdout


def test_unsupported_commands_are_answered_and_the_script_goes_on(tmp_path):
    f = write(tmp_path, "(declare-const x Int)(assert (> x 1))(check-sat)\n(get-proof)\n"
                        "(declare-sort U 0)(push 1)(assert (< x 0))(check-sat)(pop 1)(check-sat)")
    p = run("solve", f)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == "sat" and lines[3:] == ["unsat", "sat"]
    assert lines[1].startswith('(error "line 2 column 2: command \'get-proof\' is not supported')
    assert lines[2].startswith('(error "line 3 column 2: command \'declare-sort\'')


def test_every_solve_option_is_a_config_field_or_an_output_option():
    """The README says which options of solve are not Config fields: they only shape the
    output (and where the input comes from)."""
    from eagersmt.cli.solve import solve_cmd
    from eagersmt.config import OPTIONS

    fields = {o.name for o in OPTIONS}
    others = {p.name for p in solve_cmd.params if p.name not in fields} - {"file", "help"}
    assert others == {"stats", "progress", "interactive", "no_memo"}  # (--no-memo: --memo off)
    readme = " ".join((REPO / "README.md").read_text().split())
    assert "`--stats`, `--progress` and `--interactive` are not" in readme
    assert "`--no-memo` is `--memo off`" in readme


def test_one_table_of_exit_codes_in_the_readme():
    import re

    from eagersmt.cli.errors import EXIT_CODES

    readme = (REPO / "README.md").read_text()
    table = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", readme.split("## Exit codes")[1],
                            re.MULTILINE))
    assert {int(k) for k in table} == set(EXIT_CODES)
    assert len(set(EXIT_CODES)) == len(EXIT_CODES)  # one meaning per code
    p = run("solve", "--help")
    assert "70 internal error" in p.stdout and "2 usage" in p.stdout


def test_job_run_prints_the_result_line(tmp_path):
    """What a submitted Ray job runs (no Ray needed): solve, then the EAGERSMT-RESULT line
    that 'eagersmt result' reads; a bad input gives its error and exit code in that line."""
    import json

    p = run("job-run", str(EXAMPLE))
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout.splitlines()[-1].split(" ", 1)[1])
    assert doc["answers"] == ["sat"] and doc["exit_code"] == 0
    f = write(tmp_path, "(check-sat)\n(push 1)(assert (< x 0))")
    p = run("job-run", f)
    assert p.returncode == 1
    doc = json.loads(p.stdout.splitlines()[-1].split(" ", 1)[1])
    assert doc["output"] == ["sat"] and doc["exit_code"] == 1 and "unknown symbol 'x'" in doc["error"]


@pytest.mark.parametrize("command", ["solve", "optimize"])
def test_proof_naming_an_existing_file_is_a_clean_error(tmp_path, command):
    existing = tmp_path / "taken"
    existing.write_text("not a directory\n")
    f = str(REPO / "examples" / ("jobshop_3x3.smt2" if command == "solve"
                                 else "jobshop_3x3_optimize.smt2"))
    p = run(command, f, "--proof", str(existing))
    assert p.returncode == 1, p.stderr
    assert p.stderr.startswith("error: --proof ") and "not a directory" in p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""
    assert existing.read_text() == "not a directory\n"
    unsat = write(tmp_path, "(declare-fun x () Int)(assert (< x x))(check-sat)")
    beneath = run("solve", unsat, "--proof", str(existing / "sub"))
    assert beneath.returncode == 1 and "Traceback" not in beneath.stderr
    assert "not a directory" in beneath.stderr


def _pigeons(n: int) -> str:
    text = "".join(f"(declare-fun p{i} () Int)" for i in range(n))
    text += "".join(f"(assert (and (<= 1 p{i}) (<= p{i} {n - 1})))" for i in range(n))
    return text + "(assert (distinct " + " ".join(f"p{i}" for i in range(n)) + "))(check-sat)"


@pytest.mark.parametrize("limit", ["inf", "1e308", "1e9"])
def test_a_huge_timeout_is_no_limit(tmp_path, limit):
    # 9 pigeons: a second or two, long enough to reach the back end's wait (where such a
    # limit overflowed a poll in milliseconds).
    f = write(tmp_path, _pigeons(9))
    p = run("solve", f, "--timeout", limit, "--encoding", "sd")
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["unsat"]


@pytest.mark.parametrize("command,limit", [
    ("solve", "nan"), ("solve", "-1"), ("solve", "0"), ("optimize", "nan"),
    ("conquer", "nan"), ("solve --cube-timeout", "nan"), ("solve --cross-check-timeout", "-5"),
    ("cube --time-budget", "nan"), ("fuzz", "nan"), ("bench", "-1")])
def test_a_time_limit_that_is_not_a_positive_number_is_a_usage_error(command, limit):
    words = command.split()
    option = words[1] if len(words) > 1 else "--timeout"
    p = run(words[0], str(EXAMPLE), option, limit)
    assert p.returncode == 2, p.stderr
    assert f"'{option}'" in p.stderr and "positive number of seconds" in p.stderr
    assert "Traceback" not in p.stderr


def test_config_time_limits():
    import math

    from eagersmt import Config

    assert Config(timeout=math.inf).timeout is None
    assert Config(timeout=1e9).timeout is None and Config(cube_timeout=1e9).cube_timeout is None
    assert Config(timeout=2.5).timeout == 2.5
    assert Config(cross_check_timeout=math.inf).cross_check_timeout == 1e6
    for bad in (math.nan, -1.0, 0.0):
        with pytest.raises(ValueError, match="positive number of seconds"):
            Config(timeout=bad)
