"""Trust in the lemma store (eagersmt/memo/trust.py): a fuzz campaign corrupts stored entries
at random (bytes, truncation, signatures, headers re-packed with another status, model,
support or cube, entries moved or forged under another key, certificates, index rows) and
checks that no corrupt entry is ever used, and that a pipeline reading the store never
gives a wrong answer (vs Z3)."""

from __future__ import annotations

import json
import os
import random
import tempfile
import zlib

import pytest
import z3
from hypothesis import HealthCheck, given, settings

from eagersmt.api import solve_smtlib
from eagersmt.check.model import check_model
from eagersmt.config import Config
from eagersmt.errors import InternalError
from eagersmt.memo import Atom, MemoStore, Refused, model_for, open_store, query_keys
from eagersmt.memo.entries import ANSWER, CUBE, AnswerEntry
from eagersmt.memo.trust import MAGIC, TAG_BYTES, Sealer
from eagersmt.result import Status
from eagersmt.smtlib.parser import parse

from .memohelp import CHAIN, location_for, private_env, query, store_answer, store_chain_cube
from .smtgen import idl_script


@pytest.fixture(autouse=True)
def _private(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    private_env(tmp_path, monkeypatch)


ATTACKER = Sealer(b"attacker's own key, not the owner's")


def _populate(store: MemoStore) -> dict:
    """A few entries of each kind; what each read should return when nothing is corrupt."""
    sat = [query(f"(assert (< x y))(assert (<= (- y z) {i}))(assert (or p (< z w)))") for i in range(5)]
    unsat = [query(f"(assert (< x y))(assert (< y z))(assert (<= (- z x) (- {i + 2})))") for i in range(3)]
    for q in sat + unsat:
        store_answer(store, q)
    for c in range(3):
        assert store_chain_cube(store, [Atom("z", "x", -c)])
    return {"sat": sat, "unsat": unsat}


def _row(store: MemoStore, kind: str, ident: str):  # type: ignore[no-untyped-def]
    """(head, attachment) of a stored entry, or None."""
    table = "memo_answers" if kind == ANSWER else "memo_cubes"
    row = store.backend._one(f"SELECT head FROM {table} WHERE id = ?", (ident,))  # type: ignore[attr-defined]
    return None if row is None else (row[0], store.backend.attachment(kind, ident))  # type: ignore[attr-defined]


def _set(store: MemoStore, kind: str, ident: str, head: bytes, attach: object) -> None:
    table = "memo_answers" if kind == ANSWER else "memo_cubes"
    b = store.backend
    b._execute(b._q(f"UPDATE {table} SET head = ? WHERE id = ?"), (head, ident))  # type: ignore[attr-defined]
    b._put_attachment(kind, ident, attach)  # type: ignore[attr-defined]


def _repack(head: bytes, edit) -> bytes:  # type: ignore[no-untyped-def]
    """The header decompressed, edited, recompressed, under the *old* tag."""
    body = head[len(MAGIC) + TAG_BYTES:]
    obj = json.loads(zlib.decompress(body))
    edit(obj)
    return head[:len(MAGIC) + TAG_BYTES] + zlib.compress(json.dumps(obj).encode())


def _edits(rng: random.Random, kind: str):  # type: ignore[no-untyped-def]
    def status(o: dict) -> None:
        o["status"] = "unsat" if o["status"] == "sat" else "sat"

    def model(o: dict) -> None:
        if o["model"]:
            item = rng.choice(o["model"])
            item[2] = (not item[2]) if item[1] == "b" else str(int(item[2]) + rng.choice([-1, 1]))
        else:
            o["model"] = [["x", "i", "0"]]

    def support_key(o: dict) -> None:
        k = o["support"][rng.randrange(len(o["support"]))]
        k[0] = k[0][:-1] + ("0" if k[0][-1] != "0" else "1")

    def support_atom(o: dict) -> None:
        for item in o["support"]:
            if isinstance(item[1], dict):  # a clause: weaken its first literal
                lit = item[1]["or"][0]
                lit[2] = ["i", str(int(lit[2][1]) + 5)]
            elif item[1] is not None:
                item[1][2] = ["i", str(int(item[1][2][1]) + 5)]  # a weaker support literal

    def cube(o: dict) -> None:
        lit = o["cube"][0]
        lit[3] = ["i", str(int(lit[3][1]) + 1)]

    def drop_support(o: dict) -> None:
        o["support"] = o["support"][:1]

    def logic(o: dict) -> None:
        o["logic"] = "QF_RDL"

    return [status, model, logic] if kind == ANSWER else [support_key, support_atom, cube, drop_support, logic]


def _corrupt(store: MemoStore, rng: random.Random, kind: str, ident: str, others: list[str]) -> str:
    """Corrupt one row in place; the name of the corruption."""
    head, attach = _row(store, kind, ident)
    head = bytes(head)
    how = rng.choice(["flip", "truncate", "extend", "tag", "repack", "foreign", "move",
                      "attach_flip", "attach_truncate", "attach_swap", "empty"])
    if how in ("attach_flip", "attach_truncate", "attach_swap") and attach is None:
        how = "flip"
    if how == "move" and not others:
        how = "tag"
    if how == "flip":
        b = bytearray(head)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(b))
            b[i] ^= rng.randint(1, 255)
        head = bytes(b)
    elif how == "truncate":
        head = head[:rng.randrange(len(head))]
    elif how == "extend":
        head = head + os.urandom(rng.randint(1, 64))
    elif how == "tag":
        head = head[:len(MAGIC)] + os.urandom(TAG_BYTES) + head[len(MAGIC) + TAG_BYTES:]
    elif how == "repack":
        head = _repack(head, rng.choice(_edits(rng, kind)))
    elif how == "foreign":  # the attacker re-seals an edited header with their own key
        edited = _repack(head, rng.choice(_edits(rng, kind)))
        head = ATTACKER.seal(kind, ident, edited[len(MAGIC) + TAG_BYTES:])
    elif how == "move":
        head, attach = (bytes(x) if x is not None else None for x in _row(store, kind, rng.choice(others)))
    elif how == "attach_flip":
        b = bytearray(bytes(attach))
        b[rng.randrange(len(b))] ^= rng.randint(1, 255)
        attach = bytes(b)
    elif how == "attach_truncate":
        attach = bytes(attach)[:rng.randrange(len(bytes(attach)))]
    elif how == "attach_swap":
        other = [o for o in others if _row(store, kind, o)[1] is not None]
        attach = bytes(_row(store, kind, rng.choice(other))[1]) if other else b""
    elif how == "empty":
        head = b""
    _set(store, kind, ident, head, attach)
    return how


def _same(a: object, b: object) -> bool:
    return a.__dict__ == b.__dict__  # type: ignore[attr-defined]


def campaign(store: MemoStore, n: int, seed: int) -> dict[str, int]:
    """``n`` corruptions, each read back the way the pipeline reads; counts."""
    rng = random.Random(seed)
    qs = _populate(store)
    answers = {q.qk.key: q for q in qs["sat"] + qs["unsat"]}
    original = {k: store.lookup(q.qk) for k, q in answers.items()}
    cubes = {e.id: e for e in store.applicable(CHAIN.qk)}
    assert len(cubes) == 3 and all(original.values())
    counts = {"corrupted": 0, "accepted_corrupt": 0, "refused": 0, "kinds": 0}
    seen_kinds = set()
    for _ in range(n):
        kind = rng.choice([ANSWER, CUBE])
        ids = list(answers) if kind == ANSWER else list(cubes)
        ident = rng.choice(ids)
        saved = tuple(None if x is None else bytes(x) for x in _row(store, kind, ident))
        how = _corrupt(store, rng, kind, ident, [i for i in ids if i != ident])
        seen_kinds.add(how)
        if tuple(None if x is None else bytes(x) for x in _row(store, kind, ident)) == saved:
            continue  # the random edit changed nothing (e.g. moved onto an identical blob)
        counts["corrupted"] += 1
        before = store.counters.refused
        used: list = []
        if kind == ANSWER:
            e = store.lookup(answers[ident].qk)
            if e is not None:
                used.append(e)
                if e.attachment is not None:
                    with tempfile.TemporaryDirectory() as d:
                        try:
                            store.extract(e, d)
                        except Refused:
                            used.pop()  # the certificate is refused: the entry is not used
        else:
            used = [e for e in store.applicable(CHAIN.qk) if e.id == ident]
            if used and used[0].attachment is not None:
                with tempfile.TemporaryDirectory() as d:
                    try:
                        store.extract(used[0], d)
                    except Refused:
                        used = []
        for e in used:
            ref = original[ident] if kind == ANSWER else cubes[ident]
            if not _same(e, ref) or how.startswith(("flip", "truncate", "extend", "tag", "repack",
                                                    "foreign", "move", "attach", "empty")):
                counts["accepted_corrupt"] += 1
        refused_now = store.counters.refused > before
        counts["refused"] += refused_now
        assert used == [] and refused_now, (kind, how)
        _set(store, kind, ident, *saved)
    counts["kinds"] = len(seen_kinds)
    # and everything is intact again
    assert all(_same(store.lookup(q.qk), original[k]) for k, q in answers.items())
    assert {e.id for e in store.applicable(CHAIN.qk)} == set(cubes)
    return counts


@pytest.mark.parametrize("backend,n", [("sqlite", 400), ("postgres", 150)])
def test_fuzz_corrupt_entries_are_never_used(backend: str, n: int, request, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with open_store(location_for(backend, request, tmp_path)) as s:
        c = campaign(s, n, seed=16)
    assert c["accepted_corrupt"] == 0
    assert c["refused"] == c["corrupted"] >= n * 0.9
    assert c["kinds"] == 11


@pytest.mark.slow
def test_fuzz_campaign_long(tmp_path) -> None:  # type: ignore[no-untyped-def]
    n = int(os.environ.get("EAGERSMT_MEMO_FUZZ_N", "5000"))
    with open_store(str(tmp_path / "m.sqlite")) as s:
        c = campaign(s, n, seed=1616)
    print(f"memo fuzz campaign: {c}")
    assert c["accepted_corrupt"] == 0 and c["refused"] == c["corrupted"]


def test_lying_index_rows_are_not_trusted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The index tables are not authenticated: rows edited to make an authentic entry look
    applicable to a query it does not apply to are caught by the exact re-check."""
    with open_store(str(tmp_path / "m.sqlite")) as s:
        store_chain_cube(s)
        q = query("(assert (< x y))(assert (< z w))")  # lacks y < z: the cube does not apply
        s.backend._execute("UPDATE memo_support SET akey = ? WHERE pos = 1", (q.qk.per_assertion[1][0],))
        assert s.applicable(q.qk) == []
        s.backend._execute("UPDATE memo_support_atom SET c = 1e300")  # any bound 'implies' it
        assert s.applicable(query("(assert (<= x (+ y 50)))(assert (< z w))").qk) == []


def test_forged_entries_under_a_foreign_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An attacker who can write the database but has no key plants an unsat answer for a
    sat query and a cube that would cut its models: both refused."""
    loc = str(tmp_path / "m.sqlite")
    q = query("(assert (< x y))")
    with open_store(loc) as s:
        from eagersmt.memo.entries import answer_header

        forged = AnswerEntry(q.qk.key, q.qk.logic, Status.SAT, {"x": 9, "y": 0})
        s.backend.put_answer(q.qk.key, "sat", ATTACKER.seal(ANSWER, q.qk.key, answer_header(forged)), None, 0.0)
        assert s.lookup(q.qk) is None and "bad signature" in s.refusals[-1].reason
        # and a cube entry copied from the owner's store, re-sealed by the attacker
        store_chain_cube(s)
        [e] = s.applicable(CHAIN.qk)
        head = _row(s, CUBE, e.id)[0]
        body = bytes(head)[len(MAGIC) + TAG_BYTES:]
        _set(s, CUBE, e.id, ATTACKER.seal(CUBE, e.id, body), _row(s, CUBE, e.id)[1])
        assert s.applicable(CHAIN.qk) == [] and s.counters.refused == 2


# -- a pipeline reading a store that an attacker writes to: 0 wrong answers -------------------

def _z3_status(text: str) -> str:
    solver = z3.Solver()
    solver.set("timeout", 20000)
    solver.from_string(text.replace("QF_IDL", "QF_LIA").replace("QF_RDL", "QF_LRA"))
    return str(solver.check())


def _answer(text: str, store: MemoStore) -> Status:
    """The whole-answer path as the pipeline will take it: keys, lookup, model check."""
    s = parse(text)
    qk = query_keys(s.assertions, s.logic)
    hit = store.lookup(qk)
    if hit is not None and hit.status == Status.SAT:
        try:
            check_model(s.assertions, model_for(hit, s.declarations))
            return Status.SAT
        except InternalError:
            store.reject(ANSWER, qk.key, "model check failed")
    elif hit is not None:
        return Status.UNSAT
    with tempfile.TemporaryDirectory() as d:
        r = solve_smtlib(text, config=Config(proof=d, backend="cadical"))
        if r.status == Status.SAT:
            store.put_sat(qk, r.model)
        elif r.status == Status.UNSAT:
            store.put_unsat(qk, d, text)
    return r.status


_STORE: dict[str, MemoStore] = {}


@settings(max_examples=int(os.environ.get("EAGERSMT_MEMO_HOSTILE_N", "60")), deadline=None,
          suppress_health_check=list(HealthCheck), derandomize=True)
@given(idl_script(max_vars=4, big_constants=False))
def test_no_wrong_answer_with_a_hostile_store(tmp_path_factory: pytest.TempPathFactory,
                                              text: str) -> None:
    """Each formula is answered twice through a store in between which an attacker flips
    the stored answer, forges one under their key, or corrupts bytes: every answer agrees
    with Z3."""
    if "st" not in _STORE:
        _STORE["st"] = open_store(str(tmp_path_factory.mktemp("hostile") / "hostile.sqlite"))
    store = _STORE["st"]
    text = text if "(check-sat)" in text else text + "(check-sat)"
    want = _z3_status(text)
    if want == "unknown":
        return
    assert str(_answer(text, store)) == want
    s = parse(text)
    qk = query_keys(s.assertions, s.logic)
    row = _row(store, ANSWER, qk.key)
    if row is not None:
        rng = random.Random(len(text))
        head = bytes(row[0])
        attack = rng.choice(["flip_status", "forge", "bytes"])
        if attack == "flip_status":
            head = _repack(head, lambda o: o.update(status="unsat" if o["status"] == "sat" else "sat"))
        elif attack == "forge":
            wrong = "unsat" if want == "sat" else "sat"
            head = ATTACKER.seal(ANSWER, qk.key, _repack(head, lambda o: o.update(status=wrong))[
                len(MAGIC) + TAG_BYTES:])
        else:
            b = bytearray(head)
            b[rng.randrange(len(b))] ^= 0xFF
            head = bytes(b)
        _set(store, ANSWER, qk.key, head, row[1])
    refused = store.counters.refused
    assert str(_answer(text, store)) == want  # the corrupt entry is refused, the answer right
    assert row is None or store.counters.refused == refused + 1
    assert str(_answer(text, store)) == want  # (and the re-solved answer is stored again)
