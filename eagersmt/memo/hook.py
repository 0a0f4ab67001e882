"""The lemma store's entry on the core: the hook ``core/hook.py`` defines, and nothing else.

The core makes a ``MemoHook`` when the configuration names a store (``core/hook.py``) and
keeps one per assertion stack (the query keys are shared across its checks:
``check/query_keys.KeyCache``).

``before``: one-shot (the core gives the normalized query): a stored answer of exactly this
query (with ``--proof``, an ``unsat`` one with its stored certificate), else a near query's
model repaired into one of this query (``repair.py``), else the stored refutations that
apply, added to the circuit (``Lookup.lemmas``).  On a kept encoding: a stored answer (an
``unsat`` one only when no core or failed assumptions are asked for), else the clauses of
the refutations that apply, as guarded clauses of this check only (they follow from the
assertions in force, which a ``pop`` may remove).  ``after``: a ``sat`` model recorded;
the certificates of applied refutations listed (or dropped); an ``unsat`` answer with its
stamped certificate recorded, and the refutation of the innermost level's assertions by
the ones below (``record.py``); the store's counters added to the statistics.
``optimizer``: the optimizer's use (``optimum.py``).

A linear query (atoms outside difference logic, keyed by their linear forms:
``check/query_keys.py``) uses stored answers of exactly this query only (a ``sat`` model
checked on it, as every stored model is) and records its ``sat`` models: refutations and
repairs are stated over difference constraints.  A query with uninterpreted functions does
not use the store (a stored model holds no function tables).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Optional

from ..core.hook import Before
from ..errors import UnsupportedError
from ..result import Result, Stats, Status

if TYPE_CHECKING:
    from ..config import Config
    from ..core.query import Query
    from ..ir.normalize import Normalized
    from ..ir.terms import Term
    from ..check.query_keys import KeyCache
    from .use import Lookup


class MemoHook:
    """One assertion stack's use of the store (module doc)."""

    def __init__(self) -> None:
        self.cache: Optional[KeyCache] = None
        self.last: Optional[Lookup] = None  # the last query's lookup
        self.answered = False  # the last query was answered by the store
        self.linear = False  # the last query is linear (module doc)

    def _start(self, config: "Config", assertions: list["Term"], logic: Optional[str],
               forms: Any) -> Optional["Lookup"]:
        from .use import Lookup, store_for

        if self.cache is None and store_for(config) is not None:
            from ..check.query_keys import KeyCache

            self.cache = KeyCache()
        self.last = Lookup.start(config, assertions, logic, forms, cache=self.cache)
        return self.last

    # -- before --------------------------------------------------------------------------
    def before(self, query: "Query", config: "Config", norm: Optional["Normalized"],
               stats: Stats) -> Before:
        from ..compile import is_linear, outside_difference
        from ..ir.terms import APPLY, iter_dag

        self.last = None
        self.answered = False
        self.linear = is_linear(norm) or outside_difference(query.everything)
        if self.linear and any(t.op == APPLY for t in iter_dag(list(query.everything))):
            return Before()
        try:
            look = self._start(config, query.everything, query.logic,
                               norm.forms if norm is not None and not self.linear else {})
        except (KeyError, ValueError, UnsupportedError):  # an atom no key describes
            self.last = None
            return Before()
        if look is None:
            return Before()
        if self.linear:
            got = self._answer_only(look, query, stats, norm is not None)
        else:
            got = self._one_shot(look, query, norm, stats) if norm is not None else \
                self._kept(look, query, stats)
        self.answered = got.answer is not None
        return got

    def _one_shot(self, look: "Lookup", query: "Query", norm: "Normalized",
                  stats: Stats) -> Before:
        from .repair import repaired
        from .use import write_answer_certificate

        ans = look.answer(query.everything, query.declarations)
        if ans is not None and not (ans.status == Status.UNSAT and query.proof_dir is not None
                                    and not write_answer_certificate(look, ans.entry,
                                                                     query.proof_dir)):
            stats.notes["memo"] = "answer from the lemma store"
            if ans.status == Status.SAT:
                stats.notes["model_checked"] = "yes"
            return Before(answer=Result(ans.status, ans.model, stats))
        got = repaired(look, norm, query.everything, query.declarations)
        if got is not None:
            look.record_sat(got[0], note="repaired")
            stats.notes["memo"] = "model repaired from a near stored answer"
            stats.notes["model_checked"] = "yes"
            return Before(answer=Result(Status.SAT, got[0], stats))
        return Before(applied=len(look.lemmas(norm, query.proof_dir)))

    def _answer_only(self, look: "Lookup", query: "Query", stats: Stats, one_shot: bool) -> Before:
        """A linear query: a stored answer of exactly it (an ``unsat`` one neither with
        ``--proof`` nor, on a kept encoding, when failed guards are asked for), or nothing."""
        ans = look.answer(query.everything, query.declarations)
        if ans is None or (ans.status == Status.UNSAT and (
                query.proof_dir is not None or (not one_shot and query.wants_failed))):
            return Before()
        stats.notes["memo"] = "answer from the lemma store"
        if ans.status == Status.SAT:
            stats.notes["model_checked"] = "yes"
        return Before(answer=Result(ans.status, ans.model, stats))

    def _kept(self, look: "Lookup", query: "Query", stats: Stats) -> Before:
        from .match import lemma_term

        ans = look.answer(query.everything, query.declarations)
        if ans is not None and not (ans.status == Status.UNSAT and query.wants_failed):
            stats.notes["memo"] = "answer from the lemma store"
            return Before(answer=Result(ans.status, ans.model, stats))
        if query.wants_failed or query.terms is None:
            return Before()
        entries = look.applicable()
        sorts = {v.val: v.sort for v in query.declarations}
        lemmas = []
        for e in entries:
            t = lemma_term(e, query.terms, sorts)
            if t is None:
                break
            lemmas.append((t, f"m{e.id}"))
            look.used.append(e)
        if len(lemmas) != len(entries) and look.store is not None:
            look.store.counters.applied -= len(entries) - len(lemmas)
        return Before(lemmas=lemmas, applied=len(lemmas))

    # -- after ---------------------------------------------------------------------------
    def after(self, query: "Query", result: Result, certificate: Optional[str]) -> None:
        from .use import write_lemma_certificates

        look = self.last
        if look is None:
            return
        stats = result.stats
        if self.answered:
            look.counters(stats)
            return
        if result.status == Status.SAT:
            look.record_sat(result.model, seconds=stats.times.get("solve", 0.0))
        if look.used and query.proof_dir is not None:
            if result.status == Status.UNSAT:
                write_lemma_certificates(look, query.proof_dir)
            else:
                look.drop_lemma_certificates(query.proof_dir)
        look.counters(stats)
        if certificate is not None and query.source is not None:
            self._record_unsat(look, query, result, certificate)

    def _record_unsat(self, look: "Lookup", query: "Query", result: Result,
                      certificate: str) -> None:
        """The ``unsat`` answer with its certificate, and the refutation of the innermost
        level's assertions by the rest (``record.py``)."""
        assert query.source is not None
        t0 = time.perf_counter()
        look.record_unsat(certificate, query.source.text,
                          seconds=result.stats.times.get("solve", 0.0))
        if not query.assumptions and query.base is not None and not look.used \
                and not self.linear:
            from .record import record_level_refutation

            terms = list(query.assertions)
            record_level_refutation(look, certificate, terms[:query.base], terms[query.base:],
                                    query.logic)
        look.counters(result.stats)
        result.stats.add_time("memo_record", time.perf_counter() - t0)

    # -- the optimizer -------------------------------------------------------------------
    def optimizer(self, query: "Query", config: "Config", objective: "Term", maximize: bool,
                  norm: "Normalized") -> Any:
        """The optimizer's use of the store (``optimum.Memo``), or None without a store
        or a term manager."""
        if query.terms is None:
            return None
        from .optimum import Memo
        from .use import Lookup

        look = Lookup.start(config, list(query.assertions), query.logic, norm.forms)
        if look is None:
            return None
        return Memo(look, query.assertions, query.declarations, query.terms, objective,
                    maximize, query.logic)


__all__ = ["MemoHook"]
