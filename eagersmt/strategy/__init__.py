"""Solving strategies: how a compiled problem is decided, chosen in one place (``choose``).

    Compiled --Strategy.solve(deadline, stats)--> SatResult

* ``Monolithic`` (``monolithic.py``): one SAT call on the whole CNF with the configured back
  end; a small CNF first gets a short in-process CaDiCaL try, which the back end then goes on
  from.
* ``CubeAndConquer`` (``cubes.py``): a probe on the whole CNF, lookahead cubes, and a conquer
  of the cubes on local processes or Ray actors (``eagersmt.conquer``).
* ``ClauseSharing`` (``sharing.py``, ``--cubes sharing``): K diversified CaDiCaLs on the
  whole CNF sharing learnt clauses (certified runs: one of them alone, and its proof).
  Both cube strategies first give one CaDiCaL a second (``probe.py``).
* ``Certifying`` (``certify.py``): wraps either; the inner strategy writes its DRAT proofs
  into the certificate directory, the wrapper adds what ties them to the input (and, for
  cubes, the proof that the cubes cover every model).

A strategy never decodes or checks models: the decision core does (``core/decide.py``),
whatever decided.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Protocol

from ..config import Config
from ..result import Stats

if TYPE_CHECKING:
    from ..backends.base import SatResult
    from ..compile import Compiled


class Strategy(Protocol):
    def solve(self, compiled: "Compiled", *, deadline: Optional[float], stats: Stats,
              proof_dir: Optional[str] = None) -> "SatResult":
        """Decide ``compiled.cnf`` by ``deadline`` (a ``time.perf_counter()`` value; None: no
        limit), adding stage times and counters to ``stats``.  ``proof_dir``: the UNSAT
        proofs go there (``Certifying`` asks for them)."""


def choose(config: Config, proof_dir: Optional[str] = None) -> Strategy:
    """The strategy ``config`` asks for: cubes with ``--cubes`` or ``--ray``, else one SAT
    call; certified when ``proof_dir`` is given (one SAT call then runs on a back end whose
    entry says it writes proofs: ``backends.proving``)."""
    inner: Strategy
    if config.cubes == "sharing" and proof_dir is None:
        from .sharing import ClauseSharing

        inner = ClauseSharing(config)
    elif config.cubes != "sharing" and (config.cubes != "none" or config.ray is not None):
        from .cubes import CubeAndConquer

        inner = CubeAndConquer(config)
    else:  # (certified sharing: one of its workers alone, and its DRAT proof)
        from ..backends import BACKENDS, proving
        from .monolithic import Monolithic

        if proof_dir is not None and (config.cubes == "sharing"
                                      or not BACKENDS[config.backend].proofs):
            config = config.replace(backend=proving(config.backend))
        inner = Monolithic(config)
    if proof_dir is None:
        return inner
    from .certify import Certifying

    return Certifying(inner, proof_dir)


def remaining(deadline: Optional[float]) -> Optional[float]:
    """Seconds left until ``deadline`` (None: no limit)."""
    import time

    return None if deadline is None else deadline - time.perf_counter()


__all__ = ["Strategy", "choose", "remaining"]
