"""The lemma store's tables and queries, shared by SQLite (``sqlite.py``) and PostgreSQL
(``postgres.py``).

Idea.  Entries are rows holding their sealed header; their attachments (certificates, up
to hundreds of MB) have a table of their own, so that reading or touching an entry never
reads or rewrites one (SQLite rewrites a whole row on UPDATE).  The rest of a row (status,
sizes, times, hit counts) and the two index tables are bookkeeping, not trusted:

    memo_answers (id = query key, status, head, size, created, used, hits)
    memo_cubes   (id, nsupport, head, size, created, used, hits)
    memo_attachments  (kind, id, data)          -- the certificate of an entry
    memo_support      (cube, pos, akey)         -- support item pos of cube has key akey
    memo_support_atom (cube, pos, u, v, c)      -- ... and is the literal u - v <= c
    memo_support_shape (cube, pos, shape)       -- ... or a clause of that shape (check/query_keys.py)
    memo_answer_keys  (answer, akey)            -- a sat answer's query has assertion key akey

Matching a query (``match.py`` has the rule) is one statement: the support rows whose key
is one of the query's, united with the literal rows implied by one of the query's asserted
literals (same ``u``, ``v``, ``c >= c'``) and the clause rows of a shape the query asserts,
counted per cube; a cube all of whose ``nsupport`` rows are there is a candidate, and its
header comes back in the same round trip.
Finding a *near* sat answer (``memo/repair.py``) is one statement too: the answers sharing
the most assertion keys with the query, counted over ``memo_answer_keys``, at least a
given number shared.  Support items that the cube itself implies
(``match.implied_by_cube``) have no rows and are not counted in ``nsupport``.  ``c`` is a float in the index (a monotone rounding of the exact constant, so no true
match is lost); the exact test is redone on the authenticated entry.

Cost: a lookup is one primary-key read; matching is one indexed join over the query's keys
(the keys travel as one parameter: a JSON array for SQLite, a text array for PostgreSQL).

Reference: SQLite's UPSERT (``ON CONFLICT DO NOTHING``, 3.24) and JSON1 ``json_each``;
PostgreSQL ``= ANY(array)`` and ``unnest``.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, Iterator, Optional, Sequence

from .entries import ANSWER, CUBE
from ..check.query_keys import Atom, Clause, Fact
from .trust import MemoError

TABLE = {ANSWER: "memo_answers", CUBE: "memo_cubes"}
SCHEMA_VERSION = "3"
# Older schemas this one extends by adding tables (their entries read as before).
UPGRADABLE = ("1", "2")
FLOAT_MAX = 1e308


def index_name(name: Optional[str]) -> str:
    """A variable as the index spells it (the zero variable apart from every name)."""
    return "0" if name is None else "v" + name


def index_const(c: object) -> float:
    """A monotone float image of an exact constant (clamped: no infinities in JSON)."""
    try:
        f = float(c)  # type: ignore[arg-type]
    except OverflowError:
        f = FLOAT_MAX if c > 0 else -FLOAT_MAX  # type: ignore[operator]
    return max(-FLOAT_MAX, min(FLOAT_MAX, f))


def schema(blob: str, real: str) -> list[str]:
    return [
        "CREATE TABLE IF NOT EXISTS memo_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"""CREATE TABLE IF NOT EXISTS memo_answers (
            id TEXT PRIMARY KEY, status TEXT NOT NULL, head {blob} NOT NULL,
            size BIGINT NOT NULL, created {real} NOT NULL, used {real} NOT NULL,
            hits BIGINT NOT NULL DEFAULT 0)""",
        f"""CREATE TABLE IF NOT EXISTS memo_cubes (
            id TEXT PRIMARY KEY, nsupport INTEGER NOT NULL, head {blob} NOT NULL,
            size BIGINT NOT NULL, created {real} NOT NULL, used {real} NOT NULL,
            hits BIGINT NOT NULL DEFAULT 0)""",
        f"""CREATE TABLE IF NOT EXISTS memo_attachments (
            kind TEXT NOT NULL, id TEXT NOT NULL, data {blob} NOT NULL, PRIMARY KEY (kind, id))""",
        """CREATE TABLE IF NOT EXISTS memo_support (
            cube TEXT NOT NULL, pos INTEGER NOT NULL, akey TEXT NOT NULL, PRIMARY KEY (cube, pos))""",
        "CREATE INDEX IF NOT EXISTS memo_support_akey ON memo_support (akey)",
        f"""CREATE TABLE IF NOT EXISTS memo_support_atom (
            cube TEXT NOT NULL, pos INTEGER NOT NULL, u TEXT NOT NULL, v TEXT NOT NULL,
            c {real} NOT NULL, PRIMARY KEY (cube, pos))""",
        "CREATE INDEX IF NOT EXISTS memo_support_atom_uvc ON memo_support_atom (u, v, c)",
        """CREATE TABLE IF NOT EXISTS memo_support_shape (
            cube TEXT NOT NULL, pos INTEGER NOT NULL, shape TEXT NOT NULL, PRIMARY KEY (cube, pos))""",
        "CREATE INDEX IF NOT EXISTS memo_support_shape_shape ON memo_support_shape (shape)",
        """CREATE TABLE IF NOT EXISTS memo_answer_keys (
            answer TEXT NOT NULL, akey TEXT NOT NULL, PRIMARY KEY (answer, akey))""",
        "CREATE INDEX IF NOT EXISTS memo_answer_keys_akey ON memo_answer_keys (akey)",
    ]


class SqlBackend:
    """Rows in, rows out; subclasses give the connection, the dialect and the matching query."""

    P = "?"  # parameter placeholder
    location = ""
    conn: Any  # a DB-API connection with ``execute`` (sqlite3, psycopg 3)
    _errors: tuple[type[BaseException], ...] = ()  # its exceptions, reported as MemoError

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self.conn.execute(sql, params)
        except self._errors as e:
            raise MemoError(f"lemma store {self.location}: {str(e).strip()}") from None

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            cur = self.conn.cursor()
            cur.executemany(sql, rows)
            cur.close()
        except self._errors as e:
            raise MemoError(f"lemma store {self.location}: {str(e).strip()}") from None

    # -- provided by the dialect ---------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[None]:
        raise NotImplementedError
        yield  # pragma: no cover

    def _candidates_sql(self, keys: list[str], bounds: list[tuple[str, str, float]],
                        shapes: list[str]) -> tuple[str, Sequence[Any]]:
        raise NotImplementedError

    def _keys_in(self, keys: list[str]) -> tuple[str, Any]:
        """A condition ``akey IN`` the list ``keys``, and its one parameter."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # -- common --------------------------------------------------------------------------
    def _q(self, sql: str) -> str:
        return sql.replace("?", self.P) if self.P != "?" else sql

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Optional[tuple]:
        return self._execute(self._q(sql), params).fetchone()

    def answer_head(self, qkey: str) -> Optional[bytes]:
        row = self._one("SELECT head FROM memo_answers WHERE id = ?", (qkey,))
        return None if row is None else bytes(row[0])

    def attachment(self, kind: str, ident: str) -> Optional[bytes]:
        row = self._one("SELECT data FROM memo_attachments WHERE kind = ? AND id = ?", (kind, ident))
        return None if row is None else bytes(row[0])

    def _put_attachment(self, kind: str, ident: str, attach: Optional[bytes]) -> None:
        if attach is None:
            self._execute(self._q("DELETE FROM memo_attachments WHERE kind = ? AND id = ?"), (kind, ident))
        else:
            self._execute(self._q(
                "INSERT INTO memo_attachments (kind, id, data) VALUES (?, ?, ?) "
                "ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data"), (kind, ident, attach))

    def put_answer(self, qkey: str, status: str, head: bytes, attach: Optional[bytes],
                   now: float, keys: Sequence[str] = ()) -> None:
        """Insert or replace an answer; ``keys``: its query's assertion keys, indexed for
        ``near_answers`` (a sat answer's)."""
        size = len(head) + (len(attach) if attach else 0)
        with self._write():
            self._execute(self._q("DELETE FROM memo_answer_keys WHERE answer = ?"), (qkey,))
            if keys:
                self._executemany(self._q("INSERT INTO memo_answer_keys (answer, akey) VALUES (?, ?) "
                                          "ON CONFLICT DO NOTHING"), [(qkey, k) for k in keys])
            self._execute(self._q(
                "INSERT INTO memo_answers (id, status, head, size, created, used, hits) "
                "VALUES (?, ?, ?, ?, ?, ?, 0) ON CONFLICT (id) DO UPDATE SET "
                "status = excluded.status, head = excluded.head, "
                "size = excluded.size, created = excluded.created, used = excluded.used"),
                (qkey, status, head, size, now, now))
            self._put_attachment(ANSWER, qkey, attach)

    def put_cube(self, ident: str, support: Sequence[tuple[str, Optional[Fact]]], head: bytes,
                 attach: Optional[bytes], now: float, *, free: frozenset[int] = frozenset()) -> bool:
        """Insert a cube entry and its index rows (one transaction); False if it was there.
        ``free``: positions of support items the cube implies (no index rows)."""
        size = len(head) + (len(attach) if attach else 0)
        items = [(i, k, f) for i, (k, f) in enumerate(support) if i not in free]
        with self._write():
            cur = self._execute(self._q(
                "INSERT INTO memo_cubes (id, nsupport, head, size, created, used, hits) "
                "VALUES (?, ?, ?, ?, ?, ?, 0) ON CONFLICT (id) DO NOTHING"),
                (ident, len(items), head, size, now, now))
            if cur.rowcount != 1:
                return False
            self._put_attachment(CUBE, ident, attach)
            self._executemany(self._q("INSERT INTO memo_support (cube, pos, akey) VALUES (?, ?, ?)"),
                              [(ident, i, k) for i, k, _ in items])
            atoms = [(ident, i, index_name(f.u), index_name(f.v), index_const(f.c))
                     for i, _, f in items if isinstance(f, Atom)]
            if atoms:
                self._executemany(self._q(
                    "INSERT INTO memo_support_atom (cube, pos, u, v, c) VALUES (?, ?, ?, ?, ?)"), atoms)
            shapes = [(ident, i, f.shape) for i, _, f in items if isinstance(f, Clause)]
            if shapes:
                self._executemany(self._q(
                    "INSERT INTO memo_support_shape (cube, pos, shape) VALUES (?, ?, ?)"), shapes)
        return True

    def cube_candidates(self, keys: Sequence[str], bounds: Sequence[Atom],
                        shapes: Sequence[str] = ()) -> list[tuple[str, bytes]]:
        """``(id, head)`` of every cube all of whose support rows match (see module doc)."""
        sql, params = self._candidates_sql(
            list(keys), [(index_name(a.u), index_name(a.v), index_const(a.c)) for a in bounds],
            list(shapes))
        return [(r[0], bytes(r[1])) for r in self._execute(sql, params).fetchall()]

    def near_answers(self, keys: Sequence[str], least: int, limit: int) -> list[tuple[str, bytes, int]]:
        """``(id, head, shared)`` of the sat answers sharing the most of ``keys`` (at least
        ``least``), most first, at most ``limit``."""
        cond, param = self._keys_in(list(keys))
        sql = self._q(f"""
            SELECT a.id, a.head, g.n FROM (
                SELECT answer, COUNT(*) AS n FROM memo_answer_keys WHERE {cond}
                GROUP BY answer) g
            JOIN memo_answers a ON a.id = g.answer
            WHERE g.n >= ? AND a.status = 'sat' ORDER BY g.n DESC, a.id LIMIT ?""")
        return [(r[0], bytes(r[1]), int(r[2]))
                for r in self._execute(sql, (param, least, limit)).fetchall()]

    def touch(self, kind: str, idents: Sequence[str], now: float) -> None:
        """Count a use (for ``gc``'s least-recently-used order); best effort."""
        if not idents:
            return
        with self._write():
            self._executemany(self._q(f"UPDATE {TABLE[kind]} SET hits = hits + 1, used = ? WHERE id = ?"),
                              [(now, i) for i in idents])

    def rows(self, kind: str) -> list[tuple[str, bytes, int, float, float, int]]:
        """``(id, head, size, created, used, hits)`` of every entry of ``kind``."""
        cur = self._execute(f"SELECT id, head, size, created, used, hits FROM {TABLE[kind]} ORDER BY id")
        return [(r[0], bytes(r[1]), int(r[2]), float(r[3]), float(r[4]), int(r[5])) for r in cur.fetchall()]

    def delete(self, kind: str, idents: Sequence[str]) -> None:
        if not idents:
            return
        with self._write():
            rows = [(i,) for i in idents]
            self._executemany(self._q(f"DELETE FROM {TABLE[kind]} WHERE id = ?"), rows)
            self._executemany(self._q("DELETE FROM memo_attachments WHERE kind = ? AND id = ?"),
                              [(kind, i) for i in idents])
            if kind == ANSWER:
                self._executemany(self._q("DELETE FROM memo_answer_keys WHERE answer = ?"), rows)
            if kind == CUBE:
                self._executemany(self._q("DELETE FROM memo_support WHERE cube = ?"), rows)
                self._executemany(self._q("DELETE FROM memo_support_atom WHERE cube = ?"), rows)
                self._executemany(self._q("DELETE FROM memo_support_shape WHERE cube = ?"), rows)

    def totals(self) -> dict[str, dict[str, float]]:
        out = {}
        for kind, table in TABLE.items():
            r = self._execute(f"SELECT COUNT(*), COALESCE(SUM(size), 0), COALESCE(SUM(hits), 0), "
                              f"MIN(created), MAX(used) FROM {table}").fetchone()
            out[kind] = {"entries": int(r[0]), "bytes": int(r[1]), "hits": int(r[2]),
                         "oldest": r[3], "last_used": r[4]}
        cur = self._execute("SELECT status, COUNT(*) FROM memo_answers GROUP BY status ORDER BY status")
        out[ANSWER].update({s: int(n) for s, n in cur.fetchall()})
        return out

    def _init_schema(self, blob: str, real: str) -> None:
        with self._write():
            for stmt in schema(blob, real):
                self._execute(stmt)
            self._execute(self._q("INSERT INTO memo_meta (name, value) VALUES (?, ?) "
                                  "ON CONFLICT (name) DO NOTHING"), ("schema", SCHEMA_VERSION))
            self._execute(self._q("UPDATE memo_meta SET value = ? WHERE name = ? AND value IN "
                                  f"({', '.join('?' for _ in UPGRADABLE)})"),
                          (SCHEMA_VERSION, "schema", *UPGRADABLE))
        row = self._one("SELECT value FROM memo_meta WHERE name = ?", ("schema",))
        if row is None or row[0] != SCHEMA_VERSION:
            raise MemoError(f"{self.location}: lemma store schema {row and row[0]}, this eagersmt "
                            f"reads schema {SCHEMA_VERSION}")


def json_param(x: object) -> str:
    return json.dumps(x, separators=(",", ":"))
