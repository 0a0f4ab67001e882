#!/usr/bin/env python3
"""Clause sharing: measured at K = 2, projected to K = 16, 64, 1,000.  Not a test.

``table``: per instance, whole ``eagersmt solve`` processes (start-up, parse, encode
included), wall seconds and CPU seconds of all its processes (a load-robust measure of
the work: on a busy machine the wall says little), in this order: with ``--with-default`` today's default (``solve``:
the CaDiCaL + Kissat portfolio), one CaDiCaL (``--backend cadical``), then each
``--variant`` (default: the sharing portfolio ``--cubes portfolio --jobs 2``, the same
without sharing, and ``--cubes auto --jobs 2`` with sharing; leading ``NAME=VALUE`` words
set the environment, e.g. ``EAGERSMT_NATIVE=0``: sharing at slice boundaries); a run past
``--timeout`` counts as the timeout.  Ratios are geometric means over the instances of
the other column's wall / the variant's wall.

``project``: the simulation (``sharing_sim.py``, beside this script) per instance: one
CaDiCaL's CPU seconds on the whole CNF (the reference), then K virtual workers (``--ks``) of
the sharing portfolio (and ``--cubes N``: cube and conquer with sharing, N cubes per
worker), simulated wall, speed-up and efficiency; ``--latency`` seconds are added per round;
``--asynchronous``: the real driver's protocol (each worker on its own clock) instead of
lock-step rounds.

``exchange``: what one round costs at K workers (``--ks``): the driver's merge of K answers
(``--offer`` clauses each) and one worker's import of the merged buffer.

``ray``: the sharing portfolio on Ray (``--ray auto`` against a running 2-CPU head started
here, ``eagersmt.tools.ray_head.RayHead``, after one unrecorded run) against the local one,
whole processes, alternately.

``validate``: the real K = 2 sharing portfolio (``LocalConquer(jobs=2, share=True)``, wall
seconds, forked workers loading the CNF) against the simulated K = 2 wall plus one CNF load
(CPU seconds), lock-step and asynchronous, ``--repeat`` times each.

    bench_sharing.py table --instances ft10,orb05 --timeout 300 --json out.json
    bench_sharing.py project --instances ft10 --ks 1,2,16,64 --json proj.json
    bench_sharing.py validate --instances ft10,orb05 --repeat 2

Instances: as ``bench_cubes.py`` (names of the shared hard ones, ``gen_jobshop.py`` names
at optimum - 1, or paths).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import math
import os
import resource
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

import psutil

os.environ["EAGERSMT_MEMO"] = "off"  # solving is measured, not the lemma store (bench_memo*.py)

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_cubes import instance_path, load, load1  # noqa: E402

HARD = ("orb03", "orb05", "orb06", "ft10", "abz5", "js4-4")
VARIANTS = ("--cubes portfolio --jobs 2", "--cubes portfolio --jobs 2 --share off",
            "--cubes auto --jobs 2")


def geomean(xs: list[float]) -> float:
    xs = [x for x in xs if x > 0]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else float("nan")


def run_cli(args: str, path: Path, timeout: float, lock: Optional[str] = None) -> dict:
    """One ``eagersmt solve ARGS PATH``; leading ``NAME=VALUE`` words of ``args`` go into
    its environment (``EAGERSMT_NATIVE=0``: sharing at slice boundaries); ``lock``: a file
    held (``flock``) for the run alone, so that long tables time one run at a time."""
    if lock is not None:
        with open(lock, "a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                return run_cli(args, path, timeout)
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
    words, env = shlex.split(args), dict(os.environ)
    while words and "=" in words[0] and not words[0].startswith("-"):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    cmd = [sys.executable, "-m", "eagersmt.cli.main", "solve", *words, str(path)]
    t0, load0 = time.perf_counter(), load1()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         cwd=REPO, env=env)
    try:
        out, _ = p.communicate(timeout=timeout)
        answer = out.split("\n", 1)[0].strip() if p.returncode == 0 else f"exit {p.returncode}"
    except subprocess.TimeoutExpired:
        answer = "timeout"
        # past the timeout every process of the run goes (forked solvers and workers, in
        # process groups of their own, would otherwise go on and slow the next run down)
        for child in psutil.Process(p.pid).children(recursive=True) + [psutil.Process(p.pid)]:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
        p.communicate()
    wall = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)  # every process of the run, reaped
    cpu = ru.ru_utime + ru.ru_stime - ru0.ru_utime - ru0.ru_stime
    return {"args": args, "answer": answer, "wall": round(min(wall, timeout), 3),
            "cpu": round(cpu, 3), "load": [load0, load1()]}


def table(args: argparse.Namespace) -> dict:
    refs = ("", "--backend cadical") if args.with_default else ("--backend cadical",)
    rows = []
    for name in args.instances.split(","):
        path = instance_path(name)
        row: dict[str, Any] = {"instance": name, "path": str(path), "runs": []}
        for variant in (*refs, *args.variant):
            r = run_cli(variant, path, args.timeout, args.lock)
            row["runs"].append(r)
            print(f"{name:10} {variant or '(default)':40} {r['answer']:8} {r['wall']:8.2f} s"
                  f"  cpu {r['cpu']:8.2f} s  load {r['load'][0]}-{r['load'][1]}", flush=True)
        rows.append(row)
        if args.json:  # after each instance: a long table interrupted keeps what it has
            Path(args.json).write_text(json.dumps({"rows": rows}, indent=1))

    def wall(row: dict, variant: str) -> float:
        return next(r["wall"] for r in row["runs"] if r["args"] == variant)

    summary = {}
    for variant in args.variant:
        summary[variant] = {f"vs {other or '(default)'}": geomean(
            [wall(r, other) / wall(r, variant) for r in rows])
            for other in (*refs, *args.variant) if other != variant}
        print(f"{variant:40} geomean speed-up: " + ", ".join(
            f"{v:.2f}x {k}" for k, v in summary[variant].items()), flush=True)
    return {"rows": rows, "summary": summary}


def reference_seconds(cnf: Any) -> tuple[str, float]:
    """One CaDiCaL on the whole CNF, CPU seconds of the solve (load excluded)."""
    from eagersmt.backends import open_solver

    s = open_solver(cnf)
    try:
        t0 = time.process_time()
        ok = s.solve()
        return ("sat" if ok else "unsat"), time.process_time() - t0
    finally:
        s.close()


def project(args: argparse.Namespace) -> dict:
    from sharing_sim import efficiency, simulate

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
                             max_seconds=args.max_seconds, probe_seconds=args.probe,
                             asynchronous=args.asynchronous)
                rec = {"k": k, "mode": mode, "status": str(r.status), "wall": r.wall,
                       "free_running": r.free_running,
                       "speedup": ref / r.wall, "efficiency": efficiency(ref, r.wall, k),
                       "rounds": r.rounds, "work": sum(r.work), "sharing": r.sharing,
                       "exchange": sum(r.schedule.exchange), "real": time.perf_counter() - t0,
                       "load": load1()}
                row["runs"].append(rec)
                print(f"  K={k:4} {mode:9} {rec['status']:7} wall {r.wall:7.2f} s "
                      f"speed-up {rec['speedup']:5.2f}x eff {rec['efficiency']:.2f} "
                      f"(free-running {ref / r.free_running:5.2f}x) "
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
    from eagersmt.backends import open_solver
    from eagersmt.conquer.local import LocalConquer
    from sharing_sim import simulate

    out = []
    for name in args.instances.split(","):
        enc = load(instance_path(name))
        t0 = time.process_time()
        open_solver(enc.cnf).close()  # what each worker pays first: the CNF into CaDiCaL
        load_s = time.process_time() - t0
        for rep in range(args.repeat):
            t0 = time.perf_counter()
            r = LocalConquer(jobs=2, share=True).solve_cubes(enc.cnf, None)
            real = time.perf_counter() - t0
            s = simulate(enc.cnf, 2, round_seconds=args.round_seconds)
            a = simulate(enc.cnf, 2, round_seconds=args.round_seconds, asynchronous=True)
            sim = s.wall + load_s
            rec = {"instance": name, "real": real, "status": str(r.status), "simulated": sim,
                   "free_running": s.free_running + load_s, "asynchronous": a.wall + load_s,
                   "sim_status": str(s.status), "load_s": load_s, "rounds": s.rounds,
                   "real_rounds": r.sharing.get("rounds"), "load": load1()}
            out.append(rec)
            print(f"{name:8} real K=2 {real:7.2f} s  simulated {sim:7.2f} s, free-running "
                  f"{rec['free_running']:7.2f} s, asynchronous {rec['asynchronous']:7.2f} s "
                  f"(load {load_s:.2f} s)"
                  f"  real/simulated {real / sim:.2f}  load avg {rec['load']}", flush=True)
    return {"rows": out}


def exchange_cost(args: argparse.Namespace) -> dict:
    """What one round costs at K workers: the driver's merge (``Exchange.offer`` + ``round``)
    of K answers of ``--offer`` clauses each, and a worker's import of a full buffer (real
    learnt clauses of the instance, added to a second CaDiCaL); CPU seconds."""
    import random

    from eagersmt.backends import open_solver
    from eagersmt.conquer.sharing import Exchange, Sharer, capacity, cnf_tag, pack

    name = args.instances.split(",")[0]
    enc = load(instance_path(name))
    cnf = enc.cnf
    a = Sharer(cnf_tag(cnf), cnf.nvars)
    sa = open_solver(cnf)
    a.attach(sa)
    learnt: list[list[int]] = []
    t0 = time.process_time()
    while len(learnt) < 20000 and time.process_time() - t0 < 20:
        if sa.solve(conflicts=1000) is not None:
            break
        a.collect()
        learnt += a.outbox
        a.outbox = []
    a.close()
    sa.close()
    print(f"{name}: {len(learnt)} short learnt clauses, mean length "
          f"{sum(map(len, learnt)) / max(1, len(learnt)):.2f}", flush=True)
    rng = random.Random(1)
    rows = []
    for k in [int(x) for x in args.ks.split(",")]:
        ex = Exchange(cnf_tag(cnf), workers=k)
        answers = [pack(rng.sample(learnt, min(args.offer, len(learnt)))) for _ in range(k)]
        t0 = time.process_time()
        for w, data in enumerate(answers):
            ex.offer(w, ex.tag, data)
        buffer = ex.round()
        merge = time.process_time() - t0
        b = Sharer(cnf_tag(cnf), cnf.nvars)
        sb = open_solver(cnf)
        b.attach(sb)
        t0 = time.process_time()
        added = b.take(ex.tag, buffer, sb)
        take = time.process_time() - t0
        b.close()
        sb.close()
        rows.append({"k": k, "capacity": capacity(k), "buffer_bytes": len(buffer),
                     "merge_s": merge, "import_s": take, "imported": added})
        print(f"K={k:5} capacity {capacity(k):7} literals, buffer {len(buffer) / 1024:7.1f} KiB,"
              f" driver merge {merge * 1000:8.1f} ms, one worker's import of {added} clauses "
              f"{take * 1000:7.1f} ms", flush=True)
    return {"rows": rows, "instance": name}


def ray_vs_local(args: argparse.Namespace) -> dict:
    """The sharing portfolio through Ray (a running 2-CPU head, ``RayHead``) against
    the local one, whole ``solve`` processes, alternately, ``--repeat`` times."""
    from eagersmt.tools.ray_head import RayHead

    head = RayHead(2, object_store_mb=150)
    rows = []
    try:
        # a running cluster: the first driver after the head starts waits for its raylet
        # (seconds), so one unrecorded run first
        env = dict(os.environ)
        os.environ.update(head.env)
        try:
            run_cli("--cubes portfolio --ray auto", instance_path(args.instances.split(",")[0]),
                    args.timeout)
        finally:
            os.environ.clear()
            os.environ.update(env)
        for name in args.instances.split(","):
            path = instance_path(name)
            for _ in range(args.repeat):
                local = run_cli("--cubes portfolio --jobs 2", path, args.timeout)
                env = dict(os.environ)
                os.environ.update(head.env)
                try:
                    ray_run = run_cli("--cubes portfolio --ray auto", path, args.timeout)
                finally:
                    os.environ.clear()
                    os.environ.update(env)
                rows.append({"instance": name, "local": local, "ray": ray_run})
                print(f"{name:8} local {local['answer']} {local['wall']:7.2f} s   ray "
                      f"{ray_run['answer']} {ray_run['wall']:7.2f} s   ray/local "
                      f"{ray_run['wall'] / local['wall']:.2f}", flush=True)
    finally:
        head.close()
    ratio = geomean([r["ray"]["wall"] / r["local"]["wall"] for r in rows])
    print(f"geomean ray / local: {ratio:.2f}", flush=True)
    return {"rows": rows, "ray_over_local": ratio}


def main(argv: Optional[list[str]] = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=("table", "project", "validate", "exchange", "ray"))
    ap.add_argument("--offer", type=int, default=100, help="clauses per worker answer (exchange)")
    ap.add_argument("--instances", default=",".join(HARD))
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--variant", action="append", default=None,
                    help="extra solve arguments to time (repeatable)")
    ap.add_argument("--ks", default="1,2,16,64")
    ap.add_argument("--modes", default="portfolio", help="portfolio,cubes")
    ap.add_argument("--cubes", type=int, default=8, help="cubes per worker (mode cubes)")
    ap.add_argument("--no-share", action="store_true")
    ap.add_argument("--round-seconds", type=float, default=None, help="default: sharing.ROUND_SECONDS")
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--probe", type=float, default=0.0,
                    help="project: seconds of one CaDiCaL first, its learnt clauses to all")
    ap.add_argument("--asynchronous", action="store_true",
                    help="project: the real driver's protocol, not lock-step rounds")
    ap.add_argument("--max-seconds", type=float, default=600.0)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--json")
    ap.add_argument("--lock", default=None,
                    help="table: hold this file's flock for each run alone")
    ap.add_argument("--with-default", action="store_true",
                    help="table: also today's default 'eagersmt solve' (first column)")
    args = ap.parse_args(argv)
    if args.variant is None:
        args.variant = list(VARIANTS)
    if args.round_seconds is None:
        from eagersmt.conquer.sharing import ROUND_SECONDS

        args.round_seconds = ROUND_SECONDS
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    result = {"table": table, "project": project, "validate": validate,
              "exchange": exchange_cost, "ray": ray_vs_local}[args.mode](args)
    result.update(mode=args.mode, started=started, ended=time.strftime("%Y-%m-%d %H:%M:%S"),
                  argv=sys.argv[1:])
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
