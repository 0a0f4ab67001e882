#!/usr/bin/env python3
"""The encodings of the linear path's classes on files: every sum the linear encoder hands
to ``PBEnc.leq`` (pindakaas through ``pysat.pb``) gets the encoding named by ``--encoding``
(``default``: what ``encode/linear.py`` chooses), and ``--sugar`` says which classes get
Sugar's order encoding (``encode/linear_order.py``): ``never`` (the log encoding),
``auto`` (``encode/linear.py``'s rule) or ``always`` (every class it fits), and
``--order-sums pindakaas`` hands those classes' sums to pindakaas instead of Sugar's
clauses, over the same ladders (its integer variables made from order literals,
``int_var_from_order_literals``, its default encoder per constraint); then CaDiCaL
(in-process; forked under ``--timeout`` seconds) solves the CNF.  Prints per file: clauses,
encode and solve seconds, answer, conflicts, and the classes' encodings.

Usage::

    PYTHONPATH=. python benchmarks/bench_lia_encodings.py --encoding binmerge FILES
    PYTHONPATH=. python benchmarks/bench_lia_encodings.py --encoding best FILES
    PYTHONPATH=. python benchmarks/bench_lia_encodings.py --sugar always --timeout 60 FILES
    PYTHONPATH=. python benchmarks/bench_lia_encodings.py --sugar always \
        --order-sums pindakaas FILES
"""

from __future__ import annotations

import argparse
import sys
import time

import pysat.pb as pb
from pysat.solvers import Solver

from eagersmt.backends.cadical import CadicalBackend
from eagersmt.compile import compile_script
from eagersmt.encode import linear, linear_order
from eagersmt.result import Stats
from eagersmt.smtlib.parser import parse_file



def pindakaas_leq(self, terms, c, cond):  # type: ignore[no-untyped-def]
    """``SugarEncoder.leq`` through pindakaas's integer variables over the same ladders."""
    import pindakaas

    lit = pindakaas.Lit.from_raw
    db = pindakaas.CNF()
    db.new_vars(self.cnf.nvars)
    lhs = None
    for x, a in terms:
        lad = self.ladders[x]
        iv = db.int_var_from_order_literals(list(lad.values), [lit(v) for v in lad.lits])
        lhs = a * iv if lhs is None else lhs + a * iv
    try:
        db.add_encoding(lhs <= c, conditions=[lit(v) for v in cond])
        clauses = db._clauses_as_int()
    except pindakaas.Unsatisfiable:
        clauses = [[-v for v in cond]]
    top = len(db.variables())
    if top > self.cnf.nvars:
        self.cnf.new_vars(top - self.cnf.nvars)
    self.cnf.extend(clauses)


SUGAR = {"never": -1, "auto": linear.SUGAR_AUTO_CLAUSES, "always": linear.SUGAR_MAX_CLAUSES}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--encoding", default="default",
                    help="default, or a pysat.pb.EncType name (best, bdd, binmerge, ...)")
    ap.add_argument("--sugar", choices=sorted(SUGAR), default="auto",
                    help="which classes get Sugar's order encoding (default: auto)")
    ap.add_argument("--order-sums", choices=("sugar", "pindakaas"), default="sugar",
                    help="who encodes the sums of order-encoded classes (default: sugar)")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per SAT call")
    a = ap.parse_args(argv)
    linear.SUGAR_AUTO_CLAUSES = SUGAR[a.sugar]
    if a.order_sums == "pindakaas":
        linear_order.SugarEncoder.leq = pindakaas_leq  # type: ignore[method-assign]
    if a.encoding != "default":
        chosen = getattr(pb.EncType, a.encoding)
        leq = pb.PBEnc.leq

        def forced(**kw):  # type: ignore[no-untyped-def]
            kw["encoding"] = chosen
            return leq(**kw)

        pb.PBEnc.leq = staticmethod(forced)  # type: ignore[method-assign]
    for f in a.files:
        t0 = time.perf_counter()
        stats = Stats()
        cnf = compile_script(parse_file(f), stats=stats).cnf
        t1 = time.perf_counter()
        if a.timeout:  # (a forked CaDiCaL: the in-process one cannot be interrupted)
            res = CadicalBackend().solve(cnf, timeout=a.timeout)
            said, conflicts = str(res.status), res.stats.get("conflicts")
        else:
            with Solver(name="cadical195", bootstrap_with=cnf.clauses) as s:
                said = "sat" if s.solve() else "unsat"
                conflicts = s.accum_stats().get("conflicts")
        t2 = time.perf_counter()
        name = f.rsplit("/", 1)[-1]
        print(f"{a.encoding}/{a.sugar}/{a.order_sums}\t{name}\tclauses {len(cnf.clauses)}\t"
              f"encode {t1 - t0:.2f} s\tsolve {t2 - t1:.2f} s\t{said}\tconflicts {conflicts}"
              f"\t{stats.notes.get('encodings', '')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
