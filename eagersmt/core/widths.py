"""Small domains first: a linear formula that only the solution bound makes finite is tried
on narrow domains before its full width.

Idea.  The solution bound (``ir/linear.py``) makes the log encoding exact, but wide: every
variable it closes gets that many bits, and each constraint over such variables grows with
them.  Most satisfiable formulas have small models.  Restricting each of those variables to
``[-2^k, 2^k]`` (kept inside its propagated bounds: a variable bounded on one side only
gets ``2^k`` values past that side) only removes models, so a model of the narrow CNF is a
model of the formula (and is checked on the original formula like every model); a narrow
``unsat`` says nothing, and the next round doubles ``k``; the last round is the full domain,
whose answer is exact either way.  The first round, ``k = 2`` (nine values on an open
variable), is for the models of a few small values (the matrix interpretations of
termination provers): domains that narrow take Sugar's order encoding
(``encode/linear.py``), which finds such models by propagation where the bits of wider
rounds search.  It is tried only when it leaves every domain that small: beside wider
bounded variables it is the same search as the next round, on fewer models.  This is the
under-approximation half of Kroening, Ouaknine, Seshia and Strichman, "Abstraction-based
satisfiability solving of Presburger arithmetic" (CAV 2004), without its proof-guided
choice of which widths to grow.

Cost: a narrow round is one encode and one SAT call on a CNF that grows with ``k``; an
unsatisfiable formula pays every narrow round (each capped at a share of the time left)
before the full one.  A certificate (``--proof``) is written by the full round alone.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator, Optional

from ..ir.linear import LinearNormalized

WIDTHS = (2, 6, 12, 24)  # bits of the narrow rounds, each tried only below the full width
ROUND_SHARE = 0.25  # a narrow round gets at most this share of the time left
ROUND_SECONDS = 20.0  # ... or this long when the query has no time limit


def narrow_rounds(norm: object) -> Iterator[tuple[int, LinearNormalized]]:
    """The narrow versions of ``norm`` (with their ``k``) to try before it, widest last
    (none when no variable depends on the solution bound)."""
    if not isinstance(norm, LinearNormalized) or not norm.open_sides or norm.infeasible:
        return
    full = norm.stats.get("solution_bound_bits", 0)
    for k in WIDTHS:
        if k + 1 >= full:
            return
        narrow = narrowed(norm, k)
        if k == WIDTHS[0] and any(hi - lo > 2 << k for lo, hi in narrow.domains.values()):
            continue  # (the first round only where every domain is that small)
        yield k, narrow


def narrowed(norm: LinearNormalized, k: int) -> LinearNormalized:
    """``norm`` with each variable that only the solution bound closes restricted to
    about ``2^k`` values on each open side."""
    half = 1 << k
    domains = dict(norm.domains)
    for x, (lo, hi) in norm.open_sides.items():
        full_lo, full_hi = norm.domains[x]
        if lo is None and hi is None:
            lo, hi = -half, half
        elif lo is None:
            lo = min(hi, 0) - half  # type: ignore[type-var]
        else:
            hi = max(lo, 0) + half
        domains[x] = (max(lo, full_lo), min(hi, full_hi))  # type: ignore[type-var]
    return replace(norm, domains=domains, open_sides={})


def round_deadline(now: float, deadline: Optional[float]) -> float:
    """When a narrow round started at ``now`` gives up."""
    if deadline is None:
        return now + ROUND_SECONDS
    return now + ROUND_SHARE * max(0.0, deadline - now)


__all__ = ["WIDTHS", "narrow_rounds", "narrowed", "round_deadline"]
