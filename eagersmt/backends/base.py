"""SAT back ends behind one interface: ``solve(cnf, assumptions, timeout) -> SatResult``.

Back ends register in ``BACKENDS`` by name when their module imports (see ``__init__``).
A model is a list of DIMACS literals indexed by ``var - 1``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Protocol, Sequence, Union

from ..encode.cnf import CNF
from ..result import Status

PathLike = Union[str, "os.PathLike[str]"]


@dataclass
class SatResult:
    status: Status
    model: Optional[list[int]] = None
    stats: dict[str, Any] = field(default_factory=dict)  # floats, and e.g. str "winner"

    def value(self, var: int) -> bool:
        assert self.model is not None
        return self.model[var - 1] > 0


class SatBackend(Protocol):
    """``solve`` decides the CNF under the assumptions; with ``proof_path`` an UNSAT answer
    comes with a text DRAT proof written there (of the CNF plus the assumption units).
    ``warm``: a CaDiCaL already loaded with the CNF (``cadical.solve_limited(keep=True)``)
    that a back end running CaDiCaL goes on from; the others ignore it."""

    name: str

    def solve(self, cnf: CNF, assumptions: Sequence[int] = (), *,
              timeout: Optional[float] = None,
              proof_path: Optional[PathLike] = None, warm: Any = None) -> SatResult: ...


def write_proof(path: PathLike, lines: Iterable[str]) -> None:
    """Write proof lines (DRAT text, one step per line) to ``path``."""
    with open(path, "w", buffering=1 << 20) as f:
        for line in lines:
            f.write(line)
            f.write("\n")
