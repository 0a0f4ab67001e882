"""The assertion stack: what the SMT-LIB session and the Python ``Solver`` both run on.

``Context`` keeps the assertions and declarations by level (``push`` / ``pop``), the names of
``:named`` assertions (unsat cores), and decides each ``check``:

* the one-shot pipeline (``engine.check_sat``: the configured back end, portfolio, cubes,
  certificates) for the first check of a context that has not pushed, assumes or tracks
  cores (a script with one ``check-sat`` runs exactly as before), and always with
  ``--proof``, ``--cubes``, ``--ray`` or ``--backend kissat`` (re-encoding each time);
* otherwise the incremental solver (``incremental.py``): one encoding and one in-process
  CaDiCaL, assertions added in place under guards, re-encoded only when that is not sound.
  It gives unsat cores (the ``:named`` assertions, with ``:produce-unsat-cores``) and the
  failed assumptions of ``check-sat-assuming``.

A core is relative to the assertions that are not named (as in Z3 and cvc5): the named
assertions it lists, with every unnamed assertion in force, are unsat.

The lemma store (``memo/use.py``): the one-shot pipeline consults it itself; before an
incremental check the context looks up a stored answer of the query (a ``sat`` model is
checked; an ``unsat`` one is used when no core or failed assumptions are asked for) and
asserts the clauses of stored refutations that apply, for this check only (under a guard
of their own, like an assumption: they follow from the assertions in force, which a
``pop`` may remove).  Keys are shared across checks (``memo.cache``).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

from .config import Config
from .ir.terms import Term, TermManager
from .memo.use import MemoContext
from .result import Result, Stats, Status


@dataclass
class Asserted:
    """An assertion on the stack: its term, its ``:named`` name when cores are tracked, its
    source (offsets of ``(assert ...)`` in the session's text, for ``get-assertions``), and
    its guard key in the incremental solver (None: permanent)."""

    term: Term
    name: Optional[str]
    key: Optional[str]
    serial: int
    source: Optional[tuple[int, int]] = None


class Context:
    """Assertions and declarations by level, and ``check`` (see the module doc)."""

    def __init__(self, config: Config, *, positions: Optional[Mapping[Term, int]] = None,
                 terms: Optional[TermManager] = None):
        self.config = config
        self.positions = positions  # source offsets of atoms, for errors
        self.terms_manager = terms  # (the lemma store's clauses are made with it)
        self.logic: Optional[str] = None  # the script's (the lemma store's keys have it)
        self.memo = MemoContext()
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
        self._inc = None  # the IncrementalSolver
        self._encoded: set[int] = set()  # serials of the assertions it has

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
            if self._inc is not None:
                self._inc.retire(key)
                for a in dead:
                    self._encoded.discard(a.serial)
                    if a.name is not None:
                        self._inc.retire(a.key)

    def reset(self, *, declarations: bool = True) -> None:
        """Forget every assertion and level, and the declarations unless ``declarations`` is
        False (then the permanent ones stay: ``reset-assertions`` under
        ``:global-declarations``)."""
        self.close()
        self._clear()
        if declarations:
            self.permanent = []

    def close(self) -> None:
        if self._inc is not None:
            self._inc.close()
            self._inc = None

    # -- deciding ----------------------------------------------------------------------
    def check(self, assumptions: Sequence[Term] = (), *, proof_dir: Optional[str] = None) -> Result:
        """Decide the assertions (and ``assumptions``, for this call only)."""
        from .engine import check_sat, within_memory_limit

        self.core = self.failed = None
        if self._one_shot(assumptions, proof_dir):
            res = check_sat(self.terms() + list(assumptions), self.declared, config=self.config,
                            positions=self.positions, proof_dir=proof_dir, logic=self.logic,
                            memo=self.memo)
        else:
            stats = Stats()
            res = within_memory_limit(self.config, stats,
                                      lambda: self._check_incremental(list(assumptions), stats))
        self.checks += 1
        self.last = res
        return res

    def _one_shot(self, assumptions: Sequence[Term], proof_dir: Optional[str]) -> bool:
        cfg = self.config
        if proof_dir is not None or cfg.cubes != "none" or cfg.ray is not None \
                or cfg.backend == "kissat":
            return True
        return (self._inc is None and self.checks == 0 and not assumptions and not self.marks
                and not self.cores)

    def _check_incremental(self, assumptions: list[Term], stats: Stats) -> Result:
        look = self.memo.start(self.config, self.terms() + assumptions, self.logic, {})
        if look is None:
            return self._incremental(assumptions, stats, None)
        try:
            return self._incremental(assumptions, stats, look)
        finally:
            look.counters(stats)

    def _stored(self, look, assumptions: list[Term], stats: Stats) -> Optional[Result]:  # type: ignore[no-untyped-def]
        """A stored answer of the query, usable here (module doc), or None."""
        if look is None:
            return None
        ans = look.answer(self.terms() + assumptions, self.declared)
        if ans is None:
            return None
        if ans.status == Status.UNSAT and (self.cores or assumptions):
            return None  # (a core or the failed assumptions are asked for: solve)
        if ans.status == Status.UNSAT:
            self.core, self.failed = [], []
        stats.notes["memo"] = "answer from the lemma store"
        return Result(ans.status, ans.model, stats)

    def _lemma_items(self, look, assumptions: list[Term]) -> list[tuple[Term, str]]:  # type: ignore[no-untyped-def]
        """The clauses of the stored refutations that apply, as this check's items."""
        from .memo.match import lemma_term

        if look is None or self.cores or assumptions or self.terms_manager is None:
            return []
        from .memo.use import LEMMA_ROUNDS

        entries = look._call(lambda s: s.applicable(look.qk, rounds=LEMMA_ROUNDS), [])
        sorts = {v.val: v.sort for v in self.declared}
        items = []
        for e in entries:
            t = lemma_term(e, self.terms_manager, sorts)
            if t is None:
                break
            items.append((t, f"m{e.id}"))
            look.used.append(e)
        if len(items) != len(entries) and look.store is not None:
            look.store.counters.applied -= len(entries) - len(items)
        return items

    def _incremental(self, assumptions: list[Term], stats: Stats, look) -> Result:  # type: ignore[no-untyped-def]
        from .check.model import check_model
        from .incremental import IncrementalSolver

        deadline = None if self.config.timeout is None else \
            time.perf_counter() + self.config.timeout
        stored = self._stored(look, assumptions, stats)
        if stored is not None:
            return stored
        lemmas = self._lemma_items(look, assumptions)
        if lemmas:
            stats.notes["memo"] = f"{len(lemmas)} stored refutation(s) applied"
        keys = {t: f"a{t.id}" for t in assumptions}
        keys.update(lemmas)
        pending = [(a.term, a.key) for a in self.assertions if a.serial not in self._encoded]
        pending += [(t, k) for t, k in keys.items()
                    if self._inc is None or not self._inc.knows(k)]
        if self._inc is None or (pending and not self._inc.add(pending, stats)):
            why = "built" if self._inc is None else f"rebuilt ({self._inc.why})"
            self.close()
            items = [(a.term, a.key) for a in self.assertions] + list(keys.items())
            self._inc = IncrementalSolver(items, self.config, positions=self.positions,
                                          stats=stats)
            stats.notes["incremental"] = why
        elif pending:
            stats.notes["incremental"] = f"{len(pending)} added in place"
        else:
            stats.notes["incremental"] = "unchanged"
        self._encoded = {a.serial for a in self.assertions}
        inc = self._inc
        stats.counts.update(vars=inc.compiled.cnf.nvars)
        if deadline is not None and time.perf_counter() >= deadline:
            return Result(Status.UNKNOWN, {}, stats, "timeout")
        live = [key for _, _, key in self.marks]
        live += [a.key for a in self.assertions if a.name is not None]
        status, model, core = inc.solve(live + list(keys.values()), self.declared, deadline,
                                        stats)
        if status == Status.UNSAT:
            failed = set(core)
            self.core = [a.name for a in self.assertions if a.name is not None and a.key in failed]
            self.failed = [i for i, t in enumerate(assumptions) if keys[t] in failed]
            return Result(status, {}, stats)
        if status == Status.UNKNOWN:
            return Result(status, {}, stats, "timeout")
        if self.config.check_models:
            t0 = time.perf_counter()
            check_model(self.terms() + assumptions, model)
            stats.add_time("check", time.perf_counter() - t0)
            stats.notes["model_checked"] = "yes"
        if look is not None:
            look.record_sat(model, seconds=stats.times.get("solve", 0.0))
        return Result(status, model, stats)


__all__ = ["Asserted", "Context"]
