#!/usr/bin/env python3
"""Instructions of ``eagersmt solve FILE`` up to its first SAT call, per thread (callgrind).

Idea: on a shared machine the wall time of a short front end varies from run to run, while
the instruction counts valgrind's callgrind reports are the same in every run: the steady
figure for a change of the front end's own work (parse, normalize, encode, imports).  The
child is the console script's ``run`` with python-sat's first in-process solve call replaced
by an exit (as ``eagersmt bench --stages`` marks it); ``--separate-threads`` gives the main
thread (the front end) apart from the native threads (CaDiCaL's load, Kissat's text; a
thread number is reused once its thread has ended).  It says nothing of what runs in
parallel or waits (compare wall times for that).  Compare two checkouts with ``PYTHONPATH``::

    python -m compileall -q eagersmt    # (stale .pyc files are recompiled on every start)
    PYTHONPATH=$OLD python benchmarks/first_sat_instructions.py FILE
    PYTHONPATH=$NEW python benchmarks/first_sat_instructions.py FILE

Cost: one run under callgrind (tens of times slower than a plain run).
"""

from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import tempfile

CHILD = r"""
import os, sys
import pysolvers
def stop(*a):
    os._exit(0)
for name in ("cadical195_solve", "cadical195_solve_lim", "cadical153_solve", "cadical153_solve_lim"):
    if hasattr(pysolvers, name):
        setattr(pysolvers, name, stop)
import eagersmt.cli.main as cli
sys.argv = ["eagersmt", "solve", sys.argv[1]]
cli.run()
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["valgrind", "--tool=callgrind", "--separate-threads=yes",
                        f"--callgrind-out-file={tmp}/cg.%p", sys.executable, "-c", CHILD,
                        os.path.abspath(args.file)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        for path in sorted(glob.glob(f"{tmp}/cg.*-*")):
            with open(path) as f:
                total = next((line.split()[1] for line in f if line.startswith("summary:")), "?")
            print(f"thread {path.rsplit('-', 1)[1]}: {int(total):,} instructions")


if __name__ == "__main__":
    main()
