"""Checking UNSAT certificates (``eagersmt check-proof DIR FILE.smt2``).

The claim to check: the ``check-sat`` of FILE that the certificate names is unsat.  It
follows from two facts, each checked here without the solving code path (the encoders,
the Tseitin pass, the SAT solvers):

1. **The CNF is unsatisfiable**: its DRAT proof is replayed by ``dratify`` (an independent
   DRAT checker; its Rust engine from ``cdclkit-native`` when installed, else pure Python).
2. **If the formula had a model, the CNF would have one.**  From a model ``M`` the
   small-domain lemma (below) gives a model ``M'`` in a box; then the assignment
   ``sigma``: every variable that stands for an atom ``x - y <= c`` gets its value in
   ``M'``, every circuit gate its value as a function of its inputs, must satisfy *every*
   clause.  So each clause must be, by a check on the clause alone:
   * a **Tseitin clause**: one of the defining clauses of a gate (AND, ITE, IFF) of the
     circuit this module re-derives from FILE, under the certificate's node -> variable
     map (full Tseitin; the Plaisted–Greenbaum subset the encoder writes is accepted);
   * a **root clause**: a top-level literal (or top-level OR) of that circuit;
   * a **theory clause**: all literals are atoms, and the negation of the clause together
     with the box bounds of its variables and the top-level unit atoms among them is
     infeasible, i.e. the difference constraints have a negative cycle (Bellman–Ford);
     failing that, with the tightest bound the unit atoms of the class imply between each
     two of its variables (shortest paths over all of them: the ordering clauses of
     ``encode/orderings.py`` close their cycles through chains of precedences); failing
     that, with the box and units of the whole class (an order ladder's end, ``x1 > lo(x0)``
     through the unit ``x0 < x1``);
   * the **empty clause**, when the top-level unit atoms of a class have a negative cycle
     or its box is empty.
   Each SAT variable has one meaning (a gate, a Boolean, or an atom); order literals mean
   ``x - o <= a`` where ``o`` is the class's anchor variable or a fresh origin; the
   optimizer's bound literals (``atom_vars``) mean the atoms they are listed with.

**The small-domain lemma** (Seshia–Bryant, on the needed directions; recomputed here
with this module's own polarity pass and Bellman–Ford): per variable class with ``n``
variables, ``m`` needed constraints of negative weight and ``w`` their largest ``|weight|``,
``d = min(n - 1, m) * w``; every model can be replaced by one with values in ``[-d, 0]``
that satisfies the same needed atoms (so the circuit still holds, being monotone in each
atom in its polarity), including all top-level unit atoms.  Its box in the *source* frame
is ``[-d, 0]`` narrowed by the unit atoms; in the *anchored* frame (shift so that the
anchor is 0) ``x - anchor`` lies in ``[-d, d]`` and in the unit atoms' shortest-path
bounds from the anchor.

**Entries of the lemma store** (``memo/``) that a run used are part of its certificate:

* a stored unsat answer (``memo_answer``): the entry's own certificate and the input it
  is about (``memo-answer/``) are checked like any certificate, and that input's assertions
  and FILE's must have the same query key (``check/query_keys.py``: equal keys mean equivalent
  assertion sets);
* stored refutations applied as clauses (``lemmas``, in the order they were added): each
  one's certificate (``lemma-N/``) must prove its support and cube unsat (``check/stored.py``),
  its support must hold in FILE's assertions and the lemmas before it (``lemmas.applies``),
  and its clause ``not cube`` is then added to the circuit, as the run added it
  (``lemmas.lemma_root``), before the CNF is checked against it.  So FILE implies every
  lemma, and the CNF's clauses follow from FILE.

**Root lemmas** (``encode/disjunctive.py``: machines recognized and propagated before
encoding).  A class entry may carry ``lemmas``, difference constraints ``x - y <= k``
claimed to follow from the formula, and their ``lemma_anchor``.  Each is checked in order
from the class's top-level unit atoms and the lemmas before it (``G``), and then joins
the unit atoms (so it narrows the box, and the order encoding's edge clauses over
narrowed domains are theory clauses as before).  A lemma is accepted when a hypothesis
added to ``G`` is infeasible; the hypothesis is the lemma's negation, or ``other``, the
opposite side of a top-level clause ``lemma or other`` of two atoms (resolution).
Infeasible means: Bellman–Ford from the anchor (both directions) meets a negative cycle,
or the lemma names operations ``S`` that pairwise cannot overlap (top-level clauses
``(a - b <= -d_ab) or (b - a <= -d_ba)``, ``d >= 1``, each excluding ``b - a`` from
``(-d_ba, d_ab)``; with ``p_a = min_b max d_ab`` the intervals ``[a, a + p_a)`` are
disjoint when the clauses of each pair together exclude ``(-p_b, p_a)``) and their total ``p``
exceeds ``max(hi + p) - min(lo)`` over their Bellman–Ford windows (overload).  A class
entry ``refuted`` is a class whose lemmas end in a negative cycle (the CNF then needs
only the empty clause).  These two rules, the root clauses of two atoms and the small
Bellman–Ford of ``_refuted`` are what the lemmas add to the trusted code.

**Compact order encoding** (``encode/compact.py``).  A class entry ``compact`` gives, per
variable, its digits (``[X1 <= a]`` is the atom ``x - o <= lo + B*a + B - 1``; a low digit
``[X0 <= b]`` means ``(x - o - lo) mod B <= b``) and ``[lo, hi]``, which must contain the
box computed here; and per constraint ``x - y <= c`` its guard (a variable meaning that atom
or its negation, or 0 for a unit atom of the class) and its fresh ``q0``, ``q1`` (each in one
constraint only; ``sigma`` gives ``q0`` the value "high digits tight", as defined there).  A
clause with a low digit or a ``q`` is accepted only if ``compact.var_clauses`` or
``compact.le_clauses`` produce it for those; both are true under ``sigma`` whenever the
guard's atom holds (proof in ``compact.py``, exhaustive test in ``tests/test_compact.py``).
These two functions are what the compact encoding adds to the trusted code.

**Small-domain encoding** (``encode/sd.py``).  A class entry states the encoder's shift
``D`` (at least this module's ``d``: then ``M'(x) + D`` lies in ``[0, D]``), the bits of
each variable (``bitlength(D)`` of them; ``sigma`` gives them the binary digits of
``M'(x) + D``), the true literal and the gates in the order they were made (each gate's
inputs bits, the true literal or earlier gates, so ``sigma`` gives it its value).
``check/sd.py`` accepts a clause over them only as a gate's definition (checked
exhaustively), the unit true literal, a box unit ``[X <= D]``, or the link ``p -> out``,
``not p -> not out`` of an atom ``p = (x - y <= c)`` to the comparator that ``sd.atom_lit``
builds for it, replayed on the declared gates (its module doc has the argument: the
subtractor is exact in ``w + 1`` bits).  ``atom_lit`` (with ``subtract`` and ``le_lit``)
and the constant folding of ``cnf.Gates`` are what the small-domain encoding adds to the
trusted code.

**Linear integer arithmetic** (a formula outside difference logic: ``ir/linear.py``'s
circuit over linear atoms and difference predicates).  Its atoms and Booleans are checked
as above (Tseitin and root clauses of that circuit).  Its *difference classes* (integer
variables whose atoms are all ``x - y <= c`` and bounds) are difference predicates of
the circuit and are checked exactly as a difference-logic formula's classes (the rules
above, their own boxes); that is sound only if no linear atom and no linear domain
mentions one of their variables (the small-domain lemma moves a class's variables and
nothing else), which is checked.  For the other variables the certificate's ``linear``
section maps each to its bits and gives each BDD variable and adder output a meaning, and
``check/linear.py`` accepts a clause over them only as an arithmetic implication or an
adder's definition that it verifies (its module doc has the argument); a clause over
difference-class variables alone goes to the theory rule.  ``check/ackermann.py`` reads every
functional-consistency root back from the circuit and the atoms, difference predicates
included (no stronger than Ackermann's constraint).

**Corner refutations** (``ir/corner.py``: a row that no integer point of the cone of
other rows satisfies, found in ``compile.py`` before encoding).  The certificate has no CNF;
its ``corner`` witness names the row and the cone's rows as top-level atom sides of the
circuit derived here, and gives the multipliers, a matrix ``R`` with moduli ``d`` and a
potential over group elements; ``check/corner.py`` checks the identity ``a = -B^T u``
(``u >= 0``), that ``R B`` is divisible by ``d`` row by row, and that the potential's
states are closed under the slacks' moves within the row's room and miss the target (its
module doc has the argument).  That module is what this adds to the trusted code.

**Trust base** (what is not checked): the SMT-LIB parser and ``ir.normalize`` (which turn
FILE into the circuit over difference atoms: ``let``/``define-fun`` expansion, ``ite``
lifting, equality substitution, exact scaling of reals), for linear formulas
``ir/linear.py`` (atoms, fresh variables' definitions, the domains: bound propagation and
the solution bound) with ``check/linear.py`` and ``check/ackermann.py``, this module, and
the DRAT checker; with store entries also ``query_keys.py``, ``lemmas.py`` and ``stored.py``;
and the encoders' functions named above (``compact.var_clauses``, ``compact.le_clauses``;
``sd.atom_lit``, ``sd.subtract``, ``sd.le_lit`` and ``cnf.Gates``' folding).  Every clause of
every encoding is checked: a certificate is verified or rejected.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from .. import drat
from ..encode import ENCODINGS
from .certificate import CertificateError, assertions_at
from ..ir.circuit import FALSE, K_AND, K_BVAR, K_IFF, K_ITE, K_PRED, TRUE, Circuit
from ..ir.linear import ATOM_PREFIX
from .certificate import FORMAT, META_FILE, input_digest

POS, NEG = 1, 2
# meanings of the difference classes' variables (the rest of a linear formula's variables
# are bits, BDD nodes and adders: ``check/linear.py``)
_DIFFERENCE_MEANINGS = ("atom", "digit", "sd")


@dataclass
class CheckReport:
    """What a verified certificate took (a rejected one raises ``CertificateError``)."""

    counts: dict[str, int] = field(default_factory=dict)
    times: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# -- the formula -------------------------------------------------------------------------

def _top_level(c: Circuit) -> list[int]:
    """The asserted literals, positive ANDs flattened.  (``Circuit.top_level`` does the same;
    the checker keeps its own copy, as it does the polarity pass, so that a bug there cannot
    make a non-root clause pass as a root.)"""
    out, seen, stack = [], set(), list(reversed(c.roots))
    while stack:
        lit = stack.pop()
        if lit in seen:
            continue
        seen.add(lit)
        if lit > 0 and c.kind[lit] == K_AND:
            stack.extend(reversed(c.args[lit]))
        else:
            out.append(lit)
    return out


def _polarities(c: Circuit, top: list[int]) -> list[int]:
    """This module's own polarity pass (which directions of each node a model relies on)."""
    pol = [0] * len(c.kind)

    def mark(lit: int, p: int) -> None:
        if lit < 0:
            p = ((p & POS) << 1) | ((p & NEG) >> 1)
        pol[abs(lit)] |= p

    for lit in top:
        if lit < 0 and c.kind[-lit] == K_AND:
            for ch in c.args[-lit]:
                mark(-ch, POS)
        else:
            mark(lit, POS)
    for n in range(len(c.kind) - 1, 1, -1):
        p = pol[n]
        if not p:
            continue
        k = c.kind[n]
        if k == K_AND:
            for ch in c.args[n]:
                mark(ch, p)
        elif k == K_ITE:
            cond, t, e = c.args[n]
            mark(cond, POS | NEG)
            mark(t, p)
            mark(e, p)
        elif k == K_IFF:
            mark(c.args[n][0], POS | NEG)
            mark(c.args[n][1], POS | NEG)
    return pol


def _bellman_ford(nodes: list, edges: list[tuple[Any, Any, int]],
                  init: Optional[dict] = None) -> Optional[dict]:
    """Shortest distances (edge ``(u, v, w)``: ``v - u <= w``) from ``init`` (default: 0 at
    every node); ``None`` when there is a negative cycle."""
    dist = dict(init) if init is not None else {v: 0 for v in nodes}
    for _ in range(len(nodes) + 1):
        changed = False
        for u, v, w in edges:
            du = dist.get(u)
            if du is not None and du + w < dist.get(v, du + w + 1):
                dist[v] = du + w
                changed = True
        if not changed:
            return dist
    return None


def _negative_cycle(edges: list[tuple[Any, Any, int]]) -> bool:
    """Whether the constraints (edge ``(u, v, w)``: ``v - u <= w``) have a negative cycle:
    Bellman–Ford from 0 everywhere; still improving after as many rounds as nodes."""
    dist = {}
    for u, v, _ in edges:
        dist[u] = dist[v] = 0
    for _ in range(len(dist)):
        changed = False
        for u, v, w in edges:
            d = dist[u] + w
            if d < dist[v]:
                dist[v] = d
                changed = True
        if not changed:
            return False
    return True


def _root_disjunctions(c: Circuit, top: list[int]) -> tuple[set, dict]:
    """The top-level clauses of two atoms (as sets of constraints ``(x, y, k)``), and per
    ordered pair ``(a, b)`` the separations ``(d_ab, d_ba)`` of those of the form
    ``(a - b <= -d_ab) or (b - a <= -d_ba)`` with both ``d >= 1``."""
    clauses: set = set()
    pairs: dict = {}
    for lit in top:
        if lit < 0 and c.kind[-lit] == K_AND and len(c.args[-lit]) == 2:
            cons = []
            for ch in c.args[-lit]:
                if c.kind[abs(ch)] != K_PRED:
                    break
                x, y, k = c.args[abs(ch)]
                cons.append((x, y, k) if ch < 0 else (y, x, -k - 1))  # the disjunct is -ch
            if len(cons) != 2:
                continue
            clauses.add(frozenset(cons))
            (x1, y1, k1), (x2, y2, k2) = cons
            if x1 == y2 and y1 == x2 and x1 != y1 and k1 <= -1 and k2 <= -1:
                pairs.setdefault((x1, y1), []).append((-k1, -k2))
                pairs.setdefault((y1, x1), []).append((-k2, -k1))
    return clauses, pairs


def _distances(adj: dict, source: Any, n: int) -> Optional[dict]:
    """Shortest distances from ``source`` along ``adj`` (u -> [(v, w)]); None on a negative
    cycle reachable from it (a path longer than ``n`` edges improved)."""
    dist = {source: 0}
    queue = [source]
    for _ in range(n + 1):  # round r settles the shortest paths of r edges
        if not queue:
            return dist
        nxt: dict = {}
        for u in queue:
            du = dist[u]
            for v, w in adj.get(u, ()):
                if du + w < dist.get(v, du + w + 1):
                    dist[v] = du + w
                    nxt[v] = None
        queue = list(nxt)
    return None if queue else dist


def _refuted(fwd: dict, anchor: int, n: int, tasks: Optional[list], pairs: dict) -> Optional[str]:
    """``None`` if the constraints ``fwd`` (y -> [(x, k)]: x - y <= k) are infeasible: a
    negative cycle through the anchor's reach, or an overload of ``tasks``: operations that
    pairwise cannot overlap (root clauses ``(a - b <= -d_ab) or (b - a <= -d_ba)``, so the
    intervals ``[a, a + p_a)``, ``p_a = min_b max d_ab``, are disjoint: ``_separated``)
    whose total length exceeds the span of their windows (Bellman–Ford from the anchor)."""
    up = _distances(fwd, anchor, n)
    rev: dict = {}
    for y, outs in fwd.items():
        for x, k in outs:
            rev.setdefault(x, []).append((y, k))
    down = _distances(rev, anchor, n)
    if up is None or down is None:
        return None
    if not tasks:
        return "no negative cycle (and no overload named)"
    tasks = list(dict.fromkeys(tasks))
    if len(tasks) < 2 or any(t not in up or t not in down for t in tasks):
        return "the overload's operations lack a window"
    p = {}
    for a in tasks:
        p[a] = min(max(d for d, _ in pairs.get((a, b), [(0, 0)])) for b in tasks if b != a)
        if p[a] < 1:
            return f"operation {a} is not disjunctive with every other one of the overload"
    for i, a in enumerate(tasks):
        for b in tasks[i + 1:]:
            if not _separated(pairs[(a, b)], p[a], p[b]):
                return f"the root clauses do not keep operations {a} and {b} apart"
    span = max(up[t] + p[t] for t in tasks) - min(-down[t] for t in tasks)
    if sum(p.values()) <= span:
        return f"no overload: {sum(p.values())} units of work in a span of {span}"
    return None


def _separated(clauses: list[tuple[int, int]], pa: int, pb: int) -> bool:
    """Do root clauses ``(d_ab, d_ba)`` (each: ``b - a >= d_ab or a - b >= d_ba``, so
    ``b - a`` is not in ``[1 - d_ba, d_ab - 1]``) together keep ``[a, a + pa)`` and
    ``[b, b + pb)`` apart: is every ``b - a`` in ``[1 - pb, pa - 1]`` excluded by one?  (A
    job-shop pair has one clause with both lengths; a capacity row at each operation's
    start gives one clause per start, which only together separate the pair.)"""
    reach = 1 - pb  # the smallest difference not yet excluded
    for lo, hi in sorted((1 - dba, dab - 1) for dab, dba in clauses):
        if lo > reach:
            break
        reach = max(reach, hi + 1)
    return reach > pa - 1


@dataclass
class _Class:
    variables: set
    units: list  # (x, y, c): x - y <= c, top-level
    d: int = 0
    origin: Any = None
    lo: dict = field(default_factory=dict)
    hi: dict = field(default_factory=dict)
    infeasible: bool = False  # the units have a negative cycle or a box is empty
    claimed: bool = False  # the certificate names this class's encoding
    units_of: dict = field(default_factory=dict)  # variable -> the units with it as x


def _classes(c: Circuit, pol: list[int], top: list[int]) -> tuple[list[_Class], dict]:
    """Variable classes (connected components of the needed atoms), their ``d`` and units."""
    parent: dict[int, int] = {}

    def find(a: int) -> int:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    preds = [n for n in range(2, len(c.kind)) if c.kind[n] == K_PRED and pol[n]]
    for n in preds:
        x, y, _ = c.args[n]
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[rx] = ry
    groups: dict[int, _Class] = {}
    for v in list(parent):
        groups.setdefault(find(v), _Class(set(), [])).variables.add(v)
    m: dict[int, int] = {}
    w: dict[int, int] = {}
    for n in preds:
        x, y, k = c.args[n]
        r = find(x)
        for weight, needed in ((k, pol[n] & POS), (-k - 1, pol[n] & NEG)):
            if needed and weight < 0:
                m[r] = m.get(r, 0) + 1
                w[r] = max(w.get(r, 0), -weight)
    for r, g in groups.items():
        g.d = min(len(g.variables) - 1, m.get(r, 0)) * w.get(r, 0)
    for lit in top:
        if abs(lit) > 1 and c.kind[abs(lit)] == K_PRED:
            x, y, k = c.args[abs(lit)]
            if x in parent:
                u = (x, y, k) if lit > 0 else (y, x, -k - 1)
                g = groups[find(x)]
                g.units.append(u)
                g.units_of.setdefault(u[0], []).append(u)
    of_var = {v: g for g in groups.values() for v in g.variables}
    return list(groups.values()), of_var


def _set_frame(g: _Class, frame: str, anchor: Optional[int]) -> None:
    """The lemma's box of ``g`` in the frame the certificate names (own computation)."""
    units = [(y, x, k) for x, y, k in g.units]  # edge y -> x of weight k
    nodes = sorted(g.variables)
    if frame == "anchored":
        if anchor not in g.variables:
            raise CertificateError(f"anchor {anchor} is not a variable of its class")
        g.origin = anchor
        up = _bellman_ford(nodes, units, {anchor: 0})
        down = _bellman_ford(nodes, [(v, u, k) for u, v, k in units], {anchor: 0})
        if up is None or down is None:
            g.infeasible = True
            return
        for x in nodes:
            g.hi[x] = min(up.get(x, g.d), g.d)
            g.lo[x] = max(-down.get(x, g.d), -g.d)
        g.lo[anchor] = g.hi[anchor] = 0
    else:
        g.origin = ("origin", min(nodes))
        hi = _bellman_ford(nodes, units)
        neg_lo = _bellman_ford(nodes, [(v, u, k) for u, v, k in units], {x: g.d for x in nodes})
        if hi is None or neg_lo is None:
            g.infeasible = True
            return
        for x in nodes:
            g.hi[x] = min(hi[x], 0)
            g.lo[x] = max(-neg_lo[x], -g.d)
    if any(g.lo[x] > g.hi[x] for x in nodes):
        g.infeasible = True


# -- the check ---------------------------------------------------------------------------

class _Checker:
    def __init__(self, c: Circuit, meta: dict, linear: Any = None):
        """``linear``: the ``LinearNormalized`` of a formula outside difference logic (its
        certificate's ``linear`` section then gives the bits and BDD nodes' meanings)."""
        self.c = c
        self.top = _top_level(c)
        self.pol = _polarities(c, self.top)
        self.classes, self.class_of = _classes(c, self.pol, self.top)
        self.meaning: dict[int, tuple] = {}  # var -> ("gate", n) | ("bool", n) | ("atom", x, y, k) | ("sd", ...) | ("digit", ...)
        self.node_lit: dict[int, int] = {}
        self.counts = {"tseitin": 0, "root": 0, "theory": 0, "empty": 0, "sd": 0,
                       "root_lemmas": 0, "compact": 0, "linear": 0}
        self._compact: set[frozenset[int]] = set()  # clauses the compact encoding produces
        self._sd: Any = None  # ``check/sd.py``'s rule, once a small-domain class is read
        self._defs: dict[int, set[frozenset[int]]] = {}
        self._disj: Optional[set] = None  # root clauses of two atoms (root lemmas)
        self._pairs: dict = {}
        self._closures: dict[int, dict] = {}  # class id -> source -> unit-atom distances
        self._read_meanings(meta)
        self.infeasible = bool(linear is not None and linear.infeasible)
        self.linear = None
        if linear is not None:
            from .linear import LinearClauses

            self._apart(linear)
            self.linear = LinearClauses(linear, self.node_lit, meta.get("linear"), self._give,
                                        set(self.top))
        self.roots = self._root_clauses()

    def _apart(self, linear: Any) -> None:
        """The small-domain lemma moves a difference class's variables only; that keeps a
        model of the formula only if no linear atom in use (one the polarity pass reaches)
        and no linear domain mentions one of them."""
        names = self.c.int_names
        diff = {names[v] for g in self.classes for v in g.variables if v}
        used = set(linear.domains)
        for name, n in self.c.bool_names.items():
            if name.startswith(ATOM_PREFIX) and self.pol[n]:
                used.update(x for x, _ in linear.atoms[int(name[len(ATOM_PREFIX):])][0])
        both = diff & used
        if both:
            raise CertificateError(f"variables both in a difference class and in a linear "
                                   f"constraint: {sorted(both)[:5]}")

    def _give(self, var: int, meaning: tuple) -> None:
        old = self.meaning.get(var)
        if old is not None and old != meaning:
            raise CertificateError(f"variable {var} has two meanings: {old} and {meaning}")
        self.meaning[var] = meaning

    def _read_meanings(self, meta: dict) -> None:
        c = self.c
        for n, v in meta.get("node_var", []):
            if not (2 <= n < len(c.kind)) or v <= 0:
                raise CertificateError(f"node {n} / variable {v} out of range")
            k = c.kind[n]
            if k == K_PRED:
                x, y, kk = c.args[n]
                self._give(v, ("atom", x, y, kk))
            elif k == K_BVAR:
                self._give(v, ("bool", n))
            else:
                self._give(v, ("gate", n))
            self.node_lit[n] = v
        n_int = len(c.int_names)
        for item in meta.get("atom_vars", []):  # fresh variables that stand for atoms
            v, x, y, k = item
            if not all(type(t) is int for t in item) or v <= 0 or not (0 <= x < n_int) \
                    or not (0 <= y < n_int) or x == y:
                raise CertificateError(f"atom variable {item}: malformed")
            self._give(v, ("atom", x, y, k))
        for cl in meta.get("classes", []):
            name = cl.get("encoding")
            if name == "refuted":  # no encoding: a class its root lemmas refute
                self._claim_refuted(cl)
                continue
            # the encoding's entry says which of the readers below reads its variables
            form = ENCODINGS[name].certificate if isinstance(name, str) and name in ENCODINGS \
                else None
            read = self._READERS.get(form)  # type: ignore[arg-type]
            if read is None:
                raise CertificateError(f"unknown encoding {name!r}")
            read(self, cl)
        for g in self.classes:
            if not g.claimed and _bellman_ford(sorted(g.variables),
                                               [(y, x, k) for x, y, k in g.units]) is not None:
                raise CertificateError(f"the variable class of {sorted(g.variables)[:5]} has no "
                                       "encoding (and its unit atoms are consistent)")

    def _lemmas(self, g: _Class, anchor: int, lemmas: list) -> None:
        """Check the root lemmas of class ``g`` in order (module doc, "Root lemmas"); each
        accepted one joins the class's unit atoms."""
        if anchor not in g.variables:
            raise CertificateError(f"lemma anchor {anchor} is not a variable of its class")
        if self._disj is None:
            self._disj, self._pairs = _root_disjunctions(self.c, self.top)
        fwd: dict = {}  # y -> [(x, k)]: x - y <= k
        for x, y, k in g.units:
            fwd.setdefault(y, []).append((x, k))
        n = len(g.variables)
        for i, (x, y, k, other, tasks) in enumerate(lemmas):
            lem = (x, y, k)
            if x not in g.variables or y not in g.variables:
                raise CertificateError(f"root lemma {i + 1} {lem} leaves its class")
            if other is not None:
                other = tuple(other)
                if frozenset((lem, other)) not in self._disj:
                    raise CertificateError(f"root lemma {i + 1}: {lem} or {other} is not a root clause")
                hx, hy, hk = other
            else:
                hx, hy, hk = y, x, -k - 1  # the negation of the lemma
            fwd.setdefault(hy, []).append((hx, hk))
            why = _refuted(fwd, anchor, n, tasks, self._pairs)
            fwd[hy].pop()
            if why is not None:
                raise CertificateError(f"root lemma {i + 1} {lem}: {why}")
            fwd.setdefault(y, []).append((x, k))
            g.units.append(lem)
            g.units_of.setdefault(x, []).append(lem)
            self.counts["root_lemmas"] += 1

    # -- what an encoding's variables mean: one reader per form of meaning (this checker's
    # own, independent of the encoders), chosen by the ``certificate`` of the encoding's
    # registry entry (``encode.ENCODINGS``); an encoding without a reader is rejected -----
    def _read_ladders(self, cl: dict) -> None:
        """Order ladders (the order encoding): ``vars`` rows ``[x, base, lo, hi]``, literal
        ``base + i`` is the atom ``x - o <= lo + i``."""
        anchor = cl.get("anchor")
        g = self._class_with({x for x, *_ in cl["vars"]}, cl["encoding"])
        if cl.get("lemmas"):  # root lemmas narrowed the domains (module doc)
            self._lemmas(g, cl["lemma_anchor"], cl["lemmas"])
        _set_frame(g, "anchored" if anchor is not None else "source", anchor)
        for x, base, lo, hi in cl["vars"]:
            if x not in g.variables:
                raise CertificateError(f"{cl['encoding']} variable {x} is not in its class")
            for i in range(hi - lo):
                self._give(base + i, ("atom", x, g.origin, lo + i))

    def _read_digits(self, cl: dict) -> None:
        """Two order-encoded base-B digits (module doc, "Compact order encoding")."""
        from ..encode.compact import le_clauses, var_clauses

        anchor = cl.get("anchor")
        g = self._class_with({v[0] for v in cl["vars"]}, cl["encoding"])
        if cl.get("lemmas"):
            self._lemmas(g, cl["lemma_anchor"], cl["lemmas"])
        _set_frame(g, "anchored" if anchor is not None else "source", anchor)
        B = cl["base"]
        if type(B) is not int or B < 2:
            raise CertificateError(f"compact base {B!r}: malformed")
        lay: dict = {}
        lows: dict = {}
        for x, hb, n, lb, lo, hi in cl["vars"]:
            if x not in g.variables or x in lay:
                raise CertificateError(f"compact variable {x} is not in its class (or twice)")
            if n != (hi - lo) // B or (not g.infeasible and (lo > g.lo[x] or hi < g.hi[x])):
                raise CertificateError(f"compact variable {x}: [{lo}, {hi}] in {n + 1} digits "
                                       f"does not cover its box [{g.lo.get(x)}, {g.hi.get(x)}]")
            for a in range(n):
                self._give(hb + a, ("atom", x, g.origin, lo + B * a + B - 1))
            for b in range(B - 1):
                self._give(lb + b, ("digit", x, b))
            lay[x], lows[x] = (hb, n, lb, B), lo
            self._compact.update(frozenset(c) for c in var_clauses(lay[x], hi - lo))
        units = set(map(tuple, g.units))
        for i, (x, y, c, guard, q0, q1) in enumerate(cl["constraints"]):
            if x not in lay or y not in lay:
                raise CertificateError(f"compact constraint {i}: a variable outside its class")
            m = self.meaning.get(abs(guard)) if guard else None
            if guard == 0:
                ok = (x, y, c) in units
            elif m is None or m[0] != "atom":
                ok = False
            else:
                ok = m[1:] == ((x, y, c) if guard > 0 else (y, x, -c - 1))
            if not ok:
                raise CertificateError(f"compact constraint {i} {x} - {y} <= {c}: its guard "
                                       f"{guard} is not that atom (nor a unit atom)")
            self._give(q0, ("digit", "q0", i))
            if q1:
                self._give(q1, ("digit", "q1", i))
            k = c + lows[y] - lows[x]
            self._compact.update(frozenset(cl) for cl in le_clauses(lay[x], lay[y], k, guard, q0, q1))

    def _read_atoms(self, cl: dict) -> None:
        """One variable per atom (EIJ): ``atoms`` rows ``[v, x, y, k]``, ``v`` is
        ``x - y <= k``."""
        g = self._class_with(set(cl["variables"]), cl["encoding"])
        _set_frame(g, "source", None)
        for v, x, y, k in cl["atoms"]:
            if x not in g.variables or y not in g.variables:
                raise CertificateError(f"{cl['encoding']} atom {v} leaves its class")
            self._give(v, ("atom", x, y, k))

    def _read_bits(self, cl: dict) -> None:
        """Bits of binary numbers and the gates over them (module doc, "Small-domain
        encoding"; ``check/sd.py``)."""
        from .sd import SmallDomainClauses

        g = self._class_with(set(cl["variables"]), cl["encoding"])
        _set_frame(g, "source", None)
        if self._sd is None:
            self._sd = SmallDomainClauses(self._give, self.meaning)
        self._sd.read(cl, g.d, g.variables)

    def _claim_refuted(self, cl: dict) -> None:  # a class its root lemmas refute
        g = self._class_with(set(cl["variables"]), "refuted")
        self._lemmas(g, cl["lemma_anchor"], cl["lemmas"])
        if _bellman_ford(sorted(g.variables), [(y, x, k) for x, y, k in g.units]) is not None:
            raise CertificateError("the root lemmas of a refuted class do not refute it")
        g.infeasible = True

    _READERS = {"ladders": _read_ladders, "atoms": _read_atoms, "digits": _read_digits,
                "bits": _read_bits}

    def _class_with(self, variables: set, enc: str) -> _Class:
        g = self.class_of.get(next(iter(variables))) if variables else None
        if g is None or g.variables != variables or g.claimed:
            raise CertificateError(f"the {enc} class {sorted(variables)[:5]} is not a variable "
                                   "class of the formula (or is claimed twice)")
        g.claimed = True
        return g

    def _lit(self, node_lit: int) -> int:
        v = self.node_lit.get(abs(node_lit))
        if v is None:
            raise CertificateError(f"circuit node {abs(node_lit)} has no variable")
        return v if node_lit > 0 else -v

    def _root_clauses(self) -> set[frozenset[int]]:
        out: set[frozenset[int]] = set()
        for lit in self.top:
            if lit == TRUE:
                continue
            if lit < 0 and self.c.kind[-lit] == K_AND:
                out.add(frozenset(self._lit(-ch) for ch in self.c.args[-lit]))
            if abs(lit) in self.node_lit:
                out.add(frozenset([self._lit(lit)]))
        return out

    def _definition(self, n: int) -> set[frozenset[int]]:
        d = self._defs.get(n)
        if d is None:
            g = self._lit(n)
            k, args = self.c.kind[n], self.c.args[n]
            if k == K_AND:
                ch = [self._lit(a) for a in args]
                d = {frozenset((-g, a)) for a in ch} | {frozenset([g] + [-a for a in ch])}
            elif k == K_ITE:
                i, t, e = (self._lit(a) for a in args)
                d = {frozenset(s) for s in ((-g, -i, t), (-g, i, e), (g, -i, -t), (g, i, -e),
                                            (-g, t, e), (g, -t, -e))}
            elif k == K_IFF:
                a, b = (self._lit(x) for x in args)
                d = {frozenset(s) for s in ((-g, -a, b), (-g, a, -b), (g, a, b), (g, -a, -b))}
            else:
                d = set()
            self._defs[n] = d
        return d

    def clause(self, clause: list[int]) -> Optional[str]:
        """``None`` if ``clause`` is justified, else why not."""
        if not clause:
            refuted = self.linear is not None and self.linear.refuted()
            if self.infeasible or refuted or any(g.infeasible or _bellman_ford(sorted(g.variables),
                                                 [(y, x, k) for x, y, k in g.units]) is None
                   for g in self.classes):
                self.counts["empty"] += 1
                return None
            return "the empty clause, but no class is contradictory by itself"
        s = frozenset(clause)
        if s in self.roots:
            self.counts["root"] += 1
            return None
        meanings = []
        for lit in clause:
            m = self.meaning.get(abs(lit))
            if m is None:
                return f"variable {abs(lit)} has no meaning"
            meanings.append(m)
        for lit, m in zip(clause, meanings):
            if m[0] == "gate" and s in self._definition(m[1]):
                self.counts["tseitin"] += 1
                return None
        if self.linear is not None and not all(m[0] in _DIFFERENCE_MEANINGS for m in meanings):
            why = self.linear.clause(clause, meanings)  # linear constraints (``check/linear.py``)
            self.counts["linear"] += why is None
            return why
        if any(m[0] == "digit" for m in meanings):  # compact order encoding (module doc)
            if s in self._compact:
                self.counts["compact"] += 1
                return None
            return "a clause over compact digits that its encoding does not produce"
        if any(m[0] == "sd" for m in meanings):  # small-domain encoding (module doc)
            why = self._sd.clause(clause, meanings)  # type: ignore[union-attr]
            self.counts["sd"] += why is None
            return why
        if all(m[0] == "atom" for m in meanings):
            return self._theory(clause, meanings)
        return "neither a Tseitin clause of the formula's circuit, a root clause nor a theory clause"

    def _theory(self, clause: list[int], meanings: list[tuple]) -> Optional[str]:
        edges: list[tuple[Any, Any, int]] = []  # (u, v, w): v - u <= w
        real: set = set()
        g: Optional[_Class] = None
        for lit, (_, x, y, k) in zip(clause, meanings):
            # the clause is false: a positive atom is false (y - x <= -k - 1), a negative true
            edges.append((x, y, -k - 1) if lit > 0 else (y, x, k))
            for z in (x, y):
                if isinstance(z, int):
                    real.add(z)
                    h = self.class_of.get(z)
                    if h is None or (g is not None and h is not g):
                        return "a theory clause spans two variable classes"
                    g = h
                elif g is not None and z != g.origin:
                    return "a theory clause uses the origin of another class"
        # Most clauses (order ladders and differences, EIJ triangles, pair lemmas) are
        # refuted by their own literals: try that small graph first.  That needs no box,
        # so it holds in any class (pair lemmas are added to small-domain classes too).
        if _negative_cycle(edges):
            self.counts["theory"] += 1
            return None
        if g is None or g.origin is None:
            return "a theory clause over a class without a checked encoding"
        for z in real:
            edges.append((g.origin, z, g.hi[z]))  # z - o <= hi
            edges.append((z, g.origin, -g.lo[z]))  # o - z <= -lo
            for x, y, k in g.units_of.get(z, ()):
                if x in real and y in real:
                    edges.append((y, x, k))
        if _negative_cycle(edges):
            self.counts["theory"] += 1
            return None
        # what the unit atoms imply between the clause's variables through the others
        # (a chain of precedences: ``encode/orderings.py``), as one edge per ordered pair
        for u in real:
            dist = self._closure(g, u)
            edges.extend((u, v, dist[v]) for v in real if v != u and v in dist)
        if _negative_cycle(edges):
            self.counts["theory"] += 1
            return None
        # Rarely a clause needs the box of a variable it does not mention (an order
        # ladder's end, x1 >= lo(x0) + 1 through the unit x0 < x1): the whole class.
        for z in g.variables - real:
            edges.append((g.origin, z, g.hi[z]))
            edges.append((z, g.origin, -g.lo[z]))
        edges.extend((y, x, k) for x, y, k in g.units)
        if _negative_cycle(edges):
            self.counts["theory"] += 1
            return None
        return "a theory clause that the box and the unit atoms do not imply"

    def _closure(self, g: _Class, u: Any) -> dict:
        """Shortest distances from ``u`` over the unit atoms of ``g`` (with its accepted
        root lemmas): ``v - u <= dist[v]`` follows from them (cached per class)."""
        cache = self._closures.setdefault(id(g), {})
        if u not in cache:
            dist = _bellman_ford(sorted(g.variables), [(y, x, k) for x, y, k in g.units], {u: 0})
            cache[u] = dist if dist is not None else {}
        return cache[u]


def _subdir(directory: str, name: Any) -> str:
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name in (".", ".."):
        raise CertificateError(f"malformed certificate: bad entry directory {name!r}")
    return os.path.join(directory, name)


def _check_memo_answer(directory: str, meta: dict, assertions: list, logic: Optional[str],
                       engine: str, report: CheckReport) -> CheckReport:
    """A stored unsat answer (module doc): its certificate, and the same query key."""
    from .query_keys import query_keys
    from .stored import verify_answer

    try:
        info = meta["memo_answer"]
        qkey, sub = str(info["qkey"]), _subdir(directory, info["dir"])
    except (KeyError, TypeError) as e:
        raise CertificateError(f"malformed certificate: {type(e).__name__}: {e}") from None
    if query_keys(assertions, logic).key != qkey:
        raise CertificateError("the stored answer is about another query than the input's")
    try:
        verdict = verify_answer(qkey, sub, check_certificate, engine=engine)
    except CertificateError as e:
        raise CertificateError(f"the stored answer's certificate: {e}") from None
    report.notes.append("an answer from the lemma store, for the same query key; its "
                        f"certificate (of {os.path.basename(sub)}/input.smt2) {verdict}")
    return report


@dataclass(frozen=True)
class _Lemma:
    """A stored refutation listed in a certificate (``lemmas.py``)."""

    support: tuple
    cube: tuple


def _add_lemmas(directory: str, lemmas: Any, assertions: list, logic: Optional[str], norm: Any,
                engine: str, report: CheckReport) -> None:
    """Verify the stored refutations a run applied and add their clauses (module doc)."""
    from .lemmas import applies, decode_fact, decode_lit, extend, lemma_root
    from .query_keys import query_keys
    from .stored import verify_cube

    qk = query_keys(assertions, logic, forms=norm.forms)
    t0 = time.perf_counter()
    for n, item in enumerate(lemmas, 1):
        try:
            sub = _subdir(directory, item["dir"])
            entry = _Lemma(tuple((str(k), decode_fact(f)) for k, f in item["support"]),
                           tuple(decode_lit(x) for x in item["cube"]))
        except (KeyError, TypeError, ValueError, IndexError) as e:
            raise CertificateError(f"malformed lemma {n}: {type(e).__name__}: {e}") from None
        if not entry.support or not entry.cube:
            raise CertificateError(f"lemma {n}: empty support or cube")
        try:
            verify_cube(entry.support, entry.cube, sub, check_certificate, engine=engine)
        except CertificateError as e:
            raise CertificateError(f"lemma {n} ({item['dir']}): {e}") from None
        if not applies(entry, qk):
            raise CertificateError(f"lemma {n}: its support does not hold in the input")
        if lemma_root(entry, norm) is None:
            raise CertificateError(f"lemma {n}: its clause cannot be stated in the input")
        extend(qk, entry)
    report.counts["lemmas"] = len(lemmas)
    report.times["lemmas_s"] = time.perf_counter() - t0
    report.notes.append(f"{len(lemmas)} stored refutation(s) applied: each certificate "
                        "verified and its support implied by the input")


def _read_dimacs(path: str) -> tuple[int, list[list[int]]]:
    nvars, clauses, cur = 0, [], []
    with open(path) as f:
        for line in f:
            if not line.strip() or line[0] == "c":
                continue
            if line[0] == "p":
                nvars = int(line.split()[2])
                continue
            for tok in line.split():
                lit = int(tok)
                if lit == 0:
                    clauses.append(cur)
                    cur = []
                else:
                    cur.append(lit)
    if cur:
        raise CertificateError("the CNF ends inside a clause")
    return nvars, clauses


def check_certificate(directory: str, smt2_path: str, *, engine: str = "auto") -> CheckReport:
    """Check the certificate in ``directory`` against the input ``smt2_path`` (see module
    doc).  Raises ``CertificateError`` when it is rejected."""
    from ..compile import normalize_assertions
    from ..ir.linear import LinearNormalized
    from ..smtlib.parser import parse_file

    report = CheckReport()
    t0 = time.perf_counter()
    try:
        with open(os.path.join(directory, META_FILE)) as f:
            meta = json.load(f)
    except FileNotFoundError:
        raise CertificateError(f"{directory}: no {META_FILE} (not a certificate directory)") from None
    except (ValueError, OSError) as e:
        raise CertificateError(f"{META_FILE}: {e}") from None
    if meta.get("format") != FORMAT:
        raise CertificateError(f"unknown certificate format {meta.get('format')!r}")
    script = parse_file(smt2_path)
    if meta.get("input", {}).get("sha256") != input_digest(script.source):
        raise CertificateError(f"the certificate is for another input than {smt2_path}")
    assertions = assertions_at(script, int(meta.get("check_sat", 1)))
    if "memo_answer" in meta:
        return _check_memo_answer(directory, meta, assertions, script.logic, engine, report)
    norm = normalize_assertions(assertions, checkable=True)
    linear = norm if isinstance(norm, LinearNormalized) else None
    if meta.get("lemmas"):
        if linear is not None:
            raise CertificateError("stored refutations (lemmas) of linear arithmetic")
        _add_lemmas(directory, meta["lemmas"], assertions, script.logic, norm, engine, report)
    c = norm.circuit if linear is None else linear.boolean
    if linear is not None and linear.consistency:
        from .ackermann import check_consistency

        report.counts["ackermann"] = check_consistency(linear)
    report.times["formula_s"] = time.perf_counter() - t0
    if FALSE in c.roots:
        report.notes.append("the formula normalizes to false (no CNF needed)")
        return report
    if "corner" in meta and linear is not None:  # a refutation without a CNF (module doc)
        from .corner import check_corner

        t0 = time.perf_counter()
        report.counts.update(check_corner(meta["corner"], linear, set(_top_level(c))))
        report.times["corner_s"] = time.perf_counter() - t0
        report.notes.append("no integer point satisfies a row and the cone of "
                            f"{report.counts['corner_rows'] - 1} others (the corner witness: "
                            f"{report.counts.get('corner_states', 0)} group elements)")
        return report
    if "trivial" in meta:
        raise CertificateError(f"the certificate says '{meta['trivial']}', which does not hold")

    t0 = time.perf_counter()
    try:
        checker = _Checker(c, meta, linear)
        _, clauses = _read_dimacs(os.path.join(directory, meta["cnf"]))
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise CertificateError(f"malformed certificate: {type(e).__name__}: {e}") from None
    for i, cl in enumerate(clauses):
        why = checker.clause(cl)
        if why is not None:
            raise CertificateError(f"CNF clause {i + 1} ({' '.join(map(str, cl))} 0): {why}")
    report.counts.update(checker.counts, clauses=len(clauses))
    report.times["encoding_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    with open(os.path.join(directory, meta["cnf"])) as f:
        cnf_text = f.read()
    if "cubes" not in meta:
        report.notes.append("DRAT: " + _check_drat(cnf_text, [],
                                                   os.path.join(directory, meta["proof"]), engine))
    else:
        # Cube and conquer: every cube refuted (CNF + the cube's units), and the cubes cover
        # every model of the CNF (CNF + the negation of each cube is unsat).
        cubes = meta["cubes"]
        steps = 0
        for i, cube, proof in cubes:
            if not all(isinstance(lit, int) and lit != 0 for lit in cube):
                raise CertificateError(f"cube {i}: bad literals")
            note = _check_drat(cnf_text, [[lit] for lit in cube], os.path.join(directory, proof),
                               engine, what=f"cube {i}")
            steps += int(note.split(", ")[1].split()[0])
        note = _check_drat(cnf_text, [[-lit for lit in cube] for _, cube, _ in cubes],
                           os.path.join(directory, meta["coverage"]), engine, what="coverage")
        report.notes.append(f"DRAT: {len(cubes)} cubes ({steps} steps) and coverage ({note})")
        report.counts["cubes"] = len(cubes)
    report.times["drat_s"] = time.perf_counter() - t0
    return report


def _check_drat(cnf_text: str, extra: list[list[int]], proof_path: str, engine: str,
                what: str = "the CNF") -> str:
    """Replay the DRAT proof of "the CNF plus the ``extra`` clauses" (cube units, negated
    cubes); ``CertificateError`` if it is rejected."""
    import dratify

    if engine != "python":
        try:  # the Rust engine registers itself on import
            import cdclkit  # noqa: F401
        except ImportError:
            pass
    used = "native" if engine != "python" and dratify._nativeinfo.available() else "python"
    if extra:  # dratify ignores the header's clause count; the extra clauses go at the end
        cnf_text = cnf_text + "".join(" ".join(map(str, c)) + " 0\n" for c in extra)
    formula = dratify.parse_dimacs(cnf_text)
    try:
        with open(proof_path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise CertificateError(f"{what}: no DRAT proof at {proof_path}") from None
    proof: Any = data.decode("ascii", "replace")
    if drat.is_binary(data):  # CaDiCaL's own trace (the optimizer's bound certificates)
        from dratify.lits import from_dimacs

        try:
            proof = [(k, tuple(map(from_dimacs, c))) for k, c in drat.steps(data)]
        except ValueError as e:
            raise CertificateError(f"{what}: {e}") from None
    res = dratify.check_proof(formula, proof, engine=used)
    if not res.ok:
        raise CertificateError(f"{what}: the DRAT proof is rejected: {res.reason}")
    return f"{used} checker, {res.steps} steps"
