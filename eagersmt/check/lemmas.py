"""Stored refutations in a certificate: what a lemma means, and when it holds in an input.

A lemma is a refuted cube with its support (``support``: assertion keys with their
difference constraints, ``cube``: literals; ``check/query_keys.py``): wherever the support
holds, ``not cube`` does.  A certified run that applied lemmas lists them in its
``certificate.json`` (their JSON form: ``encode_fact`` / ``encode_lit``); ``check/proof.py``
verifies each one's own certificate (``stored.py``), checks that its support holds in the
input (``applies``) and adds its clause to the input's circuit (``lemma_root``).  The lemma
store (``eagersmt/memo``) records and applies lemmas with these same definitions.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any, Optional, Sequence, Union

from .query_keys import (Atom, BoolLit, Clause, Fact, Literal, QueryKeys, clause_key,
                         literal_key, negation)

if TYPE_CHECKING:
    from ..ir.normalize import Normalized

Lemma = Any  # an object with ``support`` (key, Fact or None pairs) and ``cube`` (Literals)


def number_json(c: object) -> list:
    if isinstance(c, bool):
        raise TypeError("a Boolean where a number is expected")
    if isinstance(c, int):
        return ["i", str(c)]
    c = Fraction(c)  # type: ignore[arg-type]
    return ["q", f"{c.numerator}/{c.denominator}"]


def json_number(x: Any) -> Union[int, Fraction]:
    kind, text = x
    if kind == "i":
        return int(text)
    if kind == "q":
        return Fraction(text)
    raise ValueError(f"unknown number kind {kind!r}")


def _name(x: Any) -> Optional[str]:
    if x is None or isinstance(x, str):
        return x
    raise ValueError("a variable name must be a string or null")


def encode_atom(a: Atom) -> list:
    return [a.u, a.v, number_json(a.c), bool(a.strict)]


def decode_atom(x: Any) -> Atom:
    u, v, c, strict = x
    if not isinstance(strict, bool) or (u is None and v is None) or u == v:
        raise ValueError("malformed atom")
    c = json_number(c)
    if isinstance(c, int) and strict:
        raise ValueError("a strict integer atom")
    return Atom(_name(u), _name(v), c, strict)


def encode_fact(f: Optional[Fact]) -> Any:
    """A support item's constraint: null, an atom, or ``{"or": [atoms]}``."""
    if f is None:
        return None
    if isinstance(f, Clause):
        return {"or": [encode_atom(a) for a in f.lits]}
    return encode_atom(f)


def decode_fact(x: Any) -> Optional[Fact]:
    if x is None:
        return None
    if isinstance(x, dict):
        if set(x) != {"or"} or not isinstance(x["or"], list) or len(x["or"]) < 2:
            raise ValueError("malformed clause")
        return Clause(tuple(decode_atom(a) for a in x["or"]))
    return decode_atom(x)


def encode_lit(x: Literal) -> list:
    if isinstance(x, BoolLit):
        return ["b", x.name, bool(x.positive)]
    return ["d"] + encode_atom(x)


def decode_lit(x: Any) -> Literal:
    if x[0] == "b":
        _, name, pos = x
        if not isinstance(name, str) or not isinstance(pos, bool):
            raise ValueError("malformed Boolean literal")
        return BoolLit(name, pos)
    if x[0] == "d":
        return decode_atom(x[1:])
    raise ValueError(f"unknown literal kind {x[0]!r}")


def implied_by_cube(fact: Optional[Fact], cube: Sequence[Literal]) -> bool:
    """Is the support item ``fact`` implied by a literal of ``cube`` (module doc)?"""
    if fact is None:
        return False
    lits = fact.lits if isinstance(fact, Clause) else (fact,)
    return any(isinstance(x, Atom) and a.implied_by(x) for a in lits for x in cube)


def applies(entry: Lemma, qk: QueryKeys) -> bool:
    """Does every support item of ``entry`` hold in the query (see module doc)?"""
    keys = qk.keys
    for key, fact in entry.support:
        if key in keys:
            continue
        if isinstance(fact, Atom) and qk.implies(fact):
            continue
        if isinstance(fact, Clause) and qk.implies_clause(fact):
            continue
        if implied_by_cube(fact, entry.cube):
            continue
        return False
    return True


def lemma_fact(entry: Lemma) -> tuple[str, Optional[Fact]]:
    """The key of the lemma ``not cube`` as an assertion, and its constraint(s)."""
    negs = [negation(x) for x in entry.cube]
    if len(negs) == 1:
        x = negs[0]
        return literal_key(x), (x if isinstance(x, Atom) else None)
    key = clause_key(negs)
    atoms = [x for x in negs if isinstance(x, Atom)]
    return key, (Clause(tuple(atoms)) if len(atoms) == len(negs) else None)


def extend(qk: QueryKeys, entry: Lemma) -> None:
    """Count ``entry``'s lemma among the query's assertions (it holds in the query)."""
    key, fact = lemma_fact(entry)
    qk.add_fact(key, fact)


def lemma_root(entry: Lemma, norm: "Normalized") -> Optional[int]:
    """Add the clause ``not cube`` to the normalized query's circuit as a root; its literal,
    or None when it cannot be stated there (a real query, a strict or rational literal)."""
    from ..ir.terms import INT as INT_SORT

    c = norm.circuit
    if norm.sort != INT_SORT or norm.scale != 1:
        return None

    def var(name: Optional[str]) -> tuple[int, int]:
        if name is None:
            return 0, 0
        if name in norm.aliases:
            rep, off = norm.aliases[name]
            return (0 if rep == "0" else c.int_var(rep)), off
        return c.int_var(name), 0

    negs = []
    for x in entry.cube:
        if isinstance(x, BoolLit):
            n = c.bool_var(x.name)
            negs.append(-n if x.positive else n)
            continue
        if x.strict or not isinstance(x.c, int):
            return None
        (i, oi), (j, oj) = var(x.u), var(x.v)
        negs.append(-c.pred(i, j, x.c - oi + oj))  # (i + oi) - (j + oj) <= c
    root = c.or_(negs)
    c.roots.append(root)
    return root



__all__ = ["Lemma", "applies", "json_number", "number_json", "decode_atom", "decode_fact", "decode_lit", "encode_atom",
           "encode_fact", "encode_lit", "extend", "implied_by_cube", "lemma_fact", "lemma_root"]
