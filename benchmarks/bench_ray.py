#!/usr/bin/env python3
"""Ray conquer against the local process conquer.  Not a test.

1. Per-cube overhead: ``--cubes`` (1,000) trivial cubes (each refuted by one propagation:
   the CNF has the unit ``-1`` and every cube assumes ``1``), on ``--jobs`` workers.
   Overhead per cube = (wall - time to the first answer) / (N - 1): worker start-up,
   connection and CNF loading are left out (they are reported apart); median of 3 runs,
   with batching (the default) and with one cube per message.  Local: ``LocalConquer``;
   Ray: ``RayConquer`` in a child process already connected to a running local Ray
   (``eagersmt.tools.ray_head.RayHead``: ``--jobs`` CPUs, own ports and token).
2. A hard-ish unsat instance (``--instance``, default ``jobshop4-4-2-2-2-4-24``: ~4 s in
   one CaDiCaL call): parsed, encoded and cubed in each child (``--split`` cubes, the
   cuber's order: the same cubes every time), then conquered ``--repeat`` times, local and
   Ray alternately (the machine is shared: alternation spreads the noise over both); the
   wall time of ``solve_cubes`` only.  Once more on a private local Ray (as ``solve --ray``
   does it: ``ray.init`` and ``ray.shutdown`` included).

3. ``--pool``: the warm pool (``conquer.ray_actors``, "warm pool"): whole ``eagersmt solve
   --ray auto --cubes 4`` processes on the example (client start, ``import ray``,
   ``ray.init`` included) against the running head, ``--repeat`` rounds of: the pool
   stopped, ``EAGERSMT_POOL=0`` (actors started and killed per solve), a pooled run that
   starts the pool, a warm one; beside the default ``solve --ray auto`` (the probe decides
   the example), a local ``solve --cubes 4``, ``python -c "import ray"``, and one process
   timing the phases of a warm-pool solve (``PHASES``: imports, ``ray.init``, the conquer,
   ``ray.shutdown``); ``--pool-only`` runs just this part.

Every measured side runs in a child process in a session of its own, as the Ray head does
(with the kernel's autogroup scheduling, a session is one CPU-share group).

Prints a markdown report (``benchmarks/RESULTS.md``, "Ray"); ``--json FILE`` keeps the
numbers.

    bench_ray.py                          # 1,000 cubes, jobshop4-4-2-2-2-4-24, 3 repeats
    bench_ray.py --instance PATH --split 32 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["EAGERSMT_MEMO"] = "off"  # solving is measured, not the lemma store (bench_memo*.py)

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("EAGERSMT_SHARED", REPO.parent / "shared")) / "benchmarks"
PYTHONPATH = os.pathsep.join([str(REPO), str(REPO / "benchmarks")])  # children: bench_ray
DEFAULT_INSTANCE = SHARED / "jobshop_lsidl" / "jobshop4-4-2-2-2-4-24.smt2"

from eagersmt.tools.ray_head import RayHead  # noqa: E402  (after the sys.path line)

CHILD = """
import json, sys, time
from bench_ray import hard, overhead, trivial

mode, arg = sys.argv[1], sys.argv[2:]
out = {}
if mode == "local-overhead":
    from eagersmt.conquer.local import LocalConquer
    out = overhead(lambda: LocalConquer(jobs=int(arg[1])), int(arg[0]))
elif mode == "local-hard":
    from eagersmt.conquer.local import LocalConquer
    cnf, cubes, atoms = hard(arg[0], int(arg[1]))
    t = time.perf_counter()
    r = LocalConquer(jobs=int(arg[2]), variables=atoms).solve_cubes(cnf, cubes)
    out = {"seconds": time.perf_counter() - t, "status": str(r.status)}
elif mode == "private":  # what `solve --ray` does: start, conquer, shut down
    from eagersmt.conquer.ray_actors import RayConquer
    cnf, cubes, atoms = hard(arg[0], int(arg[1]))
    t = time.perf_counter()
    r = RayConquer("local", jobs=int(arg[2]), variables=atoms).solve_cubes(cnf, cubes)
    out = {"seconds": time.perf_counter() - t, "status": str(r.status)}
else:  # against the running cluster (RAY_ADDRESS), connected before the clock starts
    import ray
    from eagersmt.conquer.ray_actors import RayConquer
    t = time.perf_counter()
    ray.init(address="auto", log_to_driver=False, logging_level="ERROR")
    out["connect"] = time.perf_counter() - t
    if mode == "overhead":
        out.update(overhead(lambda: RayConquer("auto"), int(arg[0])))
    else:
        cnf, cubes, atoms = hard(arg[0], int(arg[1]))
        t = time.perf_counter()
        r = RayConquer("auto", variables=atoms).solve_cubes(cnf, cubes)
        out.update(seconds=time.perf_counter() - t, status=str(r.status), cubes=len(cubes))
    ray.shutdown()
print(json.dumps(out))
"""


def trivial(n: int):  # type: ignore[no-untyped-def]
    """A CNF with the unit -1 and ``n`` distinct cubes that all assume 1."""
    from eagersmt.encode.cnf import CNF

    cnf = CNF()
    cnf.new_vars(12)
    cnf.add([-1])
    cubes = [[1] + [(v if (i >> (v - 2)) & 1 else -v) for v in range(2, 12)] for i in range(n)]
    return cnf, cubes


def overhead(make, n: int, runs: int = 3) -> dict:  # type: ignore[no-untyped-def]
    """Per-cube ms (median of ``runs``), batched and one cube per message; start-up apart."""
    from eagersmt.conquer.scheduler import CubeScheduler

    out: dict = {}
    batched = CubeScheduler.max_batch
    cnf, cubes = trivial(n)
    try:
        for batch, key in ((batched, "ms"), (1, "ms_unbatched")):
            CubeScheduler.max_batch = batch
            per, start, wall = [], [], []
            for _ in range(runs):
                r = make().solve_cubes(cnf, cubes)
                assert str(r.status) == "unsat" and len(r.cube_seconds) == n
                per.append(1000 * (r.seconds - r.startup) / (n - 1))
                start.append(r.startup)
                wall.append(r.seconds)
            suffix = "" if batch > 1 else "_unbatched"
            out[key] = statistics.median(per)
            out[key + "_runs"] = per
            out["startup_s" + suffix] = statistics.median(start)
            out["wall_s" + suffix] = statistics.median(wall)
    finally:
        CubeScheduler.max_batch = batched
    return out


def hard(path: str, split: int):  # type: ignore[no-untyped-def]
    """The instance's CNF, ``split`` lookahead cubes (the cuber's order) and its atoms."""
    from eagersmt.cube.lookahead import LookaheadCuber
    from eagersmt.encode import encode
    from eagersmt.ir.normalize import normalize
    from eagersmt.smtlib.parser import parse_file

    script = parse_file(path)
    enc = encode(normalize(script.assertions))
    atoms = [p.var for p in enc.tseitin.preds]
    cs = LookaheadCuber(max_cubes=split, dynamic=False).cubes(enc.cnf, variables=atoms)
    return enc.cnf, cs.cubes, atoms


def child(head_env: dict, *args: str, code: str = CHILD) -> dict:
    # Every measured side runs in a session of its own, as the Ray head does: with the
    # kernel's autogroup scheduling a session is one CPU-share group, and on a shared
    # machine the side that shares a session with other work would be slowed.
    p = subprocess.run([sys.executable, "-c", code, *args], env=head_env, capture_output=True,
                       text=True, timeout=1800, cwd=REPO, start_new_session=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-3000:])
    return json.loads(p.stdout.strip().splitlines()[-1])



EXAMPLE = REPO / "examples" / "jobshop_3x3.smt2"


def whole(env: dict, *args: str) -> dict:
    """Wall seconds of one whole process (a session of its own, as ``child``)."""
    t = time.perf_counter()
    p = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                       timeout=600, cwd=REPO, start_new_session=True)
    return {"seconds": time.perf_counter() - t,
            "answer": p.stdout.split("\n", 1)[0].strip() if p.returncode == 0
            else f"exit {p.returncode}: {p.stderr[-300:]}"}


PHASES = """
import time
t0 = time.perf_counter()
import json, logging
from eagersmt.cli import main as _cli  # the CLI's own import, as a solve pays it
from eagersmt.compile import compile_script
from eagersmt.smtlib.parser import parse_file
t1 = time.perf_counter()
import ray
t2 = time.perf_counter()
ray.init(address="auto", log_to_driver=False, logging_level=logging.ERROR)
t3 = time.perf_counter()
from eagersmt.conquer.ray_actors import RayConquer
from eagersmt.cube import make_cuber
import sys
enc = compile_script(parse_file(sys.argv[1])).enc
cs = make_cuber(4).cubes(enc.cnf)
cubes = cs.cubes if str(cs.status) == "unknown" else [[]]  # (the whole CNF if it decided)
t4 = time.perf_counter()
r = RayConquer("auto").solve_cubes(enc.cnf, cubes)
t5 = time.perf_counter()
ray.shutdown()
t6 = time.perf_counter()
print(json.dumps({"eagersmt_import": t1 - t0, "import_ray": t2 - t1, "ray_init": t3 - t2,
                  "encode_cube": t4 - t3, "conquer": t5 - t4, "startup": r.startup,
                  "shutdown": t6 - t5, "status": str(r.status)}))
"""


def pool(head: RayHead, repeat: int) -> dict:
    """Part 3 of the module doc."""
    env = {**head.env, "EAGERSMT_MEMO": "off"}
    off = {**env, "EAGERSMT_POOL": "0"}
    cubes = ("-m", "eagersmt.cli.main", "solve", "--cubes", "4")
    ray_solve = (*cubes, "--ray", "auto", str(EXAMPLE))
    stop = ("-m", "eagersmt.cli.main", "pool", "stop")
    whole(off, *ray_solve)  # the cluster's first job: unrecorded
    out: dict = {"runs": []}
    for _ in range(repeat):
        whole(env, *stop)  # (idle pool workers hold the CPUs an unpooled solve waits for)
        out["runs"].append({
            "off": whole(off, *ray_solve),
            "first_pooled": whole(env, *ray_solve),
            "pooled": whole(env, *ray_solve),
            "default": whole(env, "-m", "eagersmt.cli.main", "solve", "--ray", "auto",
                             str(EXAMPLE)),
            "local": whole(env, *cubes, str(EXAMPLE)),
            "import_ray": whole(env, "-c", "import ray"),
            "phases": child(env, str(EXAMPLE), code=PHASES)})
    whole(env, *stop)
    return out


def pool_report(res: dict) -> None:
    p = res["pool"]
    keys = [k for k in p["runs"][0] if k != "phases"]
    med = {k: statistics.median(r[k]["seconds"] for r in p["runs"]) for k in keys}
    answers = {k: sorted({r[k]["answer"] for r in p["runs"]}) for k in keys if k != "import_ray"}
    phases = {k: statistics.median(r["phases"][k] for r in p["runs"])
              for k in p["runs"][0]["phases"] if k != "status"}
    print(f"\nWarm pool, {EXAMPLE.name}, whole processes, median of {len(p['runs'])} "
          f"(load {res['load_before']:.1f} before, {res['load_after']:.1f} after):\n")
    print("| run | wall |\n|---|---|")
    print(f"| `solve --ray auto` (the default: the probe decides, Ray is not imported) | "
          f"{med['default']:.2f} s |")
    print(f"| `solve --ray auto --cubes 4`, no pool (`EAGERSMT_POOL=0`: actors per solve) | "
          f"{med['off']:.2f} s |")
    print(f"| `solve --ray auto --cubes 4`, first pooled (starts the pool) | "
          f"{med['first_pooled']:.2f} s |")
    print(f"| `solve --ray auto --cubes 4`, warm pool | {med['pooled']:.2f} s "
          f"({med['pooled'] / med['off']:.2f}× no pool) |")
    print(f"| `solve --cubes 4`, local processes | {med['local']:.2f} s |")
    print(f"| `python -c 'import ray'` | {med['import_ray']:.2f} s |")
    print("\nWhere a warm-pool solve's time goes (one process, `--cubes 4` path), median:\n")
    print("| " + " | ".join(phases) + " |\n|" + "---|" * len(phases))
    print("| " + " | ".join(f"{v:.3f} s" for v in phases.values()) + " |")
    print(f"\nAnswers: {answers}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cubes", type=int, default=1000, help="trivial cubes (overhead part)")
    ap.add_argument("--jobs", type=int, default=2, help="workers / Ray CPUs")
    ap.add_argument("--instance", default=str(DEFAULT_INSTANCE), help="hard-ish unsat .smt2")
    ap.add_argument("--split", type=int, default=16, help="cubes of the hard instance")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-private", action="store_true", help="skip the private local Ray run")
    ap.add_argument("--json", default=None, help="also write the numbers here")
    ap.add_argument("--pool", action="store_true", help="also the warm pool (part 3)")
    ap.add_argument("--pool-only", action="store_true", help="only the warm pool (part 3)")
    a = ap.parse_args()

    res: dict = {"when": time.strftime("%Y-%m-%dT%H:%M:%S"), "cpus": os.cpu_count(),
                 "load_before": os.getloadavg()[0], "python": platform.python_version(),
                 "jobs": a.jobs}
    import ray

    res["ray"] = ray.__version__
    head = RayHead(a.jobs, object_store_mb=150, extra_env={"PYTHONPATH": PYTHONPATH})
    if a.pool_only:
        try:
            res["pool"] = pool(head, a.repeat)
        finally:
            head.close()
        res["load_after"] = os.getloadavg()[0]
        if a.json:
            Path(a.json).write_text(json.dumps(res, indent=1))
        pool_report(res)
        return
    try:
        if a.pool:
            res["pool"] = pool(head, a.repeat)
        # 1. overhead per cube
        res["overhead"] = {"n": a.cubes,
                           "local": child(head.env, "local-overhead", str(a.cubes), str(a.jobs)),
                           "ray": child(head.env, "overhead", str(a.cubes))}
        # 2. hard instance, alternating
        cubes = hard(a.instance, a.split)[1]
        runs = []
        for _ in range(a.repeat):
            lr = child(head.env, "local-hard", a.instance, str(a.split), str(a.jobs))
            r = child(head.env, "hard", a.instance, str(a.split))
            runs.append({"local_s": lr["seconds"], "local": lr["status"], "ray_s": r["seconds"],
                         "ray": r["status"], "connect_s": r["connect"]})
        res["hard"] = {"instance": a.instance, "cubes": len(cubes), "runs": runs}
    finally:
        head.close()
    if not a.no_private:  # a throw-away token: else Ray writes one to ~/.ray/auth_token
        tmp = tempfile.mkdtemp(prefix="esrb")
        (Path(tmp) / "auth_token").write_text(secrets.token_hex(32))
        env = {**os.environ, "PYTHONPATH": PYTHONPATH,
               "RAY_AUTH_TOKEN_PATH": str(Path(tmp) / "auth_token")}
        env.pop("RAY_ADDRESS", None)
        try:
            r = child(env, "private", a.instance, str(a.split), str(a.jobs))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        res["hard"]["private_s"], res["hard"]["private"] = r["seconds"], r["status"]
    res["load_after"] = os.getloadavg()[0]
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1))
    report(res)
    if "pool" in res:
        pool_report(res)


def report(res: dict) -> None:
    o, h = res["overhead"], res["hard"]
    loc = statistics.median(r["local_s"] for r in h["runs"])
    ray_ = statistics.median(r["ray_s"] for r in h["runs"])
    print(f"{res['when']}: Linux, {res['cpus']} CPUs (shared; load {res['load_before']:.1f} "
          f"before, {res['load_after']:.1f} after), Python {res['python']}, Ray {res['ray']}, "
          f"{res['jobs']} workers.\n")
    print("| measure | local processes | Ray (running local cluster) | ratio |")
    print("|---|---|---|---|")
    lo, ro, n = o["local"], o["ray"], o["n"]
    print(f"| overhead per trivial cube (batched, the default), median of 3 | {lo['ms']:.3f} ms | "
          f"{ro['ms']:.3f} ms | {ro['ms'] / max(lo['ms'], 1e-9):.1f}× |")
    print(f"| overhead per trivial cube, one cube per message | {lo['ms_unbatched']:.3f} ms "
          f"| {ro['ms_unbatched']:.3f} ms | {ro['ms_unbatched'] / max(lo['ms_unbatched'], 1e-9):.1f}× |")
    print(f"| start-up: call to first answer (workers, CNF load) | {lo['startup_s']:.2f} s | "
          f"{ro['startup_s']:.2f} s (+ ray.init to a running cluster {ro['connect']:.2f} s) | |")
    print(f"| {n} trivial cubes, wall of solve_cubes | {lo['wall_s']:.2f} s | {ro['wall_s']:.2f} s | |")
    name = Path(h["instance"]).name
    print(f"| {name}, {h['cubes']} cubes, median of {len(h['runs'])} | {loc:.2f} s | "
          f"{ray_:.2f} s | {ray_ / loc:.2f}× |")
    if "private_s" in h:
        print(f"| same, private local Ray (`--ray`: start + conquer + shutdown) | {loc:.2f} s | "
              f"{h['private_s']:.2f} s ({h['private']}) | {h['private_s'] / loc:.2f}× |")
    print("\nRuns (local s / Ray s, answers): " + "; ".join(
        f"{r['local_s']:.2f} / {r['ray_s']:.2f} ({r['local']}, {r['ray']})" for r in h["runs"]))


if __name__ == "__main__":
    main()
