#!/usr/bin/env python3
"""Minimum makespan, proven: ``eagersmt optimize`` vs CP-SAT's scheduling model vs a base commit.

The 10x10 OR-Library instances (ft10, abz5, abz6, la16-la20, orb01-orb10; ``jobshop1.txt``)
are written as QF_IDL with ``(minimize (- ms z))`` (``gen_jobshop.py --optimize``) into
``--out-dir``.  Per instance, one after the other:

* ``eagersmt optimize FILE`` of this checkout (a fresh process, lemma store off): wall time,
  start-up included, the optimum and whether it is proven;
* the same command run by the checkout ``--base DIR`` (today's optimizer; e.g.
  ``git worktree add /tmp/base 02d6bad`` or ``git archive 02d6bad | tar -x -C /tmp/base``),
  skipped without ``--base``;
* CP-SAT (OR-Tools) on its native model, in a fresh process: one interval per operation,
  ``AddNoOverlap`` per machine, job precedences, ``makespan >= end`` of every job,
  minimize the makespan, ``num_workers`` = ``--workers`` (2): wall time of the process and
  CP-SAT's own ``wall_time``; its optimum must be proven (status OPTIMAL).

Each run gets ``--timeout`` seconds.  Prints a Markdown table with the ratios of this
run (``benchmarks/RESULTS.md``, "Optimization"); exit 1 when an optimum differs from
CP-SAT's or is not proven.  ``--record FILE`` also appends each instance's row (JSON lines),
so that a long comparison can be several short locked runs, one instance each, the three
solvers of an instance one after the other in the same run; ``--table FILE`` prints the
table of the recorded rows.  E.g.

    for i in ft10 abz5 abz6; do flock /work/wt/timing.lock python \
        benchmarks/bench_optimum_cpsat.py --base /tmp/base --instances $i --record rows.jsonl; done
    python benchmarks/bench_optimum_cpsat.py --table rows.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from gen_jobshop import KNOWN_OPTIMA, default_data_file, load_instances, to_smtlib  # noqa: E402

TEN_BY_TEN = ("ft10,abz5,abz6,la16,la17,la18,la19,la20,orb01,orb02,orb03,orb04,orb05,orb06,"
              "orb07,orb08,orb09,orb10")

CPSAT = r"""
import json, sys, time
t0 = time.perf_counter()
from ortools.sat.python import cp_model
jobs, workers, timeout = json.loads(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
m = cp_model.CpModel()
horizon = sum(d for job in jobs for _, d in job)
on = {}
ends = []
for j, job in enumerate(jobs):
    prev = None
    for k, (mach, d) in enumerate(job):
        s = m.NewIntVar(0, horizon, f"s{j}_{k}")
        e = m.NewIntVar(0, horizon, f"e{j}_{k}")
        on.setdefault(mach, []).append(m.NewIntervalVar(s, d, e, f"i{j}_{k}"))
        if prev is not None:
            m.Add(s >= prev)
        prev = e
    ends.append(prev)
for ivs in on.values():
    m.AddNoOverlap(ivs)
ms = m.NewIntVar(0, horizon, "ms")
m.AddMaxEquality(ms, ends)
m.Minimize(ms)
solver = cp_model.CpSolver()
solver.parameters.num_workers = workers
solver.parameters.max_time_in_seconds = timeout
st = solver.Solve(m)
print(json.dumps({"optimal": st == cp_model.OPTIMAL, "value": solver.ObjectiveValue()
                  if st in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None,
                  "solve_s": solver.WallTime(), "process_s": time.perf_counter() - t0}))
"""

OPTIMUM = re.compile(r"; optimum .* = (-?\d+); proof")
BEST = re.compile(r"; not proven optimal: best .* = (-?\d+),")


def run_eagersmt(checkout: Path, path: Path, timeout: float) -> tuple[float, object, bool]:
    """Wall time, optimum (or best value, or the answer) and whether it is proven."""
    env = dict(os.environ, PYTHONPATH=str(checkout), EAGERSMT_MEMO="off")
    t0 = time.perf_counter()
    try:  # (run in the checkout: ``-m`` puts the working directory before PYTHONPATH)
        out = subprocess.run([sys.executable, "-m", "eagersmt.cli.main", "optimize",
                              str(path.resolve()), "--timeout", str(timeout)], env=env,
                             cwd=checkout, capture_output=True, text=True,
                             timeout=timeout + 30).stdout
    except subprocess.TimeoutExpired:
        return time.perf_counter() - t0, None, False
    dt = time.perf_counter() - t0
    m = OPTIMUM.search(out)
    if m:
        return dt, int(m.group(1)), True
    m = BEST.search(out)
    return dt, (int(m.group(1)) if m else out.split("\n", 1)[0]), False


def run_cpsat(jobs, workers: int, timeout: float) -> tuple[float, dict]:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CPSAT, json.dumps(jobs), str(workers),
                          str(timeout)], capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - t0, json.loads(out)


def geomean(xs: list[float]) -> float:
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--instances", default=TEN_BY_TEN)
    ap.add_argument("--base", type=Path, default=None, help="checkout of the base commit")
    ap.add_argument("--data", default=None, help="OR-Library file (default: shared data)")
    ap.add_argument("--out-dir", type=Path, default=REPO / "benchmarks" / "out" / "optimum")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--workers", type=int, default=2, help="CP-SAT workers")
    ap.add_argument("--record", type=Path, default=None, help="append each row (JSON lines)")
    ap.add_argument("--table", type=Path, default=None, help="print the table of FILE's rows")
    args = ap.parse_args(argv)
    if args.table is not None:
        rows = [json.loads(line) for line in args.table.read_text().splitlines() if line]
        return table(rows)
    insts = load_instances(args.data or default_data_file())
    args.out_dir.mkdir(parents=True, exist_ok=True)
    import ortools

    print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')}: {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.1f}, OR-Tools {ortools.__version__} CP-SAT "
          f"({args.workers} workers), timeout {args.timeout:g} s\n", flush=True)
    rows = []
    for name in args.instances.split(","):
        inst = insts[name]
        path = args.out_dir / f"{name}_min.smt2"
        path.write_text(to_smtlib(inst, None))
        dt, value, proven = run_eagersmt(REPO, path, args.timeout)
        base = run_eagersmt(args.base, path, args.timeout) if args.base else None
        ct, cp = run_cpsat([list(map(list, job)) for job in inst.jobs], args.workers,
                           args.timeout)
        row = {"instance": name, "known": KNOWN_OPTIMA.get(name), "value": value,
               "proven": proven, "s": dt, "base_s": None if base is None else base[0],
               "base_proven": None if base is None else base[2], "cpsat_s": ct,
               "cpsat_solve_s": cp["solve_s"], "cpsat_value": cp["value"],
               "cpsat_optimal": cp["optimal"], "load": os.getloadavg()[0]}
        rows.append(row)
        if args.record is not None:
            with open(args.record, "a") as f:
                f.write(json.dumps(row) + "\n")
    return table(rows)


def table(rows: list[dict]) -> int:
    """Print the Markdown table of ``rows`` and the geomeans; 0 when every optimum is proven
    and equal to CP-SAT's (and to the known one)."""
    print("| instance | optimum | eagersmt s | base s | CP-SAT s (solve s) "
          "| eagersmt / CP-SAT | eagersmt / base |")
    print("|---|---|---|---|---|---|---|")
    ok = True
    ratios, bases = [], []
    for r in rows:
        good = bool(r["proven"] and r["cpsat_optimal"] and r["value"] == r["cpsat_value"]
                    and r["value"] == (r["known"] or r["value"]))
        ok &= good
        ratios.append(r["s"] / r["cpsat_s"])
        mark = "" if good else f" ({r['value']}{'' if r['proven'] else ', not proven'})"
        if r["base_s"] is None:
            b = rb = "—"
        else:
            bases.append(r["s"] / r["base_s"])
            b = f"{r['base_s']:.2f}" + ("" if r["base_proven"] else " (not proven)")
            rb = f"{r['s'] / r['base_s']:.2f}"
        opt = "?" if r["cpsat_value"] is None else f"{r['cpsat_value']:.0f}"
        print(f"| {r['instance']} | {opt} | {r['s']:.2f}{mark} | {b} | "
              f"{r['cpsat_s']:.2f} ({r['cpsat_solve_s']:.2f}) | {r['s'] / r['cpsat_s']:.2f} | "
              f"{rb} |", flush=True)
    print(f"\ngeomean eagersmt / CP-SAT {geomean(ratios):.2f}, max {max(ratios):.2f}"
          + (f"; eagersmt / base {geomean(bases):.2f}, max {max(bases):.2f}" if bases else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
