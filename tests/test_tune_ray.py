"""``eagersmt tune --ray``: the runs made as Ray tasks on a private head (own ports, temp dir
and token: ``tools.ray_head.RayHead``), recorded as local runs are, and not made again by a
second tune.  Skipped when Ray is not installed; the tune itself runs in a child process,
so this pytest process never joins a cluster."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from eagersmt.tune.selector import load

pytest.importorskip("ray")

from .oracle import z3_status  # noqa: E402
from .test_tune import IDL_SAT, IDL_UNSAT, UFLIA_SAT  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def tune(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eagersmt.cli.main", "tune", *args],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=300)


def test_tune_on_ray_records_every_run_and_resumes_without_repeating(head, tmp_path):
    fam = tmp_path / "fam"
    fam.mkdir()
    texts = [IDL_SAT, IDL_UNSAT, UFLIA_SAT, IDL_SAT]
    for i, text in enumerate(texts):
        (fam / f"f{i}.smt2").write_text(text)
    db = tmp_path / "runs.sqlite"
    args = [str(fam), "--runs", str(db), "-o", str(tmp_path / "s.json"), "--timeout", "30",
            "--space", "auto,yices", "--test-share", "0.25", "--ray", head.address]
    p = tune(head.env, *args)
    assert p.returncode == 0, p.stderr
    assert p.stderr.count("[train ") == 3 * 2
    rows = sqlite3.connect(db).execute("SELECT instance, solver, answer FROM runs").fetchall()
    assert len(rows) == 6 and {r[1] for r in rows} == {"auto", "yices"}
    for name, _, answer in rows:
        assert answer == z3_status(texts[int(Path(name).stem[1:])])
    assert set(load(str(tmp_path / "s.json")).strategies) == {"auto", "yices"}
    again = tune(head.env, *args)
    assert again.returncode == 0 and "[train " not in again.stderr, again.stderr


def test_tune_on_an_address_where_no_ray_answers_is_a_clean_error(tmp_path):
    (tmp_path / "f.smt2").write_text(IDL_SAT)
    (tmp_path / "g.smt2").write_text(IDL_UNSAT)
    p = tune(None, str(tmp_path), "--runs", str(tmp_path / "r.sqlite"), "-o",
             str(tmp_path / "s.json"), "--ray", "127.0.0.1:9", "--space", "auto")
    assert p.returncode == 8, p.stderr
    assert p.stderr.splitlines()[-1].startswith("error: --ray 127.0.0.1:9: ")
    assert "Traceback" not in p.stderr


def test_evaluate_on_ray_keeps_one_run_per_cpu_of_the_cluster_in_flight(head, tmp_path):
    """Without ``jobs``, as many runs at once as the cluster has CPUs (the head: 2)."""
    (tmp_path / "f.smt2").write_text(IDL_SAT)
    code = f"""
import json
from eagersmt.tools.bench.instances import from_paths
from eagersmt.tune import ray_runs
from eagersmt.tune.evaluate import Task, evaluate
from eagersmt.tune.runs import Runs

seen = []
init = ray_runs.RayRunner.__init__
def spy(self, address, jobs=0):
    init(self, address, jobs)
    seen.append(self.jobs)
ray_runs.RayRunner.__init__ = spy
tasks = [Task(i, s, 30.0) for i in from_paths([{str(tmp_path / "f.smt2")!r}])
         for s in ("auto", "order", "cadical")]
with Runs({str(tmp_path / "runs.sqlite")!r}) as runs:
    made = evaluate(tasks, runs, ray={head.address!r})
    answers = sorted(r.answer for r in runs.rows(30.0))
print(json.dumps([seen, made, answers]))
"""
    p = subprocess.run([sys.executable, "-c", code], env=head.env, cwd=REPO,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    seen, made, answers = json.loads(p.stdout.splitlines()[-1])
    assert seen == [2] and made == 3 and answers == ["sat"] * 3
