"""When a stored cube refutation applies to a query, and the clause it then adds.

(``applies``, ``extend`` and ``lemma_root`` are the checker's, ``check/lemmas.py``: a
certificate that used lemmas is checked with the same definitions; this module adds
``decides`` and the lemma as a term.)

Idea.  A ``CubeEntry`` proves ``support and cube`` unsat, i.e. ``support => not cube``.  A
query ``Q`` may add the clause ``not cube`` when ``Q`` implies every support item:

* the item's key is one of ``Q``'s assertion keys (the same assertion, ``check/query_keys.py``), or
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

from typing import Mapping, Optional

from ..check.query_keys import Atom, BoolLit, Literal, QueryKeys, literal_key
from ..ir.terms import BOOL, INT, REAL, Term, TermManager
from .entries import CubeEntry


def decides(entry: CubeEntry, qk: QueryKeys) -> bool:
    """Does the query assert (or imply, by one asserted literal) every literal of the
    entry's cube, so that its lemma alone makes the query unsat?"""
    for x in entry.cube:
        if isinstance(x, Atom) and qk.implies(x):
            continue
        if literal_key(x) in qk.keys:
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

