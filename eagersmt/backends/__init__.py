"""SAT back ends, registered by name (an optional one registers only if it imports).

``kissat`` and ``portfolio`` need the Kissat executable (see ``kissat.find_kissat``); without
it they do not register and ``get_backend`` says why.
"""

from __future__ import annotations

from typing import Callable

from .base import SatBackend, SatResult
from .cadical import CadicalBackend
from .kissat import KissatBackend, KissatNotFound, find_kissat
from .portfolio import PortfolioBackend

BACKENDS: dict[str, Callable[[], SatBackend]] = {"cadical": CadicalBackend}
UNAVAILABLE: dict[str, str] = {}  # name -> why it did not register

try:
    find_kissat()
except KissatNotFound as e:
    UNAVAILABLE["kissat"] = UNAVAILABLE["portfolio"] = str(e)
else:
    BACKENDS["kissat"] = KissatBackend
    BACKENDS["portfolio"] = PortfolioBackend


def get_backend(name: str) -> SatBackend:
    if name == "portfolio" and name not in BACKENDS:
        return CadicalBackend()  # the default portfolio degrades to CaDiCaL without Kissat
    try:
        return BACKENDS[name]()
    except KeyError:
        why = f": {UNAVAILABLE[name]}" if name in UNAVAILABLE else ""
        raise ValueError(f"SAT back end {name!r} is not available{why} "
                         f"(available: {', '.join(sorted(BACKENDS))})") from None


__all__ = ["BACKENDS", "SatBackend", "SatResult", "get_backend"]
