#!/usr/bin/env python3
"""Clause sharing (issue 14): measured at K = 2, projected to K = 16, 64, 1,000.  Not a test.

``table``: per instance, whole ``eagersmt solve`` processes (start-up, parse, encode
included), wall seconds, in this order: today's default (``solve``: the CaDiCaL + Kissat
portfolio), one CaDiCaL (``--backend cadical``), then each ``--variant`` (default: the
sharing portfolio ``--cubes portfolio --jobs 2``, the same without sharing, and
``--cubes auto --jobs 2`` with sharing); a run past ``--timeout`` counts as the timeout.
Ratios are geometric means over the instances of reference wall / variant wall.

``project``: the simulation (``eagersmt/conquer/simulate.py``) per instance: one CaDiCaL's
CPU seconds on the whole CNF (the reference), then K virtual workers (``--ks``) of the
sharing portfolio (and ``--cubes N``: cube and conquer with sharing, N cubes per worker),
simulated wall, speed-up and efficiency; ``--latency`` seconds are added per round.

``validate``: the real K = 2 sharing portfolio (``LocalConquer(jobs=2, share=True)``, in
this process's session, CNF load excluded as in the simulation) against the simulated
K = 2 wall, ``--repeat`` times each.

    bench_sharing.py table --instances ft10,orb05 --timeout 300 --json out.json
    bench_sharing.py project --instances ft10 --ks 1,2,16,64 --json proj.json
    bench_sharing.py validate --instances ft10,orb05 --repeat 2

Instances: as ``bench_cubes.py`` (names of the shared hard ones, ``gen_jobshop.py`` names
at optimum - 1, or paths).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_cubes import instance_path, load, load1  # noqa: E402

HARD = ("orb03", "orb05", "orb06", "ft10", "abz5", "js4-4")
VARIANTS = ("--cubes portfolio --jobs 2", "--cubes portfolio --jobs 2 --no-share",
            "--cubes auto --jobs 2")


def geomean(xs: list[float]) -> float:
    xs = [x for x in xs if x > 0]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else float("nan")


def run_cli(args: str, path: Path, timeout: float) -> dict:
    cmd = [sys.executable, "-m", "eagersmt.cli.main", "solve", *shlex.split(args), str(path)]
    t0, load0 = time.perf_counter(), load1()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=REPO)
        answer = p.stdout.split("\n", 1)[0].strip() if p.returncode == 0 else f"exit {p.returncode}"
    except subprocess.TimeoutExpired:
        answer = "timeout"
    wall = time.perf_counter() - t0
    return {"args": args, "answer": answer, "wall": round(min(wall, timeout), 3),
            "load": [load0, load1()]}


def table(args: argparse.Namespace) -> dict:
    rows = []
    for name in args.instances.split(","):
        path = instance_path(name)
        row: dict[str, Any] = {"instance": name, "path": str(path), "runs": []}
        for variant in ("", "--backend cadical", *args.variant):
            r = run_cli(variant, path, args.timeout)
            row["runs"].append(r)
            print(f"{name:10} {variant or '(default)':40} {r['answer']:8} {r['wall']:8.2f} s"
                  f"  load {r['load'][0]}-{r['load'][1]}", flush=True)
        rows.append(row)
    summary = {}
    for i, variant in enumerate(args.variant, start=2):
        summary[variant] = {
            "vs_default": geomean([r["runs"][0]["wall"] / r["runs"][i]["wall"] for r in rows]),
            "vs_cadical": geomean([r["runs"][1]["wall"] / r["runs"][i]["wall"] for r in rows])}
        print(f"{variant:40} geomean: {summary[variant]['vs_default']:.2f}x today's default, "
              f"{summary[variant]['vs_cadical']:.2f}x one CaDiCaL", flush=True)
    return {"rows": rows, "summary": summary}


def reference_seconds(cnf: Any) -> tuple[str, float]:
    """One CaDiCaL on the whole CNF, CPU seconds of the solve (load excluded)."""
    from eagersmt.backends import incremental

    s = incremental(cnf)
    try:
        t0 = time.process_time()
        ok = s.solve()
        return ("sat" if ok else "unsat"), time.process_time() - t0
    finally:
        s.close()


def project(args: argparse.Namespace) -> dict:
    from eagersmt.conquer.simulate import efficiency, simulate

    out = []
    for name in args.instances.split(","):
        enc = load(instance_path(name))
        answer, ref = reference_seconds(enc.cnf)
        print(f"{name}: one CaDiCaL {answer} {ref:.2f} s CPU", flush=True)
        row: dict[str, Any] = {"instance": name, "reference": ref, "runs": []}
        for k in [int(x) for x in args.ks.split(",")]:
            for mode in args.modes.split(","):
                cubes = None
                if mode == "cubes":
                    cubes = cube_set(enc, args.cubes * k)
                t0 = time.perf_counter()
                r = simulate(enc.cnf, k, cubes=cubes, share=not args.no_share,
                             round_seconds=args.round_seconds, latency=args.latency,
                             max_seconds=args.max_seconds)
                rec = {"k": k, "mode": mode, "status": str(r.status), "wall": r.wall,
                       "speedup": ref / r.wall, "efficiency": efficiency(ref, r.wall, k),
                       "rounds": r.rounds, "work": sum(r.work), "sharing": r.sharing,
                       "exchange": sum(r.schedule.exchange), "real": time.perf_counter() - t0,
                       "load": load1()}
                row["runs"].append(rec)
                print(f"  K={k:4} {mode:9} {rec['status']:7} wall {r.wall:7.2f} s "
                      f"speed-up {rec['speedup']:5.2f}x eff {rec['efficiency']:.2f} "
                      f"rounds {r.rounds} work {rec['work']:.1f} s exch {rec['exchange']:.2f} s "
                      f"{r.sharing}", flush=True)
        out.append(row)
    return {"rows": out}


def cube_set(enc: Any, n: int) -> list[list[int]]:
    from eagersmt.cube.lookahead import LookaheadCuber
    from eagersmt.cube.smt import split_space

    sp = split_space(enc, "bounds")
    cs = LookaheadCuber(max_cubes=n, dynamic=False).cubes(enc.cnf, variables=sp.variables,
                                                          ladders=sp.ladders)
    return cs.cubes


def validate(args: argparse.Namespace) -> dict:
    from eagersmt.conquer.local import LocalConquer
    from eagersmt.conquer.simulate import simulate

    out = []
    for name in args.instances.split(","):
        enc = load(instance_path(name))
        for rep in range(args.repeat):
            os.environ.pop("EAGERSMT_NOTHING", None)
            t0 = time.perf_counter()
            r = LocalConquer(jobs=2, share=True).solve_cubes(enc.cnf, None)
            real = time.perf_counter() - t0
            load_s = max(w.get("load_s", 0.0) for w in r.worker_stats) if r.worker_stats else 0.0
            s = simulate(enc.cnf, 2, round_seconds=args.round_seconds)
            rec = {"instance": name, "real": real, "status": str(r.status),
                   "simulated": s.wall, "sim_status": str(s.status), "load_s": load_s,
                   "load": load1()}
            out.append(rec)
            print(f"{name:8} real K=2 {real:7.2f} s (CNF load included)  simulated {s.wall:7.2f} s"
                  f"  ratio {real / s.wall:.2f}  load {rec['load']}", flush=True)
    return {"rows": out}


def main(argv: Optional[list[str]] = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=("table", "project", "validate"))
    ap.add_argument("--instances", default=",".join(HARD))
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--variant", action="append", default=None,
                    help="extra solve arguments to time (repeatable)")
    ap.add_argument("--ks", default="1,2,16,64")
    ap.add_argument("--modes", default="portfolio", help="portfolio,cubes")
    ap.add_argument("--cubes", type=int, default=8, help="cubes per worker (mode cubes)")
    ap.add_argument("--no-share", action="store_true")
    ap.add_argument("--round-seconds", type=float, default=0.1)
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--max-seconds", type=float, default=600.0)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    if args.variant is None:
        args.variant = list(VARIANTS)
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    result = {"table": table, "project": project, "validate": validate}[args.mode](args)
    result.update(mode=args.mode, started=started, ended=time.strftime("%Y-%m-%d %H:%M:%S"),
                  argv=sys.argv[1:])
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
