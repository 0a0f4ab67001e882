"""What the core keeps across the queries of one assertion stack: one guarded encoding.

``Kept`` belongs to a caller (a session's or a ``Solver``'s stack): the guarded encoding and
its CaDiCaL (``guarded.py``), which assertions it has (their serials), the store hook, and
the failed guards of the last ``unsat`` decided on it.  ``solve`` brings the encoding up to
the query (in place when sound, else rebuilt) and decides it under the live guards.
An optimizer's search keeps its bound encoding here (``bounds``, ``bounded.py``) and gets
the (improved) raw values of the last ``sat`` bound query (``values``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Optional

from ..config import Config
from ..ir.terms import Term
from ..result import Result, Stats, Status
from .hook import StoreHook, hook_for
from .query import Query, assumption_key

if TYPE_CHECKING:  # (imported where used: a script with one check-sat needs neither)
    from .bounded import Bounds, Raw
    from .guarded import GuardedSolver


class Kept:
    """A caller's state across queries (module doc)."""

    def __init__(self) -> None:
        self.solver: Optional[GuardedSolver] = None
        self.encoded: set[int] = set()  # serials of the assertions the solver has
        self.failed: Optional[set[str]] = None  # guard keys of the last unsat's core
        self._hook: Optional[StoreHook] = None
        self.bounds: Optional[Bounds] = None  # the bound encoding of a search
        self.values: Optional[Raw] = None  # raw values of the last sat bound query
        self.improved = False  # ``values`` were improved (``Bound.improve`` gave values)

    def hook(self, config: Config) -> Optional[StoreHook]:
        """The store hook of ``config`` (kept once a store is used: keys are shared)."""
        if self._hook is None:
            self._hook = hook_for(config)
        return self._hook

    def retire(self, keys: list[str], serials: list[int]) -> None:
        """Guards ``keys`` are off for good, the assertions ``serials`` gone (a ``pop``)."""
        if self.solver is None:
            return
        for key in keys:
            self.solver.retire(key)
        self.encoded.difference_update(serials)

    def close(self) -> None:
        if self.solver is not None:
            self.solver.close()
            self.solver = None
        if self.bounds is not None:
            self.bounds.close()
            self.bounds = None

    def reset(self) -> None:
        """Forget the encoding (the stack was reset)."""
        self.close()
        self.encoded = set()
        self.failed = None

    def solve(self, query: Query, lemmas: list[tuple[Term, str]], config: Config, stats: Stats,
              deadline: Optional[float]) -> Result:
        """Decide ``query`` on the guarded encoding, ``lemmas`` asserted for this check only
        (module doc); the model is decoded, not checked."""
        keys = {t: assumption_key(t) for t in query.assumptions}
        keys.update(lemmas)
        items = list(zip(query.assertions, query.keys))
        pending = [(t, k) for t, k, s in zip(query.assertions, query.keys, query.serials)
                   if s not in self.encoded]
        pending += [(t, k) for t, k in keys.items()
                    if self.solver is None or not self.solver.knows(k)]
        if self.solver is None or (pending and not self.solver.add(pending, stats)):
            from .guarded import GuardedSolver

            why = "built" if self.solver is None else f"rebuilt ({self.solver.why})"
            self.close()
            self.solver = GuardedSolver(items + list(keys.items()), config,
                                        positions=query.positions, stats=stats,
                                        terms=query.terms)
            stats.notes["incremental"] = why
        elif pending:
            stats.notes["incremental"] = f"{len(pending)} added in place"
        else:
            stats.notes["incremental"] = "unchanged"
        self.encoded = set(query.serials)
        solver = self.solver
        stats.counts.update(vars=solver.compiled.cnf.nvars)
        if deadline is not None and time.perf_counter() >= deadline:
            return Result(Status.UNKNOWN, {}, stats, "timeout")
        status, model, core = solver.solve(list(query.live) + list(keys.values()),
                                           query.declarations, deadline, stats)
        if status == Status.UNSAT:
            self.failed = set(core)
            return Result(status, {}, stats)
        if status == Status.UNKNOWN:
            return Result(status, {}, stats, "timeout")
        return Result(status, model, stats)


__all__ = ["Kept"]
