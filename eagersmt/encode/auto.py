"""Which encoding each variable class gets: the ``auto`` choice, and the fall-backs.

Each encoding declares its own rule (``base.Rule``, named by its registry entry in
``encode/__init__.py``); this module only asks them and orders what they offer.  Under
``auto``, per class (recorded in the stats as ``encodings`` and ``choice``), the rules give:

1. ordering classes (every constant 0 or -1: ``x < y``, ``x <= y``; race detection): EIJ
   first, with a transitivity budget (``eij.EIJ_AUTO_CLAUSES``);
2. the order encoding when its predicted clause count is at most
   ``order.ORDER_AUTO_CLAUSES``;
3. else EIJ with the budget (sparse classes with few distinct constants);
4. else small-domain bit-vectors, whose size is logarithmic in the domain (``sd.rule``).

Before the rules, a class with machines (cliques of root disjunctions) is propagated at the
root (``disjunctive.py``, called from ``assemble.py``): its lemmas narrow the domains the
rules see, decide disjunctions (unit clauses) or refute the class; a pure class whose
tightest machine has no slack may be restricted to a list schedule (``listsched.py``).
Where the order encoding comes first for such a class (not restricted), the compact order
encoding may come before it (``compact.rule``: a mean window of at least
``COMPACT_AUTO_WIDTH``); an encoding whose entry says ``machines`` then gets the class with
its lemmas.

A requested encoding is tried at its full budget, then what its entry's ``fallback`` names
(as ``auto`` would offer it: ``eij`` to order when it fits), then the last resort (the entry
that ``always_fits``: SD); the stats say so (``order->sd``, ``eij->order``).  With
``checkable`` (``solve --proof``), every encoding whose rule offers it for checkable runs is
tried at its full budget before the last resort (SD's certificates check too, but its adder
chains make proofs hard to find: ``sd.py``); SD requested is SD alone.  The measurements
behind the rules: ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

from typing import Optional

from . import AUTO, ENCODINGS, EncodingEntry
from .base import Candidate, Choice, Encoding, VarClass


def candidates(cls: VarClass, requested: str, eij_max_clauses: int, checkable: bool = False,
               machines: bool = False) -> tuple[list[Encoding], str]:
    """Encodings to try for ``cls``, best first (the last one always fits), and why.
    ``machines``: the class has root-propagated machines, not restricted to a list
    schedule, and may take an encoding made for them."""
    choice = Choice(cls, eij_max_clauses, machines=machines)
    if requested == AUTO:
        offered = sorted((c for e in ENCODINGS for c in [_offer(e, choice, "auto")] if c),
                         key=lambda c: c.rank)
        why = "; ".join(c.why for c in offered if c.why)
        offered = [c for c in offered if c.encoding is not None]
    else:
        entry = ENCODINGS[requested]
        offered = [_offer(entry, choice, "requested")]  # type: ignore[list-item]
        for name in entry.fallback:
            c = _offer(ENCODINGS[name], choice, "auto")
            if c is not None and c.encoding is not None:
                offered.append(c)
        if not entry.always_fits:
            offered += [_offer(e, choice, "requested") for e in ENCODINGS  # type: ignore[misc]
                        if e.always_fits]
        why = "requested"
    encs: list[Encoding] = [c.encoding for c in offered]  # type: ignore[misc]
    if checkable and (requested == AUTO or not ENCODINGS[requested].always_fits):
        have = {c.encoding.name for c in offered if c.full}  # type: ignore[union-attr]
        extra = [c.encoding for e in ENCODINGS if e.name not in have
                 for c in [_offer(e, choice, "checkable")] if c and c.encoding]
        encs = encs[:-1] + extra + encs[-1:]  # type: ignore[operator]
    return encs, why


def _offer(entry: EncodingEntry, choice: Choice, mode: str) -> Optional[Candidate]:
    """What ``entry``'s rule offers in ``mode``; an encoding without a rule is offered
    only when requested (as ``target()``)."""
    rule = entry.rule()
    if rule is not None:
        return rule(choice, mode)
    return Candidate(0, entry.load()()) if mode == "requested" else None
