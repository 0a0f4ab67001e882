"""Pair lemmas: the theory clauses between predicates over the same two variables.

Every predicate over the pair ``{x, y}`` is a bound on one difference: ``x - y <= c`` is
``[d <= c]`` for ``d = x - y``, and ``y - x <= c`` is ``not [d <= -c - 1]``.  Sorted by
their bound ``k``, consecutive ones give the binary clauses ``[d <= k1] -> [d <= k2]``
(``k1 < k2``), which imply every other implication and exclusion among them (Z3's
arithmetic solver adds the same "bound axioms" between atoms of one variable).  On job
shop the two atoms of a machine disjunction ``a - b >= d_b or b - a >= d_a`` become
``[a - b <= -d_a] -> [a - b <= d_b - 1]``: the choice is one Boolean at once, where the
order encoding alone finds the exclusion only by propagating through both ladders.

Cost: at most one clause per predicate (``len(preds) - pairs``).  Each clause is a valid
theory lemma (its negation is a 2-cycle of negative weight ``k1 - k2 - 1``), so the
certificate checker accepts it as a theory clause.  The EIJ encoding has its own pair
clauses (``eij.py``); the order and small-domain encodings get these.

On job shops they make CaDiCaL faster and Kissat slower (``benchmarks/RESULTS.md``,
"Encodings"), so the lemmas are recorded as ``cnf.redundant`` and Kissat gets the CNF
without them (``backends/kissat.py``): the portfolio then races two differently strengthened
CNFs.
"""

from __future__ import annotations

from typing import Sequence

from .cnf import CNF
from .tseitin import PredUse


def pair_lemmas(preds: Sequence[PredUse], cnf: CNF) -> int:
    """Add the chain clauses of each variable pair's predicates to ``cnf``; their count."""
    by_pair: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for p in preds:
        if p.x == p.y:
            continue
        if p.x < p.y:  # [x - y <= c]
            by_pair.setdefault((p.x, p.y), []).append((p.c, p.var))
        else:  # y - x <= c  <=>  not [x - y <= -c - 1]
            by_pair.setdefault((p.y, p.x), []).append((-p.c - 1, -p.var))
    added = 0
    for lits in by_pair.values():
        if len(lits) < 2:
            continue
        lits.sort()
        for (k1, a), (k2, b) in zip(lits, lits[1:]):
            if a == b or a == -b:  # one atom twice (a == -b cannot be: it is its mirror)
                continue
            # k1 <= k2: [d <= k1] -> [d <= k2]; equal bounds are the same atom: both ways
            cnf.clauses.append([-a, b])
            added += 1
            if k1 == k2:
                cnf.clauses.append([a, -b])
                added += 1
    return added
