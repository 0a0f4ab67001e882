"""Clause sharing (``--cubes sharing``): K diversified CaDiCaLs on the whole CNF, exchanging
learnt clauses (not to be confused with ``--backend portfolio``, the CaDiCaL-vs-Kissat race).

No cubes: every worker of the conquer (local processes, or Ray actors with ``config.ray``)
gets the empty cube, i.e. the whole problem, with options of its own
(``backends.cadical.diversity``: seed, initial phase, search mode), and the workers share
their short learnt clauses in rounds (``conquer.sharing``).  The first answer decides; an
``unsat`` of the empty cube is the whole CNF's.  Mallob's design (Schreiber & Sanders,
"MallobSat", JAIR 2024): sharing alone makes identical solvers scale.

Locally it probes first, as ``--cubes auto`` does (``probe.probe``: CaDiCaL for
``PROBE_SECONDS`` on the whole CNF in this process; an easy instance ends there); every
worker then shares natively on a fresh solver of its own (``conquer.sharing``: mid-search
import needs a solver that has eliminated nothing), or, where the native shim is not
available, starts from its forked copy of the probe's solver with what it learnt, its own
options and its learner (``backends.cadical.Learner``), sharing at slice boundaries.  With Ray the probe runs while
the actors boot (``RayConquer.solve_cubes(meanwhile=)``: their processes start in the
cluster meanwhile), with a learner on it (``probe.probe_learning``): the actors start
afresh, and the probe's short learnt clauses go into the first sharing round.

Cost: K processes (forked; natively each loads the CNF into its fresh solver), the probe's
second on one CPU, the export and import (``conquer.sharing``), plus the exchange.  Certified runs
(``--proof``) do not use it: a worker's proof would rest on clauses another worker derived,
so ``choose`` gives them one solver with a DRAT proof instead (the workers' back end when
it writes proofs: ``backends.proving``).
Measurements: ``benchmarks/RESULTS.md``, "Clause sharing".
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Optional

from ..backends.base import SatResult
from ..config import Config
from ..conquer.sharing import NATIVE_PATH, SLICE_PATH
from ..result import Stats, Status
from . import remaining
from .probe import PROBE_SECONDS, probe, probe_learning

if TYPE_CHECKING:
    from ..compile import Compiled


class ClauseSharing:
    proves_by_cubes = False

    def __init__(self, config: Config):
        self.config = config

    def solve(self, compiled: "Compiled", *, deadline: Optional[float], stats: Stats,
              proof_dir: Optional[str] = None) -> SatResult:
        from ..conquer import make_conquer

        if compiled.trivial:
            return SatResult(Status.UNSAT)
        config = self.config
        left = remaining(deadline)
        seconds = PROBE_SECONDS if left is None else min(PROBE_SECONDS, left / 4)
        t0 = time.perf_counter()
        if config.ray is not None:  # the probe runs while the actors boot
            r = make_conquer(config, share=config.share != "off").solve_cubes(
                compiled.cnf, None, timeout=left,
                meanwhile=lambda: probe_learning(compiled.cnf, seconds))
        else:
            p, warm = probe(compiled.cnf, seconds)
            try:
                r = p if p.status != Status.UNKNOWN else make_conquer(
                    config, share=config.share != "off", warm=warm.solver).solve_cubes(
                    compiled.cnf, None, timeout=remaining(deadline))
            finally:
                warm.close()
        if isinstance(r, SatResult):
            stats.add_time("probe", time.perf_counter() - t0)
            stats.notes["conquer"] = "none (the probe decided)"
            return SatResult(r.status, r.model, {"winner": "probe (cadical)"})
        stats.notes["conquer"] = ("diversified workers, no sharing" if config.share == "off"
                                  else "clause sharing") + (
            "" if config.ray is None else f" on ray ({config.ray})")
        report(r, stats)
        return SatResult(r.status, r.model, {"winner": "sharing workers"})


def report(r, stats: Stats) -> None:  # type: ignore[no-untyped-def]
    """A conquer's sharing counters and per-worker work into ``stats`` (``--stats``)."""
    stats.counts["workers"] = r.workers
    for k, v in r.sharing.items():
        stats.counts[f"shared_{k}"] = int(v)
    for i, w in enumerate(r.worker_stats):
        stats.notes[f"worker_{i}"] = (f"{int(w.get('conflicts', 0))} conflicts, "
                                      f"exported {int(w.get('exported', 0))}, "
                                      f"imported {int(w.get('imported', 0))}, "
                                      f"dropped {int(w.get('dropped', 0))}")
    natives = [bool(w.get("native")) for w in r.worker_stats]
    if natives:
        from ..native.share import unavailable

        why = unavailable() or "a warm solver"
        stats.notes["sharing_path"] = (
            NATIVE_PATH if all(natives) else
            f"{SLICE_PATH} ({why})" if not any(natives) else
            f"{NATIVE_PATH} on {sum(natives)} of {len(natives)} workers")
    if r.messages:
        stats.notes["conquer_messages"] = "; ".join(r.messages[:5])
