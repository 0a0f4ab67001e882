"""A local-search model finder for linear formulas, tried before their SAT search.

Idea.  Where the log encoding is weak (wide domains, sums of many wide variables: a
schedule of tank levels in ``0..10000`` whose every level is a prefix sum of flows) CDCL
can search long for a model that a walk over the integers finds at once.  This is Cai,
Li, Zhang's local search for SMT on linear integer arithmetic ("Local search for SMT on
linear integer arithmetic", CAV 2022) over the normalized circuit (``ir/linear.py``'s
``LinearNormalized``): a full assignment of the integer variables (inside their domains)
and the Boolean ones.  The cost is the sum over the top-level literals (``top_level``) of
a weight times the literal's violation: 0 when it holds, else how many leaves are not as
wanted (a wanted conjunction: the sum over its children; a wanted disjunction: the least
over them), so that a disjunct of several atoms is approached atom by atom.  A step takes
one *critical move*: in a false root, a leaf whose value would help (found by descending
the circuit from the root), and for a linear atom ``sum a_i x_i <= b`` the change of one
``x_i`` that makes the atom as wanted (clamped to the domain), or the flip of a Boolean
variable.  The best move over a few false roots is taken if it lowers the cost; otherwise
the false roots' weights grow (clause weighting, which steers the walk out of local
minima) and the best move of one random false root is taken.  A moved variable is tabu
for a few steps in the other direction (unless the move lowers the cost).  A walk gives up
after ``PATIENCE`` steps without a new least number of false roots; a few walks from
fresh seeds follow (their success varies much with the seed).

What it answers: a model (values of the circuit's integer and Boolean variables, which
``LinearNormalized.decode`` turns into the declarations' values, checked on the original
formula like every model), or nothing; never ``unsat``.  It is tried (``applies``) on
formulas without difference predicates, function applications or variables only the
solution bound closes, and with a variable wider than ``ORDER_RANGE``; not for a
certificate.  Where the walks fail the SAT search follows, so an unsatisfiable formula
pays them in full: at most ``WALK_SHARE`` of the time left (``benchmarks/RESULTS.md``).
A formula of top-level disjunctions of conjunctions (a schedule's choices) is walked over
its disjunctions' choices instead (``disjunct_walk.py``: whole disjuncts switched, the
equalities propagated), up to ``WALKS`` walks as well.

Cost: per step, the candidate moves of a few false roots, each evaluated by re-evaluating
the ancestors of the atoms it changes and the violation of the roots above them.
"""

from __future__ import annotations

import heapq
import random
import time
from typing import Optional, Sequence

from ..ir.circuit import K_AND, K_BVAR, K_IFF, K_ITE, K_TRUE
from ..encode.linear import ORDER_RANGE
from ..ir.linear import ATOM_PREFIX, LinearNormalized
from ..ir.terms import Term
from ..result import Result, Stats, Status
from .disjunct_walk import DisjunctWalk

WALK_SHARE = 0.1  # the walks get at most this share of the time left
WALK_SECONDS = 10.0  # ... or this long when the query has no time limit
SAMPLED_ROOTS = 3  # false roots whose moves are compared per step
TABU_BASE, TABU_SPREAD = 3, 10  # steps a moved variable may not move back: base + random spread
WALKS = 3  # walks from the start (fresh seeds) before giving up
PATIENCE = 500  # steps without a new least number of false roots before a walk gives up


def applies(norm: object) -> bool:
    """Is the walk tried on ``norm``: a linear formula (no difference predicate, no
    function application, no variable that only the solution bound closes) with a
    variable wider than the order encoding takes (``ORDER_RANGE``: below it the SAT
    encodings propagate well and the walk would only cost time)?"""
    if not isinstance(norm, LinearNormalized) or norm.infeasible or norm.apps:
        return False
    if all(hi - lo <= ORDER_RANGE for lo, hi in norm.domains.values()):
        return False
    if norm.pterms.variables or norm.pterms.apps or norm.open_sides:
        return False
    c = norm.boolean
    return all(k in (K_TRUE, K_BVAR, K_AND, K_ITE, K_IFF) for k in c.kind[1:])


def find_model(norm: LinearNormalized, declarations: Sequence[Term], stats: Stats,
               deadline: Optional[float], seed: int = 0) -> Optional[Result]:
    """A ``sat`` result with the walk's model of ``norm`` (``applies(norm)`` holds), or
    None when the walk gives up: up to ``WALKS`` walks from the start (seeds ``seed``,
    ``seed + 1``, ...), each until ``PATIENCE`` steps pass without progress, all within
    ``WALK_SHARE`` of the time left (module doc; noted in ``stats``: ``local_search``)."""
    t0 = time.perf_counter()
    until = t0 + (WALK_SECONDS if deadline is None else WALK_SHARE * max(0.0, deadline - t0))
    steps = 0
    values = None
    bools: dict[str, bool] = {}
    choices = DisjunctWalk.build(norm, seed)  # (None: not of that shape)
    kind = "disjunct" if choices is not None else "critical-move"
    for k in range(WALKS):
        if choices is not None:  # walks over the disjunctions' choices
            if k:
                choices = DisjunctWalk(norm, seed + k)
            choices.greedy(until)
            values = choices.run(until)
            steps += choices.steps
        else:
            walk = Walk(norm, seed + k)
            values = walk.run(until)
            steps += walk.steps
            if values is not None:
                values, bools = walk.model(values)
        if values is not None or time.perf_counter() >= until:
            break
    stats.add_time("local_search", time.perf_counter() - t0)
    found = "model" if values is not None else "gave up"
    stats.notes["local_search"] = f"{found} after {k + 1} {kind} walk(s), {steps} steps"
    if values is None:
        return None
    return Result(Status.SAT, norm.decode(values, bools, list(declarations)), stats)


class Walk:
    """The state of one walk over ``norm`` (``applies(norm)`` holds)."""

    def __init__(self, norm: LinearNormalized, seed: int = 0):
        self.rng = random.Random(seed)
        c = norm.boolean
        self.kind, self.args = c.kind, c.args
        n = len(c.kind)
        self.roots = [r for r in c.top_level() if r != 1]
        live = self._below([abs(r) for r in self.roots])  # (not the flattened top ANDs)
        self.parents: list[list[int]] = [[] for _ in range(n)]
        for node in sorted(live):
            if self.kind[node] in (K_AND, K_ITE, K_IFF):
                for ch in self.args[node]:
                    self.parents[abs(ch)].append(node)
        self.domains = dict(norm.domains)
        # the atoms: node -> (coefs, bound); each variable -> its atom nodes and coefficients
        self.atom: dict[int, tuple[tuple[tuple[str, int], ...], int]] = {}
        self.occurs: dict[str, list[tuple[int, int]]] = {x: [] for x in self.domains}
        self.bool_of: dict[str, int] = {}  # a Boolean variable (or indicator) -> its node
        for name, node in c.bool_names.items():
            if name.startswith(ATOM_PREFIX):
                coefs, b = norm.atoms[int(name[len(ATOM_PREFIX):])]
                self.atom[node] = (coefs, b)
                for x, a in coefs:
                    self.occurs.setdefault(x, []).append((node, a))
                    self.domains.setdefault(x, (0, 0))  # (none such after normalizing;
                    # held at 0 it would only narrow the walk, never make a wrong model)
            else:
                self.bool_of[name] = node
        for name in norm.indicators:
            self.domains[name] = (0, 1)
        self.value: dict[str, int] = {x: _closest(0, lo, hi) for x, (lo, hi) in self.domains.items()}
        for name in self.bool_of:
            self.value.setdefault(name, 0)
        self.lhs = {node: sum(a * self.value[x] for x, a in coefs)
                    for node, (coefs, _) in self.atom.items()}
        self.node = [False] * n
        self.node[1] = True
        for node in range(2, n):
            self.node[node] = self._eval(node, self.node)
        self.above: dict[int, list[int]] = {}  # leaf node -> indices of the roots above it
        for i, r in enumerate(self.roots):
            for leaf in self._below([abs(r)]):
                if self.kind[leaf] == K_BVAR:
                    self.above.setdefault(leaf, []).append(i)
        self.weight = [1] * len(self.roots)
        self.viol = [self._violation(r, self.node) for r in self.roots]
        self.false = {i for i, v in enumerate(self.viol) if v}
        self.tabu: dict[tuple[str, int], int] = {}
        self.steps = 0

    # -- evaluation ------------------------------------------------------------------------
    @staticmethod
    def _lit(lit: int, val) -> bool:
        return val[lit] if lit > 0 else not val[-lit]

    def _eval(self, node: int, val) -> bool:
        k = self.kind[node]
        if k == K_BVAR:
            if node in self.atom:
                return self.lhs[node] <= self.atom[node][1]
            return bool(self.value[self.args[node][0]])
        if k == K_AND:
            return all(self._lit(ch, val) for ch in self.args[node])
        if k == K_ITE:
            cond, t, e = self.args[node]
            return self._lit(t if self._lit(cond, val) else e, val)
        if k == K_IFF:
            a, b = self.args[node]
            return self._lit(a, val) == self._lit(b, val)
        return True

    def _below(self, tops: list[int]) -> set[int]:
        """The nodes of the circuits of ``tops``."""
        seen = set(tops)
        stack = list(tops)
        while stack:
            node = stack.pop()
            if self.kind[node] in (K_AND, K_ITE, K_IFF):
                for ch in self.args[node]:
                    if abs(ch) not in seen:
                        seen.add(abs(ch))
                        stack.append(abs(ch))
        return seen

    def _violation(self, root: int, val) -> int:
        """How far the literal ``root`` is from true under ``val``: 0 when true; a leaf
        that is not as wanted counts 1, a wanted conjunction the sum over its children, a
        wanted disjunction the least over them (an ITE or IFF: 1)."""
        memo: dict[tuple[int, bool], int] = {}
        stack = [(abs(root), root > 0, False)]
        while stack:
            node, want, expanded = stack.pop()
            key = (node, want)
            if key in memo:
                continue
            if val[node] == want:
                memo[key] = 0
                continue
            if self.kind[node] != K_AND:
                memo[key] = 1
                continue
            kids = [(abs(ch), want if ch > 0 else not want) for ch in self.args[node]]
            if not expanded:
                stack.append((node, want, True))
                stack.extend((n, w, False) for n, w in kids if (n, w) not in memo)
                continue
            parts = [memo[k] for k in kids]
            memo[key] = sum(parts) if want else min(parts)
        return memo[(abs(root), root > 0)]

    def _effect(self, x: str, new: int) -> tuple[int, dict[int, bool],
                                                  tuple[dict[int, int], dict[int, int]]]:
        """The cost change of ``x := new``, the nodes whose value changes and the atoms'
        new left sides."""
        d = new - self.value[x]
        lhs = {node: self.lhs[node] + a * d for node, a in self.occurs.get(x, ())}
        changed: dict[int, bool] = {}
        heap: list[int] = []
        for node, v in lhs.items():
            b = v <= self.atom[node][1]
            if b != self.node[node]:
                changed[node] = b
                heap.append(node)
        bnode = self.bool_of.get(x)
        if bnode is not None and bool(new) != self.node[bnode]:
            changed[bnode] = bool(new)
            heap.append(bnode)
        heapq.heapify(heap)
        view = _View(self.node, changed)
        seen = set(heap)
        while heap:
            node = heapq.heappop(heap)
            if node not in changed:
                v = self._eval(node, view)
                if v == self.node[node]:
                    continue
                changed[node] = v
            for p in self.parents[node]:
                if p not in seen:
                    seen.add(p)
                    heapq.heappush(heap, p)
        viol: dict[int, int] = {}
        for leaf in lhs if bnode is None else [*lhs, bnode]:
            for i in self.above.get(leaf, ()):
                if i not in viol:
                    viol[i] = self._violation(self.roots[i], view)
        cost = sum(self.weight[i] * (v - self.viol[i]) for i, v in viol.items())
        return cost, changed, (lhs, viol)

    def _apply(self, x: str, new: int, changed: dict[int, bool],
               after: tuple[dict[int, int], dict[int, int]]) -> None:
        old = self.value[x]
        self.value[x] = new
        lhs, viol = after
        self.lhs.update(lhs)
        for node, v in changed.items():
            self.node[node] = v
        for i, v in viol.items():
            self.viol[i] = v
            if v:
                self.false.add(i)
            else:
                self.false.discard(i)
        self.tabu[(x, 1 if new < old else -1)] = \
            self.steps + TABU_BASE + self.rng.randrange(TABU_SPREAD)

    # -- moves -----------------------------------------------------------------------------
    def _wanted(self, root: int) -> list[tuple[int, bool]]:
        """Leaves whose flip may help make the false root literal ``root`` true."""
        out: list[tuple[int, bool]] = []
        seen: set[tuple[int, bool]] = set()
        stack = [(abs(root), root > 0)]
        while stack:
            node, want = stack.pop()
            if (node, want) in seen or self.node[node] == want:
                continue
            seen.add((node, want))
            k = self.kind[node]
            if k == K_BVAR:
                out.append((node, want))
            elif k == K_AND:
                for ch in self.args[node]:
                    w = want if ch > 0 else not want
                    if self._lit(ch, self.node) != want:
                        stack.append((abs(ch), w))
            elif k == K_ITE:
                cond, t, e = self.args[node]
                stack.append((abs(cond), not self.node[abs(cond)]))
                br = t if self._lit(cond, self.node) else e
                stack.append((abs(br), want if br > 0 else not want))
            elif k == K_IFF:
                for ch in self.args[node]:
                    stack.append((abs(ch), not self.node[abs(ch)]))
        return out

    def _moves(self, root: int) -> list[tuple[str, int]]:
        moves = []
        for node, want in self._wanted(root):
            if node not in self.atom:
                name = self.args[node][0]
                moves.append((name, 1 if want else 0))
                continue
            coefs, b = self.atom[node]
            lhs = self.lhs[node]
            for x, a in coefs:
                if want:  # lhs + a * d <= b
                    d = (b - lhs) // a if a > 0 else -((lhs - b) // a)
                else:  # lhs + a * d >= b + 1
                    d = -((lhs - b - 1) // a) if a > 0 else (b + 1 - lhs) // a
                lo, hi = self.domains[x]
                new = min(hi, max(lo, self.value[x] + d))
                if new != self.value[x]:
                    moves.append((x, new))
        return moves

    def _best(self, roots: list[int]) -> Optional[tuple[int, str, int, dict, tuple]]:
        """The least-cost move of the false roots ``roots`` (a tabu one only if it lowers
        the cost; ties broken at random), with its effect."""
        best = None
        seen: set[tuple[str, int]] = set()
        for i in roots:
            for x, new in self._moves(self.roots[i]):
                direction = 1 if new > self.value[x] else -1
                if (x, new) in seen:
                    continue
                seen.add((x, new))
                cost, changed, after = self._effect(x, new)
                if cost >= 0 and self.tabu.get((x, direction), -1) > self.steps:
                    continue  # (a tabu move only when it lowers the cost)
                if best is None or cost < best[0] or (cost == best[0] and self.rng.random() < 0.3):
                    best = (cost, x, new, changed, after)
        return best

    def model(self, values: dict[str, int]) -> tuple[dict[str, int], dict[str, bool]]:
        """``values`` (what ``run`` returned) as ``LinearNormalized.decode`` takes them:
        the integer variables' and the Boolean variables'."""
        bools = {name: bool(values[name]) for name in self.bool_of}
        return {x: values[x] for x in self.domains}, bools

    def run(self, deadline: Optional[float], patience: int = PATIENCE) -> Optional[dict[str, int]]:
        """Walk until every root holds (then the values of the variables), until
        ``deadline`` (None: none), or until ``patience`` steps have passed without a new
        least number of false roots (then None)."""
        best, since = len(self.false), self.steps
        while self.false:
            if self.steps - since > patience or (
                    deadline is not None and self.steps % 16 == 0 and time.perf_counter() >= deadline):
                return None
            self.steps += 1
            false = list(self.false)
            sample = self.rng.sample(false, min(SAMPLED_ROOTS, len(false)))
            move = self._best(sample)
            if move is None or move[0] >= 0:
                for i in self.false:
                    self.weight[i] += 1
                move = self._best([self.rng.choice(false)])
                if move is None:
                    continue
            _, x, new, changed, after = move
            self._apply(x, new, changed, after)
            if len(self.false) < best:
                best, since = len(self.false), self.steps
        return dict(self.value)


class _View:
    """Node values with some overridden (a move's evaluation)."""

    def __init__(self, base: list[bool], changed: dict[int, bool]):
        self.base, self.changed = base, changed

    def __getitem__(self, node: int) -> bool:
        v = self.changed.get(node)
        return self.base[node] if v is None else v


def _closest(v: int, lo: int, hi: int) -> int:
    return min(hi, max(lo, v))


__all__ = ["PATIENCE", "WALKS", "WALK_SECONDS", "WALK_SHARE", "Walk", "applies", "find_model"]
