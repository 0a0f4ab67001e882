#!/usr/bin/env python3
"""Minimum makespan: eagersmt ``Solver.minimize`` vs Z3 ``Optimize`` on the same model.

Instances ft06 and la01–la05 from OR-Library ``jobshop1.txt`` (optima 55, 666, 655, 597,
590, 593), modelled by ``examples/jobshop.py`` (start times, a makespan ``ms``, machine
disjunctions).  Both solvers get the same SMT-LIB text (``jobshop.smtlib``: QF_IDL, the
assertions, no bound on ``ms``); each time covers parsing, solving and proving the optimum
(eagersmt: unsat at optimum - 1; Z3: its optimizer's own proof), in this process, one
instance after the other.  Prints a Markdown table (``benchmarks/RESULTS.md``,
"Optimization").

    python benchmarks/bench_optimize.py [--instances ft06,la01] [--repeat 3] [--data FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ["EAGERSMT_MEMO"] = "off"  # solving is measured, not the lemma store (bench_memo*.py)

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "examples"))

from gen_jobshop import KNOWN_OPTIMA, default_data_file, load_instances  # noqa: E402
from jobshop import smtlib  # noqa: E402

import eagersmt  # noqa: E402


def run_eagersmt(text: str, config: eagersmt.Config) -> tuple[float, int, bool, dict]:
    t0 = time.perf_counter()
    s = eagersmt.Solver(config)
    s.add(text)
    opt = s.minimize("ms")
    dt = time.perf_counter() - t0
    st = opt.stats.counts
    return dt, opt.value, opt.proven, {"sat": st.get("sat_calls", 0),
                                      "unsat": st.get("unsat_calls", 0),
                                      "clauses": st.get("clauses", 0)}


def run_z3(text: str) -> tuple[float, int]:
    import z3

    t0 = time.perf_counter()
    o = z3.Optimize()
    o.from_string(text)  # includes (minimize ms)
    r = o.check()
    dt = time.perf_counter() - t0
    assert r == z3.sat
    return dt, o.model()[z3.Int("ms")].as_long()


def main(argv: list[str] | None = None) -> int:
    import z3

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--instances", default="ft06,la01,la02,la03,la04,la05")
    ap.add_argument("--repeat", type=int, default=1, help="runs per solver; the median is shown")
    ap.add_argument("--data", default=None, help="OR-Library file (default: shared data)")
    ap.add_argument("--backend", default="portfolio", help="eagersmt back end of the first model")
    args = ap.parse_args(argv)
    insts = load_instances(args.data or default_data_file())
    config = eagersmt.Config(backend=args.backend)
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')}: {platform.system()} {platform.machine()}, "
          f"Python {platform.python_version()}, eagersmt {eagersmt.__version__}, "
          f"Z3 {z3.get_version_string()}, median of {args.repeat} run(s)\n")
    print("| instance | size | known optimum | eagersmt optimum | eagersmt s | sat / unsat calls "
          "| clauses | Z3 optimum | Z3 s | eagersmt / Z3 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    ok = True
    for name in args.instances.split(","):
        inst = insts[name]
        text = smtlib(inst)
        ours, theirs = [], []
        for _ in range(args.repeat):
            dt, value, proven, info = run_eagersmt(text.replace("(minimize ms)", ""), config)
            ours.append(dt)
            zt, zv = run_z3(text.replace("(get-objectives)", ""))
            theirs.append(zt)
            ok &= value == zv == KNOWN_OPTIMA.get(name, value) and proven
        a, b = statistics.median(ours), statistics.median(theirs)
        print(f"| {name} | {inst.njobs}x{inst.nmachines} | {KNOWN_OPTIMA.get(name, '?')} | "
              f"{value}{'' if proven else ' (not proven)'} | {a:.2f} | {info['sat']} / "
              f"{info['unsat']} | {info['clauses']} | {zv} | {b:.2f} | {a / b:.2f}x |", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
