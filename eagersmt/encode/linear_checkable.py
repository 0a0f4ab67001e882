"""Linear integer constraints encoded so that ``check-proof`` can verify every clause.

Idea.  The variables are log-encoded as in ``linear.py`` (``x = lo + sum 2^j * b_j``, a 0-1
indicator its own Boolean variable); each linear constraint, once over the bits, is a
pseudo-Boolean constraint ``sum w_i * l_i <= K`` with positive weights (a negative weight
moves onto the negated literal).  It is encoded by a *reduced BDD with intervals*: the
terms in a fixed order (largest weight first), node ``(i, K)`` stands for
``sum_{j >= i} w_j * l_j <= K``, and nodes whose ``K`` give the same function of the
remaining terms share one variable (the interval ``[beta, gamma]`` of such ``K``, as
Abío, Nieuwenhuis, Oliveras, Rodríguez-Carbonell and Mayer-Eichberger build it).  Only
the direction the formula needs is written (Plaisted–Greenbaum, as ``tseitin.py``):

    cond -> root          node -> child0          node and l_i -> child1

with a constant child dropping its clause (true) or its literal (false).  A node's variable
*means* its suffix constraint with ``K = gamma`` (the largest bound of its interval: the
suffix sum is at most ``gamma`` exactly when it is at most any ``K`` of the interval), so
every clause is an arithmetic implication between two such constraints that the checker
verifies on its own (``check/linear.py``); the certificate lists, per encoded constraint,
its terms' order and each node's ``(constraint, level, gamma)``.  The domain of each
variable (``sum 2^j * b_j <= hi - lo``) is a constraint like the others, without ``cond``.

Cost: a BDD's nodes per level are at most the distinct reachable intervals, so a sum of
``n`` 0-1 terms of small weights is ``O(n * sum w)`` clauses at worst, and a sum over wide
bits can grow fast: a constraint past ``NODE_LIMIT`` nodes makes the formula
uncertifiable here (``UnsupportedError``), where ``linear.py`` would use adders.  A BDD
propagates as well as the constraint allows (generalized arc consistency) where
``linear.py``'s adders do not; ``benchmarks/RESULTS.md`` ("Certificates") compares the two.

Reference: Abío, Nieuwenhuis, Oliveras, Rodríguez-Carbonell, Mayer-Eichberger, "A New Look
at BDDs for Pseudo-Boolean Constraints" (JAIR 2012); Eén and Sörensson, "Translating
pseudo-Boolean constraints into SAT" (JSAT 2006), the BDD encoding.
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

from ..errors import UnsupportedError
from ..ir.circuit import NEG, POS, polarities
from ..ir.linear import ATOM_PREFIX, LinearNormalized
from ..result import Stats
from .cnf import CNF
from .tseitin import Tseitin, tseitin

NAME = "linear-checkable"
NODE_LIMIT = 2_000_000  # BDD nodes of one constraint past which the formula is refused
_TRUE, _FALSE = 0, -1  # BDD terminals (node variables are positive)


@dataclass
class CheckableLinearEncoded:
    """The CNF, its inverse (``decode``: values of the integer and Boolean variables) and
    what each bit and BDD variable means (``certificate``)."""

    cnf: CNF
    tseitin: Tseitin
    bits: dict[str, tuple[int, list[int]]] = field(default_factory=dict)  # x -> (lo, bits)
    sources: list[list[Any]] = field(default_factory=list)  # per BDD: its constraint, order
    nodes: list[list[int]] = field(default_factory=list)  # [var, source, level, gamma]

    def decode(self, value: Callable[[int], bool]) -> tuple[dict[str, int], dict[str, bool]]:
        ints = {x: lo + sum(1 << j for j, b in enumerate(bs) if value(b))
                for x, (lo, bs) in self.bits.items()}
        bools = {name: value(v) for name, v in self.tseitin.bool_vars.items()}
        return ints, bools

    def certificate(self) -> dict[str, Any]:
        """The JSON-ready meaning of the bits and BDD nodes (``check/linear.py`` reads it)."""
        return {"encoding": NAME,
                "bits": [[x, lo, bits] for x, (lo, bits) in sorted(self.bits.items())],
                "sources": self.sources, "nodes": self.nodes}


def encode_linear_checkable(norm: LinearNormalized, *,
                            stats: Optional[Stats] = None) -> CheckableLinearEncoded:
    """The CNF of ``norm`` with BDD-encoded constraints (module doc)."""
    t0 = time.perf_counter()
    cnf = CNF()
    c = norm.boolean
    ts = tseitin(c, cnf)
    out = CheckableLinearEncoded(cnf, ts)
    if norm.infeasible:
        cnf.add([])
    for x, (lo, hi) in norm.domains.items():
        if x in norm.indicators and x in ts.bool_vars:
            out.bits[x] = (0, [ts.bool_vars[x]])
            continue
        bits = list(cnf.new_vars((hi - lo).bit_length()))
        out.bits[x] = (lo, bits)
        if hi - lo != (1 << len(bits)) - 1:
            _bdd(out, ["domain", x], [(b, 1 << j) for j, b in enumerate(bits)], hi - lo, None)
    pol, _ = polarities(c)
    encoded = 0
    for k, (coefs, bound) in enumerate(norm.atoms):
        v = ts.bool_vars.get(f"{ATOM_PREFIX}{k}")
        if v is None:
            continue  # not reachable from the roots
        node = c.bool_names[f"{ATOM_PREFIX}{k}"]
        terms, const = [], 0
        for x, a in coefs:
            lo, bits = out.bits[x]
            const += a * lo
            terms.extend((b, a << j) for j, b in enumerate(bits))
        if pol[node] & POS:
            _bdd(out, ["atom", k, 1], terms, bound - const, v)
        if pol[node] & NEG:
            _bdd(out, ["atom", k, -1], [(b, -w) for b, w in terms], -bound - 1 + const, -v)
        encoded += 1
    if stats is not None:
        stats.add_time("encode", time.perf_counter() - t0)
        stats.counts.update(vars=cnf.nvars, clauses=len(cnf.clauses), linear_constraints=encoded,
                            bdd_nodes=len(out.nodes))
        stats.notes["encodings"] = f"{NAME}:1"
        stats.notes["choice"] = (f"{len(norm.domains)} integer vars, {encoded} linear "
                                 "constraints: log encoding + interval BDDs (certificates)")
    return out


def _bdd(out: CheckableLinearEncoded, source: list, terms: Sequence[tuple[int, int]],
         bound: int, cond: Optional[int]) -> None:
    """Clauses of ``cond -> sum w * lit <= bound`` (``cond`` None: unconditional), any signs
    of weights and literals; the BDD's source and nodes recorded in ``out``."""
    coef: dict[int, int] = {}
    for lit, w in terms:
        if lit < 0:  # w * not(x) = w - w * x
            bound -= w
            w = -w
        coef[abs(lit)] = coef.get(abs(lit), 0) + w
    pos: list[tuple[int, int]] = []
    for x, w in coef.items():
        if w > 0:
            pos.append((x, w))
        elif w < 0:  # w * x = w + |w| * not(x)
            bound -= w
            pos.append((-x, -w))
    pos.sort(key=lambda t: (-t[1], abs(t[0])))
    cnf = out.cnf
    neg = [] if cond is None else [-cond]
    if sum(w for _, w in pos) <= bound:
        return
    index = len(out.sources)
    out.sources.append(source + [[lit for lit, _ in pos]])
    if bound < 0:
        cnf.add(neg)
        return
    n = len(pos)
    suffix = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        suffix[i] = suffix[i + 1] + pos[i][1]
    layers: list[list[tuple[int, int, int]]] = [[] for _ in range(n + 1)]  # (beta, gamma, node)
    inf = suffix[0] + 1

    def find(i: int, K: int) -> Optional[tuple[int, int, int]]:
        if K < 0:
            return (-inf, -1, _FALSE)
        if K >= suffix[i]:
            return (suffix[i], inf, _TRUE)
        layer = layers[i]
        j = bisect.bisect_right(layer, (K, inf, inf)) - 1
        if j >= 0 and layer[j][0] <= K <= layer[j][1]:
            return layer[j]
        return None

    count = 0
    # depth-first with an explicit stack: (level, K); a node is built once both children are
    stack = [(0, bound)]
    while stack:
        i, K = stack[-1]
        if find(i, K) is not None:
            stack.pop()
            continue
        lit, w = pos[i]
        r0, r1 = find(i + 1, K), find(i + 1, K - w)
        if r0 is None or r1 is None:
            if r1 is None:
                stack.append((i + 1, K - w))
            if r0 is None:
                stack.append((i + 1, K))
            continue
        stack.pop()
        beta, gamma = max(r0[0], r1[0] + w), min(r0[1], r1[1] + w)
        if r0[2] == r1[2]:
            node = r0[2]
        else:
            count += 1
            if count > NODE_LIMIT:
                raise UnsupportedError(f"a linear constraint of {n} terms needs more than "
                                       f"{NODE_LIMIT} BDD nodes: no checkable encoding")
            node = cnf.new_var()
            out.nodes.append([node, index, i, gamma])
            if r0[2] != _TRUE:  # (r0 is never false: K >= 0 here)
                cnf.add([-node, r0[2]])
            if r1[2] == _FALSE:
                cnf.add([-node, -lit])
            elif r1[2] != _TRUE:
                cnf.add([-node, -lit, r1[2]])
        bisect.insort(layers[i], (beta, gamma, node))
    root = find(0, bound)
    assert root is not None and root[2] != _TRUE
    cnf.add(neg + ([] if root[2] == _FALSE else [root[2]]))


__all__ = ["CheckableLinearEncoded", "NAME", "encode_linear_checkable"]
