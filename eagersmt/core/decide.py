r"""The one decision of a query, written once.

    Query --normalize--> circuit --store hook: before--> (answer | lemmas | nothing)
          --one-shot: encode, strategy (solve_normalized)
            kept:     the guarded encoding extended or rebuilt, one SAT call (Kept.solve)--> model
          --check on the original assertions--> certificate stamped --store hook: after--> Result

    bound query --kept bound encoding, p - m <= a (Kept.bounds.solve)--> raw values
          --improve (compaction)--> decode --check on the original assertions--> Result

One-shot or kept is a choice made here, like the strategy: a query is decided one-shot
(``steps.py``: the configured back end, portfolio, cubes, certificates; re-encoded each
time) when it is the first check of a stack that has not pushed, assumed or asked for cores
(a script with one ``check-sat`` runs exactly so), and always with a certificate
(``--proof``), cubes, Ray, or a back end that can neither run in this process nor go on
from a CaDiCaL loaded in it (its registry entry says: ``opens_solver``, ``warm``).
Otherwise on the kept guarded encoding (``kept.py``, ``guarded.py``), which gives the
failed guards of an ``unsat`` (cores, failed assumptions).

A bound query (``Query.bound``: the optimizer's search) is decided on the bound encoding
its ``Kept`` holds (``bounded.py``: one order encoding and one CaDiCaL across the search,
``p - m <= a`` an assumption, or the re-encoding fall-back): raw values, improved by the
query's ``improve``, then decoded and checked as every model is.

A one-shot query under a learnt strategy (``config.strategy`` or ``$EAGERSMT_STRATEGY``:
``tune/selector.py``) gets the options its features pick, or goes to a lazy solver
(``tune/lazy.py``) whose model is checked below as every model is; a kept query is decided
with the options as given.

Limits (``limits.py``): the memory limit and Ctrl-C are handled here, around everything
(a bound query: around the whole search that asks it, ``optimize/search.py``); the
deadline (``query.deadline``, else ``config.timeout`` from now) is passed to every SAT
call.  The lemma store is reached through its hook only (``hook.py``; off unless
configured; the optimizer's part: ``StoreHook.optimizer``).
"""

from __future__ import annotations

import os
import time
from functools import partial
from typing import Optional

from ..backends import BACKENDS
from ..compile import is_linear, normalize_assertions
from ..config import STRATEGY_ENV, Config
from ..ir.circuit import FALSE
from ..result import Result, Stats, Status
from .hook import Before
from .kept import Kept
from .limits import within_limits
from .model import check
from .query import Query, assumption_key
from .steps import solve_normalized


def decide(query: Query, config: Config, kept: Kept) -> Result:
    """Decide ``query`` (module doc).  A ``sat`` model is checked on the assertions and
    assumptions unless ``config.check_models`` is off; ``kept.failed`` is the failed guards
    of an ``unsat`` decided on the kept encoding (None otherwise); ``kept.values`` the raw
    values of a bound query's ``sat`` model (``kept.improved``: improved by its
    ``improve``)."""
    if query.bound is not None:
        return _decide_bound(query, config, kept)
    stats = Stats()
    kept.failed = None
    return within_limits(config, partial(_decide, query, config, kept, stats),
                         partial(Result, Status.UNKNOWN, {}, stats), kept.close)


def one_shot(query: Query, config: Config, kept: Kept) -> bool:
    """Is ``query`` decided one-shot rather than on the kept encoding (module doc)?"""
    entry = BACKENDS[config.backend]
    if query.proof_dir is not None or config.cubes != "none" or config.ray is not None \
            or not (entry.opens_solver or entry.warm):
        return True
    return (kept.solver is None and query.first and not query.assumptions and not query.live
            and not query.cores)


def _decide_bound(query: Query, config: Config, kept: Kept) -> Result:
    """A bound query on ``kept.bounds`` (module doc); its statistics go to the search's."""
    bounds, bound = kept.bounds, query.bound
    assert bounds is not None and bound is not None
    kept.values, kept.improved = None, False
    stats = bounds.stats
    status, raw = bounds.solve(bound.a, _deadline(query, config))
    if status != Status.SAT:
        return Result(status, {}, stats, "timeout" if status == Status.UNKNOWN else "")
    assert raw is not None
    ints, bools = raw
    better = None if bound.improve is None else bound.improve(ints)
    if better is not None:
        ints, kept.improved = better, True
    model = bounds.norm.decode(ints, bools, query.declarations)
    if config.check_models:
        check(query.everything, model, stats, note=False)
    kept.values = (ints, bools)
    return Result(Status.SAT, model, stats)


def _deadline(query: Query, config: Config) -> Optional[float]:
    if query.deadline is not None or config.timeout is None:
        return query.deadline
    return time.perf_counter() + config.timeout


def _decide(query: Query, config: Config, kept: Kept, stats: Stats) -> Result:
    deadline = _deadline(query, config)
    single = one_shot(query, config, kept)
    norm = None
    if single:
        norm = normalize_assertions(query.everything, positions=query.positions, stats=stats,
                                    checkable=query.proof_dir is not None)
    # (a formula that normalizing decided costs less to answer than to look up; a linear
    # one's circuit is empty, its formula is in ``boolean``)
    decided = norm is not None and not is_linear(norm) and (
        FALSE in norm.circuit.roots or not norm.circuit.roots)
    hook = None if decided else kept.hook(config)
    before = Before() if hook is None else hook.before(query, config, norm, stats)
    if before.answer is not None:
        res = before.answer
        if res.status == Status.UNSAT and not single:
            kept.failed = set()  # (the store answers unsat only when no core is asked for)
    else:
        if before.applied:
            stats.notes["memo"] = f"{before.applied} stored refutation(s) applied"
        lazy = None
        if norm is not None and (config.strategy or os.environ.get(STRATEGY_ENV)):
            from ..tune.selector import select

            config, lazy = select(config, norm, query.everything, query.logic, stats,
                                  certified=query.proof_dir is not None)
        if lazy is not None:
            from ..tune.lazy import solve_lazy

            res = solve_lazy(lazy, query.everything, query.declarations, logic=query.logic,
                             stats=stats, deadline=deadline)
        elif norm is not None:
            res = solve_normalized(norm, query.declarations, config, stats=stats,
                                   proof_dir=query.proof_dir, deadline=deadline)
        else:
            from .guarded import NotKeepable

            try:
                res = kept.solve(query, before.lemmas, config, stats, deadline)
            except NotKeepable as e:
                res = _one_shot_instead(query, config, kept, stats, deadline, str(e))
        if res.status == Status.SAT and config.check_models:
            check(query.everything, res.model, stats)
    certificate = _stamp(query, res)
    if hook is not None:
        hook.after(query, res, certificate)
    return res


def _one_shot_instead(query: Query, config: Config, kept: Kept, stats: Stats,
                      deadline: Optional[float], why: str) -> Result:
    """A query the kept encoding cannot take, decided one-shot (re-encoded each check).  An
    ``unsat`` answer then names every guard in force as failed: the whole set of named
    assertions and assumptions is a core, if not a small one."""
    kept.close()
    stats.notes["incremental"] = f"one-shot ({why})"
    norm = normalize_assertions(query.everything, positions=query.positions, stats=stats,
                                checkable=query.proof_dir is not None)
    res = solve_normalized(norm, query.declarations, config, stats=stats,
                           proof_dir=query.proof_dir, deadline=deadline)
    if res.status == Status.UNSAT:
        kept.failed = set(query.live) | {assumption_key(t) for t in query.assumptions}
    return res


def _stamp(query: Query, res: Result) -> Optional[str]:
    """Stamp the certificate of an ``unsat`` answer with its input; its directory."""
    if query.proof_dir is None or res.status != Status.UNSAT:
        return None
    if query.source is not None:
        from ..check.certificate import stamp_input

        stamp_input(query.proof_dir, text=query.source.text, filename=query.source.filename,
                    check_sat=query.source.check_sat, assumptions=len(query.assumptions))
    res.stats.notes["certificate"] = query.proof_dir
    return query.proof_dir


__all__ = ["decide", "one_shot"]
