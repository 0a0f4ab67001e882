"""Registries: the extension points of eagersmt (encodings, SAT back ends, cube levels), as data.

A ``Registry`` maps a name to an *entry*: a frozen dataclass that says what the
implementation is and can do (its help line, whether it writes proofs, ...).  The
implementation itself is named ``"module:attribute"`` and imported on first use, so
listing the choices (``Config``, ``--help``) loads nothing; a test or a plug-in may register
an object directly.  The options table (``config.py``) and the CLI read their choices from
the registries, so adding an encoding or a back end is one new module plus one entry in its
package's ``__init__`` (as pysmt's ``factory.py`` registers solvers).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Generic, Iterator, TypeVar


@dataclass(frozen=True)
class Entry:
    """What every registry entry has: a ``name``, the implementation (``"module:attr"`` or
    the object itself) and a one-line ``help``."""

    name: str
    target: Any
    help: str

    def load(self) -> Any:
        """The implementation (imported on first call)."""
        if not isinstance(self.target, str):
            return self.target
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)


E = TypeVar("E", bound=Entry)


class Registry(Generic[E]):
    """Entries by name, in registration order (the order of ``--help``)."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, E] = {}

    def register(self, entry: E, *, replace: bool = False) -> E:
        if entry.name in self._entries and not replace:
            raise ValueError(f"{self.kind} {entry.name!r} is already registered")
        self._entries[entry.name] = entry
        return entry

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)

    def __getitem__(self, name: str) -> E:
        try:
            return self._entries[name]
        except KeyError:
            raise ValueError(f"unknown {self.kind} {name!r} (known: {', '.join(self._entries)})"
                             ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[E]:
        return iter(list(self._entries.values()))

    def names(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def help(self) -> str:
        """``name (help); name (help)...`` for an option's help text."""
        return "; ".join(f"{e.name}: {e.help}" for e in self)
