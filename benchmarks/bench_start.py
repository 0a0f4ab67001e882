#!/usr/bin/env python3
"""Wall and CPU time of short commands, run alternately: the start of ``eagersmt``.

Each command runs ``--runs`` times, the commands taking turns (so a change of load hits
them alike), through the shell; the CPU time is the child's own (``os.wait4``: user +
system), the steadier figure on a busy machine.  Prints a Markdown table of medians.
Compare two checkouts by putting each first on ``PYTHONPATH`` and running from a folder
that holds neither (``python -m`` and ``-c`` put the working folder first on ``sys.path``)::

    cd /tmp && python ~/eagersmt/benchmarks/bench_start.py --runs 11 \\
        "PYTHONPATH=$OLD exec python -m eagersmt.cli.main --version" \\
        "PYTHONPATH=$NEW exec python -m eagersmt.cli.main --version"

Cost: ``runs`` × commands processes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("commands", nargs="+", help="shell commands")
    args = ap.parse_args()
    wall: dict[str, list[float]] = {c: [] for c in args.commands}
    cpu: dict[str, list[float]] = {c: [] for c in args.commands}
    for _ in range(args.runs):
        for c in args.commands:
            t0 = time.perf_counter()
            p = subprocess.Popen(c, shell=True, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            _, _, usage = os.wait4(p.pid, 0)
            wall[c].append(time.perf_counter() - t0)
            cpu[c].append(usage.ru_utime + usage.ru_stime)
    print("| wall ms | CPU ms | command |\n|---|---|---|")
    for c in args.commands:
        print(f"| {1000 * statistics.median(wall[c]):.0f} | {1000 * statistics.median(cpu[c]):.0f}"
              f" | `{c}` |")


if __name__ == "__main__":
    main()
