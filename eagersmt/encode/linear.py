"""Encoding of linear integer constraints over finite domains: log encoding + PB encoders.

Idea.  Each integer variable ``x`` in ``[lo, hi]`` is ``lo + sum 2^j * b_j`` over
``w = bitlen(hi - lo)`` fresh bits (with ``sum 2^j * b_j <= hi - lo`` when ``hi - lo`` is not
``2^w - 1``); a 0-1 indicator is its Boolean variable itself.  A linear constraint
``sum a_i * x_i <= b`` is then a pseudo-Boolean constraint over the bits, weights
``a_i * 2^j`` (a negative weight on a literal is moved onto its negation), handed to
``pindakaas`` through ``pysat.pb.PBEnc`` (its default encoder per shape: totalizers and
BDDs; "Coupling different integer encodings for SAT", Bierlee, Gange, Tack, Dekker,
Stuckey, CPAIOR 2022).  Polarity-aware as the Tseitin pass is: a constraint whose atom
occurs only positively gets ``atom -> constraint`` (pindakaas's conditional encoding), only
negatively ``not atom -> negation``; a top-level unit is encoded unconditionally.

Cost: a variable costs ``log2`` of its range in bits; a constraint over ``n`` variables of
``w`` bits is a PB constraint over ``n * w`` literals, whose size depends on the encoder
(a totalizer grows with the number of distinct partial sums, so a sum whose literals times
bound pass ``ADDER_ABOVE`` gets binary adders instead: linear size, weaker propagation).  The difference-logic
encodings (order, compact) propagate bounds better on difference classes: formulas in
difference logic never come here.  Certificates: pindakaas's clauses are not checkable;
``--proof`` takes ``linear_checkable.py`` instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

from ..ir.circuit import NEG, POS, polarities
from ..ir.linear import ATOM_PREFIX, LinearNormalized
from ..result import Stats
from .cnf import CNF, Gates
from .tseitin import Tseitin, tseitin

NAME = "linear"
PINDAKAAS_MAX = 1 << 62  # pindakaas takes 64-bit coefficients: wider sums get ``_adder_leq``
# literals x (bound + 1) past which a sum over integer variables' bits gets ``_adder_leq``
# (linear size) rather than pindakaas's default (a totalizer: up to bound + 1 partial sums
# per node); a pseudo-Boolean sum keeps pindakaas much longer (it propagates better there)
ADDER_ABOVE = 20_000
PB_ADDER_ABOVE = 5_000_000  # the same for a sum over 0-1 variables only


@dataclass
class LinearEncoded:
    """The CNF and its inverse (``decode``: values of integer and Boolean variables)."""

    cnf: CNF
    tseitin: Tseitin
    bits: dict[str, tuple[int, list[int]]] = field(default_factory=dict)  # x -> (lo, bits)

    def decode(self, value: Callable[[int], bool]) -> tuple[dict[str, int], dict[str, bool]]:
        ints = {x: lo + sum(1 << j for j, b in enumerate(bs) if value(b))
                for x, (lo, bs) in self.bits.items()}
        bools = {name: value(v) for name, v in self.tseitin.bool_vars.items()}
        return ints, bools


def encode_linear(norm: LinearNormalized, *, stats: Optional[Stats] = None) -> LinearEncoded:
    """The CNF of ``norm`` (see the module doc)."""
    t0 = time.perf_counter()
    cnf = CNF()
    c = norm.boolean
    ts = tseitin(c, cnf)
    out = LinearEncoded(cnf, ts)
    if norm.infeasible:
        cnf.add([])
    for x, (lo, hi) in norm.domains.items():
        if x in norm.indicators and x in ts.bool_vars:
            out.bits[x] = (0, [ts.bool_vars[x]])
            continue
        bits = list(cnf.new_vars((hi - lo).bit_length()))
        out.bits[x] = (lo, bits)
        if hi - lo != (1 << len(bits)) - 1:
            pb_leq(cnf, [(b, 1 << j) for j, b in enumerate(bits)], hi - lo, [])
    pol, _ = polarities(c)
    units = set(c.top_level())
    encoded = 0
    for k, (coefs, bound) in enumerate(norm.atoms):
        name = f"{ATOM_PREFIX}{k}"
        v = ts.bool_vars.get(name)
        if v is None:
            continue  # not reachable from the roots
        node = c.bool_names[name]
        terms, const = _bit_terms(out, coefs)
        neg_terms = [(b, -w) for b, w in terms]
        pb = all(len(out.bits[x][1]) == 1 for x, _ in coefs)
        if node in units:
            pb_leq(cnf, terms, bound - const, [], pb)
        elif -node in units:
            pb_leq(cnf, neg_terms, -bound - 1 + const, [], pb)
        else:
            if pol[node] & POS:
                pb_leq(cnf, terms, bound - const, [v], pb)
            if pol[node] & NEG:
                pb_leq(cnf, neg_terms, -bound - 1 + const, [-v], pb)
        encoded += 1
    if stats is not None:
        stats.add_time("encode", time.perf_counter() - t0)
        stats.counts.update(vars=cnf.nvars, clauses=len(cnf.clauses), linear_constraints=encoded)
        stats.notes["encodings"] = f"{NAME}:1"
        stats.notes["choice"] = (f"{len(norm.domains)} integer vars, {encoded} linear "
                                 "constraints: log encoding + pindakaas PB")
    return out


def _bit_terms(enc: LinearEncoded, coefs: Sequence[tuple[str, int]]) -> tuple[list[tuple[int, int]], int]:
    """``sum a * x`` as weighted bits plus a constant (``sum a * lo``)."""
    terms = []
    const = 0
    for x, a in coefs:
        lo, bits = enc.bits[x]
        const += a * lo
        terms.extend((b, a << j) for j, b in enumerate(bits))
    return terms, const


def pb_leq(cnf: CNF, terms: Sequence[tuple[int, int]], bound: int, cond: list[int],
           pseudo_boolean: bool = False) -> None:
    """Clauses of ``cond -> sum w * lit <= bound`` (any signs of weights and literals;
    ``pseudo_boolean``: the literals are 0-1 variables, not bits of wider integers)."""
    coef: dict[int, int] = {}
    for lit, w in terms:
        if lit < 0:  # w * not(x) = w - w * x
            bound -= w
            w = -w
        coef[abs(lit)] = coef.get(abs(lit), 0) + w
    lits, weights = [], []
    for x, w in coef.items():
        if w > 0:
            lits.append(x)
            weights.append(w)
        elif w < 0:  # w * x = w - w * not(x) = w + |w| * not(x)
            bound -= w
            lits.append(-x)
            weights.append(-w)
    if bound < 0:
        cnf.add([-a for a in cond])
        return
    if sum(weights) <= bound:
        return
    limit = PB_ADDER_ABOVE if pseudo_boolean else ADDER_ABOVE
    if sum(weights) >= PINDAKAAS_MAX or len(lits) * (bound + 1) > limit:
        _adder_leq(cnf, lits, weights, bound, cond)
        return
    from pysat.pb import PBEnc

    got = PBEnc.leq(lits=lits, weights=weights, bound=bound, top_id=cnf.nvars,
                    conditionals=cond or None)
    if got.nv > cnf.nvars:  # pindakaas's auxiliary variables
        cnf.new_vars(got.nv - cnf.nvars)
    cnf.extend(got.clauses)


def _adder_leq(cnf: CNF, lits: list[int], weights: list[int], bound: int, cond: list[int]) -> None:
    """``cond -> sum w * lit <= bound`` by binary adders (Eén and Sörensson's adder
    encoding, JSAT 2006): the weights' bits in columns, full and half adders until each
    column holds one bit, then a comparator with ``bound``.  Any width; used where the
    weights are too wide for pindakaas (the solution bound's variables)."""
    g = Gates(cnf)
    columns: dict[int, list[int]] = {}
    for lit, w in zip(lits, weights):
        p = 0
        while w:
            if w & 1:
                columns.setdefault(p, []).append(lit)
            w >>= 1
            p += 1
    bits: list[int] = []
    p = 0
    while p <= max(columns):  # (adders add columns above)
        col = columns.get(p, [])
        while len(col) >= 2:
            if len(col) >= 3:
                a, b, c = col.pop(), col.pop(), col.pop()
                col.insert(0, g.xor3(a, b, c))
                columns.setdefault(p + 1, []).append(g.maj(a, b, c))
            else:
                a, b = col.pop(), col.pop()
                col.insert(0, g.xor2(a, b))
                columns.setdefault(p + 1, []).append(g.and2(a, b))
        bits.append(col[0] if col else -cnf.true)
        p += 1
    neg = [-a for a in cond]
    # sum > bound iff at some bit p with bound_p = 0 the sum has 1 and every higher bit
    # where bound has 1 is 1 in the sum (a higher 0 of bound set in the sum: its own clause)
    for p, s in enumerate(bits):
        if (bound >> p) & 1:
            continue
        higher = [-bits[q] for q in range(p + 1, len(bits)) if (bound >> q) & 1]
        cnf.add(neg + [-s] + higher)
