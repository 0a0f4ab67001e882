"""Solver settings on eagersmt's own CNFs: CaDiCaL and Kissat configurations side by side.

Each FILE is compiled once as ``eagersmt solve`` would (``auto``: root propagation, the
list schedule's phases, the CNF's ``tuning``), then solved by every configuration asked
for, one at a time: ``c:NAME`` is CaDiCaL 1.9.5 in this process through
``backends.open_solver`` with the options ``CADICAL[NAME]`` set before the first clause (on
top of the CNF's tuning, which ``--no-tuning`` clears first); ``k:NAME`` is the Kissat
executable with ``KISSAT[NAME]`` on the DIMACS the portfolio writes for it (without the
redundant pair lemmas).  Wall seconds, including the solver's load, and CaDiCaL's conflicts.
``--no-ordering`` compiles without the ordering clauses (``encode/orderings.py``);
``--encoding NAME`` compiles with that encoding instead of ``auto`` (its CNF gets the tuning
that encoding asks for).  Run it under
``flock -x /work/cpu.lock`` (one configuration at a time, nothing else running).

    python benchmarks/bench_settings.py FILE... --configs c:default,c:schedule,k:default,k:schedule

Figures: ``benchmarks/RESULTS.md``, "Solver settings".
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

from eagersmt.backends import open_solver
from eagersmt.backends.cadical import TUNINGS as CADICAL_TUNINGS
from eagersmt.backends.kissat import TUNINGS as KISSAT_TUNINGS
from eagersmt.backends.kissat import find_kissat, write_dimacs
from eagersmt.compile import compile_script
from eagersmt.config import Config
from eagersmt.encode.cnf import SCHEDULE_TUNING
from eagersmt.smtlib.parser import parse_file

NO_INPROCESSING = {"elim": 0, "subsume": 0, "probe": 0, "vivify": 0}
CADICAL: dict[str, dict[str, int]] = {
    "default": {},
    "schedule": CADICAL_TUNINGS[SCHEDULE_TUNING],
    "stable": {"stabilizeonly": 1},
    "focused": {"stabilize": 0, "walk": 0},  # CaDiCaL's --unsat
    "sat": {"elimreleff": 10, "stabilizeonly": 1, "subsumereleff": 60},  # CaDiCaL's --sat
    "noinprocessing": NO_INPROCESSING,
}
KISSAT: dict[str, tuple[str, ...]] = {
    "default": (),
    "schedule": KISSAT_TUNINGS[SCHEDULE_TUNING],
    "stable": ("--stable=2",),
    "unsat": ("--unsat",),
    "sat": ("--sat",),
    "nosimplify": ("--simplify=false",),
    "stable-nosimplify": ("--stable=2", "--simplify=false"),
}


def run(cnf, config: str, timeout: float, dimacs: str) -> tuple[str, float, str]:  # type: ignore[no-untyped-def]
    """(answer, wall seconds, CaDiCaL's conflicts as a cell suffix or '')."""
    kind, name = config.split(":", 1)
    t0 = time.perf_counter()
    conflicts = ""
    if kind == "k":
        p = subprocess.run([find_kissat(), "-q", f"--time={math.ceil(timeout)}", *KISSAT[name],
                            dimacs], capture_output=True)
        answer = {10: "sat", 20: "unsat"}.get(p.returncode, "unknown")
    else:
        with open_solver(cnf, options=dict(CADICAL[name]) or None) as s:
            ok = s.solve(deadline=time.perf_counter() + timeout)
            conflicts = f" ({int(s.stats().get('conflicts', 0)):,}c)"
        answer = {True: "sat", False: "unsat", None: "unknown"}[ok]
    return answer, time.perf_counter() - t0, conflicts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--configs", default="c:default,c:schedule,k:default,k:schedule")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--no-tuning", action="store_true", help="clear the CNF's tuning first")
    ap.add_argument("--no-ordering", action="store_true", help="compile without ordering clauses")
    ap.add_argument("--encoding", default="auto", help="compile with this encoding (default auto)")
    args = ap.parse_args()
    configs = args.configs.split(",")
    try:
        config = Config(encoding=args.encoding)
    except ValueError as e:
        sys.exit(f"error: {e}")
    for c in configs:
        kind, _, name = c.partition(":")
        if name not in {"c": CADICAL, "k": KISSAT}.get(kind, {}):
            sys.exit(f"error: unknown configuration {c!r} (c:{'|'.join(CADICAL)}, k:{'|'.join(KISSAT)})")
    if args.no_ordering:
        import eagersmt.encode.orderings as orderings

        orderings.ordering_clauses = lambda *a, **k: []  # attach imports it when called
    seconds: dict[str, list[float]] = defaultdict(list)
    print("| file | " + " | ".join(configs) + " |")
    print("|---" * (len(configs) + 1) + "|")
    for f in args.files:
        cnf = compile_script(parse_file(f), config).cnf
        if args.no_tuning:
            cnf.tuning = ""
        fd, dimacs = tempfile.mkstemp(suffix=".cnf")
        try:
            with os.fdopen(fd, "w") as out:
                write_dimacs(out, cnf, essential=True)
            cells = []
            for c in configs:
                answer, s, conflicts = run(cnf, c, args.timeout, dimacs)
                seconds[c].append(s if answer != "unknown" else 2 * args.timeout)
                cells.append(f"{answer} {s:.2f}{conflicts}")
        finally:
            os.unlink(dimacs)
        print(f"| {os.path.basename(f)} | " + " | ".join(cells) + " |", flush=True)
    print("| geomean | " + " | ".join(
        f"{math.exp(sum(map(math.log, seconds[c])) / len(seconds[c])):.2f}" for c in configs) + " |")


if __name__ == "__main__":
    main()
