"""Conquer layer: the cubes of an encoded problem solved by worker processes.

``cube_and_conquer`` is the one entry point the engine uses; ``local.LocalConquer`` runs the
cubes on forked processes of this machine.
"""

from __future__ import annotations

import time
from typing import Optional

from ..config import Config
from ..result import Stats, Status


def cube_and_conquer(enc, config: Config, left: Optional[float], stats: Stats):  # type: ignore[no-untyped-def]
    """Split the CNF into cubes (lookahead) and solve them on ``config.jobs`` processes."""
    from ..backends.base import SatResult
    from ..cube.lookahead import LookaheadCuber
    from .local import LocalConquer

    t0 = time.perf_counter()
    auto = config.cubes == "auto"
    cuber = LookaheadCuber(max_cubes=None if auto else int(config.cubes), dynamic=auto)
    variables = [p.var for p in enc.tseitin.preds] if config.cube_level == "smt" else None
    budget = None if left is None else left / 4
    cs = cuber.cubes(enc.cnf, variables=variables, time_budget=budget)
    stats.add_time("cube", time.perf_counter() - t0)
    stats.counts["cubes"] = len(cs.cubes)
    if cs.status != Status.UNKNOWN:
        return SatResult(cs.status, getattr(cs, "model", None))
    left = None if left is None else left - (time.perf_counter() - t0)
    if left is not None and left <= 0:
        return SatResult(Status.UNKNOWN)
    backend = config.backend if config.backend in ("cadical", "kissat") else "cadical"
    r = LocalConquer(jobs=config.jobs, backend=backend).solve_cubes(enc.cnf, cs.cubes, timeout=left)
    stats.counts["cubes_refuted"] = len(r.cube_seconds)
    stats.counts["cubes_retried"] = r.retried
    if r.cube_seconds:
        stats.times["cube_sum"] = sum(r.cube_seconds.values())
    return SatResult(r.status, r.model)
