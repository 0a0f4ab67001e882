"""The probe: CaDiCaL alone on the whole CNF for a second, in this process, before any cube
or worker ("do not cube what the monolithic solve does in seconds": an easy instance must
not pay for a cluster).  ``probe`` hands back its solver, with what it has learnt, for the
forked workers to start from (``cubes.py``, ``sharing.py``); ``probe_learning`` runs it
with a learner, for Ray actors that cannot start from this process's solver (``sharing.py``:
the probe's short learnt clauses go into the first sharing round).
Measurements behind ``PROBE_SECONDS``: ``benchmarks/RESULTS.md``, "Cube-and-conquer
speed-up" and "Clause sharing".
"""

from __future__ import annotations

from typing import Any

from ..backends.base import SatResult
from ..result import Status

PROBE_SECONDS = 1.0


def probe(cnf: Any, seconds: float) -> tuple[SatResult, Any]:
    """Give CaDiCaL ``seconds`` on the whole CNF, in this process: ``(SatResult, worker)``,
    UNKNOWN if it did not decide; the caller closes the ``conquer.local.CubeWorker``, whose
    solver warm-starts the cube workers."""
    from ..conquer.local import CubeWorker

    w = CubeWorker(cnf)
    try:
        return w.solve([], timeout=seconds), w
    except BaseException:
        w.close()
        raise


def probe_learning(cnf, seconds: float):  # type: ignore[no-untyped-def]
    """``probe`` with a learner on the probe's solver: its answer if it decides, else
    the short clauses it learnt (implied by the CNF: the Ray actors' first import).  The
    search runs in a thread of its own (see ``cadical.Learner``); Ctrl-C waits for its end
    (``seconds`` at most)."""
    import threading

    from ..conquer.local import CubeWorker
    from ..conquer.sharing import Sharer, cnf_tag

    worker = CubeWorker(cnf)
    sharer = Sharer(cnf_tag(cnf), cnf.nvars)
    box: dict = {}
    done = threading.Event()

    def search() -> None:
        try:
            box["answer"] = worker.solve([], timeout=seconds)
        except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
            box["error"] = e
        finally:
            done.set()

    try:
        sharer.attach(worker.solver)
        threading.Thread(target=search, name="eagersmt-probe", daemon=True).start()
        while not done.is_set():  # (an interrupted ``join`` may forget the thread runs)
            try:
                done.wait(0.1)
            except KeyboardInterrupt as e:  # after the probe's deadline, it goes on up
                box.setdefault("error", e)
        if "error" in box:
            raise box["error"]
        p = box["answer"]
        if p.status != Status.UNKNOWN:
            return p
        sharer.collect()
        return sharer.outbox
    finally:
        sharer.close()
        worker.close()
