"""The embedded lemma store: one SQLite file, at the path the user names.

Idea.  K local worker processes may read and write it at once: the file is in WAL mode (readers
never block the writer and see a consistent snapshot), every write is one short
``BEGIN IMMEDIATE`` transaction (writers queue on the file lock instead of failing half-way),
and a busy file is waited for (``busy_timeout``, 60 s) rather than reported.  The directory
is created 0700 and the file 0600: entries are authenticated (``trust.py``), but the
formulas in them are the owner's business.

Cost: a lookup is one indexed read (tens of microseconds); a write is one transaction,
``synchronous=NORMAL`` (WAL: no fsync per commit; a power cut may lose the last entries,
never corrupt the file).

Reference: SQLite, "Write-Ahead Logging" (https://sqlite.org/wal.html) and "File Locking
And Concurrency In SQLite Version 3".
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from .sql import SqlBackend, json_param
from .trust import MemoError

BUSY_TIMEOUT_S = 60.0


class SqliteBackend(SqlBackend):
    P = "?"
    _errors = (sqlite3.Error,)

    def __init__(self, path: str):
        self.location = path
        p = Path(path)
        try:
            p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not p.exists():  # create it private before SQLite opens it
                os.close(os.open(p, os.O_CREAT | os.O_RDWR, 0o600))
            self.conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                        check_same_thread=False)
            self.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self._init_schema("BLOB", "REAL")
        except (OSError, sqlite3.Error) as e:
            raise MemoError(f"lemma store {path}: {e}") from None

    @contextmanager
    def _write(self) -> Iterator[None]:
        self._execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self._execute("COMMIT")

    def _candidates_sql(self, keys: list[str], bounds: list[tuple[str, str, float]],
                        shapes: list[str]) -> tuple[str, Sequence[Any]]:
        sql = """
            WITH m(cube, pos) AS (
                SELECT cube, pos FROM memo_support WHERE akey IN (SELECT value FROM json_each(?))
                UNION
                SELECT s.cube, s.pos FROM memo_support_atom s JOIN (
                    SELECT json_extract(value, '$[0]') AS u, json_extract(value, '$[1]') AS v,
                           json_extract(value, '$[2]') AS c FROM json_each(?)) q
                ON s.u = q.u AND s.v = q.v AND s.c >= q.c
                UNION
                SELECT cube, pos FROM memo_support_shape WHERE shape IN (SELECT value FROM json_each(?)))
            SELECT c.id, c.head FROM memo_cubes c
            JOIN (SELECT cube, COUNT(*) AS n FROM m GROUP BY cube) g ON g.cube = c.id
            WHERE g.n = c.nsupport"""
        return sql, (json_param(keys), json_param(bounds), json_param(shapes))

    def _keys_in(self, keys: list[str]) -> tuple[str, Any]:
        return "akey IN (SELECT value FROM json_each(?))", json_param(keys)

    def close(self) -> None:
        self.conn.close()
