"""The lemma store outside the pipeline: a warm re-query vs a cold solve, and the store's
own cost when nothing applies.

``hit`` (per instance, in one run):

* ``cold_s``: ``eagersmt.api.solve_file`` (default options), what a query costs today;
* ``proof_s``: the same with a certificate (``Config(proof=DIR)``: what a run that stores an
  unsat answer solves with), ``put_s``: recording the answer (packing the certificate);
* ``warm_s``: the whole-answer path of a repeated query: parse -> normalize -> keys ->
  lookup (-> model_for and check_model for sat), best of ``--repeat``;
* ``speed-up`` = cold_s / warm_s; with ``--verify`` also ``verify_s``: re-checking the
  stored certificate (``memo.verify_entry``: check-proof's checker).

``miss`` (every instance of the manifest): ``cold_s`` as above, and what the store adds to
a query it has nothing for: keys from ``Normalized.forms`` + ``lookup`` + ``applicable``
(``miss_s``), and recording the answer afterwards (``put_s``: a model, or a certificate
from a ``--proof`` run, whose extra solve time is reported apart as ``proof_extra_s``).
The store is the same across instances (entries accumulate) and starts with
``--cubes N`` unrelated refutations in its index.

Usage (timed: under ``flock -x /work/cpu.lock``)::

    python benchmarks/bench_memo.py hit FILE... [--repeat 5] [--verify] [--memo PATH|URL]
    python benchmarks/bench_memo.py miss [--timeout 60] [--cubes 200] [--memo PATH|URL]

Prints Markdown tables (``benchmarks/RESULTS.md``, "Lemma store").
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BENCH = Path(os.environ.get("EAGERSMT_SHARED", REPO.parent / "shared")) / "benchmarks"

from eagersmt.api import solve_file  # noqa: E402
from eagersmt.check.model import check_model  # noqa: E402
from eagersmt.config import Config  # noqa: E402
from eagersmt.ir.normalize import normalize  # noqa: E402
from eagersmt.memo import Atom, model_for, open_store, query_keys, record_cube, verify_entry  # noqa: E402
from eagersmt.result import Status  # noqa: E402
from eagersmt.smtlib.parser import parse, parse_file  # noqa: E402


def _private_key_dir() -> None:
    if "EAGERSMT_MEMO_KEY" not in os.environ and "EAGERSMT_MEMO_KEY_FILE" not in os.environ:
        os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="bench-memo-cfg-")


def _store(location: str | None):  # type: ignore[no-untyped-def]
    return open_store(location or os.path.join(tempfile.mkdtemp(prefix="bench-memo-"), "memo.sqlite"))


def cold_and_record(store, path: Path, timeout: float | None) -> dict:  # type: ignore[no-untyped-def]
    """Solve ``path`` plainly, then with a certificate, and record the answer."""
    row: dict = {}
    cfg = Config(timeout=timeout)
    t0 = time.perf_counter()
    r = solve_file(str(path), config=cfg)
    row["cold_s"] = time.perf_counter() - t0
    row["answer"] = str(r.status)
    script = parse_file(str(path))
    norm = normalize(script.assertions)
    qk = query_keys(script.assertions, script.logic, forms=norm.forms)
    if r.status == Status.SAT:
        t0 = time.perf_counter()
        store.put_sat(qk, r.model)
        row["put_s"] = time.perf_counter() - t0
    elif r.status == Status.UNSAT:
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            rp = solve_file(str(path), config=Config(timeout=timeout, proof=d))
            row["proof_s"] = time.perf_counter() - t0
            if rp.status == Status.UNSAT:
                t0 = time.perf_counter()
                store.put_unsat(qk, d, script.source)
                row["put_s"] = time.perf_counter() - t0
                row["cert_MB"] = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)) / 1e6
    return row


def warm(store, path: Path) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    script = parse_file(str(path))
    norm = normalize(script.assertions)
    qk = query_keys(script.assertions, script.logic, forms=norm.forms)
    hit = store.lookup(qk)
    if hit is not None and hit.status == Status.SAT:
        check_model(script.assertions, model_for(hit, script.declarations))
    return time.perf_counter() - t0, hit


def cmd_hit(args: argparse.Namespace) -> None:
    store = _store(args.memo)
    rows = []
    for path in args.files:
        row = {"instance": f"{path.parent.name}/{path.name}"}
        row.update(cold_and_record(store, path, args.timeout))
        times, hit = [], None
        for _ in range(args.repeat):
            s, hit = warm(store, path)
            times.append(s)
        row["warm_s"] = min(times)
        row["warm_median_s"] = statistics.median(times)
        row["hit"] = "none" if hit is None else str(hit.status)  # type: ignore[attr-defined]
        row["speedup"] = row["cold_s"] / row["warm_s"]
        if args.verify and hit is not None:
            t0 = time.perf_counter()
            row["verdict"] = verify_entry(store, hit).split(":")[0]  # type: ignore[arg-type]
            row["verify_s"] = time.perf_counter() - t0
        rows.append(row)
        print(row, file=sys.stderr, flush=True)
    table(rows, ["instance", "answer", "cold_s", "proof_s", "put_s", "cert_MB", "warm_s",
                 "warm_median_s", "hit", "speedup", "verify_s", "verdict"])
    print(f"\nstore: {store.location}")


def seed_cubes(store, n: int) -> None:  # type: ignore[no-untyped-def]
    """``n`` unrelated refutations (random chains), so that the index is not empty."""
    rng = random.Random(16)
    names = [f"v{i}" for i in range(40)]
    head = "(set-logic QF_IDL)" + "".join(f"(declare-const {v} Int)" for v in names)
    for _ in range(n):
        a, b, c = rng.sample(names, 3)
        k = rng.randint(0, 50)
        s = parse(head + f"(assert (< {a} {b}))(assert (<= (- {b} {c}) {k}))(check-sat)")
        qk = query_keys(s.assertions, s.logic)
        record_cube(store, qk, s.assertions, [0, 1], [Atom(c, a, -k - 2)], terms=s.terms,
                    sorts={v.val: v.sort for v in s.declarations})


def cmd_miss(args: argparse.Namespace) -> None:
    store = _store(args.memo)
    seed_cubes(store, args.cubes)
    with open(BENCH / "MANIFEST.tsv") as f:
        manifest = list(csv.DictReader(f, delimiter="\t"))
    rows = []
    for m in manifest:
        path = BENCH / m["path"]
        row: dict = {"instance": m["path"]}
        script = parse_file(str(path))
        norm = normalize(script.assertions)
        t0 = time.perf_counter()
        qk = query_keys(script.assertions, script.logic, forms=norm.forms)
        t1 = time.perf_counter()
        assert store.lookup(qk) is None
        assert store.applicable(qk) == []
        t2 = time.perf_counter()
        row["keys_s"], row["lookup_s"] = t1 - t0, t2 - t1
        row["miss_s"] = t2 - t0
        row.update(cold_and_record(store, path, args.timeout))
        if "proof_s" in row:
            row["proof_extra_s"] = row["proof_s"] - row["cold_s"]
        row["miss_pct"] = 100 * row["miss_s"] / row["cold_s"]
        row["put_pct"] = 100 * row.get("put_s", 0.0) / row["cold_s"]
        rows.append(row)
        print(row, file=sys.stderr, flush=True)
    table(rows, ["instance", "answer", "cold_s", "keys_s", "lookup_s", "miss_s", "miss_pct",
                 "put_s", "put_pct", "proof_extra_s", "cert_MB"])
    cold = sum(r["cold_s"] for r in rows)
    miss = sum(r["miss_s"] for r in rows)
    put = sum(r.get("put_s", 0.0) for r in rows)
    extra = sum(r.get("proof_extra_s", 0.0) for r in rows)
    pcts = sorted(r["miss_pct"] for r in rows)
    print(f"\n{len(rows)} instances; cold {cold:.2f} s in total; miss {miss:.3f} s "
          f"({100 * miss / cold:.2f} %); per instance median {statistics.median(pcts):.2f} %, "
          f"max {pcts[-1]:.2f} %; put {put:.3f} s ({100 * put / cold:.2f} %); "
          f"proof runs' extra solve time {extra:.2f} s ({100 * extra / cold:.2f} %)")
    print(f"store: {store.location}, {store.stats()['cube']['entries']} cube entries")  # type: ignore[index]


def table(rows: list[dict], cols: list[str]) -> None:
    cols = [c for c in cols if any(c in r for r in rows)]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        cells = []
        for c in cols:
            v = r.get(c, "")
            cells.append(f"{v:.4g}" if isinstance(v, float) else str(v))
        print("| " + " | ".join(cells) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    h = sub.add_parser("hit")
    h.add_argument("files", nargs="+", type=Path)
    h.add_argument("--repeat", type=int, default=5)
    h.add_argument("--verify", action="store_true")
    h.add_argument("--timeout", type=float, default=None)
    h.add_argument("--memo", default=None)
    m = sub.add_parser("miss")
    m.add_argument("--timeout", type=float, default=60.0)
    m.add_argument("--cubes", type=int, default=200)
    m.add_argument("--memo", default=None)
    args = ap.parse_args()
    _private_key_dir()
    (cmd_hit if args.cmd == "hit" else cmd_miss)(args)


if __name__ == "__main__":
    main()
