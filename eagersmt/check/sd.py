"""Checking the clauses of the small-domain encoding in a certificate (``check-proof``).

What must hold (``proof.py``'s argument): every model ``M`` of the formula extends to an
assignment ``sigma`` that satisfies every CNF clause.  For a class the small-domain
encoding took, ``M'`` is the small-domain lemma's model, in ``proof.py``'s source-frame box
``[-d, 0]`` (the checker's own ``d``).  The class's certificate entry (``sd.SDDecoder``)
states a shift ``D``, the bits of every variable, the true literal ``T`` and the gates in
the order they were made.  Its conditions: ``D >= max(d, 1)`` and every variable has
``w = bitlength(D)`` bits; then ``X = M'(x) + D`` lies in ``[0, D]`` and fits, and
``sigma`` gives bit ``j`` of ``x`` the ``j``-th binary digit of ``X``, ``T`` true, and each
gate the value of its kind (``and``, ``xor``: parity, ``maj``: at least two) on its inputs,
which must be bits, ``T`` or earlier gates (so the definitions are acyclic: each gate gets
one value).  A clause with one of these variables is accepted when it is

* a **gate clause**: its variables are a gate's and its inputs' only, and it holds in
  every assignment of the inputs with the gate set by its definition (``gates.implied``);
* the unit ``[T]``;
* a **box unit** ``[X <= D]`` (``M'(x) <= 0``);
* a **link** ``[-p, out]`` or ``[p, -out]`` of an atom ``p = (x - y <= c)`` of the class,
  where ``out`` is what ``encode/sd.py``'s ``atom_lit`` (the comparator on the pair's
  subtractor; ``T`` for ``c >= D``, ``-T`` for ``c < -D``) builds from the bits, replayed
  here on ``_Declared`` gates: its ``gate`` returns the declared gate of that kind and those
  inputs instead of making one (a missing gate: the clause is rejected), the folding is
  ``Gates``'s own.  Under ``sigma``, ``out`` is ``M'(x) - M'(y) <= c``, the atom's value:
  ``X - Y = M'(x) - M'(y)`` in ``w + 1`` bits two's complement is exact since ``X, Y`` are
  in ``[0, 2^w - 1]`` (the subtractor computes ``X + ~Y + 1`` modulo ``2^(w+1)``); with the
  sign bit flipped it reads ``U = X - Y + 2^w`` unsigned, and ``U <= c + 2^w`` iff
  ``X - Y <= c``; ``le_lit``'s chain is ``[U mod 2^(i+1) <= k mod 2^(i+1)]``, bit by bit.
  Outside ``[-D, D]`` the atom is decided by the box (``|M'(x) - M'(y)| <= d <= D``).

Gates of the same kind on the same inputs are the same function: the replay may return the
first of them where the encoder made another (comparators of one pair share their low
bits), so each gate stands for the first one with its kind and (so mapped) inputs, and a
link or box unit is compared under that map.  ``atom_lit``, ``subtract``, ``le_lit`` and
``Gates``' folding are what this adds to the trusted code (as ``compact``'s clause
functions do for the compact order encoding).  Cost: linear in the gates and clauses.
References: Seshia and Bryant (LICS 2004, the small-domain bound); Tseitin (1968, gates as
new variables).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from ..encode.cnf import Gates
from ..encode.sd import atom_lit, le_lit
from .certificate import CertificateError
from .gates import implied

_ARITY = {"and": (2,), "xor": (2, 3), "maj": (3,)}  # the kinds of ``gates.KINDS``


class _Undeclared(Exception):
    """The replay needs a gate the certificate does not declare."""


class _Declared(Gates):
    """``Gates`` over the declared gates: ``gate`` looks one up instead of making it."""

    def __init__(self, true: int, made: dict[tuple, int]):  # (no CNF: nothing is made)
        self.T = true
        self.made = made

    def gate(self, kind: str, inputs: tuple[int, ...]) -> int:
        g = self.made.get((kind, inputs))
        if g is None:
            raise _Undeclared
        return g


class _SDClass:
    """One small-domain class: its shift, bits, declared gates and accepted units."""

    def __init__(self, d: int, true: int, bits: dict[int, list[int]], made: dict[tuple, int]):
        self.d = d
        self.bits = bits
        self.gates = _Declared(true, made)
        self.diffs: dict[tuple[int, int], list[int]] = {}
        self.links: dict[tuple[int, int, int], Optional[int]] = {}


class SmallDomainClauses:
    """The meanings of every small-domain class's variables, and their clause rule."""

    def __init__(self, give: Callable[[int, tuple], None], meaning: dict[int, tuple]):
        """``give(var, meaning)`` records a variable's meaning (raising on a second one);
        ``meaning``: the checker's map of them."""
        self.give = give
        self.meaning = meaning
        self.of: dict[int, _SDClass] = {}  # circuit variable -> its class
        self.canon: dict[int, int] = {}  # gate -> the first gate of its kind and inputs
        self.units: set[int] = set()  # literals of the accepted units

    def read(self, cl: dict, d: int, variables: set) -> None:
        """Read a class entry (module doc); ``d`` and ``variables``: the checker's own."""
        D, true = cl["d"], cl["true"]
        if type(D) is not int or D < max(d, 1):
            raise CertificateError(f"small-domain shift {D!r} is below the class's bound {d}")
        if type(true) is not int or true <= 0:
            raise CertificateError(f"small-domain true literal {true!r}: malformed")
        self.give(true, ("sd", "true"))
        self.units.add(true)
        w = D.bit_length()
        bits: dict[int, list[int]] = {}
        for x, bs in cl["bits"]:
            if x not in variables or x in bits or not isinstance(bs, list) or len(bs) != w:
                raise CertificateError(f"small-domain bits of {x!r}: not {w} bits of a "
                                       "variable of its class (or twice)")
            for j, b in enumerate(bs):
                if type(b) is not int or b <= 0 or b in self.meaning:
                    raise CertificateError(f"small-domain bit {b!r} of {x}: not a fresh variable")
                self.give(b, ("sd", "bit", x, j))
            bits[x] = bs
        if set(bits) != variables:
            raise CertificateError("small-domain bits: not every variable of its class has them")
        made: dict[tuple, int] = {}
        for row in cl["gates"]:
            if not isinstance(row, list) or len(row) < 2:
                raise CertificateError(f"small-domain gate {row!r}: malformed")
            g, kind, ins = row[0], row[1], tuple(row[2:])
            if type(g) is not int or g <= 0 or g in self.meaning or \
                    len(ins) not in _ARITY.get(kind, ()) or \
                    any(type(a) is not int or a == 0 for a in ins):
                raise CertificateError(f"small-domain gate {row!r}: malformed, or its output "
                                       "already has a meaning")
            for a in ins:
                m = self.meaning.get(abs(a))
                if m is None or m[0] != "sd":
                    raise CertificateError(f"small-domain gate {g}: input {a} is not a bit, "
                                           "the true literal or an earlier gate")
            self.give(g, ("sd", "gate", kind, ins))
            key = (kind, tuple(self._canon(a) for a in ins))
            self.canon[g] = made.setdefault(key, g)
        sd = _SDClass(D, true, bits, made)
        for x, bs in bits.items():
            self.of[x] = sd
            try:
                self.units.add(self._canon(le_lit(sd.gates, bs, D)))
            except _Undeclared:
                pass  # (its unit, if any, is then rejected)

    def _canon(self, lit: int) -> int:
        v = self.canon.get(abs(lit), abs(lit))
        return v if lit > 0 else -v

    def clause(self, clause: list[int], meanings: list[tuple]) -> Optional[str]:
        """``None`` if ``clause`` (with a small-domain variable) is justified, else why not."""
        for lit, m in zip(clause, meanings):
            if m[0] == "sd" and m[1] == "gate" and implied(abs(lit), m[2], m[3], clause):
                return None
        if len(clause) == 1:
            if self._canon(clause[0]) in self.units:
                return None
            return "a small-domain unit that is neither the true literal nor a box bound"
        if len(clause) == 2:
            for i, m in enumerate(meanings):
                if m[0] == "atom":
                    out = self._link(*m[1:])
                    p, other = clause[i], clause[1 - i]
                    if out is not None and self._canon(other) == (out if p < 0 else -out):
                        return None
                    return f"not the link of atom {m[1:]} to its comparator"
        return "a clause over small-domain variables that no gate's definition implies"

    def _link(self, x: Any, y: Any, c: int) -> Optional[int]:
        """The comparator literal of ``x - y <= c`` (None: not a small-domain atom, or a
        gate the certificate lacks)."""
        sd = self.of.get(x) if isinstance(x, int) else None
        if sd is None or self.of.get(y) is not sd:
            return None
        key = (x, y, c)
        if key not in sd.links:
            try:
                sd.links[key] = atom_lit(sd.gates, sd.bits, sd.diffs, x, y, c, sd.d)
            except _Undeclared:
                sd.links[key] = None
        return sd.links[key]


__all__ = ["SmallDomainClauses"]
