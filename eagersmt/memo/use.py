"""The lemma store in the solving pipeline: which store a run uses, and one query's use of it.

``store_for(config)`` opens the store ``config.memo`` names (``core/hook.location``: none
unless one is named), once per process and location.  A store that cannot be opened, or that fails later (a server gone), is a warning
(``MemoWarning``, once per location) and the run goes on without it: the store may speed a
run up, never stop it.

``Lookup`` is one query's use (through ``hook.py``: the core's decisions, the optimizer):

1. ``keys``: the query's assertion keys (``check/query_keys.py``; from ``Normalized.forms``);
2. ``answer``: a stored answer of exactly this query; else (one-shot ``solve``, the
   optimizer) ``repaired``: a near query's stored model repaired into a model of this one
   (``repair.py``; checked on the query's assertions).  A ``sat`` entry's model is checked on
   the query's assertions (always, whatever ``--no-check-models`` says: the store is not
   the solver), and an entry whose model fails is refused and deleted; an ``unsat`` entry is
   used as it is (its certificate is copied into ``--proof``'s directory on demand);
3. ``lemmas``: stored refutations whose support the query implies, their clauses ``not
   cube`` added to the normalized circuit (``match.lemma_root``), in the order
   ``MemoStore.applicable`` found them (a lemma may need an earlier one).  A certified run
   (``--proof``) applies only those whose cube the query asserts (``match.decides``: the
   lemma decides it): a certificate that used a lemma is not recorded, and the base of a
   session supports every later level's refutation, so applying lemmas that merely help
   would stop a cold certified session from recording after its first refutation;
4. ``record_sat`` / ``record_unsat`` / ``record_cube`` after solving.

What is recorded, and why (the cost of certificates, ``benchmarks/RESULTS.md``): ``sat``
answers always (a model: a few microseconds per variable); ``unsat`` answers only from runs
that write a certificate anyway (``--proof``): a certificate costs proof logging and a
checkable encoding (measured in RESULTS.md); the optimizer's bound
refutations always, certified from the search's own proof trace (``memo/optimum.py``);
refuted cubes of a ``--proof`` session or conquer (their certificates exist).

``counters(stats)`` adds what the store did for this query to ``--stats``: ``memo_looked_up``
(answer lookups and refutation matches), ``memo_answered`` (stored answers used),
``memo_applied`` (refutations applied), ``memo_repaired`` (answers from a repaired near
model), ``memo_refused`` (entries refused: not authentic,
malformed, or a model that failed its check), ``memo_written`` (entries recorded),
``memo_s`` (time in keys and the store).
"""

from __future__ import annotations

import os
import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence

from ..errors import InternalError
from ..result import Stats, Status
from ..core.hook import location

if TYPE_CHECKING:  # (the store's modules are imported once a store is used: no cost when off)
    from .entries import AnswerEntry, CubeEntry
    from ..check.query_keys import KeyCache, QueryKeys
    from .store import MemoStore
    from ..ir.normalize import Normalized
    from ..ir.terms import Term

LEMMA_ROUNDS = 3  # applicable(): lemmas that need lemmas, at most this deep
MEMO_ANSWER_DIR = "memo-answer"  # a stored unsat answer's certificate, in --proof's directory


class MemoWarning(UserWarning):
    """The lemma store could not be used (the run goes on without it)."""


_OPEN: dict[tuple, Optional[MemoStore]] = {}


def _warn(where: str, e: Exception) -> None:
    text = str(e) if "lemma store" in str(e) else f"lemma store {where or 'default'}: {e}"
    warnings.warn(MemoWarning(f"{text} (going on without it)"), stacklevel=3)


def store_for(config: Any) -> Optional[MemoStore]:
    """The open store of ``config`` (None: off, or it cannot be used; see module doc)."""
    loc = location(config)
    if loc is None:
        return None
    from .store import open_store
    from .trust import KEY_ENV, KEY_FILE_ENV, MemoError, config_dir

    ident = (loc, os.getpid(), os.environ.get(KEY_ENV), os.environ.get(KEY_FILE_ENV),
             str(config_dir()))
    if ident in _OPEN:
        return _OPEN[ident]
    try:
        store: Optional[MemoStore] = open_store(loc)
    except MemoError as e:
        _warn(loc, e)
        store = None
    _OPEN[ident] = store
    return store


def _disable(store: MemoStore, e: Exception) -> None:
    """A store that failed in use: warn once, and use it no more in this process."""
    for k, v in list(_OPEN.items()):
        if v is store:
            _OPEN[k] = None
    _warn(store.location, e)
    try:
        store.close()
    except Exception:  # noqa: BLE001 - it failed already
        pass


def close_all() -> None:
    """Close every store this process opened (tests; the CLI exits anyway)."""
    for store in _OPEN.values():
        if store is not None:
            try:
                store.close()
            except Exception:  # noqa: BLE001
                pass
    _OPEN.clear()


@dataclass
class Answer:
    """A stored answer usable for the query: ``model`` (sat, checked) or ``entry`` (unsat,
    with its certificate)."""

    status: Status
    model: dict
    entry: AnswerEntry


class Lookup:
    """One query's use of the store (module doc).  Every method swallows a failing store
    (``MemoError``: warn, go on without it)."""

    def __init__(self, store: MemoStore, qk: QueryKeys, seconds: float = 0.0):
        from ..check.query_keys import KeyCache

        self.store: Optional[MemoStore] = store
        self.qk = qk
        self.used: list[CubeEntry] = []  # the refutations applied, in order
        self.answered: Optional[Answer] = None  # the stored answer used, if one was
        self.cache = KeyCache()  # (``start`` gives the caller's)
        self._before = self._snapshot()
        self.seconds = seconds

    # -- starting ------------------------------------------------------------------------
    @classmethod
    def start(cls, config: Any, assertions: Sequence["Term"], logic: Optional[str],
              forms: Mapping, *, cache: Optional[KeyCache] = None) -> Optional["Lookup"]:
        """A ``Lookup`` for the query ``assertions`` (None when no store is used).
        ``forms``: ``Normalized.forms`` of a normalization of (a superset of) them;
        ``cache``: keys shared with earlier queries (a session's)."""
        store = store_for(config)
        if store is None:
            return None
        from ..check.query_keys import KeyCache

        t0 = time.perf_counter()
        if cache is None:
            cache = KeyCache(forms)
        else:
            cache.add_forms(forms)
        qk = cache.query(assertions, logic)
        look = cls(store, qk, time.perf_counter() - t0)
        look.cache = cache
        return look

    def _snapshot(self) -> tuple:
        c = self.store.counters if self.store is not None else None
        return (0, 0, 0, 0, 0, 0, 0.0) if c is None else \
            (c.looked_up, c.hits, c.applied, c.refused, c.written, c.repaired, c.seconds)

    def call(self, fn: Callable[[MemoStore], Any], default: Any = None) -> Any:
        from .trust import MemoError

        store = self.store
        if store is None:
            return default
        try:
            return fn(store)
        except MemoError as e:
            self.counters_before_failure = self._snapshot()
            self.store = None
            _disable(store, e)
            return default

    # -- before solving ------------------------------------------------------------------
    def answer(self, assertions: Sequence["Term"], declarations: Sequence["Term"]) -> Optional[Answer]:
        """The stored answer of this query, if any and usable (module doc)."""
        from ..core.model import check
        from .entries import ANSWER
        from .store import model_for

        hit = self.call(lambda s: s.lookup(self.qk))
        if hit is None:
            return None
        if hit.status == Status.UNSAT:
            self.answered = Answer(Status.UNSAT, {}, hit)
            return self.answered
        t0 = time.perf_counter()
        model = model_for(hit, declarations)
        try:
            check(assertions, model)
        except InternalError as e:
            why = f"the stored model fails: {e}"
            self.call(lambda s: s.reject(ANSWER, self.qk.key, why))
            return None
        finally:
            self.seconds += time.perf_counter() - t0
        self.answered = Answer(Status.SAT, model, hit)
        return self.answered

    def lemmas(self, norm: "Normalized", proof_dir: Optional[str] = None) -> list[CubeEntry]:
        """Add the clauses of the stored refutations that apply to the query to ``norm``'s
        circuit; the entries used (also in ``self.used``).  With ``proof_dir`` (a certified
        run) each entry's certificate is first copied to ``proof_dir/lemma-N/``; an entry
        whose certificate is refused is not used, nor any found after it (they may rely on
        its lemma)."""
        import shutil

        from ..ir.terms import INT
        from ..check.lemmas import lemma_root
        from .match import decides

        if norm.sort != INT:
            return []
        rounds = LEMMA_ROUNDS if proof_dir is None else 1
        entries = self.call(lambda s: s.applicable(self.qk, rounds=rounds), [])
        if proof_dir is not None:  # only refutations that decide the query (see the doc)
            kept = [e for e in entries if decides(e, self.qk)]
            if len(kept) != len(entries) and self.store is not None:
                self.store.counters.applied -= len(entries) - len(kept)
            entries = kept
        used = []
        for e in entries:
            if proof_dir is not None:
                sub = os.path.join(proof_dir, f"lemma-{len(self.used) + len(used) + 1}")
                shutil.rmtree(sub, ignore_errors=True)
                if not self.extract(e, sub):
                    shutil.rmtree(sub, ignore_errors=True)
                    break
            if lemma_root(e, norm) is None:
                break
            used.append(e)
        if len(used) != len(entries) and self.store is not None:
            self.store.counters.applied -= len(entries) - len(used)
        self.used += used
        return used

    def applicable(self, rounds: int = LEMMA_ROUNDS) -> list[CubeEntry]:
        """The stored refutations that apply to the query (``MemoStore.applicable``)."""
        return self.call(lambda s: s.applicable(self.qk, rounds=rounds), [])

    def drop_lemma_certificates(self, proof_dir: str) -> None:
        """Remove the ``lemma-N/`` copies (the check did not answer unsat)."""
        import shutil

        for i in range(1, len(self.used) + 1):
            shutil.rmtree(os.path.join(proof_dir, f"lemma-{i}"), ignore_errors=True)

    # -- after solving -------------------------------------------------------------------
    def record_sat(self, model: Mapping[str, object], *, seconds: float = 0.0, note: str = "") -> None:
        self.call(lambda s: s.put_sat(self.qk, model, seconds=seconds, note=note))

    def record_unsat(self, certificate_dir: str, input_text: str, *, seconds: float = 0.0,
                     note: str = "") -> None:
        """Record an unsat answer with the certificate in ``certificate_dir`` (stamped with
        ``input_text``).  Not when the certificate relies on applied refutations or on a
        stored answer (it is not self-contained then)."""
        if self.used:
            return
        self.call(lambda s: s.put_unsat(self.qk, certificate_dir, input_text, seconds=seconds,
                                         note=note))

    def extract(self, entry: Any, directory: str) -> bool:
        """Write a stored entry's certificate into ``directory``; False if it is refused
        (or the store failed)."""
        from .trust import Refused

        def run(s: MemoStore) -> bool:
            try:
                s.extract(entry, directory)
                return True
            except Refused:
                return False
        return bool(self.call(run, False))

    # -- statistics ----------------------------------------------------------------------
    def counters(self, stats: Stats) -> None:
        """Add what the store did since this lookup started to ``stats`` (module doc)."""
        now = self._snapshot() if self.store is not None else \
            getattr(self, "counters_before_failure", self._before)
        b = self._before
        for name, i in (("memo_looked_up", 0), ("memo_answered", 1), ("memo_applied", 2),
                        ("memo_refused", 3), ("memo_written", 4), ("memo_repaired", 5)):
            stats.counts[name] = stats.counts.get(name, 0) + int(now[i] - b[i])
        stats.add_time("memo", self.seconds + now[6] - b[6])
        self._before, self.seconds = now, 0.0


def _merge_meta(directory: str, fields: dict) -> None:
    import json

    from ..check.certificate import FORMAT, META_FILE

    path = os.path.join(directory, META_FILE)
    meta: dict = {"format": FORMAT}
    if os.path.exists(path):
        with open(path) as f:
            meta = json.load(f)
    meta.update(fields)
    with open(path + ".tmp", "w") as f:
        json.dump(meta, f, separators=(",", ":"))
    os.replace(path + ".tmp", path)


def write_answer_certificate(look: Lookup, entry: AnswerEntry, proof_dir: str) -> bool:
    """The certificate of a stored unsat answer, for ``check-proof``: the entry's own
    certificate and the input it is about in ``proof_dir/memo-answer/``, and in
    ``certificate.json`` the query key they share with the run's input
    (``check/proof.py`` checks both).  False if the entry's certificate is refused."""
    import shutil

    sub = os.path.join(proof_dir, MEMO_ANSWER_DIR)
    shutil.rmtree(sub, ignore_errors=True)
    if not look.extract(entry, sub):
        shutil.rmtree(sub, ignore_errors=True)
        return False
    _merge_meta(proof_dir, {"memo_answer": {"qkey": entry.qkey, "logic": entry.logic,
                                            "dir": MEMO_ANSWER_DIR},
                            "solver": "lemma store", "solve_seconds": 0.0})
    return True


def write_lemma_certificates(look: Lookup, proof_dir: str) -> None:
    """List the refutations a certified run applied in its ``certificate.json`` (support,
    cube, in the order their clauses were added), each with its certificate, which
    ``Lookup.lemmas`` copied to ``proof_dir/lemma-N/`` (``check/proof.py`` verifies them and
    adds the same clauses)."""
    from ..check.lemmas import encode_fact, encode_lit

    listed = [{"id": e.id, "logic": e.logic, "dir": f"lemma-{i}",
               "support": [[k, encode_fact(f)] for k, f in e.support],
               "cube": [encode_lit(x) for x in e.cube]}
              for i, e in enumerate(look.used, 1)]
    _merge_meta(proof_dir, {"lemmas": listed})


__all__ = ["Answer", "LEMMA_ROUNDS", "Lookup", "MEMO_ANSWER_DIR", "MemoWarning", "close_all",
           "store_for", "write_answer_certificate", "write_lemma_certificates"]
