"""The assertion stack: what the SMT-LIB session and the Python ``Solver`` both run on.

``Context`` keeps the assertions and declarations by level (``push`` / ``pop``), the names of
``:named`` assertions (unsat cores), and hands each ``check`` to the decision core
(``core.decide``) as a ``Query``: the core chooses one-shot or its kept guarded encoding
(``core/kept.py``), consults the lemma store's hook, and checks the model.  The failed
guards of an ``unsat`` (decided on the kept encoding) become the core (the ``:named``
assertions) and the failed assumptions of ``check-sat-assuming``.

A core is relative to the assertions that are not named (as in Z3 and cvc5): the named
assertions it lists, with every unnamed assertion in force, are unsat.
"""

from __future__ import annotations

import itertools
from typing import Mapping, Optional, Sequence

from .config import Config
from .core import Kept, Query, Source, decide
from .core.query import assumption_key
from .ir.terms import Term, TermManager
from .result import Result, Status


class Asserted:
    """An assertion on the stack: its term, its ``:named`` name when cores are tracked, its
    source (offsets of ``(assert ...)`` in the session's text, for ``get-assertions``), and
    its guard key in the incremental solver (None: permanent).  (A plain class: the solve
    path does not import ``dataclasses``; ``result.py``.)"""

    __slots__ = ("term", "name", "key", "serial", "source")

    def __init__(self, term: Term, name: Optional[str], key: Optional[str], serial: int,
                 source: Optional[tuple[int, int]] = None) -> None:
        self.term = term
        self.name = name
        self.key = key
        self.serial = serial
        self.source = source


class Context:
    """Assertions and declarations by level, and ``check`` (see the module doc)."""

    def __init__(self, config: Config, *, positions: Optional[Mapping[Term, int]] = None,
                 terms: Optional[TermManager] = None):
        self.config = config
        self.positions = positions  # source offsets of atoms, for errors
        self.terms_manager = terms  # (the lemma store's clauses are made with it)
        self.logic: Optional[str] = None  # the script's (the lemma store's keys have it)
        self.kept = Kept()  # the core's state across this stack's checks
        self.cores = False  # track :named assertions (produce-unsat-cores)
        self._ids = itertools.count()
        self.permanent: list[Term] = []  # declarations no pop removes (:global-declarations)
        self._clear()

    def _clear(self) -> None:
        self.assertions: list[Asserted] = []
        self.scoped: list[Term] = []  # declarations by level
        self.marks: list[tuple[int, int, str]] = []  # per level: sizes at push, its guard key
        self.checks = 0
        self.last: Optional[Result] = None
        self.core: Optional[list[str]] = None  # names of the last unsat core
        self.failed: Optional[list[int]] = None  # indices of the last failed assumptions

    # -- the stack ---------------------------------------------------------------------
    @property
    def levels(self) -> int:
        return len(self.marks)

    def terms(self) -> list[Term]:
        return [a.term for a in self.assertions]

    @property
    def declared(self) -> list[Term]:
        """The declared constants in force (the model gives them values)."""
        return self.permanent + self.scoped if self.permanent else self.scoped

    def add(self, term: Term, names: Sequence[str] = (),
            source: Optional[tuple[int, int]] = None) -> Asserted:
        """Assert ``term`` at the current level (``names``: its ``:named`` names)."""
        serial = next(self._ids)
        name = names[0] if names and self.cores else None
        key = f"n{serial}" if name is not None else (self.marks[-1][2] if self.marks else None)
        a = Asserted(term, name, key, serial, source)
        self.assertions.append(a)
        return a

    def declare(self, var: Term, *, permanent: bool = False) -> None:
        """Declare ``var`` at the current level (``permanent``: for good, until ``reset``)."""
        (self.permanent if permanent else self.scoped).append(var)

    def push(self, n: int = 1) -> None:
        for _ in range(n):
            self.marks.append((len(self.assertions), len(self.scoped), f"s{next(self._ids)}"))

    def pop(self, n: int = 1) -> None:
        """Remove the ``n`` innermost levels (``ValueError`` if there are fewer)."""
        if n < 0 or n > len(self.marks):
            raise ValueError(f"cannot pop {n} level(s): {len(self.marks)} pushed")
        for _ in range(n):
            na, nd, key = self.marks.pop()
            dead = self.assertions[na:]
            del self.assertions[na:]
            del self.scoped[nd:]
            self.kept.retire([key] + [a.key for a in dead if a.name is not None],  # type: ignore[misc]
                             [a.serial for a in dead])

    def reset(self, *, declarations: bool = True) -> None:
        """Forget every assertion and level, and the declarations unless ``declarations`` is
        False (then the permanent ones stay: ``reset-assertions`` under
        ``:global-declarations``)."""
        self.kept.reset()
        self._clear()
        if declarations:
            self.permanent = []

    def close(self) -> None:
        self.kept.close()

    # -- deciding ----------------------------------------------------------------------
    def check(self, assumptions: Sequence[Term] = (), *, proof_dir: Optional[str] = None,
              source: Optional[Source] = None) -> Result:
        """Decide the assertions (and ``assumptions``, for this call only); with
        ``proof_dir`` an ``unsat`` answer's certificate goes there, stamped with ``source``."""
        self.core = self.failed = None
        terms, keys, serials = [], [], []
        live = [key for _, _, key in self.marks]
        for a in self.assertions:
            terms.append(a.term)
            keys.append(a.key)
            serials.append(a.serial)
            if a.name is not None:
                live.append(a.key)  # type: ignore[arg-type]
        query = Query(
            assertions=terms, declarations=self.declared, assumptions=list(assumptions),
            keys=keys, serials=serials, live=live,
            base=self.marks[-1][0] if self.marks else None, cores=self.cores,
            proof_dir=proof_dir, source=source, logic=self.logic, positions=self.positions,
            terms=self.terms_manager, first=self.checks == 0)
        res = decide(query, self.config, self.kept)
        failed = self.kept.failed
        if res.status == Status.UNSAT and failed is not None:
            self.core = [a.name for a in self.assertions if a.name is not None and a.key in failed]
            self.failed = [i for i, t in enumerate(assumptions) if assumption_key(t) in failed]
        self.checks += 1
        self.last = res
        return res


__all__ = ["Asserted", "Context"]
