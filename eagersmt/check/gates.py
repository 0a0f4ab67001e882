"""Is a clause implied by a gate's definition?  The rule ``check/linear.py`` (adders) and
``check/sd.py`` (the small-domain circuits) accept a gate's clauses by.

A gate is a fresh variable ``g`` defined as a function of earlier variables (its inputs);
under the checker's assignment it takes that function's value, so a clause over ``g`` and
its inputs' variables holds whenever it holds in every assignment of the inputs with ``g``
set by its definition.  Cost: ``2^k`` evaluations for ``k`` input variables (at most three
here).  Reference: Tseitin (1968), definitions as new variables.
"""

from __future__ import annotations

from typing import Callable

KINDS: dict[str, Callable[[list[bool]], bool]] = {
    "and": all,  # both inputs
    "xor": lambda v: sum(v) % 2 == 1,  # parity (an adder's sum)
    "maj": lambda v: sum(v) >= 2,  # at least two of three (an adder's carry)
}


def implied(g: int, kind: str, ins: tuple[int, ...], clause: list[int]) -> bool:
    """Does gate ``g``'s definition (``kind`` of the literals ``ins``) imply ``clause``, a
    clause over ``g`` and its inputs' variables only?"""
    names = sorted({abs(a) for a in ins})
    if g in names or any(abs(lit) != g and abs(lit) not in names for lit in clause):
        return False
    for bits in range(1 << len(names)):
        value = {v: bool(bits >> j & 1) for j, v in enumerate(names)}
        value[g] = KINDS[kind]([value[abs(a)] == (a > 0) for a in ins])
        if not any(value[abs(lit)] == (lit > 0) for lit in clause):
            return False
    return True


__all__ = ["KINDS", "implied"]
