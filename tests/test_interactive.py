"""eagersmt driven over a pipe, as tools drive SMT solvers: the real console script, real
pipes, timed reads (an answer must arrive while the input is still open)."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

EAGERSMT = str(Path(sys.executable).with_name("eagersmt"))  # the console script pip installed


class Piped:
    """``eagersmt ARGS`` with its standard input and output kept open."""

    def __init__(self, *args: str):
        self.p = subprocess.Popen([EAGERSMT, *args], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.buf = b""

    def send(self, text: str) -> None:
        assert self.p.stdin is not None
        self.p.stdin.write(text.encode())
        self.p.stdin.flush()

    def read_line(self, timeout: float = 30) -> str:
        """The next output line; fails if none arrives within ``timeout`` seconds."""
        assert self.p.stdout is not None
        fd = self.p.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(left, 0))[0]
            assert ready, f"no answer within {timeout} s (so far: {self.buf!r})"
            data = os.read(fd, 4096)
            assert data, f"output closed; stderr: {self.p.stderr.read().decode()}"
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def finish(self, timeout: float = 30) -> tuple[str, str, int]:
        out, err = self.p.communicate(timeout=timeout)
        return (self.buf + out).decode(), err.decode(), self.p.returncode


@pytest.mark.parametrize("mode", [["solve", "-"], ["solve", "--interactive"], ["solve", "-in"]])
def test_each_answer_arrives_before_the_input_ends(mode):
    s = Piped(*mode)
    s.send("(set-logic QF_IDL)\n(declare-const x Int)\n(declare-const y Int)\n"
           "(assert (< (- x y) -2))\n(check-sat)\n")
    assert s.read_line() == "sat"  # stdin is still open: answered as it arrived
    time.sleep(0.5)
    s.send("(push 1)\n(assert (> x y))\n(check-sat)\n")
    assert s.read_line() == "unsat"
    s.send("(pop 1)\n(check-sat)\n(get-value ((- y x)))\n")
    assert s.read_line() == "sat"
    line = s.read_line()
    assert line.startswith("(((- y x) ") and int(line.split()[-1].rstrip(")")) >= 3
    out, err, rc = s.finish()
    assert rc == 0 and out == "" and "Traceback" not in err


def test_print_success_and_an_exit_in_the_middle():
    s = Piped("solve", "-in")
    s.send("(set-option :print-success true)\n")
    assert s.read_line() == "success"
    s.send("(declare-const p Bool)\n(assert p)\n")
    assert [s.read_line(), s.read_line()] == ["success", "success"]
    s.send("(check-sat)\n(exit)\n(check-sat)\n")
    assert s.read_line() == "sat"
    out, err, rc = s.finish()
    assert (out, rc) == ("success\n", 0)  # exit answers success; nothing after it is read


def test_interactive_errors_are_answers_and_the_session_goes_on():
    s = Piped("solve", "--interactive")
    s.send("(frobnicate)\n")
    assert s.read_line() == '(error "line 1 column 2: unknown command \'frobnicate\'")'
    s.send("(declare-const x Int)\n(assert (< x y))\n")
    assert s.read_line() == '(error "line 3 column 14: unknown symbol \'y\'")'
    s.send("(declare-sort U 0)\n")
    assert s.read_line().startswith('(error "line 4 column 2: command \'declare-sort\' is not '
                                    'supported (uninterpreted sorts')
    s.send("(declare-const y Int)(assert (< (+ x y) 0))\n")  # outside difference logic
    assert "not a difference constraint" in s.read_line()
    s.send("(get-model)\n)\n(assert (> x 3))\n(check-sat)\n(get-value (x))\n")
    assert s.read_line() == '(error "model is not available")'
    assert s.read_line() == '(error "line 7 column 1: unexpected \')\'")'
    assert s.read_line() == "sat"
    assert s.read_line() == "((x 4))"
    s.send("(set-option :frobnicate 1)\n(get-option :frobnicate)\n(get-info :reason-unknown)\n")
    assert [s.read_line(), s.read_line()] == ["unsupported", "unsupported"]
    assert s.read_line() == '(error "the last check-sat did not answer unknown")'
    out, err, rc = s.finish()
    assert rc == 0 and out == "" and "Traceback" not in err
    assert "warning: <stdin>:11:13: unknown option :frobnicate ignored" in err


def test_stdin_script_keeps_the_file_contract():
    """``solve -`` is a script on a pipe: answers as they arrive, a bad command ends it with
    ``error: <stdin>:LINE:COL`` and exit 1 (after the answers before it)."""
    p = subprocess.run([EAGERSMT, "solve", "-"], capture_output=True, text=True, timeout=60,
                       input="(declare-const x Int)\n(check-sat)\n(assert (< x z))\n(check-sat)\n")
    assert p.returncode == 1 and p.stdout == "sat\n"
    assert p.stderr == "error: <stdin>:3:14: unknown symbol 'z'\n"
    p = subprocess.run([EAGERSMT, "solve", "-"], capture_output=True, timeout=60,
                       input=b"(check-sat)\n(echo \"\xff\")\n")
    assert p.returncode == 1 and p.stdout == b"sat\n"
    assert p.stderr.startswith(b"error: <stdin>:2:8: not UTF-8 text (byte 19: 0xff)")
    p = subprocess.run([EAGERSMT, "solve", "-"], capture_output=True, text=True, timeout=60,
                       input="(check-sat)\r\n(assert false)\r(check-sat)")  # no final newline
    assert p.returncode == 0 and p.stdout.split() == ["sat", "unsat"]


def test_a_large_script_on_a_pipe_is_read_in_large_pieces():
    n = 3000
    text = "".join(f"(declare-const x{i} Int)\n" for i in range(n + 1))
    text += "".join(f"(assert (< x{i} x{i + 1}))\n" for i in range(n))
    text += f"(assert (< x{n} x0))\n(check-sat)\n"
    t0 = time.monotonic()
    p = subprocess.run([EAGERSMT, "solve", "-"], capture_output=True, text=True, timeout=120,
                       input=text)
    assert p.returncode == 0 and p.stdout == "unsat\n", p.stderr
    assert time.monotonic() - t0 < 60


def test_usage_errors_of_the_input_modes():
    for args in (["solve"], ["solve", "-in", "f.smt2"], ["solve", "-", "--proof", "d"],
                 ["solve", "-", "--cross-check", "z3"]):
        p = subprocess.run([EAGERSMT, *args], capture_output=True, text=True, timeout=60,
                           input="(check-sat)\n")
        assert p.returncode == 2, (args, p.stderr)
        assert "Traceback" not in p.stderr and "Error:" in p.stderr


def test_pysmt_drives_eagersmt_over_a_pipe():
    """pysmt's SmtLibSolver (what it uses for any SMT-LIB executable): print-success,
    declarations, push/pop and get-value through ``eagersmt solve --interactive``."""
    from pysmt.environment import get_env
    from pysmt.logics import QF_IDL
    from pysmt.shortcuts import GE, LE, Int, Minus, Symbol
    from pysmt.smtlib.solver import SmtLibSolver
    from pysmt.typing import INT

    s = SmtLibSolver([EAGERSMT, "solve", "--interactive"], get_env(), logic=QF_IDL)
    try:
        x, y = Symbol("x", INT), Symbol("y", INT)
        s.add_assertion(LE(Minus(x, y), Int(-2)))
        assert s.solve() is True
        s.push()
        s.add_assertion(GE(x, y))
        assert s.solve() is False
        s.pop()
        assert s.solve() is True
        assert s.get_value(y).constant_value() - s.get_value(x).constant_value() >= 2
    finally:
        s.exit()
