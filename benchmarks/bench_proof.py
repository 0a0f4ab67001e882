"""UNSAT certificates on the shared instances: cost of writing them, time to check them.

For every instance of ``../shared/benchmarks`` whose known status is unsat (and optionally
extra files), in one run:

* ``solve_s``: ``eagersmt solve`` (default options) wall time;
* ``proof_s``: ``eagersmt solve --proof DIR`` wall time (the SAT solver logs DRAT; the CNF
  and the encoding's meaning are written);
* ``check_s``: ``eagersmt check-proof DIR FILE`` wall time, split into the encoding check
  and the DRAT replay as ``check-proof`` reports them;
* the factor ``check_s / solve_s`` and the verdict;
* ``clauses`` and ``proof_clauses``: the CNF's clauses without and with ``--proof`` (a
  linear formula gets a checkable encoding then, ``encode/linear_checkable.py``).

Usage: ``python benchmarks/bench_proof.py [--timeout 60] [--engine auto|python] [FILES...]``
(prints a Markdown table; ``--csv`` for CSV).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

os.environ["EAGERSMT_MEMO"] = "off"  # solving is measured, not the lemma store (bench_memo*.py)

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(os.environ.get("EAGERSMT_SHARED", REPO.parent / "shared")) / "benchmarks"
CLI = [sys.executable, "-m", "eagersmt.cli.main"]


def unsat_instances() -> list[Path]:
    with open(BENCH / "MANIFEST.tsv") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [BENCH / r["path"] for r in rows if r["status"] == "unsat"]


def timed(args: list[str], timeout: float) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    return time.perf_counter() - t0, p


def measure(path: Path, timeout: float, engine: str) -> dict:
    row: dict = {"instance": f"{path.parent.name}/{path.name}"}
    s, p = timed(CLI + ["solve", str(path), "--timeout", str(timeout), "--stats"], timeout + 30)
    row["answer"] = p.stdout.split("\n", 1)[0]
    row["solve_s"] = s
    row["clauses"] = _clauses(p)
    with tempfile.TemporaryDirectory() as d:
        cert = os.path.join(d, "cert")
        s, p = timed(CLI + ["solve", str(path), "--timeout", str(timeout), "--proof", cert,
                            "--stats"], timeout + 30)
        row["proof_s"] = s
        row["proof_clauses"] = _clauses(p)
        if p.stdout.split("\n", 1)[0] != "unsat":
            row["verdict"] = f"no certificate ({p.stdout.split(chr(10), 1)[0]})"
            return row
        size = lambda name: (os.path.getsize(os.path.join(cert, name)) / 1e6  # noqa: E731
                             if os.path.exists(os.path.join(cert, name)) else 0.0)
        row["cnf_MB"], row["drat_MB"] = size("formula.cnf"), size("proof.drat")
        s, p = timed(CLI + ["check-proof", cert, str(path), "--engine", engine], 20 * timeout)
        row["check_s"] = s
        row["verdict"] = p.stdout.split(":", 1)[0] if p.returncode in (0, 4) else f"exit {p.returncode}"
        for key in ("encoding_s", "drat_s"):
            m = re.search(rf"{key} ([0-9.]+)", p.stdout)
            row[key] = float(m.group(1)) if m else None
    row["factor"] = row["check_s"] / row["solve_s"] if row.get("check_s") else None
    return row


def _clauses(p: subprocess.CompletedProcess) -> Optional[int]:
    m = re.search(r"^\s*clauses\s+(\d+)", p.stdout + p.stderr, re.M)
    return int(m.group(1)) if m else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--engine", default="auto", choices=["auto", "native", "python"])
    ap.add_argument("--csv", action="store_true")
    args = ap.parse_args()
    rows = [measure(p, args.timeout, args.engine) for p in (args.files or unsat_instances())]
    cols = ["instance", "answer", "solve_s", "proof_s", "check_s", "encoding_s", "drat_s",
            "factor", "clauses", "proof_clauses", "cnf_MB", "drat_MB", "verdict"]
    if args.csv:
        w = csv.DictWriter(sys.stdout, cols)
        w.writeheader()
        w.writerows(rows)
        return
    fmt = lambda v: f"{v:.2f}" if isinstance(v, float) else ("" if v is None else str(v))  # noqa: E731
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(fmt(r.get(c)) for c in cols) + " |")
    factors = sorted(r["factor"] for r in rows if r.get("factor"))
    if factors:
        print(f"\ncheck/solve factor: median {factors[len(factors) // 2]:.2f}, max {factors[-1]:.2f} "
              f"over {len(factors)} certificates; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
