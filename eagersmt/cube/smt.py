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

A linear encoding (``encode/linear.py``, or the checkable one of certificates: log-encoded
integers with their ``bits``, order-encoded ones with their ``ladders``, pseudo-Boolean
constraints) has no difference atoms: there ``smt`` is its linear atoms and 0-1
(pseudo-Boolean) variables, ``bounds`` the top bit of each log-encoded integer's offset
``x - lo`` (fixing it halves the window: a bisection), falling back to the atoms when no
integer has one, and the ladders of the order-encoded ones.  A cube of any of them is a
conjunction of literals of the CNF, so the cubes cover every model as any cubes do
(``check_coverage``).
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


def _linear(enc: Any) -> bool:
    """Is ``enc`` a linear encoding (log-encoded integers: ``bits``, x -> (lo, bits))?"""
    return hasattr(enc, "bits")


def _atoms(enc: Any) -> list[int]:
    """The variables of the theory atoms: difference predicates, or linear atoms and 0-1
    variables of a linear encoding."""
    from ..ir.linear import ATOM_PREFIX

    if not _linear(enc):
        return [p.var for p in enc.tseitin.preds]
    out = [v for name, v in enc.tseitin.bool_vars.items() if name.startswith(ATOM_PREFIX)]
    out += [bits[0] for lo, bits in enc.bits.values() if len(bits) == 1]
    out += [lits[0] for lo, lits in getattr(enc, "ladders", {}).values() if len(lits) == 1]
    return list(dict.fromkeys(out))


def _halves(enc: Any) -> list[int]:
    """The top bit of every log-encoded integer of width 2 or more (a linear encoding)."""
    return [bits[-1] for _, bits in enc.bits.values() if len(bits) >= 2]


def _linear_ladders(enc: Any) -> list[list[int]]:
    """The order literals ``[x <= a]``, ``a`` ascending, of a linear encoding's order-encoded
    integers of three values or more (its ladders are ``[x >= a]``)."""
    return [[-lit for lit in lits] for _, lits in getattr(enc, "ladders", {}).values()
            if len(lits) >= 2]


def atoms(enc: Any) -> SplitSpace:
    return SplitSpace(_atoms(enc))


def bounds(enc: Any) -> SplitSpace:
    if _linear(enc):
        return SplitSpace(_halves(enc) or _atoms(enc), _linear_ladders(enc))
    lads = ladders(enc)
    return SplitSpace([] if lads else _atoms(enc), lads)


def atoms_and_bounds(enc: Any) -> SplitSpace:
    if _linear(enc):
        return SplitSpace(list(dict.fromkeys(_atoms(enc) + _halves(enc))), _linear_ladders(enc))
    return SplitSpace(_atoms(enc), ladders(enc))


def anything(enc: Any) -> SplitSpace:
    return SplitSpace(None)


def split_space(enc: Any, level: str) -> SplitSpace:
    """Where to split ``enc`` (an ``encode.Encoded``) at ``level`` (a name of ``cube.LEVELS``)."""
    from . import LEVELS

    return LEVELS[level].load()(enc)  # type: ignore[no-any-return]
