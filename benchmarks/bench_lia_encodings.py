#!/usr/bin/env python3
"""The pseudo-Boolean encoders of pindakaas (through ``pysat.pb``) on the linear path's
files: every sum the linear encoder hands to ``PBEnc.leq`` gets the encoding named here
(``default``: what ``encode/linear.py`` chooses), then CaDiCaL (in-process) solves the
CNF.  Prints per file: clauses, encode and solve seconds, answer, conflicts.

Usage::

    PYTHONPATH=. python benchmarks/bench_lia_encodings.py --encoding binmerge FILES
    PYTHONPATH=. python benchmarks/bench_lia_encodings.py --encoding best FILES
"""

from __future__ import annotations

import argparse
import sys
import time

import pysat.pb as pb
from pysat.solvers import Solver

from eagersmt.compile import compile_script
from eagersmt.smtlib.parser import parse_file


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--encoding", default="default",
                    help="default, or a pysat.pb.EncType name (best, bdd, binmerge, ...)")
    a = ap.parse_args(argv)
    if a.encoding != "default":
        chosen = getattr(pb.EncType, a.encoding)
        leq = pb.PBEnc.leq

        def forced(**kw):  # type: ignore[no-untyped-def]
            kw["encoding"] = chosen
            return leq(**kw)

        pb.PBEnc.leq = staticmethod(forced)  # type: ignore[method-assign]
    for f in a.files:
        t0 = time.perf_counter()
        cnf = compile_script(parse_file(f)).cnf
        t1 = time.perf_counter()
        with Solver(name="cadical195", bootstrap_with=cnf.clauses) as s:
            answer = s.solve()
            t2 = time.perf_counter()
            conflicts = s.accum_stats().get("conflicts")
        print(f"{a.encoding}\t{f.rsplit('/', 1)[-1]}\tclauses {len(cnf.clauses)}\t"
              f"encode {t1 - t0:.2f} s\tsolve {t2 - t1:.2f} s\t"
              f"{'sat' if answer else 'unsat'}\tconflicts {conflicts}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
