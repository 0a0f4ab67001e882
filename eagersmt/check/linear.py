"""Checking the clauses of linear integer constraints in a certificate (``check-proof``).

What must hold (as for difference logic, ``proof.py``): every model ``M`` of the formula
extends to an assignment ``sigma`` that satisfies every CNF clause, auxiliary variables
given values by their stated meaning (existentially quantified, so a clause set that is
implied by the constraints it encodes under those meanings is conservative over them).
Then an unsat CNF proves the formula unsat.  ``sigma`` here: a model ``M`` with every
integer variable in its domain (``ir/linear.py``'s domains, trusted like the rest of the
normalization); each bit ``b_j`` of ``x`` the ``j``-th binary digit of ``x - lo``, which
the certificate's bit map must allow (``lo`` and the width as this module computes them
from the domain); every circuit node its value; every BDD node variable the truth of its
stated meaning ``sum_{j >= level} w_j * l_j <= gamma`` over the *terms* of its source.

Sources.  Each BDD of the certificate names its source, the atom ``k`` (side ``+1``: the
atom ``sum a * x <= b``; ``-1``: its negation ``sum -a * x <= -b - 1``) or the domain of
``x`` (``sum 2^j * b_j <= hi - lo``, true under ``sigma``), and the order of its terms.
The terms and the bound are derived here from the formula and the bit map, with this
module's own code (substitute the bits, merge per literal, move negative weights onto the
negated literal); the certificate's order must be a permutation of those literals.

Surrogates.  A source ``["surrogate", rows]`` is the constraint ``sum m * row`` over rows
``[k, side, m]``: each the side ``side`` of atom ``k``, which must be a top-level literal
of the circuit (so every model satisfies it), and ``m`` a positive integer; a nonnegative
combination of constraints every model satisfies is one too, so like a domain it holds
under ``sigma`` without a premise (``encode/surrogate.py`` says why the encoder adds them).
Its terms and bound are derived here from the formula's atoms as an atom's are, and a
negative bound (after moving the weights positive) makes the empty clause follow.

The clause rule (all a BDD clause needs; any other literal only weakens the clause).  A
clause holds under ``sigma`` when it has a *premise*: a negative node literal (its meaning),
a literal whose falsity is an atom's side (the atom's constraint, level 0), or nothing for
a domain or surrogate source (true); at most one positive node literal of the same source at a level
``q >= p`` (the *conclusion*); and with ``F`` the total weight of the terms at levels
``p .. q - 1`` (to the end without a conclusion) whose negation is in the clause (terms the
clause may assume true), either ``gamma_q >= K_p - F`` (the conclusion follows:
``sum_{>= q} <= sum_{>= p} - F <= K_p - F``) or, without a conclusion, ``F > K_p`` (the
premise cannot hold).  Weights are positive, so dropping terms only lowers a sum.

Adder networks.  A source may list gates ``[W, a, b, c, s, k]`` (``c`` 0: two inputs);
then its terms are not the BDD's: they are split into powers of two (``w * l`` is ``l`` at
each ``2^p`` of ``w``'s binary digits: a multiset of literals of weight ``2^p`` whose
weighted sum is the constraint's), and each gate in turn takes its inputs out of that
multiset (each must be there at weight ``W``, a power of two) and puts ``s`` in at ``W``
and ``k`` at ``2W``.  ``sigma`` gives ``s`` the parity of its inputs and ``k`` "at least
two of them" (inputs first: a gate's inputs are in the multiset only once an earlier gate
or the terms put them there, so these are definitions, in order; a variable that already
has a meaning cannot be an output).  Since ``n = (n mod 2) + 2 [n >= 2]`` for ``n <= 3``,
every gate keeps the weighted sum of the multiset equal to the constraint's under
``sigma``; what is left at the end, merged per variable as the terms are, is the BDD's
terms, with the same bound.  A clause is an *adder clause* when all its variables are an
output ``g`` and ``g``'s inputs' variables and it holds in every assignment of the inputs
with ``g`` set by its definition (at most eight: a small exhaustive check per clause).

Why each clause may only be *implied*, never merely consistent: the unsat CNF says no
assignment satisfies all clauses; if ``sigma`` (built from any model of the formula)
satisfied them all, that model could not exist.  A clause that held only for some models
(a block stronger than its constraint, a bit map that skips values of the domain) would
break that, so each is checked on its own to hold under ``sigma`` for every model.

Cost: linear in the certificate's terms, gates and clauses.  References: Eén and
Sörensson, "Translating pseudo-Boolean constraints into SAT" (JSAT 2006: adders); Tseitin, "On the
complexity of derivation in propositional calculus" (1968: new variables that stand for
formulas keep satisfiability, the extension rule); Abío, Nieuwenhuis, Oliveras,
Rodríguez-Carbonell, Mayer-Eichberger, "A New Look at BDDs for Pseudo-Boolean Constraints"
(JAIR 2012: a BDD node stands for the suffix constraint over an interval of bounds).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Optional

from ..ir.linear import ATOM_PREFIX, LinearNormalized
from .certificate import CertificateError
from .gates import implied

UNCONDITIONAL = ("domain", "surrogate")  # sources true under ``sigma`` without a premise


class LinearClauses:
    """The meanings of a linear certificate's bits, adders and BDD nodes, and the clause
    and adder rules."""

    def __init__(self, norm: LinearNormalized, node_lit: dict[int, int], meta: Any,
                 give: Any, top: set[int]):
        """``node_lit``: circuit node -> CNF variable; ``give(var, meaning)`` records a
        variable's meaning (raising on a second, different one); ``top``: the circuit's
        top-level literals (the checker's own reading)."""
        if not isinstance(meta, dict):
            raise CertificateError("the certificate has no linear section")
        self.norm = norm
        self.top = top
        self.bits: dict[str, tuple[int, list[int]]] = {}
        self._bit_map(meta["bits"], node_lit, give)
        self.atom_var: dict[int, int] = {}  # CNF variable -> atom index
        for name, n in norm.boolean.bool_names.items():
            if name.startswith(ATOM_PREFIX) and n in node_lit:
                self.atom_var[node_lit[n]] = int(name[len(ATOM_PREFIX):])
        self.give = give
        networks: dict[int, Any] = {}
        for row in meta.get("networks", []):
            if not (isinstance(row, list) and len(row) == 2 and type(row[0]) is int
                    and 0 <= row[0] < len(meta["sources"]) and row[0] not in networks
                    and isinstance(row[1], list)):
                raise CertificateError("adder network: malformed")
            networks[row[0]] = row[1]
        # per source: its literals in order, their weights, bound, and (kind, key)
        self.sources: list[tuple[list[int], list[int], int, tuple]] = []
        for i, src in enumerate(meta["sources"]):
            self.sources.append(self._source(i, src, networks.get(i)))
        self.node: dict[int, tuple[int, int, int]] = {}
        for var, s, level, gamma in meta["nodes"]:
            if not all(type(t) is int for t in (var, s, level, gamma)) or var <= 0 or \
                    not (0 <= s < len(self.sources)) or \
                    not (0 <= level < len(self.sources[s][0])):
                raise CertificateError(f"BDD node {[var, s, level, gamma]}: malformed")
            give(var, ("pb", s, level, gamma))
            self.node[var] = (s, level, gamma)
        self.by_key = {src[3]: i for i, src in enumerate(self.sources)}

    def _bit_map(self, rows: Any, node_lit: dict[int, int], give: Any) -> None:
        norm = self.norm
        for x, lo, bits in rows:
            if x not in norm.domains or x in self.bits:
                raise CertificateError(f"bits of {x!r}: not an integer variable (or twice)")
            dlo, dhi = norm.domains[x]
            own = node_lit.get(norm.boolean.bool_names.get(x, 0)) \
                if x in norm.indicators else None
            if own is not None:
                if lo != 0 or bits != [own]:
                    raise CertificateError(f"indicator {x}: not its own Boolean variable")
            else:
                if lo != dlo or len(bits) != (dhi - dlo).bit_length():
                    raise CertificateError(f"bits of {x}: [{lo}, +{len(bits)} bits] is not its "
                                           f"domain [{dlo}, {dhi}]")
                for j, b in enumerate(bits):
                    if type(b) is not int or b <= 0:
                        raise CertificateError(f"bits of {x}: bad variable {b!r}")
                    give(b, ("bit", x, j))
            self.bits[x] = (lo, bits)
        missing = [x for x in norm.domains if x not in self.bits]
        if missing:
            raise CertificateError(f"integer variables without bits: {missing[:5]}")

    def _source(self, i: int, src: Any, gates: Optional[list]) -> tuple[list[int], list[int],
                                                                        int, tuple]:
        """The terms and bound of source ``i``, derived here (module doc); with ``gates``,
        the outputs of its adder network instead of its terms."""
        kind, order = src[0], src[-1]
        terms: list[tuple[int, int]] = []
        if kind == "atom" and len(src) == 4 and src[2] in (1, -1) and \
                isinstance(src[1], int) and 0 <= src[1] < len(self.norm.atoms):
            coefs, b = self.norm.atoms[src[1]]
            side = src[2]
            bound = b if side > 0 else -b - 1
            for x, a in coefs:
                lo, bits = self.bits[x]
                bound -= side * a * lo
                terms.extend((bit, side * a * (1 << j)) for j, bit in enumerate(bits))
            key: tuple = ("atom", src[1], side)
        elif kind == "surrogate" and len(src) == 3 and isinstance(src[1], list) and src[1]:
            coef, bound = self._surrogate(i, src[1])
            for x, a in coef.items():
                lo, bits = self.bits[x]
                bound -= a * lo
                terms.extend((bit, a * (1 << j)) for j, bit in enumerate(bits))
            key = ("surrogate", i)
        elif kind == "domain" and len(src) == 3 and src[1] in self.bits:
            x = src[1]
            lo, bits = self.bits[x]
            dlo, dhi = self.norm.domains[x]
            terms = [(bit, 1 << j) for j, bit in enumerate(bits)]
            bound = dhi - lo
            key = ("domain", x)
        else:
            raise CertificateError(f"BDD source {i}: malformed")
        pos, bound = _positive(terms, bound)
        if gates is not None:
            pos, bound = _positive(self._network(i, pos, gates), bound)
        if not isinstance(order, list) or len(order) != len(pos) or set(order) != set(pos):
            raise CertificateError(f"BDD source {i}: its term order is not the terms of "
                                   "its constraint")
        return list(order), [pos[lit] for lit in order], bound, key

    def _surrogate(self, i: int, rows: list) -> tuple[dict[str, int], int]:
        """``sum m * (side of atom k)`` over the rows ``[k, side, m]`` of source ``i``, each
        a top-level atom side and ``m`` a positive integer (module doc, "Surrogates")."""
        coef: dict[str, int] = {}
        bound = 0
        for row in rows:
            if not (isinstance(row, list) and len(row) == 3 and all(type(t) is int for t in row)
                    and 0 <= row[0] < len(self.norm.atoms) and row[1] in (1, -1) and row[2] > 0):
                raise CertificateError(f"surrogate {i}: malformed row {row!r}")
            k, side, m = row
            node = self.norm.boolean.bool_names.get(f"{ATOM_PREFIX}{k}")
            if node is None or side * node not in self.top:
                raise CertificateError(f"surrogate {i}: atom {k} (side {side}) is not a "
                                       "top-level constraint")
            coefs, b = self.norm.atoms[k]
            for x, a in coefs:
                coef[x] = coef.get(x, 0) + m * side * a
            bound += m * (b if side > 0 else -b - 1)
        return coef, bound

    def refuted(self) -> bool:
        """Does an unconditional source (a domain, a surrogate) have a negative bound (its
        positive-weight sum cannot be that small: the empty clause follows)?"""
        return any(key[0] in UNCONDITIONAL and bound < 0 for _, _, bound, key in self.sources)

    def _network(self, i: int, pos: dict[int, int], gates: list) -> list[tuple[int, int]]:
        """The terms ``pos`` split into powers of two and summed by ``gates`` (module doc,
        "Adder networks"): the weighted literals left, whose sum is that of ``pos`` under
        ``sigma``; each gate's outputs get their meanings."""
        live: Counter[tuple[int, int]] = Counter()
        for lit, w in pos.items():
            p = 0
            while w:
                if w & 1:
                    live[(lit, 1 << p)] += 1
                w >>= 1
                p += 1
        for g in gates:
            if not (isinstance(g, list) and len(g) == 6 and all(type(t) is int for t in g)):
                raise CertificateError(f"adder gate {g!r} of source {i}: malformed")
            W, a, b, c, s, k = g
            ins = (a, b, c) if c else (a, b)
            if W <= 0 or W & (W - 1) or 0 in (a, b) or s <= 0 or k <= 0 or s == k:
                raise CertificateError(f"adder gate {g} of source {i}: malformed")
            for lit in ins:
                if live[(lit, W)] <= 0:
                    raise CertificateError(f"adder gate {g} of source {i}: input {lit} is not "
                                           f"a term of weight {W} left to sum")
                live[(lit, W)] -= 1
            self.give(s, ("adder", "sum", ins))
            self.give(k, ("adder", "carry", ins))
            live[(s, W)] += 1
            live[(k, 2 * W)] += 1
        return [(lit, w) for (lit, w), n in live.items() for _ in range(n)]

    def clause(self, clause: list[int], meanings: list[tuple]) -> Optional[str]:
        """``None`` if the clause rule or the adder rule (module doc) accepts ``clause``,
        else why not."""
        for lit, m in zip(clause, meanings):
            if m[0] == "adder" and implied(abs(lit), "xor" if m[1] == "sum" else "maj", m[2],
                                           clause):
                return None
        concl = [lit for lit, m in zip(clause, meanings) if m[0] == "pb" and lit > 0]
        if len(concl) > 1:
            return "a clause with two BDD conclusions"
        premises: list[tuple[int, int, int]] = []  # (source, level, bound)
        for lit in clause:
            v = abs(lit)
            if lit < 0 and v in self.node:
                premises.append(self.node[v])
            elif v in self.atom_var:
                s = self.by_key.get(("atom", self.atom_var[v], -1 if lit > 0 else 1))
                if s is not None:
                    premises.append((s, 0, self.sources[s][2]))
        if concl:
            s = self.node[concl[0]][0]
            if self.sources[s][3][0] in UNCONDITIONAL:
                premises.append((s, 0, self.sources[s][2]))
        negated = {-lit for lit in clause}
        for s, p, K in premises:
            order, weights = self.sources[s][0], self.sources[s][1]
            if concl:
                s2, q, gamma = self.node[concl[0]]
                if s2 != s or q < p:
                    continue
            else:
                q = len(order)
            fixed = sum(w for lit, w in zip(order[p:q], weights[p:q]) if lit in negated)
            if (gamma >= K - fixed) if concl else (fixed > K):
                return None
        if any(m[0] == "adder" for m in meanings):
            return "a clause over an adder's output that neither its definition nor a BDD " \
                "premise implies"
        return "a clause over BDD nodes that no premise implies"


def _positive(terms: list[tuple[int, int]], bound: int) -> tuple[dict[int, int], int]:
    """``sum w * lit <= bound`` (any signs) as one positive weight per literal, each
    variable once: ``w * not(v) = w - w * v`` and ``w * v = w + |w| * not(v)`` move the
    bound (this module's own merge, not the encoder's)."""
    weight: dict[int, int] = {}
    for lit, w in terms:
        if lit < 0:
            bound -= w
            lit, w = -lit, -w
        weight[lit] = weight.get(lit, 0) + w
    pos: dict[int, int] = {}
    for v, w in weight.items():
        if w > 0:
            pos[v] = w
        elif w < 0:
            bound -= w
            pos[-v] = -w
    return pos, bound


__all__ = ["LinearClauses"]
