"""The runs table: every evaluation ``tune`` made, in SQLite, so that a tune resumes.

One row per (instance, solver, timeout): the answer, wall seconds, the check against the
expected answer, the runner's note; and one row per instance of its feature vector.  A run
whose row exists is never made again (an interrupted tune goes on where it stopped; a
longer timeout is a new run).  ``solver`` is a strategy of the space, ``learnt@HASH`` (a
strategy file, by the hash of its content) or ``ref:z3`` / ``ref:yices`` (the reference
solver on the file itself).  Cost: one SQLite file, one commit per run.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Iterable, Optional

from ..tools.bench.report import Row, solved

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    instance TEXT NOT NULL, family TEXT NOT NULL, expected TEXT NOT NULL,
    solver TEXT NOT NULL, timeout REAL NOT NULL, answer TEXT NOT NULL,
    seconds REAL NOT NULL, checked TEXT NOT NULL, note TEXT NOT NULL,
    PRIMARY KEY (instance, solver, timeout));
CREATE TABLE IF NOT EXISTS features (instance TEXT PRIMARY KEY, vector TEXT NOT NULL);
"""


def par2(row: Row, timeout: float) -> float:
    """A run's PAR-2 seconds: its wall time when it answered right within ``timeout``, else
    twice the timeout (a wrong answer too)."""
    return row.seconds if solved(row, timeout) else 2 * timeout


class Runs:
    """The runs table in the SQLite file ``path`` (created if missing)."""

    def __init__(self, path: str):
        self.path = path
        self.db = sqlite3.connect(path, check_same_thread=False)
        try:
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as e:
            self.db.close()
            raise ValueError(f"{path}: not a runs table ({e})") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Runs":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, row: Row, timeout: float) -> None:
        self.db.execute("INSERT OR REPLACE INTO runs VALUES (?,?,?,?,?,?,?,?,?)",
                        (row.instance, row.family, row.expected, row.solver, timeout,
                         row.answer, row.seconds, row.check, row.note))
        self.db.commit()

    def get(self, instance: str, solver: str, timeout: float) -> Optional[Row]:
        r = self.db.execute("SELECT instance, family, expected, solver, answer, seconds, "
                            "checked, note FROM runs WHERE instance=? AND solver=? AND "
                            "timeout=?", (instance, solver, timeout)).fetchone()
        return None if r is None else Row(*r)

    def done(self, timeout: float) -> set[tuple[str, str]]:
        """The (instance, solver) pairs run with ``timeout``."""
        return set(self.db.execute("SELECT instance, solver FROM runs WHERE timeout=?",
                                   (timeout,)))

    def rows(self, timeout: float, instances: Optional[Iterable[str]] = None) -> list[Row]:
        """The runs made with ``timeout`` (of ``instances`` only, when given)."""
        want = None if instances is None else set(instances)
        out = []
        for r in self.db.execute("SELECT instance, family, expected, solver, answer, seconds, "
                                 "checked, note FROM runs WHERE timeout=? ORDER BY instance, "
                                 "solver", (timeout,)):
            if want is None or r[0] in want:
                out.append(Row(*r))
        return out

    def set_features(self, instance: str, vector: dict[str, float]) -> None:
        self.db.execute("INSERT OR REPLACE INTO features VALUES (?,?)",
                        (instance, json.dumps(vector, sort_keys=True)))
        self.db.commit()

    def features(self, instance: str) -> Optional[dict[str, float]]:
        r = self.db.execute("SELECT vector FROM features WHERE instance=?",
                            (instance,)).fetchone()
        return None if r is None else json.loads(r[0])


__all__ = ["Runs", "par2"]
