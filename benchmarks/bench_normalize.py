"""Median normalization time per SMT-LIB file, of the ``eagersmt`` first on ``sys.path``.

Parses each file, then times ``compile.normalize_assertions`` on its assertions (each run
on a fresh parse), and prints ``FILE SECONDS`` (the median).  Compare two checkouts by
running it under each (``PYTHONPATH=CHECKOUT``), one file at a time, alternating:

    for f in FILES; do for t in OLD NEW; do PYTHONPATH=$t python benchmarks/bench_normalize.py $f; done; done
"""

from __future__ import annotations

import argparse
import statistics
import time

from eagersmt.compile import normalize_assertions
from eagersmt.smtlib.parser import parse_file


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    for path in args.files:
        times = []
        for _ in range(args.runs):
            script = parse_file(path)
            assertions = [c.args[0] for c in script.commands if c.name == "assert"]
            t0 = time.perf_counter()
            normalize_assertions(assertions)
            times.append(time.perf_counter() - t0)
        print(f"{path} {statistics.median(times):.4f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
