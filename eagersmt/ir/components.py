"""Connected components of variables: disjoint sets (union–find with path compression).

The encodings split integer variables into classes by the atoms that connect them; this
is the one structure they do it with.  Cost: near-constant amortized time per operation
(Tarjan, "Efficiency of a good but not linear set union algorithm", JACM 1975).
"""

from __future__ import annotations

from typing import Generic, Hashable, Iterator, TypeVar

K = TypeVar("K", bound=Hashable)


class DisjointSets(Generic[K]):
    """Sets of keys, each named by its root; a key is added by its first ``find``."""

    def __init__(self) -> None:
        self.parent: dict[K, K] = {}

    def find(self, a: K) -> K:
        """The root of ``a``'s set (``a`` joins as a set of its own if new)."""
        parent = self.parent
        root = a
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[a] != root:
            parent[a], a = root, parent[a]
        return root

    def union(self, a: K, b: K) -> None:
        """Join ``a``'s set to ``b``'s (``b``'s root stays the root; ``b`` is found first,
        so a new ``b`` joins before a new ``a``)."""
        rb = self.find(b)
        ra = self.find(a)
        if ra != rb:
            self.parent[ra] = rb

    def __contains__(self, a: object) -> bool:
        return a in self.parent

    def __iter__(self) -> Iterator[K]:
        """Every key, in the order they joined."""
        return iter(self.parent)


__all__ = ["DisjointSets"]
