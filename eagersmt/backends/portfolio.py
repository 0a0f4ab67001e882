"""Race CaDiCaL and Kissat on the same CNF; the first definite answer wins.

CaDiCaL runs in a forked child (as in ``process``), Kissat as a subprocess (see ``kissat``);
the parent waits on both and kills the loser at once.  Cost: two cores for the duration of
the call, plus both per-call overheads (a few ms on a tiny CNF).  Chosen with
``--backend portfolio`` when it is not known in advance which solver suits an instance.
``stats["winner"]`` names the engine that answered.  UNKNOWN only if both give up or time
out; ``RuntimeError`` only if both fail.  No child outlives the call (also on Ctrl-C).
"""

from __future__ import annotations

import os
import time
from typing import Any, Optional, Sequence

from ..encode.cnf import CNF
from ..result import Status
from . import solve_in_process
from .base import PathLike, SatResult
from .kissat import KissatRun, resolve_kissat


class PortfolioBackend:
    name = "portfolio"

    def __init__(self, *, executable: Optional[str] = None):
        self.executable = resolve_kissat(executable, self.name)

    def prestart(self, cnf: CNF, assumptions: Sequence[int] = (), *,
                 timeout: Optional[float] = None) -> KissatRun:
        """Start Kissat on ``cnf`` now, for a ``solve(started=)`` to come (the caller closes it
        if that call does not come): it runs while the caller tries CaDiCaL in-process."""
        return KissatRun(self.executable, cnf, assumptions, timeout=timeout)

    def solve(self, cnf: CNF, assumptions: Sequence[int] = (), *,
              timeout: Optional[float] = None,
              proof_path: Optional[PathLike] = None, warm: Any = None,
              started: Optional[KissatRun] = None) -> SatResult:
        """``warm``: a loaded CaDiCaL (``SatSolver``) to go on with;
        the forked child continues it.  ``started``: Kissat already running on the same CNF
        and assumptions (``prestart``; this call owns it from now).  With ``proof_path`` each
        engine writes its own DRAT proof beside it and the winner's is renamed to
        ``proof_path`` (the loser's is removed)."""
        from .process import start_child, wait_readable

        t0 = time.perf_counter()
        proofs = ({"cadical": os.fspath(proof_path) + ".cadical",
                   "kissat": os.fspath(proof_path) + ".kissat"} if proof_path is not None else {})
        deadline = None if timeout is None else time.monotonic() + timeout
        child = pidfd = None
        kissat = started
        errors: dict[str, str] = {}
        try:  # CaDiCaL first: it loads the clauses while Kissat's DIMACS is written
            if kissat is not None:
                kissat.written()  # (no child of the fork below may hold Kissat's pipe)
            child = start_child(lambda: solve_in_process(
                cnf, assumptions, proof_path=proofs.get("cadical"), warm=warm))
            if kissat is None:
                kissat = KissatRun(self.executable, cnf, assumptions, timeout=timeout,
                                   proof_path=proofs.get("kissat"))
            try:  # wakes the wait below when Kissat exits (Linux >= 5.3); else poll
                pidfd = os.pidfd_open(kissat.proc.pid)  # type: ignore[union-attr]
            except (AttributeError, OSError):
                pidfd = None
            waiting = {"cadical", "kissat"}
            while waiting:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                handles: list[Any] = [child] if "cadical" in waiting else []
                if "kissat" in waiting and pidfd is not None:
                    handles.append(pidfd)
                step = left if pidfd is not None else min(0.01, left if left else 0.01)
                wait_readable(handles, step)
                if "cadical" in waiting and (child.poll() or not child.is_alive()):
                    waiting.discard("cadical")
                    res = _receive(child, errors)
                    if res is not None and res.status != Status.UNKNOWN:
                        return _won("cadical", res, t0, errors, proofs, proof_path)
                if "kissat" in waiting and kissat.poll() is not None:
                    waiting.discard("kissat")
                    try:
                        res = kissat.result()
                    except RuntimeError as e:
                        errors["kissat"] = str(e)
                    else:
                        if res.status != Status.UNKNOWN:
                            return _won("kissat", res, t0, errors, proofs, proof_path)
            if len(errors) == 2:
                raise RuntimeError("both portfolio engines failed: " + "; ".join(errors.values()))
            stats: dict[str, Any] = {"wall_s": time.perf_counter() - t0, "winner": "none"}
            stats.update({f"{k}_error": v for k, v in errors.items()})
            if waiting or deadline is not None and time.monotonic() >= deadline:
                stats["timeout"] = 1.0
            return SatResult(Status.UNKNOWN, None, stats)
        finally:
            if child is not None:
                child.kill()
                child.close()
            if kissat is not None:
                kissat.close()
            if pidfd is not None:
                os.close(pidfd)
            for path in proofs.values():  # the loser's (or both, without an answer)
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass


def _receive(child: Any, errors: dict[str, str]) -> Optional[SatResult]:
    """CaDiCaL's answer from its child, or ``None`` (with the reason in ``errors``)."""
    try:
        kind, payload = child.recv()
    except EOFError:
        child.join()
        errors["cadical"] = f"solver process died (exit code {child.exitcode})"
        return None
    if kind == "error":
        errors["cadical"] = f"solver process failed: {payload}"
        return None
    return payload  # type: ignore[no-any-return]


def _won(winner: str, res: SatResult, t0: float, errors: dict[str, str],
         proofs: dict[str, str], proof_path: Optional[PathLike] = None) -> SatResult:
    if proof_path is not None and res.status == Status.UNSAT:
        os.replace(proofs[winner], proof_path)
    res.stats = {**res.stats, "winner": winner, "wall_s": time.perf_counter() - t0,
                 **{f"{k}_error": v for k, v in errors.items()}}
    return res
