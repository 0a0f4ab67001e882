"""Cross-checks against reference solvers (Z3, cvc5), each run in its own process.

``reference_answers`` runs a reference on an SMT-LIB file with a time limit and returns
its answer to each ``check-sat``; ``compare`` finds the disagreements (``unknown`` on
either side is not one).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Sequence

from ..errors import CrossCheckError

_ANSWERS = ("sat", "unsat", "unknown")


def _z3_command(path: str, timeout: float) -> list[str]:
    exe = shutil.which("z3") or str(Path(sys.executable).with_name("z3"))
    if not os.path.exists(exe):
        raise CrossCheckError("Z3 executable not found (pip install z3-solver)")
    return [exe, f"-T:{max(1, int(timeout + 0.999))}", path]


_CVC5_SCRIPT = r"""
import sys
import cvc5
from cvc5 import InputParser, SymbolManager
tm = cvc5.TermManager()
solver = cvc5.Solver(tm)
solver.setOption("tlimit-per", str(int(float(sys.argv[2]) * 1000)))
solver.setOption("produce-models", "false")
sm = SymbolManager(tm)
parser = InputParser(solver, sm)
parser.setFileInput(cvc5.InputLanguage.SMT_LIB_2_6, sys.argv[1])
while True:
    cmd = parser.nextCommand()
    if cmd.isNull():
        break
    text = str(cmd)
    if text.startswith("(get-model") or text.startswith("(get-value") or text.startswith("(set-option"):
        continue
    out = cmd.invoke(solver, sm)
    if out.strip():
        print(out.strip(), flush=True)
"""


def _cvc5_command(path: str, timeout: float) -> list[str]:
    return [sys.executable, "-c", _CVC5_SCRIPT, path, str(timeout)]


REFERENCES = {"z3": _z3_command, "cvc5": _cvc5_command}


def reference_answers(path: str, solver: str, timeout: float) -> list[str]:
    """Answers of ``solver`` ("z3" or "cvc5") to each ``check-sat`` of the file at ``path``."""
    cmd = REFERENCES[solver](path, timeout)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 10)
    except subprocess.TimeoutExpired:
        return ["unknown"]
    except ImportError as e:  # pragma: no cover
        raise CrossCheckError(f"{solver} is not available: {e}") from None
    answers = [ln.strip() for ln in proc.stdout.splitlines() if ln.strip() in _ANSWERS]
    if not answers and proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise CrossCheckError(f"{solver} failed on {path}: {detail[0]}")
    return answers


def compare(ours: Sequence[str], theirs: Sequence[str], solver: str) -> list[str]:
    """Messages for each ``check-sat`` where both decided and disagree."""
    problems = []
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a != "unknown" and b != "unknown" and a != b:
            problems.append(f"check-sat #{i + 1}: eagersmt says {a}, {solver} says {b}")
    return problems
