"""The deadline covers the Python stages before the SAT call: an encoding that outlasts
``--timeout`` is interrupted (``core/limits.deadline_alarm``) and the answer is
``unknown`` (timeout), never a late answer or a traceback."""

from __future__ import annotations

import signal
import time

import pytest

from eagersmt.api import solve_smtlib
from eagersmt.config import Config
from eagersmt.core.limits import DeadlinePassed, deadline_alarm
from eagersmt.result import Status


def _spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_alarm_interrupts_python_code():
    with pytest.raises(DeadlinePassed):
        with deadline_alarm(time.perf_counter() + 0.05):
            _spin(30.0)
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0  # no timer left behind
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.default_int_handler,
                                                None)


def test_alarm_leaves_a_running_timer_alone():
    rang = []
    old = signal.signal(signal.SIGALRM, lambda *_: rang.append(1))
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        with deadline_alarm(time.perf_counter() + 0.01):
            _spin(0.5)  # the caller's timer is in charge: no DeadlinePassed
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert rang == [1]


def test_past_deadline_raises_at_once():
    with pytest.raises(DeadlinePassed):
        with deadline_alarm(time.perf_counter() - 1):
            raise AssertionError("the block must not run")


def _wide_formula(n: int) -> str:
    """Variables of 3,000 bits under sums with coefficients: an encoding of many seconds
    (no narrow rounds first: every variable is bounded)."""
    wide = 1 << 3000
    decls = "".join(f"(declare-const x{i} Int)\n(assert (<= (- {wide}) x{i} {wide}))\n"
                    for i in range(n))
    sums = "".join(f"(assert (<= (+ (* {3 + i % 5} x{i}) (* {7 + i % 3} x{(i + 1) % n}) "
                   f"(* -{2 + i % 4} x{(i + 2) % n})) {i}))\n" for i in range(n))
    return f"(set-logic QF_LIA)\n{decls}{sums}(assert (> x0 1000000000000))\n(check-sat)\n"


def test_encoding_past_the_timeout_answers_unknown():
    config = Config(memo="off", backend="cadical", timeout=0.3)
    t0 = time.perf_counter()
    res = solve_smtlib(_wide_formula(400), config=config)
    elapsed = time.perf_counter() - t0
    if res.status != Status.UNKNOWN:  # a machine fast enough to decide it is no failure,
        pytest.skip(f"decided ({res.status.value}) within the timeout")  # but says nothing
    assert res.reason == "timeout"
    assert res.stats.notes.get("timeout") == "while encoding"
    assert elapsed < 60  # interrupted: the whole encoding takes minutes
