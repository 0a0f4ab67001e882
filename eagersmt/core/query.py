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

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping, Optional, Sequence

if TYPE_CHECKING:
    from ..ir.terms import Term, TermManager


@dataclass
class Source:
    """The input a certificate is stamped with (``check.certificate.stamp_input``)."""

    text: str
    filename: Optional[str]
    check_sat: int  # 1-based index of the check-sat in the script


@dataclass
class Bound:
    """The bound of a bound query (module doc): ``p - m <= a`` (None: no bound, the first
    model); ``improve`` maps the model's integer values (by circuit index) to better ones
    that satisfy the formula too (None: unbounded below, the values are kept)."""

    a: Optional[int]
    improve: Optional[Callable[[dict[int, int]], Optional[dict[int, int]]]] = None


@dataclass
class Query:
    """One check (module doc).  ``keys[i]`` is the guard key of ``assertions[i]``;
    ``serials[i]`` identifies it across queries (what a kept encoding already has);
    ``live``: the guard keys in force (levels and named assertions); ``base``: how many
    assertions lie below the innermost level (None: no level)."""

    assertions: Sequence["Term"]
    declarations: Sequence["Term"]
    assumptions: Sequence["Term"] = ()
    keys: Sequence[Optional[str]] = ()
    serials: Sequence[int] = ()
    live: Sequence[str] = ()
    base: Optional[int] = None
    cores: bool = False  # the failed named assertions are wanted (produce-unsat-cores)
    proof_dir: Optional[str] = None
    source: Optional[Source] = None
    logic: Optional[str] = None
    positions: Optional[Mapping["Term", int]] = None  # source offsets of atoms, for errors
    terms: Optional["TermManager"] = None  # (the lemma store states its clauses with it)
    first: bool = True  # no check of this stack came before
    bound: Optional[Bound] = None  # a bound query (module doc)
    deadline: Optional[float] = None  # (perf_counter) None: ``config.timeout`` from now

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
