"""Encoding of linear integer constraints over finite domains: per class, in one CNF.

Idea.  The difference classes (``ir/linear.py``: integer variables whose atoms are all
differences and bounds) are predicates of the circuit: ``encode.encode`` gives them the
Tseitin pass and the difference-logic encodings, exactly as a difference-logic formula's
classes get them.  The other atoms are Boolean variables of that circuit and get their
meaning here, in the same CNF, by the class of their variables:

* a class that holds a ``Channel`` (``x = c + sum v * b``, at most one ``b``) and otherwise
  only differences and bounds, ranges within ``ORDER_RANGE``: the order encoding
  (ladders ``[x >= a]``; Tamura, Taga, Kitagawa, Banbara, Constraints 2009), its
  differences as Sugar's binary clauses (``linear_order.py``) and ``_channel``'s clauses
  tying each ladder to its indicators, instead of a wide equality over bits
  (``linear-order``);
* a class whose ranges are within ``ORDER_RANGE``, not all 0-1, and whose sums Sugar's
  encoding (``linear_order.py``) predicts at most ``SUGAR_AUTO_CLAUSES`` clauses for,
  computed before encoding from the value counts, the terms and coefficients: ladders, and each
  constraint as Sugar's clauses over them, long sums split with auxiliary integers
  (``linear-sugar``);
* any other class: the log encoding, ``x`` in ``[lo, hi]`` is ``lo + sum 2^j * b_j`` over
  ``w = bitlen(hi - lo)`` fresh bits (with ``sum 2^j * b_j <= hi - lo`` when ``hi - lo`` is
  not ``2^w - 1``), each constraint a pseudo-Boolean constraint (``linear-log``);
* a 0-1 indicator is its Boolean variable itself (in a Sugar sum, a ladder of one rung).

``--encoding order`` gives Sugar's encoding to every class it fits (predicted at most
``SUGAR_MAX_CLAUSES``), ``--encoding sd`` the log encoding to every class but the
channelled ones; the other values choose as ``auto`` does here (they name the difference
classes' encoding).

In the log encoding a constraint ``sum a_i * x_i <= b`` is a pseudo-Boolean constraint over
the bits and indicators, weights ``a_i * 2^j`` (a negative weight on a literal is moved onto
its negation), handed to ``pindakaas`` through ``pysat.pb.PBEnc`` (over 0-1 variables
only: its binary merge encoding; over bits: its default encoder per shape, totalizers
and BDDs; "Coupling different integer encodings for SAT", Bierlee, Gange, Tack, Dekker,
Stuckey, CPAIOR 2022).  Polarity-aware as the Tseitin pass is: a constraint whose atom
occurs only positively gets ``atom -> constraint`` (pindakaas's conditional encoding), only
negatively ``not atom -> negation``; a top-level unit is encoded unconditionally (Sugar's
clauses the same way, the atom's negation added to each).

Cost: a log-encoded variable costs ``log2`` of its range in bits, an order-encoded one its
range; a constraint over ``n`` variables of ``w`` bits is a PB constraint over ``n * w``
literals, whose size depends on the encoder (a totalizer grows with the number of
distinct partial sums, so a sum whose literals times bound pass ``ADDER_ABOVE`` gets
binary adders instead: linear size, weaker propagation); Sugar's, see ``linear_order.py``.
``--stats`` names each class's encoding (``encodings``: the difference encoders',
``linear-order``, ``linear-sugar``, ``linear-log``, and ``pb`` for sums over indicators
only).  Certificates: pindakaas's clauses are not
checked; ``--proof`` takes ``linear_checkable.py`` instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

from ..ir.circuit import NEG, POS, polarities
from ..ir.components import DisjointSets
from ..ir.linear import ATOM_PREFIX, Channel, LinearNormalized
from ..ir.normalize import Normalized
from ..result import Stats
from .assemble import Encoded, encode
from .cnf import CNF, Gates
from .linear_order import Ladder, SugarEncoder, ladder, predicted
from .surrogate import combine, surrogates
from .tseitin import Tseitin

PINDAKAAS_MAX = 1 << 62  # pindakaas takes 64-bit coefficients: wider sums get ``_adder_leq``
# literals x (bound + 1) past which a sum over integer variables' bits gets ``_adder_leq``
# (linear size) rather than pindakaas's default (a totalizer: up to bound + 1 partial sums
# per node); a pseudo-Boolean sum keeps pindakaas much longer (it propagates better there)
ADDER_ABOVE = 20_000
PB_ADDER_ABOVE = 5_000_000  # the same for a sum over 0-1 variables only
ORDER_RANGE = 1024  # the widest range of a variable in a class given the order encoding
SUGAR_AUTO_CLAUSES = 300_000  # ``auto``: Sugar's predicted clauses per class at most this
SUGAR_MAX_CLAUSES = 10_000_000  # requested (``--encoding order``): at most this
ORDER, SUGAR, LOG = "linear-order", "linear-sugar", "linear-log"  # per class, as ``--stats`` says


@dataclass
class LinearEncoded:
    """The CNF and its inverse (``decode``: values of integer and Boolean variables)."""

    difference: Encoded  # Tseitin and the difference classes
    int_index: dict[str, int]  # the difference classes' variables: circuit index
    bits: dict[str, tuple[int, list[int]]] = field(default_factory=dict)  # x -> (lo, bits)
    # x -> (lo, ladder): ladder[i] is x >= lo + 1 + i
    ladders: dict[str, tuple[int, list[int]]] = field(default_factory=dict)

    @property
    def cnf(self) -> CNF:
        return self.difference.cnf

    @property
    def tseitin(self) -> Tseitin:
        return self.difference.tseitin

    @property
    def decoders(self) -> list:  # (the difference classes': what their variables mean)
        return self.difference.decoders

    @property
    def var_ranges(self) -> list:
        return self.difference.var_ranges

    def decode(self, value: Callable[[int], bool]) -> tuple[dict[str, int], dict[str, bool]]:
        ints = {x: lo + sum(1 << j for j, b in enumerate(bs) if value(b))
                for x, (lo, bs) in self.bits.items()}
        ints.update((x, lo + sum(1 for b in ls if value(b)))
                    for x, (lo, ls) in self.ladders.items())
        diff, bools = self.difference.decode(value)
        zero = diff.get(0, 0)
        for x, i in self.int_index.items():
            ints[x] = diff.get(i, zero) - zero
        return ints, bools


def encode_linear(norm: LinearNormalized, *, encoding: str = "auto",
                  eij_max_clauses: int = 2_000_000, stats: Optional[Stats] = None) -> LinearEncoded:
    """The CNF of ``norm`` (see the module doc; ``encoding`` and ``eij_max_clauses`` are
    ``encode.encode``'s, for the difference classes; ``encoding`` also forces the order
    encoding (``order``) or the log encoding (``sd``) on the other classes)."""
    c = norm.boolean
    diff = encode(Normalized(c), encoding=encoding, eij_max_clauses=eij_max_clauses,
                  stats=stats)
    t0 = time.perf_counter()
    cnf, ts = diff.cnf, diff.tseitin
    out = LinearEncoded(diff, dict(c.int_index))
    if norm.infeasible:
        cnf.add([])
    pol, _ = polarities(c)
    units = set(c.top_level())
    classes = _classes(norm, ts.bool_vars)
    kinds = {cls.root: _choose(cls, norm, pol, encoding) for cls in classes}
    laddered = {x for cls in classes if kinds[cls.root] != LOG for x in cls.variables}
    order_vars: dict[str, Ladder] = {}
    for x, (lo, hi) in norm.domains.items():
        if x in laddered:
            order_vars[x] = ladder(cnf, range(lo, max(lo, hi) + 1))  # (empty: infeasible)
            out.ladders[x] = (lo, order_vars[x].lits)
    skip = set()
    for x, ch in norm.channels.items():
        if x in out.ladders:
            _channel(cnf, order_vars[x], ch, ts.bool_vars)
            skip.update(ch.atoms)
    for x, (lo, hi) in norm.domains.items():
        if x in out.ladders:
            continue
        if x in norm.indicators and x in ts.bool_vars:
            out.bits[x] = (0, [ts.bool_vars[x]])
            continue
        bits = list(cnf.new_vars((hi - lo).bit_length()))
        out.bits[x] = (lo, bits)
        if hi - lo != (1 << len(bits)) - 1:
            pb_leq(cnf, [(b, 1 << j) for j, b in enumerate(bits)], hi - lo, [])
    for x, (lo, bits) in out.bits.items():
        if len(bits) == 1:  # (a 0-1 term of a sum over ladders)
            order_vars[x] = Ladder(range(lo, lo + 2), bits)
    sugar = SugarEncoder(cnf, order_vars)
    encoded = pb_atoms = 0
    for k, (coefs, bound) in enumerate(norm.atoms):
        name = f"{ATOM_PREFIX}{k}"
        v = ts.bool_vars.get(name)
        if v is None or k in skip:
            continue  # not reachable from the roots, or said by its channel
        node = c.bool_names[name]
        encoded += 1
        neg = [(x, -a) for x, a in coefs]
        if any(x in out.ladders for x, _ in coefs):  # an order-encoded class's
            for terms, b, lit in ((coefs, bound, node), (neg, -bound - 1, -node)):
                if lit in units:
                    sugar.leq(terms, b, [])
                elif -lit not in units and pol[node] & (POS if lit > 0 else NEG):
                    sugar.leq(terms, b, [v if lit > 0 else -v])
            continue
        pb_atoms += all(x in norm.indicators for x, _ in coefs)
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
    derived = _surrogates(cnf, out, norm, units)
    if stats is not None:
        stats.add_time("encode", time.perf_counter() - t0)
        stats.counts.update(vars=cnf.nvars, clauses=len(cnf.clauses), linear_constraints=encoded)
        if derived:
            stats.counts["surrogates"] = derived
        ints = sum(1 for x in out.bits if x not in norm.indicators)
        stats.counts.update(order_int_vars=len(out.ladders), log_int_vars=ints,
                            pb_constraints=pb_atoms)
        named = [f"{kind}:{n}" for kind in (ORDER, SUGAR, LOG)
                 for n in [sum(1 for cls in classes if kinds[cls.root] == kind)] if n]
        named += ["pb:1"] if pb_atoms else []
        dl = stats.notes.get("encodings", "")
        stats.notes["encodings"] = ",".join(filter(None, [dl, *named]))
        choice = (f"{len(out.ladders)} integer vars in the order encoding, {ints} in the log "
                  f"encoding, {len(norm.domains) - len(out.ladders) - ints} indicators, "
                  f"{encoded} linear constraints (Sugar's clauses over ladders, pindakaas PB "
                  "over bits and indicators)")
        stats.notes["choice"] = "; ".join(filter(None, [stats.notes.get("choice"), choice]))
    return out


def _surrogates(cnf: CNF, out: LinearEncoded, norm: LinearNormalized, units: set[int]) -> int:
    """Add the useful surrogates of the top-level pseudo-Boolean constraints (over 0-1
    variables: ``surrogate.py``, nonnegative combinations that carry the linear
    relaxation's bound, so that a knapsack row above the relaxation's optimum is refuted
    by propagation rather than by enumeration); implied by the formula, so every model
    stays one.  Not over wider integers: there the extra sums slowed the search for a
    model (``benchmarks/RESULTS.md``).  How many."""
    c = norm.boolean
    rows: list[tuple[dict[str, int], int]] = []
    for k, (coefs, bound) in enumerate(norm.atoms):
        node = c.bool_names.get(f"{ATOM_PREFIX}{k}")
        if node is None or any(len(out.bits.get(x, (0, ()))[1]) != 1 for x, _ in coefs):
            continue
        for side in (1, -1):
            if side * node in units:
                rows.append(({x: side * a for x, a in coefs}, bound if side > 0 else -bound - 1))
    n = 0
    for lam in surrogates(rows, norm.domains):
        coefs, bound = combine(rows, lam)
        terms, const = _bit_terms(out, tuple(coefs.items()))
        pb_leq(cnf, terms, bound - const, [], True)
        n += 1
    return n


@dataclass
class _Class:
    """A class of integer variables outside the difference classes: its variables, the
    atoms over them (indices into ``norm.atoms``), whether a channel ties it and whether
    every atom but the channel's is a difference or a bound."""

    root: str
    variables: list[str] = field(default_factory=list)
    atoms: list[int] = field(default_factory=list)
    channel: bool = False
    differences: bool = True


def _classes(norm: LinearNormalized, bool_vars: dict[str, int]) -> list[_Class]:
    """The classes of the integer variables outside the difference classes, connected by
    the atoms in use (indicators apart)."""
    sets: DisjointSets[str] = DisjointSets()
    find = sets.find
    channel_atoms = {k for ch in norm.channels.values() for k in ch.atoms}
    used: list[tuple[int, list[str]]] = []
    for k, (coefs, _) in enumerate(norm.atoms):
        if f"{ATOM_PREFIX}{k}" not in bool_vars:
            continue
        ints = [x for x, _ in coefs if x not in norm.indicators]
        for x in ints:
            sets.union(x, ints[0])
        if ints:
            used.append((k, ints))
    classes: dict[str, _Class] = {}
    for x in sets:
        classes.setdefault(find(x), _Class(find(x))).variables.append(x)
    for k, ints in used:
        cls = classes[find(ints[0])]
        cls.atoms.append(k)
        coefs = norm.atoms[k][0]
        if k not in channel_atoms and not (
                len(ints) == len(coefs) and coefs[0][1] == 1
                and (len(coefs) == 1 or (len(coefs) == 2 and coefs[1][1] == -1))):
            cls.differences = False
    for x in norm.channels:
        if x in sets:
            classes[find(x)].channel = True
    return list(classes.values())


def _choose(cls: _Class, norm: LinearNormalized, pol: list[int], encoding: str) -> str:
    """The encoding of ``cls``: ``ORDER`` for a class that holds a channel (``ir/linear.py``'s
    ``Channel``) and otherwise only differences and bounds, ranges within ``ORDER_RANGE``
    (its differences become the order encoding's binary clauses, its channels clauses
    between the ladder and the indicators); else ``SUGAR`` when Sugar's encoding is
    requested (``encoding`` "order") or ``auto`` and its predicted size is small
    (``_sugar_fits``), and ``LOG`` otherwise (or when "sd" is requested)."""
    narrow = all(hi - lo <= ORDER_RANGE for x in cls.variables
                 for lo, hi in [norm.domains[x]])
    if cls.channel and cls.differences and narrow:
        return ORDER
    if encoding == "sd" or not narrow:
        return LOG
    sums = []
    channel_atoms = {k for ch in norm.channels.values() for k in ch.atoms}
    for k in cls.atoms:
        if k in channel_atoms:
            continue
        coefs = norm.atoms[k][0]
        node = norm.boolean.bool_names[f"{ATOM_PREFIX}{k}"]
        if pol[node] & POS:
            sums.append(coefs)
        if pol[node] & NEG:
            sums.append(tuple((x, -a) for x, a in coefs))
    members = set(cls.variables)
    sizes = {x: hi - lo + 1 for x, (lo, hi) in norm.domains.items()
             if x in members or x in norm.indicators}
    if encoding == "order":
        return SUGAR if predicted(sums, sizes, SUGAR_MAX_CLAUSES) <= SUGAR_MAX_CLAUSES else LOG
    return SUGAR if _sugar_fits(sums, sizes, members) else LOG


def _sugar_fits(sums: list, sizes: dict[str, int], members: set[str]) -> bool:
    """The ``auto`` rule (``benchmarks/RESULTS.md``, "Sugar's order encoding"): a class
    with a variable of more than two values whose predicted clause count stays below
    ``SUGAR_AUTO_CLAUSES``.  A class of 0-1 variables keeps pindakaas's pseudo-Boolean
    encodings (binary merge: far smaller where the weights are wide, even elsewhere)."""
    if all(sizes[x] <= 2 for x in members):
        return False
    return predicted(sums, sizes, SUGAR_AUTO_CLAUSES) <= SUGAR_AUTO_CLAUSES


def _channel(cnf: CNF, lad: Ladder, ch: Channel, bool_vars: dict[str, int]) -> None:
    """Clauses of ``x = const + sum v * b`` (at most one ``b`` holds) over ``x``'s ladder:
    ``b -> x = const + v``; ``x >= a`` needs a ``b`` of value at least ``a`` when ``const <
    a``, and ``x < a`` one of value below ``a`` when ``const >= a``."""
    lo, hi = lad.values[0], lad.values[-1]
    vals = [(bool_vars[b], ch.const + v) for b, v in ch.terms if b in bool_vars]
    for b, w in vals:
        up, next_up = lad.ge(w), lad.ge(w + 1)
        if up is False or next_up is True:
            cnf.add([-b])
            continue
        if up is not True:
            cnf.add([-b, up])  # type: ignore[list-item]
        if next_up is not False:
            cnf.add([-b, -next_up])  # type: ignore[operator]
    for a in range(lo, hi + 2):  # (the domain's ends too: x >= lo, not x >= hi + 1)
        lit = lad.ge(a)
        if ch.const < a and lit is not False:
            head = [] if lit is True else [-lit]  # type: ignore[operator]
            cnf.add(head + [b for b, w in vals if w >= a])
        elif ch.const >= a and lit is not True:
            head = [] if lit is False else [lit]  # type: ignore[list-item]
            cnf.add(head + [b for b, w in vals if w < a])


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
    ``pseudo_boolean``: the literals are 0-1 variables, not bits of wider integers).  A
    pseudo-Boolean sum gets pindakaas's binary merge encoding (Manthey, Philipp, Steinke,
    "A more compact translation of pseudo-Boolean constraints into CNF such that
    generalized arc consistency is maintained", KI 2014): compact where the weights are
    wide (knapsacks) and propagating fully; sums over bits keep pindakaas's own choice
    (``EncType.best``), which propagated better there in our measurements
    (``benchmarks/RESULTS.md``)."""
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
    from pysat.pb import EncType, PBEnc

    got = PBEnc.leq(lits=lits, weights=weights, bound=bound, top_id=cnf.nvars,
                    encoding=EncType.binmerge if pseudo_boolean else EncType.best,
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
