"""Tseitin transformation of the circuit, polarity-aware (Plaisted–Greenbaum).

A gate that occurs only positively gets only the clauses ``g -> definition``; only
negatively, only ``definition -> g``.  This is sound for satisfiability and, because the
formula is monotone in every such gate, a model of the CNF restricted to the leaves is a
model of the formula.  Top-level ANDs are flattened into unit clauses and a top-level OR
becomes one clause, without a gate variable.  Difference predicates get a variable and
their polarity, which each theory encoding uses to emit only the directions it needs.
Cost: linear in the circuit; about 2 clauses per gate input.
"""

from __future__ import annotations

from typing import Callable

from ..ir.circuit import BOTH, K_AND, K_BVAR, K_IFF, K_ITE, K_PRED, NEG, POS, Circuit, polarities
from .cnf import CNF

__all__ = ["BOTH", "NEG", "POS", "PredUse", "Tseitin", "gate_clauses", "tseitin"]


class PredUse:
    """A difference predicate ``x - y <= c`` in the CNF: its variable and needed directions.
    (This module's classes are plain classes: the solve path does not import
    ``dataclasses``; ``result.py``.)"""

    __slots__ = ("x", "y", "c", "var", "polarity")

    def __init__(self, x: int, y: int, c: int, var: int, polarity: int) -> None:
        self.x = x
        self.y = y
        self.c = c
        self.var = var
        self.polarity = polarity  # POS: var -> constraint needed; NEG: -var -> negation needed


class Tseitin:
    def __init__(self) -> None:
        self.preds: list[PredUse] = []
        self.bool_vars: dict[str, int] = {}
        self.node_var: dict[int, int] = {}


def tseitin(circuit: Circuit, cnf: CNF) -> Tseitin:
    kind, args = circuit.kind, circuit.args
    pol, root_clauses = polarities(circuit)
    out = Tseitin()
    var = out.node_var
    for n in range(2, len(kind)):
        if pol[n]:
            var[n] = cnf.new_var()

    def lit_of(a: int) -> int:
        return var[a] if a > 0 else -var[-a]

    add = cnf.clauses.append
    for clause in root_clauses:
        add([lit_of(a) for a in clause])
    for n, v in var.items():
        k, p = kind[n], pol[n]
        if k == K_PRED:
            x, y, c = args[n]
            out.preds.append(PredUse(x, y, c, v, p))
        elif k == K_BVAR:
            out.bool_vars[args[n][0]] = v
        else:
            gate_clauses(k, args[n], v, p, lit_of, add)
    return out


def gate_clauses(k: int, args: tuple, v: int, p: int, lit_of: Callable[[int], int],
                 add: Callable[[list[int]], None]) -> None:
    """The clauses of gate ``v`` (kind ``k``, children ``args``) in the directions ``p``:
    ``v -> definition`` with ``POS``, ``definition -> v`` with ``NEG``.  (Also used by the
    incremental solver, ``eagersmt/core/guarded.py``, for the direction a gate gains later.)"""
    if k == K_AND:
        ch = [lit_of(a) for a in args]
        if p & POS:
            for a in ch:
                add([-v, a])
        if p & NEG:
            add([v] + [-a for a in ch])
    elif k == K_ITE:
        c, t, e = (lit_of(a) for a in args)
        if p & POS:
            add([-v, -c, t])
            add([-v, c, e])
        if p & NEG:
            add([v, -c, -t])
            add([v, c, -e])
    elif k == K_IFF:
        a, b = (lit_of(x) for x in args)
        if p & POS:
            add([-v, -a, b])
            add([-v, a, -b])
        if p & NEG:
            add([v, a, b])
            add([v, -a, -b])
