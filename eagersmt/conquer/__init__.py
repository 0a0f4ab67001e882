"""The conquer: the cubes of an encoded problem solved by worker processes or Ray actors.

``make_conquer(config)`` gives the conquer ``config`` asks for: ``local.LocalConquer`` (forked
processes of this machine) or ``ray_actors.RayConquer`` (Ray actors, ``config.ray``); both
have ``solve_cubes(cnf, cubes, *, timeout=None) -> ConquerResult`` and share the
driver-side bookkeeping (``scheduler``: queue, re-splitting, retries).  ``race`` runs the
portfolio's other member on the whole CNF beside a local conquer.  Only ``ray_actors``
imports ``ray``, and only when used: ``import eagersmt`` works without it.

Progress: a conquer takes a ``progress`` callback (a ``scheduler.Progress`` snapshot a few
times a second); ``reporting(callback)`` hands one to every conquer started inside the
``with`` block, which is how the CLI draws its display without the engine knowing.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from typing import Any, Iterator, Optional

from ..config import Config
from .cluster import RAY_MISSING
from .scheduler import ConquerResult, Progress, ProgressCallback

__all__ = ["ConquerResult", "Progress", "make_conquer", "ray_conquer_class", "reporting"]

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


def make_conquer(config: Config, *, space: Any = None, progress: Optional[ProgressCallback] = None,
                 proof_dir: Optional[str] = None, race: bool = False, warm: Any = None,
                 cpus: Optional[int] = None, share: Optional[bool] = None) -> Any:
    """The conquer ``config`` asks for: Ray when ``config.ray`` is set, else local processes
    (``proof_dir``: certificates, local only).  ``space``: where re-splits may branch (a
    ``cube.SplitSpace``; None: any variable).  The workers run the back end's ``worker``
    (CaDiCaL for the portfolio).  ``race``: a local conquer also runs the back end's
    ``racer`` on the whole CNF (Kissat for the portfolio; ``race.py``) when a CPU is left over
    by the ``jobs`` workers (``cpus``: this machine's count): with every CPU busy the racer
    only slowed the cubes, so ``--jobs`` below the CPU count is how to ask for it.  Never with
    ``proof_dir``: a certificate covers the refuted cubes, not a racer's answer.  ``share``:
    the workers share learnt clauses (``sharing``; default: ``config.share`` is "on"; never with
    ``proof_dir``: each refuted cube is proved afresh there; nor with a python-sat whose
    CaDiCaL cannot take a ``backends.cadical.Learner``)."""
    from ..backends import BACKENDS

    entry = BACKENDS[config.backend]
    backend = entry.worker or entry.name
    progress = progress if progress is not None else _progress.get()
    variables = None if space is None else space.variables
    ladders = () if space is None else space.ladders
    share = (config.share == "on" if share is None else share) and proof_dir is None
    if share and BACKENDS[backend].shares:  # (a python-sat without the learner: no sharing)
        from ..backends.cadical import learner_unavailable

        share = not learner_unavailable()
    if config.ray is None:
        from .local import LocalConquer

        spare = (cpus if cpus is not None else os.cpu_count() or 1) > config.jobs
        racer = entry.racer if race and spare and proof_dir is None else None
        if racer is not None and BACKENDS[racer].unavailable():
            racer = None  # (Kissat missing: the portfolio is its worker alone)
        return LocalConquer(jobs=config.jobs, backend=backend, cube_timeout=config.cube_timeout,
                            variables=variables, ladders=ladders, progress=progress,
                            proof_dir=proof_dir, racer=racer, warm=warm, share=share)
    return ray_conquer_class()(address=config.ray, jobs=config.jobs, backend=backend,
                               cube_timeout=config.cube_timeout, variables=variables,
                               ladders=ladders, progress=progress, share=share)


def ray_conquer_class() -> Any:
    """``ray_actors.RayConquer``; ``RuntimeError`` with the install hint without Ray."""
    try:
        from .ray_actors import RayConquer
    except ImportError as e:
        raise RuntimeError(f"{RAY_MISSING} ({e})") from None
    return RayConquer
