"""The per-file floor stage by stage (``eagersmt bench --stages``).

Idea: ``eagersmt solve FILE`` run in a fresh child, its time cut at the stage boundaries
up to the first SAT call: ``start`` (the parent's clock before the spawn to the child's
first line: interpreter, ``site``, the editable-install finder), ``import`` (what the
console script imports: ``eagersmt.cli.main``; the child then calls what the script calls), then the ``--stats`` stage times
``parse``, ``normalize``, ``encode``, ``load`` (CaDiCaL created to its first solve call:
the clauses handed over) and ``first SAT`` (process start to the entry of the first
in-process SAT call: the whole front end, what the other stages leave out included), and
``CPU to first SAT``, the CPU time the process has used by then (interpreter start
included; on a busy machine the steadier figure of the front end's work).  The
child's clock marks come from wrapping python-sat's ``pysolvers`` entry points, which every
revision calls, so ``eagersmt@REV`` (``snapshot.py``) runs the same child; ``wall`` is the
whole run.  Peer solvers (``z3``, ``yices``, ...) get ``wall`` only.  Each figure is the
median of ``runs`` runs, the specs alternating per run.  Cost: ``runs`` × specs processes
per instance.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from .instances import Instance
from .runner import Limits, run_limited
from .snapshot import child_env
from .solvers import PY, SolverSpec

STAGES = ("start", "import", "parse", "normalize", "encode", "load", "first SAT",
          "CPU to first SAT", "wall")

CHILD = r"""
import sys, time
t_child = time.time()
spawned, path = float(sys.argv[1]), sys.argv[2]
t0 = time.perf_counter()
import eagersmt.cli.main as cli
t_import = time.perf_counter() - t0
import contextlib, io, json, re, pysolvers
marks = {}
def wrap(name, key):
    f = getattr(pysolvers, name, None)
    if f is None:
        return
    def g(*a):
        if key not in marks:
            marks[key] = time.time()
            marks[key + " cpu"] = time.process_time()
        return f(*a)
    setattr(pysolvers, name, g)
for kind in ("cadical195", "cadical153"):
    wrap(kind + "_new", "new")
    wrap(kind + "_solve", "solve")
    wrap(kind + "_solve_lim", "solve")
err = io.StringIO()
with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
    sys.argv = ["eagersmt", "solve", "--stats", path]
    try:
        (cli.run if hasattr(cli, "run") else cli.main)()  # what the console script calls
    except SystemExit:
        pass
stats = dict(re.findall(r"^\s+(parse_s|normalize_s|encode_s)\s+(\S+)", err.getvalue(), re.M))
out = {"start": t_child - spawned, "import": t_import,
       **{k[:-2]: float(v) for k, v in stats.items()}}
if "new" in marks and "solve" in marks:
    out["load"] = marks["solve"] - marks["new"]
if "solve" in marks:
    out["first SAT"] = marks["solve"] - spawned
    out["CPU to first SAT"] = marks["solve cpu"]
print("@@STAGES@@" + json.dumps(out))
"""


@dataclass
class StageRow:
    instance: str
    solver: str
    medians: dict[str, float] = field(default_factory=dict)
    runs: int = 0
    check: str = ""


def measure(instances: Sequence[Instance], specs: Sequence[SolverSpec], *, runs: int,
            limits: Limits, on_done: Optional[Callable[[StageRow], None]] = None) -> list[StageRow]:
    """Every spec on every instance ``runs`` times, alternating (see the module doc)."""
    rows = []
    for inst in instances:
        got: dict[str, list[dict[str, float]]] = {s.name: [] for s in specs}
        failed: dict[str, str] = {}
        for _ in range(runs):
            for spec in specs:
                if spec.name in failed:
                    continue
                env, cwd = child_env(spec)
                if spec.kind == "eagersmt":
                    argv = [PY, "-c", CHILD, repr(time.time()), str(inst.path.resolve())]
                else:
                    argv = spec.command(str(inst.path.resolve()), timeout=limits.timeout)
                o = run_limited(argv, limits, env=env, cwd=cwd)
                if o.timed_out:
                    failed[spec.name] = "timeout"
                    continue
                figures = {"wall": o.seconds}
                if spec.kind == "eagersmt":
                    m = re.search(r"@@STAGES@@(.*)", o.stdout)
                    if not m:
                        failed[spec.name] = f"error: {o.last_line()[:120]}"
                        continue
                    figures.update(json.loads(m.group(1)))
                got[spec.name].append(figures)
        for spec in specs:
            runs_of = got[spec.name]
            keys = {k for r in runs_of for k in r}
            row = StageRow(inst.name, spec.name, runs=len(runs_of), check=failed.get(spec.name, ""))
            row.medians = {k: statistics.median(r[k] for r in runs_of if k in r)
                           for k in STAGES if k in keys}
            rows.append(row)
            if on_done:
                on_done(row)
    return rows


def table(rows: Sequence[StageRow]) -> tuple[list[str], list[list[str]]]:
    head = ["instance", "solver", *(f"{s} ms" for s in STAGES), "runs"]
    return head, [[Path(r.instance).stem, r.solver,
                   *(f"{1000 * r.medians[s]:.0f}" if s in r.medians else "-" for s in STAGES),
                   str(r.runs) + (f" ({r.check})" if r.check else "")] for r in rows]
