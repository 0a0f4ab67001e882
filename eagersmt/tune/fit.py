"""Learning a selector from the runs: a cost-sensitive decision tree (scikit-learn).

Idea (algorithm selection, Rice 1976; per-instance selection among SMT solvers as in
MachSMT, Scott et al., TACAS 2021): each training file is labelled with its best strategy
(least PAR-2) and weighted by what a wrong choice costs on it (the spread of its PAR-2 over
the strategies; a file every strategy solves alike, or none does, teaches nothing and
weighs nothing).  ``sklearn.tree.DecisionTreeClassifier`` learns a shallow tree on those;
then each leaf is labelled again with the strategy of least total PAR-2 over the training
files that reach it (the tree's splits come from the classifier, its answers from the
costs themselves).  Why a tree: the training sets are tens of files, where a shallow tree
generalizes as well as anything fitted to them and better than a regression per strategy;
its rules are what ``--stats`` prints; and it is a list of nodes that ``solve`` evaluates in
a few lines without the library (``selector.py``).  The tree is kept only where it beats
the single best strategy on the training files; else the selector is that one strategy.
Cost: milliseconds (the runs are the cost).  The only module that imports scikit-learn.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from .features import FEATURES
from .selector import Selector
from .space import SPACE


def fit(costs: Mapping[str, Mapping[str, float]], vectors: Mapping[str, Mapping[str, float]],
        strategies: Sequence[str], *, seed: int = 0, max_depth: int = 3,
        min_leaf: int = 2, trained: Mapping[str, Any] = ()) -> Selector:
    """The selector learnt from ``costs`` (instance -> strategy -> PAR-2 seconds, every
    strategy of ``strategies`` for every instance) and ``vectors`` (instance -> features)."""
    from sklearn.tree import DecisionTreeClassifier

    names = sorted(costs)
    if not names:
        raise ValueError("no training runs to learn from")
    total = {s: sum(costs[i][s] for i in names) for s in strategies}
    single = min(strategies, key=lambda s: (total[s], s != "auto", s))
    X = [[vectors[i][f] for f in FEATURES] for i in names]
    labels = [min(strategies, key=lambda s: (costs[i][s], s != "auto", s)) for i in names]
    weights = [max(costs[i].values()) - min(costs[i].values()) for i in names]
    info = {"files": len(names), "single_best": single,
            "training_par2": {s: round(total[s], 3) for s in strategies}, **dict(trained)}
    if len(set(labels)) < 2 or sum(w > 0 for w in weights) < 2:
        return _single(single, strategies, names, costs, info)
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=min_leaf,
                                  random_state=seed)
    tree.fit(X, labels, sample_weight=[w + 1e-9 for w in weights])
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
            continue
        here = [i for i, leaf in zip(names, leaf_of) if leaf == k]
        nodes[at] = _leaf(here, costs, strategies)
    selector = Selector(FEATURES, {s: SPACE[s] for s in strategies}, nodes, info)
    learnt_total = sum(costs[i][selector.pick(vectors[i])[0]] for i in names)  # (as solve picks)
    if learnt_total >= total[single]:
        return _single(single, strategies, names, costs, info)
    info["learnt_training_par2"] = round(learnt_total, 3)
    return Selector(FEATURES, {s: SPACE[s] for s in strategies}, nodes, info)


def _leaf(here: Sequence[str], costs: Mapping[str, Mapping[str, float]],
          strategies: Sequence[str]) -> dict[str, Any]:
    """A leaf: the strategy of least PAR-2 over the files ``here``, and each one's mean."""
    mean = {s: sum(costs[i][s] for i in here) / len(here) for s in strategies}
    best = min(strategies, key=lambda s: (mean[s], s != "auto", s))
    return {"strategy": best, "files": len(here),
            "par2": {s: round(v, 3) for s, v in mean.items()}}


def _single(best: str, strategies: Sequence[str], names: Sequence[str],
            costs: Mapping[str, Mapping[str, float]], info: dict[str, Any]) -> Selector:
    info["learnt_training_par2"] = info["training_par2"][best]
    return Selector(FEATURES, {s: SPACE[s] for s in strategies},
                    [_leaf(names, costs, strategies)], info)


__all__ = ["fit"]
