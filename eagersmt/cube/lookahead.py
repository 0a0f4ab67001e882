"""Lookahead cuber: splits a CNF into cubes (march_cu style) for a CDCL solver to conquer.

Builds a decision tree depth first, as in Heule, Kullmann, Wieringa, Biere, "Cube and
Conquer: Guiding CDCL SAT Solvers by Lookaheads" (HVC 2011); the engine uses it for
``cubes=auto`` or a number, the ``cube`` command always.  Cost: 2 propagations a node per
candidate (``backends.propagator``: Glucose 4, whose propagation python-sat makes much
cheaper than CaDiCaL's); most of the time goes to propagation and to turning the implied
literals into Python integers (profile and timings: ``benchmarks/RESULTS.md``,
"Cube and conquer").

At a node the cuber preselects the ``candidates`` unassigned variables of best static
score (occurrences in short clauses: binary 1, ternary 0.2, ...; only ``variables`` when
given, e.g. the difference atoms), propagates both polarities of each, turns a failed
literal into a forced assignment, drops the node when both polarities fail, and branches
on the largest product of the two reductions (newly implied literals, +1 each), the
larger side first.  ``ladders`` add bisection candidates: a ladder is the
order-encoding literals ``[x <= a]`` of one integer ``x`` for ascending ``a`` (each implies
the next), and at every node the literal in the middle of ``x``'s open window (between the
last one propagated false and the first propagated true) is a candidate, scored like any
other (a failed one tightens the bound); only the ``ladder_candidates`` (16) ladders of
widest open window are tried, a cheap pre-score that cuts the cubing time without making
the cubes harder.  On job shop at optimum - 1 these cubes cost in total about what the
monolithic solve does, where splits on ordering atoms cost more (``benchmarks/RESULTS.md``,
"Cube and conquer").

A node is a leaf (a cube: the decisions on its path) at the fixed ``depth``, when
``max_cubes`` leaves are reached (the tree then grows breadth first, to stay balanced;
``order="free"`` splits the open node with the most predicted free variables first, no
better in our measurements), or by the dynamic cutoff of march_cu's code (also z3's
``adaptive_freevars``): a node is a leaf when its free variables are fewer than θ; θ
starts at 0, becomes the free variables of each node the lookahead refutes, and shrinks
by ``1 - F ** (d ** E)`` (F = 0.02, E = 0.30) at each leaf of depth d.  Without ``depth``
a depth cap (``depth_cap``) bounds the tree, and a leaf it cuts sets θ like a refutation
(else, with no refutation, the tree would be complete to the cap).  Only refuted
subtrees are dropped, so every model satisfies some cube; when the node or time budget
runs out, the open nodes become cubes as they are.  A node whose propagation assigns every
variable without conflict is a model: the status is then SAT (its cube comes first).
"""

from __future__ import annotations

import heapq
import random
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from itertools import chain
from typing import ClassVar, Optional, Sequence, Union

from ..encode.cnf import CNF
from ..result import Status


@dataclass
class CubeSet:
    status: Status  # UNKNOWN normally; UNSAT: every branch refuted; SAT: ``model`` found
    cubes: list[list[int]] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    model: Optional[list[int]] = None  # DIMACS literals indexed by var - 1, when SAT


@dataclass
class _Node:
    assumptions: list[int]  # decisions plus forced literals, for propagation
    decisions: list[int]  # the cube
    free: int = 0  # free variables the parent's lookahead predicted (order "free")


class _Open:
    """The open nodes: a stack (dfs), a queue (bfs) or a heap on the predicted free
    variables (free: the node with the most is split first)."""

    def __init__(self, kind: str):
        self.kind = kind
        self.items: list = []
        self.queue: deque[_Node] = deque()
        self.seq = 0

    def push(self, nodes: list[_Node]) -> None:
        """Add ``nodes``; of siblings, the first is explored first."""
        if self.kind == "free":
            for node in nodes:
                self.seq += 1
                heapq.heappush(self.items, (-node.free, self.seq, node))
        elif self.kind == "bfs":
            self.queue.extend(nodes)
        else:
            self.items.extend(reversed(nodes))

    def pop(self) -> _Node:
        if self.kind == "free":
            return heapq.heappop(self.items)[2]
        if self.kind == "bfs":
            return self.queue.popleft()
        return self.items.pop()

    def rest(self) -> list[list[int]]:
        """The cubes of the open nodes, in the order they would have been explored."""
        if self.kind == "free":
            return [n.decisions for _, _, n in sorted(self.items, key=lambda t: t[:2])]
        if self.kind == "bfs":
            return [n.decisions for n in self.queue]
        return [n.decisions for n in reversed(self.items)]

    def __len__(self) -> int:
        return len(self.items) + len(self.queue)


@dataclass
class LookaheadCuber:
    """Configuration of the cuber (see the module doc); ``cubes`` runs it on a CNF."""

    depth: Optional[int] = None
    max_cubes: Optional[int] = None
    dynamic: bool = True
    candidates: int = 30
    seed: int = 0
    order: str = "bfs"
    ladder_candidates: Optional[int] = 16

    depth_cap: ClassVar[int] = 12  # safety cap on the depth when ``depth`` is None
    max_nodes: ClassVar[int] = 5_000  # lookahead nodes per run; the open nodes then become cubes
    fraction: ClassVar[float] = 0.02  # F of the dynamic cutoff
    down_exp: ClassVar[float] = 0.30  # E of the dynamic cutoff

    def __post_init__(self) -> None:
        if self.order not in ("bfs", "free"):
            raise ValueError("order must be 'bfs' or 'free'")
        if self.depth is not None and self.depth < 0:
            raise ValueError("depth must be at least 0")
        if self.max_cubes is not None and self.max_cubes < 1:
            raise ValueError("max_cubes must be at least 1")
        if self.candidates < 1 or (self.ladder_candidates is not None
                                   and self.ladder_candidates < 1):
            raise ValueError("candidates must be at least 1")

    def cubes(self, cnf: CNF, *, variables: Optional[Sequence[int]] = None,
              ladders: Sequence[Sequence[int]] = (),
              time_budget: Optional[float] = None) -> CubeSet:
        """Cubes of ``cnf``, splitting only on ``variables`` when given (e.g. SMT atoms; an
        empty list: none) and on the middle literal of each of ``ladders`` (see the module
        doc; ``smt.split_space`` builds both from an encoding)."""
        return _Run(self, cnf, variables, ladders, time_budget).run()


class _Run:
    def __init__(self, cfg: LookaheadCuber, cnf: CNF, variables: Optional[Sequence[int]],
                 ladders: Sequence[Sequence[int]], time_budget: Optional[float]):
        self.cfg = cfg
        self.cnf = cnf
        self.t0 = time.perf_counter()
        self.deadline = None if time_budget is None else self.t0 + time_budget
        self.depth_limit = cfg.depth if cfg.depth is not None else cfg.depth_cap
        self.order_kind = "dfs" if cfg.max_cubes is None else cfg.order
        self.implied: dict[int, int] = {}  # the branch's literals -> literals they imply
        self.theta = 0.0
        self.stats = {"nodes": 0, "refuted": 0, "failed_literals": 0, "propagations": 0,
                      "max_depth": 0, "stopped": "", "order": self.order_kind,
                      "ladder_branches": 0}
        self.variables = variables
        self.ladders_in = ladders

    # -- set-up ------------------------------------------------------------------------
    def setup(self) -> bool:
        """Load the solver, fix the root implications; False if they conflict."""
        from ..backends import propagator

        by_len: dict[int, list[Sequence[int]]] = {}
        for c in self.cnf.clauses:
            by_len.setdefault(len(c), []).append(c)
        if 0 in by_len:
            return False
        units = [c[0] for c in by_len.pop(1, [])]
        score: dict[int, float] = dict.fromkeys(map(abs, units), 0.0)
        for k, cls in by_len.items():  # occurrences, weighted: binary 1, ternary 0.2, ...
            w = 0.2 ** (k - 2)
            for v, n in Counter(map(abs, chain.from_iterable(cls))).items():
                score[v] = score.get(v, 0.0) + w * n
        self.solver = propagator(c for k in by_len for c in by_len[k])
        ok, root = self.propagate(units)
        if not ok:
            return False
        for lit in root:  # level 0 from now on: propagate no longer reports them
            self.solver.add_clause([lit])
        self.root = root
        fixed = {abs(lit) for lit in root}
        self.free_root = len(score) - len(fixed)
        pool = score.keys() if self.variables is None else \
            {v for v in self.variables if v in score}
        rng = random.Random(self.cfg.seed)
        keyed = [(-score[v], rng.random(), v) for v in pool if v not in fixed]
        self.order = [v for _, _, v in sorted(keyed)]
        root_value = set(root)
        self.ladders = [lad for lad in (_open_part(lad, root_value) for lad in self.ladders_in)
                        if lad]
        self.ladder_vars = {abs(lit) for lad in self.ladders for lit in lad}
        self.stats["pool"] = len(self.order) + len(self.ladders)
        return True

    def propagate(self, lits: list[int]) -> tuple[bool, list[int]]:
        self.stats["propagations"] += 1
        return self.solver.propagate(assumptions=lits)

    def out_of_budget(self) -> str:
        if self.deadline is not None and time.perf_counter() > self.deadline:
            return "time"
        if self.stats["nodes"] >= self.cfg.max_nodes:
            return "nodes"
        return ""

    # -- the tree ----------------------------------------------------------------------
    def run(self) -> CubeSet:
        try:
            if not self.setup():
                return self.finish(Status.UNSAT, [])
            return self.search()
        finally:
            if hasattr(self, "solver"):
                self.solver.close()

    def search(self) -> CubeSet:
        open_ = _Open(self.order_kind)
        open_.push([_Node([], [], self.free_root)])
        leaves: list[list[int]] = []
        while open_:
            stop = self.out_of_budget()
            if stop:
                self.stats["stopped"] = stop
                break
            node = open_.pop()
            ok, lits = self.propagate(node.assumptions)
            if not ok:  # a literal forced after its lookahead refutes this child
                self.stats["refuted"] += 1
                continue
            free = self.free_root - len(lits)
            if free <= 0:
                return self.sat(node, lits, leaves, open_)
            depth = len(node.decisions)
            self.stats["max_depth"] = max(self.stats["max_depth"], depth)
            pending = len(leaves) + len(open_)
            if (depth >= self.depth_limit
                    or (self.cfg.dynamic and free < self.theta)
                    or (self.cfg.max_cubes is not None and pending + 2 > self.cfg.max_cubes)):
                self.leaf(node, depth, free, leaves)
                continue
            self.stats["nodes"] += 1
            branch = self.lookahead(node, lits)
            if branch is None:  # refuted
                self.stats["refuted"] += 1
                if self.cfg.dynamic:
                    self.theta = free
                continue
            if isinstance(branch, tuple):  # a complete assignment, no conflict
                return self.sat(node, branch[1], leaves, open_)
            if branch == 0:  # nothing left to split on (SMT-level cubing)
                leaves.append(node.decisions)
                continue
            open_.push([_Node(node.assumptions + [lit], node.decisions + [lit],
                              self.free_root - self.implied.get(lit, len(lits)))
                        for lit in (branch, -branch)])
        cubes = leaves + open_.rest()
        return self.finish(Status.UNSAT if not cubes else Status.UNKNOWN, cubes)

    def leaf(self, node: _Node, depth: int, free: int, leaves: list[list[int]]) -> None:
        leaves.append(node.decisions)
        if self.cfg.dynamic:
            if self.cfg.depth is None and depth >= self.depth_limit and self.theta < free:
                self.theta = free  # the cap cut before θ had a signal: it acts as one
            self.theta *= 1.0 - self.cfg.fraction ** (depth ** self.cfg.down_exp)

    def lookahead(self, node: _Node, lits: list[int]) -> Union[int, None, tuple[bool, list[int]]]:
        """The branch literal; None if refuted; 0 if no candidate; (True, lits) if SAT.

        Forced literals (failed-literal negations) are appended to ``node.assumptions``.
        """
        assigned = {abs(x) for x in lits}
        base = len(lits)
        while True:
            cands = []
            for v in self.order:
                if v not in assigned:
                    cands.append(v)
                    if len(cands) == self.cfg.candidates:
                        break
            if self.ladders:
                cands += self.ladder_candidates(set(lits), set(cands))
            if not cands:
                return 0
            scored: list[tuple[int, int, int, int, int]] = []
            for v in cands:
                if v in assigned:
                    continue
                if self.deadline is not None and time.perf_counter() > self.deadline:
                    break  # score what we have
                okp, lp = self.propagate(node.assumptions + [v])
                okn, ln = self.propagate(node.assumptions + [-v])
                if not okp and not okn:
                    return None
                if not (okp and okn):
                    self.stats["failed_literals"] += 1
                    forced, lits = (-v, ln) if not okp else (v, lp)
                    node.assumptions.append(forced)
                    assigned = {abs(x) for x in lits}
                    base = len(lits)
                    if self.free_root - base <= 0:
                        return (True, lits)
                    continue
                rp, rn = len(lp) - base, len(ln) - base
                score = (rp + 1) * (rn + 1)
                scored.append((score, v if rp >= rn else -v, v, len(lp), len(ln)))
            best = [s for s in scored if s[2] not in assigned]
            if best:
                _, lit, v, np_, nn = max(best)
                self.implied = {v: np_, -v: nn}
                if abs(lit) in self.ladder_vars:
                    self.stats["ladder_branches"] += 1
                return lit
            if self.deadline is not None and time.perf_counter() > self.deadline:
                return 0  # out of time before any candidate was scored: a leaf

    def ladder_candidates(self, value: set[int], seen: set[int]) -> list[int]:
        """The middle open literal of each ladder (its variable); with ``ladder_candidates``
        only those of the widest open windows."""
        mids = []
        for lad in self.ladders:
            lo, hi = _window(lad, value)
            if lo < hi:
                v = abs(lad[(lo + hi - 1) // 2])
                if v not in seen:
                    seen.add(v)
                    mids.append((hi - lo, v))
        cap = self.cfg.ladder_candidates
        if cap is not None and len(mids) > cap:
            mids = heapq.nlargest(cap, mids)
        return [v for _, v in mids]

    def sat(self, node: _Node, lits: list[int], leaves: list[list[int]],
            open_: _Open) -> CubeSet:
        value = {abs(x): x for x in self.root}
        value.update((abs(x), x) for x in lits)
        model = [value.get(v, -v) for v in range(1, self.cnf.nvars + 1)]
        out = self.finish(Status.SAT, [node.decisions] + leaves + open_.rest())
        out.model = model
        return out

    def finish(self, status: Status, cubes: list[list[int]]) -> CubeSet:
        st = self.stats
        st["cubes"] = len(cubes)
        st["threshold"] = round(self.theta, 3)
        st["seconds"] = round(time.perf_counter() - self.t0, 6)
        if cubes:
            st["avg_cube_len"] = round(sum(map(len, cubes)) / len(cubes), 3)
        return CubeSet(status, cubes, st)



def _open_part(ladder: Sequence[int], value: set[int]) -> list[int]:
    """The literals of ``ladder`` that ``value`` leaves open (a slice: see ``_middle``)."""
    lo, hi = _window(ladder, value)
    return list(ladder[lo:hi])


def _window(ladder: Sequence[int], value: set[int]) -> tuple[int, int]:
    """``[lo, hi)``: the open index range of a monotone ladder under the literals ``value``:
    every literal before ``lo`` is false, every one from ``hi`` on true (binary searches)."""
    lo, hi = 0, len(ladder)
    while lo < hi:  # first index whose literal is true
        mid = (lo + hi) // 2
        if ladder[mid] in value:
            hi = mid
        else:
            lo = mid + 1
    first_true = lo
    lo, hi = 0, first_true
    while lo < hi:  # first index whose literal is not false
        mid = (lo + hi) // 2
        if -ladder[mid] in value:
            lo = mid + 1
        else:
            hi = mid
    return lo, first_true


def _middle(ladder: Sequence[int], value: set[int]) -> int:
    """The variable of the middle open literal of ``ladder``; 0 if none is open."""
    lo, hi = _window(ladder, value)
    return abs(ladder[(lo + hi - 1) // 2]) if lo < hi else 0
