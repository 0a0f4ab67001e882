"""The lemma store: answers and cube refutations that later queries reuse.

Off unless a store is named (``--memo PATH|URL``, ``$EAGERSMT_MEMO``, ``Config(memo=...)``).
The solving path reaches it through one module, ``hook.py``: the implementation of the
decision core's store hook (``core/hook.py``: ``before`` a query, ``after`` it, and which
store a configuration names), loaded by name; nothing outside this package imports its other modules (the ``eagersmt memo``
command uses this package's names).  What a stored certificate means (query keys, lemmas,
verifying an entry) is the checker's (``check/query_keys.py``, ``check/lemmas.py``,
``check/stored.py``): the store depends on the checker, never the reverse.

Modules, in the order data flows:

    hook.py     the core's hook: one assertion stack's use of the store
    use.py      Lookup: one query's use (answer, lemmas, records, counters); which store is open
    entries.py  whole answers and refuted cubes, their byte format
    trust.py    the owner's HMAC key (created on first use); sealing and opening entries
    match.py    whether a refutation decides a query; its clause as a term
    repair.py   a near query's stored model made a model of this one (no search)
    optimum.py  the optimizer's use: stored bounds and optima, its refutations recorded
    record.py   a certified run's refutations recorded (levels, bounds)
    sql.py      tables and queries, shared by
    sqlite.py   the embedded store (a SQLite file)
    postgres.py the shared store of a cluster (a PostgreSQL server)
    store.py    MemoStore: lookup / applicable / put_* for the pipeline; stats, gc, export,
                import for the owner
    certify.py  certifying a cube refutation before it is stored
    verify.py   re-checking an entry's proof (``check/stored.py``, ``check/proof.py``)

One query, in the store's terms::

    store = open_store(location)                     # MemoError: warn, go on without it
    qk = query_keys(assertions, script.logic, forms=norm.forms)   # after normalize
    hit = store.lookup(qk)
    if hit is not None and hit.status == Status.SAT:
        model = model_for(hit, declarations)         # checked on the query (core/model.py)
    elif hit is not None:                            # unsat; with --proof: store.extract(hit, dir)
        ...
    for e in store.applicable(qk):                   # stored refutations that apply
        assertions.append(lemma_term(e, script.terms, sorts))     # assert "not cube"
    ... solve ...
    store.put_sat(qk, model) / store.put_unsat(qk, proof_dir, script.source)
    record_cube(store, qk, assertions, core, cube, terms=..., sorts=...)
"""

from __future__ import annotations

import importlib
from typing import Any

# The package's names, imported on first use (PEP 562): a run that never opens a store
# (``--no-memo``, a store that is off) does not pay for importing it.
_WHERE = {
    "AnswerEntry": "entries",
    "Atom": "..check.query_keys",
    "BoolLit": "..check.query_keys",
    "Counters": "store",
    "CubeEntry": "entries",
    "Literal": "..check.query_keys",
    "MemoError": "trust",
    "MemoStore": "store",
    "QueryKeys": "..check.query_keys",
    "Refused": "trust",
    "Sealer": "trust",
    "applies": "..check.lemmas",
    "lemma_term": "match",
    "load_key": "trust",
    "model_for": "store",
    "open_store": "store",
    "query_keys": "..check.query_keys",
    "record_cube": "certify",
    "refute_cube": "certify",
    "verify_entry": "verify",
    "verify_extracted": "verify",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    where = _WHERE[name]
    module = where if where.startswith(".") else f".{where}"
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "AnswerEntry", "Atom", "BoolLit", "Counters", "CubeEntry", "Literal", "MemoError",
    "MemoStore", "QueryKeys", "Refused", "Sealer", "applies", "lemma_term", "load_key",
    "model_for", "open_store",
    "query_keys", "record_cube", "refute_cube", "verify_entry", "verify_extracted",
]
