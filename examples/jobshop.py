#!/usr/bin/env python3
"""Minimum makespan of a job-shop instance, modelled with eagersmt's Python API.

Data: the OR-Library ``jobshop1.txt`` format, read by ``benchmarks/gen_jobshop.py``
(``parse_orlib``).  Shipped here: ``examples/ft06.txt``, Fisher–Thompson ft06 (6 jobs x 6
machines, optimum 55), and ``examples/la01-la05.txt``, Lawrence's la01–la05 (10 x 5, optima
666, 655, 597, 590, 593); ``--data FILE`` reads another file of that format (the whole
OR-Library one has 82 instances).

Model: a start time ``s_j_k`` per operation (job ``j``, step ``k``) and a makespan ``ms``;
steps of a job in order, every job done by ``ms``, and two operations on one machine never
overlap (one goes first).  ``Solver.minimize(ms)`` finds the optimum and proves it (unsat at
optimum - 1)::

    python examples/jobshop.py               # ft06: optimum makespan 55 (proven)
    python examples/jobshop.py la01          # 666 (proven)
    python examples/jobshop.py abz5 --data jobshop1.txt
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "benchmarks"))

from gen_jobshop import Instance, load_instances  # noqa: E402

from eagersmt import Expr, Int, Or, Progress, Solver  # noqa: E402

DATA = (HERE / "ft06.txt", HERE / "la01-la05.txt")  # the shipped data files


def constraints(inst: Instance) -> tuple[Expr, list[Expr]]:
    """The makespan term and the job-shop constraints of ``inst`` (builder terms)."""
    ms = Int("ms")
    s = [[Int(f"s_{j}_{k}") for k in range(len(ops))] for j, ops in enumerate(inst.jobs)]
    out = []
    for j, ops in enumerate(inst.jobs):
        out.append(s[j][0] >= 0)
        for k in range(1, len(ops)):
            out.append(s[j][k] - s[j][k - 1] >= ops[k - 1][1])  # step k after step k - 1
        out.append(ms - s[j][-1] >= ops[-1][1])  # the job is done by the makespan
    for mach in range(inst.nmachines):
        on = [(s[j][k], d) for j, ops in enumerate(inst.jobs)
              for k, (m, d) in enumerate(ops) if m == mach]
        for i, (a, da) in enumerate(on):
            for b, db in on[i + 1:]:
                out.append(Or(a - b >= db, b - a >= da))  # b first, or a first
    return ms, out


def model(inst: Instance, solver: Solver) -> Expr:
    """Add the job-shop constraints of ``inst`` to ``solver``; returns the makespan term."""
    ms, cs = constraints(inst)
    solver.add(cs)
    return ms


def smtlib(inst: Instance) -> str:
    """The same model as SMT-LIB text with ``(minimize ms)`` (for Z3 or ``eagersmt solve``)."""
    ms, cs = constraints(inst)
    names = ["ms"] + [f"s_{j}_{k}" for j, ops in enumerate(inst.jobs) for k in range(len(ops))]
    lines = ["(set-logic QF_IDL)"]
    lines += [f"(declare-fun {n} () Int)" for n in names]
    lines += [f"(assert {c!r})" for c in cs]
    lines += [f"(minimize {ms})", "(check-sat)", "(get-objectives)"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("instance", nargs="?", default="ft06",
                    help="instance name (default: ft06; shipped: ft06, la01 to la05)")
    ap.add_argument("--data", metavar="FILE",
                    help="OR-Library data file (default: the files shipped in examples/)")
    ap.add_argument("--timeout", type=float, default=None,
                    help="seconds for the whole search (default: none)")
    ap.add_argument("--progress", action="store_true", help="print each better makespan")
    args = ap.parse_args(argv)
    instances: dict[str, Instance] = {}
    for path in [args.data] if args.data else DATA:
        try:
            instances.update(load_instances(path))
        except (OSError, UnicodeDecodeError) as e:
            ap.error(f"cannot read the data file {path}: {getattr(e, 'strerror', None) or e}")
    if args.instance not in instances:
        ap.error(f"no instance {args.instance!r} in {args.data or 'the shipped data'} "
                 f"(there: {', '.join(sorted(instances)) or 'none'})")
    inst = instances[args.instance]

    def report(p: Progress) -> None:
        print(f"  {p.elapsed:6.2f} s  best {p.best}  lower bound {p.bound}", file=sys.stderr)

    with Solver() as solver:
        ms = model(inst, solver)
        opt = solver.minimize(ms, timeout=args.timeout,
                              progress=report if args.progress else None)
        m = solver.model()
    assert m[ms] == opt.value
    print(f"{inst.name}: {inst.njobs} jobs x {inst.nmachines} machines")
    if opt.proven:
        print(f"optimum makespan {opt.value} (proven: makespan <= {opt.value - 1} is unsat)")
    else:
        print(f"best makespan {opt.value} (not proven; lower bound {opt.bound})")
    for j in range(inst.njobs):
        starts = " ".join(f"{m[f's_{j}_{k}']:4}" for k in range(inst.nmachines))
        print(f"  job {j}: starts {starts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
