#!/usr/bin/env python3
"""Spine benchmark (issue 2): eagersmt against Z3, cvc5 and Yices on the shared instances.

Not a test.  For each instance (default: every row of ``shared/benchmarks/MANIFEST.tsv``
whose status is sat or unsat) it records, in one run and one process at a time:

* eagersmt (``solve_file`` in a child ``python -c`` killed at ``--timeout``): answer, whether
  it matches the manifest, wall seconds of the child (interpreter start and import included),
  and from ``Result.stats``: parse / normalize+encode / solve seconds, CNF vars and clauses;
* Z3 (``z3 -T:limit FILE``), cvc5 (python API in a child; its time is measured inside the
  child, without the ``import cvc5``), Yices (``yices-smt2 --timeout``): answer and seconds.

It prints a table (rich if installed) with eagersmt/Z3 per instance and totals (solved per
solver, PAR-2), writes a CSV (``--csv``, default ``benchmarks/out/spine.csv``) and a markdown
report (``--markdown FILE``, else stdout).

``--parse-speed`` measures parser throughput instead: a ~5 MB QF_IDL text (RVpredict_12's
assertions repeated with renamed variables, and a generated job-shop text) is parsed by
eagersmt (``eagersmt.smtlib.parser.parse``), Z3 (``z3.parse_smt2_string``) and pysmt
(``SmtLibParser``), each in a fresh child process, and MB/s is reported.

    bench_spine.py --timeout 60
    bench_spine.py --family jobshop_classic --no-cvc5 --markdown out.md
    bench_spine.py --files rvpredict/RVpredict_12.smt2 --limit-z3 10
    bench_spine.py --parse-speed
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional, Sequence

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "benchmarks" / "out"
PY = sys.executable
SOLVED = ("sat", "unsat")


def shared_dir() -> Path:
    env = os.environ.get("EAGERSMT_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"


def bench_dir() -> Path:
    return shared_dir() / "benchmarks"


def _exe(name: str) -> Optional[str]:
    """An executable next to this interpreter (the venv's bin), else on PATH."""
    here = Path(PY).parent / name
    return str(here) if here.exists() else shutil.which(name)


# --------------------------------------------------------------------------- children

EAGER_CHILD = r"""
import json, sys, time, traceback
t0 = time.perf_counter()
import eagersmt
t1 = time.perf_counter()
path, enc, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
out = {"import_s": t1 - t0, "module": eagersmt.__file__}
try:
    r = eagersmt.solve_file(path, config=eagersmt.Config(encoding=enc, timeout=timeout))
    out.update(status=str(r.status), times=r.stats.times, counts=r.stats.counts,
               notes=r.stats.notes, reason=r.reason)
except BaseException as e:
    out.update(status="error", error=f"{type(e).__name__}: {e}", traceback=traceback.format_exc())
out["inproc_s"] = time.perf_counter() - t1
print("\n@@RESULT@@" + json.dumps(out, default=str), flush=True)
"""

CVC5_CHILD = r"""
import sys, time
import cvc5
t0 = time.perf_counter()
tm = cvc5.TermManager()
s = cvc5.Solver(tm)
p = cvc5.InputParser(s)
p.setFileInput(cvc5.InputLanguage.SMT_LIB_2_6, sys.argv[1])
sm = p.getSymbolManager()
answers = []
try:
    while True:
        cmd = p.nextCommand()
        if cmd.isNull():
            break
        out = cmd.invoke(s, sm)
        if out and out.strip() in ("sat", "unsat", "unknown"):
            answers.append(out.strip())
except Exception as e:
    print("@@ERROR@@ " + f"{type(e).__name__}: {e}".replace("\n", " "), flush=True)
    sys.exit(1)
print("@@ANSWER@@ " + (answers[-1] if answers else "none") + f" {time.perf_counter() - t0:.6f}",
      flush=True)
"""


# Environment of the eagersmt children: PYTHONPATH points at a snapshot with --at-commit.
EAGER_ENV: Optional[dict[str, str]] = None


def run_limited(cmd: Sequence[str], limit: float, env: Optional[dict[str, str]] = None
                ) -> tuple[Optional[int], str, str, float, bool]:
    """Run ``cmd`` in its own session; kill its process group at ``limit`` seconds.

    Returns (returncode, stdout, stderr, wall seconds, killed).
    """
    t0 = time.perf_counter()
    # a snapshot child runs in the snapshot folder: `python -c` puts the cwd first on sys.path
    cwd = SNAPSHOT if (env is not None and SNAPSHOT) else None
    proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, env=env, cwd=cwd)
    killed = False
    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        killed = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
    wall = time.perf_counter() - t0
    return proc.returncode, out or "", err or "", wall, killed


# --------------------------------------------------------------------------- records

@dataclass
class Row:
    path: str
    family: str
    logic: str
    expected: str
    bytes: int = 0
    ours: str = "-"          # sat / unsat / unknown / timeout / error
    ours_ok: str = "-"       # yes / no (wrong answer) / - (no answer or no known status)
    ours_s: float = math.nan  # wall seconds of the child process
    ours_inproc_s: float = math.nan  # solve_file inside the child
    import_s: float = math.nan
    parse_s: float = math.nan
    norm_enc_s: float = math.nan
    solve_s: float = math.nan
    vars: Optional[int] = None
    clauses: Optional[int] = None
    encodings: str = ""
    ours_error: str = ""
    z3: str = "-"
    z3_s: float = math.nan
    cvc5: str = "-"
    cvc5_s: float = math.nan
    yices: str = "-"
    yices_s: float = math.nan
    ratio_z3: float = math.nan  # ours_s / z3_s
    notes: list[str] = field(default_factory=list)


def _verdict(answer: str, expected: str) -> str:
    if answer not in SOLVED or expected not in SOLVED:
        return "-"
    return "yes" if answer == expected else "no"


def solved(answer: str, expected: str) -> bool:
    return answer in SOLVED and (expected not in SOLVED or answer == expected)


def run_eagersmt(row: Row, path: Path, *, timeout: float, encoding: str) -> None:
    rc, out, err, wall, killed = run_limited(
        [PY, "-c", EAGER_CHILD, str(path), encoding, str(timeout)], timeout, env=EAGER_ENV)
    row.ours_s = wall
    if killed:
        row.ours = "timeout"
        return
    m = re.search(r"@@RESULT@@(.*)$", out, re.M)
    if not m:
        row.ours = "error"
        tail = (err.strip().splitlines() or ["(no output)"])[-1]
        row.ours_error = f"exit {rc}: {tail}"
        return
    res = json.loads(m.group(1))
    if SNAPSHOT and not str(res.get("module", "")).startswith(SNAPSHOT):
        raise SystemExit(f"eagersmt child imported {res.get('module')}, not the snapshot {SNAPSHOT}")
    row.import_s = res.get("import_s", math.nan)
    row.ours_inproc_s = res.get("inproc_s", math.nan)
    status = res["status"]
    if status == "error":
        row.ours = "error"
        row.ours_error = res.get("error", "")
        frames = [ln.strip() for ln in res.get("traceback", "").splitlines()
                  if ln.strip().startswith("File ")]
        if frames:
            row.notes.append("raised at " + frames[-1])
        return
    times, counts = res.get("times", {}), res.get("counts", {})
    row.parse_s = times.get("parse", math.nan)
    row.norm_enc_s = times.get("normalize", 0.0) + times.get("encode", 0.0)
    row.solve_s = times.get("solve", math.nan)
    row.vars = counts.get("vars")
    row.clauses = counts.get("clauses")
    row.encodings = str(res.get("notes", {}).get("encodings", ""))
    row.ours = "timeout" if status == "unknown" and res.get("reason") == "timeout" else status
    if status == "unknown" and res.get("reason") not in ("", "timeout"):
        row.notes.append(f"unknown: {res.get('reason')}")
    row.ours_ok = _verdict(row.ours, row.expected)


def _first_answer(text: str) -> str:
    for line in text.splitlines():
        w = line.strip()
        if w in ("sat", "unsat", "unknown", "timeout"):
            return w
        if w:
            return "error"
    return "none"


def _run_executable(name: str, limit_flag: str, path: Path, limit: float) -> tuple[str, float, str]:
    """Run a solver executable (``limit_flag`` formats the whole-second limit) on ``path``."""
    exe = _exe(name)
    if exe is None:
        return "n/a", math.nan, f"{name} executable not found"
    rc, out, err, wall, killed = run_limited(
        [exe, limit_flag.format(max(1, math.ceil(limit))), str(path)], limit + 10)
    if killed:
        return "timeout", wall, ""
    ans = _first_answer(out)
    if ans == "unknown" and wall >= limit * 0.98:
        ans = "timeout"
    return ans, wall, "" if ans != "error" else (out + err).strip()[:200]


def run_z3(path: Path, limit: float) -> tuple[str, float, str]:
    return _run_executable("z3", "-T:{}", path, limit)


def run_yices(path: Path, limit: float) -> tuple[str, float, str]:
    return _run_executable("yices-smt2", "--timeout={}", path, limit)


def run_cvc5(path: Path, limit: float) -> tuple[str, float, str]:
    rc, out, err, wall, killed = run_limited([PY, "-c", CVC5_CHILD, str(path)], limit + 2)
    if killed:
        return "timeout", wall, ""
    m = re.search(r"@@ANSWER@@ (\S+) (\S+)", out)
    if m:
        secs = float(m.group(2))
        ans = m.group(1)
        if secs > limit:
            return "timeout", secs, ""
        return (ans if ans != "none" else "error"), secs, ""
    m = re.search(r"@@ERROR@@ (.*)", out)
    msg = m.group(1) if m else ((err.strip().splitlines() or ["(no output)"])[-1])
    return "error", wall, msg[:200]


# --------------------------------------------------------------------------- instances

def load_manifest() -> list[dict[str, str]]:
    path = bench_dir() / "MANIFEST.tsv"
    with open(path) as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _file_status(path: Path) -> str:
    try:
        head = path.read_text(errors="replace")[:20000]
    except OSError:
        return "unknown"
    m = re.search(r"\(set-info\s+:status\s+(sat|unsat|unknown)\s*\)", head)
    return m.group(1) if m else "unknown"


def select_rows(args: argparse.Namespace) -> list[Row]:
    bdir = bench_dir()
    manifest = load_manifest()
    by_path = {r["path"]: r for r in manifest}
    rows: list[Row] = []
    if args.files:
        for f in args.files:
            p = Path(f)
            full = p if p.is_absolute() or p.exists() else bdir / p
            full = full.resolve()
            try:
                rel = str(full.relative_to(bdir.resolve()))
            except ValueError:
                rel = str(full)
            m = by_path.get(rel)
            if m:
                rows.append(Row(rel, m["family"], m["logic"], m["status"], full.stat().st_size))
            else:
                rows.append(Row(rel, full.parent.name, "?", _file_status(full), full.stat().st_size))
        return rows
    fams = set(x for f in (args.family or []) for x in f.split(",") if x)
    for m in manifest:
        if fams and m["family"] not in fams:
            continue
        if m["status"] not in SOLVED and not args.include_unknown:
            continue
        full = bdir / m["path"]
        rows.append(Row(m["path"], m["family"], m["logic"], m["status"], full.stat().st_size))
    return rows


def _full(row: Row) -> Path:
    p = Path(row.path)
    return (p if p.is_absolute() else bench_dir() / p).resolve()


# --------------------------------------------------------------------------- summary

@dataclass
class SolverTotals:
    name: str
    limit: float
    n: int = 0
    solved: int = 0
    sat: int = 0
    unsat: int = 0
    timeout: int = 0
    unknown: int = 0
    error: int = 0
    wrong: int = 0
    par2: float = 0.0
    run: bool = True


def totals(rows: list[Row], args: argparse.Namespace) -> list[SolverTotals]:
    specs = [("eagersmt", "ours", "ours_s", args.timeout, True),
             ("z3", "z3", "z3_s", args.limit_z3, not args.no_z3),
             ("cvc5", "cvc5", "cvc5_s", args.timeout, not args.no_cvc5),
             ("yices", "yices", "yices_s", args.timeout, not args.no_yices)]
    out = []
    for name, ans_f, t_f, limit, ran in specs:
        t = SolverTotals(name, limit, run=ran)
        for r in rows:
            ans, secs = getattr(r, ans_f), getattr(r, t_f)
            t.n += 1
            if ans in SOLVED and r.expected in SOLVED and ans != r.expected:
                t.wrong += 1
                t.par2 += 2 * limit
            elif solved(ans, r.expected):
                t.solved += 1
                t.sat += ans == "sat"
                t.unsat += ans == "unsat"
                t.par2 += min(secs, limit)
            else:
                t.timeout += ans == "timeout"
                t.unknown += ans == "unknown"
                t.error += ans not in ("timeout", "unknown")
                t.par2 += 2 * limit
        out.append(t)
    return out


def ratio_summary(rows: list[Row]) -> dict[str, float]:
    both = [r for r in rows if solved(r.ours, r.expected) and solved(r.z3, r.expected)
            and r.z3_s > 0]
    if not both:
        return {"n": 0}
    ratios = [r.ours_s / r.z3_s for r in both]
    return {
        "n": len(both),
        "geomean": math.exp(sum(math.log(x) for x in ratios) / len(ratios)),
        "median": statistics.median(ratios),
        "sum_ours": sum(r.ours_s for r in both),
        "sum_z3": sum(r.z3_s for r in both),
        "sum_inproc": sum(r.ours_inproc_s for r in both if not math.isnan(r.ours_inproc_s)),
    }


FAMILY_COLUMNS = ["family", "n", "eagersmt", "z3", "cvc5", "yices", "eagersmt s", "z3 s",
                  "ours/z3 geomean", "eagersmt in-proc s"]


def family_rows(rows: list[Row]) -> list[list[str]]:
    """Per family: solved counts, seconds summed over the instances eagersmt and Z3 both solved."""
    out = []
    for fam in dict.fromkeys(r.family for r in rows):
        rs = [r for r in rows if r.family == fam]
        both = [r for r in rs if solved(r.ours, r.expected) and solved(r.z3, r.expected) and r.z3_s > 0]
        gm = (math.exp(sum(math.log(r.ours_s / r.z3_s) for r in both) / len(both))
              if both else math.nan)
        out.append([fam, str(len(rs))]
                    + [str(sum(solved(getattr(r, a), r.expected) for r in rs))
                       for a in ("ours", "z3", "cvc5", "yices")]
                    + [_f(sum(r.ours_s for r in both)), _f(sum(r.z3_s for r in both)), _f(gm, 1),
                       _f(sum(r.ours_inproc_s for r in both))])
    return out


def _f(x: float, nd: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{nd}f}"


def _short(path: str) -> str:
    return Path(path).stem


COLUMNS = ["instance", "exp", "ours", "ours s", "parse", "norm+enc", "solve", "vars",
           "clauses", "z3", "z3 s", "ours/z3", "cvc5", "cvc5 s", "yices", "yices s"]


def table_rows(rows: list[Row]) -> list[list[str]]:
    out = []
    for r in rows:
        ours = r.ours + ("(WRONG)" if r.ours_ok == "no" else "")
        out.append([
            _short(r.path), r.expected, ours, _f(r.ours_s), _f(r.parse_s, 3), _f(r.norm_enc_s, 3),
            _f(r.solve_s, 3), str(r.vars) if r.vars is not None else "-",
            str(r.clauses) if r.clauses is not None else "-",
            r.z3 + ("(WRONG)" if _verdict(r.z3, r.expected) == "no" else ""), _f(r.z3_s),
            _f(r.ratio_z3, 1),
            r.cvc5 + ("(WRONG)" if _verdict(r.cvc5, r.expected) == "no" else ""), _f(r.cvc5_s),
            r.yices + ("(WRONG)" if _verdict(r.yices, r.expected) == "no" else ""), _f(r.yices_s),
        ])
    return out


def totals_rows(tots: list[SolverTotals]) -> list[list[str]]:
    return [[t.name, f"{t.solved}/{t.n}", str(t.sat), str(t.unsat), str(t.timeout),
             str(t.unknown), str(t.error), str(t.wrong), _f(t.par2, 1), _f(t.limit, 0)]
            if t.run else [t.name, "not run"] + ["-"] * 8 for t in tots]


TOTAL_COLUMNS = ["solver", "solved", "sat", "unsat", "timeout", "unknown", "error", "wrong",
                 "PAR-2 (s)", "limit (s)"]


def markdown_table(header: list[str], body: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in body]
    return "\n".join(lines)


def print_tables(rows: list[Row], tots: list[SolverTotals], rsum: dict[str, float]) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # plain text
        for header, body in ((COLUMNS, table_rows(rows)), (TOTAL_COLUMNS, totals_rows(tots))):
            widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h)
                      for i, h in enumerate(header)]
            print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
            for b in body:
                print("  ".join(c.ljust(w) for c, w in zip(b, widths)))
            print()
        print(ratio_text(rsum))
        return
    console = Console(width=max(160, shutil.get_terminal_size().columns))
    t = Table(title="eagersmt vs Z3 / cvc5 / Yices (seconds, wall)")
    for c in COLUMNS:
        t.add_column(c, justify="left" if c in ("instance", "exp", "ours", "z3", "cvc5", "yices")
                     else "right")
    for b in table_rows(rows):
        t.add_row(*b)
    console.print(t)
    t2 = Table(title="totals")
    for c in TOTAL_COLUMNS:
        t2.add_column(c, justify="left" if c == "solver" else "right")
    for b in totals_rows(tots):
        t2.add_row(*b)
    console.print(t2)
    console.print(ratio_text(rsum))


def ratio_text(rsum: dict[str, float]) -> str:
    if not rsum.get("n"):
        return "eagersmt/Z3: no instance solved by both"
    return (f"eagersmt/Z3 on the {rsum['n']} instances both solved: geometric mean "
            f"{rsum['geomean']:.1f}x, median {rsum['median']:.1f}x; total {rsum['sum_ours']:.1f} s "
            f"(of which in-process solve_file {rsum['sum_inproc']:.1f} s) vs Z3 "
            f"{rsum['sum_z3']:.1f} s")


def environment_note() -> str:
    try:
        import z3  # noqa: F401
        z3v = z3.get_version_string()
    except Exception:
        z3v = "?"
    try:
        yv = subprocess.run([_exe("yices-smt2") or "yices-smt2", "--version"], capture_output=True,
                            text=True, timeout=10).stdout.splitlines()[0]
    except Exception:
        yv = "?"
    try:
        from importlib.metadata import version
        cv = version("cvc5")
        pv = version("python-sat")
    except Exception:
        cv = pv = "?"
    return (f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
            f"Z3 {z3v}, cvc5 {cv} (python API), {yv}, python-sat {pv}; eagersmt {git_state()}")


SNAPSHOT: str = ""        # folder holding the extracted eagersmt package (--at-commit)
SNAPSHOT_COMMIT: str = ""


def make_snapshot(rev: str, where: str) -> None:
    """Extract ``eagersmt/`` at ``rev`` with ``git archive`` (read-only) and point children at it."""
    global SNAPSHOT, SNAPSHOT_COMMIT, EAGER_ENV
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify", rev + "^{commit}"],
                            capture_output=True, text=True, check=True).stdout.strip()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", commit, "eagersmt"],
                             capture_output=True, check=True).stdout
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(archive)) as tf:
        tf.extractall(where)
    SNAPSHOT, SNAPSHOT_COMMIT = str(Path(where).resolve()), commit
    env = dict(os.environ)
    env["PYTHONPATH"] = SNAPSHOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    EAGER_ENV = env


def git_state() -> str:
    """HEAD and uncommitted files of the repository (read-only git commands)."""
    if SNAPSHOT_COMMIT:
        subject = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%s", SNAPSHOT_COMMIT],
                                 capture_output=True, text=True).stdout.strip()
        return f"at commit {SNAPSHOT_COMMIT[:7]} (\"{subject}\"; git archive snapshot, not the working tree)"
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "eagersmt"],
                               capture_output=True, text=True, timeout=10).stdout.split("\n")
        files = [ln[3:] for ln in dirty if ln.strip()]
    except Exception:
        return "(git state unknown)"
    return f"at {head}" + (f" + uncommitted changes in {', '.join(files)}" if files else "")


def markdown_report(rows: list[Row], tots: list[SolverTotals], rsum: dict[str, float],
                    args: argparse.Namespace, command: str, started: str) -> str:
    parts = [
        f"Command: `{command}`  ",
        f"Date: {started}  ",
        f"Machine: {environment_note()}  ",
        f"Encoding: `{args.encoding}`; limit {args.timeout:g} s (Z3 {args.limit_z3:g} s); "
        f"one solver process at a time.",
        "",
        markdown_table(COLUMNS, table_rows(rows)),
        "",
        markdown_table(TOTAL_COLUMNS, totals_rows(tots)),
        "",
        markdown_table(FAMILY_COLUMNS, family_rows(rows)),
        "",
        ratio_text(rsum) + ".",
        "",
        "Seconds are wall seconds; `ours s` is the eagersmt child process (interpreter start and "
        "`import eagersmt` included, about 0.1 s), `ours/z3` divides it by Z3's wall seconds; "
        "`eagersmt in-proc s` is `solve_file` alone. cvc5 is timed inside its child, without "
        "`import cvc5`. Solved = sat/unsat matching the manifest; PAR-2 counts 2 x limit for "
        "anything else. Family seconds sum over the instances both eagersmt and Z3 solved.",
    ]
    ours_notes = ["raised at", "unknown:", "disagrees:"]
    errs = [r for r in rows if r.ours == "error" or r.ours_ok == "no"
            or any(n.startswith(tuple(ours_notes)) for n in r.notes)]
    if errs:
        parts += ["", "eagersmt problems:", ""]
        for r in errs:
            mine = [n for n in r.notes if n.startswith(tuple(ours_notes))]
            what = "WRONG ANSWER " + r.ours if r.ours_ok == "no" else r.ours
            parts.append(f"* `{r.path}` (expected {r.expected}): {what} {r.ours_error} {' '.join(mine)}")
    peers = [(r, n) for r in rows for n in r.notes if n.startswith(("z3:", "cvc5:", "yices:"))]
    if peers:
        parts += ["", "Reference solver notes:", ""]
        parts += [f"* `{r.path}`: {n}" for r, n in peers]
    return "\n".join(parts) + "\n"


def write_csv(rows: list[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    names = [f for f in asdict(rows[0]).keys()] if rows else list(Row.__dataclass_fields__)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=names)
        w.writeheader()
        for r in rows:
            d = asdict(r)
            d["notes"] = "; ".join(n for n in r.notes if n)
            for k, v in d.items():
                if isinstance(v, float):
                    d[k] = "" if math.isnan(v) else f"{v:.6f}"
            w.writerow(d)


# --------------------------------------------------------------------------- parse speed

PARSE_CHILD = r"""
import io, json, sys, time
which, path, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(path).read()
if which == "eagersmt":
    from eagersmt.smtlib.parser import parse
    def run():
        return len(parse(text).assertions)
elif which == "z3":
    import z3
    def run():
        return len(z3.parse_smt2_string(text))
elif which == "pysmt":
    from pysmt.smtlib.parser import SmtLibParser
    def run():
        script = SmtLibParser().get_script(io.StringIO(text))
        return sum(1 for c in script.commands if c.name == "assert")
times = []
for _ in range(repeat):
    t0 = time.perf_counter()
    n = run()
    times.append(time.perf_counter() - t0)
mod = sys.modules.get("eagersmt")
print("@@RESULT@@" + json.dumps({"times": times, "assertions": n, "module": getattr(mod, "__file__", None)}))
"""


def _renamed_copies(body: list[str], target_bytes: int, pattern: str) -> list[str]:
    """Copies of ``body`` (declarations and assertions) with every variable suffixed ``_k``."""
    rx = re.compile(pattern)
    size = sum(len(line) + 1 for line in body)
    copies = max(1, round(target_bytes / max(1, size)))
    out: list[str] = []
    for k in range(copies):
        out.extend(rx.sub(lambda m: f"{m.group(0)}_{k}", line) for line in body)
    return out


def make_parse_text(source: str, target_mb: float) -> tuple[str, str]:
    """(text, description) of a ~``target_mb`` MB QF_IDL script without ``check-sat``."""
    target = int(target_mb * 1e6)
    if source == "rvpredict":
        src = bench_dir() / "rvpredict" / "RVpredict_12.smt2"
        lines = src.read_text().splitlines()
        body = [ln for ln in lines if ln.startswith(("(declare-fun", "(assert"))]
        text_lines = ["(set-logic QF_IDL)"] + _renamed_copies(body, target, r"\bx\d+\b")
        desc = f"{src.name} declarations+assertions repeated with renamed variables"
    elif source == "jobshop":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import gen_jobshop

        inst = gen_jobshop.load_instances()["swv11"]
        text = gen_jobshop.to_smtlib(inst, 3000)
        body = [ln for ln in text.splitlines() if ln.startswith(("(declare-fun", "(assert"))]
        text_lines = ["(set-logic QF_IDL)"] + _renamed_copies(body, target, r"\b(?:s_\d+_\d+|z)\b")
        desc = "gen_jobshop swv11 (50x10, bound 3000) repeated with renamed variables"
    else:
        raise ValueError(f"unknown parse source {source!r}")
    text = "\n".join(text_lines) + "\n"
    return text, desc


def parse_speed(args: argparse.Namespace) -> str:
    results = []
    for source in [s for s in args.parse_source.split(",") if s]:
        text, desc = make_parse_text(source, args.parse_mb)
        mb = len(text.encode()) / 1e6
        nassert = text.count("(assert ")
        with tempfile.NamedTemporaryFile("w", suffix=".smt2", delete=False) as f:
            f.write(text)
            tmp = str(Path(f.name).resolve())
        try:
            for which in ("eagersmt", "z3", "pysmt"):
                print(f"parse-speed: {source} {mb:.2f} MB with {which} ...", file=sys.stderr, flush=True)
                rc, out, err, wall, killed = run_limited(
                    [PY, "-c", PARSE_CHILD, which, tmp, str(args.parse_repeat)], args.parse_limit,
                    env=EAGER_ENV)
                m = re.search(r"@@RESULT@@(.*)", out)
                if killed or not m:
                    why = "timeout" if killed else ((err.strip().splitlines() or ["?"])[-1])[:120]
                    results.append([source, f"{mb:.2f}", which, "-", "-", "-", why])
                    continue
                res = json.loads(m.group(1))
                best, med = min(res["times"]), statistics.median(res["times"])
                ok = "" if res["assertions"] == nassert else f"assertions {res['assertions']} != {nassert}"
                results.append([source, f"{mb:.2f}", which, f"{best:.2f}", f"{mb / best:.2f}",
                                f"{mb / med:.2f}", ok or f"{res['assertions']} assertions"])
        finally:
            os.unlink(tmp)
        results.append([f"({source}: {desc})", "", "", "", "", "", ""])
    header = ["text", "MB", "parser", "best s", "MB/s (best)", "MB/s (median)", "check"]
    body = [r for r in results if r[2]]
    notes = [r[0] for r in results if not r[2]]
    md = markdown_table(header, body) + "\n\n" + "\n".join(f"* {n[1:-1]}" for n in notes) + "\n"
    md += (f"\n{args.parse_repeat} parses per parser in a fresh process, timed around the parse call "
           "only (file already read, imports done).\n")
    return md


# --------------------------------------------------------------------------- main

def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="wall limit per instance for eagersmt, cvc5, yices (default 60)")
    ap.add_argument("--limit-z3", type=float, default=None, help="Z3 limit (default --timeout)")
    ap.add_argument("--family", action="append", help="only these families (comma list, repeatable)")
    ap.add_argument("--files", nargs="+", help="these files (relative to shared/benchmarks or cwd)")
    ap.add_argument("--include-unknown", action="store_true",
                    help="also run manifest rows whose status is unknown")
    ap.add_argument("--encoding", default="auto", help="eagersmt Config.encoding (default auto)")
    ap.add_argument("--no-z3", action="store_true")
    ap.add_argument("--no-cvc5", action="store_true")
    ap.add_argument("--no-yices", action="store_true")
    ap.add_argument("--at-commit", metavar="REV",
                    help="run eagersmt as committed at REV (git archive into a temp folder, "
                         "PYTHONPATH for the children) instead of the working tree")
    ap.add_argument("--csv", default=str(OUT_DIR / "spine.csv"), help="CSV output")
    ap.add_argument("--markdown", help="write the markdown report here (default: stdout)")
    ap.add_argument("--parse-speed", action="store_true", help="measure parser MB/s instead")
    ap.add_argument("--parse-source", default="rvpredict,jobshop",
                    help="texts for --parse-speed: rvpredict, jobshop (comma list)")
    ap.add_argument("--parse-mb", type=float, default=5.0, help="size of the parse text (MB)")
    ap.add_argument("--parse-repeat", type=int, default=3)
    ap.add_argument("--parse-limit", type=float, default=900.0, help="limit per parser child (s)")
    args = ap.parse_args(argv)
    if args.limit_z3 is None:
        args.limit_z3 = args.timeout
    command = "python benchmarks/bench_spine.py " + " ".join(sys.argv[1:] if argv is None else argv)
    started = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    snapdir = None
    if args.at_commit:
        snapdir = tempfile.TemporaryDirectory(prefix="eagersmt-snapshot-")
        make_snapshot(args.at_commit, snapdir.name)
        print(f"eagersmt snapshot of {SNAPSHOT_COMMIT[:7]} in {SNAPSHOT}", file=sys.stderr)
    try:
        return _run(args, command, started)
    finally:
        if snapdir is not None:
            snapdir.cleanup()


def _run(args: argparse.Namespace, command: str, started: str) -> int:

    if args.parse_speed:
        md = (f"Command: `{command}`  \nDate: {started}  \nMachine: {environment_note()}\n\n"
              + parse_speed(args))
        if args.markdown:
            Path(args.markdown).write_text(md)
        print(md)
        return 0

    rows = select_rows(args)
    if not rows:
        print("no instances selected", file=sys.stderr)
        return 1
    for i, r in enumerate(rows, 1):
        path = _full(r)
        run_eagersmt(r, path, timeout=args.timeout, encoding=args.encoding)
        if not args.no_z3:
            r.z3, r.z3_s, note = run_z3(path, args.limit_z3)
            if note:
                r.notes.append("z3: " + note)
        if not args.no_cvc5:
            r.cvc5, r.cvc5_s, note = run_cvc5(path, args.timeout)
            if note:
                r.notes.append("cvc5: " + note)
        if not args.no_yices:
            r.yices, r.yices_s, note = run_yices(path, args.timeout)
            if note:
                r.notes.append("yices: " + note)
        if r.ours in SOLVED:
            others = {n: a for n, a in (("z3", r.z3), ("cvc5", r.cvc5), ("yices", r.yices))
                      if a in SOLVED and a != r.ours}
            if others:
                r.notes.append("disagrees: answer differs from " + ", ".join(
                    f"{n} ({a})" for n, a in others.items()))
        if solved(r.ours, r.expected) and solved(r.z3, r.expected) and r.z3_s > 0:
            r.ratio_z3 = r.ours_s / r.z3_s
        flag = " WRONG" if r.ours_ok == "no" else (f" ({r.ours_error})" if r.ours_error else "")
        print(f"[{i}/{len(rows)}] {r.path}: exp {r.expected}; eagersmt {r.ours} {_f(r.ours_s)}s{flag}; "
              f"z3 {r.z3} {_f(r.z3_s)}s; cvc5 {r.cvc5} {_f(r.cvc5_s)}s; "
              f"yices {r.yices} {_f(r.yices_s)}s", file=sys.stderr, flush=True)

    tots = totals(rows, args)
    rsum = ratio_summary(rows)
    write_csv(rows, Path(args.csv))
    print_tables(rows, tots, rsum)
    md = markdown_report(rows, tots, rsum, args, command, started)
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(md)
        print(f"markdown: {args.markdown}; csv: {args.csv}")
    else:
        print(md)
        print(f"csv: {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
