"""What is asked of the core: one query.

A ``Query`` is the assertions in force (each with the guard key of its ``push`` level or of
its ``:named`` name, ``None`` when permanent), the declarations whose values a model gives,
the assumptions of this check only, and what is wanted besides the answer: the failed
guards (unsat cores, ``check-sat-assuming``) and a certificate (``proof_dir``, stamped with
``source``).  The stack that builds it (``context.Context``) keeps no solver: the core's
``Kept`` state does.

A *bound query* (``bound``: the optimizer's search) asks instead whether the assertions
have a model with ``p - m <= a`` on the bound encoding its ``Kept`` holds
(``Kept.bounds``, ``bounded.py``), the model's raw circuit values improved by
``Bound.improve`` before they are decoded and checked, and given back in ``Kept.values``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Mapping, Optional, Sequence

if TYPE_CHECKING:
    from ..ir.terms import Term, TermManager


class Source:
    """The input a certificate is stamped with (``check.certificate.stamp_input``).  (This
    module's classes are plain classes: the solve path does not import ``dataclasses``;
    ``result.py``.)"""

    __slots__ = ("text", "filename", "check_sat")

    def __init__(self, text: str, filename: Optional[str], check_sat: int) -> None:
        self.text = text
        self.filename = filename
        self.check_sat = check_sat  # 1-based index of the check-sat in the script


class Bound:
    """The bound of a bound query (module doc): ``p - m <= a`` (None: no bound, the first
    model); ``improve`` maps the model's integer values (by circuit index) to better ones
    that satisfy the formula too (None: unbounded below, the values are kept)."""

    __slots__ = ("a", "improve")

    def __init__(self, a: Optional[int],
                 improve: Optional[Callable[[dict[int, int]], Optional[dict[int, int]]]] = None
                 ) -> None:
        self.a = a
        self.improve = improve


class Query:
    """One check (module doc).  ``keys[i]`` is the guard key of ``assertions[i]``;
    ``serials[i]`` identifies it across queries (what a kept encoding already has);
    ``live``: the guard keys in force (levels and named assertions); ``base``: how many
    assertions lie below the innermost level (None: no level); ``cores``: the failed named
    assertions are wanted (produce-unsat-cores); ``positions``: source offsets of atoms,
    for errors; ``terms``: the lemma store states its clauses with it; ``first``: no check
    of this stack came before; ``bound``: a bound query (module doc); ``deadline``
    (``perf_counter``): None, ``config.timeout`` from now."""

    __slots__ = ("assertions", "declarations", "assumptions", "keys", "serials", "live",
                 "base", "cores", "proof_dir", "source", "logic", "positions", "terms",
                 "first", "bound", "deadline")

    def __init__(self, assertions: Sequence["Term"], declarations: Sequence["Term"],
                 assumptions: Sequence["Term"] = (), keys: Sequence[Optional[str]] = (),
                 serials: Sequence[int] = (), live: Sequence[str] = (),
                 base: Optional[int] = None, cores: bool = False,
                 proof_dir: Optional[str] = None, source: Optional[Source] = None,
                 logic: Optional[str] = None,
                 positions: Optional[Mapping["Term", int]] = None,
                 terms: Optional["TermManager"] = None, first: bool = True,
                 bound: Optional[Bound] = None, deadline: Optional[float] = None) -> None:
        self.assertions = assertions
        self.declarations = declarations
        self.assumptions = assumptions
        self.keys = keys
        self.serials = serials
        self.live = live
        self.base = base
        self.cores = cores
        self.proof_dir = proof_dir
        self.source = source
        self.logic = logic
        self.positions = positions
        self.terms = terms
        self.first = first
        self.bound = bound
        self.deadline = deadline

    @property
    def everything(self) -> list["Term"]:
        """The assertions and the assumptions: what a model must satisfy."""
        return list(self.assertions) + list(self.assumptions)

    @property
    def wants_failed(self) -> bool:
        """Are the failed guards asked for (a core, or the failed assumptions)?"""
        return self.cores or bool(self.assumptions)


def assumption_key(t: "Term") -> str:
    """The guard key of assumption ``t`` in a kept encoding."""
    return f"a{t.id}"


__all__ = ["Bound", "Query", "Source", "assumption_key"]
