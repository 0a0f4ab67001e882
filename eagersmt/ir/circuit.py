"""The normalized formula: a hash-consed Boolean circuit over difference predicates.

A literal is a signed node number (``-n`` is the negation of node ``n``); node 1 is the
constant true, so ``TRUE = 1`` and ``FALSE = -1``.  Leaves are Boolean variables and
*difference predicates* ``P(x, y, c)``: ``v_x - v_y <= c`` over integer variable indices,
where index 0 is the zero variable (a bound ``x <= c`` is ``x - zero <= c``).  Predicates
are kept in one orientation (``x < y``); the mirror ``y - x <= d`` is the literal
``-P(x, y, -d - 1)``, so an atom, its negation and its mirror share one node.  Gates are
AND (n-ary), ITE and IFF; OR is a negated AND.  Construction folds constants and removes
duplicates, so later stages see no trivial structure.
"""

from __future__ import annotations

from typing import Iterable

TRUE, FALSE = 1, -1
K_TRUE, K_BVAR, K_PRED, K_AND, K_ITE, K_IFF = range(6)


class Circuit:
    """Nodes in creation order (children before parents); ``roots`` are the asserted literals."""

    def __init__(self) -> None:
        self.kind: list[int] = [-1, K_TRUE]
        self.args: list[tuple] = [(), ()]  # children literals, or (x, y, c), or (name,)
        self._table: dict[tuple, int] = {}
        self.int_names: list[str] = ["0"]  # index 0 is the zero variable
        self.int_index: dict[str, int] = {}
        self.bool_names: dict[str, int] = {}  # name -> node
        self.roots: list[int] = []

    def __len__(self) -> int:
        return len(self.kind) - 1

    def _node(self, kind: int, args: tuple) -> int:
        key = (kind, args)
        n = self._table.get(key)
        if n is None:
            n = len(self.kind)
            self.kind.append(kind)
            self.args.append(args)
            self._table[key] = n
        return n

    # -- leaves ----------------------------------------------------------------------
    def int_var(self, name: str) -> int:
        i = self.int_index.get(name)
        if i is None:
            i = len(self.int_names)
            self.int_names.append(name)
            self.int_index[name] = i
        return i

    def bool_var(self, name: str) -> int:
        n = self.bool_names.get(name)
        if n is None:
            n = self._node(K_BVAR, (name,))
            self.bool_names[name] = n
        return n

    def pred(self, x: int, y: int, c: int) -> int:
        """Literal of ``v_x - v_y <= c``."""
        if x == y:
            return TRUE if c >= 0 else FALSE
        if x > y:
            return -self._node(K_PRED, (y, x, -c - 1))
        return self._node(K_PRED, (x, y, c))

    # -- gates -----------------------------------------------------------------------
    def and_(self, lits: Iterable[int]) -> int:
        seen: set[int] = set()
        for a in lits:
            if a == TRUE:
                continue
            if a == FALSE or -a in seen:
                return FALSE
            seen.add(a)
        if not seen:
            return TRUE
        if len(seen) == 1:
            return next(iter(seen))
        return self._node(K_AND, tuple(sorted(seen)))

    def or_(self, lits: Iterable[int]) -> int:
        return -self.and_(-a for a in lits)

    def ite(self, c: int, t: int, e: int) -> int:
        if c == TRUE:
            return t
        if c == FALSE:
            return e
        if t == e:
            return t
        if t == -e:
            return self.iff(c, t)
        if c < 0:
            c, t, e = -c, e, t
        if t == TRUE or t == c:
            return self.or_((c, e))
        if t == FALSE or t == -c:
            return self.and_((-c, e))
        if e == FALSE or e == c:
            return self.and_((c, t))
        if e == TRUE or e == -c:
            return self.or_((-c, t))
        return self._node(K_ITE, (c, t, e))

    def iff(self, a: int, b: int) -> int:
        if a == b:
            return TRUE
        if a == -b:
            return FALSE
        if a == TRUE:
            return b
        if a == FALSE:
            return -b
        if b == TRUE:
            return a
        if b == FALSE:
            return -a
        sign = 1
        if a < 0:
            a, sign = -a, -sign
        if b < 0:
            b, sign = -b, -sign
        if a > b:
            a, b = b, a
        return sign * self._node(K_IFF, (a, b))

    # -- queries ---------------------------------------------------------------------
    def preds(self) -> list[int]:
        return [n for n, k in enumerate(self.kind) if k == K_PRED]

    def top_level(self) -> list[int]:
        """The roots with positive ANDs flattened: literals that every model makes true."""
        out: list[int] = []
        seen: set[int] = set()
        stack = list(reversed(self.roots))
        while stack:
            lit = stack.pop()
            if lit in seen:
                continue
            seen.add(lit)
            if lit > 0 and self.kind[lit] == K_AND:
                stack.extend(reversed(self.args[lit]))
            else:
                out.append(lit)
        return out

    def unit_preds(self) -> list[tuple[int, int, int]]:
        """Top-level predicate literals as ``(x, y, c)`` constraints ``x - y <= c``."""
        out = []
        for lit in self.top_level():
            n = abs(lit)
            if self.kind[n] == K_PRED:
                x, y, c = self.args[n]
                out.append((x, y, c) if lit > 0 else (y, x, -c - 1))
        return out


POS, NEG, BOTH = 1, 2, 3


def polarities(c: Circuit) -> tuple[list[int], list[list[int]]]:
    """Polarity (POS/NEG bits) of every node, and the top-level clauses over literals.

    Top-level ANDs are flattened into unit clauses and a top-level OR becomes one clause; a
    node's polarity says in which directions its value matters (Plaisted–Greenbaum).
    """
    kind, args = c.kind, c.args
    pol = [0] * len(kind)
    clauses: list[list[int]] = []
    for lit in c.top_level():
        if lit == TRUE:
            continue
        if lit == FALSE:
            clauses.append([])
            continue
        clause = [-ch for ch in args[-lit]] if lit < 0 and kind[-lit] == K_AND else [lit]
        for a in clause:
            pol[abs(a)] |= POS if a > 0 else NEG
        clauses.append(clause)
    # Parents have larger node numbers than children: one downward sweep settles polarity.
    for n in range(len(kind) - 1, 1, -1):
        p = pol[n]
        if not p:
            continue
        k = kind[n]
        flip = ((p & POS) << 1) | ((p & NEG) >> 1)
        if k == K_AND:
            for ch in args[n]:
                pol[abs(ch)] |= p if ch > 0 else flip
        elif k == K_ITE:
            cond, t, e = args[n]
            pol[abs(cond)] = BOTH
            pol[abs(t)] |= p if t > 0 else flip
            pol[abs(e)] |= p if e > 0 else flip
        elif k == K_IFF:
            pol[abs(args[n][0])] = BOTH
            pol[abs(args[n][1])] = BOTH
    return pol, clauses


def constraint_of(c: Circuit, lit: int) -> tuple[int, int, int]:
    """The difference constraint a predicate literal asserts (negation included)."""
    x, y, k = c.args[abs(lit)]
    return (x, y, k) if lit > 0 else (y, x, -k - 1)

