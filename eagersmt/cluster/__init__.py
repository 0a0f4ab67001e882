"""Conquer layer: the cubes of an encoded problem solved by worker processes or Ray actors.

``cube_and_conquer`` is the one entry point the engine uses.  ``local.LocalConquer`` runs
the cubes on forked processes of this machine, ``ray_conquer.RayConquer`` on Ray actors
(``config.ray``); both have ``solve_cubes(cnf, cubes, *, timeout=None) -> ConquerResult``
and share the driver-side bookkeeping (``scheduler``: queue, re-splitting, retries).
``jobs`` submits a whole solve as a Ray Job.  Only ``ray_conquer`` and ``jobs`` import
``ray``, and only when called: ``import eagersmt`` works without it.

Progress: a conquer takes a ``progress`` callback (a ``scheduler.Progress`` snapshot a few
times a second); ``reporting(callback)`` hands one to every conquer started inside the
``with`` block, which is how the CLI draws its display without the engine knowing.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from typing import Iterator, Optional

from ..config import Config
from ..result import Stats, Status
from .scheduler import ConquerResult, Progress, ProgressCallback

__all__ = ["ConquerResult", "Progress", "cube_and_conquer", "make_conquer", "reporting"]

_progress: contextvars.ContextVar[Optional[ProgressCallback]] = contextvars.ContextVar(
    "eagersmt_conquer_progress", default=None)


@contextlib.contextmanager
def reporting(callback: Optional[ProgressCallback]) -> Iterator[None]:
    """Conquers started inside the block report their progress to ``callback``."""
    token = _progress.set(callback)
    try:
        yield
    finally:
        _progress.reset(token)


def make_conquer(config: Config, *, variables=None, progress=None,  # type: ignore[no-untyped-def]
                 proof_dir: Optional[str] = None):
    """The conquer ``config`` asks for: Ray when ``config.ray`` is set, else local processes
    (``proof_dir``: certificates, local only)."""
    backend = config.backend if config.backend in ("cadical", "kissat") else "cadical"
    progress = progress if progress is not None else _progress.get()
    if config.ray is None:
        from .local import LocalConquer

        return LocalConquer(jobs=config.jobs, backend=backend, cube_timeout=config.cube_timeout,
                            variables=variables, progress=progress, proof_dir=proof_dir)
    try:
        from .ray_conquer import RayConquer
    except ImportError as e:
        raise RuntimeError(f"--ray needs Ray ({e}): pip install 'eagersmt[cluster]'") from None
    return RayConquer(address=config.ray, jobs=config.jobs, backend=backend,
                      cube_timeout=config.cube_timeout, variables=variables, progress=progress)


def cube_and_conquer(enc, config: Config, left: Optional[float], stats: Stats,  # type: ignore[no-untyped-def]
                     proof_dir: Optional[str] = None):
    """Split the CNF into cubes (lookahead) and solve them on ``config.jobs`` processes
    (or on Ray with ``config.ray``; ``cubes='none'`` then means ``auto``).

    ``proof_dir``: each refuted cube leaves its DRAT proof there (``cube-ID.drat``, the cube
    in ``cube-ID.cube``); the caller adds the coverage proof (``check/certificate.py``)."""
    from ..backends.base import SatResult
    from ..cube.lookahead import LookaheadCuber

    t0 = time.perf_counter()
    cubes = "auto" if config.cubes == "none" else config.cubes
    auto = cubes == "auto"
    cuber = LookaheadCuber(max_cubes=None if auto else int(cubes), dynamic=auto)
    variables = [p.var for p in enc.tseitin.preds] if config.cube_level == "smt" else None
    budget = None if left is None else left / 4
    cs = cuber.cubes(enc.cnf, variables=variables, time_budget=budget)
    stats.add_time("cube", time.perf_counter() - t0)
    stats.counts["cubes"] = len(cs.cubes)
    if cs.status != Status.UNKNOWN:
        stats.notes["conquer"] = "none (the cuber decided)"
        return SatResult(cs.status, getattr(cs, "model", None))
    left = None if left is None else left - (time.perf_counter() - t0)
    if left is not None and left <= 0:
        return SatResult(Status.UNKNOWN)
    conquer = make_conquer(config, variables=variables, proof_dir=proof_dir)
    r = conquer.solve_cubes(enc.cnf, cs.cubes, timeout=left)
    stats.counts["cubes_refuted"] = len(r.cube_seconds)
    stats.counts["cubes_retried"] = r.retried
    stats.counts["cubes_resplit"] = r.resplit
    stats.counts["cubes_total"] = r.cubes
    stats.counts["workers"] = r.workers
    stats.notes["conquer"] = "local" if config.ray is None else f"ray ({config.ray})"
    if r.messages:
        stats.notes["conquer_messages"] = "; ".join(r.messages[:5])
    stats.times["conquer_startup"] = r.startup
    if r.cube_seconds:
        stats.times["cube_sum"] = sum(r.cube_seconds.values())
    return SatResult(r.status, r.model)
