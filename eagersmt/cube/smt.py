"""SMT-level cubing: what a cube may fix, chosen by what the CNF variables mean.

The lookahead cuber works on any CNF; this module tells it where to split for an encoded
SMT problem (``split_space``), by level:

* ``smt``: the difference atoms ``x - y <= c`` (their Tseitin variables).  Cubes read as
  orderings; on job shop, which of two operations goes first on a machine;
* ``bounds``: bisection of integer bounds (issue item 2): for each integer ``x`` of an
  order-encoded class the ladder of its literals ``[x <= a]``, of which the cuber tries
  the middle of the window still open at each node, so a cube is a box of start times.
  Measured on six hard job-shop instances at optimum - 1 (``benchmarks/bench_cubes.py
  sweep``, RESULTS.md "Cube-and-conquer speed-up"): from 2 to 16 cubes the cubes' total
  refutation work stays at 1.06-1.12x the monolithic solve's, where atom splits grow to
  1.66x and CNF-level ones to 1.33x (at 2-4 cubes those are as good); the cost is 2
  propagations a node per ladder tried (``LookaheadCuber.ladder_candidates``);
* ``smt+bounds``: both pools, the lookahead picks;
* ``cnf``: any CNF variable (``variables=None``, no ladders).

Classes encoded otherwise (EIJ, small domains) have no ladder; ``bounds`` then falls back
to the atoms, so a cube set is never empty of choices where ``smt`` had some.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

LEVELS = ("smt", "bounds", "smt+bounds", "cnf")


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


def split_space(enc: Any, level: str) -> SplitSpace:
    """Where to split ``enc`` (an ``encode.Encoded``) at ``level`` (one of ``LEVELS``)."""
    if level not in LEVELS:
        raise ValueError(f"cube level must be one of {', '.join(LEVELS)}, not {level!r}")
    if level == "cnf":
        return SplitSpace(None)
    atoms = [p.var for p in enc.tseitin.preds]
    if level == "smt":
        return SplitSpace(atoms)
    lads = ladders(enc)
    if level == "bounds":
        return SplitSpace([] if lads else atoms, lads)
    return SplitSpace(atoms, lads)
