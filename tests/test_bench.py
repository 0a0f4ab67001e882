"""``eagersmt bench``: runs, limits, answer checks, PAR-2 / VBS arithmetic, report and plot."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eagersmt.bench.instances import from_manifest, from_paths
from eagersmt.bench.plot import cactus
from eagersmt.bench.report import VBS, Row, check, read_csv, summarize, to_markdown
from eagersmt.bench.runner import Limits, run_one
from eagersmt.bench.solvers import SolverSpec, parse_solver

from .conftest import BENCH

PNG = b"\x89PNG\r\n\x1a\n"
INSTANCES = {  # path under the shared benchmarks -> known answer
    "fuzzsmt_yices/1b694516.smt2": "unsat",
    "fuzzsmt_yices/3e5e2e59.smt2": "sat",
    "jobshop_classic/jobshop_ft06_b54.smt2": "unsat",
    "jobshop_classic/jobshop_ft06_b55.smt2": "sat",
}


def bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eagersmt.cli.main", "bench", *args],
                          capture_output=True, text=True, timeout=300)


def write_manifest(tmp_path: Path, paths: dict[str, str]) -> Path:
    """A manifest in tmp_path: the last instance copied next to it (a relative path), the
    others by absolute path."""
    rows = []
    for i, (rel, status) in enumerate(paths.items()):
        src = BENCH / rel
        if i == len(paths) - 1:
            (tmp_path / "inst").mkdir(exist_ok=True)
            shutil.copy(src, tmp_path / "inst" / src.name)
            where = f"inst/{src.name}"
        else:
            where = str(src)
        rows.append(f"{where}\tQF_IDL\t{rel.split('/')[0]}\t{status}\n")
    m = tmp_path / "MANIFEST.tsv"
    m.write_text("path\tlogic\tfamily\tstatus\n" + "".join(rows))
    return m


def test_bench_end_to_end(tmp_path, bench_dir):
    manifest = write_manifest(tmp_path, INSTANCES)
    out = tmp_path / "out"
    p = bench("--manifest", str(manifest), "--solver", "eagersmt", "--solver", "z3",
              "--solver", "cadical-cnf", "--timeout", "30", "--out", str(out))
    assert p.returncode == 0, p.stderr
    with open(out / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["instance", "family", "expected", "solver", "answer", "seconds",
                             "check", "note", "parse_s", "encode_s", "clauses", "bytes"]
    names = [r["instance"] for r in rows]
    expected = {n: s for n, s in zip(
        [str(BENCH / k) for k in list(INSTANCES)[:-1]] + ["inst/jobshop_ft06_b55.smt2"],
        INSTANCES.values())}
    assert sorted((r["instance"], r["solver"]) for r in rows) == sorted(
        (n, s) for n in expected for s in ("eagersmt", "z3", "cadical-cnf"))
    for r in rows:
        assert r["expected"] == expected[r["instance"]]
        assert (r["answer"], r["check"]) == (expected[r["instance"]], "correct"), r
        assert 0 <= float(r["seconds"]) < 30
    assert {r["family"] for r in rows} == {"fuzzsmt_yices", "jobshop_classic"}
    assert "vars" in next(r for r in rows if r["solver"] == "cadical-cnf")["note"]
    assert len(set(names)) == 4
    for r in rows:  # front-end columns: eagersmt rows only, from its --stats
        if r["solver"] == "eagersmt":
            assert 0 < float(r["parse_s"]) < float(r["seconds"]), r
            assert float(r["encode_s"]) >= 0 and int(r["bytes"]) > 100
            assert int(r["clauses"]) > 0 or "1b694516" in r["instance"]  # decided in presolve
        else:
            assert r["parse_s"] == "nan" and r["clauses"] == "0"

    md = (out / "summary.md").read_text()
    for solver in ("eagersmt", "z3", "cadical-cnf", VBS):
        assert f"| {solver} | 4/4 | 2 | 2 |" in md  # solved, sat, unsat
    assert "PAR-2" in md and "## Per family" in md and "| fuzzsmt_yices | 2 |" in md
    assert "WRONG ANSWERS" not in md
    assert "## Front end" in md and "| eagersmt | 0 | - |" in md  # no run over 1 s here
    assert "Solved and PAR-2" in p.stdout and "cadical-cnf" in p.stdout

    png = (out / "cactus.png").read_bytes()
    assert png[:8] == PNG and len(png) > 5000
    labels = cactus(read_csv(str(out / "results.csv")), 30, str(tmp_path / "again.png"),
                    ["eagersmt", "z3", "cadical-cnf"])
    assert labels == ["eagersmt", "z3", "cadical-cnf", VBS]


def test_wrong_answer_is_flagged_and_exits_5(tmp_path, bench_dir):
    manifest = write_manifest(tmp_path, {"jobshop_classic/jobshop_ft06_b54.smt2": "unsat",
                                         "jobshop_classic/jobshop_ft06_b55.smt2": "sat"})
    out = tmp_path / "out"
    p = bench("--manifest", str(manifest), "--solver", "cmd:liar=sh -c 'echo sat' {file}",
              "--solver", "z3", "--timeout", "20", "--out", str(out))
    assert p.returncode == 5, p.stderr  # (cli/errors.py: EXIT_WRONG)
    assert "WRONG ANSWER" in p.stderr and "WRONG ANSWERS (1)" in p.stdout
    rows = read_csv(str(out / "results.csv"))
    liar = {Path(r.instance).name: r for r in rows if r.solver == "liar"}
    assert liar["jobshop_ft06_b54.smt2"].check == "wrong"
    assert liar["jobshop_ft06_b55.smt2"].check == "correct"
    md = (out / "summary.md").read_text()
    assert md.index("## WRONG ANSWERS (1)") < md.index("## Solved")
    assert "| liar | 1/2 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |" in md
    assert "| z3 | 2/2 |" in md


def R(inst: str, solver: str, answer: str, secs: float, expected: str, fam: str = "f") -> Row:
    return Row(inst, fam, expected, solver, answer, secs, check(answer, expected))


def test_par2_and_virtual_best_by_hand():
    rows = [
        R("i1", "A", "sat", 1.0, "sat"), R("i2", "A", "timeout", 10.2, "sat"),
        R("i3", "A", "unsat", 3.0, "unsat", "g"),
        R("i1", "B", "sat", 2.0, "sat"), R("i2", "B", "sat", 4.0, "sat"),
        R("i3", "B", "sat", 0.5, "unsat", "g"),          # wrong: unsolved, not the VBS pick
        R("i1", "C", "sat", 11.0, "sat"),                # past the limit: unsolved
        R("i2", "C", "error", 0.1, "sat"), R("i3", "C", "unknown", 0.2, "unsat", "g"),
    ]
    s = summarize(rows, 10.0, ["A", "B", "C"])
    a, b, c, v = (s.totals[x] for x in ("A", "B", "C", VBS))
    assert (a.solved, a.sat, a.unsat, a.timeout, a.par2) == (2, 1, 1, 1, 1 + 20 + 3)
    assert (b.solved, b.wrong, b.par2) == (2, 1, 2 + 4 + 20)
    assert (c.solved, c.error, c.unknown, c.par2) == (0, 1, 2, 60)
    assert (v.solved, v.par2) == (3, 1 + 4 + 3)
    assert {i: r.solver for i, r in s.vbs.items()} == {"i1": "A", "i2": "B", "i3": "A"}
    assert (a.unique, b.unique, a.fastest, b.fastest, c.fastest) == (1, 1, 2, 1, 0)
    assert [(r.solver, r.instance) for r in s.wrong] == [("B", "i3")]
    assert s.by_family["g"]["A"].solved == 1 and s.by_family["g"]["B"].par2 == 20
    assert s.by_family["f"][VBS].par2 == 5
    md = to_markdown(s)
    assert md.index("WRONG ANSWERS") < md.index("## Solved")
    assert "| A | 2/3 | 1 | 1 | 1 | 0 | 0 | 0 | 0 | 24.00 |" in md


def test_disagreement_without_known_answer_is_listed():
    s = summarize([R("i", "A", "sat", 1, "unknown"), R("i", "B", "unsat", 1, "unknown")], 5)
    assert s.disagreements == {"i": {"sat": ["A"], "unsat": ["B"]}}
    assert "Disagreements" in to_markdown(s)


def _inst(tmp_path: Path, status: str = "sat"):
    f = tmp_path / "x.smt2"
    f.write_text(f"(set-info :status {status})(declare-const x Int)(assert (< x 0))(check-sat)")
    return from_paths([str(f)])[0]


def test_timeout_kills_the_whole_process_group(tmp_path):
    pidfile = tmp_path / "pid"
    spec = parse_solver(f"cmd:slow=sh -c 'sleep 60 & echo $! > {pidfile}; wait; echo sat' {{file}}")
    t0 = time.perf_counter()
    row = run_one(spec, _inst(tmp_path), Limits(1.0))
    assert row.answer == "timeout" and row.check == "unknown"
    assert row.seconds >= 1.0 and row.seconds < 5 and time.perf_counter() - t0 < 5
    pid = int(pidfile.read_text())
    for _ in range(50):  # the background sleep is gone (or a zombie about to be reaped)
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except FileNotFoundError:
            break
        if state == "Z":
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"process {pid} survived the timeout")


def test_memory_limit_gives_memout(tmp_path):
    spec = SolverSpec("hog", "smt", (sys.executable, "-c", "x = bytearray(2_000_000_000)",
                                     "{file}"))
    row = run_one(spec, _inst(tmp_path), Limits(20.0, memory_mb=500))
    assert row.answer == "memout", row


def test_eagersmt_failure_exit_is_an_error_not_an_answer(tmp_path):
    # what `eagersmt solve` does when a model fails its check: message on stderr, exit 2
    script = "echo sat; echo 'internal error: model check failed' >&2; exit 2"
    spec = SolverSpec("eagersmt", "eagersmt", ("sh", "-c", script, "{file}"), strict_exit=True)
    row = run_one(spec, _inst(tmp_path), Limits(10.0))
    assert (row.answer, row.check) == ("error", "error")
    assert "exit 2: internal error: model check failed" in row.note


def test_instances_from_folders_and_manifest(tmp_path):
    for fam, name, status in (("a", "1.smt2", "sat"), ("a", "2.smt2", "unsat"), ("b", "3.smt2", None)):
        (tmp_path / "root" / fam).mkdir(parents=True, exist_ok=True)
        head = f"(set-info :status {status})\n" if status else ""
        (tmp_path / "root" / fam / name).write_text(head + "(check-sat)\n")
    found = from_paths([str(tmp_path / "root")])
    assert [(Path(i.name).name, i.family, i.expected) for i in found] == [
        ("1.smt2", "a", "sat"), ("2.smt2", "a", "unsat"), ("3.smt2", "b", "unknown")]
    assert [i.family for i in from_paths([str(tmp_path / "root")], ["b"])] == ["b"]
    m = tmp_path / "root" / "M.tsv"
    m.write_text("path\tfamily\tstatus\na/1.smt2\tfa\tunsat\nb/3.smt2\tfb\tsat\n")
    rows = from_manifest(m, ["fa"])
    assert [(r.name, r.family, r.expected, r.path.exists()) for r in rows] == [
        ("a/1.smt2", "fa", "unsat", True)]


def test_solver_names():
    assert parse_solver("eagersmt:order:kissat").command("F")[-5:] == [
        "F", "--encoding", "order", "--backend", "kissat"]
    assert parse_solver("cadical-cnf:sd").encoding == "sd"
    assert parse_solver("cmd:mine=/bin/solver -q").command("F") == ["/bin/solver", "-q", "F"]
    for bad in ("eagersmt:nope", "eagersmt:sd:nope", "cmd:x", "mathsat", "z3:sd"):
        with pytest.raises(ValueError):
            parse_solver(bad)
    p = bench(os.devnull, "--solver", "mathsat")
    assert p.returncode == 2 and "unknown solver" in p.stderr


def test_front_end_share_by_hand():
    from eagersmt.bench.report import front_end_table

    def r(inst: str, secs: float, parse: float, enc: float) -> Row:
        row = Row(inst, "f", "sat", "eagersmt", "sat", secs, "correct")
        row.parse_s, row.encode_s, row.clauses, row.bytes = parse, enc, 1_000_000, 2_000_000
        return row

    rows = [r("a", 10.0, 0.5, 0.5), r("b", 2.0, 0.2, 0.4), r("c", 0.5, 0.1, 0.1),
            Row("a", "f", "sat", "z3", "sat", 1.5, "correct")]
    head, table = front_end_table(rows)
    assert table == [["eagersmt", "2", "20.0%", "30.0% (b)", "10.00", "2,500,000"]]
