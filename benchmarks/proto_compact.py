#!/usr/bin/env python3
"""Prototype: order vs compact order encoding of a classic job shop, at the CNF level.

Idea: the order encoding gives each start time a ladder of ``|window|`` literals, and a bound
move walks it; the compact order encoding (Tanjo, Tamura, Banbara, "Towards a compact and
efficient SAT-encoding of finite linear CSP", 2011; Azucar, SAT 2012) writes
``X = s - lo`` as ``B * X1 + X0`` with both digits order-encoded (about ``|window|/B + B``
literals), and ``X <= Y + k`` (``k = B*k1 + k0``, carry ``[Y0 >= B - k0]``) as

* ``Y1 <= a -> X1 <= a + k1 + 1``                        (any carry)
* ``Y1 <= a and Y0 <= B-k0-1 -> X1 <= a + k1``           (no carry)
* ``Y1 <= a and X1 >= a + k1 -> q0``;  ``q0 and Y0 <= b -> X0 <= b + k0``  (b < B - k0)
* ``Y1 <= a and X1 >= a+k1+1 -> q1``;  ``q1 and Y0 <= b -> X0 <= b + k0 - B`` (b >= B-k0)

(``q0``, ``q1``: "the high digits are tight"; a guard literal joins every clause but the
``q`` definitions).  About ``3 |window| / B + B`` clauses per guarded precedence instead of
``|window|``.  This script builds both from the OR-Library data (windows from heads and
tails, no root propagation), plus the CNF that ``eagersmt encode`` writes (``auto``), and
runs CaDiCaL 1.9.5 in-process (python-sat) and Kissat on each, printing conflicts,
propagations and seconds.  Figures: ``benchmarks/RESULTS.md``, "Encodings".

Usage: proto_compact.py ft10:929 abz5:1233 ... [--base 0,16,32] [--timeout 60]
(``--base 0`` is the plain order encoding).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_jobshop  # noqa: E402


class Builder:
    def __init__(self):
        self.nvars = 0
        self.clauses: list[list[int]] = []

    def new(self, n: int = 1) -> int:
        first = self.nvars + 1
        self.nvars += n
        return first


class OrderVar:
    """``X in [0, w]``: literal ``base + a`` is ``[X <= a]`` for ``a in [0, w)``."""

    def __init__(self, b: Builder, w: int):
        self.w = w
        self.base = b.new(w) if w else 0
        for a in range(w - 1):
            b.clauses.append([-(self.base + a), self.base + a + 1])

    def le(self, a: int):
        """Literal of ``[X <= a]``, or True / False."""
        if a < 0:
            return False
        if a >= self.w:
            return True
        return self.base + a


def clause(b: Builder, lits) -> None:
    out = []
    for l in lits:
        if l is True:
            return
        if l is False:
            continue
        out.append(l)
    b.clauses.append(out)


def neg(l):
    return (not l) if isinstance(l, bool) else -l


def order_le(b: Builder, X: OrderVar, Y: OrderVar, k: int, g) -> None:
    """``g -> X <= Y + k``: ``[Y <= a] -> [X <= a + k]``."""
    for a in range(max(0, min(-k - 1, Y.w)), min(Y.w, X.w - k - 1) + 1):
        clause(b, [neg(g), neg(Y.le(a)), X.le(a + k)])


class CompactVar:
    def __init__(self, b: Builder, w: int, B: int):
        self.w, self.B = w, B
        self.hi = OrderVar(b, w // B)
        self.lo = OrderVar(b, B - 1)
        # X <= w: X1 < w // B or X0 <= w % B
        clause(b, [self.hi.le(w // B - 1), self.lo.le(w % B)])


def compact_le(b: Builder, X: CompactVar, Y: CompactVar, k: int, g) -> None:
    B = X.B
    k1, k0 = divmod(k, B)
    X1, X0, Y1, Y0 = X.hi, X.lo, Y.hi, Y.lo
    ng = neg(g)
    t = Y0.le(B - k0 - 1)  # no carry
    for a in range(-1, Y1.w + 1):
        ya = Y1.le(a)
        if ya is False:
            continue
        if k0:
            clause(b, [ng, neg(ya), X1.le(a + k1 + 1)])
        clause(b, [ng, neg(ya), neg(t), X1.le(a + k1)])
    q0 = b.new()
    for a in range(-1, Y1.w + 1):
        ya = Y1.le(a)
        if ya is False:
            continue
        clause(b, [neg(ya), X1.le(a + k1 - 1), q0])
    for bb in range(0, B - k0):
        clause(b, [ng, -q0, neg(Y0.le(bb)), X0.le(bb + k0)])
    if k0:
        q1 = b.new()
        for a in range(-1, Y1.w + 1):
            ya = Y1.le(a)
            if ya is False:
                continue
            clause(b, [neg(ya), X1.le(a + k1), q1])
        for bb in range(B - k0, B):
            clause(b, [ng, -q1, neg(Y0.le(bb)), X0.le(bb + k0 - B)])


def jobshop_cnf(inst, bound: int, B: int) -> Builder:
    """Start times ``s_jk`` in ``[head, bound - tail - p]`` (offset to 0); job precedences
    unit, one Boolean per machine pair."""
    b = Builder()
    ops = []  # (job, k, machine, p, lo, hi)
    for j, job in enumerate(inst.jobs):
        durs = [d for _, d in job]
        for k, (m, p) in enumerate(job):
            lo = sum(durs[:k])
            hi = bound - sum(durs[k:])
            ops.append((j, k, m, p, lo, hi))
    if any(lo > hi for *_, lo, hi in ops):
        b.clauses.append([])
        return b
    if B:
        var = [CompactVar(b, hi - lo, B) for *_, lo, hi in ops]
        le = compact_le
    else:
        var = [OrderVar(b, hi - lo) for *_, lo, hi in ops]
        le = order_le
    # s_x - s_y <= c  <=>  X <= Y + c + lo_y - lo_x
    def cons(x, y, c, g):
        le(b, var[x], var[y], c + ops[y][4] - ops[x][4], g)
    idx = {(j, k): i for i, (j, k, *_) in enumerate(ops)}
    for i, (j, k, m, p, lo, hi) in enumerate(ops):
        if (j, k + 1) in idx:
            cons(i, idx[j, k + 1], -p, True)
    for i in range(len(ops)):
        for i2 in range(i + 1, len(ops)):
            if ops[i][2] != ops[i2][2]:
                continue
            o = b.new()  # o: i before i2
            cons(i, i2, -ops[i][3], o)
            cons(i2, i, -ops[i2][3], -o)
    return b


def run_cadical(nvars, clauses, timeout):
    from pysat.solvers import Cadical195
    t0 = time.perf_counter()
    with Cadical195(bootstrap_with=clauses) as s:
        timer = threading.Timer(timeout, s.interrupt)
        timer.start()
        r = s.solve_limited(expect_interrupt=True)
        timer.cancel()
        st = s.accum_stats()
    return r, st.get("conflicts"), st.get("propagations"), time.perf_counter() - t0


def run_kissat(path, timeout):
    from eagersmt.backends.kissat import find_kissat
    t0 = time.perf_counter()
    p = subprocess.run([find_kissat(), "-n", f"--time={timeout}", path],
                       capture_output=True, text=True)
    dt = time.perf_counter() - t0

    def stat(name):
        m = re.search(rf"^c {name}:\s+(\d+)", p.stdout, re.M)
        return int(m.group(1)) if m else None
    r = {10: True, 20: False}.get(p.returncode)
    return r, stat("conflicts"), stat("propagations"), dt


def read_dimacs(path):
    clauses, nvars = [], 0
    with open(path) as f:
        for line in f:
            if line[0] in "cp":
                if line.startswith("p"):
                    nvars = int(line.split()[2])
                continue
            clauses.append([int(t) for t in line.split()[:-1]])
    return nvars, clauses


def write_dimacs(path, nvars, clauses):
    with open(path, "w", buffering=1 << 20) as f:
        f.write(f"p cnf {nvars} {len(clauses)}\n")
        f.writelines(" ".join(map(str, c)) + " 0\n" for c in clauses)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("cases", nargs="+", help="name:bound")
    ap.add_argument("--base", default="auto,0,16,32")
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--solvers", default="cadical,kissat")
    args = ap.parse_args(argv)
    insts = gen_jobshop.load_instances()
    tmp = tempfile.mkdtemp(prefix="proto-compact-")
    print("instance | encoding | vars | clauses | solver | answer | conflicts | propagations | prop/conflict | s")
    for case in args.cases:
        name, bound = case.split(":")
        bound = int(bound)
        for enc in args.base.split(","):
            path = os.path.join(tmp, f"{name}_{bound}_{enc}.cnf")
            if enc == "auto":
                smt = os.path.join(tmp, f"{name}_{bound}.smt2")
                Path(smt).write_text(gen_jobshop.to_smtlib(insts[name], bound))
                subprocess.run([str(Path(sys.executable).with_name("eagersmt")), "encode", smt, "-o", path],
                               check=True)
                nvars, clauses = read_dimacs(path)
                label = "auto (eagersmt encode)"
            else:
                b = jobshop_cnf(insts[name], bound, int(enc))
                nvars, clauses = b.nvars, b.clauses
                write_dimacs(path, nvars, clauses)
                label = "order" if enc == "0" else f"compact B={enc}"
            for solver in args.solvers.split(","):
                if solver == "cadical":
                    r, c, p, dt = run_cadical(nvars, clauses, args.timeout)
                else:
                    r, c, p, dt = run_kissat(path, args.timeout)
                ans = {True: "sat", False: "unsat", None: "timeout"}[r]
                ppc = f"{p / c / 1000:.1f} k" if c and p else "-"
                print(f"{name}_b{bound} | {label} | {nvars} | {len(clauses)} | {solver} | {ans} | "
                      f"{c} | {p} | {ppc} | {dt:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
