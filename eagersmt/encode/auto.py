"""Which encoding each variable class gets: the ``auto`` rule, and the fall-backs.

``auto``, per class (recorded in the stats as ``encodings`` and ``choice``):

1. ordering classes (every constant 0 or -1: ``x < y``, ``x <= y``; race detection) try EIJ
   first, with a transitivity budget (``EIJ_AUTO_CLAUSES``): their derived constants stay in
   {0, -1}, while the order encoding pays for domains as wide as the longest chain;
2. the order encoding when its predicted clause count (exact, from the domains) is at most
   ``ORDER_AUTO_CLAUSES``: unit propagation is bound propagation, best on scheduling;
3. else EIJ with the budget (sparse classes with few distinct constants);
4. else small-domain bit-vectors, whose size is logarithmic in the domain.

Before the rule, a class with machines (cliques of root disjunctions) is propagated at the
root (``disjunctive.py``, called from ``assemble.py``): its lemmas narrow the domains the
rule sees, decide disjunctions (unit clauses) or refute the class; a pure class whose
tightest machine has no slack may be restricted to a list schedule (``listsched.py``).
Where the rule picks the order encoding for such a class and its mean window is at least
``COMPACT_AUTO_WIDTH`` wide, the compact order encoding comes first (``machine_encodings``:
bound moves on ladders ``B`` times shorter; ``compact.py``).

A requested encoding that exceeds its budget (``EncodingTooLarge``) falls back for that
class (``order`` to SD; ``eij`` to order when it fits, else SD), and the stats say so
(``order->sd``, ``eij->order``).  With ``checkable`` (``solve --proof``), every encoding
whose clauses ``check-proof`` verifies is tried at its full budget before one it does not.
The measurements behind the rule and its constants: ``benchmarks/RESULTS.md``, "Encodings".
"""

from __future__ import annotations

from . import AUTO, ENCODINGS
from .base import Encoding, VarClass
from .compact import Compact
from .domains import class_domains
from .eij import EIJ, is_ordering
from .order import Order, predicted_clauses
from .sd import SmallDomain

ORDER_AUTO_CLAUSES = 3_000_000
EIJ_AUTO_CLAUSES = 200_000
COMPACT_AUTO_WIDTH = 128  # mean window (domain width) of a machine class from which compact wins


def candidates(cls: VarClass, requested: str, eij_max_clauses: int,
               checkable: bool = False) -> tuple[list[Encoding], str]:
    """Encodings to try for ``cls``, best first (SD, last, always fits), and why."""
    encs, why = _preferred(cls, requested, eij_max_clauses)
    if checkable and requested != "sd":
        full = {"order": Order(), "eij": EIJ(eij_max_clauses)}
        have = {e.name for e in encs if not isinstance(e, EIJ) or e.max_clauses >= eij_max_clauses}
        extra = [full[e.name] for e in ENCODINGS
                 if e.checkable and e.name in full and e.name not in have]
        encs = encs[:-1] + extra + encs[-1:]
    return encs, why


def _preferred(cls: VarClass, requested: str, eij_max_clauses: int) -> tuple[list[Encoding], str]:
    if requested == "sd":
        return [SmallDomain()], "requested"
    if requested == "order":
        return [Order(), SmallDomain()], "requested"
    if requested not in ("eij", AUTO):  # an encoding without a rule of its own here
        return [ENCODINGS[requested].load()(), SmallDomain()], "requested"
    dom = class_domains(cls)
    predicted = predicted_clauses(cls, dom)
    order = [Order(dom)] if predicted <= ORDER_AUTO_CLAUSES else []
    if requested == "eij":
        return [EIJ(eij_max_clauses), *order, SmallDomain()], "requested"
    eij = EIJ(min(EIJ_AUTO_CLAUSES, eij_max_clauses))
    why = f"order predicts {predicted} clauses"
    if is_ordering(cls):
        return [eij, *order, SmallDomain()], "ordering class; " + why
    return [*order, eij, SmallDomain()], why


def machine_encodings(encs: list[Encoding], cls: VarClass, why: str) -> tuple[list[Encoding], str]:
    """For a class with machines (root-propagated, not restricted to a schedule) that the
    rule gave the order encoding: the compact order encoding first when its mean window is
    at least ``COMPACT_AUTO_WIDTH`` wide."""
    order = encs[0]
    assert isinstance(order, Order)
    dom = order.domains or class_domains(cls)
    mean = sum(dom.hi[x] - dom.lo[x] for x in cls.variables) / max(1, len(cls.variables))
    if mean < COMPACT_AUTO_WIDTH:
        return encs, why
    return [Compact(dom), *encs], f"{why}; mean window {mean:.0f}"
