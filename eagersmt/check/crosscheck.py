"""``solve --cross-check``: the same file through a reference solver, answer by answer.

Idea: a wrong sat/unsat is the worst bug there is, so a user who wants a second opinion
gets one from a solver that shares no code with eagersmt (``check/reference.py`` runs it).
``compare`` lists the ``check-sat``s where both decided and disagree; ``unknown`` on
either side is not a disagreement.  Cost: the reference's own solving time, after ours.
"""

from __future__ import annotations

from typing import Sequence

from . import reference


def reference_answers(path: str, solver: str, timeout: float) -> list[str]:
    """Answers of ``solver`` (``z3``, ``cvc5`` or ``yices``) to each ``check-sat`` of ``path``."""
    return reference.run(solver, path, timeout)


def compare(ours: Sequence[str], theirs: Sequence[str], solver: str) -> list[str]:
    """Messages for each ``check-sat`` where both decided and disagree."""
    problems = []
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a != "unknown" and b != "unknown" and a != b:
            problems.append(f"check-sat #{i + 1}: eagersmt says {a}, {solver} says {b}")
    return problems
