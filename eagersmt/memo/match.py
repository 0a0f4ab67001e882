"""When a stored cube refutation applies to a query, and the clause it then adds.

Idea.  A ``CubeEntry`` proves ``support and cube`` unsat, i.e. ``support => not cube``.  A
query ``Q`` may add the clause ``not cube`` when ``Q`` implies every support item:

* the item's key is one of ``Q``'s assertion keys (the same assertion, ``keys.py``), or
* the item is one difference literal ``u - v <= c`` and ``Q`` asserts ``u - v <= c'`` with
  ``c' <= c`` (``< c`` strict, reals: ``c' < c``, or ``c' = c`` with ``Q``'s the strict one),
* the item is a clause of difference literals and ``Q`` asserts a literal that implies one
  of them, or a clause of the same shape each of whose literals implies one of them, or
* the item is implied by a literal of the cube itself (``S and s and C`` unsat with
  ``C => s`` is ``S and C`` unsat: an optimizer's encoding bound ``makespan <= ub`` is in
  the formula its proof is about, and any cube ``makespan <= a``, ``a < ub``, implies it).

Then ``Q => support => not cube``, so the clause removes no model of ``Q``: sound for
``sat`` and ``unsat`` alike.  The second case is what a falling bound needs: a refutation
found under ``makespan <= 60`` applies under ``makespan <= 55``; the third, what a what-if
needs: a job shop with one operation longer implies every constraint of the original.
Lemmas compose: ``extend`` counts an applied lemma among the query's assertions, so a
refutation that needed an earlier one (its support has the lemma) applies in turn.

The clause goes into the query's circuit (``lemma_root``: after ``normalize``, so that the
circuit of the query and its node numbers do not depend on the lemmas; ``check/proof.py``
adds the same roots the same way when it checks a certificate that used lemmas).  Integer
queries only: a real query's scaling depends on its every constraint.

The stores select candidates with their index (``sql.py``: an entry all of whose support
rows match); this module decides, on the authenticated entry, whether it really applies
(the index rows are not authenticated, so they only suggest).

Cost: one set lookup per support item, one dict lookup per literal item.

Reference: the subsumption of bound lemmas in optimization by SAT (the "falling bound"
reuse of core-guided MaxSAT and of OMT solvers' bound lemmas, e.g. Sebastiani and
Trentin, "OptiMathSAT", CAV 2015), applied to stored refutations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Optional, Sequence

from ..ir.terms import BOOL, INT, REAL, Term, TermManager
from .entries import CubeEntry
from .keys import Atom, BoolLit, Clause, Fact, Literal, QueryKeys, fact_key, negation

if TYPE_CHECKING:
    from ..ir.normalize import Normalized


def implied_by_cube(fact: Optional[Fact], cube: Sequence[Literal]) -> bool:
    """Is the support item ``fact`` implied by a literal of ``cube`` (module doc)?"""
    if fact is None:
        return False
    lits = fact.lits if isinstance(fact, Clause) else (fact,)
    return any(isinstance(x, Atom) and a.implied_by(x) for a in lits for x in cube)


def applies(entry: CubeEntry, qk: QueryKeys) -> bool:
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


def decides(entry: CubeEntry, qk: QueryKeys) -> bool:
    """Does the query assert (or imply, by one asserted literal) every literal of the
    entry's cube, so that its lemma alone makes the query unsat?"""
    from .keys import literal_key

    for x in entry.cube:
        if isinstance(x, Atom) and qk.implies(x):
            continue
        if literal_key(x) in qk.keys:
            continue
        return False
    return True


def lemma_fact(entry: CubeEntry) -> tuple[str, Optional[Fact]]:
    """The key of the lemma ``not cube`` as an assertion, and its constraint(s)."""
    negs = [negation(x) for x in entry.cube]
    if len(negs) == 1:
        x = negs[0]
        from .keys import literal_key

        return literal_key(x), (x if isinstance(x, Atom) else None)
    from .keys import clause_key

    key = clause_key(negs)
    atoms = [x for x in negs if isinstance(x, Atom)]
    return key, (Clause(tuple(atoms)) if len(atoms) == len(negs) else None)


def extend(qk: QueryKeys, entry: CubeEntry) -> None:
    """Count ``entry``'s lemma among the query's assertions (it holds in the query)."""
    key, fact = lemma_fact(entry)
    qk.add_fact(key, fact)


def lemma_root(entry: CubeEntry, norm: "Normalized") -> Optional[int]:
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


def literal_term(lit: Literal, terms: TermManager, sorts: Mapping[str, str]) -> Optional[Term]:
    """The literal as a term of the query (``None`` if it names an undeclared variable)."""
    if isinstance(lit, BoolLit):
        if sorts.get(lit.name) != BOOL:
            return None
        v = terms.var(lit.name, BOOL)
        return v if lit.positive else terms.not_(v)
    sort = None
    for name in (lit.u, lit.v):
        if name is not None:
            s = sorts.get(name)
            if s not in (INT, REAL) or (sort is not None and s != sort):
                return None
            sort = s
    assert sort is not None
    if sort == INT and not isinstance(lit.c, int):
        return None  # a real constraint: not a literal of an integer query
    zero = terms.const(0, sort)
    u = zero if lit.u is None else terms.var(lit.u, sort)
    v = zero if lit.v is None else terms.var(lit.v, sort)
    lhs, rhs = terms.sub(u, v), terms.const(lit.c, sort)
    return terms.lt(lhs, rhs) if lit.strict else terms.le(lhs, rhs)


def lemma_term(entry: CubeEntry, terms: TermManager, sorts: Mapping[str, str]) -> Optional[Term]:
    # (the optimizer's certificates state an applied lemma as this assertion)
    """``not cube`` as a term over the query's variables, to be asserted beside the query
    (``None`` if a literal names a variable the query does not declare)."""
    negs = []
    for lit in entry.cube:
        t = literal_term(lit, terms, sorts)
        if t is None:
            return None
        negs.append(terms.not_(t))
    return terms.or_(negs)

