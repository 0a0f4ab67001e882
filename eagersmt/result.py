"""Values the library returns: an answer, a model, and the statistics of how it was found."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Union

Value = Union[int, bool, Fraction]


class Status(str, enum.Enum):
    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"

    def __str__(self) -> str:  # prints like an SMT solver
        return self.value


@dataclass
class Stats:
    """Seconds per stage and sizes; filled by the stages, printed only by the CLI."""

    times: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def add_time(self, stage: str, seconds: float) -> None:
        self.times[stage] = self.times.get(stage, 0.0) + seconds

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {f"{k}_s": round(v, 6) for k, v in self.times.items()}
        out.update(self.counts)
        out.update(self.notes)
        return out


@dataclass
class Result:
    """One ``check-sat`` answer: status, model (declared name -> value) and stats."""

    status: Status
    model: dict[str, Value] = field(default_factory=dict)
    stats: Stats = field(default_factory=Stats)
    reason: str = ""

    def __bool__(self) -> bool:
        raise TypeError("use result.status == Status.SAT, a Result is not a truth value")
