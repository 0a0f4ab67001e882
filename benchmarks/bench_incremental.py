#!/usr/bin/env python3
"""A 50-step push / assert / check-sat / pop session on a job shop, driven over a pipe.

The base is a job-shop file of ``../shared/benchmarks`` (its assertions, no check-sat);
then ``--steps`` steps, each ``(push 1) (assert C) (check-sat) (pop 1)`` with ``C`` drawn
from a seeded ``random.Random``: a deadline on a job's last operation, an order between two
operations of one machine, or a release time of an operation (the what-if questions of a
scheduler; about half of them unsat).  Each solver runs as a process reading standard input
(``eagersmt solve --interactive``, ``z3 -in``), and is driven as a tool drives it: write one
step, read its answer, write the next.  Times are wall-clock from the first byte written to
each answer; both solvers get the same bytes, and their answers must agree.

    python benchmarks/bench_incremental.py [--instance jobshop_la01_b666] [--steps 50]
           [--seed 1] [--repeat 3] [--eagersmt-args "--backend cadical"]

Also runs eagersmt "one-shot" (each step as its own ``solve`` of base + C, in this process)
for what the kept encoding saves.  Prints a Markdown table (``benchmarks/RESULTS.md``,
"Incremental solving").
"""

from __future__ import annotations

import argparse
import os
import random
import re
import select
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ["EAGERSMT_MEMO"] = "off"  # solving is measured, not the lemma store (bench_memo*.py)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EAGERSMT_SHARED", REPO.parent / "shared")) / "benchmarks"


def base_and_steps(path: Path, steps: int, seed: int) -> tuple[str, list[str]]:
    """The base (the file without check-sat / exit) and the asserted term of each step."""
    text = path.read_text()
    base = re.sub(r"\((check-sat|exit)\)|\(set-info :status \w+\)", "", text)
    durations: dict[str, int] = {}  # s_j_k -> minimum gap to s_j_{k+1}: its duration
    for a, b, d in re.findall(r"\(>= \(- (s_\d+_\d+) (s_\d+_\d+)\) (\d+)\)\)\n", text):
        j1, k1 = a.split("_")[1:]
        j2, k2 = b.split("_")[1:]
        if j1 == j2 and int(k1) == int(k2) + 1:
            durations[b] = int(d)
    ends = {m[0]: int(m[1]) for m in re.findall(r"\(<= \(- (s_\d+_\d+) z\) (\d+)\)", text)}
    machines = re.findall(r"\(or \(>= \(- (s_\d+_\d+) (s_\d+_\d+)\) (\d+)\) "
                          r"\(>= \(- (s_\d+_\d+) (s_\d+_\d+)\) (\d+)\)\)", text)
    rng = random.Random(seed)
    out = []
    for _ in range(steps):
        kind = rng.randrange(3)
        if kind == 0:  # finish job j earlier
            op, latest = rng.choice(sorted(ends.items()))
            out.append(f"(<= (- {op} z) {latest - rng.randint(0, latest // 5)})")
        elif kind == 1:  # one operation before another on their machine
            a, b, d, *_ = rng.choice(machines)
            out.append(f"(>= (- {a} {b}) {d})")
        else:  # an operation is released late
            op = rng.choice(sorted(durations))
            horizon = max(ends.values())
            out.append(f"(>= (- {op} z) {rng.randint(0, horizon // 2)})")
    return base, out


class Piped:
    """A solver process driven over its standard input and output."""

    def __init__(self, argv: list[str]):
        self.t0 = time.perf_counter()
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, bufsize=1)
        self.buf = ""

    def send(self, text: str) -> None:
        assert self.p.stdin is not None
        self.p.stdin.write(text)
        self.p.stdin.flush()

    def answer(self, timeout: float = 600) -> str:
        """The next non-empty output line."""
        assert self.p.stdout is not None
        fd = self.p.stdout.fileno()
        deadline = time.perf_counter() + timeout
        while "\n" not in self.buf:
            if not select.select([fd], [], [], max(0.0, deadline - time.perf_counter()))[0]:
                raise TimeoutError("no answer")
            data = os.read(fd, 1 << 16).decode()
            if not data:
                raise EOFError(self.p.stderr.read() if self.p.stderr else "")
            self.buf += data
        line, self.buf = self.buf.split("\n", 1)
        return line.strip() or self.answer(timeout)

    def close(self) -> None:
        try:
            self.send("(exit)\n")
            self.p.stdin.close()  # type: ignore[union-attr]
        except BrokenPipeError:
            pass
        self.p.wait(timeout=30)


def drive(argv: list[str], base: str, steps: list[str]) -> tuple[list[str], list[float], float]:
    """Answers, per-step seconds, and the total (from the first byte to the last answer)."""
    solver = Piped(argv)
    t0 = time.perf_counter()
    solver.send(base + "\n(echo \"base\")\n")
    assert solver.answer() in ('"base"', "base")  # the base is read (and, for z3, asserted)
    answers, times = [], []
    for c in steps:
        t = time.perf_counter()
        solver.send(f"(push 1)\n(assert {c})\n(check-sat)\n(pop 1)\n")
        answers.append(solver.answer())
        times.append(time.perf_counter() - t)
    total = time.perf_counter() - t0
    solver.close()
    return answers, times, total


def one_shot(base: str, steps: list[str]) -> tuple[list[str], float]:
    """eagersmt re-paying everything: each step is a fresh ``solve`` (in this process)."""
    from eagersmt import Config, solve_smtlib

    t0 = time.perf_counter()
    answers = [str(solve_smtlib(f"{base}\n(assert {c})\n(check-sat)",
                                config=Config(backend="cadical")).status) for c in steps]
    return answers, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--instance", default="jobshop_la01_b666")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--eagersmt-args", default="")
    ap.add_argument("--no-one-shot", action="store_true")
    args = ap.parse_args(argv)
    path = next(SHARED.glob(f"*/{args.instance}.smt2"))
    base, steps = base_and_steps(path, args.steps, args.seed)
    bindir = Path(sys.executable).parent
    solvers = {
        "eagersmt": [str(bindir / "eagersmt"), "solve", "--interactive",
                     *shlex.split(args.eagersmt_args)],
        "z3": [str(bindir / "z3") if (bindir / "z3").exists() else "z3", "-in"],
    }
    load0 = os.getloadavg()[0]
    totals: dict[str, list[float]] = {k: [] for k in solvers}
    steps_s: dict[str, list[float]] = {k: [] for k in solvers}
    answers: dict[str, list[str]] = {}
    for _ in range(args.repeat):
        for name, cmd in solvers.items():
            a, times, total = drive(cmd, base, steps)
            if name in answers and answers[name] != a:
                raise SystemExit(f"{name} answered differently in two runs")
            answers[name] = a
            totals[name].append(total)
            steps_s[name].extend(times)
    if answers["eagersmt"] != answers["z3"]:
        raise SystemExit(f"disagreement: {answers}")
    oneshot = None
    if not args.no_one_shot:
        a, oneshot = one_shot(base, steps)
        assert a == answers["z3"], "one-shot answers differ"
    load1 = os.getloadavg()[0]
    unsat = answers["z3"].count("unsat")
    print(f"{args.instance}, {args.steps} steps ({unsat} unsat), seed {args.seed}, "
          f"{args.repeat} runs, load {load0:.2f} -> {load1:.2f}\n")
    print("| solver | total s (median) | runs | step median s | step max s |")
    print("|---|---|---|---|---|")
    for name in solvers:
        runs = ", ".join(f"{t:.2f}" for t in totals[name])
        print(f"| {name} | {statistics.median(totals[name]):.2f} | {runs} | "
              f"{statistics.median(steps_s[name]):.3f} | {max(steps_s[name]):.3f} |")
    ratio = statistics.median(totals["eagersmt"]) / statistics.median(totals["z3"])
    print(f"\neagersmt / z3 (median totals): {ratio:.2f}")
    if oneshot is not None:
        print(f"eagersmt one-shot (each step a fresh solve, in process): {oneshot:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
