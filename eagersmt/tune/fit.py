"""Learning a selector from the runs: a cost-sensitive regression tree (scikit-learn), kept
no worse than ``auto`` leaf by leaf, its size chosen by cross-validation.

Idea (algorithm selection, Rice 1976; per-instance selection among SMT solvers as in
MachSMT, Scott et al., TACAS 2021; cost-sensitive trees as in SATzilla's pairwise models,
Xu et al., 2012): a classifier of each file's fastest strategy learns to tell apart files
whose strategies differ by a hundredth of a second as eagerly as files where the wrong
choice times out.  Here each training file carries its regret per strategy (its PAR-2 less
the least of its PAR-2s), and ``sklearn.tree.DecisionTreeRegressor`` with those vectors as
multi-output targets splits where the regrets differ most; a leaf then takes the strategy
of least summed PAR-2 over the training files that reach it, and only when that gain over
the fallback (``auto``, else the single best strategy) is more than ``margin`` of the
fallback's PAR-2 there: a leaf is never worse than the fallback on its training files, and
a small or noisy gain keeps the fallback.  The depth, the leaf size and the margin come from
k-fold cross-validation on the training files (least held-out PAR-2; a tie goes to the
simpler model): a tree that only fits noise loses to the single leaf.  Why a tree: tens of
training files, where a shallow tree generalizes as well as k-nearest neighbours or a
regression per strategy and, unlike those, is a handful of rules that ``--stats`` prints and
that ``solve`` evaluates in a few lines without the library (``selector.py``).
Cost: milliseconds per fit, a few hundred fits (the runs are the cost).  The only module
that imports scikit-learn.
"""

from __future__ import annotations

import random
from typing import Any, Mapping, Sequence

from .features import FEATURES
from .selector import Selector
from .space import SPACE

Costs = Mapping[str, Mapping[str, float]]

# The candidates cross-validation chooses among (besides the depth, 0 .. max_depth).
LEAF_SIZES = (2, 3, 5)
MARGINS = (0.0, 0.1, 0.25)


def fit(costs: Costs, vectors: Mapping[str, Mapping[str, float]],
        strategies: Sequence[str], *, seed: int = 0, max_depth: int = 3,
        folds: int = 5, trained: Mapping[str, Any] = ()) -> Selector:
    """The selector learnt from ``costs`` (instance -> strategy -> PAR-2 seconds, every
    strategy of ``strategies`` for every instance) and ``vectors`` (instance -> features)."""
    names = sorted(costs)
    if not names:
        raise ValueError("no training runs to learn from")
    total = {s: sum(costs[i][s] for i in names) for s in strategies}
    single = min(strategies, key=lambda s: (total[s], s != "auto", s))
    fallback = "auto" if "auto" in strategies else single
    grid = [(d, m, g) for d in range(max_depth + 1) for m in LEAF_SIZES for g in MARGINS
            if d > 0 or m == LEAF_SIZES[0]]
    scores = _cross_validate(grid, names, costs, vectors, strategies, fallback, seed, folds)
    # least held-out PAR-2; a tie to the shallower tree, larger leaves, the larger margin
    depth, leaf, margin = min(grid, key=lambda c: (round(scores[c], 6), c[0], -c[1], -c[2]))
    nodes = _tree(names, costs, vectors, strategies, fallback, depth, leaf, margin, seed)
    selector = Selector(FEATURES, {s: SPACE[s] for s in strategies}, nodes, {})
    learnt = sum(costs[i][selector.pick(vectors[i])[0]] for i in names)  # (as solve picks)
    info = {"files": len(names), "single_best": single, "fallback": fallback,
            "training_par2": {s: round(total[s], 3) for s in strategies},
            "learnt_training_par2": round(learnt, 3),
            "cross_validation": {"folds": min(folds, len(names)), "depth": depth,
                                 "min_leaf": leaf, "margin": margin,
                                 "par2": round(scores[(depth, leaf, margin)], 3),
                                 "single_leaf_par2": round(scores[(0, LEAF_SIZES[0],
                                                                   margin)], 3)},
            **dict(trained)}
    return Selector(FEATURES, {s: SPACE[s] for s in strategies}, nodes, info)


def _cross_validate(grid: Sequence[tuple[int, int, float]], names: Sequence[str],
                    costs: Costs, vectors: Mapping[str, Mapping[str, float]],
                    strategies: Sequence[str], fallback: str, seed: int,
                    folds: int) -> dict[tuple[int, int, float], float]:
    """Each candidate's summed PAR-2 on the held-out folds (files dealt by ``seed``)."""
    order = list(names)
    random.Random(seed).shuffle(order)
    k = max(2, min(folds, len(order)))
    parts = [order[j::k] for j in range(k)]
    scores = dict.fromkeys(grid, 0.0)
    for part in parts:
        held = set(part)
        train = [n for n in names if n not in held]
        if not train:
            continue
        for cand in grid:
            nodes = _tree(train, costs, vectors, strategies, fallback, *cand, seed)
            sel = Selector(FEATURES, {s: SPACE[s] for s in strategies}, nodes, {})
            scores[cand] += sum(costs[n][sel.pick(vectors[n])[0]] for n in part)
    return scores


def _tree(names: Sequence[str], costs: Costs, vectors: Mapping[str, Mapping[str, float]],
          strategies: Sequence[str], fallback: str, depth: int, min_leaf: int,
          margin: float, seed: int) -> list[dict[str, Any]]:
    """The nodes of the regression tree on ``names`` (module doc), breadth first."""
    regrets = [[costs[i][s] - min(costs[i][t] for t in strategies) for s in strategies]
               for i in names]
    if depth == 0 or len(names) < 2 * min_leaf or not any(any(r) for r in regrets):
        return [_leaf(names, costs, strategies, fallback, margin)]
    from sklearn.tree import DecisionTreeRegressor

    X = [[vectors[i][f] for f in FEATURES] for i in names]
    tree = DecisionTreeRegressor(max_depth=depth, min_samples_leaf=min_leaf,
                                 random_state=seed).fit(X, regrets)
    leaf_of = tree.apply(X)
    t = tree.tree_
    nodes: list[dict[str, Any]] = []
    index: dict[int, int] = {}
    order = [0]
    while order:  # breadth first: children after their parent
        k = order.pop(0)
        index[k] = len(nodes)
        nodes.append({})
        if t.children_left[k] != t.children_right[k]:
            order += [int(t.children_left[k]), int(t.children_right[k])]
    for k, at in index.items():
        if t.children_left[k] != t.children_right[k]:
            nodes[at] = {"feature": FEATURES[int(t.feature[k])],
                         "threshold": round(float(t.threshold[k]), 6),
                         "le": index[int(t.children_left[k])],
                         "gt": index[int(t.children_right[k])]}
        else:
            here = [i for i, leaf in zip(names, leaf_of) if leaf == k]
            nodes[at] = _leaf(here, costs, strategies, fallback, margin)
    return nodes


def _leaf(here: Sequence[str], costs: Costs, strategies: Sequence[str], fallback: str,
          margin: float) -> dict[str, Any]:
    """A leaf: the strategy of least summed PAR-2 over the files ``here`` if it gains more
    than ``margin`` of the fallback's PAR-2 there, else the fallback; each one's mean."""
    total = {s: sum(costs[i][s] for i in here) for s in strategies}
    best = min(strategies, key=lambda s: (total[s], s != fallback, s))
    if total[fallback] - total[best] <= margin * total[fallback]:
        best = fallback
    return {"strategy": best, "files": len(here),
            "par2": {s: round(v / len(here), 3) for s, v in total.items()}}


__all__ = ["LEAF_SIZES", "MARGINS", "fit"]
