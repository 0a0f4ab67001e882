#!/usr/bin/env python3
"""The classic job-shop comparison (OR-Library, 10x5 to 20x10): combine ``eagersmt bench`` runs, add the
per-instance ratios, and check the certificates of the unsat answers.

``combine``: read the ``results.csv`` of several ``eagersmt bench --out DIR`` runs (chunks
of one session, each under the CPU lock), print the per-solver and per-family tables, the
classic family (``jobshop_classic`` + ``jobshop_classic_rdl`` + ``jobshop_classic_gen``) as
a whole, and the geometric mean of eagersmt / Yices over the instances Yices decides in
0.3-10 s::

    python benchmarks/bench_classic.py combine /work/bench-i17/gen0 /work/bench-i17/gen1 ...

``analyze``: what the root propagation (``encode/disjunctive.py``, ``listsched.py``) does
to each file: fixed pairs, lemmas, window width, order clauses before and after, ms::

    python benchmarks/bench_classic.py analyze FILES...

``certify``: every unsat instance of the given files gets ``eagersmt solve --proof`` and
``eagersmt check-proof`` (one line per instance: solve seconds, verdict, check seconds)::

    python benchmarks/bench_classic.py certify FILES... [--timeout 120]
"""

from __future__ import annotations

import argparse
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["EAGERSMT_MEMO"] = "off"  # solving is measured, not the lemma store (bench_memo*.py)

from eagersmt.tools.bench.report import (family_table, markdown_table as _md, read_csv, solved,
                                         solver_table, summarize)

CLASSIC = ("jobshop_classic", "jobshop_classic_rdl", "jobshop_classic_gen")


def combine(dirs: list[str], limit: float) -> None:
    rows = [r for d in dirs for r in read_csv(str(Path(d) / "results.csv"))]
    solvers = list(dict.fromkeys(r.solver for r in rows))
    s = summarize(rows, limit, solvers)
    print("## all instances\n\n" + _md(solver_table(s)) + "\n\n" + _md(family_table(s)))
    classic = [r for r in rows if r.family in CLASSIC]
    for name, sub in (("classic family (shared + generated)", classic),
                      ("classic, shared only", [r for r in classic if r.family != "jobshop_classic_gen"]),
                      ("classic, generated only", [r for r in classic if r.family == "jobshop_classic_gen"])):
        present = [x for x in solvers if any(r.solver == x for r in sub)]
        print(f"\n## {name}\n\n" + _md(solver_table(summarize(sub, limit, present))))
    by = {}
    for r in classic:
        by.setdefault(r.instance, {})[r.solver] = r
    # every solver against Yices on the instances Yices decides in 0.3-10 s (``eagersmt``
    # and its other revisions, e.g. ``eagersmt@REV`` for the code before a change; Z3)
    others = [x for x in solvers if x != "yices"]
    band = []
    for inst, d in sorted(by.items()):
        y = d.get("yices")
        if y and solved(y, limit) and 0.3 <= y.seconds <= 10:
            band.append((inst, y.seconds, [d[x].seconds if x in d and solved(d[x], limit)
                                           else 2 * limit if x in d else math.nan for x in others]))
    print(f"\n## Yices decides in 0.3-10 s ({len(band)} instances): seconds\n")
    print("| instance | yices | " + " | ".join(others) + " | " +
          " | ".join(f"{x}/yices" for x in others) + " |\n|---|---|" + "---|" * (2 * len(others)))
    for inst, y, ts in band:
        print(f"| {Path(inst).stem.replace('jobshop_', '')} | {y:.2f} | "
              + " | ".join(f"{t:.2f}" for t in ts) + " | "
              + " | ".join(f"{t / y:.2f}" for t in ts) + " |")
    for i, x in enumerate(others):
        ratios = [ts[i] / y for _, y, ts in band if not math.isnan(ts[i])]
        if ratios:
            g = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
            print(f"\ngeomean {x} / Yices over {len(ratios)}: **{g:.2f}**")


def analyze(files: list[str]) -> None:
    from eagersmt.encode import disjunctive
    from eagersmt.encode.base import split_classes
    from eagersmt.encode.cnf import CNF
    from eagersmt.encode.domains import class_domains
    from eagersmt.encode.order import predicted_clauses
    from eagersmt.encode.tseitin import tseitin
    from eagersmt.ir.normalize import normalize
    from eagersmt.smtlib.parser import parse_file

    print("| instance | result | fixed | lemmas | windows | order clauses | ms |\n"
          "|---|---|---|---|---|---|---|")
    for f in files:
        norm = normalize([c.args[0] for c in parse_file(f).commands if c.name == "assert"])
        ts = tseitin(norm.circuit, CNF())
        cls = split_classes(ts.preds, norm.circuit.unit_preds())[0]
        t0 = time.perf_counter()
        sched = disjunctive.strengthen(cls, disjunctive.Root(norm.circuit, exact=False))
        ms = (time.perf_counter() - t0) * 1000
        name = Path(f).stem.replace("jobshop_", "")
        if sched is None:
            print(f"| {name} | no machines | | | | | {ms:.0f} |")
            continue
        res, _, narrowed = sched
        before = predicted_clauses(cls, class_domains(cls))
        if res.infeasible:
            print(f"| {name} | refuted | {res.fixed} | {len(res.lemmas)} | {res.width_before} -> - "
                  f"| {before} -> - | {ms:.0f} |")
            continue
        after = predicted_clauses(narrowed, class_domains(narrowed))
        what = "restricted" if res.restricted else "narrowed"
        print(f"| {name} | {what} | {res.fixed} | {len(res.lemmas)} | {res.width_before} -> "
              f"{res.width_after} | {before} -> {after} | {ms:.0f} |")


def certify(files: list[str], timeout: float) -> None:
    exe = [sys.executable, "-m", "eagersmt.cli.main"]
    for f in files:
        text = Path(f).read_text()
        m = re.search(r":status (\w+)", text)
        if not m or m.group(1) != "unsat":
            continue
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            p = subprocess.run(exe + ["solve", f, "--proof", d, "--timeout", str(timeout)],
                               capture_output=True, text=True)
            solve_s = time.perf_counter() - t0
            answer = (p.stdout.split() or ["error"])[0]
            if answer != "unsat":
                print(f"{Path(f).name}\t{answer}\t{solve_s:.2f}\t-\t-", flush=True)
                continue
            t0 = time.perf_counter()
            c = subprocess.run(exe + ["check-proof", d, f], capture_output=True, text=True)
            verdict = (c.stdout.split() or ["error"])[0].rstrip(":")
            print(f"{Path(f).name}\tunsat\t{solve_s:.2f}\t{verdict}\t{time.perf_counter() - t0:.2f}",
                  flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("combine")
    c.add_argument("dirs", nargs="+")
    c.add_argument("--timeout", type=float, default=60.0)
    z = sub.add_parser("analyze")
    z.add_argument("files", nargs="+")
    k = sub.add_parser("certify")
    k.add_argument("files", nargs="+")
    k.add_argument("--timeout", type=float, default=120.0)
    a = ap.parse_args()
    if a.cmd == "combine":
        combine(a.dirs, a.timeout)
    elif a.cmd == "analyze":
        analyze(a.files)
    else:
        certify(a.files, a.timeout)


if __name__ == "__main__":
    main()
