"""Model repair: a stored model of a *near* query, made a model of this one without search.

Idea.  A what-if variant (one operation one unit longer, one constraint added or changed)
shares almost every assertion with a stored query, and the stored query's model almost
satisfies it.  Keep the old model's Boolean choices and re-solve only the arithmetic:

1. ``near``: the stored sat answers sharing the most assertion keys with the query (the
   store's ``memo_answer_keys`` index; at least ``NEAR_SHARE`` of the query's keys, at most
   ``NEAR_LIMIT`` tried), so the cost is bounded when nothing is near;
2. ``select``: under the old values, every circuit node gets the cost of making it true and
   false (a predicate ``x - y <= c``: by how much the old values violate it; a Boolean
   variable: 1 if the old value differs; AND: the sum, OR: the least); a walk from the
   roots then keeps, for each disjunction, the disjunct the old model comes closest to
   satisfying (on a schedule: the old machine orders), and collects the difference
   constraints and Boolean values that make every root true;
3. ``solve``: that conjunction of difference constraints by Bellman-Ford from the old
   values (the nearest values below them); with an objective ``p - m`` its least value for
   these choices (``optimize/tighten.least``: on a schedule, the earliest starts);
   infeasible (a negative cycle, clashing Booleans) means no repair.

A repaired model is a model of the new formula only if it passes ``check_model`` on the
query's assertions, which is always run (the store is not the solver, and the key index
is not authenticated); so a repair can never make an answer wrong.  For the optimizer it is
an upper bound; with a stored refutation's lower bound (applied as a lemma) equal to it,
the optimum is proven without a SAT call.

Cost: one indexed query (keys shared, per candidate) and, per candidate, two linear passes
over the circuit and one Bellman-Ford over the chosen constraints.

Reference: solution repair / "warm starts" of schedules after a perturbation (e.g. Zweben
et al., "Scheduling and rescheduling with iterative repair", IEEE SMC 1993), here with the
exact longest-path schedule of fixed orders (the disjunctive graph, Roy and Sussmann 1964).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Optional, Sequence

from ..errors import InternalError
from ..ir.circuit import K_AND, K_BVAR, K_IFF, K_ITE, K_PRED, K_TRUE, Circuit, constraint_of

if TYPE_CHECKING:
    from ..ir.normalize import Normalized
    from ..ir.terms import Term
    from .use import Lookup

# Measured: ``benchmarks/RESULTS.md``, "Lemma store" (what-if variants).
NEAR_SHARE = 0.5  # a stored query is near when it has at least this share of the query's keys
NEAR_LIMIT = 2  # near answers tried, the most shared first
INF = float("inf")
# The cost of flipping an old Boolean value: far above any arithmetic violation, which the
# Bellman-Ford step repairs, while a flipped Boolean may clash with another choice.
BOOL_FLIP = float(1 << 60)

Values = dict[int, int]  # circuit integer variable index -> value


def select(c: Circuit, v: Sequence[int], bools: Mapping[str, bool]
           ) -> Optional[tuple[list[tuple[int, int, int]], dict[str, bool]]]:
    """The difference constraints ``(x, y, k)`` (``x - y <= k``) and Boolean values that make
    every root true, choosing each disjunct the old values ``v`` / ``bools`` come closest to
    (module doc, step 2); None when the choices clash on a Boolean or a root is false."""
    kind, args = c.kind, c.args
    n = len(kind)
    bools = dict(bools)
    for lit in c.top_level():  # Boolean units hold whatever the old model said
        if kind[abs(lit)] == K_BVAR:
            bools[args[abs(lit)][0]] = lit > 0
    t = [0.0] * n  # cost of making node i true
    f = [0.0] * n  # ... false

    def cost(lit: int) -> float:
        return t[lit] if lit > 0 else f[-lit]

    for i in range(1, n):
        k = kind[i]
        if k == K_TRUE:
            t[i], f[i] = 0, INF
        elif k == K_BVAR:
            val = bool(bools.get(args[i][0], False))
            t[i], f[i] = (0, BOOL_FLIP) if val else (BOOL_FLIP, 0)
        elif k == K_PRED:
            x, y, b = args[i]
            d = v[x] - v[y]
            t[i], f[i] = max(0, d - b), max(0, b + 1 - d)
        elif k == K_AND:
            ch = args[i]
            t[i] = sum(cost(a) for a in ch)
            f[i] = min(cost(-a) for a in ch)
        elif k == K_ITE:
            g, a, b = args[i]
            t[i] = min(cost(g) + cost(a), cost(-g) + cost(b))
            f[i] = min(cost(g) + cost(-a), cost(-g) + cost(-b))
        elif k == K_IFF:
            a, b = args[i]
            t[i] = min(cost(a) + cost(b), cost(-a) + cost(-b))
            f[i] = min(cost(a) + cost(-b), cost(-a) + cost(b))
    cons: list[tuple[int, int, int]] = []
    chosen: dict[str, bool] = {}
    seen: set[int] = set()
    stack = list(c.roots)
    while stack:
        lit = stack.pop()
        if lit in seen:
            continue
        seen.add(lit)
        i = abs(lit)
        k = kind[i]
        if k == K_TRUE:
            if lit < 0:
                return None
        elif k == K_BVAR:
            name = args[i][0]
            if chosen.setdefault(name, lit > 0) != (lit > 0):
                return None
        elif k == K_PRED:
            cons.append(constraint_of(c, lit))
        elif k == K_AND:
            if lit > 0:
                stack.extend(args[i])
            else:
                stack.append(-min(args[i], key=lambda a: cost(-a)))
        else:
            if k == K_ITE:
                g, a, b = args[i]
                s = 1 if lit > 0 else -1
                pairs = ((g, s * a), (-g, s * b))
            else:
                a, b = args[i]
                pairs = ((a, b), (-a, -b)) if lit > 0 else ((a, -b), (-a, b))
            stack.extend(min(pairs, key=lambda q: cost(q[0]) + cost(q[1])))
    return cons, chosen


def solve(n_int: int, cons: Sequence[tuple[int, int, int]], v: Sequence[int],
          objective: Optional[tuple[int, int]] = None) -> Optional[Values]:
    """Values satisfying every ``x - y <= k`` of ``cons``: Bellman-Ford from ``v``; with
    ``objective = (p, m)`` the least ``p - m`` (module doc, step 3).  None: infeasible."""
    from ..encode.domains import NegativeCycle, shortest_paths
    from ..optimize.tighten import least

    adj: dict[int, list[tuple[int, int]]] = {}
    for x, y, k in cons:
        adj.setdefault(y, []).append((x, k))  # x <= y + k
    try:
        dist = shortest_paths({i: v[i] for i in range(n_int)}, adj, n_int)
    except NegativeCycle:
        return None
    pot = [dist[i] for i in range(n_int)]
    if objective is not None:
        best = least(n_int, cons, pot, *objective)
        if best is not None:
            return best
    return dict(enumerate(pot))


def repair_values(norm: "Normalized", model: Mapping[str, object],
                  objective: Optional[tuple[int, int]] = None
                  ) -> Optional[tuple[Values, dict[str, bool]]]:
    """The circuit values and Booleans repaired from a stored ``model`` (declared names ->
    values), or None (no repair; a real query: its scaling depends on every constraint)."""
    from ..ir.terms import INT

    if norm.sort != INT or norm.scale != 1:
        return None
    c = norm.circuit
    v = [0] * len(c.int_names)
    for i, name in enumerate(c.int_names[1:], 1):
        x = model.get(name, 0)
        if not isinstance(x, int) or isinstance(x, bool):
            return None
        v[i] = x
    bools = {name: bool(model.get(name, False)) for name in c.bool_names}
    picked = select(c, v, bools)
    if picked is None:
        return None
    cons, chosen = picked
    vals = solve(len(v), cons, v, objective)
    if vals is None:
        return None
    bools.update(chosen)
    return vals, bools


def repaired(look: "Lookup", norm: "Normalized", assertions: Sequence["Term"],
             declarations: Sequence["Term"], objective: Optional[tuple[int, int]] = None
             ) -> Optional[tuple[dict, Values, dict[str, bool]]]:
    """A model of the query repaired from a near stored answer and checked on
    ``assertions`` (module doc): ``(model, circuit values, Booleans)``, or None."""
    import time

    from ..core.model import check
    from ..ir.terms import INT

    if look.store is None or norm.sort != INT or norm.scale != 1:
        return None
    entries = look.call(lambda s: s.near(look.qk, share=NEAR_SHARE, limit=NEAR_LIMIT), [])
    t0 = time.perf_counter()
    try:
        for e in entries:
            got = repair_values(norm, e.model, objective)
            if got is None:
                continue
            vals, bools = got
            model = norm.decode(vals, bools, list(declarations))
            try:
                check(assertions, model)
            except InternalError:
                continue
            if look.store is not None:
                look.store.counters.repaired += 1
            return model, vals, bools
        return None
    finally:
        look.seconds += time.perf_counter() - t0


__all__ = ["NEAR_LIMIT", "NEAR_SHARE", "repair_values", "repaired", "select", "solve"]
