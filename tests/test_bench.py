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

from eagersmt.tools.bench.instances import from_manifest, from_paths
from eagersmt.tools.bench.plot import cactus
from eagersmt.tools.bench.report import (VBS, Row, check, ratio_table, read_csv, summarize,
                                         to_markdown)
from eagersmt.tools.bench.runner import Limits, run_one
from eagersmt.tools.bench.solvers import SolverSpec, parse_solver

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
                             "check", "note", "parse_s", "encode_s", "clauses", "bytes",
                             "solve_s", "vars"]
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
            if int(r["clauses"]) > 0:  # a SAT call: its time and the CNF's variables
                assert 0 <= float(r["solve_s"]) < float(r["seconds"]) and int(r["vars"]) > 0, r
        else:
            assert r["parse_s"] == "nan" and r["clauses"] == "0" and r["solve_s"] == "nan"

    md = (out / "summary.md").read_text()
    for solver in ("eagersmt", "z3", "cadical-cnf", VBS):
        assert f"| {solver} | 4/4 | 2 | 2 |" in md  # solved, sat, unsat
    assert "PAR-2" in md and "## Per family" in md and "| fuzzsmt_yices | 2 |" in md
    assert "WRONG ANSWERS" not in md
    assert "## Front end" in md and "| eagersmt | 0 | - |" in md  # no run over 1 s here
    assert "## Time ratios to z3" in md and "| eagersmt | all | 4 |" in md
    assert "| cadical-cnf | jobshop_classic | 2 |" in md
    per_instance = md[md.index("## Per instance"):]
    assert "| jobshop_ft06_b54 | unsat | unsat " in per_instance
    assert "## eagersmt stages per instance" in md
    assert "Solved and PAR-2" in p.stdout and "cadical-cnf" in p.stdout

    png = (out / "cactus.png").read_bytes()
    assert png[:8] == PNG and len(png) > 5000
    labels = cactus(read_csv(str(out / "results.csv")), 30, str(tmp_path / "again.png"),
                    ["eagersmt", "z3", "cadical-cnf"])
    assert labels == ["eagersmt", "z3", "cadical-cnf", VBS]


def test_ratio_table_by_hand():
    rows = [R("i1", "A", "sat", 2.0, "sat"), R("i2", "A", "sat", 8.0, "sat", "g"),
            R("i3", "A", "timeout", 10.0, "sat", "g"),
            R("i1", "Z", "sat", 1.0, "sat"), R("i2", "Z", "sat", 2.0, "sat", "g"),
            R("i3", "Z", "sat", 1.0, "sat", "g")]
    head, table = ratio_table(rows, 10.0, "Z", ["A", "Z"])
    assert head[3] == "geomean ×Z"
    assert table == [["A", "all", "2", "2.83", "3.00", "10.00", "3.00"],  # sqrt(2 * 4)
                     ["A", "f", "1", "2.00", "2.00", "2.00", "1.00"],
                     ["A", "g", "1", "4.00", "4.00", "8.00", "2.00"]]
    md = to_markdown(summarize(rows, 10.0, ["A", "Z"]), rows=rows, baseline="Z")
    assert "## Time ratios to Z" in md and "## Per instance" in md
    assert "| i3 | sat | timeout 10.00 | sat 1.00 |" in md


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
    from eagersmt.tools.bench.report import front_end_table

    def r(inst: str, secs: float, parse: float, enc: float) -> Row:
        row = Row(inst, "f", "sat", "eagersmt", "sat", secs, "correct")
        row.parse_s, row.encode_s, row.clauses, row.bytes = parse, enc, 1_000_000, 2_000_000
        return row

    rows = [r("a", 10.0, 0.5, 0.5), r("b", 2.0, 0.2, 0.4), r("c", 0.5, 0.1, 0.1),
            Row("a", "f", "sat", "z3", "sat", 1.5, "correct")]
    rows[0].solve_s, rows[1].solve_s = 9.0, 1.4  # c has no solve time: left out of the split
    head, table = front_end_table(rows)
    assert table == [["eagersmt", "2", "20.0%", "30.0% (b)", "10.00", "2,500,000",
                      "5.8% / 7.5% / 86.7%"]]  # (0.7, 0.9, 10.4) of 12 s


# -- reference solvers, eagersmt@REV, --parse-speed --------------------------------------------
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "jobshop_3x3.smt2"


@pytest.mark.parametrize("name", ["z3", "cvc5", "yices"])
def test_reference_solvers_answer_each_check_sat(tmp_path, name):
    from eagersmt.check import reference

    assert reference.unavailable(name) is None
    f = tmp_path / "two.smt2"
    f.write_text("(set-logic QF_IDL)(declare-fun x () Int)(declare-fun y () Int)\n"
                 "(assert (< (- x y) 0))(check-sat)\n"
                 "(assert (< (- y x) 0))(check-sat)\n")
    # yices-smt2 runs non-incremental (its IDL solver): one check-sat, then an (error ...)
    assert reference.run(name, str(f), 20) == (["sat"] if name == "yices" else ["sat", "unsat"])
    assert parse_solver(name).command(str(f)) == reference.command(name, str(f))  # bench too
    assert reference.version(name)
    bad = tmp_path / "bad.smt2"
    bad.write_text("(assert (< x 0))(check-sat)\n")  # x undeclared
    from eagersmt.errors import CrossCheckError
    if name == "cvc5":  # the others print an (error ...) line and go on
        with pytest.raises(CrossCheckError, match="cvc5 failed on .*cvc5 error"):
            reference.run(name, str(bad), 20)


def test_reference_time_limits():
    from eagersmt.check import reference

    assert reference.command("z3", "F", 2.5)[1:] == ["-T:3", "F"]
    assert reference.command("yices", "F", 60)[1:] == ["--timeout=60", "F"]
    assert reference.command("cvc5", "F", 2.5)[-2:] == ["F", "2.5"]
    assert reference.command("z3", "F")[1:] == ["F"]  # bench: no limit of its own
    with pytest.raises(ValueError):
        reference.command("mathsat", "F")


def test_eagersmt_at_a_revision_runs_the_committed_package(tmp_path):
    from eagersmt.tools.bench import snapshot

    try:
        snapshot.repository()
    except ValueError as e:
        pytest.skip(str(e))
    snaps = snapshot.Snapshots()
    try:
        spec = snaps.attach(parse_solver("eagersmt@HEAD:order"))
        assert spec.rev == "HEAD" and len(spec.commit) == 40
        assert (Path(spec.snapshot) / "eagersmt" / "__init__.py").is_file()
        env, cwd = snapshot.child_env(spec)
        assert cwd == spec.snapshot and env["PYTHONPATH"].startswith(spec.snapshot)
        assert env["EAGERSMT_MEMO"] == "off"  # no run answers from another's record
        row = run_one(spec, _inst(tmp_path, "sat"), Limits(60.0))
        assert (row.answer, row.check) == ("sat", "correct") and row.parse_s > 0
        folder = spec.snapshot
    finally:
        snaps.close()
    assert not Path(folder).exists()
    p = bench(str(EXAMPLE), "--solver", "eagersmt@no-such-revision", "--out", str(tmp_path))
    assert p.returncode == 2 and "no-such-revision" in p.stderr


def test_blow_up_repeats_the_script_with_renamed_symbols():
    from eagersmt.smtlib.parser import parse
    from eagersmt.tools.bench.parse_speed import blow_up

    text = ("; a comment (with parens\n(set-logic QF_IDL)\n(set-info :source |a (b|)\n"
            "(declare-fun x () Int)(declare-const y Int)\n(define-fun d () Int 3)\n"
            "(assert (< (- x y) d))\n(assert (! (> x 0) :named n))\n(check-sat)\n")
    big, n = blow_up(text, 2000)
    script = parse(big)
    assert n == len(script.assertions) and n % 2 == 0 and 1900 < len(big) < 2300
    assert "(declare-fun x_0 () Int)" in big and "(declare-const y_7 Int)" in big
    assert "(define-fun d_3 () Int 3)" in big and "(< (- x_3 y_3) d_3)" in big
    assert big.startswith("(set-logic QF_IDL)\n") and "check-sat" not in big


def test_parse_speed_command(tmp_path):
    out = tmp_path / "out"
    p = bench("--parse-speed", str(EXAMPLE), "--parse-mb", "0.05", "--parse-repeat", "2",
              "--solver", "eagersmt", "--solver", "z3", "--solver", "pysmt", "--out", str(out))
    assert p.returncode == 0, p.stderr
    with open(out / "parse_speed.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["parser"] for r in rows] == ["eagersmt", "z3", "pysmt"]
    checks = {r["check"] for r in rows}
    assert len(checks) == 1 and checks.pop().endswith(" assertions")  # all read the same
    assert all(float(r["mb_s_best"]) > 0 and 0.04 < float(r["mb"]) < 0.07 for r in rows)
    assert "| jobshop_3x3 | " in (out / "parse_speed.md").read_text()
    p = bench("--parse-speed", str(EXAMPLE), "--solver", "cvc5", "--out", str(out))
    assert p.returncode == 2 and "unknown parser" in p.stderr


def test_stages_command(tmp_path):
    out = tmp_path / "out"
    p = bench("--stages", str(EXAMPLE), "--stage-runs", "2", "--solver", "eagersmt",
              "--solver", "z3", "--out", str(out))
    assert p.returncode == 0, p.stderr
    with open(out / "stages.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["solver"] for r in rows] == ["eagersmt", "z3"]
    mine, z3 = rows
    assert mine["runs"] == "2" and not mine["check"]
    s = {k: float(mine[f"{k}_s"]) for k in ("start", "import", "parse", "normalize", "encode",
                                             "load", "first SAT", "CPU to first SAT", "wall")}
    assert all(v >= 0 for v in s.values()) and s["CPU to first SAT"] > 0
    # the stages are parts of the front end, which ends before the process does
    front = s["start"] + s["import"] + s["parse"] + s["normalize"] + s["encode"] + s["load"]
    assert front < s["first SAT"] < s["wall"]
    assert float(z3["wall_s"]) > 0 and z3["first SAT_s"] == "" and z3["runs"] == "2"
    assert "| jobshop_3x3 | eagersmt | " in (out / "stages.md").read_text()
    p = bench("--stages", str(EXAMPLE), "--solver", "cadical-cnf", "--out", str(out))
    assert p.returncode == 2 and "--stages times SMT solvers" in p.stderr


def test_eagersmt_runs_of_a_bench_do_not_use_the_lemma_store(tmp_path, monkeypatch):
    """A bench measures solving: one run's recorded answer must not answer the next."""
    store = tmp_path / "memo.sqlite"
    monkeypatch.setenv("EAGERSMT_MEMO", str(store))
    inst = _inst(tmp_path)
    p = subprocess.run([sys.executable, "-m", "eagersmt.cli.main", "solve", str(inst.path)],
                       capture_output=True, text=True, timeout=60)
    assert p.stdout.split() == ["sat"] and store.exists()  # solve itself records
    store.unlink()
    row = run_one(parse_solver("eagersmt"), inst, Limits(60.0))
    assert (row.answer, row.check) == ("sat", "correct") and not store.exists()
