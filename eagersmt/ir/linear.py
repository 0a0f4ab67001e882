"""Normalization of linear integer arithmetic: a Boolean circuit over linear constraints.

``normalize.py`` reads difference logic; a formula outside it (an atom with coefficients,
``div``/``mod``/``abs``, an uninterpreted function, a sum of many ``ite``) comes here
(``outside_difference`` says when; ``compile.py`` routes).  Every atom becomes
``sum a_i * x_i <= b`` with integer coefficients divided by their gcd (``b`` rounded
down), kept in one orientation (the first coefficient positive; the other one is the
negation, ``sum -a_i * x_i <= -b - 1``), and stands in the circuit as a Boolean variable
named ``|lin|k`` (``|`` cannot occur in an SMT-LIB symbol, so no name clashes).

Arithmetic is linearised bottom-up: an ``ite`` with constant branches is ``e + (t - e) *
[c]`` over a 0-1 *indicator* ``[c]`` (a variable tied to the condition), any other ``ite``
a fresh variable ``v`` with ``c -> v = t`` and ``not c -> v = e``.  When an atom holds a
nested ``ite`` tree (a program counter over label constants, data chosen along paths),
its ``ite``s are lifted into the atom instead, case by case (``lifted``: ``ite(c, a, b) op
r`` is ``ite(c, a op r, b op r)``, a tree over variables one variable where several would
multiply the cases), and the terms are linearised only where an atom that is not lifted
asks for them; ``div``/``mod`` by a constant ``k`` fresh ``q``, ``r`` with
``x = k*q + r``, ``0 <= r <= |k| - 1``; ``abs`` a fresh ``a`` defined by cases on the sign;
an uninterpreted function application a fresh variable with Ackermann's constraints
(``ackermann.py``), unless it is a p-term of positive equality (``positive.py``: a term the
formula only requires to differ from others gets no variable, and its disequalities become
Boolean functions of the other terms).  A top-level ``x = e`` whose ``e`` has at most ``SUBSTITUTE_WIDTH``
variables is substituted first (``definitions``; ``z = (ite c 1 0)`` makes ``z`` the
indicator of ``c``, a Boolean in every sum).  The other top-level equalities ``sum a_i x_i
= b`` outside the difference classes are then eliminated where that keeps the atoms narrow
(``equalities.py``: a variable solved for, the Omega test's parameters for non-unit
coefficients; ``eliminate_equalities``), every atom rewritten, the eliminated variables
computed back by ``definitions`` when decoding; before that, all of the top-level
equalities, eliminated in full, say whether they have an integer solution at all
(``integer_infeasible``: a system refuted there is not encoded).

Classes.  The integer variables (indicators apart) fall into classes connected by the
atoms in use.  A class whose atoms are all ``x - y <= c`` and bounds is a *difference
class*: its atoms become difference predicates of the circuit, and the encoder hands
them to the difference-logic encodings exactly as for a difference-logic formula.  A
top-level ``x = c + sum v_t * b_t`` over indicators of which at most one holds (a
time-indexed start time) is a ``Channel``: the encoder may give ``x`` the order encoding,
tied to the ``b_t`` by clauses, rather than a wide equality over bits.

Domains.  The encoding needs a finite domain for every integer variable.  Bounds are
propagated from the top-level constraints (interval reasoning over each unit constraint,
to a fixed point or ``BOUND_ROUNDS`` rounds; every intermediate result is implied by the
formula), from the definitions of fresh variables (the hull of the branches of an
``ite``), and, for an application whose arguments range over values where the function is
applied to constants, the hull of those results.  What that leaves open the linear relaxation of the
top-level constraints closes where it can (``lp_bounds.py``: an exact simplex, the floor
of each variable's maximum and the ceiling of its minimum; an infeasible relaxation is an
infeasible formula), and a top-level row whose coefficients stand out (a negated cut) is
checked against the integer points of the cone of the others' relaxation basis
(``corner.py``: none of them satisfies it, the formula is refuted).  The ``checkable``
form, which the certificate checker re-derives and trusts, takes neither step;
``corner_witness`` takes the corner step for it before encoding, with a witness that the
checker checks on its own.  A variable still
unbounded gets the
*solution bound* of the system outside the difference classes (whose encodings bound
their own domains): ``solution_bounds.py``, the smaller of von zur Gathen and Sieveking's
(exponential in the number of variables) and Seshia and Bryant's (exponential in the
number of constraints that are not differences); ``--stats`` says ``solution_bound`` (which)
and ``solution_bound_bits`` when one is used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from itertools import product
from typing import Any, Callable, Mapping, Optional, Sequence

from ..errors import UnsupportedError
from . import terms as T
from .ackermann import Application, consistency_pairs, interpretations
from .circuit import FALSE, K_AND, K_BVAR, K_IFF, K_ITE, TRUE, Circuit, polarities
from .components import DisjointSets
from .corner import corner_infeasible, corner_refutation
from .equalities import Elimination, Lin, eliminate, integer_infeasible, substitute
from .lp_bounds import Infeasible, lp_bounds
from .positive import Classification, Diverse, PTerms, Value, classify, offset_form
from .solution_bounds import solution_bound
from .terms import BOOL, INT, REAL, Term, iter_dag

ATOM_PREFIX = "|lin|"
BOUND_ROUNDS = 60
CASE_LIMIT = 256  # an atom whose ite-lifting (``normalize.py``) has more cases comes here
LIFT_LIMIT = 4096  # cases of one atom's ``ite``s past which it is not lifted (``lifted``)
PRODUCT_LIMIT = 512  # cases past which an atom's ``ite`` trees get variables (``lifted``)
VALUE_SET_LIMIT = 64  # values of an ``ite`` over constants tracked (``constant_values``)
UF_COVER_LIMIT = 4096  # argument tuples enumerated for an application's bound
# a top-level ``x = e`` is substituted when ``e`` has at most this many variables (a wider
# ``e`` copied into every atom of ``x`` makes wide sums of them, whose encodings are larger
# than ``x``'s own bits and the equality)
SUBSTITUTE_WIDTH = 1



def outside_difference(assertions: Sequence[Term], order: Optional[list[Term]] = None) -> bool:
    """Does the formula need this normalizer without asking ``normalize.py`` first: an
    uninterpreted function, ``div``/``mod``/``abs``, or an atom whose ``ite`` cases would
    multiply past ``CASE_LIMIT``?  (A cheap count: one pass over the DAG, ``order`` when the
    caller has it, ``iter_dag(assertions)``; none without an ``ite``, where every term has
    one case.)  Atoms that ``normalize.py`` rejects otherwise are found by it
    (``NotDifference``)."""
    if order is None:
        order = iter_dag(assertions)
    ops = {t.op for t in order}
    if not ops.isdisjoint((T.APPLY, T.DIV, T.MOD, T.ABS)):
        return True
    if T.ITE not in ops:
        return False
    cases: dict[int, int] = {}
    for t in order:
        op = t.op
        if op in (T.APPLY, T.DIV, T.MOD, T.ABS):
            return True
        if t.sort == BOOL:
            if op in (T.LE, T.LT, T.EQ) and t.args[0].sort != BOOL:
                if cases[t.args[0].id] * cases[t.args[1].id] > CASE_LIMIT:
                    return True
            continue
        if op == T.ITE:
            n = cases[t.args[1].id] + cases[t.args[2].id]
        elif op == T.ADD:
            n = 1
            for a in t.args:
                n = min(n * cases[a.id], CASE_LIMIT + 1)
        elif op == T.MUL:
            n = cases[t.args[0].id]
        else:
            n = 1
        cases[t.id] = min(n, CASE_LIMIT + 1)
    return False


@dataclass(frozen=True)
class Channel:
    """``x = const + sum v * b`` over indicators ``b`` of which at most one holds; the
    atoms (``x - sum v * b <= const`` and its converse) that say it."""

    const: int
    terms: tuple[tuple[str, int], ...]
    atoms: tuple[int, int]


@dataclass
class LinearNormalized:
    """The circuit over linear constraints and what decoding needs.

    ``boolean`` is the Boolean structure over two kinds of leaves: difference predicates
    (the atoms of the *difference classes*, classes of integer variables whose atoms are
    all ``x - y <= c`` or bounds: they get the difference-logic encodings), and Boolean
    variables ``|lin|k`` for the other atoms (``atoms[k]``: ``sum coef * x <= bound``);
    ``domains`` the finite range of every other integer variable; ``indicators`` the 0-1
    integer variables that are a Boolean variable of the circuit of the same name;
    ``definitions`` the variables substituted away (``x = e`` at the top level, and the
    eliminated equalities' variables), each over variables that are encoded;
    ``channels`` the variables that a top-level equality ties to indicators of which at
    most one holds (``Channel``).
    ``circuit`` is empty: the stages that read the difference
    circuit (the lemma store's keys, cubes, the optimizer) have nothing to work on here, and
    the one-shot pipeline takes an empty circuit as nothing to look up."""

    boolean: Circuit
    atoms: list[tuple[tuple[tuple[str, int], ...], int]]
    domains: dict[str, tuple[int, int]]
    indicators: set[str]
    apps: list[Application]
    infeasible: bool = False  # the top-level bounds are contradictory
    circuit: Circuit = field(default_factory=Circuit)
    sort: str = INT
    scale: int = 1
    stats: dict[str, int] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # (``solution_bound``: which one)
    aliases: dict[str, tuple[str, int]] = field(default_factory=dict)
    forms: dict[Term, list] = field(default_factory=dict)
    # variables closed only by the solution bound: their propagated bounds (None: open)
    open_sides: dict[str, tuple[Optional[int], Optional[int]]] = field(default_factory=dict)
    # Ackermann's constraints among the roots: (application, application, root literal)
    consistency: list[tuple[Application, Application, int]] = field(default_factory=list)
    definitions: dict[str, Lin] = field(default_factory=dict)
    channels: dict[str, "Channel"] = field(default_factory=dict)
    pterms: PTerms = field(default_factory=PTerms)  # given maximally diverse values

    def decode(self, ints: Mapping[str, int], bools: Mapping[str, bool],
               declarations: list[Term]) -> dict[str, object]:
        """The values of ``declarations`` (and each function's table) from the values of
        the integer and Boolean variables."""
        ints = dict(ints)
        for x, (coefs, c) in self.definitions.items():
            ints[x] = c + sum(k * ints.get(y, 0) for y, k in coefs.items())

        def arg_value(a: object) -> object:
            if isinstance(a, str):
                return bool(bools.get(a, False))
            coefs, c = a  # type: ignore[misc]
            return c + sum(k * ints.get(x, 0) for x, k in coefs.items())

        diverse = self.pterms.values(ints, arg_value)
        ints.update((x, diverse[x]) for x in self.pterms.variables)
        out: dict[str, object] = {}
        for v in declarations:
            out[v.val] = bool(bools.get(v.val, False)) if v.sort == BOOL else int(ints.get(v.val, 0))  # type: ignore[index]

        def result_value(name: str) -> object:
            if name in diverse:
                return diverse[name]
            return bool(bools.get(name, False)) if name in bools else int(ints.get(name, 0))

        out.update(interpretations([*self.apps, *self.pterms.apps], arg_value,  # type: ignore[arg-type]
                                   result_value))
        return out


def normalize_linear(assertions: Sequence[Term], *,
                     positions: Optional[Mapping[Term, int]] = None,
                     checkable: bool = False) -> LinearNormalized:
    """The ``LinearNormalized`` of the conjunction of ``assertions`` (integers only).
    ``checkable``: no substitutions, eliminated equalities, channels or positive equality:
    every atom outside the difference classes a linear constraint and every application
    reduced by Ackermann's constraints (the form certificates check,
    ``encode/linear_checkable.py``, ``check/linear.py`` and ``check/ackermann.py``; the
    difference classes are checked as in difference logic, ``check/proof.py``)."""
    return _Linearizer(positions or {}, checkable).run(list(assertions))


def corner_witness(norm: LinearNormalized) -> Optional[dict[str, Any]]:
    """The corner step of a ``checkable`` form (``bounds`` takes it in the default
    normalization, where a refutation makes the formula infeasible; the checkable form
    leaves it out, since the checker would have to trust it): ``corner.corner_refutation``
    over the top-level linear atoms' sides, under the same condition (a variable that
    interval propagation leaves open), and its witness, JSON-ready, when it refutes
    (rows as ``[atom, side]``: side 1 the atom, -1 its negation; the rest as
    ``corner.Cone``, ``settled`` as sorted ``states`` and their ``distances``;
    ``check/corner.py`` reads it).  None otherwise."""
    if norm.infeasible or not norm.open_sides:
        return None
    sides, rows = [], []
    c = norm.boolean
    for lit in c.top_level():
        n = abs(lit)
        if c.kind[n] != K_BVAR or not c.args[n][0].startswith(ATOM_PREFIX):
            continue
        k = int(c.args[n][0][len(ATOM_PREFIX):])
        coefs, b = norm.atoms[k]
        sides.append([k, 1 if lit > 0 else -1])
        rows.append((dict(coefs), b) if lit > 0 else ({x: -a for x, a in coefs}, -b - 1))
    found = corner_refutation(rows)
    if found is None:
        return None
    cone = found.cone
    states = sorted(cone.settled)
    return {"row": sides[found.row], "basis": [sides[j] for j in found.basis],
            "scale": cone.scale, "cost": cone.cost, "R": cone.R, "moduli": cone.moduli,
            "states": states, "distances": [cone.settled[g] for g in states]}


class _Linearizer:
    def __init__(self, positions: Mapping[Term, int], checkable: bool = False):
        self.positions = positions
        self.checkable = checkable
        self.c = Circuit()
        self.atoms: list[tuple[tuple[tuple[str, int], ...], int]] = []
        self.atom_index: dict[tuple, int] = {}
        self.lin: dict[int, Lin] = {}  # (``_Lazy`` when ``ite``s are lifted: ``run``)
        self.pending: dict[int, Term] = {}  # terms ``_Lazy`` computes when first asked
        self.lifting = False  # are atoms' ``ite``s lifted (``lifted``)?
        self.lift_memo: dict[tuple, int] = {}  # (op, remainder): its literal (``lifted``)
        self.value_sets: dict[int, Optional[frozenset[int]]] = {}  # (``constant_values``)
        self.tree_vars: dict[int, Lin] = {}  # an ``ite`` tree's variable (``tree_var``)
        self.lit: dict[int, int] = {}
        self.roots: list[int] = []
        self.fresh = 0
        self.indicators: set[str] = set()
        self.indicator_of: dict[int, str] = {}
        self.hulls: list[tuple[str, list[Lin]]] = []  # v lies between these expressions' values
        self.fixed: dict[str, tuple[int, int]] = {}  # domains known at creation
        self.divmod: dict[tuple[int, int], tuple[str, str]] = {}
        self.apps: list[Application] = []
        self.consistency_roots: list[tuple[Application, Application, int]] = []
        self.bound_bits = 0  # bits of the solution bound, when one was needed
        self.bound_method = ""  # and which bound it is (``solution_bounds.py``)
        self.positive = Classification()  # (the p-terms and p-equations: ``positive.py``)
        self.pval: dict[int, Value] = {}  # a p-term's value
        self.diverse = Diverse(self.c, lambda a, b: self.rel(T.EQ, a, b), self.args_equal)

    def unsupported(self, t: Term, why: str) -> UnsupportedError:
        from ..smtlib.printer import term_to_smtlib

        text = term_to_smtlib(t)
        if len(text) > 120:
            text = text[:117] + "..."
        return UnsupportedError(f"{why}: {text}", self.positions.get(t))

    def new_name(self, kind: str) -> str:
        self.fresh += 1
        return f"|{kind}|{self.fresh}"

    # -- linear constraints ----------------------------------------------------------------
    def le(self, coefs: Mapping[str, int], bound: int) -> int:
        """Literal of ``sum coefs * x <= bound``."""
        items = sorted((x, a) for x, a in coefs.items() if a != 0)
        if not items:
            return TRUE if 0 <= bound else FALSE
        g = 0
        for _, a in items:
            g = math.gcd(g, a)
        items = [(x, a // g) for x, a in items]
        bound = bound // g  # floor: the left side is a multiple of g
        sign = 1
        if items[0][1] < 0:
            items = [(x, -a) for x, a in items]
            bound, sign = -bound - 1, -1
        key = (tuple(items), bound)
        k = self.atom_index.get(key)
        if k is None:
            k = self.atom_index[key] = len(self.atoms)
            self.atoms.append(key)
        return sign * self.c.bool_var(f"{ATOM_PREFIX}{k}")

    def rel(self, op: str, a: Lin, b: Lin) -> int:
        """Literal of ``a op b`` (op LE, LT or EQ)."""
        coefs = dict(a[0])
        for x, k in b[0].items():
            coefs[x] = coefs.get(x, 0) - k
        rhs = b[1] - a[1]
        if op == T.LE:
            return self.le(coefs, rhs)
        if op == T.LT:
            return self.le(coefs, rhs - 1)
        return self.c.and_((self.le(coefs, rhs), self.le({x: -k for x, k in coefs.items()}, -rhs)))

    def int_var(self, name: str, lo: Optional[int] = None, hi: Optional[int] = None) -> Lin:
        if lo is not None and hi is not None:
            self.fixed[name] = (lo, hi)
        return ({name: 1}, 0)

    def indicator(self, cond: int) -> str:
        """The 0-1 variable equal to circuit literal ``cond``."""
        name = self.indicator_of.get(cond)
        if name is None:
            name = self.indicator_of[cond] = self.new_name("ind")
            self.indicators.add(name)
            self.fixed[name] = (0, 1)
            self.roots.append(self.c.iff(self.c.bool_var(name), cond))
        return name

    # -- terms -----------------------------------------------------------------------------
    def run(self, assertions: list[Term]) -> LinearNormalized:
        self.defs = {} if self.checkable else self.definitions(assertions)
        if not self.checkable:
            self.positive = classify(assertions)
        p_terms = self.positive.p_terms
        order = iter_dag([*self.defs.values(), *assertions])  # definitions first
        self.lifting = _lifts(order)
        if self.lifting:
            self.lin = _Lazy(self.force)
        for t in order:
            if t.sort == REAL or (t.op in (T.LE, T.LT, T.EQ) and t.args[0].sort == REAL):
                raise self.unsupported(t, "linear real arithmetic outside difference logic is "
                                          "not supported")
            if t.sort == BOOL:
                self.lit[t.id] = self.boolean(t)
            elif t.id in p_terms:
                self.pval[t.id] = self.p_value(t)
            elif self.lifting and t.op not in (T.VAR, T.CONST):
                self.pending[t.id] = t  # (a lifted atom may never need its variable)
            else:
                self.lin[t.id] = self.arith(t)
        self.consistency()
        self.c.roots = [self.lit[a.id] for a in assertions] + self.roots
        elimination = Elimination() if self.checkable else self.eliminate_equalities()
        difference, diff_vars = self.difference_classes()
        domains, infeasible, open_sides = self.bounds(diff_vars, relax=not self.checkable)
        infeasible |= elimination.infeasible
        channels = {} if self.checkable else self.channels(diff_vars)
        for x, ch in channels.items():  # (at most one indicator holds: the value's hull)
            values = [ch.const] + [ch.const + v for _, v in ch.terms]
            lo, hi = domains[x]
            domains[x] = (max(lo, min(values)), min(hi, max(values)))
            infeasible |= domains[x][0] > domains[x][1]
        circuit = self.with_predicates(difference)
        ints = [x for x in domains if x not in self.indicators]
        pterms = self.diverse.terms
        stats = {"linear_atoms": len(self.atoms) - len(difference),
                 "difference_atoms": len(difference),
                 "int_vars": len(ints) + len(diff_vars), "difference_int_vars": len(diff_vars),
                 "indicators": len(domains) - len(ints), "substituted": len(self.defs),
                 "eliminated_equalities": elimination.eliminated,
                 "equality_parameters": len(elimination.parameters),
                 "channels": len(channels),
                 "uf_applications": len(self.apps) + len(pterms.apps)}
        if pterms.variables or pterms.apps:
            stats.update(p_term_vars=len(pterms.variables), p_term_applications=len(pterms.apps),
                         consistency_saved=pterms.consistency_saved())
        if self.bound_bits:
            stats["solution_bound_bits"] = self.bound_bits
        notes = {"solution_bound": self.bound_method} if self.bound_method else {}
        sub = elimination.substitution
        definitions = {x: substitute(*self.lin[e.id], sub) for x, e in self.defs.items()}
        definitions.update(sub)
        return LinearNormalized(circuit, self.atoms, domains, self.indicators, self.apps,
                                infeasible, stats=stats, notes=notes, definitions=definitions,
                                channels=channels, open_sides=open_sides,
                                consistency=self.consistency_roots, pterms=pterms)

    def channels(self, difference: set[str]) -> dict[str, "Channel"]:
        """The top-level equalities ``x = c + sum v_t * b_t`` over indicators ``b_t`` of
        which the formula asserts at most one (a unit ``sum b <= 1`` over a superset):
        ``x`` takes the value ``c + v_t`` when ``b_t`` holds, ``c`` when none does.  (A
        start time in a time-indexed model.)"""
        upper: dict[tuple, int] = {}
        lower: dict[tuple, int] = {}
        at_most_one: list[set[str]] = []
        for lit in self.c.top_level():
            name = self.c.args[abs(lit)][0] if self.c.kind[abs(lit)] == K_BVAR else ""
            if not name.startswith(ATOM_PREFIX):
                continue
            k = int(name[len(ATOM_PREFIX):])
            coefs, b = self.atoms[k]
            if all(x in self.indicators and a == 1 for x, a in coefs):
                if lit > 0 and b <= 1:
                    at_most_one.append({x for x, _ in coefs})
                continue
            x, a = coefs[0]
            if a != 1 or x in self.indicators or x in difference or \
                    not all(y in self.indicators for y, _ in coefs[1:]):
                continue
            (upper if lit > 0 else lower)[coefs] = (b, k) if lit > 0 else (b + 1, k)  # type: ignore[assignment]
        out: dict[str, Channel] = {}
        for coefs, (b, k) in upper.items():  # type: ignore[misc]
            low = lower.get(coefs)
            if low is None or low[0] != b or coefs[0][0] in out:  # type: ignore[index]
                continue
            terms = tuple((y, -a) for y, a in coefs[1:])
            names = {y for y, _ in terms}
            if any(names <= group for group in at_most_one):
                out[coefs[0][0]] = Channel(b, terms, (k, low[1]))  # type: ignore[index]
        return out

    def eliminate_equalities(self) -> Elimination:
        """Eliminate the top-level equalities ``sum a * x = b`` outside the difference
        classes (``equalities.py``) and rewrite every atom, Ackermann argument and hull
        with the substitution.  Not the difference classes': their equalities
        ``x - y = c`` are what the difference-logic encodings take (unchanged CNFs), and an
        equality whose variables are all in them has the shape.  Not an equality over
        indicators either (a ``Channel``, or a pseudo-Boolean sum copied into other atoms),
        nor one solved for an application's result."""
        _, diff_vars = self.difference_classes()
        upper: dict[tuple, tuple[int, int]] = {}
        lower: dict[tuple, tuple[int, int]] = {}
        for lit in self.c.top_level():
            name = self.c.args[abs(lit)][0] if self.c.kind[abs(lit)] == K_BVAR else ""
            if name.startswith(ATOM_PREFIX):
                k = int(name[len(ATOM_PREFIX):])
                coefs, b = self.atoms[k]
                (upper if lit > 0 else lower)[coefs] = (b, k) if lit > 0 else (b + 1, k)
        blocked = diff_vars | self.indicators | {a.result for a in self.apps}
        equalities = []
        for coefs, (b, k) in upper.items():
            low = lower.get(coefs)
            if low is None or low[0] != b:
                continue
            if any(x in self.indicators for x, _ in coefs):
                blocked.update(x for x, _ in coefs)
            elif not any(x in diff_vars for x, _ in coefs):
                equalities.append((dict(coefs), b, (k, low[1])))
        if integer_infeasible([(dict(coefs), b, ()) for coefs, (b, _) in upper.items()
                               if lower.get(coefs, (None,))[0] == b]):
            return Elimination(infeasible=True)  # (all of them, not only those eliminated)
        if not equalities:
            return Elimination()
        domains, infeasible, open_sides = self.bounds(diff_vars)
        self.bound_bits = 0
        if infeasible:
            return Elimination()
        known = {x: open_sides.get(x, d) for x, d in domains.items()}
        out = eliminate(equalities, [dict(coefs) for coefs, _ in self.atoms],
                        lambda x: x not in blocked, lambda: self.new_name("eq"), known)
        sub = out.substitution
        if not sub and not out.infeasible:
            return out
        old, atoms = self.c, self.atoms
        self.c, self.atoms, self.atom_index = Circuit(), [], {}

        def leaf(name: str) -> int:
            if not name.startswith(ATOM_PREFIX):
                return self.c.bool_var(name)
            coefs, b = atoms[int(name[len(ATOM_PREFIX):])]
            e, k = substitute(dict(coefs), 0, sub)
            return self.le(e, b - k)

        m = _rebuild(old, self.c, leaf)
        self.consistency_roots = [(f, g, m(lit)) for f, g, lit in self.consistency_roots]
        self.apps = [replace(a, args=tuple(x if isinstance(x, str) else substitute(*x, sub)
                                           for x in a.args)) for a in self.apps]
        self.hulls = [(v, [substitute(*e, sub) for e in exprs])
                      for v, exprs in self.hulls if v not in sub]
        for x in sub:
            self.fixed.pop(x, None)
        known.update(out.ranges)  # (what the equalities told of the kept variables, kept)
        for x in {x for coefs, _ in self.atoms for x, _ in coefs}:
            lo, hi = known.get(x, (None, None))
            if lo is not None and hi is not None and x not in self.fixed:
                self.fixed[x] = (lo, hi)
        return out

    def definitions(self, assertions: list[Term]) -> dict[str, Term]:
        """Top-level equalities ``x = e`` to substitute (``x`` an integer variable not in
        ``e``): ``x`` then stands for ``e`` everywhere (a 0-1 ``ite`` makes ``x`` an
        indicator, a Boolean).  No chains: a definition's ``e`` has no substituted variable
        and no substituted variable occurs in one; ``e`` has at most ``SUBSTITUTE_WIDTH``
        variables (each occurrence of ``x`` copies ``e``)."""
        tops: list[Term] = []
        stack = list(assertions)
        while stack:
            t = stack.pop()
            if t.op == T.AND:
                stack.extend(t.args)
            elif t.op == T.EQ and len(t.args) == 2 and t.args[0].sort == INT:
                tops.append(t)
        if not tops:
            return {}
        defs: dict[str, Term] = {}
        inside: set[str] = set()
        for t in reversed(tops):  # (the stack reversed them)
            for x, e in ((t.args[0], t.args[1]), (t.args[1], t.args[0])):
                if x.op != T.VAR or x.val in defs or x.val in inside:
                    continue
                names = {str(v.val) for v in iter_dag([e]) if v.op == T.VAR and v.sort == INT}
                if x.val in names or not names.isdisjoint(defs) or _width(e) > SUBSTITUTE_WIDTH:
                    continue
                defs[str(x.val)] = e
                inside |= names
                break
        return defs

    def difference_classes(self) -> tuple[set[int], set[str]]:
        """The atoms and integer variables of the difference classes: connected components
        of the integer variables (indicators apart: they are Booleans) under the atoms the
        formula uses, whose atoms all have the shape ``x - y <= c`` or ``x <= c``."""
        pol, _ = polarities(self.c)
        sets: DisjointSets[str] = DisjointSets()
        find = sets.find
        used = []
        for k, (coefs, _) in enumerate(self.atoms):
            node = self.c.bool_names.get(f"{ATOM_PREFIX}{k}")
            if node is None or not pol[node]:
                continue
            used.append(k)
            ints = [x for x, _ in coefs if x not in self.indicators]
            for x in ints:
                find(x)
            for x in ints[1:]:
                sets.union(x, ints[0])
        linear_roots = set()
        for k in used:
            coefs, _ = self.atoms[k]
            if not _difference_shape(coefs, self.indicators):
                linear_roots.update(find(x) for x, _ in coefs if x not in self.indicators)
        for a in self.apps:  # a result in no atom still needs a domain (one in a
            # difference atom is a variable of its class: the class's encoding bounds it)
            if a.result not in self.c.bool_names and a.result not in sets:
                linear_roots.add(find(a.result))
        for x in self.fixed:
            if x not in self.indicators:
                linear_roots.add(find(x))
        diff_vars = {x for x in sets if find(x) not in linear_roots}
        atoms = {k for k in used if self.atoms[k][0][0][0] in diff_vars}
        return atoms, diff_vars

    def with_predicates(self, difference: set[int]) -> Circuit:
        """The circuit again, the atoms of ``difference`` as difference predicates."""
        new = Circuit()

        def leaf(name: str) -> int:
            k = int(name[len(ATOM_PREFIX):]) if name.startswith(ATOM_PREFIX) else -1
            if k not in difference:
                return new.bool_var(name)
            coefs, b = self.atoms[k]
            y = new.int_var(coefs[1][0]) if len(coefs) == 2 else 0
            return new.pred(new.int_var(coefs[0][0]), y, b)

        _rebuild(self.c, new, leaf)
        return new

    def boolean(self, t: Term) -> int:
        c, op, lit = self.c, t.op, self.lit
        if op == T.CONST:
            return TRUE if t.val else FALSE
        if op == T.VAR:
            return c.bool_var(t.val)  # type: ignore[arg-type]
        if op == T.NOT:
            return -lit[t.args[0].id]
        if op == T.AND:
            return c.and_([lit[a.id] for a in t.args])
        if op == T.OR:
            return c.or_([lit[a.id] for a in t.args])
        if op == T.ITE:
            return c.ite(lit[t.args[0].id], lit[t.args[1].id], lit[t.args[2].id])
        if op == T.IFF:
            return c.iff(lit[t.args[0].id], lit[t.args[1].id])
        if t.id in self.positive.p_equations:
            return self.diverse.equal(self.value(t.args[0]), self.value(t.args[1]))
        if op in (T.LE, T.LT, T.EQ):
            if self.lifting:
                lifted = self.lifted(op, t.args[0], t.args[1])
                if lifted is not None:
                    return lifted
            return self.rel(op, self.lin[t.args[0].id], self.lin[t.args[1].id])
        if op == T.APPLY:
            name = self.new_name(str(t.val))
            self.apps.append(Application(str(t.val), self.app_args(t), name,
                                         tuple(a.sort for a in t.args), BOOL))
            return c.bool_var(name)
        raise self.unsupported(t, f"operator {op} in a Boolean position")

    def force(self, key: int) -> Lin:
        """The ``Lin`` of the pending term ``key``, its pending arguments first (no
        recursion: nested ``ite`` chains are deep)."""
        lin = self.lin
        stack = [self.pending[key]]
        while stack:
            t = stack[-1]
            if dict.__contains__(lin, t.id):
                stack.pop()
                continue
            todo = [a for a in t.args if a.id in self.pending and not dict.__contains__(lin, a.id)]
            if todo:
                stack.extend(todo)
                continue
            stack.pop()
            dict.__setitem__(lin, t.id, self.arith(t))
        return dict.__getitem__(lin, key)

    def lifted(self, op: str, a: Term, b: Term) -> Optional[int]:
        """``a op b`` with its ``ite``s pushed into the atom: ``ite(c, t, e) + r op s`` is
        ``ite(c, t + r op s, e + r op s)``, case by case down to atoms without an ``ite``
        (a sum's ``ite``s one after the other), so that an ``ite`` costs no variable.
        Each case is a node of the circuit, shared by equal remainders (the ``ite``s
        left, the linear rest): linear in the ``ite`` DAG for one tree, the product of
        the trees' leaves for a sum of them.  Past ``PRODUCT_LIMIT`` cases the trees
        whose leaves are not all constants get a variable each (``tree_var``) and the
        atom is lifted again over the rest, linear in the DAG; None when the atom has no
        ``ite`` or that is past ``LIFT_LIMIT`` cases (it then gets the fresh variables
        of ``arith``).  Cost: the cases, each a hash of its remainder."""
        for trees, limit in ((False, PRODUCT_LIMIT), (True, LIFT_LIMIT)):
            first = (op, trees, *self.split([], {}, 0, ((a, 1), (b, -1)), trees, whole=False))
            if not first[2]:
                return None
            lit = self.lift_cases(first, limit)
            if lit is not None:
                return lit
        return None

    def tree_var(self, t: Term) -> Lin:
        """One variable ``v`` for the ``ite`` tree ``t`` (whose leaves are not all
        constants), defined by ``v = t`` lifted (a root): ``v - leaf = 0`` in each case, a
        difference when the leaf is a variable plus a constant; its domain the hull of the
        leaves.  (``arith``'s fresh variables instead when the lifting is past
        ``LIFT_LIMIT``.)  Memoized per term."""
        lin = self.tree_vars.get(t.id)
        if lin is not None:
            return lin
        name = self.new_name("ite")
        leaves: list[tuple[tuple, int]] = []
        lit = self.lift_cases((T.EQ, True, *self.split([], {name: -1}, 0, ((t, 1),), True)),
                              LIFT_LIMIT, leaves)
        if lit is None:
            lin = self.lin[t.id]
        else:
            self.roots.append(lit)
            self.hulls.append((name, [({x: a for x, a in coefs if x != name}, c)
                                      for coefs, c in leaves]))
            lin = ({name: 1}, 0)
        self.tree_vars[t.id] = lin
        return lin

    def lift_cases(self, first: tuple, limit: int, leaves: Optional[list] = None
                   ) -> Optional[int]:
        """The literal of the remainder ``first`` (``lifted``: the comparison, whether trees
        get variables, the ``split``), case by case; the leaves' linear remainders reached
        go to ``leaves``; None past ``limit`` cases (found before any atom is made, so a
        lifting given up leaves no atom behind)."""
        op, trees = first[0], first[1]
        memo = self.lift_memo  # (shared by the atoms: a remainder recurs across them)
        cases: dict[tuple, Optional[tuple]] = {}  # (condition, then, else); None: a leaf
        stack = [first]
        while stack:  # the cases below ``first`` that no earlier lifting made
            key = stack.pop()
            if key in memo or key in cases:
                continue
            _, _, parts, coefs, const = key
            if not parts or (not coefs and self.decided(op, parts, const) is not None):
                cases[key] = None
                continue
            if len(cases) >= limit:
                return None
            (t, k), rest = parts[0], parts[1:]
            case = cases[key] = (
                self.lit[t.args[0].id],
                (op, trees, *self.split(list(rest), dict(coefs), const, ((t.args[1], k),),
                                        trees)),
                (op, trees, *self.split(list(rest), dict(coefs), const, ((t.args[2], k),),
                                        trees)))
            stack += case[1:]
        stack = [first]
        while stack:  # their literals, children first
            key = stack[-1]
            if key in memo:
                stack.pop()
                continue
            case = cases[key]
            if case is None:
                _, _, parts, coefs, const = key
                stack.pop()
                decided = None if coefs else self.decided(op, parts, const)
                if decided is None and leaves is not None:
                    leaves.append((coefs, const))
                memo[key] = decided if decided is not None else \
                    self.rel(op, (dict(coefs), const), ({}, 0))
                continue
            cond, then, other = case
            todo = [x for x in (then, other) if x not in memo]
            if todo:
                stack.extend(todo)
                continue
            stack.pop()
            memo[key] = self.c.ite(cond, memo[then], memo[other])
        return memo[first]

    def decided(self, op: str, parts: tuple, const: int) -> Optional[int]:
        """TRUE or FALSE when ``sum k * t + const op 0`` over the ``ite``s ``parts`` has
        the same truth for every value their constant leaves allow (``constant_values``),
        else None: the cases of a program counter that cannot reach a compared value end
        here, not at each leaf."""
        sums = {const}
        for t, k in parts:
            values = self.constant_values(t)
            if values is None:
                return None
            sums = {s + k * v for s in sums for v in values}
            if len(sums) > VALUE_SET_LIMIT:
                return None
        if op == T.LE:
            truth = {s <= 0 for s in sums}
        elif op == T.LT:
            truth = {s < 0 for s in sums}
        else:
            truth = {s == 0 for s in sums}
        return (TRUE if truth.pop() else FALSE) if len(truth) == 1 else None

    def indicator_ite(self, t: Term) -> bool:
        """Is ``t`` an ``ite`` that ``arith`` makes an indicator (two constant branches)?"""
        return all(len(self.constant_values(b) or ()) == 1 for b in t.args[1:])

    def constant_values(self, t: Term) -> Optional[frozenset[int]]:
        """The values an integer term built of constants, sums, constant multiples and
        ``ite`` can take (a superset: conditions are not looked at), None when it has
        another leaf or more than ``VALUE_SET_LIMIT`` values.  Memoized per term."""
        memo = self.value_sets
        stack = [t]
        while stack:
            x = stack[-1]
            if x.id in memo:
                stack.pop()
                continue
            if x.op == T.CONST:
                memo[x.id] = frozenset((int(x.val),))  # type: ignore[arg-type]
                continue
            if x.op not in (T.ITE, T.ADD, T.MUL):
                memo[x.id] = None
                continue
            args = x.args[1:] if x.op == T.ITE else x.args
            todo = [a for a in args if a.id not in memo]
            if todo:
                stack.extend(todo)
                continue
            stack.pop()
            sets = [memo[a.id] for a in args]
            out: Optional[set[int]] = None
            if all(v is not None for v in sets):
                if x.op == T.ITE:
                    out = set(sets[0]) | sets[1]  # type: ignore[arg-type]
                elif x.op == T.MUL:
                    out = {int(x.val) * v for v in sets[0]}  # type: ignore[union-attr,arg-type]
                else:
                    out = {0}
                    for vs in sets:
                        out = {s + v for s in out for v in vs}  # type: ignore[union-attr]
                        if len(out) > VALUE_SET_LIMIT:
                            break
            memo[x.id] = None if out is None or len(out) > VALUE_SET_LIMIT else frozenset(out)
        return memo[t.id]

    def split(self, parts: list[tuple[Term, int]], coefs: dict[str, int], const: int,
              terms: Sequence[tuple[Term, int]], trees: bool, whole: bool = True) -> tuple:
        """``parts + coefs * x + const`` plus ``sum k * t`` over ``terms``, sums and
        constant multiples flattened: the integer ``ite``s (``parts``, merged per term,
        ordered) and the linear rest, as a hashable key of ``lifted``.  ``trees``: two
        or more ``ite``s whose leaves are not all constants go to the rest as their
        ``tree_var``s.  Not ``whole`` (an atom's own sides): an ``ite`` between two
        constants stays in the rest as an indicator (a sum of them is a pseudo-Boolean
        constraint, encoded as one)."""
        stack = list(terms)
        while stack:
            t, k = stack.pop()
            if t.op == T.ADD:
                stack.extend((x, k) for x in t.args)
            elif t.op == T.MUL:
                stack.append((t.args[0], k * int(t.val)))  # type: ignore[arg-type]
            elif t.op == T.CONST:
                const += k * int(t.val)  # type: ignore[arg-type]
            elif t.op == T.ITE and (whole or not self.indicator_ite(t)):
                parts.append((t, k))
            else:
                c, c0 = self.lin[t.id]
                const += k * c0
                for x, a in c.items():
                    coefs[x] = coefs.get(x, 0) + k * a
        merged: dict[Term, int] = {}
        for t, k in parts:
            merged[t] = merged.get(t, 0) + k
        wide = [t for t, k in merged.items() if k and self.constant_values(t) is None]
        if trees and len(wide) > 1:  # their cases would multiply: a variable for each
            for t in wide:
                c, c0 = self.tree_var(t)
                k = merged.pop(t)
                const += k * c0
                for x, a in c.items():
                    coefs[x] = coefs.get(x, 0) + k * a
        key_parts = tuple(sorted(((t, k) for t, k in merged.items() if k),
                                 key=lambda p: (p[0].id, p[1])))
        return key_parts, tuple(sorted((x, a) for x, a in coefs.items() if a)), const

    def value(self, t: Term) -> Value:
        """An integer term's value as ``positive.Diverse`` takes it."""
        v = self.pval.get(t.id)
        return self.diverse.lift(self.lin[t.id]) if v is None else v

    def p_value(self, t: Term) -> Value:
        """A p-term's value (``positive.py``): no integer variable, no constraint."""
        if t.op == T.VAR:
            return self.diverse.var(str(t.val))
        if t.op == T.APPLY:
            return self.diverse.app(Application(str(t.val), self.app_args(t),
                                                self.new_name(str(t.val)),
                                                tuple(a.sort for a in t.args), INT))
        if t.op == T.ITE:
            return self.diverse.ite(self.lit[t.args[0].id], self.value(t.args[1]),
                                    self.value(t.args[2]))
        x, k = offset_form(t)  # type: ignore[misc]
        return self.diverse.shift(self.value(x), k)

    def app_args(self, t: Term) -> tuple:
        out = []
        for a in t.args:
            if a.sort == BOOL:  # a Boolean argument: a variable of its own, for decoding
                name = self.new_name("arg")
                self.roots.append(self.c.iff(self.c.bool_var(name), self.lit[a.id]))
                out.append(name)
            else:
                out.append(self.lin[a.id])
        return tuple(out)

    def arith(self, t: Term) -> Lin:
        op, lin = t.op, self.lin
        if op == T.CONST:
            return ({}, int(t.val))  # type: ignore[arg-type]
        if op == T.VAR:
            d = self.defs.get(str(t.val))
            return self.int_var(str(t.val)) if d is None else lin[d.id]
        if op == T.MUL:
            k = int(t.val)  # type: ignore[arg-type]
            coefs, c0 = lin[t.args[0].id]
            return ({x: a * k for x, a in coefs.items()}, c0 * k)
        if op == T.ADD:
            coefs: dict[str, int] = {}
            const = 0
            for a in t.args:
                ca, ka = lin[a.id]
                const += ka
                for x, k in ca.items():
                    coefs[x] = coefs.get(x, 0) + k
            return ({x: k for x, k in coefs.items() if k}, const)
        if op == T.ITE:
            cond = self.lit[t.args[0].id]
            then, other = lin[t.args[1].id], lin[t.args[2].id]
            if not then[0] and not other[0]:
                if then[1] == other[1]:
                    return ({}, then[1])
                return ({self.indicator(cond): then[1] - other[1]}, other[1])
            v = self.int_var(self.new_name("ite"))
            self.roots.append(self.c.or_((-cond, self.rel(T.EQ, v, then))))
            self.roots.append(self.c.or_((cond, self.rel(T.EQ, v, other))))
            self.hulls.append((next(iter(v[0])), [then, other]))
            return v
        if op in (T.DIV, T.MOD):
            k = int(t.val)  # type: ignore[arg-type]
            key = (t.args[0].id, k)
            if key not in self.divmod:
                q = self.new_name("div")
                r = self.new_name("mod")
                self.divmod[key] = (q, r)
                self.fixed[r] = (0, abs(k) - 1)
                x = lin[t.args[0].id]
                self.roots.append(self.rel(T.EQ, x, ({q: k, r: 1}, 0)))
                self.roots.append(self.le({r: -1}, 0))
                self.roots.append(self.le({r: 1}, abs(k) - 1))
            q, r = self.divmod[key]
            return ({q if op == T.DIV else r: 1}, 0)
        if op == T.ABS:
            x = lin[t.args[0].id]
            minus = ({y: -k for y, k in x[0].items()}, -x[1])
            a = self.int_var(self.new_name("abs"))
            nonneg = self.rel(T.LE, ({}, 0), x)
            self.roots.append(self.c.or_((-nonneg, self.rel(T.EQ, a, x))))
            self.roots.append(self.c.or_((nonneg, self.rel(T.EQ, a, minus))))
            self.hulls.append((next(iter(a[0])), [x, minus]))
            return a
        if op == T.APPLY:
            name = self.new_name(str(t.val))
            self.apps.append(Application(str(t.val), self.app_args(t), name,
                                         tuple(a.sort for a in t.args), INT))
            return self.int_var(name)
        raise self.unsupported(t, f"operator {op} in arithmetic")

    def args_equal(self, f: Application, g: Application) -> int:
        """The literal of ``f``'s and ``g``'s arguments being equal."""
        c = self.c
        same = []
        for a, b in zip(f.args, g.args):
            if isinstance(a, str):
                same.append(c.iff(c.bool_var(a), c.bool_var(b)))
            else:
                same.append(self.rel(T.EQ, a, b))
        return c.and_(same)

    def consistency(self) -> None:
        """Ackermann's constraints: equal arguments give equal results."""
        c = self.c
        for f, g in consistency_pairs(self.apps):
            args_equal = self.args_equal(f, g)
            if args_equal == FALSE:
                continue
            if f.result in c.bool_names or g.result in c.bool_names:
                results_equal = c.iff(c.bool_var(f.result), c.bool_var(g.result))
            else:
                results_equal = self.rel(T.EQ, ({f.result: 1}, 0), ({g.result: 1}, 0))
            self.roots.append(c.or_((-args_equal, results_equal)))
            self.consistency_roots.append((f, g, self.roots[-1]))

    # -- domains ---------------------------------------------------------------------------
    def bounds(self, difference: set[str], relax: bool = False) -> tuple[
            dict[str, tuple[int, int]], bool, dict[str, tuple[Optional[int], Optional[int]]]]:
        """Finite domains of every integer variable outside the ``difference`` classes (see
        the module doc), whether the top-level bounds contradict, and the propagated
        bounds of the variables that only the solution bound closes (``relax``: what
        interval propagation leaves open, the linear relaxation closes where it can,
        ``relaxation_bounds``)."""
        names: set[str] = set(self.fixed)
        for coefs, _ in self.atoms:
            names.update(x for x, _ in coefs)
        for a in self.apps:
            if a.result not in self.c.bool_names:
                names.add(a.result)
        lo: dict[str, Optional[int]] = {x: None for x in names}
        hi: dict[str, Optional[int]] = {x: None for x in names}
        for x, (l, h) in self.fixed.items():
            lo[x], hi[x] = l, h
        units = []
        for lit in self.c.top_level():
            n = abs(lit)
            if self.c.kind[n] != K_BVAR:
                continue
            name = self.c.args[n][0]
            if not name.startswith(ATOM_PREFIX):
                continue
            coefs, b = self.atoms[int(name[len(ATOM_PREFIX):])]
            if lit > 0:
                units.append((coefs, b))
            else:  # not (sum <= b): sum >= b + 1
                units.append((tuple((x, -a) for x, a in coefs), -b - 1))

        # A unit is visited only when a bound of one of its variables moved since its last
        # visit (``dirty``): a visit tightens only the sides its own minimum does not read,
        # so a unit whose variables kept their bounds tightens nothing.  The rounds and
        # what each changes are those of visiting every unit every round.
        users: dict[str, list[int]] = {}
        for k, (coefs, _) in enumerate(units):
            for x, _ in coefs:
                users.setdefault(x, []).append(k)
        dirty = bytearray(b"\x01" * len(units))

        def tighten(x: str, l: Optional[int], h: Optional[int]) -> bool:
            changed = False
            if l is not None and (lo[x] is None or l > lo[x]):  # type: ignore[operator]
                lo[x], changed = l, True
            if h is not None and (hi[x] is None or h < hi[x]):  # type: ignore[operator]
                hi[x], changed = h, True
            if changed:
                for k in users.get(x, ()):
                    dirty[k] = 1
            return changed

        def interval(e: Lin) -> tuple[Optional[int], Optional[int]]:
            l: Optional[int] = e[1]
            h: Optional[int] = e[1]
            for x, a in e[0].items():
                xl, xh = (lo[x], hi[x]) if a > 0 else (hi[x], lo[x])
                l = None if l is None or xl is None else l + a * xl
                h = None if h is None or xh is None else h + a * xh
            return l, h

        ground: dict[str, dict[tuple, str]] = {}
        for a in self.apps:
            if all(not isinstance(x, str) and not x[0] for x in a.args):
                ground.setdefault(a.function, {}).setdefault(tuple(x[1] for x in a.args), a.result)

        def propagate() -> bool:
            """Interval propagation to a fixed point (or ``BOUND_ROUNDS``); infeasible?"""
            for _ in range(BOUND_ROUNDS):
                changed = round_()
                if changed is None:
                    return True
                if not changed:
                    return False
            return False

        def round_() -> Optional[bool]:
            """One round over the constraints: changed?  (None: a domain is empty.)"""
            changed = False
            for k, (coefs, b) in enumerate(units):
                if not dirty[k]:
                    continue
                dirty[k] = 0
                mins = []
                for x, a in coefs:
                    v = lo[x] if a > 0 else hi[x]
                    mins.append(None if v is None else a * v)
                unknown = sum(1 for m in mins if m is None)
                total = sum(m for m in mins if m is not None)
                for (x, a), m in zip(coefs, mins):
                    if unknown - (m is None) > 0:
                        continue
                    rest = b - (total - (m or 0))
                    if a > 0:
                        changed |= tighten(x, None, rest // a)
                    else:
                        changed |= tighten(x, -(rest // -a), None)
            for v, exprs in self.hulls:
                ivs = [interval(e) for e in exprs]
                if all(l is not None for l, _ in ivs):
                    changed |= tighten(v, min(l for l, _ in ivs), None)  # type: ignore[type-var]
                if all(h is not None for _, h in ivs):
                    changed |= tighten(v, None, max(h for _, h in ivs))  # type: ignore[type-var]
            for a in self.apps:
                if a.result in self.c.bool_names or a.function not in ground:
                    continue
                changed |= self.covered(a, ground[a.function], interval, lo, hi, tighten)
            if any(lo[x] is not None and hi[x] is not None and lo[x] > hi[x] for x in names):  # type: ignore[operator]
                return None
            return changed

        infeasible = propagate()
        own = names - difference
        if not infeasible and relax and any(lo[x] is None or hi[x] is None for x in own):
            infeasible = self.relaxation_bounds(units, lo, hi, own, tighten) or propagate() \
                or corner_infeasible([(dict(c), b) for c, b in units],
                                     {x: (lo[x], hi[x]) for x in names
                                      if lo[x] is not None and hi[x] is not None})
        names -= difference  # (propagated through, but their encodings need no domain)
        open_vars = [x for x in names if lo[x] is None or hi[x] is None]
        open_lo, open_hi = {x: lo[x] for x in open_vars}, {x: hi[x] for x in open_vars}
        if not infeasible and open_vars:
            atoms = [(coefs, b) for coefs, b in self.atoms
                     if all(x not in difference for x, _ in coefs)]
            bound, self.bound_method = solution_bound(atoms, names, lo, hi)
            self.bound_bits = bound.bit_length()
            for x in open_vars:  # a bounded variable keeps its own bounds (its value in a
                # model may lie past the bound, which speaks of the open ones only)
                lo[x] = -bound if lo[x] is None else max(lo[x], -bound)  # type: ignore[type-var]
                hi[x] = bound if hi[x] is None else min(hi[x], bound)  # type: ignore[type-var]
            infeasible = any(lo[x] > hi[x] for x in names)  # type: ignore[operator]
        domains: dict[str, tuple[int, int]] = {}
        for x in sorted(names):
            if infeasible:
                domains[x] = (0, 0)
                continue
            domains[x] = (lo[x], hi[x])  # type: ignore[assignment]
        open_sides = {x: (open_lo[x], open_hi[x]) for x in open_vars}
        return domains, infeasible, ({} if infeasible else open_sides)

    def relaxation_bounds(self, units: list, lo: dict, hi: dict, names: set[str],
                          tighten: Callable) -> bool:
        """Close the open sides of ``names`` by the linear relaxation of the top-level
        constraints ``units`` that reach them, with the bounds known (``lp_bounds.py``);
        True when the relaxation is infeasible (so is the formula)."""
        open_vars = {x for x in names if lo[x] is None or hi[x] is None}
        reach = DisjointSets[str]()
        rows = [(coefs, b) for coefs, b in units if len(coefs) > 1]
        for coefs, _ in rows:
            for x, _ in coefs[1:]:
                reach.union(x, coefs[0][0])
        roots = {reach.find(x) for x in open_vars if x in reach}
        rows = [(dict(coefs), b) for coefs, b in rows if reach.find(coefs[0][0]) in roots]
        for x in sorted({x for coefs, _ in rows for x in coefs}):
            if hi[x] is not None:
                rows.append(({x: 1}, hi[x]))
            if lo[x] is not None:
                rows.append(({x: -1}, -lo[x]))
        try:
            found = lp_bounds(rows, sorted(open_vars))
        except Infeasible:
            return True
        for x, (l, h) in found.items():
            tighten(x, l, h)
        return False

    @staticmethod
    def covered(a: Application, ground: dict[tuple, str], interval, lo, hi, tighten) -> bool:  # type: ignore[no-untyped-def]
        """Bound an application's result by the results at constant arguments, when every
        argument tuple its arguments' ranges allow is one of those."""
        ranges = []
        size = 1
        for x in a.args:
            if isinstance(x, str):
                return False
            l, h = interval(x)
            if l is None or h is None:
                return False
            size *= max(0, h - l + 1)
            if size > UF_COVER_LIMIT:
                return False
            ranges.append(range(l, h + 1))
        results = []
        for args in product(*ranges):
            r = ground.get(args)
            if r is None:
                return False
            results.append(r)
        if not results or any(lo[r] is None or hi[r] is None for r in results):
            return False
        return tighten(a.result, min(lo[r] for r in results), max(hi[r] for r in results))


def _rebuild(old: Circuit, new: Circuit, leaf: Callable[[str], int]) -> Callable[[int], int]:
    """Copy ``old`` (nodes and roots) into ``new``, each Boolean variable ``name`` becoming
    ``leaf(name)``; the map of literals."""
    lit = [0, TRUE]

    def m(a: int) -> int:
        return lit[a] if a > 0 else -lit[-a]

    for n in range(2, len(old.kind)):
        kind, args = old.kind[n], old.args[n]
        if kind == K_BVAR:
            lit.append(leaf(args[0]))
        elif kind == K_AND:
            lit.append(new.and_([m(a) for a in args]))
        elif kind == K_ITE:
            lit.append(new.ite(*(m(a) for a in args)))
        elif kind == K_IFF:
            lit.append(new.iff(m(args[0]), m(args[1])))
        else:
            raise AssertionError(f"node kind {kind} in a linear circuit")
    new.roots = [m(a) for a in old.roots]
    return m


class _Lazy(dict):
    """A dict whose missing keys its ``make`` computes (and stores)."""

    def __init__(self, make: Callable[[int], Lin]):
        super().__init__()
        self.make = make

    def __missing__(self, key: int) -> Lin:
        return self.make(key)


def _lifts(order: Sequence[Term]) -> bool:
    """Has the formula a comparison of integers with a *nested* ``ite`` in a side's sum:
    one whose branch holds an ``ite`` (what ``lifted`` is for: a fresh variable per
    node of such a tree)?  Without one, the terms are linearised in DAG order as before
    (an ``ite`` of two leaves is one variable, or an indicator, either way)."""
    has_ite: set[int] = set()  # integer terms with an ``ite`` in their sum
    in_sum: set[int] = set()  # integer terms with a nested ``ite`` in their sum
    for t in order:
        if t.op == T.ITE and t.sort == INT:
            has_ite.add(t.id)
            if t.args[1].id in has_ite or t.args[2].id in has_ite:
                in_sum.add(t.id)
        elif t.op in (T.ADD, T.MUL):
            if any(a.id in has_ite for a in t.args):
                has_ite.add(t.id)
            if any(a.id in in_sum for a in t.args):
                in_sum.add(t.id)
        elif t.op in (T.LE, T.LT, T.EQ) and any(a.id in in_sum for a in t.args):
            return True
    return False


def _difference_shape(coefs: tuple[tuple[str, int], ...], indicators: set[str]) -> bool:
    """Is ``sum coefs * x <= b`` a difference atom or a bound (no indicator in it)?"""
    if any(x in indicators for x, _ in coefs):
        return False
    return coefs[0][1] == 1 and (len(coefs) == 1 or (len(coefs) == 2 and coefs[1][1] == -1))


def _width(e: Term) -> int:
    """The variables of ``e`` as a linear term bounds: its integer variables and ``ite``s
    (each an indicator or a fresh variable) outside its conditions (Boolean subterms)."""
    seen: set[int] = set()
    stack = [e]
    width = 0
    while stack:
        t = stack.pop()
        if t.id in seen or t.sort == BOOL:
            continue
        seen.add(t.id)
        width += t.op in (T.VAR, T.ITE)
        stack.extend(t.args)
    return width
