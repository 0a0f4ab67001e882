"""Random open shops in SMT-LIB (QF_UFIDL, pure difference logic), at the optimum and one below.

Job ``j`` needs ``d[j][m]`` (uniform in 1..MAXDUR) on every machine ``m``, in any order;
an operation excludes the other operations of its machine and of its job.  The optimum
comes from CP-SAT (``ortools``: one no-overlap per machine and per job); the files say
``sat`` at it and ``unsat`` one below, as the manifest's ``ufidl`` open shops do.

    python benchmarks/gen_openshop.py 8,8,302 10,10,306 --out-dir DIR   # JOBS,MACHINES,SEED
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path


def durations(jobs: int, machines: int, seed: int, maxdur: int = 50) -> list[list[int]]:
    rng = random.Random(seed)
    return [[rng.randint(1, maxdur) for _ in range(machines)] for _ in range(jobs)]


def optimum(d: list[list[int]], seconds: float = 60.0) -> int:
    from ortools.sat.python import cp_model

    jobs, machines = len(d), len(d[0])
    horizon = sum(map(sum, d))
    model = cp_model.CpModel()
    start = {(j, m): model.NewIntVar(0, horizon, f"s{j}_{m}")
             for j in range(jobs) for m in range(machines)}
    iv = {k: model.NewIntervalVar(start[k], d[k[0]][k[1]], start[k] + d[k[0]][k[1]], f"i{k}")
          for k in start}
    for j in range(jobs):
        model.AddNoOverlap([iv[j, m] for m in range(machines)])
    for m in range(machines):
        model.AddNoOverlap([iv[j, m] for j in range(jobs)])
    makespan = model.NewIntVar(0, horizon, "makespan")
    for (j, m), s in start.items():
        model.Add(makespan >= s + d[j][m])
    model.Minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    solver.parameters.catch_sigint_signal = False  # (its C handler outlives the call: Ctrl-C
    # would then end the process rather than raise KeyboardInterrupt)
    if solver.Solve(model) != cp_model.OPTIMAL:
        raise SystemExit(f"CP-SAT found no proven optimum in {seconds} s")
    return int(solver.ObjectiveValue())


def to_smtlib(d: list[list[int]], bound: int, status: str, source: str) -> str:
    jobs, machines = len(d), len(d[0])
    out = ["(set-info :smt-lib-version 2.6)", "(set-logic QF_UFIDL)",
           f"(set-info :source |{source}|)", f"(set-info :status {status})",
           "(declare-fun z () Int)"]
    out += [f"(declare-fun s_{j}_{m} () Int)" for j in range(jobs) for m in range(machines)]
    for j in range(jobs):
        for m in range(machines):
            out.append(f"(assert (>= (- s_{j}_{m} z) 0))")
            out.append(f"(assert (<= (- s_{j}_{m} z) {bound - d[j][m]}))")
    ops = [(j, m) for j in range(jobs) for m in range(machines)]
    for i, (j, m) in enumerate(ops):
        for k, l in ops[i + 1:]:
            if j == k or m == l:
                out.append(f"(assert (or (>= (- s_{k}_{l} s_{j}_{m}) {d[j][m]}) "
                           f"(>= (- s_{j}_{m} s_{k}_{l}) {d[k][l]})))")
    out += ["(check-sat)", "(exit)"]
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("specs", nargs="+", help="JOBS,MACHINES,SEED")
    ap.add_argument("--out-dir", default=".", help="where the files go")
    ap.add_argument("--maxdur", type=int, default=50)
    args = ap.parse_args(argv)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for spec in args.specs:
        jobs, machines, seed = map(int, spec.split(","))
        d = durations(jobs, machines, seed, args.maxdur)
        opt = optimum(d)
        print(f"openshop {jobs}x{machines} seed {seed}: optimum {opt}")
        for bound, status, tag in ((opt, "sat", "opt"), (opt - 1, "unsat", "optm1")):
            source = f"openshop {jobs}x{machines} seed {seed} bound {bound} (optimum {opt}, CP-SAT)"
            (out / f"openshop_{jobs}x{machines}_s{seed}_{tag}.smt2").write_text(
                to_smtlib(d, bound, status, source))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
