r"""A guarded encoding: one encoding and one SAT solver for a changing set of assertions.

What ``push`` / ``assert`` / ``check-sat`` / ``pop`` (and the Python ``Solver``) run on after
the first ``check-sat`` (``decide.py`` chooses, ``kept.py`` holds it).  An assertion comes with a *guard*:
none for a permanent one (level 0, not named for cores), else a key whose Boolean, the guard
``g``, makes the assertion ``g -> F``: the key of its ``push`` level, of its ``:named``
name (for unsat cores), or of a ``check-sat-assuming`` assumption.  A ``check-sat`` is one
call of the in-process CaDiCaL under the guards that are live as assumptions; the
failed-assumption core says which named assertions and assumptions were needed.  ``pop``
adds the unit ``-g`` of each guard it kills (the clauses stay, satisfied).

Adding an assertion to the encoding in place (``add``): it is normalized into the same
circuit (``normalize_into``; shared subterms keep their nodes); the polarity it adds to each
node (``polarities`` of the new roots alone: polarity is a union over roots) gives the
Tseitin clauses of the new directions only (``gate_clauses``), and each difference predicate
that gains a direction gets the order-encoding clauses of that direction over the literals
its class already has (``OrderDecoder.le_clauses``).  When that is not sound the encoding
is rebuilt from the live assertions (``build``; the stats say ``incremental: rebuilt``):
a new integer variable or two classes joined (no literals for them), a class not
order-encoded, real variables (their scaling depends on every atom), or a small-domain box
that would have to grow (unless the unit atoms alone give the class's domains).

Soundness.  Domains (``encode/domains.py``) come from the top-level unit atoms and the
small-domain range ``d = min(n - 1, m) * w`` of a class (``sd.py``: ``m`` the needed
negative directions, ``w`` their largest weight).  Guarded assertions are never top-level,
so the units are those of the permanent assertions only, which no ``pop`` retracts: the
domains never rely on an assertion that can be switched off, and an unsat core never
silently relies on the domain clauses of an assertion outside it.  ``d`` is monotone in
the needed constraints, so a box computed over *all* encoded predicates covers every subset
of them that the guards switch on: if such a subset with the permanent assertions has a
model, the shortest-path model of its needed constraints lies in the box and within the
unit-derived bounds, and setting every predicate and gate variable to its value there
satisfies the CNF.  In place, a class's range is recomputed with the new directions and
must stay within the ``d`` its domains were built with; otherwise: rebuild.  When the
permanent units alone imply every domain (anchored frame, no bound clipped to ``d``: job
shop), any model of the permanent assertions lies in them and ``d`` does not matter.  Every ``sat``
model is still checked on the original assertions (``check_model``).

Linear formulas (``ir/linear.py``: coefficients, ``div``/``mod``/``abs``, functions) are
normalized with each guarded assertion stated as the term ``g -> F`` over a Boolean guard
variable, before normalizing: bound propagation reads top-level units only, so the domains
come from the permanent assertions alone (as above), and the solution bound of the
unbounded variables, computed over every atom of the guarded formula, holds for whatever
subset of assertions the guards switch on (a model of the live assertions is a model of
the guarded formula).  The linearizer does not extend a normalization in place, so an
added assertion rebuilds the encoding; checks that add nothing (a ``pop``) reuse it, and
so do assumptions that are a Boolean variable of the encoding or its negation (the SAT
literal is then the assumption, no guard: ``_add_literals``); every ``unsat`` gives its
failed guards.

Cost: a ``check-sat`` that adds ``k`` assertions to a built encoding costs their
normalization, one polarity pass over the circuit, their clauses, and the SAT call (which
keeps what it learnt).  A rebuild costs what a first ``check-sat`` costs.

Reference: activation literals and assumptions for incremental SAT (Eén, Sörensson,
"Temporal induction by incremental SAT solving", BMC 2003; "An extensible SAT-solver",
SAT 2003); unsat cores as failed assumptions (the same; CaDiCaL's ``failed``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

from ..backends import open_solver
from ..backends.base import SatSolver
from ..compile import (Compiled, encode_normalized, is_linear, normalize_assertions,
                       outside_difference)
from ..config import Config
from ..encode.base import VarClass, split_classes
from ..encode.domains import Domains, NegativeCycle, shortest_paths
from ..encode.order import OrderDecoder
from ..encode.sd import sd_range
from ..encode.tseitin import PredUse, gate_clauses
from ..ir.circuit import K_BVAR, K_PRED, NEG, POS, polarities
from ..ir.normalize import NotDifference, normalize_into
from ..ir.terms import BOOL, INT, NOT, VAR, Term, TermManager
from ..result import Stats, Status
from .query import assumption_key
from .sat import solve_bounded

GUARD = "\0guard:"  # prefix of the guard Booleans' names (no SMT-LIB symbol holds a NUL)

Item = tuple[Term, Optional[str]]  # an assertion and its guard key (None: permanent)


@dataclass
class _ClassBox:
    """An order-encoded class: the small-domain range ``d`` its domains were built with
    (infinite when the unit atoms alone give the domains), and the class with the directions
    added in place since (``cls.preds`` grows)."""

    d: float
    cls: VarClass


def _unit_determined(cls: VarClass, dom: Domains) -> bool:
    """Do the permanent unit atoms alone imply the class's domains (anchored frame, no bound
    clipped to the small-domain range)?  Then every model of the permanent assertions lies
    in them (shifted to its anchor), whatever else is asserted: any predicate over the
    class's variables may be added in place (job shop: every start time between the horizon
    bounds)."""
    if dom.anchor is None:
        return False
    fwd: dict[int, list[tuple[int, int]]] = {}
    rev: dict[int, list[tuple[int, int]]] = {}
    for x, y, k in cls.units:  # x - y <= k: an edge y -> x of weight k
        fwd.setdefault(y, []).append((x, k))
        rev.setdefault(x, []).append((y, k))
    n = len(cls.variables)
    try:
        up = shortest_paths({dom.anchor: 0}, fwd, n)
        down = shortest_paths({dom.anchor: 0}, rev, n)
    except NegativeCycle:
        return False
    return all(x in up and x in down and dom.hi[x] == up[x] and dom.lo[x] == -down[x]
               for x in cls.variables)


class NotKeepable(Exception):
    """The assertions are outside what a guarded encoding takes (linear integer arithmetic
    without the term manager to state its guards in): the core decides the query one-shot
    instead."""


def _guarded_terms(items: Sequence[Item], terms: TermManager) -> list[Term]:
    """The items as terms ``g -> F`` over guard Booleans (a permanent one as it is)."""
    return [t if key is None else terms.implies(terms.var(GUARD + key, BOOL), t)
            for t, key in items]


class GuardedSolver:
    """One encoding of guarded assertions and one CaDiCaL (see the module doc)."""

    def __init__(self, items: Sequence[Item], config: Config, *,
                 positions: Optional[Mapping[Term, int]] = None,
                 stats: Optional[Stats] = None, terms: Optional[TermManager] = None):
        self.config = config
        self.positions = positions
        plain = [t for t, _ in items]
        norm = None
        if not outside_difference(plain):
            norm = normalize_assertions(plain, positions=positions, stats=stats,
                                        substitute=False)
        if norm is None or is_linear(norm):
            if terms is None:
                raise NotKeepable("linear integer arithmetic")
            norm = normalize_assertions(_guarded_terms(items, terms), positions=positions,
                                        stats=stats, substitute=False)
        self.norm = norm
        self.linear = is_linear(norm)
        if not self.linear:
            c = self.norm.circuit
            for i, (_, key) in enumerate(items):
                if key is not None:
                    c.roots[i] = c.or_((-c.bool_var(GUARD + key), c.roots[i]))
        self.compiled: Compiled = encode_normalized(self.norm, config, stats=stats,
                                                    extendable=True)
        self.extendable = not self.linear and self.norm.sort == INT and self.compiled.enc is not None
        self.pol, _ = polarities(self.norm.circuit)
        self.boxes: dict[int, _ClassBox] = {}  # id(OrderDecoder) -> its class
        if self.compiled.enc is not None and not self.linear:
            enc = self.compiled.enc
            for cls in split_classes(enc.tseitin.preds, self.norm.circuit.unit_preds()):
                dec = enc.order_decoder(cls.variables[0])
                if dec is not None:  # (the same classes and ranges as the encoder's)
                    d = math.inf if _unit_determined(cls, dec.dom) else sd_range(cls)
                    self.boxes[id(dec)] = _ClassBox(d, cls)
        t0 = time.perf_counter()
        self.solver: Optional[SatSolver] = open_solver(self.compiled.cnf)
        if stats is not None:
            stats.add_time("load", time.perf_counter() - t0)
        self.retired: set[str] = set()
        self.why = ""  # why the last ``add`` did not fit
        self.direct: dict[str, int] = {}  # linear: assumption key -> the SAT literal it is

    # -- guards ------------------------------------------------------------------------
    def guard(self, key: str) -> Optional[int]:
        """The SAT variable of guard ``key`` (None: no clause mentions it, e.g. its
        assertions simplified to true, or it was never added)."""
        if key in self.direct:
            return self.direct[key]
        if self.compiled.enc is None:
            return None
        return self.compiled.enc.tseitin.bool_vars.get(GUARD + key)

    def knows(self, key: str) -> bool:
        if key in self.direct:
            return True
        c = self.norm.boolean if self.linear else self.norm.circuit  # type: ignore[attr-defined]
        return GUARD + key in c.bool_names

    def retire(self, key: str) -> None:
        """Switch guard ``key`` off for good (its level was popped)."""
        g = self.guard(key)
        if g is not None and self.solver is not None and key not in self.retired:
            self.solver.add_clause([-g])
        self.retired.add(key)

    # -- adding assertions in place ----------------------------------------------------
    def add(self, items: Sequence[Item], stats: Optional[Stats] = None) -> bool:
        """Encode ``items`` into this encoding (module doc); False when that is not sound
        (nothing has been given to the SAT solver then: build anew)."""
        if self.compiled.trivial:
            return True  # a permanent assertion is false: unsat, whatever comes
        if self.linear and self.solver is not None:
            return self._add_literals(items)
        if not self.extendable or self.solver is None:
            self.why = "closed" if self.solver is None else "reals, or no encoding"
            return False
        t0 = time.perf_counter()
        c = self.norm.circuit
        enc = self.compiled.enc
        assert enc is not None
        n_int = len(c.int_names)
        terms = [t for t, _ in items]
        if outside_difference(terms):
            self.why = "linear integer arithmetic"
            return False
        try:
            lits = normalize_into(c, terms, positions=self.positions)
        except NotDifference:
            self.why = "linear integer arithmetic"
            return False
        if lits is None or len(c.int_names) != n_int:
            self.why = "a real variable" if lits is None else "a new integer variable"
            return False
        roots = []
        for (_, key), r in zip(items, lits):
            roots.append(r if key is None else c.or_((-c.bool_var(GUARD + key), r)))
        old_roots, c.roots = c.roots, roots
        try:
            delta, root_clauses = polarities(c)
        finally:
            c.roots = old_roots + roots
        pol = self.pol
        pol.extend([0] * (len(c.kind) - len(pol)))
        gained = {n: b for n in range(2, len(c.kind)) if (b := delta[n] & ~pol[n])}
        var = enc.tseitin.node_var
        cnf = enc.cnf
        grown: dict[int, list[PredUse]] = {}  # id(OrderDecoder) -> directions added
        theory: list[tuple[OrderDecoder, int, int]] = []
        for n, bits in gained.items():
            if c.kind[n] != K_PRED:
                continue
            x, y, k = c.args[n]
            dec = enc.order_decoder(x)
            if dec is None or y not in dec.base:
                self.why = "a class that is not order-encoded" if dec is None else \
                    "two classes joined"
                return False
            grown.setdefault(id(dec), []).append(PredUse(x, y, k, 0, bits))
            theory.append((dec, n, bits))
        for key, added in grown.items():
            box = self.boxes[key]
            if sd_range(VarClass(box.cls.variables, box.cls.preds + added)) > box.d:
                self.why = "the small-domain box would grow"
                return False
        # Sound: from here on, only clauses.
        for n in gained:
            if n not in var:
                var[n] = cnf.new_var()
                if c.kind[n] == K_BVAR:
                    enc.tseitin.bool_vars[c.args[n][0]] = var[n]

        def lit_of(a: int) -> int:
            return var[a] if a > 0 else -var[-a]

        clauses: list[list[int]] = [[lit_of(a) for a in cl] for cl in root_clauses]
        for n, bits in gained.items():
            kind = c.kind[n]
            if kind != K_PRED and kind != K_BVAR:
                gate_clauses(kind, c.args[n], var[n], bits, lit_of, clauses.append)
        for dec, n, bits in theory:
            x, y, k = c.args[n]
            v = var[n]
            if bits & POS:  # v -> x - y <= k
                clauses.extend(dec.le_clauses(x, y, k, v))
            if bits & NEG:  # -v -> y - x <= -k - 1
                clauses.extend(dec.le_clauses(y, x, -k - 1, -v))
        for n, bits in gained.items():
            pol[n] |= bits
        for key, added in grown.items():
            self.boxes[key].cls.preds.extend(added)
        self.solver.add_clauses(clauses)
        self.solver.nvars = cnf.nvars
        if stats is not None:
            stats.add_time("encode", time.perf_counter() - t0)
            stats.counts["clauses_added"] = stats.counts.get("clauses_added", 0) + len(clauses)
        return True

    def _add_literals(self, items: Sequence[Item]) -> bool:
        """A linear encoding takes in place only assumptions that are a Boolean variable it
        has, or its negation: their SAT literal is the assumption itself (no guard)."""
        got = {}
        for t, key in items:
            lit = None if key != assumption_key(t) else self._literal(t)
            if lit is None:
                self.why = "linear integer arithmetic"
                return False
            got[key] = lit
        self.direct.update(got)
        return True

    def _literal(self, t: Term) -> Optional[int]:
        """The SAT literal of Boolean variable ``t`` or its negation (None: another term, or
        a variable the encoding does not have)."""
        sign = 1
        if t.op == NOT:
            t, sign = t.args[0], -1
        if t.op != VAR or t.sort != BOOL or self.compiled.enc is None:
            return None
        v = self.compiled.enc.tseitin.bool_vars.get(t.val)  # type: ignore[arg-type]
        return None if v is None else sign * v

    # -- solving -----------------------------------------------------------------------
    def solve(self, keys: Sequence[str], declarations: Sequence[Term], deadline: Optional[float],
              stats: Stats) -> tuple[Status, dict, list[str]]:
        """Decide the permanent assertions and those of the guards ``keys``: the status, the
        model (values of ``declarations``) when sat, the keys of a core when unsat."""
        if self.compiled.trivial or self.solver is None:
            return Status.UNSAT, {}, []
        guards = {g: key for key in keys if (g := self.guard(key)) is not None}
        st, sat = solve_bounded(self.solver, list(guards), deadline, stats)
        if st == Status.UNSAT:
            core = set(self.solver.core())
            return st, {}, [guards[g] for g in guards if g in core]
        if st != Status.SAT:
            return st, {}, []
        t0 = time.perf_counter()
        model = self.compiled.decode(sat, declarations)
        stats.add_time("decode", time.perf_counter() - t0)
        return st, model, []

    def close(self) -> None:
        if self.solver is not None:
            self.solver.close()
            self.solver = None


__all__ = ["GUARD", "NotKeepable", "GuardedSolver", "Item"]
