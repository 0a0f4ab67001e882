"""Eager reduction: normalized circuit -> CNF plus a decoder (``encode``).

Tseitin handles the Boolean structure; each variable class (connected component of the
constraint graph) is then handed to one theory encoding from ``ENCODINGS``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from ..ir.normalize import Normalized
from ..result import Stats
from .base import Decoder, Encoding, VarClass, split_classes
from .cnf import CNF
from .domains import NegativeCycle, class_domains
from .order import Order, predicted_clauses
from .sd import SmallDomain
from .tseitin import Tseitin, tseitin

ENCODINGS: dict[str, Callable[[], Encoding]] = {"sd": SmallDomain, "order": Order}

# auto: order encoding while its predicted size stays below this many clauses per class.
ORDER_CLAUSE_BUDGET = 3_000_000


def choose(cls: VarClass, requested: str) -> Encoding:
    if requested == "auto":
        dom = class_domains(cls)
        if predicted_clauses(cls, dom) <= ORDER_CLAUSE_BUDGET:
            return Order(dom)
        return SmallDomain()
    return ENCODINGS[requested]()


@dataclass
class Encoded:
    cnf: CNF
    tseitin: Tseitin
    decoders: list[Decoder] = field(default_factory=list)
    choices: dict[str, int] = field(default_factory=dict)

    def decode(self, value: Callable[[int], bool]) -> tuple[dict[int, int], dict[str, bool]]:
        ints: dict[int, int] = {}
        for d in self.decoders:
            ints.update(d.decode(value))
        bools = {name: value(v) for name, v in self.tseitin.bool_vars.items()}
        return ints, bools


def encode(norm: Normalized, *, encoding: str = "auto", stats: Stats | None = None) -> Encoded:
    t0 = time.perf_counter()
    cnf = CNF()
    ts = tseitin(norm.circuit, cnf)
    out = Encoded(cnf, ts)
    classes = split_classes(ts.preds, norm.circuit.unit_preds())
    for cls in classes:
        try:
            enc = choose(cls, encoding)
            out.decoders.append(enc.encode(cls, cnf))
        except NegativeCycle:
            cnf.add([])  # the unconditional constraints alone are contradictory
            continue
        out.choices[enc.name] = out.choices.get(enc.name, 0) + 1
    if stats is not None:
        stats.add_time("encode", time.perf_counter() - t0)
        stats.counts.update(vars=cnf.nvars, clauses=len(cnf.clauses), classes=len(classes),
                            preds=len(ts.preds))
        stats.notes["encodings"] = ",".join(f"{k}:{v}" for k, v in sorted(out.choices.items()))
    return out
