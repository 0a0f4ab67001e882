"""Eager reduction: normalized circuit -> CNF plus a decoder (``encode``).

Tseitin handles the Boolean structure; each variable class (connected component of the
constraint graph) is then handed to one theory encoding from ``ENCODINGS``.

``auto`` (per class, recorded in the stats as ``encodings`` and ``auto_rule``):
1. ordering classes (every constant 0 or -1: ``x < y``, ``x <= y``; race detection) try EIJ
   first, with a transitivity budget (``EIJ_AUTO_CLAUSES``): their derived constants stay in
   {0, -1}, while the order encoding pays for domains as wide as the longest chain
   (RVpredict_12: EIJ 0.9 s, 116k clauses; order 5.3 s, 2.8M clauses);
2. the order encoding when its predicted clause count (exact, from the domains) is at most
   ``ORDER_AUTO_CLAUSES``: unit propagation is bound propagation, the best performer on
   scheduling in our measurements (ft06 at optimum-1: order 0.01 s, SD 48 s, EIJ blows up);
3. else EIJ with the budget (sparse classes with few distinct constants);
4. else small-domain bit-vectors, whose size is logarithmic in the domain.
Before the rule, a class with machines (cliques of root disjunctions, ``disjunctive.py``)
is propagated at the root; its lemmas narrow the order encoding's domains (rule 2 then
sees the narrowed class), decide disjunctions (unit clauses), or refute the class.
An explicitly requested encoding that exceeds its budget (``EncodingTooLarge``) falls back
for that class (``order`` to SD; ``eij`` to order when it fits, else SD: SD on job shop is
hopeless), and the stats say so (``order->sd``, ``eij->order``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from ..ir.normalize import Normalized
from ..result import Stats
from .base import Decoder, Encoding, EncodingTooLarge, VarClass, split_classes
from . import disjunctive
from .cnf import CNF
from .domains import NegativeCycle, class_domains
from .eij import EIJ, is_ordering
from .order import Order, OrderDecoder, predicted_clauses
from .pairs import pair_lemmas
from .sd import SmallDomain
from .tseitin import Tseitin, tseitin

ENCODINGS: dict[str, Callable[..., Encoding]] = {"sd": SmallDomain, "order": Order, "eij": EIJ}

ORDER_AUTO_CLAUSES = 3_000_000
EIJ_AUTO_CLAUSES = 200_000


@dataclass
class Encoded:
    cnf: CNF
    tseitin: Tseitin
    decoders: list[Decoder] = field(default_factory=list)
    var_ranges: list[tuple[int, int]] = field(default_factory=list)  # per decoder: new variables
    choices: dict[str, int] = field(default_factory=dict)

    def decode(self, value: Callable[[int], bool]) -> tuple[dict[int, int], dict[str, bool]]:
        ints: dict[int, int] = {}
        for d in self.decoders:
            ints.update(d.decode(value))
        bools = {name: value(v) for name, v in self.tseitin.bool_vars.items()}
        return ints, bools

    def order_decoder(self, x: int) -> Optional[OrderDecoder]:
        """The order-encoding decoder of the class of circuit variable ``x`` (None if another
        encoding took that class)."""
        for d in self.decoders:
            if isinstance(d, OrderDecoder) and x in d.base:
                return d
        return None


def _candidates(cls: VarClass, requested: str, eij_max_clauses: int,
                checkable: bool = False) -> tuple[list[Encoding], str]:
    """Encodings to try for ``cls``, best first (SD, last, always fits), and why.

    ``checkable`` (``solve --proof``): certificates check order and EIJ clauses, not SD's, so
    before falling back to SD try both at their full budgets."""
    encs, why = _preferred(cls, requested, eij_max_clauses)
    if checkable and requested != "sd":
        has_order = any(isinstance(e, Order) for e in encs)
        full_eij = any(isinstance(e, EIJ) and e.max_clauses >= eij_max_clauses for e in encs)
        encs = encs[:-1] + ([] if has_order else [Order()]) + \
            ([] if full_eij else [EIJ(eij_max_clauses)]) + encs[-1:]
    return encs, why


def _preferred(cls: VarClass, requested: str, eij_max_clauses: int) -> tuple[list[Encoding], str]:
    if requested == "sd":
        return [SmallDomain()], "requested"
    if requested == "order":
        return [Order(), SmallDomain()], "requested"
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


def encode(norm: Normalized, *, encoding: str = "auto", eij_max_clauses: int = 2_000_000,
           stats: Optional[Stats] = None, prefer_order: frozenset[int] = frozenset(),
           checkable: bool = False) -> Encoded:
    """``prefer_order``: circuit variable indices whose class gets the order encoding whatever
    ``encoding`` says (SD if it does not fit): the optimizer reads and extends the order
    literals ``[x <= a]`` of its objective through ``Encoded.order_decoder(x)``.
    ``checkable``: avoid the small-domain encoding where order or EIJ fit (certificates)."""
    t0 = time.perf_counter()
    cnf = CNF()
    ts = tseitin(norm.circuit, cnf)
    out = Encoded(cnf, ts)
    classes = split_classes(ts.preds, norm.circuit.unit_preds())
    reasons: list[str] = []
    lemma_preds = []
    disj = disjunctive.Root(norm.circuit, checkable) if encoding == "auto" and not prefer_order else None
    for cls in classes:
        try:
            tried = []
            sched = disjunctive.strengthen(cls, disj) if disj else None
            if sched is not None and _schedule_hook(sched, cls, cnf, out, stats):
                continue
            if prefer_order and not prefer_order.isdisjoint(cls.variables):
                candidates, why = [Order(), SmallDomain()], "objective class"
            else:
                candidates, why = _candidates(sched[2] if sched else cls, encoding, eij_max_clauses, checkable)
                if sched is not None and isinstance(candidates[0], Order):
                    tag = "restricted to a list schedule" if sched[0].restricted else "narrowed"
                    cls, why = sched[2], f"machines, {tag}; " + why  # the lemmas are units
                elif sched is not None:  # the lemmas serve the order encoding only
                    sched = None
                    candidates, why = _candidates(cls, encoding, eij_max_clauses, checkable)
            for enc in candidates:
                tried.append(enc.name)
                try:
                    first = cnf.nvars + 1
                    out.decoders.append(enc.encode(cls, cnf))
                    if sched is not None:
                        disjunctive.attach(sched, out.decoders[-1], cls, cnf)
                    if enc.name != "eij":  # EIJ has pair clauses of its own
                        lemma_preds.extend(cls.preds)
                    out.var_ranges.append((first, cnf.nvars))
                    break
                except EncodingTooLarge:
                    continue
            name = "->".join(tried)
            out.choices[name] = out.choices.get(name, 0) + 1
            if len(reasons) < 3:
                reasons.append(f"{len(cls.variables)} vars, {len(cls.preds)} preds: {why} -> {name}")
        except NegativeCycle:
            cnf.add([])  # the unconditional constraints alone are contradictory
    start = len(cnf.clauses)
    lemmas = pair_lemmas(lemma_preds, cnf)
    if lemmas:
        cnf.redundant.append(range(start, len(cnf.clauses)))
    if stats is not None:
        stats.add_time("encode", time.perf_counter() - t0)
        stats.counts.update(vars=cnf.nvars, clauses=len(cnf.clauses), classes=len(classes),
                            preds=len(ts.preds), pair_lemmas=lemmas)
        stats.notes["encodings"] = ",".join(f"{k}:{v}" for k, v in sorted(out.choices.items()))
        if reasons:
            more = f" (+{len(classes) - len(reasons)} more classes)" if len(classes) > len(reasons) else ""
            stats.notes["choice"] = "; ".join(reasons) + more
    return out


def _schedule_hook(sched, cls: VarClass, cnf: CNF, out: Encoded, stats: Optional[Stats]) -> bool:
    """Record the root propagation of a class with machines; True when it refuted the class
    (then the class needs no encoding: the CNF gets the empty clause)."""
    res = sched[0]
    if stats is not None:
        stats.counts.update(machines=stats.counts.get("machines", 0) + len(res.machines),
                            fixed_pairs=stats.counts.get("fixed_pairs", 0) + res.fixed,
                            root_lemmas=stats.counts.get("root_lemmas", 0) + len(res.lemmas))
        stats.notes["schedule"] = disjunctive.describe(res)
    if not res.infeasible:
        return False
    cnf.add([])
    out.decoders.append(disjunctive.RefutedDecoder(list(cls.variables), sched[1], res.lemmas))
    out.var_ranges.append((cnf.nvars + 1, cnf.nvars))
    out.choices["refuted"] = out.choices.get("refuted", 0) + 1
    return True
