"""Registries: the extension points of eagersmt (encodings, SAT back ends, cube levels), as data.

A ``Registry`` maps a name to an *entry*: a frozen value that says what the
implementation is and can do (its help line, whether it writes proofs, ...).  The
implementation itself is named ``"module:attribute"`` and imported on first use, so
listing the choices (``Config``, ``--help``) loads nothing; a test or a plug-in may register
an object directly.  The options table (``config.py``) and the CLI read their choices from
the registries, so adding an encoding or a back end is one new module plus one entry in its
package's ``__init__`` (as pysmt's ``factory.py`` registers solvers).
"""

from __future__ import annotations

import importlib
from typing import Any, Generic, Iterator, TypeVar


class Entry:
    """What every registry entry has: a ``name``, the implementation (``"module:attr"`` or
    the object itself) and a one-line ``help``; a kind of entry (a subclass) adds keyword
    fields, ``FIELDS`` (name -> default) and as many ``__slots__``.  Frozen: ``replace``
    gives a changed copy.  (A plain class rather than a dataclass: the solve path does not
    import ``dataclasses``, whose import and class creation are a large part of a small
    file's run; ``benchmarks/RESULTS.md``, "Start-up".)"""

    __slots__ = ("name", "target", "help")
    FIELDS: dict[str, Any] = {}

    def __init__(self, name: str, target: Any, help: str, **fields: Any) -> None:
        unknown = set(fields) - set(self.FIELDS)
        if unknown:
            raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument "
                            f"{min(unknown)!r}")
        put = object.__setattr__
        put(self, "name", name)
        put(self, "target", target)
        put(self, "help", help)
        for key, default in self.FIELDS.items():
            put(self, key, fields.get(key, default))

    def _values(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("name", "target", "help", *self.FIELDS)}

    def replace(self, **changes: Any) -> Any:
        """A copy with ``changes``."""
        return type(self)(**{**self._values(), **changes})

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {key!r} of a frozen entry")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()  # type: ignore

    def __reduce__(self) -> tuple[Any, ...]:
        return _entry, (type(self), self._values())

    def __hash__(self) -> int:
        return hash(tuple(self._values().values()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(" + ", ".join(
            f"{k}={v!r}" for k, v in self._values().items()) + ")"

    def load(self) -> Any:
        """The implementation (imported on first call)."""
        if not isinstance(self.target, str):
            return self.target
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)


def _entry(kind: type, values: dict[str, Any]) -> Entry:
    """An entry of ``kind`` from its values (unpickling)."""
    return kind(**values)  # type: ignore[no-any-return]


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
