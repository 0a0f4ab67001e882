"""Helpers of the lemma-store tests: private key/cache dirs, stores on both back ends, and
small queries with their entries."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import Optional

from eagersmt.api import solve_smtlib
from eagersmt.config import Config
from eagersmt.memo import Atom, MemoStore, QueryKeys, query_keys, record_cube
from eagersmt.core.hook import MEMO_ENV
from eagersmt.memo.trust import KEY_ENV, KEY_FILE_ENV
from eagersmt.result import Status
from eagersmt.smtlib.parser import Script, parse

HEAD = ("(set-logic QF_IDL)(declare-const x Int)(declare-const y Int)(declare-const z Int)"
        "(declare-const w Int)(declare-const p Bool)")


def private_env(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for v in (KEY_ENV, KEY_FILE_ENV, MEMO_ENV):
        monkeypatch.delenv(v, raising=False)


def reset_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as c:
        c.execute("DROP TABLE IF EXISTS memo_answers, memo_cubes, memo_support, "
                  "memo_support_atom, memo_support_shape, memo_answer_keys, memo_attachments, "
                  "memo_meta")


def location_for(kind: str, request, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if kind == "sqlite":
        return str(tmp_path / "memo.sqlite")
    url = request.getfixturevalue("memo_pg_url")
    reset_postgres(url)
    return url


@dataclass
class Query:
    text: str
    script: Script
    qk: QueryKeys

    @property
    def sorts(self) -> dict[str, str]:
        return {v.val: v.sort for v in self.script.declarations}


def query(body: str) -> Query:
    text = HEAD + body + "(check-sat)"
    s = parse(text)
    return Query(text, s, query_keys(s.assertions, s.logic))


def store_answer(store: MemoStore, q: Query) -> Status:
    """Solve ``q`` (with a certificate) and record its answer."""
    with tempfile.TemporaryDirectory() as d:
        r = solve_smtlib(q.text, config=Config(proof=d))
        if r.status == Status.SAT:
            store.put_sat(q.qk, r.model)
        elif r.status == Status.UNSAT:
            assert store.put_unsat(q.qk, d, q.text)
        return r.status


# A chain x < y < z < w: the first two assertions refute the cube z <= x.
CHAIN = query("(assert (< x y))(assert (< y z))(assert (< z w))(assert (or p (<= w 100)))")


def store_chain_cube(store: MemoStore, cube: Optional[list] = None, core: tuple = (0, 1)) -> bool:
    return record_cube(store, CHAIN.qk, CHAIN.script.assertions, list(core),
                       cube or [Atom("z", "x", 0)], terms=CHAIN.script.terms, sorts=CHAIN.sorts)

