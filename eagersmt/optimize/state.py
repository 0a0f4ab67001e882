"""What every objective search keeps: its time, best model, bounds so far and progress.

The difference-logic search (``search.py``) and the linear one (``linear.py``) share it;
each says how a raw bound reads as the user's objective value (``user``).  Cost: none
beyond the search's own.
"""

from __future__ import annotations

import time
from typing import Callable, Optional

from ..config import Config
from ..result import Stats, Status
from .objective import Objective, Optimum, Progress


class SearchState:
    """Bounds are raw (the minimized form); ``ub``/``lb`` are proven when ``lb >= ub``."""

    def __init__(self, objective: Objective, config: Config,
                 progress: Optional[Callable[[Progress], None]]):
        self.obj, self.config, self.progress = objective, config, progress
        self.stats = Stats()
        self.start = time.perf_counter()
        self.deadline = None if config.timeout is None else self.start + config.timeout
        self.history: list[tuple[float, int]] = []
        self.best_model: dict[str, object] = {}
        self.bounds: tuple[Optional[int], Optional[int]] = (None, None)  # raw (ub, lb) so far

    def user(self, raw: Optional[int]) -> Optional[int]:
        """The objective value the user sees for the raw bound ``raw``."""
        raise NotImplementedError

    def result(self, status: Status, ub: Optional[int], lb: Optional[int], *,
               unbounded: bool = False, reason: str = "") -> Optimum:
        proven = ub is not None and lb is not None and lb >= ub
        self.stats.add_time("optimize", time.perf_counter() - self.start)
        return Optimum(status, self.user(ub), proven, unbounded, self.user(lb), self.best_model,
                       self.stats, self.history, reason, self.obj)

    def report(self, ub: Optional[int], lb: Optional[int]) -> None:
        self.bounds = (ub, lb)
        if self.progress is not None:
            self.progress(Progress(self.user(ub), self.user(lb), time.perf_counter() - self.start,
                                   ub is not None and lb is not None and lb >= ub))


__all__ = ["SearchState"]
