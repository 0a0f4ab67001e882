"""A better first schedule before any SAT call: tabu search on the machine orders.

Idea.  A job shop (top-level precedences ``x - y <= k``, ``k <= 0``, and machines: cliques
of disjunctive pairs) is a set of machine orders; given them, the earliest start times are
longest paths in the precedence graph (heads ``r``), and the objective ``p - m`` is the
longest path from ``m`` to ``p``.  A *critical path* realizes it; swapping two adjacent
operations of one machine at the border of a block (a run of the critical path on one
machine) is the N5 neighbourhood, the only swaps that can shorten that path.  Each move is
estimated in ``O(1)`` from heads and tails (the longest paths to ``p``, ``q``), the best
non-tabu one (or a tabu one that beats the best schedule: aspiration) is made, and the
reverse swap is tabu for a random tenure; after ``STALL`` moves without improvement the
search goes back to the best schedule.  The result is only a model candidate: the caller
checks it on the formula (``root._model``).

Cost: per move one recomputation of heads and tails (``O(V + E)``) and one estimate per
neighbour; ``MAX_MOVES`` moves at most (deterministic: a fixed seed) and ``BUDGET_SECONDS``
of wall time.

References: E. Nowicki, C. Smutnicki, "A fast taboo search algorithm for the job shop
problem", Management Science 42(6), 1996 (N5); E. Taillard, "Parallel taboo search
techniques for the job shop scheduling problem", ORSA J. on Computing 6(2), 1994 (the
estimate).
"""

from __future__ import annotations

import random
import time
from typing import Optional, Sequence

from ..encode.machines import Con, Machine, Pair

# Measured: ``benchmarks/RESULTS.md``, "Optimization".
MAX_MOVES = 1000
BUDGET_SECONDS = 1.0
STALL = 200  # moves without a better schedule before going back to the best one
KICK = 8  # random swaps of a critical block's neighbours after going back
NEG = -(1 << 60)


def improve(variables: Sequence[int], units: Sequence[Con], pairs: Sequence[Pair],
            machines: Sequence[Machine], p: int, m: int, start: dict[int, int]
            ) -> Optional[dict[int, int]]:
    """Start times (``m`` at 0) of a schedule whose ``p - m`` is below ``start``'s, found
    from ``start``'s machine orders (module doc); None when it finds none or the problem is
    not of that shape.  Every unit and pair is checked on the result."""
    idx = {v: i for i, v in enumerate(variables)}
    n = len(variables)
    if p not in idx or m not in idx or any(v not in start for v in variables):
        return None
    fpred: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    fsucc: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for x, y, k in units:  # x - y <= k, k <= 0: y at least -k after x
        if k <= 0:
            fpred[idx[y]].append((idx[x], -k))
            fsucc[idx[x]].append((idx[y], -k))
    sep: dict[tuple[int, int], int] = {}
    for q in pairs:
        sep[idx[q.a], idx[q.b]] = q.d_ab
        sep[idx[q.b], idx[q.a]] = q.d_ba
    seqs = []
    on_machine = 0
    for mach in machines:
        tasks = [idx[t] for t in mach.tasks]
        if any((a, b) not in sep for a in tasks for b in tasks if a != b):
            return None  # not a clique of pairs
        on_machine += len(tasks) * (len(tasks) - 1)
        seqs.append(sorted(tasks, key=lambda t: (start[variables[t]], t)))
    if on_machine != len(sep) or fpred[idx[m]]:
        return None  # a pair outside the machines, or m not a source
    ts = _Search(n, fpred, fsucc, sep, seqs, idx[p], idx[m])
    if ts.evaluate() is None:
        return None
    first = ts.best
    ts.run(random.Random(0), MAX_MOVES, time.perf_counter() + BUDGET_SECONDS)
    if ts.best >= first:
        return None
    out = {v: ts.best_r[i] - ts.best_r[idx[m]] for i, v in enumerate(variables)}
    if any(out[x] - out[y] > k for x, y, k in units) or \
            any(out[q.b] - out[q.a] < q.d_ab and out[q.a] - out[q.b] < q.d_ba for q in pairs):
        return None
    return out


class _Search:
    def __init__(self, n, fpred, fsucc, sep, seqs, p, m):
        self.n, self.fpred, self.fsucc, self.sep, self.p, self.m = n, fpred, fsucc, sep, p, m
        self.mp = [-1] * n  # machine predecessor and successor
        self.ms = [-1] * n
        for s in seqs:
            self._link(s)
        self.seqs = seqs
        self.r: list[int] = []
        self.q: list[int] = []
        self.best = 1 << 62
        self.best_r: list[int] = []
        self.best_links: tuple[list[int], list[int]] = ([], [])

    def _link(self, s: list[int]) -> None:
        for i, t in enumerate(s):
            self.mp[t] = s[i - 1] if i else -1
            self.ms[t] = s[i + 1] if i + 1 < len(s) else -1

    def evaluate(self) -> Optional[int]:
        """Heads, tails and the objective of the current orders (None: a cycle)."""
        n, fpred, fsucc, mp, ms, sep = self.n, self.fpred, self.fsucc, self.mp, self.ms, self.sep
        indeg = [len(fpred[v]) + (mp[v] >= 0) for v in range(n)]
        order = [v for v in range(n) if indeg[v] == 0]
        r = [0] * n
        for v in order:
            rv = r[v]
            for w, d in fsucc[v]:
                if rv + d > r[w]:
                    r[w] = rv + d
                indeg[w] -= 1
                if not indeg[w]:
                    order.append(w)
            w = ms[v]
            if w >= 0:
                d = rv + sep[v, w]
                if d > r[w]:
                    r[w] = d
                indeg[w] -= 1
                if not indeg[w]:
                    order.append(w)
        if len(order) < n:
            return None
        q = [NEG] * n
        q[self.p] = 0
        for v in reversed(order):
            best = q[v]
            for w, d in fsucc[v]:
                if d + q[w] > best:
                    best = d + q[w]
            w = ms[v]
            if w >= 0 and sep[v, w] + q[w] > best:
                best = sep[v, w] + q[w]
            q[v] = best
        self.r, self.q = r, q
        value = r[self.p] - r[self.m]
        if value < self.best:
            self.best, self.best_r = value, r
            self.best_links = (list(self.mp), list(self.ms))
        return value

    def critical_blocks(self) -> list[list[int]]:
        """The blocks of one critical path from ``m`` to ``p``, in path order: runs of
        operations on one machine, one operation long where the path changes machine."""
        r, fpred, mp, sep = self.r, self.fpred, self.mp, self.sep
        path: list[tuple[int, bool]] = []  # (node, reached by a machine arc)
        v = self.p
        while v != self.m:
            a = mp[v]
            if a >= 0 and r[a] + sep[a, v] == r[v]:
                path.append((v, True))
                v = a
                continue
            for u, d in fpred[v]:
                if r[u] + d == r[v]:
                    path.append((v, False))
                    v = u
                    break
            else:
                break  # a source other than m (at 0)
        path.reverse()
        blocks: list[list[int]] = []  # (one-operation blocks too: they decide first and last)
        for node, machine_arc in path:
            if machine_arc and blocks and blocks[-1][-1] == mp[node]:
                blocks[-1].append(node)
            elif machine_arc:
                blocks.append([mp[node], node])
            elif node != self.p:
                blocks.append([node])
        return blocks

    def estimate(self, u: int, v: int) -> int:
        """Taillard's estimate of the objective after swapping ``u`` and its machine
        successor ``v``."""
        r, q, sep, mp, ms = self.r, self.q, self.sep, self.mp, self.ms
        a, b = mp[u], ms[v]
        rv = r[a] + sep[a, v] if a >= 0 else 0
        for f, d in self.fpred[v]:
            if r[f] + d > rv:
                rv = r[f] + d
        ru = rv + sep[v, u]
        for f, d in self.fpred[u]:
            if r[f] + d > ru:
                ru = r[f] + d
        qu = sep[u, b] + q[b] if b >= 0 else NEG
        for g, d in self.fsucc[u]:
            if d + q[g] > qu:
                qu = d + q[g]
        qv = sep[v, u] + qu
        for g, d in self.fsucc[v]:
            if d + q[g] > qv:
                qv = d + q[g]
        return max(rv + qv, ru + qu) - r[self.m]

    def swap(self, u: int, v: int) -> None:
        """``v`` before ``u`` (they are adjacent, ``u`` first)."""
        mp, ms = self.mp, self.ms
        a, b = mp[u], ms[v]
        if a >= 0:
            ms[a] = v
        if b >= 0:
            mp[b] = u
        mp[v], ms[v], mp[u], ms[u] = a, u, v, b

    def run(self, rng: random.Random, max_moves: int, deadline: float) -> None:
        tabu: dict[tuple[int, int], int] = {}
        tenure = 10 + max(1, self.n // max(1, len(self.seqs))) // 2
        stall = 0
        for it in range(max_moves):
            if it % 64 == 0 and time.perf_counter() > deadline:
                return
            blocks = self.critical_blocks()
            moves = []
            last = len(blocks) - 1
            for i, bl in enumerate(blocks):
                if len(bl) < 2:
                    continue
                if i > 0:
                    moves.append((bl[0], bl[1]))
                if i < last and (i == 0 or len(bl) > 2):
                    moves.append((bl[-2], bl[-1]))
            if not moves:
                return  # the critical path is one machine's or the precedences': optimal
            choice, choice_est = None, 1 << 62
            for u, v in moves:
                est = self.estimate(u, v)
                if (tabu.get((u, v), -1) < it or est < self.best) and est < choice_est:
                    choice, choice_est = (u, v), est
            if choice is None:
                choice = moves[rng.randrange(len(moves))]
            u, v = choice
            self.swap(u, v)
            tabu[v, u] = it + tenure + rng.randrange(tenure // 2 + 1)
            before = self.best
            if self.evaluate() is None:  # (not with job-shop precedences) undo
                self.swap(v, u)
                self.evaluate()
                tabu[u, v] = it + tenure
            stall = 0 if self.best < before else stall + 1
            if stall >= STALL:  # back to the best, then a few random critical swaps
                self.mp, self.ms = list(self.best_links[0]), list(self.best_links[1])
                self.evaluate()
                for _ in range(KICK):
                    swaps = [(bl[j], bl[j + 1]) for bl in self.critical_blocks()
                             for j in range(len(bl) - 1)]
                    if not swaps:
                        break
                    u, v = swaps[rng.randrange(len(swaps))]
                    self.swap(u, v)
                    if self.evaluate() is None:
                        self.swap(v, u)
                        self.evaluate()
                tabu.clear()
                stall = 0


__all__ = ["improve"]
