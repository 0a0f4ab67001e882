"""``encode``: Tseitin, then one theory encoding per variable class, then pair lemmas.

The result, ``Encoded``, is the CNF with its inverse: ``decode`` reads the integer value of
every variable and the truth of every Boolean back from a SAT model (each class through its
encoding's decoder).  Which encoding a class gets: ``auto.py``; under ``auto`` a class with
machines is first propagated at the root (``disjunctive.py``), and may get the compact
order encoding (``compact.rule``); its CNF then asks the SAT solvers for the
settings measured best on such job shops (the encoding's ``machine_tuning``, ``CNF.tuning``:
stable search mode only, no inprocessing; the back ends' ``TUNINGS`` say what that means).
"""

from __future__ import annotations

import time
from typing import Callable, Optional

from ..ir.normalize import Normalized
from ..result import Stats
from . import ENCODINGS, disjunctive
from .auto import candidates
from .base import Decoder, EncodingTooLarge, split_classes
from .cnf import CNF
from .domains import NegativeCycle
from .order import Order, OrderDecoder
from .pairs import pair_lemmas
from .sd import SmallDomain
from .tseitin import Tseitin, tseitin


class Encoded:
    """A formula's CNF and what decoding needs.  (A plain class: the solve path does not
    import ``dataclasses``; ``result.py``.)"""

    def __init__(self, cnf: CNF, tseitin: Tseitin, decoders: Optional[list[Decoder]] = None,
                 var_ranges: Optional[list[tuple[int, int]]] = None,
                 choices: Optional[dict[str, int]] = None) -> None:
        self.cnf = cnf
        self.tseitin = tseitin
        self.decoders: list[Decoder] = [] if decoders is None else decoders
        self.var_ranges: list[tuple[int, int]] = (
            [] if var_ranges is None else var_ranges)  # per decoder: new variables
        self.choices: dict[str, int] = {} if choices is None else choices

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


def encode(norm: Normalized, *, encoding: str = "auto", eij_max_clauses: int = 2_000_000,
           stats: Optional[Stats] = None, prefer_order: frozenset[int] = frozenset(),
           checkable: bool = False, extendable: bool = False) -> Encoded:
    """``prefer_order``: circuit variable indices whose class gets the order encoding whatever
    ``encoding`` says (SD if it does not fit): the optimizer reads and extends the order
    literals ``[x <= a]`` of its objective through ``Encoded.order_decoder(x)``.
    ``checkable``: avoid the small-domain encoding where order or EIJ fit (certificates).
    ``extendable``: the caller will add clauses for further assertions (incremental)."""
    t0 = time.perf_counter()
    cnf = CNF()
    ts = tseitin(norm.circuit, cnf)
    out = Encoded(cnf, ts)
    classes = split_classes(ts.preds, norm.circuit.unit_preds())
    reasons: list[str] = []
    lemma_preds = []
    # machines propagated at the root (auto only: explicit encodings keep their CNF)
    # (no list-schedule restriction when certificates must check it or clauses will be added)
    root = (disjunctive.Root(norm.circuit, exact=checkable or extendable)
            if encoding == "auto" and not prefer_order else None)
    for cls in classes:
        try:
            tried = []
            sched = disjunctive.strengthen(cls, root) if root else None
            if sched is not None and disjunctive.record(sched, cls, cnf, out, stats):
                continue  # refuted at the root: the empty clause, no encoding
            if prefer_order and not prefer_order.isdisjoint(cls.variables):
                encs, why = [Order(), SmallDomain()], "objective class"
            else:  # (incremental, or a list schedule: no encoding made for machines but order)
                machines = sched is not None and not sched[0].restricted and not extendable
                encs, why = candidates(sched[2] if sched else cls, encoding, eij_max_clauses,
                                       checkable, machines=machines)
                if sched is not None and ENCODINGS[encs[0].name].machines:
                    tag = "restricted to a list schedule" if sched[0].restricted else "narrowed"
                    cls, why = sched[2], f"machines, {tag}; " + why  # the lemmas are units
                elif sched is not None:  # the lemmas serve encodings made for machines only
                    sched = None
                    encs, why = candidates(cls, encoding, eij_max_clauses, checkable)
            for enc in encs:
                tried.append(enc.name)
                try:
                    first = cnf.nvars + 1
                    out.decoders.append(enc.encode(cls, cnf))
                    if sched is not None:
                        disjunctive.attach(sched, out.decoders[-1], cls, cnf, stats,
                                           ordering=enc.ordering_clauses)
                        cnf.tuning = cnf.tuning or enc.machine_tuning
                    if not enc.own_pair_clauses:
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
        if cnf.tuning:
            stats.notes["tuning"] = cnf.tuning
        if reasons:
            more = f" (+{len(classes) - len(reasons)} more classes)" if len(classes) > len(reasons) else ""
            stats.notes["choice"] = "; ".join(reasons) + more
    return out
