#!/usr/bin/env python3
"""Cube-and-conquer against one solver on hard unsat job-shop instances.  Not a test.

Two modes, both printing a markdown report (``--json FILE`` keeps the numbers):

``table`` (the default): per instance, in this order, each measured by wall clock in this
process (which runs in a session of its own: with the kernel's autogroup scheduling a
session is one CPU-share group, so the workers of a conquer compete with each other and
not with this shell):

1. the monolithic solve, CaDiCaL (the conquer's back end) and the default portfolio
   (``get_backend(..).solve(cnf)``: a forked solver process, CNF load included);
2. the cuber: ``LookaheadCuber(max_cubes=N, dynamic=False)`` on ``smt.split_space(enc,
   level)`` (``--level``, ``--cubes``);
3. ``LocalConquer(jobs=K).solve_cubes`` for K = 1 and 2 (``--jobs``), and optionally
   ``--cube-timeout`` (re-splitting) and ``--race`` (the whole problem on CaDiCaL beside a
   conquer with K - 1 workers, first answer wins: "portfolio beside cubes", done here and
   not in ``eagersmt/cluster``), ``--own-sessions`` (each worker in a session of its own)
   and ``--core-sharing`` (a prototype conquer that shares failed-assumption cores);
4. the CaDiCaL monolithic solve again (the load drifts; the reference is the mean).

Speed-up = monolithic CaDiCaL wall / (cubing + conquer wall).  Simulation: the per-cube
seconds of the K = 1 run (one worker, incremental, cuber order) list-scheduled on K
workers in cube order (each cube to the first free worker, as the conquer hands them
out); predicted wall = cubing + makespan, for K = 2, 8, 64, 1000; with ``--sim-cubes M``
a second, finer cube set (M cubes) is cubed and conquered with K = 1 for that simulation.
The "cap" column says what bounds the prediction at K = 1000: the cubing or the slowest
cube.  Also measured at the start and the end: the CPU seconds two spinning processes of
this session get in 2 s of wall, over what one gets (``capacity``): what K = 2 can gain
on this machine at that moment, whatever the cubes.

``sweep``: the decisions.  Per instance, in this process and in CPU seconds (CaDiCaL is
deterministic, so CPU time is steady under load where wall time is not): the monolithic
solve, then for each level x cube count the cubing and every cube refuted in turn by one
incremental CaDiCaL (what one conquer worker does); reports the cubes' total over the
monolithic time and the K = 2 list-scheduling prediction.

    bench_cubes.py                                   # the table, default instances
    bench_cubes.py sweep --levels smt,cnf,bounds,smt+bounds --cubes 2,4,8,16
    bench_cubes.py --instances ft10,orb05 --level bounds --cubes 8 --sim-cubes 64

Instances: the shared hard unsat ones, and ``gen_jobshop.py`` ones at optimum - 1
(generated into ``benchmarks/out/generated`` when missing); ``--instances`` takes names
(``ft10`` = the generated optimum - 1 one) or paths.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

os.environ["EAGERSMT_MEMO"] = "off"  # solving is measured, not the lemma store (bench_memo*.py)

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("EAGERSMT_SHARED", REPO.parent / "shared")) / "benchmarks"
GENERATED = REPO / "benchmarks" / "out" / "generated"

SHARED_HARD = {  # the shared unsat instances the issue names
    "orb05": "jobshop_classic/jobshop_orb05_b886.smt2",
    "abz6": "jobshop_classic/jobshop_abz6_b942.smt2",
    "la16": "jobshop_classic/jobshop_la16_b944.smt2",
    "la16_rdl": "jobshop_classic_rdl/jobshop_la16_b944_rdl.smt2",
    "js4-4": "jobshop_lsidl/jobshop4-4-2-2-2-4-24.smt2",
}
# gen_jobshop.py at optimum - 1 whose monolithic CaDiCaL took 10-30 s wall under load
# (4-13 s CPU); orb01, ft20 and la11 at optimum - 1 ran past 150 s, the other 10x10 ones
# at optimum - 1 take 0.5-3 s.
GENERATED_HARD = ("ft10", "abz5", "orb06", "orb03")
DEFAULT = ("orb05", "abz6", "la16", "la16_rdl", "js4-4") + GENERATED_HARD
SIM_K = (2, 8, 64, 1000)


# -- instances ----------------------------------------------------------------------------

def instance_path(name: str) -> Path:
    if name in SHARED_HARD:
        return SHARED / SHARED_HARD[name]
    p = Path(name)
    if p.suffix == ".smt2":
        return p
    sys.path.insert(0, str(REPO / "benchmarks"))
    from gen_jobshop import KNOWN_OPTIMA

    bound = KNOWN_OPTIMA[name] - 1
    path = GENERATED / f"jobshop_{name}_b{bound}.smt2"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "gen_jobshop.py"), name,
                        "--bound", "opt-1", "-o", str(path)], check=True)
    return path


def load(path: Path):  # type: ignore[no-untyped-def]
    from eagersmt.compile import compile_script
    from eagersmt.smtlib.parser import parse_file

    compiled = compile_script(parse_file(str(path)))
    assert compiled.enc is not None, f"{path}: {compiled.trivial}"
    return compiled.enc


def make_cubes(enc, level: str, n: int):  # type: ignore[no-untyped-def]
    """``n`` cubes at ``level``: ``LEVEL[:ORDER[:L]]``, ORDER bfs or free (the cuber's
    ``order``), L its ``ladder_candidates`` (a number or ``all``; default the cuber's)."""
    from eagersmt.cube.lookahead import LookaheadCuber
    from eagersmt.cube.smt import split_space

    parts = level.split(":")
    sp = split_space(enc, parts[0])
    order = parts[1] if len(parts) > 1 and parts[1] else "bfs"
    lc = parts[2] if len(parts) > 2 else ""
    kw = {} if not lc else {"ladder_candidates": None if lc == "all" else int(lc)}
    return LookaheadCuber(max_cubes=n, dynamic=False, order=order, **kw).cubes(
        enc.cnf, variables=sp.variables, ladders=sp.ladders)


# -- measuring ----------------------------------------------------------------------------

def load1() -> float:
    return round(os.getloadavg()[0], 2)


def timed(fn: Callable[[], Any]) -> tuple[Any, dict]:
    """``fn()`` and its wall seconds, CPU seconds (this process + reaped children), load."""
    c0, r0, t0 = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    out = fn()
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - c0 + (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return out, {"wall": round(wall, 3), "cpu": round(cpu, 3), "load": load1()}


def _spin(seconds: float, conn) -> None:  # type: ignore[no-untyped-def]
    t0, c0 = time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < seconds:
        pass
    conn.send(time.process_time() - c0)


def capacity(seconds: float = 2.0) -> float:
    """CPU seconds 2 spinning processes of this session get over what 1 gets (same wall)."""
    ctx = mp.get_context("fork")

    def run(k: int) -> float:
        pipes = [ctx.Pipe() for _ in range(k)]
        procs = [ctx.Process(target=_spin, args=(seconds, b)) for _, b in pipes]
        for p in procs:
            p.start()
        got = sum(a.recv() for a, _ in pipes)
        for p in procs:
            p.join()
        return got

    one = run(1)
    return round(run(2) / max(one, 1e-9), 2)


def list_schedule(times: Sequence[float], k: int) -> float:
    """Makespan of ``times`` handed out in order, each to the first free of ``k`` workers."""
    import heapq

    free = [0.0] * min(k, max(len(times), 1))
    for t in times:
        heapq.heappush(free, heapq.heappop(free) + t)
    return max(free)


def simulate(cubing: float, times: Sequence[float], mono: float) -> dict:
    out = {}
    for k in SIM_K:
        span = list_schedule(times, k)
        out[str(k)] = {"wall": round(cubing + span, 3), "speedup": round(mono / (cubing + span), 2),
                       "cap": "cubing" if cubing >= max(times, default=0) else "slowest cube"}
    return out


# -- the table ----------------------------------------------------------------------------

class own_sessions:
    """Inside the block, conquer workers start a session of their own (``os.setsid``), so
    each is a CPU-share group of its own, as every process is on a kernel without autogroup
    (and as Ray's workers are).  A bench-only patch of ``local._worker_main``, to measure
    what that one-line change in ``eagersmt/cluster/local.py`` would give."""

    def __enter__(self):  # type: ignore[no-untyped-def]
        import eagersmt.conquer.local as local

        self.local, self.orig = local, getattr(local, "_worker_main", None)
        if self.orig is None:
            raise RuntimeError("eagersmt.conquer.local._worker_main is gone: drop --own-sessions")
        orig = self.orig

        def worker_main(*args):  # type: ignore[no-untyped-def]
            os.setsid()  # a new session and process group, whose leader this process is
            os.setpgid = lambda *_: None  # (this child only) the worker's own setpgid(0, 0)
            orig(*args)

        local._worker_main = worker_main
        return self

    def __exit__(self, *exc):  # type: ignore[no-untyped-def]
        self.local._worker_main = self.orig


class _WholeWon(Exception):
    pass


def _whole(cnf, conn) -> None:  # type: ignore[no-untyped-def]
    from eagersmt.backends import open_solver

    os.setpgid(0, 0)
    with open_solver(cnf) as s:
        conn.send(s.solve())


def race(enc, cubes, jobs: int, timeout: Optional[float]) -> dict:  # type: ignore[no-untyped-def]
    """CaDiCaL on the whole CNF (a forked process) beside ``LocalConquer(jobs - 1)``; the
    first answer wins.  The conquer learns of the other side's answer through its progress
    callback (a few times a second), which raises: ``solve_cubes`` then kills its workers."""
    import signal

    from eagersmt.conquer.local import LocalConquer

    ctx = mp.get_context("fork")
    a, b = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_whole, args=(enc.cnf, b), daemon=True)
    p.start()
    b.close()

    def check(_progress) -> None:  # type: ignore[no-untyped-def]
        if a.poll():
            raise _WholeWon

    try:
        r = LocalConquer(jobs=max(jobs - 1, 1), progress=check).solve_cubes(
            enc.cnf, cubes, timeout=timeout)
        out = {"winner": "cubes", "status": str(r.status)}
    except _WholeWon:
        out = {"winner": "whole", "status": "sat" if a.recv() else "unsat"}
    try:
        os.killpg(p.pid, signal.SIGKILL)  # type: ignore[arg-type]
    except ProcessLookupError:
        pass
    p.join()
    return out


def _share_worker(cnf, conn) -> None:  # type: ignore[no-untyped-def]
    from eagersmt.backends import open_solver

    os.setpgid(0, 0)
    with open_solver(cnf) as s:
        conn.send(None)  # loaded
        while True:
            msg = conn.recv()
            if msg is None:
                break
            clauses, cid, cube = msg
            for cl in clauses:
                s.add_clause(cl)
            t0 = time.perf_counter()
            ok = s.solve(cube)
            core = None if ok else s.core()
            if not ok and not core and s.solve():  # an empty core must mean "unsat"
                raise AssertionError("empty core of a satisfiable formula")
            conn.send((cid, ok, list(core or []), time.perf_counter() - t0))


def core_sharing(enc, cubes, jobs: int) -> dict:  # type: ignore[no-untyped-def]
    """A prototype conquer (bench only, not ``eagersmt/cluster``) with core sharing: a
    refuted cube comes back with its failed-assumption core C (CNF and C is unsat), so
    every queued cube containing C is closed unsolved, the clause "not C" is handed to the
    other workers with their next cube, and an empty core ends the run (the CNF is unsat).
    Same cube order and one-cube-at-a-time hand-out as ``LocalConquer``."""
    import signal

    ctx = mp.get_context("fork")
    pipes, procs = [], []
    for _ in range(jobs):
        a, b = ctx.Pipe()
        p = ctx.Process(target=_share_worker, args=(enc.cnf, b), daemon=True)
        p.start()
        pipes.append(a)
        procs.append(p)
    for a in pipes:
        a.recv()
    queue = list(range(len(cubes)))
    sets = [set(c) for c in cubes]
    outbox: list[list[list[int]]] = [[] for _ in range(jobs)]
    busy: dict[int, int] = {}
    solved = pruned = 0
    status, seconds, done = "unsat", 0.0, False
    try:
        while not done:
            for w in range(jobs):
                if w not in busy and queue:
                    cid = queue.pop(0)
                    pipes[w].send((outbox[w], cid, cubes[cid]))
                    outbox[w] = []
                    busy[w] = cid
            if not busy:
                break
            for a in mp.connection.wait([pipes[w] for w in busy]):
                w = pipes.index(a)
                cid, ok, core, sec = a.recv()
                del busy[w]
                solved += 1
                seconds += sec
                if ok or not core:  # sat; or the CNF itself is unsat
                    status, done = ("sat" if ok else "unsat"), True
                    break
                cs = set(core)
                before = len(queue)
                queue = [q for q in queue if not cs <= sets[q]]
                pruned += before - len(queue)
                for o in range(jobs):
                    if o != w:
                        outbox[o].append([-lit for lit in core])
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)  # type: ignore[arg-type]
            except ProcessLookupError:
                pass
            p.join()
    return {"status": status, "solved": solved, "pruned": pruned, "cube_sum": round(seconds, 3)}


def table_instance(name: str, args: argparse.Namespace) -> dict:
    from eagersmt.backends import get_backend
    from eagersmt.conquer.local import LocalConquer

    path = instance_path(name)
    enc, t_enc = timed(lambda: load(path))
    row: dict[str, Any] = {"instance": name, "path": str(path), "vars": enc.cnf.nvars,
                           "clauses": len(enc.cnf.clauses), "encode": t_enc,
                           "capacity": capacity(1.0)}
    to = args.timeout

    def mono(backend: str) -> dict:
        r, t = timed(lambda: get_backend(backend).solve(enc.cnf, timeout=to))
        t["status"] = str(r.status)
        return t

    row["mono_cadical"] = [mono("cadical")]
    row["mono_portfolio"] = mono("portfolio")
    cs, t_cube = timed(lambda: make_cubes(enc, args.level, args.cubes))
    row["cubing"] = t_cube
    row["cubes"] = len(cs.cubes)
    row["cuber_status"] = str(cs.status)
    row["cuber_stats"] = {k: cs.stats.get(k) for k in ("nodes", "failed_literals", "ladder_branches",
                                                       "max_depth")}
    row["conquer"] = {}
    for k in args.jobs:
        r, t = timed(lambda k=k: LocalConquer(jobs=k).solve_cubes(enc.cnf, cs.cubes, timeout=to))
        t.update(status=str(r.status), cube_sum=round(sum(r.cube_seconds.values()), 3),
                 startup=round(r.startup, 3))
        if k == 1:
            row["cube_seconds"] = [round(r.cube_seconds[i], 4) for i in sorted(r.cube_seconds)]
        row["conquer"][str(k)] = t
    if args.own_sessions:
        for k in [k for k in args.jobs if k > 1]:
            with own_sessions():
                r, t = timed(lambda k=k: LocalConquer(jobs=k).solve_cubes(enc.cnf, cs.cubes, timeout=to))
            t["status"] = str(r.status)
            row.setdefault("own", {})[str(k)] = t
    if args.core_sharing:
        for k in args.jobs:
            r, t = timed(lambda k=k: core_sharing(enc, cs.cubes, k))
            t.update(r)
            row.setdefault("sharing", {})[str(k)] = t
    if args.cube_timeout:
        for k in args.jobs:
            r, t = timed(lambda k=k: LocalConquer(jobs=k, cube_timeout=args.cube_timeout).solve_cubes(
                enc.cnf, cs.cubes, timeout=to))
            t.update(status=str(r.status), resplit=r.resplit, cubes=r.cubes)
            row.setdefault("resplit", {})[str(k)] = t
    if args.race:
        k = max(args.jobs)
        r, t = timed(lambda k=k: race(enc, cs.cubes, k, to))
        t.update(r)
        row["race"] = {str(k): t}
    row["mono_cadical"].append(mono("cadical"))
    m = statistics.mean(x["wall"] for x in row["mono_cadical"])
    row["mono"] = round(m, 3)
    cube_sec = row.get("cube_seconds", [])
    row["cube_sum"] = round(sum(cube_sec), 3)
    row["cube_max"] = round(max(cube_sec, default=0.0), 3)
    row["speedup"] = {k: round(m / (t_cube["wall"] + v["wall"]), 2) for k, v in row["conquer"].items()}
    if "race" in row:
        row["speedup_race"] = {k: round(m / (t_cube["wall"] + v["wall"]), 2)
                               for k, v in row["race"].items()}
    if "sharing" in row:
        row["speedup_sharing"] = {k: round(m / (t_cube["wall"] + v["wall"]), 2)
                                  for k, v in row["sharing"].items()}
    if "own" in row:
        row["speedup_own"] = {k: round(m / (t_cube["wall"] + v["wall"]), 2) for k, v in row["own"].items()}
    if "resplit" in row:
        row["speedup_resplit"] = {k: round(m / (t_cube["wall"] + v["wall"]), 2)
                                  for k, v in row["resplit"].items()}
    row["sim"] = simulate(t_cube["wall"], cube_sec, m)
    if args.sim_cubes:
        cs2, t2 = timed(lambda: make_cubes(enc, args.level, args.sim_cubes))
        r, t = timed(lambda: LocalConquer(jobs=1).solve_cubes(enc.cnf, cs2.cubes, timeout=to))
        sec = [r.cube_seconds[i] for i in sorted(r.cube_seconds)]
        row["sim_fine"] = {"cubes": len(cs2.cubes), "cubing": t2, "conquer1": t,
                           "status": str(r.status), "cube_sum": round(sum(sec), 3),
                           "cube_max": round(max(sec, default=0.0), 3),
                           "sim": simulate(t2["wall"], sec, m)}
    return row


# -- the sweep ----------------------------------------------------------------------------

def sweep_instance(name: str, levels: Sequence[str], counts: Sequence[int]) -> dict:
    from eagersmt.backends import open_solver

    path = instance_path(name)
    enc = load(path)
    with open_solver(enc.cnf) as s:
        c0 = time.process_time()
        s.solve()
        mono = time.process_time() - c0
    row: dict[str, Any] = {"instance": name, "mono_cpu": round(mono, 3), "load": load1(), "runs": []}
    for n in counts:
        for level in levels:
            c0 = time.process_time()
            cs = make_cubes(enc, level, n)
            cubing = time.process_time() - c0
            times = []
            with open_solver(enc.cnf) as s:
                for c in cs.cubes:
                    c0 = time.process_time()
                    assert not s.solve(c), "a cube of an unsat instance is sat"
                    times.append(time.process_time() - c0)
            k2 = cubing + list_schedule(times, 2)
            row["runs"].append({"level": level, "n": n, "cubes": len(cs.cubes), "cubing": round(cubing, 3),
                                "sum": round(sum(times), 3), "sum_ratio": round(sum(times) / mono, 2),
                                "max": round(max(times, default=0.0), 3), "k2": round(k2, 3),
                                "k2_speedup": round(mono / k2, 2), "load": load1(),
                                "times": [round(t, 3) for t in times]})
            print(f"  {name} {level} n={n}: sum/mono {row['runs'][-1]['sum_ratio']}, "
                  f"K=2 {row['runs'][-1]['k2_speedup']}x", file=sys.stderr, flush=True)
    return row


def geomean(xs: Sequence[float]) -> float:
    import math

    xs = [x for x in xs if x > 0]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else float("nan")


def sweep_report(rows: list[dict], levels: Sequence[str], counts: Sequence[int]) -> str:
    out = ["| instance | mono CPU s | " + " | ".join(f"{lv} N={n}" for n in counts for lv in levels) + " |",
           "|---|---|" + "---|" * (len(levels) * len(counts))]
    for r in rows:
        cells = {(x["level"], x["n"]): x for x in r["runs"]}
        out.append(f"| {r['instance']} | {r['mono_cpu']:.2f} | " + " | ".join(
            f"{cells[lv, n]['sum_ratio']:.2f} / {cells[lv, n]['k2_speedup']:.2f}"
            for n in counts for lv in levels) + " |")
    out.append("| geomean | | " + " | ".join(
        f"{geomean([x['sum_ratio'] for r in rows for x in r['runs'] if (x['level'], x['n']) == (lv, n)]):.2f}"
        f" / {geomean([x['k2_speedup'] for r in rows for x in r['runs'] if (x['level'], x['n']) == (lv, n)]):.2f}"
        for n in counts for lv in levels) + " |")
    return "\n".join(out) + "\n\nCells: sum of the cubes' CPU seconds / monolithic CPU seconds, " \
        "then the predicted K = 2 speed-up (mono / (cubing + list-scheduled makespan)).\n"


def table_report(rows: list[dict], args: argparse.Namespace) -> str:
    ks = [str(k) for k in args.jobs]
    head = ["instance", "mono CaDiCaL s", "mono portfolio s", "cubing s", "cubes",
            "sum of cubes s"] + [f"K={k} s" for k in ks] + [f"speed-up K={k}" for k in ks]
    if len(ks) > 1:
        head.append(f"cube work K={ks[-1]} / K={ks[0]}")
    head += ["load", "capacity"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["instance"], f"{r['mono']:.2f}", f"{r['mono_portfolio']['wall']:.2f}",
                 f"{r['cubing']['wall']:.2f}", str(r["cubes"]), f"{r['cube_sum']:.2f}"]
        cells += [f"{r['conquer'][k]['wall']:.2f}" for k in ks]
        cells += [f"{r['speedup'][k]:.2f}x" for k in ks]
        if len(ks) > 1:
            a, b = r["conquer"][ks[0]]["cube_sum"], r["conquer"][ks[-1]]["cube_sum"]
            cells.append(f"{b / max(a, 1e-9):.2f}")
        loads = [x["load"] for x in r["mono_cadical"]] + [v["load"] for v in r["conquer"].values()]
        cells += [f"{min(loads):.1f}-{max(loads):.1f}", f"{r['capacity']:.2f}"]
        out.append("| " + " | ".join(cells) + " |")
    sp = {k: geomean([r["speedup"][k] for r in rows]) for k in ks}
    out.append("\nGeometric mean speed-up: " + ", ".join(f"K={k} {v:.2f}x" for k, v in sp.items()))
    for key, what in (("speedup_own", "workers in sessions of their own"),
                      ("speedup_race", "race (whole problem beside the cubes)"),
                      ("speedup_sharing", "core-sharing prototype"),
                      ("speedup_resplit", f"re-splitting (cube_timeout {args.cube_timeout})")):
        got = [r for r in rows if key in r]
        if got:
            for k in got[0][key]:
                out.append(f"* {what} K={k}: " + ", ".join(
                    f"{r['instance']} {r[key][k]:.2f}x" for r in got) +
                    f" (geomean {geomean([r[key][k] for r in got]):.2f}x)")
    out.append("\nSimulation (list scheduling of the K = 1 run's cube times; predicted speed-up "
               "over the monolithic CaDiCaL wall; the cap is what bounds K = 1000):\n")
    head = ["instance"] + [f"{args.cubes} cubes: K={k}" for k in SIM_K]
    if args.sim_cubes:
        head += [f"{args.sim_cubes} cubes: cubing s", "sum s", "slowest s"] + \
                [f"K={k}" for k in SIM_K] + ["cap at K=1000"]
    else:
        head.append("cap at K=1000")
    out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["instance"]] + [f"{r['sim'][str(k)]['speedup']:.2f}x" for k in SIM_K]
        f = r.get("sim_fine")
        if f:
            cells += [f"{f['cubing']['wall']:.2f}", f"{f['cube_sum']:.2f}", f"{f['cube_max']:.2f}"]
            cells += [f"{f['sim'][str(k)]['speedup']:.2f}x" for k in SIM_K] + [f["sim"]["1000"]["cap"]]
        elif args.sim_cubes:
            cells += [""] * (4 + len(SIM_K))
        else:
            cells.append(r["sim"]["1000"]["cap"])
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", nargs="?", default="table", choices=("table", "sweep"))
    ap.add_argument("--instances", default=",".join(DEFAULT))
    ap.add_argument("--level", default="bounds", help="cube level of the table "
                    "(LEVEL[:ORDER[:L]]: see make_cubes)")
    ap.add_argument("--cubes", default="16", help="cubes of the table (sweep: a list)")
    ap.add_argument("--levels", default="smt,cnf,bounds,smt+bounds", help="sweep: levels")
    ap.add_argument("--jobs", default="1,2", help="table: conquer workers")
    ap.add_argument("--sim-cubes", type=int, default=0, help="table: finer cube set to simulate")
    ap.add_argument("--cube-timeout", type=float, default=None, help="table: also re-splitting")
    ap.add_argument("--race", action="store_true", help="table: also whole problem beside cubes")
    ap.add_argument("--core-sharing", action="store_true",
                    help="table: also the core-sharing prototype conquer (core_sharing)")
    ap.add_argument("--own-sessions", action="store_true",
                    help="table: also K > 1 with each worker in a session of its own")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--json", help="write the numbers here")
    ap.add_argument("--no-setsid", action="store_true", help="stay in the caller's session")
    args = ap.parse_args(argv)
    if not args.no_setsid:
        try:
            os.setsid()
        except PermissionError:  # already a session leader
            pass
    names = [x for x in args.instances.split(",") if x]
    meta = {"date": time.strftime("%Y-%m-%dT%H:%M:%S"), "machine": f"{platform.system()}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}", "argv": sys.argv[1:]}
    rows = []
    if args.mode == "sweep":
        levels = args.levels.split(",")
        counts = [int(x) for x in args.cubes.split(",")]
        for name in names:
            rows.append(sweep_instance(name, levels, counts))
        report = sweep_report(rows, levels, counts)
    else:
        args.cubes = int(args.cubes)
        args.jobs = [int(x) for x in args.jobs.split(",")]
        meta["capacity_start"] = capacity()
        for name in names:
            rows.append(table_instance(name, args))
            print(f"  {name}: mono {rows[-1]['mono']:.2f} s, speed-up {rows[-1]['speedup']}",
                  file=sys.stderr, flush=True)
        meta["capacity_end"] = capacity()
        report = table_report(rows, args)
    meta["load_end"] = load1()
    head = (f"{meta['date']}: {meta['machine']}; load average {meta['load_end']} at the end"
            + (f"; 2-process CPU capacity {meta['capacity_start']}x at the start, "
               f"{meta['capacity_end']}x at the end" if "capacity_start" in meta else "") + "\n\n")
    print(head + report)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
