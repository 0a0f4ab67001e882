"""Disjunctive scheduling at the root: machines recognized in the formula, propagated once.

Idea.  A top-level clause ``(a - b <= -d_ab) or (b - a <= -d_ba)`` with ``d_ab, d_ba >= 1``
says that ``a`` runs at least ``d_ab`` before ``b`` or ``b`` at least ``d_ba`` before ``a``:
the two operations share a resource.  A clique of such pairs is a *machine* (job shop:
one per machine), and an operation ``a`` on it occupies ``[a, a + p_a)`` with
``p_a = min_b d_ab``: these intervals are pairwise disjoint.  Before encoding, the class's
top-level (unit) atoms give each start time a window ``[lo, hi]`` relative to the class's
anchor (heads and tails: longest paths, Bellman–Ford), and the classic root reasoning of
disjunctive scheduling narrows them to a fixpoint:

* pair fixing: ``a`` before ``b`` needs ``lo_a + d_ab <= hi_b``; if not, ``b`` goes first;
* overload: a task interval ``Omega`` (tasks whose windows lie in ``[E, L)``) with
  ``E + p(Omega) > L`` cannot be scheduled: the class is unsat;
* edge finding (Carlier & Pinson 1989/1994): if ``min(E, lo_i) + p(Omega) + p_i > L``
  then ``i`` runs after every task of ``Omega`` (else all of ``Omega + i`` fits in
  ``[min(E, lo_i), L)``), and ``i`` starts no earlier than ``E' + p(Omega')`` for each
  task interval ``Omega'`` of ``Omega``; the mirror rule puts ``i`` before ``Omega``.

Everything derived is a *lemma*: a difference constraint ``x - y <= k`` implied by the
formula, recorded with its justification for the certificate checker (``check/proof.py``):
``(x, y, k, other, S)`` says that the hypothesis (``other``, the opposite side of a root
disjunction of which the lemma is a side; or else the negation of the lemma), added to the
unit atoms and the earlier lemmas, is infeasible by a negative cycle, or else by an
overload of the pairwise-disjunctive tasks ``S`` in the windows Bellman–Ford gives.  The
order encoding then works on the narrowed windows (``class_domains`` with the lemmas as
units: fewer bound literals, fewer clauses), and each disjunction side a lemma decides
becomes a unit clause.  A class the lemmas prove infeasible becomes the empty clause.
After the encoding, pairs of orderings that cannot both hold become binary clauses
(``orderings.py``), and a list schedule (``listsched.hint``) gives the SAT search its
initial phases (``CNF.phases``).

Cost: ``O(n^3)`` per machine of ``n`` operations and round (task intervals times tasks),
plus incremental Bellman–Ford; rounds until nothing changes (capped).  Chosen by ``auto``
when a class has machines (``encode/assemble.py``); ``--stats`` reports ``machines``,
``fixed_pairs``, ``root_lemmas`` and the window reduction.

References: J. Carlier, E. Pinson, "An algorithm for solving the job-shop problem",
Management Science 35(2), 1989, and "Adjustment of heads and tails for the job-shop
problem", EJOR 78, 1994; P. Baptiste, C. Le Pape, W. Nuijten, "Constraint-Based
Scheduling", Kluwer 2001 (ch. 2: edge finding, task intervals).
"""

from __future__ import annotations

from collections import deque
from typing import Optional, Sequence

from .machines import INF, Analysis, Con, Lemma, Machine, Pair


def find_pairs(disjunctions: Sequence[tuple[Con, Con]]) -> list[Pair]:
    """The root disjunctions ``(a - b <= -d_ab) or (b - a <= -d_ba)``, ``d >= 1`` (one per
    unordered pair: the first one seen)."""
    out: dict[tuple[int, int], Pair] = {}
    for (x1, y1, c1), (x2, y2, c2) in disjunctions:
        if x1 != y2 or y1 != x2 or x1 == y1 or c1 > -1 or c2 > -1:
            continue
        a, b = (x1, y1) if x1 < y1 else (y1, x1)
        if (a, b) in out:
            continue
        d_ab, d_ba = (-c1, -c2) if x1 == a else (-c2, -c1)
        out[(a, b)] = Pair(a, b, d_ab, d_ba)
    return list(out.values())


def find_machines(pairs: Sequence[Pair]) -> list[Machine]:
    """Cliques of disjunctive pairs: a connected component that is complete is one machine
    (a job shop's); any other is covered by maximal cliques of size >= 3, every pair in one
    at least (``_clique_cover``), so that an operation may be on several machines: an open
    shop's operation is on its machine and on its job, both cliques."""
    nbr: dict[int, dict[int, Pair]] = {}
    for q in pairs:
        nbr.setdefault(q.a, {})[q.b] = q
        nbr.setdefault(q.b, {})[q.a] = q
    seen: set[int] = set()
    machines = []
    for v in sorted(nbr):
        if v in seen:
            continue
        comp, stack = [], [v]
        seen.add(v)
        while stack:
            u = stack.pop()
            comp.append(u)
            for w in nbr[u]:
                if w not in seen:
                    seen.add(w)
                    stack.append(w)
        comp.sort()
        groups = [comp] if all(len(nbr[u]) == len(comp) - 1 for u in comp) else \
            _clique_cover(comp, nbr)
        for g in groups:
            if len(g) >= 2:
                p = {a: min(nbr[a][b].d_ab if nbr[a][b].a == a else nbr[a][b].d_ba
                            for b in g if b != a) for a in g}
                machines.append(Machine(g, p))
    return machines


def _clique_cover(comp: list[int], nbr: dict[int, dict[int, Pair]]) -> list[list[int]]:
    """Maximal cliques of size >= 3 that cover every pair of ``comp`` lying in a triangle:
    for each pair no clique found so far covers, in order, the clique grown from it by
    common neighbours, the most connected first (greedy; deterministic).  Cost: per clique,
    ``O(d * k)`` for ``d`` common neighbours and a clique of ``k``."""
    covered: set[tuple[int, int]] = set()
    out = []
    for v in comp:
        for u in sorted(nbr[v]):
            if u < v or (v, u) in covered:
                continue
            clique = [v, u]
            for w in sorted(nbr[v].keys() & nbr[u].keys(), key=lambda w: (-len(nbr[w]), w)):
                if all(w in nbr[x] for x in clique):
                    clique.append(w)
            clique.sort()
            covered.update((a, b) for i, a in enumerate(clique) for b in clique[i + 1:])
            if len(clique) >= 3:
                out.append(clique)
    return out


class _Windows:
    """Start windows relative to the anchor: ``hi[x]`` = shortest distance anchor -> x,
    ``-lo[x]`` = shortest distance x -> anchor, over the edges ``x - y <= k`` (incremental
    Bellman–Ford; ``Infeasible`` on a negative cycle)."""

    def __init__(self, variables: Sequence[int], anchor: int):
        self.n = len(variables)
        self.lo = {v: -INF for v in variables}
        self.hi = {v: INF for v in variables}
        self.lo[anchor] = self.hi[anchor] = 0
        self.out: dict[int, list[tuple[int, int]]] = {v: [] for v in variables}  # y -> (x, k)
        self.inc: dict[int, list[tuple[int, int]]] = {v: [] for v in variables}  # x -> (y, k)

    def add(self, x: int, y: int, k: int) -> None:
        self.out[y].append((x, k))
        self.inc[x].append((y, k))
        self._relax([y], self.hi, self.lo, self.out, 1)  # hi(x) <= hi(y) + k
        self._relax([x], self.lo, self.hi, self.inc, -1)  # lo(y) >= lo(x) - k

    def _relax(self, start: list[int], bound: dict, other: dict, edges: dict, sign: int) -> None:
        """Label-correcting relaxation of ``bound`` (``hi``: sign 1; ``lo``: sign -1, the
        mirror) from ``start``; ``Infeasible`` when a window empties or a path of more than
        ``n`` edges still improves (a negative cycle)."""
        queue, depth = deque(start), {v: 0 for v in start}
        while queue:
            u = queue.popleft()
            bu = bound[u]
            if bu in (INF, -INF):
                continue
            for v, k in edges[u]:
                nb = bu + sign * k
                if sign * nb < sign * bound[v]:
                    bound[v] = nb
                    if sign * (nb - other[v]) < 0:
                        raise Infeasible()
                    depth[v] = depth[u] + 1
                    if depth[v] > self.n:
                        raise Infeasible()
                    queue.append(v)


class Infeasible(Exception):
    pass


MAX_ROUNDS = 50


def analyze(variables: Sequence[int], units: Sequence[Con],
            disjunctions: Sequence[tuple[Con, Con]], anchor: int,
            edge_finding: bool = True) -> Optional[Analysis]:
    """Recognize the machines among ``disjunctions`` (root clauses over two atoms of this
    class) and propagate at the root; None when there is no machine."""
    pairs = find_pairs(disjunctions)
    machines = find_machines(pairs)
    if not machines:
        return None
    res = Analysis(machines, pairs)
    w = _Windows(variables, anchor)
    try:
        for x, y, k in units:
            w.add(x, y, k)
    except Infeasible:
        return None  # the units alone: ``class_domains`` reports it
    tasks = sorted({t for m in machines for t in m.tasks})
    res.width_before = _width(w, tasks)
    fixed: set[tuple[int, int]] = set()  # (first, second)
    by_pair = {(q.a, q.b): q for q in pairs}

    def lemma(con: Con, other: Optional[Con], s: Optional[Sequence[int]]) -> None:
        res.lemmas.append((*con, other, tuple(s) if s is not None else None))
        w.add(*con)

    def fix(first: int, second: int, s: Optional[Sequence[int]]) -> bool:
        """Record "first before second" (refuting the opposite side); False if known."""
        if (first, second) in fixed:
            return False
        q = by_pair[(min(first, second), max(first, second))]
        fixed.add((first, second))
        lemma(q.before(first), q.before(second), s)
        res.fixed += 1
        return True

    try:
        changed = True
        while changed and res.rounds < MAX_ROUNDS:
            res.rounds += 1
            changed = False
            lo, hi = w.lo, w.hi
            for q in pairs:
                if (q.a, q.b) in fixed or (q.b, q.a) in fixed:
                    continue
                ab = lo[q.a] + q.d_ab <= hi[q.b]
                ba = lo[q.b] + q.d_ba <= hi[q.a]
                if not ab:
                    changed |= fix(q.b, q.a, None)
                elif not ba:
                    changed |= fix(q.a, q.b, None)
            if edge_finding:
                for m in machines:
                    changed |= _edge_finding(m, w, fix, lemma, anchor)
    except Infeasible as e:
        res.infeasible = True
        s = e.args[0] if e.args else None
        res.lemmas.append((anchor, anchor, -1, None, s))  # "false": G (overloaded by S) is infeasible
        return res
    res.width_after = _width(w, tasks)
    res.lo, res.hi = w.lo, w.hi
    return res


def _width(w: _Windows, tasks: list[int]) -> int:
    return int(sum(min(w.hi[t] - w.lo[t], 10 ** 12) for t in tasks))


def _edge_finding(m: Machine, w: _Windows, fix, lemma, anchor: int) -> bool:
    """One pass of overload checking and edge finding over the task intervals of ``m``
    (both directions), with the windows at the start of the pass.  "``i`` before
    ``Omega``" is "``i`` after ``Omega``" in reversed time (``t -> -t``: a window
    ``[est, lct)`` becomes ``[-lct, -est)``), so one sweep serves both."""
    p = m.p
    est = {t: w.lo[t] for t in m.tasks}
    lct = {t: w.hi[t] + p[t] for t in m.tasks}
    if any(v in (INF, -INF) for v in est.values()) or any(v == INF for v in lct.values()):
        return False

    def after(first: int, then: int, s: tuple) -> bool:
        return fix(first, then, s)

    def head(i: int, v: int, s: list[int]) -> bool:  # i starts at v or later
        if v > w.lo[i]:
            lemma((anchor, i, -v), None, s)
            return True
        return False

    def before(then: int, first: int, s: tuple) -> bool:  # reversed: "first after then"
        return fix(first, then, s)

    def tail(i: int, v: int, s: list[int]) -> bool:  # reversed head: i ends at -v or earlier
        if -v - p[i] < w.hi[i]:
            lemma((i, anchor, -v - p[i]), None, s)
            return True
        return False

    changed = _sweep(m.tasks, p, est, lct, after, head)
    rev_est = {t: -lct[t] for t in m.tasks}
    rev_lct = {t: -est[t] for t in m.tasks}
    return _sweep(m.tasks, p, rev_est, rev_lct, before, tail) or changed


def _sweep(tasks: list[int], p: dict, est: dict, lct: dict, fix, head) -> bool:
    """Overload and "``i`` after ``Omega``" over the task intervals ``Omega(E, L)`` (tasks
    with ``est >= E`` and ``lct <= L``): ``fix(j, i, S)`` for ``j`` in ``Omega`` and
    ``head(i, v, S')``, ``v`` the largest ``E' + p(Omega(E', L))`` (``S'`` its tasks)."""
    changed = False
    by_est = sorted(tasks, key=lambda t: -est[t])
    others = [(i, est[i], lct[i], p[i]) for i in tasks]
    for L in sorted(set(lct.values())):
        omega: list[int] = []  # Omega(E, L) for E descending over the est's
        total = 0
        best_tail = -INF  # max over E' >= E of E' + p(Omega(E', L))
        best_set: list[int] = []
        for t in by_est:
            if lct[t] > L:
                continue
            omega.append(t)
            total += p[t]
            E = est[t]
            if E + total > best_tail:
                best_tail, best_set = E + total, list(omega)
            if E + total > L:
                raise Infeasible(tuple(omega))
            room = L - total  # i fits beside Omega iff min(E, est_i) + p_i <= room
            inside = None
            for i, e_i, l_i, p_i in others:
                if (e_i if e_i < E else E) + p_i <= room:
                    continue
                if inside is None:
                    inside = set(omega)
                if i in inside or (e_i >= E and l_i <= L):
                    continue
                s = tuple(omega) + (i,)
                for j in omega:
                    changed |= fix(j, i, s)
                changed |= head(i, int(best_tail), best_set)
    return changed


def root_disjunctions(circuit) -> list[tuple[Con, Con]]:
    """The top-level clauses of exactly two difference atoms, as constraint pairs."""
    from ..ir.circuit import K_AND, K_PRED, constraint_of

    out = []
    for lit in circuit.top_level():
        if lit < 0 and circuit.kind[-lit] == K_AND:
            ch = circuit.args[-lit]
            if len(ch) == 2 and all(circuit.kind[abs(a)] == K_PRED for a in ch):
                out.append((constraint_of(circuit, -ch[0]), constraint_of(circuit, -ch[1])))
    return out


def lemma_anchor(variables: Sequence[int], units: Sequence[Con]) -> int:
    """The time origin: the variable in the most unit atoms (job shop: the ``z`` every start
    and the makespan bound refer to); the zero variable when the class has it."""
    if variables and variables[0] == 0:
        return 0
    count: dict[int, int] = {}
    for x, y, _ in units:
        count[x] = count.get(x, 0) + 1
        count[y] = count.get(y, 0) + 1
    return max(variables, key=lambda v: (count.get(v, 0), -v))


class RefutedDecoder:
    """A class the root lemmas refuted (the CNF gets the empty clause); for certificates."""

    def __init__(self, variables: list[int], anchor: int, lemmas: list[Lemma]):
        self.variables = variables
        self.anchor = anchor
        self.lemmas = lemmas

    def decode(self, value) -> dict[int, int]:  # pragma: no cover - never sat
        return {}

    def meaning(self, var_range, pred_vars) -> dict:
        """For a certificate: the lemmas that refute the class (``check/proof.py``)."""
        return {"encoding": "refuted", "variables": sorted(self.variables),
                "lemma_anchor": self.anchor, "lemmas": self.lemmas}


class Root:
    """What the hook needs from the whole formula: its root disjunctions, and (for the
    list-scheduling member) which variables occur in other atoms."""

    def __init__(self, circuit, exact: bool):
        self.circuit = circuit
        self.exact = exact  # no restriction to a list schedule (certificates, incremental)
        # every top-level clause of two atoms (a restricted schedule must meet them all);
        # only the pairs of opposite separations among them can form machines
        self.clauses = root_disjunctions(circuit)
        self.disjunctions = [d for d in self.clauses if d[0][0] == d[1][1] and d[0][1] == d[1][0]]
        self._impure: Optional[set[int]] = None

    def __bool__(self) -> bool:
        return bool(self.disjunctions)

    def impure(self) -> set[int]:
        if self._impure is None:
            from .listsched import impure_vars

            self._impure = impure_vars(self.circuit)
        return self._impure


def strengthen(cls, root: Root):
    """The hook of ``encode``: ``(analysis, anchor, class with the lemmas as units)`` for a
    class with machines, else None.  Unless ``root.exact`` (certificates; an encoding that
    will be extended in place), a pure class whose tightest
    machine has no slack also gets a list-scheduling try (``listsched.py``): when it finds a
    schedule, the class's domains are restricted to it (``analysis.restricted``)."""
    from . import listsched
    from .base import VarClass

    variables = set(cls.variables)
    own = [d for d in root.disjunctions if d[0][0] in variables]
    if not own:
        return None
    anchor = lemma_anchor(cls.variables, cls.units)
    res = analyze(cls.variables, cls.units, own, anchor)
    if res is None:
        return None
    units = list(cls.units) + res.units()
    spans = [{d[0][0], d[0][1], d[1][0], d[1][1]} for d in root.clauses]
    if not res.infeasible and not root.exact and listsched.tight_machine(res, res.lo, res.hi) \
            and root.impure().isdisjoint(cls.variables) \
            and all(s <= variables for s in spans if not s.isdisjoint(variables)):
        # (pure: no atom of the class outside its own top-level facts, none of its two-atom
        # clauses shared with another class, whose values the schedule would not see)
        clauses = [d for d, s in zip(root.clauses, spans) if s <= variables]
        start = listsched.schedule(cls.variables, units, res, anchor, res.lo, res.hi, clauses)
        if start is not None:
            res.restricted = True
            for v, t in start.items():
                if v != anchor:
                    units += [(v, anchor, t), (anchor, v, -t)]
    return res, anchor, VarClass(cls.variables, cls.preds, units)


def decided_units(cls, lemmas: Sequence[Lemma]) -> list[list[int]]:
    """Unit clauses for the predicates that a lemma decides: a predicate whose constraint is
    a lemma is true; one whose constraint is the refuted side of a lemma is false."""
    implied = {(x, y, k) for x, y, k, _, _ in lemmas}
    refuted = {o for *_, o, _ in lemmas if o is not None}
    out = []
    for p in cls.preds:
        pos, neg = (p.x, p.y, p.c), (p.y, p.x, -p.c - 1)
        if pos in implied or neg in refuted:
            out.append([p.var])
        elif neg in implied or pos in refuted:
            out.append([-p.var])
    return out


def attach(sched, decoder, cls, cnf, stats=None, ordering: bool = True) -> None:
    """After the order (or compact order) encoding of ``cls`` (the class with the lemmas as units): the lemmas
    go with its decoder (certificates), the decided predicates become unit clauses, and
    (unless the domains are a list schedule, or not ``ordering``) the pairs of incompatible
    orderings become binary clauses (``orderings.py``)."""
    from .listsched import hint
    from .orderings import ordering_clauses

    res, anchor, _ = sched
    decoder.lemmas, decoder.lemma_anchor = res.lemmas, anchor
    cnf.extend(decided_units(cls, res.lemmas))
    if res.restricted:
        return
    if hasattr(decoder, "phases"):  # (order, compact) where the search begins: a list
        # schedule's atoms and bounds, made when a solver reads them (``CNF.defer_phases``)
        def phases() -> list[int]:
            start = hint(cls.variables, cls.units, res, anchor, res.lo, res.hi)
            if start is None:
                return []
            return ([p.var if start[p.x] - start[p.y] <= p.c else -p.var for p in cls.preds]
                    + decoder.phases(start))

        cnf.defer_phases(phases)
    if not ordering:
        return
    extra = ordering_clauses(res, cls.units, anchor, cls.preds)
    cnf.extend(extra)
    if stats is not None:
        stats.counts["ordering_clauses"] = stats.counts.get("ordering_clauses", 0) + len(extra)


def describe(res: Analysis) -> str:
    n = len({t for m in res.machines for t in m.tasks})
    if res.infeasible:
        return (f"{len(res.machines)} machines, {n} operations: refuted at the root "
                f"({len(res.lemmas)} lemmas)")
    return (f"{len(res.machines)} machines, {n} operations, {len(res.pairs)} pairs: "
            f"{res.fixed} fixed, {len(res.lemmas)} lemmas, {res.rounds} rounds; "
            f"windows {res.width_before} -> {res.width_after}"
            + ("; domains restricted to a list schedule" if res.restricted else ""))


def record(sched, cls, cnf, out, stats) -> bool:
    """Report the root propagation of a class in ``stats``; True when it refuted the class
    (then the class needs no encoding: the CNF gets the empty clause)."""
    res = sched[0]
    if stats is not None:
        c = stats.counts
        c.update(machines=c.get("machines", 0) + len(res.machines),
                 fixed_pairs=c.get("fixed_pairs", 0) + res.fixed,
                 root_lemmas=c.get("root_lemmas", 0) + len(res.lemmas))
        stats.notes["schedule"] = describe(res)
    if not res.infeasible:
        return False
    cnf.add([])
    out.decoders.append(RefutedDecoder(list(cls.variables), sched[1], res.lemmas))
    out.var_ranges.append((cnf.nvars + 1, cnf.nvars))
    out.choices["refuted"] = out.choices.get("refuted", 0) + 1
    return True
