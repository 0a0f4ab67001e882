"""Small-domain (SD) encoding: every integer variable becomes a bit-vector.

Idea (Seshia–Bryant, "Deciding quantifier-free Presburger formulas using parameterized
solution bounds", LICS 2004 / CMU-CS-03-210; Bryant–Lahiri–Seshia, CAV 2002): if a
difference-logic formula is satisfiable it has a model in a small box, so each variable can
be a bounded bit-vector and each atom a comparator circuit.

Bound used here, per variable class (connected component of the constraint graph) with
``n`` variables (the zero variable counts): only the directions of a predicate that its
polarity needs are constraints a model relies on (``x - y <= c`` when it occurs
positively, ``y - x <= -c - 1`` negatively).  Let ``m`` be the number of those directed
constraints of negative weight and ``w`` their largest ``|weight|``.  Then every value lies
in ``[0, d]`` with ``d = min(n - 1, m) * w``.  Argument: take any model; the needed
constraints it satisfies form a feasible conjunction.  Add a source with 0-weight edges to
every variable; shortest-path distances satisfy the same constraints (so, with the
predicates valued as in the model, the formula: Tseitin is monotone in each predicate in
its polarity), and each distance is the weight of a simple path: at most ``n - 1`` edges,
at most ``m`` of them negative, each ``>= -w``.  So ``-d <= dist <= 0``; shift by ``d``.
(Seshia–Bryant state ``min(n, m) * (b_max + 1)`` over all atoms; this is the same argument
on the needed directions only, and never larger.)  Width ``w = bitlength(d)`` unsigned
bits per variable.

Circuits: per ordered pair ``(x, y)`` that has predicates, one ``w + 1``-bit two's
complement subtractor ``D = X - Y`` (ripple carry, ``X + ~Y + 1``), shared by all the
pair's atoms (job-shop disjunctions use the same pair twice); per predicate a comparator
``D <= c`` against the constant, ``w + 1`` gates.  A constant outside ``[-d, d]`` decides
the atom outright.  Cost: about ``14 (w + 1)`` clauses per pair plus ``3 (w + 1)`` per atom.
Measured: adder chains propagate poorly in CDCL, so SD is rarely the fastest choice; it is
kept because it is complete for any bound and is the baseline of the literature.

Certificates: the decoder states ``d``, the bits, the true literal and every gate in the
order ``Gates`` made it; ``check/sd.py`` checks the gate clauses against their definitions
and replays ``atom_lit`` (and the box's ``le_lit``) on the declared gates to accept the
links of atoms to comparators, so those functions are trusted there (its module doc says
why they are exact).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from .base import Candidate, Choice, VarClass
from .cnf import CNF, Gates
from .tseitin import NEG, POS


def sd_range(cls: VarClass) -> int:
    """``d`` of the module doc: all values of a model can be taken in ``[0, d]``."""
    m = 0
    w = 0
    for p in cls.preds:  # the weights c (x - y <= c, if POS) and -c - 1 (its negation, if NEG)
        c, pol = p.c, p.polarity
        if pol & POS and c < 0:
            m += 1
            if -c > w:
                w = -c
        if pol & NEG and c >= 0:  # (-c - 1 < 0)
            m += 1
            if c + 1 > w:
                w = c + 1
    return min(len(cls.variables) - 1, m) * w


class SDDecoder:
    encoding = "sd"

    def __init__(self, bits: dict[int, list[int]], d: int, true: int,
                 gates: list[tuple[int, str, tuple[int, ...]]]):
        self.bits = bits
        self.d = d
        self.true = true
        self.gates = gates

    def meaning(self, var_range: tuple[int, int], pred_vars: set[int]) -> dict[str, Any]:
        """For a certificate (``check/sd.py`` reads it): the shift ``d`` (bit ``j`` of ``x``
        is bit ``j`` of ``x + d`` for the lemma's values in ``[-d, 0]``), the bits of every
        variable, the true literal, and the gates in the order they were made
        (``[output, kind, inputs...]``; recorded always: a tuple per gate, next to its
        three to eight clauses)."""
        return {"encoding": "sd", "variables": sorted(self.bits), "d": self.d,
                "bits": [[x, bs] for x, bs in sorted(self.bits.items())], "true": self.true,
                "gates": [[g, kind, *ins] for g, kind, ins in self.gates]}

    def decode(self, value: Callable[[int], bool]) -> dict[int, int]:
        return {x: sum(1 << i for i, b in enumerate(bs) if value(b)) for x, bs in self.bits.items()}


def rule(choice: Choice, mode: str) -> Optional[Candidate]:
    """The rule of ``auto`` (``base.Rule``): small-domain bit-vectors last, whose size is
    logarithmic in the domain (the entry's ``always_fits``); a checkable run tries every
    other encoding at its full budget first (``auto.py``), so it is not offered there."""
    return None if mode == "checkable" else Candidate(100, SmallDomain())


class SmallDomain:
    name = "sd"
    own_pair_clauses = False
    ordering_clauses, machine_tuning = False, ""

    def encode(self, cls: VarClass, cnf: CNF) -> SDDecoder:
        d = max(sd_range(cls), 1)
        w = d.bit_length()
        made: list[tuple[int, str, tuple[int, ...]]] = []
        g = Gates(cnf, made)
        bits: dict[int, list[int]] = {}
        for x in cls.variables:
            bs = list(cnf.new_vars(w))
            bits[x] = bs
            lit = le_lit(g, bs, d)  # X <= d keeps the box exact (and the decoder in range)
            if lit != g.T:
                cnf.add([lit])
        diffs: dict[tuple[int, int], list[int]] = {}
        for p in cls.preds:
            out = atom_lit(g, bits, diffs, p.x, p.y, p.c, d)
            if p.polarity & POS:
                cnf.add([-p.var, out])
            if p.polarity & NEG:
                cnf.add([p.var, -out])
        return SDDecoder(bits, d, g.T, made)


def atom_lit(g: Gates, bits: dict[int, list[int]], diffs: dict[tuple[int, int], list[int]],
             x: int, y: int, c: int, d: int) -> int:
    """The literal of ``x - y <= c`` over the shifted values ``X``, ``Y`` in ``[0, d]``
    (bits ``bits``, ``w`` each): a constant outside ``[-d, d]``, else the comparator
    ``X - Y + 2^w <= c + 2^w`` on the pair's subtractor (made on first use, kept in
    ``diffs``); the sign bit flipped makes ``X - Y + 2^w``, in ``[0, 2^(w+1))``, unsigned."""
    if c >= d:
        return g.T
    if c < -d:
        return -g.T
    dv = diffs.get((x, y))
    if dv is None:
        dv = diffs[(x, y)] = subtract(g, bits[x], bits[y])
    return le_lit(g, dv[:-1] + [-dv[-1]], c + (1 << len(bits[x])))


def subtract(g: Gates, xs: list[int], ys: list[int]) -> list[int]:
    """``X - Y`` in ``len(xs) + 1`` bits, two's complement (inputs unsigned)."""
    T = g.T
    a = xs + [-T]
    b = [-y for y in ys] + [T]
    carry = T
    out = []
    for ai, bi in zip(a, b):
        out.append(g.xor3(ai, bi, carry))
        carry = g.maj(ai, bi, carry)
    return out


def le_lit(g: Gates, u: list[int], k: int) -> int:
    """Literal of ``U <= k`` for unsigned bits ``u`` (LSB first) and a constant ``k``."""
    if k >= (1 << len(u)) - 1:
        return g.T
    if k < 0:
        return -g.T
    f = g.T
    for i, ui in enumerate(u):
        f = g.or2(-ui, f) if (k >> i) & 1 else g.and2(-ui, f)
    return f
