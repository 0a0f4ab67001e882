"""SAT back ends behind one interface: ``solve(cnf, assumptions, timeout) -> SatResult``.

Back ends register in ``BACKENDS`` by name when their module imports (see ``__init__``).
A model is a list of DIMACS literals indexed by ``var - 1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Protocol, Sequence

from ..encode.cnf import CNF
from ..result import Status


@dataclass
class SatResult:
    status: Status
    model: Optional[list[int]] = None
    stats: dict[str, Any] = field(default_factory=dict)  # floats, and e.g. str "winner"

    def value(self, var: int) -> bool:
        assert self.model is not None
        return self.model[var - 1] > 0


class SatBackend(Protocol):
    name: str

    def solve(self, cnf: CNF, assumptions: Sequence[int] = (), *,
              timeout: Optional[float] = None) -> SatResult: ...
