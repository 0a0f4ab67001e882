"""The in-process SAT call of a kept solver: sliced, so deadlines and Ctrl-C are seen.

Used by the guarded encoding of a changing assertion stack (``guarded.py``) and by the
optimizer's bound queries (``bounded.py``): both keep one CaDiCaL across queries.
"""

from __future__ import annotations

import math
import time
from typing import Any, Optional

from ..result import Stats, Status

# The deadline is looked at between slices: ``benchmarks/RESULTS.md``, "Optimization".
FIRST_SLICE = 2_000  # conflicts of the first slice of a fresh solver (then sized by the rate)
SLICE_SECONDS = 0.5


def solve_bounded(solver: Any, assumptions: list[int], deadline: Optional[float],
                  stats: Stats) -> tuple[Status, list[int]]:
    """Solve in slices of conflicts (``solve_limited``), so that ``deadline`` is honoured and
    Python regains control between slices (CaDiCaL cannot be interrupted from a thread).

    Slices take about ``SLICE_SECONDS`` (at most a quarter of the time left;
    ``backends/pysat.py`` sizes each by the conflict rate of the one before, and the size
    carries over to the next call),
    sliced without a deadline too, so that Ctrl-C is seen between them.  The first slice of
    a call is scaled down to a quarter of the time left (a slice is never cut short)."""
    t0 = time.perf_counter()
    try:
        if not getattr(solver, "bounded_before", False):  # a fresh solver: no rate known yet
            solver.next_slice, solver.bounded_before = FIRST_SLICE, True
        solver.slice_seconds = SLICE_SECONDS
        if deadline is not None:
            scale = max(deadline - t0, 0.0) / 4 / SLICE_SECONDS
            if scale < 1:
                solver.next_slice = max(100, int(solver.next_slice * scale))
        ok = solver.solve(assumptions, deadline=math.inf if deadline is None else deadline)
    finally:
        stats.add_time("solve", time.perf_counter() - t0)
    if ok is None:
        return Status.UNKNOWN, []
    key = "sat_calls" if ok else "unsat_calls"
    stats.counts[key] = stats.counts.get(key, 0) + 1
    return (Status.SAT, solver.model()) if ok else (Status.UNSAT, [])


__all__ = ["FIRST_SLICE", "SLICE_SECONDS", "solve_bounded"]
