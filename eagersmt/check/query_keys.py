"""Keys of the lemma store: a canonical hash of each assertion, and of a query.

Idea.  Each asserted term gets a *signed digest* (a sign byte + 16 bytes of BLAKE2b) computed
bottom-up over the hash-consed term DAG, in the normal form the rest of eagersmt uses:

* atoms by their difference form (``ir/normalize.py``, pass 1): ``x - y <= c`` over variable
  *names* (``None`` is the zero variable of bounds), integers rounded as the circuit does
  (``x - y < c`` is ``x - y <= c - 1``), kept in one orientation (the mirror ``y - x <= d``
  is the negation of ``x - y <= -d - 1``; over the reals ``<`` and ``<=`` swap), an
  equality the conjunction of its two directions, an ``ite`` under arithmetic its guarded
  cases;
* ``not`` flips the sign byte; ``and`` is the sorted set of its children's digests (nested
  ``and`` flattened, constants folded, ``a and not a`` false); ``or`` is ``not and not``;
  ``=`` on Booleans and ``ite`` are brought to one sign.
The key of an assertion is the hex of its digest; a top-level conjunction is split, so
``(assert (and a b))`` and ``(assert a) (assert b)`` give the same keys.  The *query key* is
the digest of the logic and the sorted set of assertion keys.

Linear atoms (integer atoms outside difference logic, ``ir/linear.py``'s) are keyed by their
canonical linear form: ``sum a_i * l_i <= b`` over *leaves* ``l_i`` -- variables, and
``div`` / ``mod`` / ``abs`` / ``ite`` / uninterpreted applications, each keyed by its operator,
its constant and the keys of its operands (an ``ite``'s condition and a Boolean argument
by their signed digests) -- coefficients divided by their gcd and ``b`` rounded down, kept
in one orientation as difference atoms are (``<`` is ``<= b - 1``, ``=`` the conjunction of
both directions); a Boolean application (a predicate) is a node of its own.  The map from a
constraint to its form is a function of the constraint, and different forms are different
constraints: two different constraints never share a key.

Recognised as the same: assertions in another order or repeated; ``let`` and
``define-fun`` (expanded by the parser); the sugar the term manager rewrites (``>``, ``>=``,
``-``, ``=>``, ``xor``, ``distinct``, constant folding); any way of writing one difference
atom (``(< x y)``, ``(not (>= x y))``, ``(<= (+ x 1) y)``, ``(<= (- x y) -1)``, scaled
coefficients ``(<= (* 2 x) (* 2 y))`` over the reals); the order of ``and``/``or``/``=``
arguments; ``or`` vs ``not and not``.  Not recognised (different keys, so nothing is
reused): renamed variables (names are part of the key: ``x`` and ``y`` swapped is another
formula), other logical equivalences (distributivity, absorption, ``a or (a and b)``),
equalities substituted in one query and not the other, an Int and a Real variable of the
same name.  Equal keys mean equivalent assertions (up to BLAKE2b-128 collisions), so a key
match is sound; a missed equivalence only costs a miss.

*Facts*: a top-level conjunct that is one difference literal is also kept as the directed
constraint ``u - v <= c`` (``<`` when strict, reals) it asserts, so that a stored
refutation whose support has ``u - v <= c`` applies to a query asserting ``u - v <= c'``,
``c' <= c`` (``match.py``).  A conjunct that is a disjunction of difference literals is
kept as its ``Clause`` of such constraints, filed under its *shape* (the set of its
literals' ``(u, v)`` pairs): a query clause of the same shape whose every literal implies
one of a support clause's implies that clause (a job made longer: its machine's
disjunctions ``a - b >= d_b or b - a >= d_a`` get a larger ``d``).

Cost: one pass over the DAG, one BLAKE2b call per Boolean node; the difference forms are
taken from ``Normalized.forms`` when the caller has normalized already (else computed here:
pass 1 of ``normalize`` again).  ``benchmarks/bench_memo.py`` measures it.

Reference: hash-consing and Merkle-style structural hashing of terms (Filliâtre and
Conchon, "Type-safe modular hash-consing", ML Workshop 2006); canonical difference atoms as
in ``ir/circuit.py``.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from functools import cached_property
from fractions import Fraction
from typing import Iterable, Mapping, Optional, Sequence, Union

from ..ir import terms as T
from ..ir.terms import INT, Term

Number = Union[int, Fraction]
POS, NEGB = b"\x00", b"\x01"
_ATOM_OPS = (T.LE, T.LT, T.EQ)
PREFIX_MIN = 8  # KeyCache.query keeps the facts of a shared prefix of at least this many


def _h(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _boolean_below(t: Term) -> tuple:
    """The Boolean terms right below ``t``'s arithmetic (``ite`` conditions, Boolean
    arguments of applications): the children of a linear atom or a predicate."""
    out: dict[int, Term] = {}
    stack = list(t.args)
    seen: set[int] = set()
    while stack:
        a = stack.pop()
        if a.id in seen:
            continue
        seen.add(a.id)
        if a.sort == T.BOOL:
            out[a.id] = a
        else:
            stack.extend(a.args)
    return tuple(out.values())


@dataclass(frozen=True)
class Atom:
    """The difference constraint ``u - v <= c`` (``< c`` if ``strict``: reals only);
    ``None`` is the zero variable, so ``Atom("x", None, 5)`` is ``x <= 5``."""

    u: Optional[str]
    v: Optional[str]
    c: Number
    strict: bool = False

    def implied_by(self, other: "Atom") -> bool:
        """Does ``other`` (same two variables, same sort) imply this constraint?  (An
        integer constraint has an ``int`` constant, a real one a ``Fraction``: the two are
        not compared, as ``x - y < 1/2`` over the reals is no integer atom.)"""
        if (other.u, other.v) != (self.u, self.v) or \
                isinstance(other.c, int) != isinstance(self.c, int):
            return False
        return other.c < self.c or (other.c == self.c and (other.strict or not self.strict))

    def negation(self) -> "Atom":
        """``not (u - v <= c)`` is ``v - u < -c``; over the integers ``v - u <= -c - 1``."""
        if isinstance(self.c, int):
            return Atom(self.v, self.u, -self.c - 1)
        return Atom(self.v, self.u, -self.c, not self.strict)


@dataclass(frozen=True)
class BoolLit:
    """A Boolean variable, or its negation (a cube literal)."""

    name: str
    positive: bool = True


Literal = Union[Atom, BoolLit]


@dataclass(frozen=True)
class Clause:
    """A disjunction of difference constraints (a support item or a fact of a query)."""

    lits: tuple[Atom, ...]

    @cached_property
    def shape(self) -> str:  # (a digest: computed once per clause)
        return shape_of(self.lits)

    def implied_by(self, other: "Clause") -> bool:
        """Does ``other`` imply this clause (each of its literals implies one of these)?"""
        return all(any(a.implied_by(q) for a in self.lits) for q in other.lits)


Fact = Union[Atom, Clause]  # what a support item, or a query's conjunct, asserts


def shape_of(lits: Iterable[Atom]) -> str:
    """The shape of a clause: its literals' variable pairs, as a short digest."""
    pairs = sorted({repr((a.u, a.v, isinstance(a.c, int))) for a in lits})
    return _h(b"s" + "\x00".join(pairs).encode()).hex()


class _Hasher:
    """Signed digests of Boolean terms (17 bytes: sign, BLAKE2b-128)."""

    def __init__(self, forms: Mapping[Term, list]):
        self.forms = forms
        self.true = POS + _h(b"T")
        self.false = NEGB + self.true[1:]
        self.conj: dict[bytes, tuple[bytes, ...]] = {}  # unsigned AND digest -> children
        self.atoms: dict[bytes, tuple] = {}  # predicate digest (unsigned) -> (u, v, c, strict)

    @staticmethod
    def neg(s: bytes) -> bytes:
        return (NEGB if s[0] == 0 else POS) + s[1:]

    def and_(self, children: Iterable[bytes]) -> bytes:
        true, false, conj = self.true, self.false, self.conj
        seen: set[bytes] = set()
        stack = list(children)
        while stack:
            c = stack.pop()
            if c == true:
                continue
            if c == false:
                return false
            if c[0] == 0 and c in conj:
                stack.extend(conj[c])
                continue
            seen.add(c)
        if not seen:
            return true
        if len(seen) == 1:
            return seen.pop()
        flip = {(b"\x01" if c[0] == 0 else b"\x00") + c[1:] for c in seen}
        if not flip.isdisjoint(seen):
            return false
        kids = tuple(sorted(seen))
        d = POS + _h(b"&" + b"".join(kids))
        conj[d] = kids
        return d

    def or_(self, children: Iterable[bytes]) -> bytes:
        return self.neg(self.and_(self.neg(c) for c in children))

    def iff(self, a: bytes, b: bytes) -> bytes:
        sign = a[0] ^ b[0]
        a, b = POS + a[1:], POS + b[1:]
        if a == b:
            d = self.true
        elif a == self.true:
            d = b
        else:
            lo, hi = (a, b) if a < b else (b, a)
            d = POS + _h(b"=" + lo + hi)
        return self.neg(d) if sign else d

    def ite(self, c: bytes, t: bytes, e: bytes) -> bytes:
        if c[0]:
            c, t, e = self.neg(c), e, t
        if c == self.true:
            return t
        if t == e:
            return t
        sign = t[0]
        if sign:
            t, e = self.neg(t), self.neg(e)
        d = POS + _h(b"?" + c + t + e)
        return self.neg(d) if sign else d

    def pred(self, u: Optional[str], v: Optional[str], c: Number, strict: bool = False) -> bytes:
        """Signed digest of the literal ``u - v <= c`` (``<`` if strict), oriented so that
        ``u`` comes before ``v`` (the zero variable first, then names in order)."""
        sign = POS
        if v is None or (u is not None and u > v):  # the mirror: not (v - u <= -c - 1)
            sign = NEGB
            if isinstance(c, int):
                u, v, c = v, u, -c - 1
            else:
                u, v, c, strict = v, u, -c, not strict
        if isinstance(c, int):
            d = _h(b"d" + repr(("i", u, v, c)).encode())
        else:
            d = _h(b"d" + repr(("r", u, v, c.numerator, c.denominator, strict)).encode())
        self.atoms[d] = (u, v, c, strict)
        return sign + d

    # -- linear atoms (module doc) ---------------------------------------------------------
    def leaf(self, t: Term, lit: Mapping[Term, bytes]) -> bytes:
        """The key of an Int term that is a leaf of linear forms (not +, * or a constant)."""
        op = t.op
        if op == T.VAR:
            return _h(b"x" + repr(t.val).encode())
        if op in (T.DIV, T.MOD):
            return _h(repr((op, t.val)).encode() + self.linear(t.args[0], lit))
        if op == T.ABS:
            return _h(b"|" + self.linear(t.args[0], lit))
        if op == T.ITE:
            return _h(b"?" + lit[t.args[0]] + self.linear(t.args[1], lit)
                      + self.linear(t.args[2], lit))
        if op == T.APPLY:
            return _h(b"f" + self._args(t, lit))
        raise ValueError(f"no key for operator {op} in arithmetic")

    def _args(self, t: Term, lit: Mapping[Term, bytes]) -> bytes:
        """An application's name and arguments (Booleans by digest, integers by form)."""
        parts = [repr(t.val).encode()]
        for a in t.args:
            parts.append(b"b" + lit[a] if a.sort == T.BOOL else b"i" + self.linear(a, lit))
        return _h(b"\x00".join(parts))

    def lin(self, t: Term, lit: Mapping[Term, bytes]) -> tuple[dict[bytes, int], int]:
        """``t`` as coefficients by leaf key, and a constant."""
        if t.op == T.CONST:
            return {}, int(t.val)  # type: ignore[arg-type]
        if t.op == T.MUL:
            coefs, c = self.lin(t.args[0], lit)
            k = int(t.val)  # type: ignore[arg-type]
            return {x: a * k for x, a in coefs.items()}, c * k
        if t.op == T.ADD:
            out: dict[bytes, int] = {}
            const = 0
            for a in t.args:
                ca, ka = self.lin(a, lit)
                const += ka
                for x, k in ca.items():
                    out[x] = out.get(x, 0) + k
            return {x: k for x, k in out.items() if k}, const
        return {self.leaf(t, lit): 1}, 0

    def linear(self, t: Term, lit: Mapping[Term, bytes]) -> bytes:
        """The key of the value of Int term ``t`` (its linear form, leaves sorted)."""
        coefs, c = self.lin(t, lit)
        return _h(b"v" + b"".join(x + repr(coefs[x]).encode() + b";" for x in sorted(coefs))
                  + repr(c).encode())

    def linear_le(self, coefs: Mapping[bytes, int], bound: int) -> bytes:
        """Signed digest of ``sum coefs * leaf <= bound`` in its canonical form."""
        items = sorted((x, a) for x, a in coefs.items() if a)
        if not items:
            return self.true if 0 <= bound else self.false
        g = 0
        for _, a in items:
            g = math.gcd(g, a)
        items = [(x, a // g) for x, a in items]
        bound //= g  # the left side is a multiple of g
        sign = POS
        if items[0][1] < 0:  # not (sum -a * l <= -bound - 1)
            items = [(x, -a) for x, a in items]
            bound, sign = -bound - 1, NEGB
        return sign + _h(b"L" + b"".join(x + repr(a).encode() + b";" for x, a in items)
                         + repr(bound).encode())

    def linear_atom(self, t: Term, lit: Mapping[Term, bytes]) -> bytes:
        """An integer LE / LT / EQ atom outside difference logic (module doc)."""
        if t.args[0].sort != INT:
            raise ValueError("no key for a linear atom over the reals")
        ca, ka = self.lin(t.args[0], lit)
        cb, kb = self.lin(t.args[1], lit)
        coefs = dict(ca)
        for x, k in cb.items():
            coefs[x] = coefs.get(x, 0) - k
        rhs = kb - ka
        if t.op == T.LE:
            return self.linear_le(coefs, rhs)
        if t.op == T.LT:
            return self.linear_le(coefs, rhs - 1)
        return self.and_((self.linear_le(coefs, rhs),
                          self.linear_le({x: -k for x, k in coefs.items()}, -rhs)))

    def atom_term(self, t: Term, lit: dict[Term, bytes]) -> bytes:
        """An LE / LT / EQ term: the disjunction of its guarded difference forms (a linear
        atom, which has none: ``linear_atom``)."""
        if t not in self.forms:
            return self.linear_atom(t, lit)
        integer = t.args[0].sort == INT
        forms = self.forms[t]
        if len(forms) == 1 and not forms[0][0] and len(forms[0][1]) == 3:  # the common case
            p, m, q = forms[0][1]
            return self._form(t.op, p, m, q, integer)
        alts = []
        for guards, form in forms:
            if len(form) == 1:
                a = self.true if form[0] else self.false
            else:
                p, m, q = form
                a = self._form(t.op, p, m, q, integer)
            alts.append(self.and_([a] + [lit[g] if pol else self.neg(lit[g]) for g, pol in guards]))
        return self.or_(alts)

    def _form(self, op: str, p: Optional[str], m: Optional[str], q: Fraction, integer: bool) -> bytes:
        n, d = q.numerator, q.denominator
        if integer:
            if op == T.LE:
                return self.pred(p, m, n // d)
            if op == T.LT:
                return self.pred(p, m, -(-n // d) - 1)
            if d != 1:
                return self.false
            return self.and_((self.pred(p, m, n), self.pred(m, p, -n)))
        q = Fraction(q)
        if op == T.EQ:
            return self.and_((self.pred(p, m, q), self.pred(m, p, -q)))
        return self.pred(p, m, q, op == T.LT)

    def _order(self, roots: Sequence[Term], skip: Mapping[Term, object] = {}) -> list[Term]:
        """The Boolean nodes below ``roots``, children first; an atom's children are the
        guards of its forms (``ite`` conditions under arithmetic), not its arithmetic.
        Nodes in ``skip`` (and what is below them) are left out."""
        forms = self.forms
        order: list[Term] = []
        seen: set[int] = set()

        def kids(t: Term) -> tuple:
            if t.op in _ATOM_OPS and t in forms:
                return tuple({g for guards, _ in forms[t] for g, _ in guards})
            if t.op in _ATOM_OPS or t.op == T.APPLY:  # a linear atom, a predicate
                return _boolean_below(t)
            return t.args

        for r in roots:
            if r.id in seen or r in skip:
                continue
            seen.add(r.id)
            stack = [(r, kids(r), 0)]
            while stack:
                n, children, i = stack[-1]
                if i < len(children):
                    stack[-1] = (n, children, i + 1)
                    c = children[i]
                    if c.id not in seen and c not in skip:
                        seen.add(c.id)
                        stack.append((c, kids(c), 0))
                else:
                    stack.pop()
                    order.append(n)
        return order

    def digests(self, roots: Sequence[Term]) -> dict[Term, bytes]:
        return self.digests_from(roots, {})

    def digests_from(self, roots: Sequence[Term], known: Mapping[Term, bytes]) -> dict[Term, bytes]:
        """Digests of the Boolean nodes below ``roots`` that are not in ``known`` (whose
        digests are looked up there)."""

        class _Both(dict):  # new digests; a miss falls back on the known ones
            def __missing__(self, t: Term) -> bytes:
                return known[t]

        lit: dict[Term, bytes] = _Both()
        for t in self._order(roots, skip=known):
            op = t.op
            if op == T.CONST:
                d = self.true if t.val else self.false
            elif op == T.VAR:
                d = POS + _h(b"b" + str(t.val).encode())
            elif op == T.NOT:
                d = self.neg(lit[t.args[0]])
            elif op == T.AND:
                d = self.and_(lit[a] for a in t.args)
            elif op == T.OR:
                d = self.or_(lit[a] for a in t.args)
            elif op == T.IFF:
                d = self.iff(lit[t.args[0]], lit[t.args[1]])
            elif op == T.ITE:
                d = self.ite(lit[t.args[0]], lit[t.args[1]], lit[t.args[2]])
            elif op in (T.LE, T.LT, T.EQ):
                d = self.atom_term(t, lit)
            elif op == T.APPLY:
                d = POS + _h(b"P" + self._args(t, lit))
            else:  # pragma: no cover - the term manager makes no other Boolean node
                raise ValueError(f"no key for operator {op}")
            lit[t] = d
        return dict(lit)

    def conjuncts(self, d: bytes) -> list[bytes]:
        """The top-level conjuncts of a signed digest (``and`` split, ``true`` dropped)."""
        if d == self.true:
            return []
        if d[0] == 0 and d in self.conj:
            return list(self.conj[d])
        return [d]

    def fact(self, d: bytes) -> Optional[Atom]:
        """The constraint a conjunct asserts when it is one difference literal."""
        t = self.atoms.get(d[1:])
        if t is None:
            return None
        a = Atom(*t)
        return a.negation() if d[0] else a

    def clause(self, d: bytes) -> Optional[Clause]:
        """The constraints of a conjunct that is a disjunction of difference literals
        (``or`` is ``not and not``: its negated digest is a conjunction of negations)."""
        if d[0] == 0:
            return None
        kids = self.conj.get(POS + d[1:])
        if kids is None:
            return None
        lits = []
        for k in kids:
            a = self.fact(self.neg(k))
            if a is None:
                return None
            lits.append(a)
        return Clause(tuple(lits))


@dataclass
class QueryKeys:
    """The keys of one query (the assertions of one ``check-sat``, assumptions included)."""

    logic: str
    key: str  # the query key (hex)
    keys: frozenset[str]  # every assertion key (hex), i.e. every top-level conjunct
    per_assertion: tuple[tuple[str, ...], ...]  # the keys of each input assertion, in order
    atoms: dict[str, Atom] = field(default_factory=dict)  # key -> its constraint (one literal)
    bounds: dict[tuple, Atom] = field(default_factory=dict)  # (u, v) -> strongest asserted
    clauses: dict[str, Clause] = field(default_factory=dict)  # key -> its clause
    shapes: dict[str, list[Clause]] = field(default_factory=dict)  # shape -> asserted clauses

    def implies(self, atom: Atom) -> bool:
        """Does some asserted difference literal imply ``atom``?"""
        b = self.bounds.get((atom.u, atom.v))
        return b is not None and atom.implied_by(b)

    def implies_clause(self, clause: Clause) -> bool:
        """Does an asserted literal imply one of ``clause``'s, or an asserted clause of its
        shape imply it?"""
        if any(self.implies(a) for a in clause.lits):
            return True
        return any(clause.implied_by(q) for q in self.shapes.get(clause.shape, ()))

    def fact(self, key: str) -> Optional[Fact]:
        return self.atoms.get(key) or self.clauses.get(key)

    def support_of(self, assertions: Iterable[int]) -> list[tuple[str, Optional[Fact]]]:
        """The support items of input assertions (0-based indices): their keys, each with
        its constraint(s) when it is one difference literal or a clause of them (for
        ``Store.put_cube``)."""
        keys = sorted({k for i in assertions for k in self.per_assertion[i]})
        return [(k, self.fact(k)) for k in keys]

    def add_fact(self, key: str, fact: Optional[Fact]) -> None:
        """Count ``key`` (with its constraint) among the query's assertions: a clause
        that the query implies (a stored refutation's lemma, ``match.extend``)."""
        self.keys = self.keys | {key}
        if isinstance(fact, Atom):
            self.atoms[key] = fact
            old = self.bounds.get((fact.u, fact.v))
            if old is None or old.implied_by(fact):
                self.bounds[(fact.u, fact.v)] = fact
        elif isinstance(fact, Clause):
            self.clauses[key] = fact
            self.shapes.setdefault(fact.shape, []).append(fact)


def query_keys(assertions: Sequence[Term], logic: Optional[str] = None, *,
               forms: Optional[Mapping[Term, list]] = None) -> QueryKeys:
    """The keys of ``assertions`` (see module doc).  ``forms``: ``Normalized.forms`` of a
    ``normalize`` over (a superset of) the same terms, to skip recomputing them.  Raises
    ``ValueError`` for an atom no key describes (linear over the reals)."""
    if forms is None:
        forms = _forms([t for t in T.iter_dag(list(assertions)) if t.op in _ATOM_OPS])
    return KeyCache(forms).query(assertions, logic)


def _forms(atoms: list[Term]) -> dict:
    """The difference forms of ``atoms``; an atom outside difference logic gets none (it
    is keyed by its linear form, ``_Hasher.linear_atom``)."""
    from ..errors import InputError
    from ..ir.normalize import difference_forms

    try:
        return difference_forms(atoms)
    except InputError:
        pass
    out: dict = {}
    for t in atoms:
        try:
            out.update(difference_forms([t]))
        except InputError:
            continue
    return out


class KeyCache:
    """Keys of queries that share assertions (a session's check-sats, an optimizer's bound
    queries): each assertion's digests are computed once.  ``forms``: as for
    ``query_keys`` (``add_forms`` adds those of later assertions)."""

    def __init__(self, forms: Optional[Mapping[Term, list]] = None):
        self.forms: dict = dict(forms) if forms is not None else {}
        self.h = _Hasher(self.forms)
        self.lit: dict[Term, bytes] = {}
        self.per: dict[Term, tuple] = {}  # assertion -> ((key, fact or None), ...)
        self._last: tuple = ()  # the assertions of the last query
        self._prefix: Optional[tuple] = None  # (a prefix of them, its facts): see ``query``

    def add_forms(self, forms: Mapping[Term, list]) -> None:
        self.forms.update(forms)

    def _of(self, a: Term) -> tuple:
        got = self.per.get(a)
        if got is None:
            if a not in self.lit:
                missing = [t for t in T.iter_dag([a]) if t.op in _ATOM_OPS and t not in self.forms]
                if missing:
                    self.forms.update(_forms(missing))
                self.lit.update(self.h.digests_from([a], self.lit))
            got = self.per[a] = tuple((d.hex(), self.h.fact(d) or self.h.clause(d))
                                      for d in self.h.conjuncts(self.lit[a]))
        return got

    def query(self, assertions: Sequence[Term], logic: Optional[str] = None) -> QueryKeys:
        """The keys of the query ``assertions``.  A session asks for assertion stacks that
        share a long prefix (the base, then one pushed level or another): the facts of the
        prefix shared by the last two queries are kept (``_prefix``) and only the rest is
        added, so a check-sat costs in proportion to what changed, plus the query key."""
        terms = tuple(assertions)
        got = self._prefix
        if got is None or terms[:len(got[0])] != got[0]:
            last = self._last
            n = 0
            m = min(len(last), len(terms))
            while n < m and last[n] is terms[n]:
                n += 1
            got = (terms[:n], self._facts(terms[:n], None))
            if n >= PREFIX_MIN:
                self._prefix = got
        self._last = terms
        per, atoms, bounds, clauses, shapes = self._facts(terms[len(got[0]):], got[1])
        qk = QueryKeys(logic or "", "", frozenset(), (), atoms, bounds, clauses, shapes)
        keys = frozenset(k for akeys in per for k in akeys)
        qk.keys = keys
        qk.per_assertion = tuple(per)
        qk.key = _h(b"q" + qk.logic.encode() + b"\x00" + "".join(sorted(keys)).encode()).hex()
        return qk

    def _facts(self, assertions: Sequence[Term], start: Optional[tuple]) -> tuple:
        """``start`` (the facts of a prefix; copied, not changed) with ``assertions``'."""
        if start is None:
            per: list = []
            atoms: dict = {}
            bounds: dict = {}
            clauses: dict = {}
            shapes: dict = {}
        else:
            per, atoms, bounds, clauses = list(start[0]), dict(start[1]), dict(start[2]), dict(start[3])
            shapes = {k: list(v) for k, v in start[4].items()}
        for a in assertions:
            items = self._of(a)
            per.append(tuple(k for k, _ in items))
            for k, f in items:
                if isinstance(f, Atom):
                    atoms[k] = f
                    old = bounds.get((f.u, f.v))
                    if old is None or old.implied_by(f):  # f is at least as strong
                        bounds[(f.u, f.v)] = f
                elif isinstance(f, Clause):
                    clauses[k] = f
                    shapes.setdefault(f.shape, []).append(f)
        return per, atoms, bounds, clauses, shapes


def _literal_digest(h: _Hasher, lit: Literal) -> bytes:
    if isinstance(lit, BoolLit):
        d = POS + _h(b"b" + lit.name.encode())
        return d if lit.positive else h.neg(d)
    return h.pred(lit.u, lit.v, lit.c, lit.strict)


def literal_key(lit: Literal) -> str:
    """The assertion key of a cube literal asserted alone (``verify.py`` checks that a
    stored refutation's formula asserts exactly its cube)."""
    return _literal_digest(_Hasher({}), lit).hex()


def clause_key(lits: Iterable[Literal]) -> str:
    """The assertion key of the disjunction of ``lits`` asserted alone."""
    h = _Hasher({})
    return h.or_(_literal_digest(h, x) for x in lits).hex()


def fact_key(fact: Fact) -> str:
    """The key of the assertion that states ``fact`` (a support item's key must be it)."""
    return literal_key(fact) if isinstance(fact, Atom) else clause_key(fact.lits)


def negation(lit: Literal) -> Literal:
    if isinstance(lit, BoolLit):
        return BoolLit(lit.name, not lit.positive)
    return lit.negation()
