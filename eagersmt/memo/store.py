"""The lemma store: what the solving pipeline calls (lookup, match, record) and what its
owner runs (stats, gc, export, import).

Idea.  ``open_store(location)`` joins a storage back end (``sqlite.py`` for a path, the
default file under the user's cache directory; ``postgres.py`` for a ``postgresql://`` URL)
with the owner's key (``trust.py``).  Every entry read is opened with the key and parsed
(``entries.py``); one that fails is *refused*: counted, listed in ``refusals`` with the
reason, and never returned.  The pipeline's part is a few calls (``eagersmt/memo/__init__``
shows them): ``lookup`` before solving (a ``sat`` hit is used only after its model passes
``check_model`` on the query, else ``reject``), ``applicable`` for stored refutations whose
negated cubes may be asserted beside the query, ``put_sat`` / ``put_unsat`` / ``put_cube``
after solving.  ``counters`` has what ``--stats`` shows.

A store that cannot be reached raises ``MemoError`` (at open or at any call); the pipeline
should then warn once and go on without it: the store may speed a run up, never stop it.

Cost: ``counters.seconds`` is the time spent in the store (keys are the caller's);
``benchmarks/bench_memo.py`` measures a miss and a hit.
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import IO, Iterable, Iterator, Mapping, Optional, Sequence, Union

from ..ir.terms import BOOL, REAL, Term
from ..result import Status
from .entries import (
    ANSWER, CUBE, INPUT_FILE, AnswerEntry, CubeEntry, certificate_files, cube_header,
    answer_header, cube_id, now, pack_files, read_answer, read_cube, unpack_files, write_files,
)
from ..check.query_keys import Fact, Literal, QueryKeys
from ..check.lemmas import applies, extend, implied_by_cube
from .trust import MemoError, Refused, Sealer, load_key
from ..core.hook import MEMO_ENV

# Sized by the certificates measured in ``benchmarks/RESULTS.md``, "Lemma store".
MAX_ATTACHMENT = 512 << 20  # certificates larger than this (compressed) are not stored


@dataclass
class Counters:
    """What the store did for one run (``--stats``)."""

    looked_up: int = 0  # answer lookups and cube matches
    hits: int = 0  # stored answers returned
    applied: int = 0  # stored refutations returned as applicable
    refused: int = 0  # entries refused (not authentic, malformed, or a failed model check)
    written: int = 0
    repaired: int = 0  # answers from a near stored model, repaired (``repair.py``)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {f"memo_{k}": (round(v, 6) if isinstance(v, float) else v)
                for k, v in self.__dict__.items()}


@dataclass
class Refusal:
    kind: str
    ident: str
    reason: str


@dataclass
class Listed:
    """One row as the owner's commands see it: the entry, or why it is refused."""

    kind: str
    ident: str
    entry: Union[AnswerEntry, CubeEntry, None]
    refused: Optional[str]
    size: int
    created: float
    used: float
    hits: int
    head: bytes = b""


class _Timer:
    def __init__(self, counters: Counters):
        self.c = counters

    def __enter__(self) -> None:
        self.t0 = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.c.seconds += time.perf_counter() - self.t0


class MemoStore:
    def __init__(self, backend: object, sealer: Sealer, *, key_source: str = ""):
        self.backend = backend  # sql.SqlBackend
        self.sealer = sealer
        self.key_source = key_source
        self.location: str = backend.location  # type: ignore[attr-defined]
        self.counters = Counters()
        self.refusals: list[Refusal] = []
        self.max_attachment = MAX_ATTACHMENT

    def __enter__(self) -> "MemoStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.backend.close()  # type: ignore[attr-defined]

    def _refuse(self, kind: str, ident: str, reason: str) -> None:
        self.counters.refused += 1
        self.refusals.append(Refusal(kind, ident, reason))

    # -- whole answers -------------------------------------------------------------------
    def lookup(self, qk: QueryKeys) -> Optional[AnswerEntry]:
        """The stored answer of exactly this query (same assertion keys and logic), if any
        and authentic.  A ``sat`` entry's model must still pass ``check_model`` on the
        query (``model_for`` completes it) before it is used; ``reject`` it otherwise."""
        with _Timer(self.counters):
            self.counters.looked_up += 1
            head = self.backend.answer_head(qk.key)  # type: ignore[attr-defined]
            if head is None:
                return None
            try:
                e = read_answer(qk.key, self.sealer.open(ANSWER, qk.key, head))
            except Refused as r:
                self._refuse(ANSWER, qk.key, r.reason)
                return None
            if e.logic != qk.logic:
                self._refuse(ANSWER, qk.key, f"stored for logic {e.logic!r}, asked {qk.logic!r}")
                return None
            self.counters.hits += 1
            self.backend.touch(ANSWER, [qk.key], now())  # type: ignore[attr-defined]
            return e

    def near(self, qk: QueryKeys, *, share: float, limit: int) -> list[AnswerEntry]:
        """Authentic stored sat answers of other queries sharing at least the fraction
        ``share`` of this query's assertion keys, the most shared first, at most ``limit``
        (``repair.py`` repairs their models; the key index only suggests)."""
        with _Timer(self.counters):
            self.counters.looked_up += 1
            least = max(1, int(share * len(qk.keys) + 0.999999))
            out = []
            for ident, head, _ in self.backend.near_answers(  # type: ignore[attr-defined]
                    sorted(qk.keys), least, limit + 1):
                if ident == qk.key:
                    continue
                try:
                    e = read_answer(ident, self.sealer.open(ANSWER, ident, head))
                except Refused as r:
                    self._refuse(ANSWER, ident, r.reason)
                    continue
                if e.logic == qk.logic and e.status == Status.SAT:
                    out.append(e)
            return out[:limit]

    def reject(self, kind: str, ident: str, reason: str) -> None:
        """The caller found an authentic entry wrong (a model that fails its check): it is
        refused, reported and deleted."""
        with _Timer(self.counters):
            if kind == ANSWER:  # it was counted as a hit by ``lookup``
                self.counters.hits -= 1
            else:
                self.counters.applied -= 1
            self._refuse(kind, ident, reason)
            self.backend.delete(kind, [ident])  # type: ignore[attr-defined]

    def put_sat(self, qk: QueryKeys, model: Mapping[str, object], *, seconds: float = 0.0,
                note: str = "") -> None:
        """Record a ``sat`` answer with its (checked) model."""
        with _Timer(self.counters):
            e = AnswerEntry(qk.key, qk.logic, Status.SAT, dict(model), now(), seconds, note)
            head = self.sealer.seal(ANSWER, qk.key, answer_header(e))
            self.backend.put_answer(qk.key, "sat", head, None, e.created,  # type: ignore[attr-defined]
                                    keys=sorted(qk.keys))
            self.counters.written += 1

    def put_unsat(self, qk: QueryKeys, certificate_dir: str, input_text: str, *,
                  seconds: float = 0.0, note: str = "") -> bool:
        """Record an ``unsat`` answer with its certificate (the directory ``solve --proof``
        writes, and the input text it is stamped with).  False if the certificate is past
        ``max_attachment`` (then nothing is stored)."""
        with _Timer(self.counters):
            blob, att = pack_files(certificate_files(certificate_dir, input_text))
            if att.size > self.max_attachment:
                return False
            e = AnswerEntry(qk.key, qk.logic, Status.UNSAT, {}, now(), seconds, note, att)
            head = self.sealer.seal(ANSWER, qk.key, answer_header(e))
            self.backend.put_answer(qk.key, "unsat", head, blob, e.created)  # type: ignore[attr-defined]
            self.counters.written += 1
            return True

    # -- refuted cubes -------------------------------------------------------------------
    def applicable(self, qk: QueryKeys, *, rounds: int = 1) -> list[CubeEntry]:
        """The authentic stored refutations that apply to the query (``match.py``): for
        each, ``not cube`` holds in every model of the query.  With ``rounds > 1`` the
        lemmas found are counted among the query's assertions (``match.extend``, on
        ``qk`` itself) and the store is asked again, up to ``rounds`` times, for
        refutations that needed them; the result is in the order found (each entry's
        support holds given the query and the entries before it)."""
        out: list[CubeEntry] = []
        seen: set[str] = set()
        with _Timer(self.counters):
            for _ in range(rounds):
                self.counters.looked_up += 1
                rows = self.backend.cube_candidates(  # type: ignore[attr-defined]
                    sorted(qk.keys), list(qk.bounds.values()), sorted(qk.shapes))
                new = []
                for ident, head in rows:
                    if ident in seen:
                        continue
                    try:
                        e = read_cube(ident, self.sealer.open(CUBE, ident, head))
                    except Refused as r:
                        self._refuse(CUBE, ident, r.reason)
                        seen.add(ident)
                        continue
                    if applies(e, qk):  # the index only suggests
                        new.append(e)
                        seen.add(ident)
                new.sort(key=lambda e: e.id)
                out += new
                if not new or rounds == 1:
                    break
                for e in new:
                    extend(qk, e)
            self.counters.applied += len(out)
            if out:
                self.backend.touch(CUBE, [e.id for e in out], now())  # type: ignore[attr-defined]
            return out

    def put_cube(self, support: Sequence[tuple[str, Optional[Fact]]], cube: Sequence[Literal], *,
                 logic: str, certificate_dir: str, input_text: str, seconds: float = 0.0,
                 note: str = "") -> bool:
        """Record a refuted cube: ``support`` (``QueryKeys.support_of``) and ``cube`` are
        unsat together, as the certificate in ``certificate_dir`` shows for the formula
        ``input_text`` (``certify.refute_cube`` makes both).  False if it was stored already
        or its certificate is too large."""
        with _Timer(self.counters):
            support = tuple(sorted(support, key=lambda s: s[0]))
            ident = cube_id(logic, support, cube)
            blob, att = pack_files(certificate_files(certificate_dir, input_text))
            if att.size > self.max_attachment:
                return False
            e = CubeEntry(ident, logic, support, tuple(cube), now(), seconds, note, att)
            head = self.sealer.seal(CUBE, ident, cube_header(e))
            free = frozenset(i for i, (_, f) in enumerate(support) if implied_by_cube(f, cube))
            fresh = self.backend.put_cube(ident, support, head, blob, e.created, free=free)  # type: ignore[attr-defined]
            self.counters.written += fresh
            return fresh

    # -- attachments ---------------------------------------------------------------------
    def extract(self, entry: Union[AnswerEntry, CubeEntry], directory: str) -> str:
        """Write an entry's certificate (and its ``input.smt2``) into ``directory``; the
        path of the input.  ``Refused`` if the attachment does not match the header."""
        kind, ident = (ANSWER, entry.qkey) if isinstance(entry, AnswerEntry) else (CUBE, entry.id)
        if entry.attachment is None:
            raise Refused("the entry has no certificate")
        blob = self.backend.attachment(kind, ident)  # type: ignore[attr-defined]
        try:
            files = unpack_files(blob, entry.attachment)
        except Refused as r:
            self._refuse(kind, ident, r.reason)
            raise
        write_files(files, directory)
        return os.path.join(directory, INPUT_FILE)

    # -- the owner's operations ----------------------------------------------------------
    def listing(self, kinds: Iterable[str] = (ANSWER, CUBE)) -> Iterator[Listed]:
        """Every row, opened (refused rows say why)."""
        for kind in kinds:
            read = read_answer if kind == ANSWER else read_cube
            for ident, head, size, created, used, hits in self.backend.rows(kind):  # type: ignore[attr-defined]
                try:
                    entry: Union[AnswerEntry, CubeEntry, None] = read(ident, self.sealer.open(kind, ident, head))
                    why = None
                except Refused as r:
                    entry, why = None, r.reason
                yield Listed(kind, ident, entry, why, size, created, used, hits, head)

    def stats(self, *, scan: bool = False) -> dict[str, object]:
        """Totals per kind; with ``scan``, every entry opened (how many are refused)."""
        out: dict[str, object] = {"location": self.location, "key": self.key_source,
                                  "key_fingerprint": self.sealer.fingerprint}
        out.update(self.backend.totals())  # type: ignore[attr-defined]
        if scan:
            refused = [(x.kind, x.ident, x.refused) for x in self.listing() if x.refused]
            out["refused"] = len(refused)
            out["refused_entries"] = refused
        return out

    def gc(self, *, max_bytes: Optional[int] = None, older_than: Optional[float] = None,
           check_proofs: bool = False, engine: str = "auto") -> dict[str, int]:
        """Delete refused entries, entries unused for ``older_than`` seconds, entries whose
        proof fails (``check_proofs``: slow, it replays every DRAT proof), then the least
        recently used until the store is at most ``max_bytes``.  Counts per reason."""
        counts = {"refused": 0, "old": 0, "bad_proof": 0, "size": 0, "kept": 0}
        t = now()
        keep: list[Listed] = []
        for x in self.listing():
            if x.refused is not None:
                reason = "refused"
            elif older_than is not None and x.used < t - older_than:
                reason = "old"
            elif check_proofs and not self._proof_ok(x.entry):
                reason = "bad_proof"
            else:
                keep.append(x)
                continue
            counts[reason] += 1
            self.backend.delete(x.kind, [x.ident])  # type: ignore[attr-defined]
        if max_bytes is not None:
            total = sum(x.size for x in keep)
            keep.sort(key=lambda x: x.used)
            while keep and total > max_bytes:
                x = keep.pop(0)
                total -= x.size
                counts["size"] += 1
                self.backend.delete(x.kind, [x.ident])  # type: ignore[attr-defined]
        counts["kept"] = len(keep)
        return counts

    def _proof_ok(self, entry: Union[AnswerEntry, CubeEntry, None]) -> bool:
        from .verify import verify_entry

        try:
            verify_entry(self, entry)  # type: ignore[arg-type]
            return True
        except Refused:
            return False

    def export(self, out: IO[str]) -> tuple[int, int]:
        """Write every authentic entry as JSON lines (sealed headers, base64): an export is
        authenticated by the same key.  Refused rows are left out.  (written, left out)."""
        n = skipped = 0
        for x in self.listing():
            if x.refused is not None:
                skipped += 1
                continue
            att = self.backend.attachment(x.kind, x.ident)  # type: ignore[attr-defined]
            out.write(json.dumps({"kind": x.kind, "id": x.ident,
                                  "head": base64.b64encode(x.head).decode(),
                                  "attach": None if att is None else base64.b64encode(att).decode()}) + "\n")
            n += 1
        return n, skipped

    def import_(self, lines: Iterable[str], *, from_sealer: Optional[Sealer] = None) -> dict[str, object]:
        """Read an export: each entry is opened with ``from_sealer`` (another owner's key;
        default this store's own), its attachment checked against its header, and stored
        sealed with this store's key.  Refused lines are reported, not stored."""
        src = from_sealer or self.sealer
        accepted, refused = 0, []
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                kind, ident = rec["kind"], rec["id"]
                if kind not in (ANSWER, CUBE) or not isinstance(ident, str):
                    raise Refused(f"unknown entry kind {kind!r}")
                head = base64.b64decode(rec["head"], validate=True)
                att = None if rec["attach"] is None else base64.b64decode(rec["attach"], validate=True)
                body = src.open(kind, ident, head)
                entry = read_answer(ident, body) if kind == ANSWER else read_cube(ident, body)
                if entry.attachment is not None:
                    unpack_files(att, entry.attachment)
                elif att is not None:
                    raise Refused("an attachment the header does not name")
            except Refused as r:
                refused.append((n, r.reason))
                continue
            except (ValueError, KeyError, TypeError) as e:
                refused.append((n, f"malformed line: {type(e).__name__}: {e}"))
                continue
            sealed = self.sealer.seal(kind, ident, body)
            if kind == ANSWER:
                self.backend.put_answer(ident, str(entry.status), sealed, att, entry.created)  # type: ignore[attr-defined, union-attr]
            else:
                free = frozenset(i for i, (_, f) in enumerate(entry.support)  # type: ignore[union-attr]
                                 if implied_by_cube(f, entry.cube))  # type: ignore[union-attr]
                self.backend.put_cube(ident, entry.support, sealed, att, entry.created, free=free)  # type: ignore[attr-defined, union-attr]
            accepted += 1
        return {"accepted": accepted, "refused": len(refused), "refused_lines": refused}


def model_for(entry: AnswerEntry, declarations: Sequence[Term]) -> dict[str, object]:
    """The stored model on the query's declared names (a name the stored query did not use
    gets 0 / false: it occurs in no assertion, as the keys are equal)."""
    out: dict[str, object] = {}
    for v in declarations:
        if v.val in entry.model:
            out[v.val] = entry.model[v.val]  # type: ignore[index]
        else:
            out[v.val] = False if v.sort == BOOL else (Fraction(0) if v.sort == REAL else 0)  # type: ignore[index]
    return out


def open_store(location: Optional[str] = None, *, key_file: Optional[str] = None) -> MemoStore:
    """The store at ``location``: a file path (SQLite), ``postgresql://...`` (a server), or
    None: ``$EAGERSMT_MEMO``.  ``key_file``: the owner's key (default: see
    ``trust.load_key``; created on first use).  ``MemoError`` if it cannot be used, or if no
    store is named."""
    location = location or os.environ.get(MEMO_ENV) or None
    if location is None:
        raise MemoError(f"no lemma store named: give --memo PATH|URL or set ${MEMO_ENV}")
    key, source = load_key(key_file)
    sealer = Sealer(key)
    if location is not None and location.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresBackend

        return MemoStore(PostgresBackend(location), sealer, key_source=source)
    if location is not None and "://" in location and not location.startswith("sqlite://"):
        scheme = location.split("://", 1)[0]
        raise MemoError(f"lemma store {scheme}:// is not supported: use a file path or "
                        "postgresql://... (README, 'Lemma store', says why PostgreSQL)")
    from .sqlite import SqliteBackend

    return MemoStore(SqliteBackend(location.removeprefix("sqlite://")), sealer,
                     key_source=source)
