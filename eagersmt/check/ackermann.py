"""Checking Ackermann's functional-consistency constraints of a linear formula.

Uninterpreted functions reach the CNF through Ackermann's reduction (``ir/ackermann.py``,
built by ``ir/linear.py``): each application is a fresh variable, and for two applications
``F = f(a1..an)``, ``G = f(b1..bn)`` of the same function the root
``(a1 = b1 and ... and an = bn) -> F = G`` is asserted.  Such a root is sound (every model
of the formula with functions extends to one of the reduced formula: give ``F`` the value
``f(a)``) only if it is no stronger than that: its premises must state every argument
equality and its conclusion no more than ``F = G``.  A wrong one (an equality dropped, the
results of two different functions equated) would let an unsat CNF "prove" a satisfiable
formula, and the clause-by-clause check of ``proof.py`` would not see it, because it is a
root.  So each consistency root the normalizer lists is read back here, from the circuit
and the atoms' own coefficients, with this module's reading of an atom: the clause's
disjuncts; one of them (the conclusion) an ``iff`` of the two Boolean results, or a
conjunction of atoms each of which is ``F - G <= 0`` or ``G - F <= 0``; the negations of
the others (premises), with their conjunctions flattened, must include, for each argument
pair that is not syntactically equal, both ``a - b <= 0`` and ``b - a <= 0`` (an ``iff``
of the two variables for a Boolean argument).  More premises only weaken the clause.

Cost: linear in the size of the consistency roots.  Reference: W. Ackermann, "Solvable
cases of the decision problem" (1954); Bryant, German, Velev (TOCL 2001), section 3.
"""

from __future__ import annotations

import math
from typing import Optional

from ..ir.circuit import K_AND, K_BVAR, K_IFF, K_PRED, Circuit
from ..ir.linear import ATOM_PREFIX, LinearNormalized
from .certificate import CertificateError

Canon = tuple[tuple[tuple[str, int], ...], int]


def _canonical(coefs: dict[str, int], rhs: int) -> Optional[Canon]:
    """``sum coefs * x <= rhs`` with coefficients divided by their gcd (``rhs`` rounded
    down): equal for two equivalent constraints of the same direction; None if constant."""
    items = sorted((x, a) for x, a in coefs.items() if a)
    if not items:
        return None
    g = 0
    for _, a in items:
        g = math.gcd(g, a)
    return tuple((x, a // g) for x, a in items), rhs // g


def _atom_meaning(norm: LinearNormalized, lit: int) -> Optional[Canon]:
    """The constraint a circuit literal states, if it is an atom (either sign)."""
    c = norm.boolean
    n = abs(lit)
    if c.kind[n] == K_PRED:  # ``x - y <= k`` of a difference class (0: the zero variable)
        x, y, b = c.args[n]
        items = [(c.int_names[v], a) for v, a in ((x, 1), (y, -1)) if v]
    elif c.kind[n] == K_BVAR and c.args[n][0].startswith(ATOM_PREFIX):
        items, b = norm.atoms[int(c.args[n][0][len(ATOM_PREFIX):])]
    else:
        return None
    if lit > 0:
        return _canonical(dict(items), b)
    return _canonical({x: -a for x, a in items}, -b - 1)


def _leaves(c: Circuit, lit: int) -> list[int]:
    """The conjuncts of ``lit``, positive ANDs flattened."""
    out, stack = [], [lit]
    while stack:
        a = stack.pop()
        if a > 0 and c.kind[a] == K_AND:
            stack.extend(c.args[a])
        else:
            out.append(a)
    return out


def _difference(a: tuple, b: tuple) -> tuple[dict[str, int], int]:
    coefs = dict(a[0])
    for x, k in b[0].items():
        coefs[x] = coefs.get(x, 0) - k
    return coefs, a[1] - b[1]


def _equality(norm: LinearNormalized, a: object, b: object) -> Optional[set]:
    """What states ``a = b`` among premise leaves: a set of atom meanings (Int), or of one
    ``("iff", nodes)`` (Bool); None when ``a`` and ``b`` are the same."""
    if isinstance(a, str):
        if a == b:
            return None
        names = norm.boolean.bool_names
        return {("iff", frozenset((names[a], names[b])))}  # type: ignore[index]
    coefs, const = _difference(a, b)  # type: ignore[arg-type]
    le = _canonical(coefs, -const)
    if le is None:
        if const:
            raise CertificateError("a consistency constraint between arguments that differ "
                                   "by a constant")
        return None
    return {le, _canonical({x: -k for x, k in coefs.items()}, const)}


def _stated(norm: LinearNormalized, lit: int) -> object:
    """How a leaf is compared: an atom's meaning, an ``iff``'s node pair, else itself."""
    m = _atom_meaning(norm, lit)
    if m is not None:
        return m
    c = norm.boolean
    if lit > 0 and c.kind[lit] == K_IFF:
        return ("iff", frozenset(c.args[lit]))
    return lit


def check_consistency(norm: LinearNormalized) -> int:
    """Check every consistency root of ``norm`` (module doc); their number.
    ``CertificateError`` names the first that is stronger than Ackermann's constraint."""
    c = norm.boolean
    known = {id(a) for a in norm.apps}
    for f, g, root in norm.consistency:
        where = f"the consistency constraint of {f.result} and {g.result}"
        if id(f) not in known or id(g) not in known or f.function != g.function or \
                len(f.args) != len(g.args) or f is g:
            raise CertificateError(f"{where}: not two applications of one function")
        disjuncts = [-ch for ch in c.args[-root]] if root < 0 and c.kind[-root] == K_AND \
            else [root]
        if f.sort == "Bool":
            names = c.bool_names
            result = {("iff", frozenset((names[f.result], names[g.result])))}
        else:
            result = _equality(norm, ({f.result: 1}, 0), ({g.result: 1}, 0)) or set()
        conclusion = None
        for d in disjuncts:
            if all(_stated(norm, leaf) in result for leaf in _leaves(c, d)):
                conclusion = d
                break
        if conclusion is None:
            raise CertificateError(f"{where}: its conclusion is not {f.result} = {g.result}")
        premises = {_stated(norm, leaf) for d in disjuncts if d != conclusion
                    for leaf in _leaves(c, -d)}
        for i, (a, b) in enumerate(zip(f.args, g.args)):
            need = _equality(norm, a, b)
            if need is not None and not need <= premises:
                raise CertificateError(f"{where}: its premises lack argument {i + 1}'s equality")
    return len(norm.consistency)


__all__ = ["check_consistency"]
