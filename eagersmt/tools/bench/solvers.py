"""The solvers a benchmark run can compare, by name, and the command line of each.

Names (``parse_solver``):

* ``eagersmt``, ``eagersmt:ENC``, ``eagersmt:ENC:BACKEND`` -- ``python -m eagersmt.cli.main
  solve --stats FILE [--encoding ENC] [--backend BACKEND]`` (interpreter start and imports
  included; ``--stats`` gives the stage times of the report);
* ``eagersmt@REV`` (and ``eagersmt@REV:ENC[:BACKEND]``) -- the same, with eagersmt as
  committed at the git revision REV (``snapshot.py``): old and new code in one run;
* ``z3``, ``cvc5``, ``yices`` -- the reference solvers of ``eagersmt.check.reference``,
  without their own time limit (the runner's wall limit applies);
* ``cadical-cnf[:ENC]``, ``kissat-cnf[:ENC]`` -- eagersmt's CNF (``eagersmt encode``, not
  timed) given to CaDiCaL 1.9.5 (python-sat, timing load + solve only) or to the Kissat
  executable (timing the whole process): the physical limit of the eager approach;
* ``cmd:NAME=COMMAND`` -- any SMT-LIB solver; ``{file}`` in COMMAND is the instance, else it
  is appended.  Its last ``sat``/``unsat``/``unknown`` line is its answer.

Nothing runs here except ``unavailable`` (a lookup) and ``version`` (one short process).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ...check import reference
from ...config import BACKENDS, ENCODINGS

DEFAULT_SOLVERS = ("eagersmt", "z3", "cvc5", "yices", "cadical-cnf")
PY = sys.executable

# Times only the SAT solver: the DIMACS parse (in Python) is before the clock and the alarm.
# SIGALRM with its default action ends the process even inside CaDiCaL's C++ code.
CADICAL_SCRIPT = r"""
import signal, sys, time
from pysat.formula import CNF
from eagersmt.backends.cadical import solver
clauses = CNF(from_file=sys.argv[1]).clauses
signal.signal(signal.SIGALRM, signal.SIG_DFL)
t0 = time.perf_counter()
signal.setitimer(signal.ITIMER_REAL, float(sys.argv[2]))
with solver() as s:
    s.add_clauses(clauses)
    ok = s.solve()
seconds = time.perf_counter() - t0
signal.setitimer(signal.ITIMER_REAL, 0)
print(f"@@SAT_SECONDS {seconds:.6f}", flush=True)
sys.exit(10 if ok else 20)
"""


@dataclass(frozen=True)
class SolverSpec:
    """How to run one solver.  ``kind``: eagersmt, smt (any SMT-LIB executable), cnf, or
    parser (``--parse-speed``: ``argv`` is the parser's name)."""

    name: str
    kind: str
    argv: tuple[str, ...] = ()     # with "{file}" (smt, eagersmt) -- or "{cnf}", "{timeout}"
    encoding: str = "auto"          # cnf: the encoding of ``eagersmt encode``
    sat_solver: str = ""            # cnf: cadical or kissat
    strict_exit: bool = False       # only exit code 0 (eagersmt) / 10, 20 (cnf) is an answer
    rev: str = ""                   # eagersmt@REV: the git revision as given,
    commit: str = ""                # ... its commit and the folder it is extracted to
    snapshot: str = ""              # (both set by ``snapshot.Snapshots.attach``)

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


def _kissat() -> Optional[str]:
    from ...backends.kissat import KissatNotFound, find_kissat
    try:
        return find_kissat()
    except KissatNotFound:
        return None


def _eagersmt(text: str, head: str, rest: list[str]) -> SolverSpec:
    _, _, rev = head.partition("@")
    if "@" in head and not rev:
        raise ValueError(f"{text!r}: write eagersmt@REV with a git revision")
    enc = rest[0] if rest else None
    backend = rest[1] if len(rest) > 1 else None
    if enc is not None and enc not in ENCODINGS:
        raise ValueError(f"{text!r}: encoding must be one of {', '.join(ENCODINGS)}")
    if backend is not None and backend not in BACKENDS:
        raise ValueError(f"{text!r}: back end must be one of {', '.join(BACKENDS)}")
    argv = [PY, "-m", "eagersmt.cli.main", "solve", "--stats", "{file}"]
    argv += ["--encoding", enc] if enc else []
    argv += ["--backend", backend] if backend else []
    return SolverSpec(text, "eagersmt", tuple(argv), strict_exit=True, rev=rev)


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
    if (head == "eagersmt" or head.startswith("eagersmt@")) and len(rest) <= 2:
        return _eagersmt(text, head, rest)
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
    if not rest and text in reference.NAMES:
        return SolverSpec(text, "smt", tuple(reference.command(text, "{file}")))
    raise ValueError(f"unknown solver {text!r} (use eagersmt[@REV][:ENC[:BACKEND]], z3, cvc5, "
                     "yices, cadical-cnf[:ENC], kissat-cnf[:ENC] or cmd:NAME=COMMAND)")


def unavailable(spec: SolverSpec) -> Optional[str]:
    """Why ``spec`` cannot run here, or None."""
    if spec.kind == "smt" and spec.name in reference.NAMES:
        return reference.unavailable(spec.name)
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
        if spec.kind == "parser" and spec.argv[0] != "eagersmt":
            from importlib.metadata import version as dist_version
            dist = {"z3": "z3-solver"}.get(spec.argv[0], spec.argv[0])
            return f"{spec.argv[0]} {dist_version(dist)}"
        if spec.kind in ("eagersmt", "parser"):
            from ... import __version__
            return f"eagersmt {__version__}" + (f" at {spec.commit[:9] or spec.rev}"
                                                if spec.rev else "")
        if spec.kind == "smt" and spec.name in reference.NAMES:
            return reference.version(spec.name)
        if spec.sat_solver == "cadical":
            return "CaDiCaL 1.9.5 (python-sat)"
        if spec.sat_solver == "kissat":
            p = subprocess.run([spec.argv[0], "--version"], capture_output=True, text=True,
                               timeout=10)
            return "kissat " + (p.stdout.strip().splitlines() or [""])[0]
    except Exception:  # a version is decoration; never fail a run for it
        return ""
    return ""
