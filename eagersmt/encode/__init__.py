"""Eager reduction: a normalized circuit becomes a CNF plus decoders (``encode``).

Tseitin (``tseitin.py``) handles the Boolean structure; each variable class (a connected
component of the constraint graph) is handed to one theory encoding from ``ENCODINGS``,
chosen per class by ``auto.py`` (or as requested); ``pairs.py`` adds pair lemmas;
``assemble.py`` puts it together.  One file per encoding, each opening with its idea, cost
and reference: ``sd`` (small-domain bit-vectors), ``order`` (order encoding), ``eij``
(per-constraint Booleans with transitivity), ``compact`` (compact order encoding).

An encoding's entry declares what the rest of eagersmt needs to know of it: how
``eagersmt check-proof`` reads what its SAT variables mean (``certificate``: a form of
``check/proof.py``'s readers, written by its decoder's ``Decoder.meaning``; without one its
certificates are rejected), and its rule for ``auto`` (``auto``: ``base.Rule``, in its
module; ``fallback``, ``always_fits``, ``machines``).  Adding an encoding: its module (an
``Encoding`` with a ``Decoder`` and a rule), an entry here, and tests.  This package imports
its modules on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..registry import Entry, Registry


class EncodingEntry(Entry):
    # certificate: how check-proof reads what its variables mean (``Decoder.meaning``):
    # "ladders" (order literals), "atoms" (a variable per atom), "digits" (compact), "bits"
    # (small-domain).  auto: "module:function", its rule (``base.Rule``); None: it is never
    # chosen by ``auto``, and requested it is ``target()``.  fallback: requested and too
    # large, these (as ``auto`` would offer them), then the last resort.  always_fits: the
    # last resort, never too large.  machines: takes a class with machines (its root
    # lemmas, ordering clauses).
    FIELDS = {"certificate": "", "auto": None, "fallback": (), "always_fits": False,
              "machines": False}
    __slots__ = tuple(FIELDS)
    certificate: str
    auto: Optional[str]
    fallback: tuple[str, ...]
    always_fits: bool
    machines: bool

    def rule(self) -> Optional["Rule"]:
        """The encoding's rule (imported on first call), None without one."""
        return None if self.auto is None else Entry(self.name, self.auto, "").load()


ENCODINGS: Registry[EncodingEntry] = Registry("encoding")
ENCODINGS.register(EncodingEntry(
    "sd", "eagersmt.encode.sd:SmallDomain", "small-domain bit-vectors",
    certificate="bits", auto="eagersmt.encode.sd:rule", always_fits=True))
ENCODINGS.register(EncodingEntry(
    "order", "eagersmt.encode.order:Order", "order encoding", certificate="ladders",
    auto="eagersmt.encode.order:rule", machines=True))
ENCODINGS.register(EncodingEntry(
    "eij", "eagersmt.encode.eij:EIJ", "per-constraint Booleans + transitivity",
    certificate="atoms", auto="eagersmt.encode.eij:rule", fallback=("order",)))
ENCODINGS.register(EncodingEntry(
    "compact", "eagersmt.encode.compact:Compact", "compact order encoding (two base-B digits)",
    certificate="digits", auto="eagersmt.encode.compact:rule", machines=True))

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
    from .base import Rule

__all__ = ["AUTO", "ENCODINGS", "EncodingEntry", "Encoded", "choices", "encode"]
