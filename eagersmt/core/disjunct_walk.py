"""A local search over the choices of the top-level disjunctions, the values propagated.

Idea.  A formula that is a conjunction of linear constraints and of disjunctions of
conjunctions of them (a schedule: each tank's outflow is nothing, its capacity or all it
holds; each run of arrivals is taken or rejected whole), where the chosen disjuncts'
equalities determine most variables (a level is the previous level minus the outflow plus
what is taken), is searched over the *choices*: which disjunct of each disjunction holds.
Given the choices, the active equalities (the top-level ones and the chosen disjuncts')
are solved by propagation: an equality with one variable not yet known sets it; a
variable no equality sets is *free*: it keeps its value and moves by a one-variable
critical move, as in ``local_search.py``.  Switching a disjunct moves at once every
variable the equalities chain to it (a tank's later levels, up to its next emptying),
which one-variable moves over the eliminated system cannot do.

The cost is the weighted sum, over the active constraints that do not hold (an
inequality, an equality that propagation left false, a value outside its domain), of 1
plus the excess over the constraint's scale (graded: halving an excess is progress).  A
walk starts from a greedy pass (``greedy``: each disjunction switched to its best
disjunct, in time order).  A step compares the moves of a false constraint (switching a
disjunction its variables depend on, nearest first, or a critical move of a free variable
it depends on), takes the best if it lowers the cost, else raises the false constraints'
weights and takes the best of one of them; a moved disjunction or variable is tabu for a
few steps; a few steps in a hundred (``NOISE``) take a random move.  This is Cai, Li and
Zhang's local search for linear integer SMT (CAV 2022) with its Boolean moves lifted to
whole disjuncts and the equalities kept as invariants, maintained incrementally as in
constraint-based local search (Van Hentenryck and Michel, "Constraint-Based Local
Search", 2005).

What it answers: values of ``norm``'s integer variables under which every top-level
literal holds, or nothing; ``local_search.find_model`` decodes them, and they are checked
on the original formula like every model.  It applies (``DisjunctWalk.build``) when every
top-level literal is a linear atom or a disjunction of conjunctions of linear atoms, with
a disjunction and an equality inside one.

Cost: a move is evaluated by carrying its changes along the equalities that set variables
from them, only while values change, and re-evaluating the constraints of the changed
variables; a step, the moves of one false constraint (at most ``CANDIDATES``
disjunctions).
"""

from __future__ import annotations

import random
import time
from typing import Optional

from ..ir.circuit import K_AND, K_BVAR
from ..ir.linear import ATOM_PREFIX, LinearNormalized

SAMPLED = 1  # false constraints whose moves are compared per step
CANDIDATES = 16  # moves tried per false constraint (the nearest disjunctions first)
TABU_BASE, TABU_SPREAD = 2, 6
NOISE = 10  # percent of steps that take a random move of a random false constraint
PATIENCE = 400  # steps without a new least number of false constraints before giving up


class _Unsupported(Exception):
    pass


class DisjunctWalk:
    """The state of one walk (module doc).  ``build`` returns None for a formula outside
    the shape it takes."""

    @classmethod
    def build(cls, norm: LinearNormalized, seed: int = 0) -> Optional["DisjunctWalk"]:
        try:
            return cls(norm, seed)
        except _Unsupported:
            return None

    def __init__(self, norm: LinearNormalized, seed: int = 0):
        self.rng = random.Random(seed)
        c = norm.boolean
        atom_of = {node: int(name[len(ATOM_PREFIX):]) for name, node in c.bool_names.items()
                   if name.startswith(ATOM_PREFIX)}
        names = sorted(norm.domains)
        self.names = names
        index = {x: i for i, x in enumerate(names)}
        self.lo = [norm.domains[x][0] for x in names]
        self.hi = [norm.domains[x][1] for x in names]
        # constraints: (vars, coefs, lo, hi) meaning lo <= sum coef * var <= hi
        self.cvars: list[list[int]] = []
        self.ccoef: list[list[int]] = []
        self.clo: list[Optional[int]] = []
        self.chi: list[Optional[int]] = []

        def group(lits: list[int]) -> list[int]:
            """The atom literals ``lits`` as constraints, those over one sum merged."""
            ranges: dict[tuple, list] = {}
            for lit in lits:
                k = atom_of.get(abs(lit))
                if k is None:
                    raise _Unsupported
                coefs, b = norm.atoms[k]
                r = ranges.setdefault(coefs, [None, None])
                if lit > 0:
                    r[1] = b if r[1] is None else min(r[1], b)
                else:
                    r[0] = b + 1 if r[0] is None else max(r[0], b + 1)
            out = []
            for coefs, (lo, hi) in ranges.items():
                for x, _ in coefs:
                    if x not in index:
                        raise _Unsupported
                out.append(self._constraint([index[x] for x, _ in coefs],
                                            [a for _, a in coefs], lo, hi))
            return out

        units: list[int] = []
        self.disjuncts: list[list[list[int]]] = []  # per disjunction: its disjuncts' constraints
        for root in c.top_level():
            if root == 1:
                continue
            if c.kind[abs(root)] == K_BVAR:
                units.append(root)
            elif root < 0 and c.kind[-root] == K_AND:
                self.disjuncts.append([group(self._conjuncts(c, -ch)) for ch in c.args[-root]])
            else:
                raise _Unsupported
        self.units = group(units)
        for i in range(len(names)):  # the domains, as constraints
            self.units.append(self._constraint([i], [1], self.lo[i], self.hi[i]))
        if not self.disjuncts or not any(
                self.clo[k] == self.chi[k] for ds in self.disjuncts for d in ds for k in d):
            raise _Unsupported
        n_c = len(self.cvars)
        self.owner = [-1] * n_c  # constraint -> its disjunction (-1: a top-level one)
        for j, ds in enumerate(self.disjuncts):
            for d in ds:
                for k in d:
                    self.owner[k] = j
        self.uses: list[list[int]] = [[] for _ in names]
        self.eq_uses: list[list[int]] = [[] for _ in names]
        self.is_eq = [lo is not None and lo == hi for lo, hi in zip(self.clo, self.chi)]
        self.scale = [max(1, max((abs(a) * (self.hi[v] - self.lo[v])
                                  for v, a in zip(self.cvars[k], self.ccoef[k])), default=1))
                      for k in range(n_c)]
        for k in range(n_c):
            for v in self.cvars[k]:
                self.uses[v].append(k)
                if self.is_eq[k]:
                    self.eq_uses[v].append(k)
        self.fixed = [lo == hi for lo, hi in zip(self.lo, self.hi)]
        self.active = [False] * n_c
        for k in self.units:
            self.active[k] = True
        self.choice = [0] * len(self.disjuncts)
        for j, ds in enumerate(self.disjuncts):
            for k in ds[0]:
                self.active[k] = True
        self.value = [min(hi, max(lo, 0)) for lo, hi in zip(self.lo, self.hi)]
        self.setter = [-1] * len(names)  # variable -> the equality that set it (-1: free)
        self.sets = [-1] * n_c  # equality -> the variable it set
        self.weight = [1] * n_c
        self.lhs = [0] * n_c
        self._propagate_all()
        self.false = {k for k in range(n_c) if self.active[k] and not self._holds(k)}
        self.tabu_choice: dict[int, int] = {}
        self.tabu_var: dict[int, int] = {}
        self.steps = 0

    def _constraint(self, vs: list[int], cs: list[int], lo, hi) -> int:
        self.cvars.append(vs)
        self.ccoef.append(cs)
        self.clo.append(lo)
        self.chi.append(hi)
        return len(self.cvars) - 1

    @staticmethod
    def _conjuncts(c, lit: int) -> list[int]:
        """The leaf literals of the conjunction ``lit`` (positive ANDs flattened)."""
        out, stack = [], [lit]
        while stack:
            x = stack.pop()
            if x > 0 and c.kind[x] == K_AND:
                stack.extend(c.args[x])
            elif c.kind[abs(x)] == K_BVAR:
                out.append(x)
            else:
                raise _Unsupported
        return out

    # -- evaluation --------------------------------------------------------------------------
    def _holds(self, k: int) -> bool:
        return self._violation(k, self.lhs[k]) == 0.0

    def _violation(self, k: int, s: int) -> float:
        """0 when constraint ``k`` holds with left side ``s``, else 1 plus the excess
        over the constraint's scale (graded: a move that halves an excess is progress)."""
        lo, hi = self.clo[k], self.chi[k]
        if hi is not None and s > hi:
            return 1.0 + (s - hi) / self.scale[k]
        if lo is not None and s < lo:
            return 1.0 + (lo - s) / self.scale[k]
        return 0.0

    def _propagate_all(self) -> None:
        """Set the variables from the active equalities, from scratch."""
        n = len(self.names)
        self.setter = [-1] * n
        self.sets = [-1] * len(self.cvars)
        for v in range(n):
            if self.fixed[v]:
                self.value[v] = self.lo[v]
        eqs = [k for k in range(len(self.cvars)) if self.active[k] and self.is_eq[k]]
        self._store(*self._solve(eqs, {}, {}, {}, {}, lambda k: self.active[k]))
        for k in range(len(self.cvars)):
            self.lhs[k] = sum(a * self.value[v] for v, a in zip(self.cvars[k], self.ccoef[k]))

    def _store(self, values: dict, setter: dict, sets: dict) -> None:
        """Write a propagation's overlays (``_solve``'s) into the state."""
        for v, x in values.items():
            self.value[v] = x
        for v, k in setter.items():
            self.setter[v] = k
        for k, v in sets.items():
            self.sets[k] = v

    def _solve(self, queue: list[int], known: dict, values: dict, setter: dict, sets: dict,
               act):
        """Propagate the equalities from ``queue`` (those ``act`` says are active): one
        with exactly one variable not known (``known`` over the state's: fixed or set)
        sets it (rounded down when the coefficient does not divide: the equality is then
        false); returns the new values, setters and what each equality set, as overlays
        over the state."""
        base_setter, fixed, value = self.setter, self.fixed, self.value
        cvars, ccoef, clo, eq_uses = self.cvars, self.ccoef, self.clo, self.eq_uses
        queue.reverse()
        while queue:
            k = queue.pop()
            if not act(k) or k in sets and sets[k] >= 0:
                continue
            unknown = -1
            rest = 0
            for v, a in zip(cvars[k], ccoef[k]):
                kv = known.get(v)
                if kv if kv is not None else (base_setter[v] >= 0 or fixed[v]):
                    x = values.get(v)
                    rest += a * (value[v] if x is None else x)
                elif unknown >= 0:
                    break
                else:
                    unknown, coef = v, a
            else:
                if unknown < 0:
                    continue
                values[unknown] = (clo[k] - rest) // coef
                setter[unknown] = k
                sets[k] = unknown
                known[unknown] = True
                queue.extend(k2 for k2 in eq_uses[unknown] if k2 != k)
        return values, setter, sets

    # -- moves ---------------------------------------------------------------------------------
    def _trial(self, switch: Optional[tuple[int, int]] = None,
               move: Optional[tuple[int, int]] = None):
        """The effect of choosing disjunct ``d`` of disjunction ``j`` (``switch``) or of
        setting the free variable ``v`` to ``x`` (``move``): (cost change, new values,
        new setters, new sets, new left sides, constraints whose activity changes), or
        None when the propagation does not settle (a cycle of settings).  The variables
        the removed equalities set are set by the added ones where they can be (else they
        become free), then every change is carried along the equalities that set
        variables from it, only while values change (a tank's levels up to its next
        emptying)."""
        removed: list[int] = []
        added: list[int] = []
        values: dict[int, int] = {}
        setter: dict[int, int] = {}
        sets: dict[int, int] = {}
        queue: list[int] = []
        active, value, cvars, ccoef, clo = self.active, self.value, self.cvars, self.ccoef, self.clo
        base_sets, base_setter = self.sets, self.setter
        if switch is not None:
            j, d = switch
            removed = self.disjuncts[j][self.choice[j]]
            added = self.disjuncts[j][d]
            open_vars = set()
            for k in removed:
                w = base_sets[k]
                if w >= 0:
                    open_vars.add(w)
                    sets[k] = -1
                    setter[w] = -1
            fresh: list[tuple[int, int]] = []
            progress = True
            pending = [k for k in added if self.is_eq[k]]
            while progress and pending:
                progress = False
                for k in list(pending):
                    unknown = [v for v in cvars[k] if v in open_vars or (
                        base_setter[v] < 0 and setter.get(v, -1) < 0 and not self.fixed[v]
                        and v not in values)]
                    if len(unknown) == 1:
                        w = unknown[0]
                        open_vars.discard(w)
                        setter[w] = k
                        sets[k] = w
                        fresh.append((w, k))
                        pending.remove(k)
                        progress = True
                        values[w] = value[w]  # (computed below)
            for w, _ in fresh:
                queue.append(w)
            recompute = {w for w, _ in fresh}
        else:
            v, x = move  # type: ignore[misc]
            values[v] = x
            queue.append(v)
            recompute = set()
        gone = set(removed)
        added_set = set(added)

        def act(k):
            return (active[k] and k not in gone) or k in added_set

        def eval_setter(w: int, k: int) -> int:
            rest, coef = 0, 1
            for u, a in zip(cvars[k], ccoef[k]):
                if u == w:
                    coef = a
                else:
                    y = values.get(u)
                    rest += a * (value[u] if y is None else y)
            return (clo[k] - rest) // coef

        for w in recompute:
            values[w] = eval_setter(w, setter[w])
        budget = 50 * (len(cvars) // max(1, len(self.disjuncts)) + 64)
        head = 0
        while head < len(queue):
            u = queue[head]
            head += 1
            if head > budget:
                return None
            for k in self.eq_uses[u]:
                w = sets.get(k)
                if w is None:
                    w = base_sets[k]
                if w < 0 or w == u or not act(k):
                    continue
                x = eval_setter(w, k)
                y = values.get(w)
                if x != (value[w] if y is None else y):
                    values[w] = x
                    queue.append(w)
        changed = {v: x for v, x in values.items() if x != value[v]}
        touched: set[int] = gone | added_set
        for v in changed:
            touched.update(self.uses[v])
        delta = 0.0
        lhs: dict[int, int] = {}
        weight, old_lhs = self.weight, self.lhs
        for k in touched:
            s = old_lhs[k]
            for v, a in zip(cvars[k], ccoef[k]):
                x = changed.get(v)
                if x is not None:
                    s += a * (x - value[v])
            lhs[k] = s
            was = self._violation(k, old_lhs[k]) if active[k] else 0.0
            now = self._violation(k, s) if act(k) else 0.0
            if now != was:
                delta += weight[k] * (now - was)
        return delta, changed, setter, sets, lhs, (removed, added)

    def _commit(self, switch, trial) -> None:
        _, changed, setter, sets, lhs, (removed, added) = trial
        for k in removed:
            self.active[k] = False
        for k in added:
            self.active[k] = True
        if switch is not None:
            self.choice[switch[0]] = switch[1]
        self._store(changed, setter, sets)
        for k, s in lhs.items():
            self.lhs[k] = s
            if self.active[k] and not self._holds(k):
                self.false.add(k)
            else:
                self.false.discard(k)

    def _candidates(self, k: int) -> list[tuple[Optional[tuple[int, int]], Optional[tuple[int, int]]]]:
        """Moves that may make the false constraint ``k`` hold: switches of the
        disjunctions it depends on (its own, then those that set its variables, nearest
        first), critical moves of free variables it depends on."""
        out: list = []
        seen_j: set[int] = set()
        if self.owner[k] >= 0:
            seen_j.add(self.owner[k])
        frontier = list(self.cvars[k])
        seen_v = set(frontier)
        order = [self.owner[k]] if self.owner[k] >= 0 else []
        free: list[int] = []
        while frontier and len(order) < CANDIDATES:
            nxt = []
            for v in frontier:
                s = self.setter[v]
                if s < 0:
                    if self.lo[v] < self.hi[v]:
                        free.append(v)
                    continue
                j = self.owner[s]
                if j >= 0 and j not in seen_j:
                    seen_j.add(j)
                    order.append(j)
                for u in self.cvars[s]:
                    if u not in seen_v:
                        seen_v.add(u)
                        nxt.append(u)
            frontier = nxt
        for j in order[:CANDIDATES]:
            for d in range(len(self.disjuncts[j])):
                if d != self.choice[j]:
                    out.append(((j, d), None))
        for v in free[:CANDIDATES]:
            x = self._critical(k, v)
            if x is not None:
                out.append((None, (v, x)))
        return out

    def _critical(self, k: int, v: int) -> Optional[int]:
        """The value of ``v`` nearest its own that makes ``k`` hold, if ``v`` is in ``k``
        (clamped to its domain)."""
        try:
            a = self.ccoef[k][self.cvars[k].index(v)]
        except ValueError:
            return None
        s, lo, hi = self.lhs[k], self.clo[k], self.chi[k]
        if hi is not None and s > hi:
            d = -((s - hi + abs(a) - 1) // abs(a)) * (1 if a > 0 else -1)
        elif lo is not None and s < lo:
            d = ((lo - s + abs(a) - 1) // abs(a)) * (1 if a > 0 else -1)
        else:
            return None
        x = min(self.hi[v], max(self.lo[v], self.value[v] + d))
        return None if x == self.value[v] else x

    def _best(self, false: list[int]):
        """The least-cost move for the constraints ``false`` (a tabu one only if it lowers
        the cost; ties broken at random): (cost change, switch, move, its trial)."""
        best = None
        seen: set = set()
        for k in false:
            for switch, move in self._candidates(k):
                key = (switch, move)
                if key in seen:
                    continue
                seen.add(key)
                trial = self._trial(switch, move)
                if trial is None:
                    continue
                delta = trial[0]
                tabu = (self.tabu_choice.get(switch[0], -1) if switch is not None
                        else self.tabu_var.get(move[0], -1))
                if delta >= 0 and tabu > self.steps:
                    continue
                if best is None or delta < best[0] or (delta == best[0] and self.rng.random() < 0.3):
                    best = (delta, switch, move, trial)
        return best

    def greedy(self, deadline: Optional[float]) -> None:
        """The walk's start: one pass over the disjunctions in the order of the depth of
        what they set (the longest chain of settings above it: a schedule's steps in time
        order, across its tanks), each switched to its disjunct of least cost, as a
        schedule simulated forward would choose."""
        depth: dict[int, int] = {}

        def depth_of(v: int) -> int:
            stack = [v]
            while stack:
                u = stack[-1]
                k = self.setter[u]
                if k < 0:
                    depth[u] = 0
                    stack.pop()
                    continue
                todo = [w for w in self.cvars[k] if w != u and w not in depth]
                if todo and len(stack) < 100000:
                    stack.extend(todo)
                    continue
                depth[u] = 1 + max((depth.get(w, 0) for w in self.cvars[k] if w != u), default=0)
                stack.pop()
            return depth[v]

        def key(j: int) -> int:
            vs = [self.sets[k] for d in self.disjuncts[j] for k in d if self.sets[k] >= 0]
            vs = vs or [v for d in self.disjuncts[j] for k in d for v in self.cvars[k]]
            return min((depth_of(v) for v in vs), default=0)

        order = sorted(range(len(self.disjuncts)), key=key)
        for j in order:
            ds = self.disjuncts[j]
            if deadline is not None and time.perf_counter() >= deadline:
                return
            best = None
            for d in range(len(ds)):
                if d != self.choice[j]:
                    trial = self._trial((j, d))
                    if trial is not None and trial[0] < 0 and (best is None or trial[0] < best[1][0]):
                        best = (d, trial)
            if best is not None:
                self._commit((j, best[0]), best[1])

    def run(self, deadline: Optional[float], patience: Optional[int] = None) -> Optional[dict[str, int]]:
        """Walk until every active constraint holds (then the variables' values), until
        ``deadline``, or until ``patience`` steps pass without a new least number of false
        constraints (then None)."""
        patience = PATIENCE if patience is None else patience
        best, since = len(self.false), self.steps
        while self.false:
            if self.steps - since > patience or (
                    deadline is not None and self.steps % 8 == 0 and time.perf_counter() >= deadline):
                return None
            self.steps += 1
            false = list(self.false)
            if NOISE and self.rng.random() < NOISE / 100:
                cands = self._candidates(self.rng.choice(false))
                if cands:
                    switch, mv = self.rng.choice(cands)
                    trial = self._trial(switch, mv)
                    if trial is not None:
                        self._commit(switch, trial)
                        continue
            move = self._best(self.rng.sample(false, min(SAMPLED, len(false))))
            if move is None or move[0] >= 0:
                for k in self.false:
                    self.weight[k] += 1
                move = self._best([self.rng.choice(false)])
                if move is None:
                    continue
            _, switch, mv, trial = move
            self._commit(switch, trial)
            tenure = self.steps + TABU_BASE + self.rng.randrange(TABU_SPREAD)
            if switch is not None:
                self.tabu_choice[switch[0]] = tenure
            else:
                self.tabu_var[mv[0]] = tenure
            if len(self.false) < best:
                best, since = len(self.false), self.steps
        return {x: self.value[i] for i, x in enumerate(self.names)}


__all__ = ["DisjunctWalk"]
