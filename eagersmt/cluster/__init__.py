"""Conquer layer: the cubes of an encoded problem solved by worker processes or Ray actors.

``cube_and_conquer`` is the one entry point the engine uses.  ``local.LocalConquer`` runs
the cubes on forked processes of this machine, ``ray_conquer.RayConquer`` on Ray actors
(``config.ray``); both have ``solve_cubes(cnf, cubes, *, timeout=None) -> ConquerResult``
and share the driver-side bookkeeping (``scheduler``: queue, re-splitting, retries).
``jobs`` submits a whole solve as a Ray Job; ``race`` runs Kissat on the whole CNF beside
a local conquer (``--backend portfolio``).  Only ``ray_conquer`` and ``jobs`` import
``ray``, and only when called: ``import eagersmt`` works without it.

Progress: a conquer takes a ``progress`` callback (a ``scheduler.Progress`` snapshot a few
times a second); ``reporting(callback)`` hands one to every conquer started inside the
``with`` block, which is how the CLI draws its display without the engine knowing.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
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


def make_conquer(config: Config, *, space=None, progress=None,  # type: ignore[no-untyped-def]
                 proof_dir: Optional[str] = None, race: bool = False, warm=None,
                 cpus: Optional[int] = None):
    """The conquer ``config`` asks for: Ray when ``config.ray`` is set, else local processes
    (``proof_dir``: certificates, local only).  ``space``: where re-splits may branch (a
    ``cube.SplitSpace``; None: any variable).  ``race``: with the portfolio back end, a
    local conquer also runs Kissat on the whole CNF (``race.py``) when a CPU is left over
    by the ``jobs`` workers (``cpus``: this machine's count): with every CPU busy the racer
    only slowed the cubes (orb05 4.9 s with it vs 3.2-3.5 s without, js4-4 2.85 s vs 2.2 s,
    K = 2 on 2 CPUs), so ``--jobs`` below the CPU count is how to ask for it.  Never with
    ``proof_dir``: a certificate covers the refuted cubes, not a racer's answer."""
    backend = config.backend if config.backend in ("cadical", "kissat") else "cadical"
    progress = progress if progress is not None else _progress.get()
    variables = None if space is None else space.variables
    ladders = () if space is None else space.ladders
    if config.ray is None:
        from .local import LocalConquer
        from .race import kissat_executable

        racer = None
        spare = (cpus if cpus is not None else os.cpu_count() or 1) > config.jobs
        if race and spare and config.backend == "portfolio" and proof_dir is None:
            racer = kissat_executable()  # None without Kissat: the portfolio is CaDiCaL then
        return LocalConquer(jobs=config.jobs, backend=backend, cube_timeout=config.cube_timeout,
                            variables=variables, ladders=ladders, progress=progress,
                            proof_dir=proof_dir, race_kissat=racer, warm=warm)
    return _ray_conquer_class()(address=config.ray, jobs=config.jobs, backend=backend,
                      cube_timeout=config.cube_timeout, variables=variables, ladders=ladders,
                      progress=progress)


def _ray_conquer_class():  # type: ignore[no-untyped-def]
    try:
        from .ray_conquer import RayConquer
    except ImportError as e:
        raise RuntimeError(f"--ray needs Ray ({e}): pip install 'eagersmt[cluster]'") from None
    return RayConquer


CUBES_PER_WORKER = 8  # --cubes auto: RESULTS.md "Cube-and-conquer speed-up" (best at 8 K)
PROBE_SECONDS = 1.0  # --cubes auto: the monolithic probe's time slice (see ``probe``)


def auto_workers(config: Config) -> Optional[int]:
    """How many workers will conquer, when known before the conquer starts: ``jobs``
    locally and on a private local Ray; on a cluster the conquer starts one actor per CPU,
    known here only if this process is already connected (inside a Ray Job); else None."""
    if config.ray is None or config.ray == "local":
        return config.jobs
    import sys

    ray = sys.modules.get("ray")  # connected only if someone imported it already
    try:
        if ray is not None and ray.is_initialized():
            return max(1, int(ray.cluster_resources().get("CPU", 1)))
    except Exception:  # noqa: BLE001 - no answer: size by the dynamic cutoff
        pass
    return None


def probe(cnf, seconds: float):  # type: ignore[no-untyped-def]
    """Give CaDiCaL ``seconds`` on the whole CNF, in this process (conflict-budget slices
    sized by the measured conflict rate, so the slice is kept): ``(SatResult, worker)``,
    UNKNOWN if it did not decide; the caller closes the ``local.CubeWorker``.

    "Do not cube what the monolithic solve does in seconds": on the job shops at
    optimum - 1, abz6 (0.3 s) and la16 (0.7 s) are decided here, where cubing them was
    always slower (RESULTS.md); orb05 (3-4 s) is not.  The probe is not lost when it does
    not decide: its solver, with what it has learnt, is where every forked cube worker
    starts (``LocalConquer(warm=...)``); on orb05 that cut the cubes' summed time from
    6.5-7.0 s to 1.9-3.0 s and the wall time from 5.1-5.5 s to 2.6-3.2 s (K = 2, CaDiCaL)."""
    from .local import CubeWorker

    w = CubeWorker(cnf)
    try:
        return w.solve([], timeout=seconds), w
    except BaseException:
        w.close()
        raise


def cube_and_conquer(enc, config: Config, left: Optional[float], stats: Stats,  # type: ignore[no-untyped-def]
                     proof_dir: Optional[str] = None):
    """Split the CNF into cubes (lookahead) and solve them on ``config.jobs`` processes
    (or on Ray with ``config.ray``; ``cubes='none'`` then means ``auto``).

    The cuber splits where ``config.cube_level`` says (``cube.smt.split_space``; re-splits
    of the conquer too).  ``cubes='auto'``: first a ``probe`` of ``PROBE_SECONDS`` on the
    whole CNF (locally, without ``proof_dir``; its solver then warm-starts the workers),
    then ``CUBES_PER_WORKER`` cubes per worker (the dynamic cutoff when the number of
    workers is unknown: Ray on a cluster).  With ``--backend portfolio`` the local conquer
    races Kissat on the whole CNF beside the cube workers (``race.py``).

    ``proof_dir``: each refuted cube leaves its DRAT proof there (``cube-ID.drat``, the cube
    in ``cube-ID.cube``); the caller adds the coverage proof (``check/certificate.py``)."""
    from ..backends.base import SatResult

    if config.ray is not None:
        _ray_conquer_class()  # no Ray: say so now, not after cubing (which may decide alone)
    t0 = time.perf_counter()
    cubes = "auto" if config.cubes == "none" else config.cubes
    auto = cubes == "auto"
    warm = None
    if auto and config.ray is None and proof_dir is None:
        seconds = PROBE_SECONDS if left is None else min(PROBE_SECONDS, left / 4)
        r, warm = probe(enc.cnf, seconds)
        stats.add_time("probe", time.perf_counter() - t0)
        if r.status != Status.UNKNOWN:
            warm.close()
            stats.notes["conquer"] = "none (the probe decided)"
            stats.counts["cubes"] = 0
            return SatResult(r.status, r.model, {"winner": "probe (cadical)"})
        if left is not None:
            left -= time.perf_counter() - t0
    try:
        return _cube_and_conquer(enc, config, left, stats, proof_dir, auto, cubes, warm)
    finally:
        if warm is not None:
            warm.close()


def _cube_and_conquer(enc, config: Config, left: Optional[float], stats: Stats,  # type: ignore[no-untyped-def]
                      proof_dir: Optional[str], auto: bool, cubes: str, warm):
    from ..backends.base import SatResult
    from ..cube.lookahead import LookaheadCuber
    from ..cube.smt import split_space

    t0 = time.perf_counter()
    workers = auto_workers(config) if auto else None
    if not auto:
        cuber = LookaheadCuber(max_cubes=int(cubes), dynamic=False)
    elif workers is not None:
        cuber = LookaheadCuber(max_cubes=CUBES_PER_WORKER * workers, dynamic=False)
    else:  # a cluster of unknown size: the dynamic cutoff (hundreds of cubes) feeds many
        cuber = LookaheadCuber(dynamic=True)
    space = split_space(enc, config.cube_level)
    budget = None if left is None else left / 4
    cs = cuber.cubes(enc.cnf, variables=space.variables, ladders=space.ladders,
                     time_budget=budget)
    stats.add_time("cube", time.perf_counter() - t0)
    stats.counts["cubes"] = len(cs.cubes)
    if cs.status != Status.UNKNOWN:
        stats.notes["conquer"] = "none (the cuber decided)"
        return SatResult(cs.status, getattr(cs, "model", None))
    left = None if left is None else left - (time.perf_counter() - t0)
    if left is not None and left <= 0:
        return SatResult(Status.UNKNOWN)
    conquer = make_conquer(config, space=space, proof_dir=proof_dir, race=True,
                           warm=None if warm is None else warm.solver)
    r = conquer.solve_cubes(enc.cnf, cs.cubes, timeout=left)
    stats.counts["cubes_refuted"] = len(r.cube_seconds)
    stats.counts["cubes_retried"] = r.retried
    stats.counts["cubes_resplit"] = r.resplit
    stats.counts["cubes_total"] = r.cubes
    stats.counts["workers"] = r.workers
    racing = getattr(conquer, "race_kissat", None) is not None
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
    return SatResult(r.status, r.model)
