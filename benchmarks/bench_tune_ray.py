#!/usr/bin/env python3
"""``tune``'s evaluations on a two-node local Ray cluster against local processes.  Not a test.

A private head (``eagersmt.tools.ray_head.RayHead``: own ports, temp dir and token) with
``--cpus-per-node`` CPUs, and a second node joined to it (``ray start --address`` with the
same number of CPUs, its own ports and temp dir, in a session of its own; killed with its
process tree afterwards, never ``ray stop``).  The same runs (``--families`` of the
manifest, the strategy ``auto``, ``--timeout``) are made ``--repeat`` times, alternately
by local processes (``--jobs`` = both nodes' CPUs) and as Ray tasks on the cluster, each
into a fresh runs table; throughput is runs per second per CPU, from the first run's
start to the last one's end (the driver's connection to the cluster, made once, is left out and reported apart).
A second Ray pass stopped by ``--budget`` after a few runs, then resumed, checks that the
resumption makes exactly the missing runs.

    PYTHONPATH=$PWD python benchmarks/bench_tune_ray.py --families lia_pb,jobshop_lsidl
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eagersmt.tools.bench.instances import from_manifest
from eagersmt.tools.ray_head import RayHead, free_ports, kill_tree, worker_ports
from eagersmt.tune.evaluate import Task, evaluate, pending
from eagersmt.tune.runs import Runs


def second_node(head: RayHead, cpus: int) -> tuple[subprocess.Popen, str]:
    """A worker node joined to ``head`` (its own ports and temp dir), up when it counts."""
    tmp = tempfile.mkdtemp(prefix="esw", dir="/tmp")
    ports = free_ports(7)
    nm, om, agent, agent_grpc, rte, metrics, _ = ports
    wmin = worker_ports(ports)
    cmd = [str(Path(sys.executable).parent / "ray"), "start", "--address", head.address,
           "--block", "--node-ip-address", "127.0.0.1", "--num-cpus", str(cpus),
           "--node-manager-port", str(nm), "--object-manager-port", str(om),
           "--dashboard-agent-listen-port", str(agent),
           "--dashboard-agent-grpc-port", str(agent_grpc), "--runtime-env-agent-port",
           str(rte), "--metrics-export-port", str(metrics), "--min-worker-port", str(wmin),
           "--max-worker-port", str(wmin + 200), "--object-store-memory", str(100 * 2**20),
           "--temp-dir", f"{tmp}/ray", "--disable-usage-stats"]
    log = open(Path(tmp) / "node.log", "w")  # noqa: SIM115 (the process's, closed at exit)
    proc = subprocess.Popen(cmd, env={**head.env, "TMPDIR": tmp}, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True, cwd=tmp)
    probe = ("import ray; ray.init(address='auto', logging_level='ERROR'); "
             "print(len([n for n in ray.nodes() if n['Alive']]))")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        out = subprocess.run([sys.executable, "-c", probe], env=head.env, capture_output=True,
                             text=True, timeout=60).stdout.strip()
        if out == "2":
            return proc, tmp
        time.sleep(2)
    kill_tree(proc, tmp)
    raise RuntimeError("the second node did not join:\n" + (Path(tmp) / "node.log").read_text())


def timed(tasks: list[Task], db: str, **how: object) -> tuple[float, int, float]:
    """Wall seconds of ``evaluate``, the runs made, and the sum of their own seconds."""
    with Runs(db) as runs:
        t0 = time.perf_counter()
        made = evaluate(tasks, runs, **how)  # type: ignore[arg-type]
        wall = time.perf_counter() - t0
        return wall, made, sum(r.seconds for r in runs.rows(tasks[0].timeout))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--manifest", default=os.path.join(
        os.environ.get("EAGERSMT_SHARED", "../shared"), "benchmarks", "MANIFEST.tsv"))
    ap.add_argument("--families", default="lia_pb,jobshop_lsidl")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--cpus-per-node", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    insts = from_manifest(Path(args.manifest), args.families.split(","))
    tasks = [Task(i, "auto", args.timeout) for i in insts]
    cpus = 2 * args.cpus_per_node
    work = tempfile.mkdtemp(prefix="bench-tune-ray-")
    with RayHead(args.cpus_per_node, object_store_mb=100) as head:
        node, node_tmp = second_node(head, args.cpus_per_node)
        os.environ.update(head.env)
        try:
            import ray

            t0 = time.perf_counter()
            ray.init(address=head.address, logging_level="ERROR", log_to_driver=False)
            connect = time.perf_counter() - t0  # (evaluate then finds Ray connected)
            local, remote = [], []
            for r in range(args.repeat):
                local.append(timed(tasks, f"{work}/local{r}.sqlite", jobs=cpus))
                remote.append(timed(tasks, f"{work}/ray{r}.sqlite", ray=head.address))
            # an interrupted tune on the cluster: a budget that stops it, then the rest
            db = f"{work}/resume.sqlite"
            first = timed(tasks, db, ray=head.address, budget=1.0)[1]
            with Runs(db) as runs:
                left = len(pending(tasks, runs))
            second = timed(tasks, db, ray=head.address)[1]
            with Runs(db) as runs:
                rows = len(runs.rows(args.timeout))
            ray.shutdown()
        finally:
            kill_tree(node, node_tmp)
            shutil.rmtree(node_tmp, ignore_errors=True)
            shutil.rmtree(work, ignore_errors=True)
    n = len(tasks)
    print(f"{n} runs of auto ({args.families}, {args.timeout:g} s cap), {cpus} CPUs: "
          f"local --jobs {cpus} against a two-node Ray cluster ({args.cpus_per_node} CPU "
          f"each); connecting to it: {connect:.1f} s (left out)\n")
    print("| round | local s | Ray s | local runs/s/CPU | Ray runs/s/CPU | Ray / local | "
          "runs' own s, local | runs' own s, Ray |")
    print("|---|---|---|---|---|---|---|---|")
    for r, ((lt, ln, lo), (rt, rn, ro)) in enumerate(zip(local, remote)):
        assert ln == rn == n
        print(f"| {r + 1} | {lt:.1f} | {rt:.1f} | {n / lt / cpus:.3f} | {n / rt / cpus:.3f} "
              f"| {lt / rt:.2f} | {lo:.1f} | {ro:.1f} |")
    lt, rt = sum(x[0] for x in local), sum(x[0] for x in remote)
    lo, ro = sum(x[2] for x in local), sum(x[2] for x in remote)
    print(f"| all | {lt:.1f} | {rt:.1f} | {n * len(local) / lt / cpus:.3f} | "
          f"{n * len(remote) / rt / cpus:.3f} | {lt / rt:.2f} | {lo:.1f} | {ro:.1f} |")
    print(f"\nresume: the first pass (1 s budget) made {first} runs, left {left}; the second "
          f"made {second}; the table holds {rows} rows for {n} runs "
          f"({'no run repeated' if first + second == rows == n else 'MISMATCH'})")


if __name__ == "__main__":
    main()
