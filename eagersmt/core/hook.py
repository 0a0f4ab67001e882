"""The one hook of the lemma store on the core: ``before`` a query is solved, ``after``.

The core owns this interface and the store implements it (``eagersmt/memo/hook.py``): the
store depends on the core, never the reverse.  ``hook_for(config)`` is the hook when the
configuration names a store (``location``: ``--memo PATH|URL`` / ``Config(memo=...)``, else
``$EAGERSMT_MEMO``; ``off`` is none whatever the environment says), or None: off by
default, and then nothing of the store is imported, read or written (no file under the
home directory, no key created).  Its entry is named here and imported on first use
(``registry.Entry``), so the core does not import the store.

* ``before(query, config, norm, stats) -> Before``: a stored answer (a ``sat`` model already
  checked on the query), or stored refutations that apply: added to ``norm``'s circuit
  (one-shot) or given back as guarded clauses for this check (kept encoding); or nothing.
* ``after(query, result, certificate)``: record what was decided (a ``sat`` model; an
  ``unsat`` answer with its stamped certificate) and add the store's counters to
  ``result.stats``.
* ``optimizer(...)``: the optimizer's use of the store (``memo/optimum.py``), or None.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Optional, Protocol

from ..registry import Entry
from ..result import Result, Stats

if TYPE_CHECKING:
    from ..config import Config
    from ..ir.normalize import Normalized
    from ..ir.terms import Term
    from .query import Query

STORE = Entry("memo", "eagersmt.memo.hook:MemoHook", "the lemma store (answers, refutations)")
OFF = "off"
MEMO_ENV = "EAGERSMT_MEMO"  # the store used when the configuration names none


def location(config: Any) -> Optional[str]:
    """The store ``config.memo`` names (else ``$EAGERSMT_MEMO``); None: no store."""
    loc = getattr(config, "memo", None)
    if loc is None:
        loc = os.environ.get(MEMO_ENV) or None
    return None if loc is None or loc == OFF else loc


class Before:
    """What the store gives before solving (module doc)."""

    __slots__ = ("answer", "lemmas", "applied")

    def __init__(self, answer: Optional[Result] = None,
                 lemmas: Optional[list[tuple["Term", str]]] = None, applied: int = 0) -> None:
        self.answer = answer
        self.lemmas = [] if lemmas is None else lemmas  # (clause, guard key)
        self.applied = applied  # stored refutations applied


class StoreHook(Protocol):
    def before(self, query: "Query", config: "Config", norm: Optional["Normalized"],
               stats: Stats) -> Before: ...

    def after(self, query: "Query", result: Result, certificate: Optional[str]) -> None: ...

    def optimizer(self, query: "Query", config: "Config", objective: "Term", maximize: bool,
                  norm: "Normalized") -> Any: ...


def hook_for(config: "Config") -> Optional[StoreHook]:
    """A store hook when ``config`` names a store, else None (module doc)."""
    if location(config) is None:
        return None
    return STORE.load()()  # type: ignore[no-any-return]


__all__ = ["Before", "MEMO_ENV", "OFF", "STORE", "StoreHook", "hook_for", "location"]
