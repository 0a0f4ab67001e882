"""SMT-level cubing: what a cube may fix, chosen by what the CNF variables mean.

The lookahead cuber works on any CNF; this module tells it where to split for an encoded
SMT problem (``split_space``), by level:

* ``smt``: the difference atoms ``x - y <= c`` (their Tseitin variables).  Cubes read as
  orderings; on job shop, which of two operations goes first on a machine;
* ``bounds``: bisection of integer bounds: for each integer ``x`` of an order-encoded class
  the ladder of its literals ``[x <= a]``, of which the cuber tries the middle of the
  window still open at each node, so a cube is a box of start times.  On job shop at
  optimum - 1 the cubes' total work stays close to the monolithic solve's as the number of
  cubes grows, where atom and CNF-level splits grow it (``benchmarks/RESULTS.md``, "Cube
  and conquer"); the cost is 2 propagations a node per ladder tried
  (``LookaheadCuber.ladder_candidates``);
* ``smt+bounds``: both pools, the lookahead picks;
* ``cnf``: any CNF variable (``variables=None``, no ladders).

Classes encoded otherwise (EIJ, small domains) have no ladder; ``bounds`` then falls back
to the atoms, so a cube set is never empty of choices where ``smt`` had some.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass
class SplitSpace:
    """Arguments of ``LookaheadCuber.cubes``: static ``variables`` (None: any) and ladders."""

    variables: Optional[list[int]]
    ladders: list[list[int]] = field(default_factory=list)


def ladders(enc: Any) -> list[list[int]]:
    """The order literals ``[x <= a]``, ``a`` ascending, of every order-encoded integer."""
    from ..encode.order import OrderDecoder

    out = []
    for d in enc.decoders:
        if not isinstance(d, OrderDecoder):
            continue
        for x in d.base:
            lo, hi = d.dom.lo[x], d.dom.hi[x]
            lad = [d.literal(x, a) for a in range(lo, hi)]
            lad = [lit for lit in lad if lit is not None]
            if lad:
                out.append(lad)
    return out


def atoms(enc: Any) -> SplitSpace:
    return SplitSpace([p.var for p in enc.tseitin.preds])


def bounds(enc: Any) -> SplitSpace:
    lads = ladders(enc)
    return SplitSpace([] if lads else [p.var for p in enc.tseitin.preds], lads)


def atoms_and_bounds(enc: Any) -> SplitSpace:
    return SplitSpace([p.var for p in enc.tseitin.preds], ladders(enc))


def anything(enc: Any) -> SplitSpace:
    return SplitSpace(None)


def split_space(enc: Any, level: str) -> SplitSpace:
    """Where to split ``enc`` (an ``encode.Encoded``) at ``level`` (a name of ``cube.LEVELS``)."""
    from . import LEVELS

    return LEVELS[level].load()(enc)  # type: ignore[no-any-return]
