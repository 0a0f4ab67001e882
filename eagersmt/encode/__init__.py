"""Eager reduction: a normalized circuit becomes a CNF plus decoders (``encode``).

Tseitin (``tseitin.py``) handles the Boolean structure; each variable class (a connected
component of the constraint graph) is handed to one theory encoding from ``ENCODINGS``,
chosen per class by ``auto.py`` (or as requested); ``pairs.py`` adds pair lemmas;
``assemble.py`` puts it together.  One file per encoding, each opening with its idea, cost
and reference: ``sd`` (small-domain bit-vectors), ``order`` (order encoding), ``eij``
(per-constraint Booleans with transitivity), ``compact`` (compact order encoding).

An encoding's entry says whether ``eagersmt check-proof`` verifies its clauses
(``checkable``); its decoder says what its SAT variables mean for a certificate
(``Decoder.meaning``).  Adding an encoding: its module (an ``Encoding`` with a ``Decoder``),
an entry here, and tests.  This package imports its modules on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..registry import Entry, Registry


@dataclass(frozen=True)
class EncodingEntry(Entry):
    checkable: bool = True  # check-proof verifies this encoding's clauses


ENCODINGS: Registry[EncodingEntry] = Registry("encoding")
ENCODINGS.register(EncodingEntry("sd", "eagersmt.encode.sd:SmallDomain",
                                 "small-domain bit-vectors", checkable=False))
ENCODINGS.register(EncodingEntry("order", "eagersmt.encode.order:Order", "order encoding"))
ENCODINGS.register(EncodingEntry("eij", "eagersmt.encode.eij:EIJ",
                                 "per-constraint Booleans + transitivity"))
ENCODINGS.register(EncodingEntry("compact", "eagersmt.encode.compact:Compact",
                                 "compact order encoding (two base-B digits)"))

AUTO = "auto"  # not an encoding: the per-class choice of ``auto.py``


def choices() -> tuple[str, ...]:
    """What ``--encoding`` accepts: ``auto`` and every registered encoding."""
    return (AUTO, *ENCODINGS.names())


def __getattr__(name: str) -> Any:  # ``encode`` and ``Encoded`` load the encoders on use
    if name in ("encode", "Encoded"):
        from . import assemble

        return getattr(assemble, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    from .assemble import Encoded, encode

__all__ = ["AUTO", "ENCODINGS", "EncodingEntry", "Encoded", "choices", "encode"]
