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

Surrogates.  Besides the formula's constraints, the nonnegative combinations of its
top-level ones that ``surrogate.py`` finds useful (each one carries the bound of the
linear relaxation, which per-constraint BDDs do not see: on knapsack-like rows the
difference between enumerating and propagating) are encoded unconditionally when their
BDD fits ``SURROGATE_LIMIT`` nodes; the certificate lists each one's rows and integer
multipliers.

Cost: a BDD's nodes per level are at most the distinct reachable intervals, so a sum of
``n`` 0-1 terms of small weights is ``O(n * sum w)`` clauses at worst, and a sum over wide
bits can grow fast.  A constraint whose BDD passes ``BDD_LIMIT`` nodes gets an *adder
network* first: every weight split into its powers of two, each column ``2^p`` summed
by full adders (three literals in: the sum bit ``s`` = their parity, weight ``2^p``; the
carry ``k`` = at least two of them, weight ``2^(p+1)``) and half adders (two in) until it
holds one literal; the BDD then compares those outputs, one per power of two, with the
bound (a few nodes per output).  Each gate's outputs are fully defined by their clauses,
and ``a + b + c = s + 2k`` (``a + b = s + 2k``) keeps the weighted sum of the literals
left to add equal to the constraint's, which is what the checker replays; the
certificate lists the gates ``[2^p, a, b, c, s, k]`` (``c`` 0 for a half adder) per
source.  ``O(terms * log)`` gates; it propagates less than a BDD (which is generalized
arc consistent) and is used only where a BDD does not fit; past ``NODE_LIMIT`` nodes of a
comparator the formula is refused (``UnsupportedError``).  ``benchmarks/RESULTS.md``
("Certificates") compares this encoding with ``linear.py``'s.

Reference: Abío, Nieuwenhuis, Oliveras, Rodríguez-Carbonell, Mayer-Eichberger, "A New Look
at BDDs for Pseudo-Boolean Constraints" (JAIR 2012); Eén and Sörensson, "Translating
pseudo-Boolean constraints into SAT" (JSAT 2006), the BDD and adder encodings.
"""

from __future__ import annotations

import bisect
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from ..errors import UnsupportedError
from ..ir.circuit import NEG, POS, polarities
from ..ir.linear import ATOM_PREFIX, LinearNormalized
from ..ir.normalize import Normalized
from ..result import Stats
from .assemble import encode
from .cnf import CNF
from .linear import LinearEncoded
from .surrogate import combine, surrogates

NAME = "linear-checkable"
BDD_LIMIT = 100_000  # BDD nodes of one constraint past which it gets an adder network
NODE_LIMIT = 2_000_000  # BDD nodes of a network's comparator past which the formula is refused
SURROGATE_LIMIT = 5_000  # BDD nodes past which a surrogate is left out (it is only an aid)
_TRUE, _FALSE = 0, -1  # BDD terminals (node variables are positive)


@dataclass
class CheckableLinearEncoded(LinearEncoded):
    """``linear.py``'s ``LinearEncoded`` (no ladders here) with what each BDD variable and
    adder output means (``certificate``); the Tseitin pass and the difference classes'
    encodings are ``difference``'s (their meanings: its decoders)."""

    sources: list[list[Any]] = field(default_factory=list)  # per BDD: its constraint, order
    nodes: list[list[int]] = field(default_factory=list)  # [var, source, level, gamma]
    networks: list[list[Any]] = field(default_factory=list)  # [source, gates]

    def certificate(self) -> dict[str, Any]:
        """The JSON-ready meaning of the bits and BDD nodes (``check/linear.py`` reads it)."""
        return {"encoding": NAME,
                "bits": [[x, lo, bits] for x, (lo, bits) in sorted(self.bits.items())],
                "sources": self.sources, "nodes": self.nodes, "networks": self.networks}


def encode_linear_checkable(norm: LinearNormalized, *, encoding: str = "auto",
                            eij_max_clauses: int = 2_000_000,
                            stats: Optional[Stats] = None) -> CheckableLinearEncoded:
    """The CNF of ``norm`` with BDD-encoded constraints (module doc); the difference
    classes get ``encode.encode``'s checkable encodings (``encoding``, ``eij_max_clauses``)."""
    c = norm.boolean
    diff = encode(Normalized(c), encoding=encoding, eij_max_clauses=eij_max_clauses,
                  stats=stats, checkable=True)
    t0 = time.perf_counter()
    cnf, ts = diff.cnf, diff.tseitin
    out = CheckableLinearEncoded(diff, dict(c.int_index))
    if norm.infeasible:
        cnf.add([])
    for x, (lo, hi) in norm.domains.items():
        if x in norm.indicators and x in ts.bool_vars:
            out.bits[x] = (0, [ts.bool_vars[x]])
            continue
        bits = list(cnf.new_vars((hi - lo).bit_length()))
        out.bits[x] = (lo, bits)
        if hi - lo != (1 << len(bits)) - 1:
            _constraint(out, ["domain", x], [(b, 1 << j) for j, b in enumerate(bits)], hi - lo,
                        None)
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
            _constraint(out, ["atom", k, 1], terms, bound - const, v)
        if pol[node] & NEG:
            _constraint(out, ["atom", k, -1], [(b, -w) for b, w in terms], -bound - 1 + const, -v)
        encoded += 1
    derived = _surrogates(out, norm)
    if stats is not None:
        stats.add_time("encode", time.perf_counter() - t0)
        stats.counts.update(vars=cnf.nvars, clauses=len(cnf.clauses), linear_constraints=encoded,
                            bdd_nodes=len(out.nodes),
                            adder_gates=sum(len(g) for _, g in out.networks),
                            surrogates=derived)
        dl = stats.notes.get("encodings", "")
        stats.notes["encodings"] = ",".join(filter(None, [dl, f"{NAME}:1"]))
        choice = (f"{len(norm.domains)} integer vars, {encoded} linear constraints: log "
                  "encoding + interval BDDs (certificates)")
        stats.notes["choice"] = "; ".join(filter(None, [stats.notes.get("choice"), choice]))
    return out


def _surrogates(out: CheckableLinearEncoded, norm: LinearNormalized) -> int:
    """The surrogates of the top-level constraints (``surrogate.py``) that fit a BDD of
    ``SURROGATE_LIMIT`` nodes, encoded unconditionally; how many."""
    c = norm.boolean
    top = set(c.top_level())
    rows: list[tuple[dict[str, int], int]] = []
    keys: list[tuple[int, int]] = []
    for k, (coefs, bound) in enumerate(norm.atoms):
        node = c.bool_names.get(f"{ATOM_PREFIX}{k}")
        for side in (1, -1):
            if node is not None and side * node in top:
                rows.append(({x: side * a for x, a in coefs}, bound if side > 0 else -bound - 1))
                keys.append((k, side))
    n = 0
    for lam in surrogates(rows, norm.domains):
        coefs, bound = combine(rows, lam)
        terms, const = [], 0
        for x, a in coefs.items():
            lo, bits = out.bits[x]
            const += a * lo
            terms.extend((b, a << j) for j, b in enumerate(bits))
        n += _constraint(out, ["surrogate", [[k, side, m] for (k, side), m in zip(keys, lam) if m]],
                         terms, bound - const, None, limit=SURROGATE_LIMIT)
    return n


def _constraint(out: CheckableLinearEncoded, source: list, terms: Sequence[tuple[int, int]],
                bound: int, cond: Optional[int], limit: Optional[int] = None) -> bool:
    """Clauses of ``cond -> sum w * lit <= bound`` (``cond`` None: unconditional), any signs
    of weights and literals: a BDD over the terms, or past ``BDD_LIMIT`` nodes a BDD over
    the outputs of an adder network (module doc; with a ``limit`` of nodes instead: nothing
    then); its source, network and nodes recorded in ``out``.  Whether it was encoded."""
    pos, bound = _positive(terms, bound)
    neg = [] if cond is None else [-cond]
    if sum(w for _, w in pos) <= bound:
        return True
    index = len(out.sources)
    if bound < 0:
        out.sources.append(source + [[lit for lit, _ in pos]])
        out.cnf.add(neg)
        return True
    plan = _bdd_plan(pos, bound, BDD_LIMIT if limit is None else limit)
    if plan is None and limit is not None:
        return False
    if plan is None:
        outputs, gates = _adder_network(out.cnf, pos)
        out.networks.append([index, gates])
        pos, bound = _positive(outputs, bound)
        plan = _bdd_plan(pos, bound, NODE_LIMIT)
        if plan is None:
            raise UnsupportedError(f"the comparator of a linear constraint of {len(pos)} "
                                   f"terms needs more than {NODE_LIMIT} BDD nodes")
    out.sources.append(source + [[lit for lit, _ in pos]])
    nodes, root = plan
    cnf = out.cnf
    var: list[int] = []

    def ref(r: int) -> int:
        return r if r in (_TRUE, _FALSE) else var[r - 1]

    for i, gamma, r0, r1 in nodes:
        node = cnf.new_var()
        var.append(node)
        out.nodes.append([node, index, i, gamma])
        lit = pos[i][0]
        if r0 != _TRUE:  # (r0 is never false: K >= 0 here)
            cnf.add([-node, ref(r0)])
        if r1 == _FALSE:
            cnf.add([-node, -lit])
        elif r1 != _TRUE:
            cnf.add([-node, -lit, ref(r1)])
    assert root != _TRUE
    cnf.add(neg + ([] if root == _FALSE else [ref(root)]))
    return True


def _positive(terms: Sequence[tuple[int, int]], bound: int) -> tuple[list[tuple[int, int]], int]:
    """``sum w * lit <= bound`` with one positive weight per variable (a negative weight
    moved onto the negated literal, the bound adjusted), largest weight first."""
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
    return pos, bound


Plan = tuple[list[tuple[int, int, int, int]], int]  # nodes (level, gamma, child0, child1), root


def _bdd_plan(pos: list[tuple[int, int]], bound: int, limit: int) -> Optional[Plan]:
    """The interval BDD of ``sum w * lit <= bound`` (positive weights, ``0 <= bound <
    sum w``): its nodes in the order they are built (children first; a child is ``_TRUE``,
    ``_FALSE`` or ``1 +`` the index of an earlier node) and its root; None past ``limit``
    nodes."""
    n = len(pos)
    suffix = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        suffix[i] = suffix[i + 1] + pos[i][1]
    layers: list[list[tuple[int, int, int]]] = [[] for _ in range(n + 1)]  # (beta, gamma, node)
    inf = suffix[0] + 1
    nodes: list[tuple[int, int, int, int]] = []

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

    # depth-first with an explicit stack: (level, K); a node is built once both children are
    stack = [(0, bound)]
    while stack:
        i, K = stack[-1]
        if find(i, K) is not None:
            stack.pop()
            continue
        w = pos[i][1]
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
            if len(nodes) >= limit:
                return None
            nodes.append((i, gamma, r0[2], r1[2]))
            node = len(nodes)
        bisect.insort(layers[i], (beta, gamma, node))
    root = find(0, bound)
    assert root is not None
    return nodes, root[2]


def _adder_network(cnf: CNF, pos: list[tuple[int, int]]
                   ) -> tuple[list[tuple[int, int]], list[list[int]]]:
    """The terms ``sum w * lit`` (positive weights) summed by full and half adders (module
    doc): the outputs, at most one literal per power of two, and the gates ``[W, a, b, c,
    s, k]`` (``c`` 0 for a half adder): inputs of weight ``W``, sum ``s`` of weight ``W``,
    carry ``k`` of weight ``2W``; each output fully defined by its clauses."""
    columns: dict[int, deque[int]] = {}
    for lit, w in pos:
        p = 0
        while w:
            if w & 1:
                columns.setdefault(p, deque()).append(lit)
            w >>= 1
            p += 1
    outputs: list[tuple[int, int]] = []
    gates: list[list[int]] = []
    p = 0
    while p <= max(columns):  # (carries open columns above)
        col = columns.get(p, deque())
        while len(col) >= 2:  # first in, first summed: a balanced tree per column
            ins = [col.popleft() for _ in range(min(3, len(col)))]
            s, k = cnf.new_var(), cnf.new_var()
            cnf.extend(_gate_clauses(ins, s, k))
            gates.append([1 << p, *ins, *([0] if len(ins) == 2 else []), s, k])
            col.append(s)
            columns.setdefault(p + 1, deque()).append(k)
        if col:
            outputs.append((col[0], 1 << p))
        p += 1
    return outputs, gates


def _gate_clauses(ins: list[int], s: int, k: int) -> list[list[int]]:
    """Full definitions of ``s`` = the parity of ``ins`` (2 or 3 literals) and ``k`` = at
    least two of them (Eén and Sörensson's full and half adders)."""
    if len(ins) == 3:
        a, b, c = ins
        return [[-s, a, b, c], [-s, a, -b, -c], [-s, -a, b, -c], [-s, -a, -b, c],
                [s, -a, -b, -c], [s, -a, b, c], [s, a, -b, c], [s, a, b, -c],
                [-k, a, b], [-k, a, c], [-k, b, c], [k, -a, -b], [k, -a, -c], [k, -b, -c]]
    a, b = ins
    return [[-s, a, b], [-s, -a, -b], [s, -a, b], [s, a, -b], [-k, a], [-k, b], [k, -a, -b]]


__all__ = ["CheckableLinearEncoded", "NAME", "encode_linear_checkable"]
