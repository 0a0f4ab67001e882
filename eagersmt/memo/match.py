"""When a stored cube refutation applies to a query, and the clause it then adds.

Idea.  A ``CubeEntry`` proves ``support and cube`` unsat, i.e. ``support => not cube``.  A
query ``Q`` may add the clause ``not cube`` when ``Q`` implies every support item:

* the item's key is one of ``Q``'s assertion keys (the same assertion, ``keys.py``), or
* the item is one difference literal ``u - v <= c`` and ``Q`` asserts ``u - v <= c'`` with
  ``c' <= c`` (``< c`` strict, reals: ``c' < c``, or ``c' = c`` with ``Q``'s the strict one).

Then ``Q => support => not cube``, so the clause removes no model of ``Q``: sound for
``sat`` and ``unsat`` alike.  The second case is what a falling bound needs: a refutation
found under ``makespan <= 60`` applies under ``makespan <= 55``.

The stores select candidates with their index (``sql.py``: an entry all of whose support
rows match); this module decides, on the authenticated entry, whether it really applies
(the index rows are not authenticated, so they only suggest).

Cost: one set lookup per support item, one dict lookup per literal item.

Reference: the subsumption of bound lemmas in optimization by SAT (the "falling bound"
reuse of core-guided MaxSAT and of OMT solvers' bound lemmas, e.g. Sebastiani and
Trentin, "OptiMathSAT", CAV 2015), applied to stored refutations.
"""

from __future__ import annotations

from typing import Mapping, Optional

from ..ir.terms import BOOL, INT, REAL, Term, TermManager
from .entries import CubeEntry
from .keys import BoolLit, Literal, QueryKeys


def applies(entry: CubeEntry, qk: QueryKeys) -> bool:
    """Does every support item of ``entry`` hold in the query (see module doc)?"""
    keys = qk.keys
    for key, atom in entry.support:
        if key in keys:
            continue
        if atom is not None and qk.implies(atom):
            continue
        return False
    return True


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
    """``not cube`` as a term over the query's variables, to be asserted beside the query
    (``None`` if a literal names a variable the query does not declare)."""
    negs = []
    for lit in entry.cube:
        t = literal_term(lit, terms, sorts)
        if t is None:
            return None
        negs.append(terms.not_(t))
    return terms.or_(negs)

