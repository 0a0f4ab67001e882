"""Values the library returns: an answer, a model, and the statistics of how it was found.

Plain classes rather than dataclasses: the solve path does not import ``dataclasses``, whose
import and class creation are a large part of a small file's run (``benchmarks/RESULTS.md``,
"Start-up"); they compare and print as the dataclasses did.
"""

from __future__ import annotations

import enum
from fractions import Fraction
from typing import Optional, Union

Value = Union[int, bool, Fraction]


class Status(str, enum.Enum):
    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"

    def __str__(self) -> str:  # prints like an SMT solver
        return self.value


class Stats:
    """Seconds per stage and sizes; filled by the stages, printed only by the CLI."""

    __slots__ = ("times", "counts", "notes")

    def __init__(self, times: Optional[dict[str, float]] = None,
                 counts: Optional[dict[str, int]] = None,
                 notes: Optional[dict[str, str]] = None) -> None:
        self.times: dict[str, float] = {} if times is None else times
        self.counts: dict[str, int] = {} if counts is None else counts
        self.notes: dict[str, str] = {} if notes is None else notes

    def __eq__(self, other: object) -> bool:
        return type(other) is Stats and (self.times, self.counts, self.notes) == (
            other.times, other.counts, other.notes)  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Stats(times={self.times!r}, counts={self.counts!r}, notes={self.notes!r})"

    def add_time(self, stage: str, seconds: float) -> None:
        self.times[stage] = self.times.get(stage, 0.0) + seconds

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {f"{k}_s": round(v, 6) for k, v in self.times.items()}
        out.update(self.counts)
        out.update(self.notes)
        return out


class Result:
    """One ``check-sat`` answer: status, model (declared name -> value) and stats."""

    __slots__ = ("status", "model", "stats", "reason")

    def __init__(self, status: Status, model: Optional[dict[str, Value]] = None,
                 stats: Optional[Stats] = None, reason: str = "") -> None:
        self.status = status
        self.model: dict[str, Value] = {} if model is None else model
        self.stats = Stats() if stats is None else stats
        self.reason = reason

    def __eq__(self, other: object) -> bool:
        return type(other) is Result and (self.status, self.model, self.stats, self.reason) == (
            other.status, other.model, other.stats, other.reason)  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"Result(status={self.status!r}, model={self.model!r}, stats={self.stats!r}, "
                f"reason={self.reason!r})")

    def __bool__(self) -> bool:
        raise TypeError("use result.status == Status.SAT, a Result is not a truth value")
