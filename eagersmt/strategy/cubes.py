"""Cube and conquer: split the CNF into cubes by lookahead and solve them on K workers.

``cubes='auto'`` first *probes* (``probe.py``), on Ray too: CaDiCaL gets ``PROBE_SECONDS`` on the
whole CNF in this process ("do not cube what the monolithic solve does in seconds": cubing such
instances was always slower, and an easy instance must not pay for a cluster).  Without
clause sharing a probe that does not decide is not lost: its solver, with what it has learnt,
is where every forked cube worker starts (``conquer.local``); by default (``--share auto``)
such warm workers do not share clauses (``--share on``: they do, through a learner
connected after the fork; at K = 2 that measured slower: ``benchmarks/RESULTS.md``,
"Clause sharing").  Then the lookahead cuber
(``cube.make_cuber``) splits where ``config.cube_level`` says (re-splits of slow cubes too),
aiming at ``CUBES_PER_WORKER`` cubes per worker (a cluster is connected to first, so its CPU
count is known; ``UNKNOWN_WORKERS`` otherwise), within ``CUBE_SECONDS`` (the open nodes then
become cubes).  The conquer (``conquer.make_conquer``: local processes, or Ray actors with
``config.ray``; ``--share on``: the workers share learnt clauses) solves the cubes; with
the portfolio back end and a spare CPU the local conquer also races Kissat on the whole CNF.
``--ray ADDRESS`` where no cluster listens fails before anything else
(``conquer.cluster.check_cluster``).  Measurements behind the constants:
``benchmarks/RESULTS.md``, "Cube and conquer" and "Clause sharing".

With ``proof_dir`` (a certified run) there is no probe and no racer: each refuted cube
leaves its DRAT proof there (``cube-ID.drat``, the cube in ``cube-ID.cube``); ``Certifying``
adds the proof that the cubes cover every model.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any, Optional

from ..backends.base import SatResult
from ..config import Config
from ..result import Stats, Status
from . import remaining
from .probe import PROBE_SECONDS, probe

if TYPE_CHECKING:
    from ..compile import Compiled

CUBES_PER_WORKER = 8
CUBE_SECONDS = 10.0  # the cuber's time budget at most (its open nodes then become cubes)
UNKNOWN_WORKERS = 16  # cube for this many workers when the cluster's size is not known


class CubeAndConquer:
    proves_by_cubes = True

    def __init__(self, config: Config):
        self.config = config

    def workers(self) -> Optional[int]:
        """How many workers will conquer, when known before the conquer starts: ``jobs``
        locally and on a private local Ray; on a cluster one actor per CPU, known here only
        if this process is already connected (inside a Ray Job); else None."""
        config = self.config
        if config.ray is None or config.ray == "local":
            return config.jobs
        ray = sys.modules.get("ray")  # connected only if someone imported it already
        try:
            if ray is not None and ray.is_initialized():
                return max(1, int(ray.cluster_resources().get("CPU", 1)))
        except Exception:  # noqa: BLE001 - no answer: size by the dynamic cutoff
            pass
        return None

    def solve(self, compiled: "Compiled", *, deadline: Optional[float], stats: Stats,
              proof_dir: Optional[str] = None) -> SatResult:
        config = self.config
        if config.ray is not None:  # no Ray, or no cluster there: say so now, not after
            from ..conquer.cluster import check_cluster  # cubing (which may decide alone)

            check_cluster(config.ray, remaining(deadline))  # (Ray is imported only to conquer)
        if compiled.trivial:
            return SatResult(Status.UNSAT)
        auto = config.cubes in ("auto", "none")  # --ray without --cubes: auto
        warm = None
        if auto and proof_dir is None:  # easy instances do not pay for cubes or a cluster
            t0 = time.perf_counter()
            left = remaining(deadline)
            seconds = PROBE_SECONDS if left is None else min(PROBE_SECONDS, left / 4)
            r, warm = probe(compiled.cnf, seconds)
            stats.add_time("probe", time.perf_counter() - t0)
            if r.status != Status.UNKNOWN:
                warm.close()
                stats.notes["conquer"] = "none (the probe decided)"
                stats.counts["cubes"] = 0
                return SatResult(r.status, r.model, {"winner": "probe (cadical)"})
            if config.ray is not None:  # actors cannot start from this process's solver
                warm.close()
                warm = None
        try:
            if config.ray is None:
                return self._cubes(compiled, deadline, stats, proof_dir, auto, warm)
            from ..conquer.ray_actors import connected

            # connected for the cubing too: the cube count follows the cluster's CPUs
            with connected(config.ray, num_cpus=config.jobs, timeout=remaining(deadline)):
                return self._cubes(compiled, deadline, stats, proof_dir, auto, warm)
        finally:
            if warm is not None:
                warm.close()

    def _cubes(self, compiled: "Compiled", deadline: Optional[float], stats: Stats,
               proof_dir: Optional[str], auto: bool, warm: Any) -> SatResult:
        from ..conquer import make_conquer
        from ..cube import make_cuber
        from ..cube.smt import split_space

        config, enc = self.config, compiled.enc
        assert enc is not None
        t0 = time.perf_counter()
        workers = self.workers() if auto else None
        if not auto:
            cuber = make_cuber(int(config.cubes))
        else:  # (a cluster whose size is not known: as many cubes as for UNKNOWN_WORKERS)
            cuber = make_cuber(CUBES_PER_WORKER * (workers or UNKNOWN_WORKERS))
        space = split_space(enc, config.cube_level)
        left = remaining(deadline)
        budget = CUBE_SECONDS if left is None else min(CUBE_SECONDS, left / 4)
        cs = cuber.cubes(enc.cnf, variables=space.variables, ladders=space.ladders,
                         time_budget=budget)
        stats.add_time("cube", time.perf_counter() - t0)
        stats.counts["cubes"] = len(cs.cubes)
        if cs.status != Status.UNKNOWN:
            stats.notes["conquer"] = "none (the cuber decided)"
            return SatResult(cs.status, cs.model)
        left = remaining(deadline)
        if left is not None and left <= 0:
            return SatResult(Status.UNKNOWN)
        # ``--share auto``/``off``: cube workers do not share (RESULTS.md, "Clause sharing")
        conquer = make_conquer(config, space=space, proof_dir=proof_dir, race=True,
                               warm=None if warm is None else warm.solver)
        r = conquer.solve_cubes(enc.cnf, cs.cubes, timeout=left)
        stats.counts.update(cubes_refuted=len(r.cube_seconds), cubes_retried=r.retried,
                            cubes_resplit=r.resplit, cubes_total=r.cubes, workers=r.workers)
        racing = getattr(conquer, "racer", None) is not None
        stats.notes["conquer"] = ("local" + (" + kissat on the whole CNF" if racing else "")
                                  if config.ray is None else f"ray ({config.ray})")
        if warm is not None and getattr(conquer, "warm", None) is not None:
            stats.notes["conquer"] += ", workers warm-started by the probe"
        if racing or r.decided_by != "cubes":
            stats.notes["decided_by"] = ("kissat (whole CNF)" if r.decided_by == "racer"
                                         else r.decided_by)
        if r.messages:
            stats.notes["conquer_messages"] = "; ".join(r.messages[:5])
        stats.times["conquer_startup"] = r.startup
        if r.cube_seconds:
            stats.times["cube_sum"] = sum(r.cube_seconds.values())
        if r.sharing:
            from .sharing import report

            report(r, stats)
        return SatResult(r.status, r.model)
