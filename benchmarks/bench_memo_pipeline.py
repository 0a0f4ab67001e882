#!/usr/bin/env python3
"""The lemma store in the pipeline: the ``eagersmt`` commands as a user runs them, cold vs warm.

Every figure is the wall time of one ``eagersmt`` process (start-up included), in one run:

* ``requery FILE...``: ``solve --no-memo`` (what a query costs without the store), ``solve
  --proof`` on an empty store (cold: the unsat answer is recorded with its certificate), then
  the same again on that store (warm, best of ``--repeat``), once more with ``--proof`` (the
  stored certificate written out), and with ``--check`` ``check-proof`` of that certificate;
* ``optimize NAME...``: 10×10 job shops of ``jobshop1.txt`` (``gen_jobshop.py --optimize``):
  ``optimize --no-memo``, then cold and warm on an empty store; then ``--variants`` what-if
  variants (operation ``J_K`` one unit longer, one each, ``gen_jobshop.longer``) solved
  once without the store and once with the store the two runs left, and by Z3's
  ``Optimize`` for the optima;
* ``session FILE``: the push/pop session of ``bench_incremental.py`` (same base, steps, seed)
  as a script, ``solve --stats`` without the store, then with ``--proof`` on an empty store
  (refutations recorded), then again on that store: the memo counters of every check-sat;
* ``overhead``: every instance of the manifest, ``solve --no-memo`` vs ``solve`` with a
  store (one per round, so that nothing in it applies), alternating, median of ``--repeat``.

Usage (timed: under ``flock -x /work/cpu.lock``)::

    python benchmarks/bench_memo_pipeline.py requery FILE... [--repeat 3] [--check]
    python benchmarks/bench_memo_pipeline.py optimize ft10 abz5 [--variants 10] [--z3 skip|only]
    python benchmarks/bench_memo_pipeline.py session [--instance jobshop_la01_b666]
    python benchmarks/bench_memo_pipeline.py overhead [--repeat 3] [--timeout 60]

Prints Markdown tables (``benchmarks/RESULTS.md``, "Lemma store").
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
SHARED = Path(os.environ.get("EAGERSMT_SHARED", REPO.parent / "shared")) / "benchmarks"
EAGERSMT = str(Path(sys.executable).parent / "eagersmt")


def run(*args: str, timeout: float = 3600) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    r = subprocess.run([EAGERSMT, *args], capture_output=True, text=True, timeout=timeout)
    return time.perf_counter() - t0, r


def answer(r: subprocess.CompletedProcess) -> str:
    lines = [x for x in r.stdout.splitlines() if x in ("sat", "unsat", "unknown")]
    return ",".join(lines) or f"error {r.returncode}: {r.stderr.strip()[-200:]}"


def counters(text: str) -> dict[str, float]:
    """The memo_* counters of --stats, summed over the check-sats."""
    out: dict[str, float] = {}
    for k, v in re.findall(r"^\s+(memo_\w+)\s+([0-9.]+)$", text, re.M):
        out[k] = out.get(k, 0) + float(v)
    return out


def fresh(tag: str) -> str:
    return os.path.join(tempfile.mkdtemp(prefix=f"bench-memo-{tag}-"), "memo.sqlite")


def requery(files: list[str], repeat: int, check: bool) -> None:
    print("| instance | answer | no store s | cold (--proof, recorded) s | warm s (best of "
          f"{repeat}) | speed-up | warm --proof s (certificate from the store) | speed-up |"
          " check-proof of that certificate |")
    print("|---|---|---|---|---|---|---|---|---|")
    for f in files:
        base_s, r0 = run("solve", "--no-memo", f)
        store = fresh("requery")
        d = tempfile.mkdtemp(prefix="bench-memo-cert-")
        cold_s, r1 = run("solve", "--memo", store, "--proof", d + "/cold", f)
        warm = []
        for i in range(repeat):
            s, r2 = run("solve", "--memo", store, "--stats", f)
            warm.append(s)
            assert answer(r2) == answer(r0), (answer(r2), answer(r0))
            assert "memo_answered   1" in r2.stderr, r2.stderr
        proof_s, r3 = run("solve", "--memo", store, "--proof", d + "/warm", f)
        assert answer(r3) == answer(r0)
        if answer(r0) != "unsat":
            verdict = "(sat: the stored model is checked at use)"
        elif check:
            chk_s, rc = run("check-proof", d + "/warm", f)
            verdict = (rc.stdout.strip().split(":")[0] if rc.returncode == 0
                       else f"FAILED {rc.returncode}") + f" ({chk_s:.1f} s)"
        else:
            verdict = "(not run: --check)"
        print(f"| {Path(f).stem} | {answer(r0)} | {base_s:.2f} | {cold_s:.2f} | {min(warm):.3f} | "
              f"**{base_s / min(warm):,.0f}x** | {proof_s:.3f} | {base_s / proof_s:,.0f}x | "
              f"{verdict} |", flush=True)


def z3_optimum(text: str, timeout_s: int) -> tuple[str, float]:
    import z3

    t0 = time.perf_counter()
    o = z3.Optimize()
    o.set("timeout", timeout_s * 1000)
    o.from_string(text.replace("(get-objectives)", ""))
    if o.check() != z3.sat:
        return "unknown", time.perf_counter() - t0
    m = o.model()
    return str(m.eval(z3.Int("ms") - z3.Int("z"))), time.perf_counter() - t0


def optimum(r: subprocess.CompletedProcess) -> str:
    m = re.search(r"; optimum \(- ms z\) = (-?\d+); proof", r.stdout)
    return m.group(1) if m else f"none ({r.returncode}: {r.stderr.strip()[-120:]})"


def variant_ops(inst, variants: int) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    jobs, ops = len(inst.jobs), len(inst.jobs[0])
    return [(i % jobs, (3 * i) % ops) for i in range(variants)]  # a different job each


def memo_note(text: str) -> str:
    m = re.search(r"^\s*memo\s+(.*)$", text, re.M)
    return m.group(1).strip() if m else "-"


def optimize(names: list[str], variants: int, z3_timeout: int, z3_mode: str = "after") -> None:
    """``z3_mode``: ``after`` the timed runs, ``skip`` it (timed runs only, e.g. under the
    CPU lock), ``only`` Z3 on the variants (no eagersmt run; the same variants)."""
    from gen_jobshop import load_instances, longer, to_smtlib

    insts = load_instances(SHARED / "data" / "jobshop1.txt")
    work = Path(tempfile.mkdtemp(prefix="bench-memo-opt-"))
    if z3_mode == "only":
        print("| instance | variant (job, op) | Z3 optimum | Z3 s |\n|---|---|---|---|")
        for name in names:
            for op in variant_ops(insts[name], variants):
                zv, zs = z3_optimum(to_smtlib(longer(insts[name], [op]), None), z3_timeout)
                print(f"| {name} | {op} | {zv} | {zs:.1f} |", flush=True)
        return
    print("| instance | optimum | no store s | cold s | warm s | warm speed-up (vs cold) |"
          f" {variants} variants, no store s | with the store s | speed-up | optima = Z3 |"
          " Z3 s (variants) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        inst = insts[name]
        f = work / f"{name}.smt2"
        f.write_text(to_smtlib(inst, None))
        store = fresh("opt")
        base_s, r0 = run("optimize", "--no-memo", str(f))
        cold_s, r1 = run("optimize", "--memo", store, str(f))
        warm_s, r2 = run("optimize", "--memo", store, str(f))
        assert optimum(r0) == optimum(r1) == optimum(r2), (optimum(r0), optimum(r1), optimum(r2))
        plain = memo = 0.0
        found = []
        for op in variant_ops(inst, variants):
            text = to_smtlib(longer(inst, [op]), None)
            g = work / f"{name}_longer_{op[0]}_{op[1]}.smt2"
            g.write_text(text)
            s0, v0 = run("optimize", "--no-memo", str(g))
            s1, v1 = run("optimize", "--memo", store, "--stats", str(g))
            plain, memo = plain + s0, memo + s1
            found.append((op, text, optimum(v0), optimum(v1)))
            print(f"  {name} {op}: {optimum(v0)} {s0:.2f} s / {optimum(v1)} {s1:.2f} s (applied "
                  f"{counters(v1.stderr).get('memo_applied', 0):.0f}, repaired "
                  f"{counters(v1.stderr).get('memo_repaired', 0):.0f}: {memo_note(v1.stderr)})",
                  file=sys.stderr, flush=True)
        z3_s, agree = 0.0, 0  # (after the timed runs: Z3 is the reference, not a contestant)
        for op, text, o0, o1 in found if z3_mode == "after" else ():
            zv, zs = z3_optimum(text, z3_timeout)
            z3_s += zs
            agree += o0 == o1 == zv
            print(f"  {name} {op}: Z3 {zv} {zs:.1f} s", file=sys.stderr, flush=True)
        if z3_mode != "after":
            agree = sum(o0 == o1 for _, _, o0, o1 in found)  # (Z3: the ``only`` run)
        what_if = (f"{plain:.1f} | {memo:.1f} | **{plain / memo:.2f}x** | {agree} of {variants}"
                   f"{'' if z3_mode == 'after' else ' (store = no store)'} | "
                   f"{z3_s:.0f}") if variants else "- | - | - | - | -"
        print(f"| {name} | {optimum(r0)} | {base_s:.2f} | {cold_s:.2f} | {warm_s:.2f} | "
              f"**{cold_s / warm_s:.0f}x** | {what_if} |", flush=True)


def session(instance: str, steps: int, seed: int) -> None:
    from bench_incremental import base_and_steps

    base, cs = base_and_steps(SHARED / "jobshop_classic" / f"{instance}.smt2", steps, seed)
    text = base + "".join(f"(push 1)(assert {c})(check-sat)(pop 1)" for c in cs) + "(check-sat)\n"
    f = Path(tempfile.mkdtemp(prefix="bench-memo-session-")) / f"{instance}_session.smt2"
    f.write_text(text)
    store = fresh("session")
    rows = [("no store", ("--no-memo",)),
            ("cold, --proof (records)", ("--memo", store, "--proof", str(f.parent / "cold"))),
            ("warm", ("--memo", store)),
            ("warm, --proof", ("--memo", store, "--proof", str(f.parent / "warm")))]
    print("| run | wall s | answers (unsat) | looked up | answered | applied | refused | written |")
    print("|---|---|---|---|---|---|---|---|")
    want = None
    for label, args in rows:
        s, r = run("solve", "--stats", *args, str(f))
        got = answer(r)
        want = want or got
        assert got == want, (label, got, want)
        c = counters(r.stdout + r.stderr)
        print(f"| {label} | {s:.2f} | {len(got.split(','))} ({got.split(',').count('unsat')}) | "
              + " | ".join(f"{c.get('memo_' + k, 0):.0f}" for k in
                           ("looked_up", "answered", "applied", "refused", "written")) + " |",
              flush=True)
    chk_s, rc = run("check-proof", str(f.parent / "warm"), str(f))
    print(f"\ncheck-proof of the warm --proof run: {rc.stdout.strip()[:160]} ({chk_s:.1f} s)")


def overhead(repeat: int, timeout: float) -> None:
    with open(SHARED / "MANIFEST.tsv") as fh:
        paths = [SHARED / row["path"] for row in csv.DictReader(fh, delimiter="\t")]
    stores = [fresh(f"overhead{i}") for i in range(repeat)]
    rows = []
    for p in paths:
        off, on = [], []
        for i in range(repeat):
            pair = [("off", ("--no-memo",)), ("on", ("--memo", stores[i]))]
            for label, args in (pair if i % 2 == 0 else pair[::-1]):
                s, r = run("solve", "--timeout", str(timeout), *args, str(p))
                (off if label == "off" else on).append((s, answer(r)))
        a_off, a_on = {a for _, a in off}, {a for _, a in on}
        assert a_off == a_on or "unknown" in a_off | a_on, (p, a_off, a_on)
        m_off = statistics.median(s for s, _ in off)
        m_on = statistics.median(s for s, _ in on)
        rows.append((p, m_off, m_on, a_off.pop()))
        print(f"  {p.name}: off {m_off:.3f} on {m_on:.3f} ({100 * (m_on / m_off - 1):+.1f} %)",
              file=sys.stderr, flush=True)
    t_off, t_on = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"| instances | no store s (sum of medians) | store s | store's cost |")
    print("|---|---|---|---|")
    print(f"| all {len(rows)} | {t_off:.2f} | {t_on:.2f} | **{100 * (t_on / t_off - 1):+.2f} %** |")
    for lo, hi in ((0, 0.5), (0.5, 5), (5, 1e9)):
        sel = [r for r in rows if lo <= r[1] < hi]
        if sel:
            a, b = sum(r[1] for r in sel), sum(r[2] for r in sel)
            print(f"| {len(sel)} taking {lo}-{hi if hi < 1e9 else '...'} s | {a:.2f} | {b:.2f} | "
                  f"{100 * (b / a - 1):+.2f} % (per instance median "
                  f"{statistics.median(100 * (r[2] / r[1] - 1) for r in sel):+.1f} %) |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    q = sub.add_parser("requery")
    q.add_argument("files", nargs="+")
    q.add_argument("--repeat", type=int, default=3)
    q.add_argument("--check", action="store_true", help="check-proof the warm certificate")
    o = sub.add_parser("optimize")
    o.add_argument("names", nargs="+")
    o.add_argument("--variants", type=int, default=10)
    o.add_argument("--z3-timeout", type=int, default=600)
    o.add_argument("--z3", choices=("after", "skip", "only"), default="after",
                   help="Z3's optima after the timed runs, not at all, or only them")
    s = sub.add_parser("session")
    s.add_argument("--instance", default="jobshop_la01_b666")
    s.add_argument("--steps", type=int, default=50)
    s.add_argument("--seed", type=int, default=1)
    v = sub.add_parser("overhead")
    v.add_argument("--repeat", type=int, default=3)
    v.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args(argv)
    if "EAGERSMT_MEMO_KEY" not in os.environ and "EAGERSMT_MEMO_KEY_FILE" not in os.environ:
        os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="bench-memo-cfg-")
    if a.mode == "requery":
        requery(a.files, a.repeat, a.check)
    elif a.mode == "optimize":
        optimize(a.names, a.variants, a.z3_timeout, a.z3)
    elif a.mode == "session":
        session(a.instance, a.steps, a.seed)
    else:
        overhead(a.repeat, a.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
