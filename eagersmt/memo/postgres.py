"""The shared lemma store of a cluster: a PostgreSQL server (``postgresql://...`` URLs).

Why PostgreSQL and not Redis.  The store's queries are relational: matching a query is a
join of the query's assertion keys (thousands) with the support index, a range condition on
the literals' constants, and a count per entry; PostgreSQL runs it server-side in one round
trip with the same tables and statements as the embedded SQLite store (``sql.py``: one
code path, two dialects), where Redis would need a hand-written set algebra per lookup
(Lua, or one round trip per key).  Entries carry certificates and DRAT proofs (kilobytes
to hundreds of megabytes): PostgreSQL keeps them on disk (TOAST, compressed) and in its
buffer cache, Redis holds every byte in RAM.  An entry and its index rows are written in
one transaction (MVCC: readers never wait for writers).  And it has the security a shared
service needs: per-user roles with SCRAM-SHA-256 passwords, ``pg_hba.conf`` rules by
client address, TLS.  What Redis does better (zero set-up, eviction as a built-in LRU
cache) ``eagersmt memo gc`` covers.

Connection: a libpq URL, ``postgresql://USER@HOST:PORT/DB`` (the password from
``~/.pgpass`` or ``PGPASSWORD``, not on the command line; ``?sslmode=require`` for TLS),
through psycopg 3 (the ``cluster`` extra).  The tables are created on first use (under an
advisory lock, so K nodes starting at once do not race).  README, "Lemma store", says how
to run the server beside a Ray cluster and lock it down.

Cost: one round trip per lookup, per match and per write (~0.1-0.3 ms on loopback).

Reference: PostgreSQL 15 documentation, "Client Authentication" (pg_hba.conf, SCRAM),
"Explicit Locking" (advisory locks); psycopg 3.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Sequence

from .sql import SqlBackend
from .trust import MemoError

CONNECT_TIMEOUT_S = 10
SCHEMA_LOCK = 0x6561676572  # advisory lock id of the schema creation ("eager")


def redact(url: str) -> str:
    """The URL without its password (for messages and ``memo stats``)."""
    try:
        import psycopg.conninfo

        params = psycopg.conninfo.conninfo_to_dict(url)
    except Exception:
        return "postgresql://…"
    host = params.get("host", "")
    port = f":{params['port']}" if params.get("port") else ""
    user = f"{params['user']}@" if params.get("user") else ""
    return f"postgresql://{user}{host}{port}/{params.get('dbname', '')}"


class PostgresBackend(SqlBackend):
    P = "%s"

    def __init__(self, url: str):
        self.location = redact(url)
        try:
            import psycopg
        except ImportError:
            raise MemoError("a postgresql:// lemma store needs psycopg: "
                            "pip install 'eagersmt[cluster]'") from None
        self._errors = (psycopg.Error,)
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
            with self.conn.transaction():
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                self._init_schema("BYTEA", "DOUBLE PRECISION")  # nested: a savepoint
        except psycopg.Error as e:
            raise MemoError(f"lemma store {self.location}: {str(e).strip()}") from None

    @contextmanager
    def _write(self) -> Iterator[None]:
        with self.conn.transaction():
            yield

    def _candidates_sql(self, keys: list[str], bounds: list[tuple[str, str, float]],
                        shapes: list[str]) -> tuple[str, Sequence[Any]]:
        sql = """
            WITH m AS (
                SELECT cube, pos FROM memo_support WHERE akey = ANY(%s::text[])
                UNION
                SELECT s.cube, s.pos FROM memo_support_atom s
                JOIN unnest(%s::text[], %s::text[], %s::float8[]) AS q(u, v, c)
                ON s.u = q.u AND s.v = q.v AND s.c >= q.c
                UNION
                SELECT cube, pos FROM memo_support_shape WHERE shape = ANY(%s::text[]))
            SELECT c.id, c.head FROM memo_cubes c
            JOIN (SELECT cube, COUNT(*) AS n FROM m GROUP BY cube) g ON g.cube = c.id
            WHERE g.n = c.nsupport"""
        return sql, (keys, [b[0] for b in bounds], [b[1] for b in bounds], [b[2] for b in bounds],
                     shapes)

    def _keys_in(self, keys: list[str]) -> tuple[str, Any]:
        return "akey = ANY(%s::text[])", keys

    def close(self) -> None:
        self.conn.close()
