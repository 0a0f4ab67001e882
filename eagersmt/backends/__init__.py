"""SAT back ends, by name; each module is imported when its back end is first asked for
(``import eagersmt`` and the quick path of an easy instance load neither multiprocessing
nor the Kissat machinery).

``kissat`` and ``portfolio`` need the Kissat executable (see ``kissat.find_kissat``); without
it ``get_backend`` says why (and the default ``portfolio`` degrades to CaDiCaL).
"""

from __future__ import annotations

import importlib
from typing import Callable

from .base import SatBackend, SatResult


def _lazy(module: str, cls: str) -> Callable[[], SatBackend]:
    def make() -> SatBackend:
        return getattr(importlib.import_module(f"{__name__}.{module}"), cls)()

    return make


# name -> factory (tests and the fuzzer may swap one in)
BACKENDS: dict[str, Callable[[], SatBackend]] = {
    "cadical": _lazy("cadical", "CadicalBackend"),
    "kissat": _lazy("kissat", "KissatBackend"),
    "portfolio": _lazy("portfolio", "PortfolioBackend"),
}


def unavailable(name: str) -> str:
    """Why back end ``name`` cannot run here ('' when it can)."""
    if name in ("kissat", "portfolio"):
        from .kissat import KissatNotFound, find_kissat

        try:
            find_kissat()
        except KissatNotFound as e:
            return str(e)
    return ""


def get_backend(name: str) -> SatBackend:
    if name not in BACKENDS:
        raise ValueError(f"unknown SAT back end {name!r} (known: {', '.join(sorted(BACKENDS))})")
    why = unavailable(name)
    if why and name == "portfolio":
        return BACKENDS["cadical"]()  # the default portfolio degrades to CaDiCaL without Kissat
    if why:
        available = [n for n in sorted(BACKENDS) if not unavailable(n)]
        raise ValueError(f"SAT back end {name!r} is not available: {why} "
                         f"(available: {', '.join(available)})")
    return BACKENDS[name]()


__all__ = ["BACKENDS", "SatBackend", "SatResult", "get_backend", "unavailable"]
