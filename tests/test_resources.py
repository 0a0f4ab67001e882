"""Resource safety of ``solve``: memory limit, SIGTERM/SIGINT clean-up, temporary files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from eagersmt import Config, solve_smtlib
from eagersmt.result import Status

# Three tasks in [0, 10^6] pairwise 300,000 apart: the order encoding needs ~6.3M clauses
# (2.4 GB resident when it is built), while the formula itself is easy (sat).
BIG = """(set-logic QF_IDL)
(declare-fun x () Int)(declare-fun y () Int)(declare-fun z () Int)
(assert (and (<= 0 x) (<= x 1000000) (<= 0 y) (<= y 1000000) (<= 0 z) (<= z 1000000)))
(assert (or (<= (- x y) (- 300000)) (<= (- y x) (- 300000))))
(assert (or (<= (- z y) (- 300000)) (<= (- y z) (- 300000))))
(assert (or (<= (- x z) (- 300000)) (<= (- z x) (- 300000))))
(check-sat)
"""


def pigeons(n: int) -> str:
    """Pigeonhole in difference logic: far too hard to finish within a test."""
    decl = "".join(f"(declare-fun p{i} () Int)" for i in range(n))
    body = "".join(f"(assert (and (<= 1 p{i}) (<= p{i} {n - 1})))" for i in range(n))
    return decl + body + "(assert (distinct " + " ".join(f"p{i}" for i in range(n)) + "))(check-sat)\n"


def test_memory_limit_gives_unknown_with_a_reason(tmp_path: Path) -> None:
    f = tmp_path / "big.smt2"
    f.write_text(BIG)
    p = subprocess.run([sys.executable, "-m", "eagersmt.cli.main", "solve", str(f), "--encoding",
                        "order", "--memory-limit", "400"], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "unknown"
    assert "memory limit (400 MB)" in p.stderr and "Traceback" not in p.stderr


def test_memory_limit_in_the_api_is_restored_afterwards() -> None:
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    r = solve_smtlib(BIG, config=Config(encoding="order", memory_limit=400))
    assert r.status == Status.UNKNOWN and "memory limit" in r.reason
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    # A generous limit does not change the answer.
    small = "(declare-fun x () Int)(assert (< x 3))(check-sat)"
    assert solve_smtlib(small, config=Config(memory_limit=4000)).status == Status.SAT


@pytest.mark.parametrize("sig,code,word", [(signal.SIGTERM, 143, "terminated"),
                                           (signal.SIGINT, 130, "interrupted")])
def test_signal_prints_unknown_and_leaves_no_process_or_temp_file(tmp_path: Path, sig: int,
                                                                  code: int, word: str) -> None:
    f = tmp_path / "php.smt2"
    f.write_text(pigeons(14))
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    # The portfolio runs a forked CaDiCaL and a Kissat process (fed by a forked writer).
    proc = subprocess.Popen([sys.executable, "-m", "eagersmt.cli.main", "solve", str(f),
                             "--encoding", "sd", "--backend", "portfolio"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    kids: list[psutil.Process] = []
    deadline = time.monotonic() + 30
    while len(kids) < 2 and time.monotonic() < deadline:  # both engines running
        time.sleep(0.1)
        kids = psutil.Process(proc.pid).children(recursive=True)
    assert len(kids) >= 2, "the portfolio engines never started"
    time.sleep(0.3)
    os.kill(proc.pid, sig)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert out.strip() == "unknown"
    assert word in err and "Traceback" not in err
    _, alive = psutil.wait_procs(kids, timeout=5)
    assert not alive
    assert not list(tmp.iterdir()), "temporary files left behind"
