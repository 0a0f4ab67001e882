"""SAT back ends, registered by name (an optional one registers only if it imports)."""

from __future__ import annotations

from typing import Callable

from .base import SatBackend, SatResult
from .cadical import CadicalBackend

BACKENDS: dict[str, Callable[[], SatBackend]] = {"cadical": CadicalBackend}


def get_backend(name: str) -> SatBackend:
    try:
        return BACKENDS[name]()
    except KeyError:
        raise ValueError(f"SAT back end {name!r} is not available "
                         f"(available: {', '.join(sorted(BACKENDS))})") from None


__all__ = ["BACKENDS", "SatBackend", "SatResult", "get_backend"]
