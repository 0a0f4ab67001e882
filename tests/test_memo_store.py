"""The lemma store (eagersmt/memo/store.py) on both back ends: SQLite and a real PostgreSQL
server (tests/pgserver.py, or EAGERSMT_TEST_PG_URL)."""

from __future__ import annotations

import multiprocessing
import os

import pytest
import z3

from eagersmt.check.model import check_model
from eagersmt.check.proof import check_certificate
from eagersmt.errors import InternalError
from eagersmt.memo import Atom, BoolLit, MemoError, lemma_term, model_for, open_store, verify_entry
from eagersmt.memo.entries import ANSWER
from eagersmt.memo.trust import Sealer, load_key
from eagersmt.result import Status

from .memohelp import CHAIN, location_for, private_env, query, store_answer, store_chain_cube


@pytest.fixture(autouse=True)
def _private(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    private_env(tmp_path, monkeypatch)


@pytest.fixture(params=["sqlite", "postgres"])
def location(request, tmp_path):  # type: ignore[no-untyped-def]
    return location_for(request.param, request, tmp_path)


def test_no_default_store_and_the_key_is_made_on_first_use(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A store is opened only where one is named; its key is created then, private."""
    with pytest.raises(MemoError, match="no lemma store named"):
        open_store()
    assert not (tmp_path / "cfg").exists() and not (tmp_path / "cache").exists()
    loc = str(tmp_path / "named" / "memo.sqlite")
    with open_store(loc) as s:
        assert s.location == loc
        assert s.key_source == str(tmp_path / "cfg" / "eagersmt" / "memo.key")
    assert os.stat(tmp_path / "cfg" / "eagersmt" / "memo.key").st_mode & 0o777 == 0o600
    assert os.stat(loc).st_mode & 0o077 == 0


def test_sat_answer_round_trip(location: str) -> None:
    q = query("(assert (< x y))(assert (or p (< y z)))(assert (<= z 10))(assert (>= x 0))")
    with open_store(location) as s:
        assert s.lookup(q.qk) is None
        assert store_answer(s, q) == Status.SAT
        # the same query written otherwise: reordered, sugar, a let
        q2 = query("(assert (let ((a (>= x 0))) a))(assert (and (<= z 10) (> y x)))"
                   "(assert (or (< y z) p))")
        assert q2.qk.key == q.qk.key
        hit = s.lookup(q2.qk)
        assert hit is not None and hit.status == Status.SAT
        m = model_for(hit, q2.script.declarations)
        check_model(q2.script.assertions, m)  # the stored model satisfies the new text
        assert set(m) == {"x", "y", "z", "w", "p"}  # completed with the unused w
        c = s.counters
        assert (c.looked_up, c.hits, c.written, c.refused) == (2, 1, 1, 0)


def test_unsat_answer_and_its_certificate(location: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    q = query("(assert (< x y))(assert (< y z))(assert (or (< z x) (and p (not p))))")
    with open_store(location) as s:
        assert store_answer(s, q) == Status.UNSAT
        q2 = query("(assert (> z y))(assert (< z x))(assert (> y x))")
        hit = s.lookup(q2.qk)
        assert hit is not None and hit.status == Status.UNSAT and hit.model == {}
        assert verify_entry(s, hit).startswith("verified")
        path = s.extract(hit, str(tmp_path / "cert"))  # what --proof would hand on
        check_certificate(str(tmp_path / "cert"), path)


def test_cube_applies_by_key_and_by_implied_literal(location: str) -> None:
    with open_store(location) as s:
        assert store_chain_cube(s)
        assert not store_chain_cube(s)  # the same entry again: not written twice
        [e] = s.applicable(CHAIN.qk)
        assert e.cube == (Atom("z", "x", 0),)
        assert verify_entry(s, e).startswith("verified")
        # x - y <= -3 implies x - y <= -1 (the support's x < y): applies
        assert len(s.applicable(query("(assert (<= (- x y) (- 3)))(assert (< y z))").qk)) == 1
        # x - y <= 0 does not imply x < y
        assert s.applicable(query("(assert (<= x y))(assert (< y z))").qk) == []
        # a missing support assertion
        assert s.applicable(query("(assert (< x y))(assert (< z w))").qk) == []
        assert s.counters.applied == 2


def test_applied_lemma_keeps_every_model(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Soundness of a match: the query is sat, the lemma applies, and Z3 finds the query
    and the asserted lemma equisatisfiable with the query (here: still sat, and the lemma is
    implied: query and not lemma is unsat)."""
    with open_store(str(tmp_path / "memo.sqlite")) as s:
        assert store_chain_cube(s, [Atom("z", "x", 0), BoolLit("p")])
        q = query("(assert (<= (- x y) (- 2)))(assert (< y z))(assert (<= w 3))")
        [e] = s.applicable(q.qk)
        lemma = lemma_term(e, q.script.terms, q.sorts)
        assert lemma is not None
        from eagersmt.smtlib.printer import term_to_smtlib

        for extra, want in (("", z3.sat), (f"(assert (not {term_to_smtlib(lemma)}))", z3.unsat)):
            solver = z3.Solver()
            solver.from_string(q.text.replace("(check-sat)", "").replace("QF_IDL", "QF_LIA") + extra)
            assert solver.check() == want


def test_real_cube_and_bounds(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fractions import Fraction

    from eagersmt.memo import query_keys, record_cube
    from eagersmt.smtlib.parser import parse

    head = "(set-logic QF_RDL)(declare-const x Real)(declare-const y Real)"
    s1 = parse(head + "(assert (< x (/ 1 2)))(assert (<= y x))")
    k1 = query_keys(s1.assertions, s1.logic)
    sorts = {v.val: v.sort for v in s1.declarations}
    with open_store(str(tmp_path / "memo.sqlite")) as s:
        assert record_cube(s, k1, s1.assertions, [0, 1], [Atom(None, "y", Fraction(-1, 2))],
                           terms=s1.terms, sorts=sorts)
        for text, n in (("(assert (<= x (/ 1 3)))(assert (<= y x))", 1),
                        ("(assert (< x (/ 1 2)))(assert (<= y x))", 1),
                        ("(assert (<= x (/ 1 2)))(assert (<= y x))", 0)):  # weaker: x <= 1/2
            s2 = parse(head + text)
            assert len(s.applicable(query_keys(s2.assertions, s2.logic))) == n, text
        # an integer query never takes a real refutation (x < 1/2 is no integer atom)
        s3 = parse("(set-logic QF_IDL)(declare-const x Int)(declare-const y Int)"
                   "(assert (<= x 0))(assert (<= y x))")
        assert s.applicable(query_keys(s3.assertions, s3.logic)) == []
        e = s.applicable(k1)[0]
        assert lemma_term(e, s3.terms, {"x": "Int", "y": "Int"}) is None


def test_reject_deletes_and_counts(location: str) -> None:
    q = query("(assert (< x y))")
    with open_store(location) as s:
        s.put_sat(q.qk, {"x": 5, "y": 1, "z": 0, "w": 0, "p": False})  # a wrong model
        hit = s.lookup(q.qk)
        with pytest.raises(InternalError):
            check_model(q.script.assertions, model_for(hit, q.script.declarations))
        s.reject(ANSWER, q.qk.key, "model check failed")
        assert s.lookup(q.qk) is None
        assert (s.counters.hits, s.counters.refused) == (0, 1)


def test_gc(location: str) -> None:
    qs = [query(f"(assert (<= x {i}))") for i in range(6)]
    with open_store(location) as s:
        for q in qs:
            store_answer(s, q)
        store_chain_cube(s)
        s.backend._execute(s.backend._q("UPDATE memo_answers SET head = ? WHERE id = ?"),
                           (b"garbage", qs[0].qk.key))
        s.backend._execute(s.backend._q("UPDATE memo_answers SET used = 0 WHERE id = ?"),
                           (qs[1].qk.key,))
        assert s.stats(scan=True)["refused"] == 1
        counts = s.gc(older_than=86400.0)
        assert counts == {"refused": 1, "old": 1, "bad_proof": 0, "size": 0, "kept": 5}
        counts = s.gc(max_bytes=0)
        assert counts["size"] == 5 and counts["kept"] == 0
        assert s.stats()["answer"]["entries"] == 0  # type: ignore[index]


def test_gc_check_proofs(location: str) -> None:
    with open_store(location) as s:
        store_chain_cube(s)
        store_answer(s, query("(assert (< x y))(assert (< y x))"))
        assert s.gc(check_proofs=True)["kept"] == 2


def test_export_import_and_foreign_keys(location: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import io

    with open_store(location) as a:
        store_answer(a, query("(assert (< x y))"))
        store_answer(a, query("(assert (< x y))(assert (< y x))"))
        store_chain_cube(a)
        out = io.StringIO()
        assert a.export(out) == (3, 0)
    other_key = tmp_path / "other.key"
    other_key.write_text(os.urandom(32).hex())
    other_key.chmod(0o600)
    b_path = str(tmp_path / "b.sqlite")
    with open_store(b_path, key_file=str(other_key)) as b:
        r = b.import_(out.getvalue().splitlines())  # sealed with a's key: foreign to b
        assert (r["accepted"], r["refused"]) == (0, 3)
        a_key = Sealer(load_key()[0])
        r = b.import_(out.getvalue().splitlines(), from_sealer=a_key)  # the owner vouches
        assert (r["accepted"], r["refused"]) == (3, 0)
        assert b.lookup(query("(assert (< x y))").qk) is not None  # re-sealed with b's key
        [e] = b.applicable(CHAIN.qk)
        assert verify_entry(b, e).startswith("verified")


def test_key_file_rules(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "k"
    f.write_text(os.urandom(32).hex())
    f.chmod(0o644)
    with pytest.raises(MemoError, match="chmod 600"):
        open_store(str(tmp_path / "s.sqlite"), key_file=str(f))
    f.chmod(0o600)
    assert open_store(str(tmp_path / "s.sqlite"), key_file=str(f)).key_source == str(f)
    f.write_text("abcd")
    with pytest.raises(MemoError, match="at least"):
        load_key(str(f))
    f.write_text("not hex at all")
    with pytest.raises(MemoError, match="hexadecimal"):
        load_key(str(f))
    monkeypatch.setenv("EAGERSMT_MEMO_KEY", "11" * 32)
    key, src = load_key()
    assert key == b"\x11" * 32 and src == "$EAGERSMT_MEMO_KEY"


def test_location_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(MemoError, match="not supported"):
        open_store("redis://127.0.0.1:6379")
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro" / "memo.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(MemoError):
        open_store(str(tmp_path / "ro" / "memo.sqlite"))
    with pytest.raises(MemoError):
        open_store("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")


# -- several processes at once -----------------------------------------------------------

def _key_worker(cfg: str, out: "multiprocessing.Queue") -> None:
    os.environ["XDG_CONFIG_HOME"] = cfg
    out.put(load_key()[0].hex())


def test_first_use_key_creation_race(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_key_worker, args=(str(tmp_path / "race"), out)) for _ in range(6)]
    for p in procs:
        p.start()
    keys = {out.get(timeout=60) for _ in procs}
    for p in procs:
        p.join(60)
    assert len(keys) == 1


def _writer(location: str, cfg: str, worker: int, n: int, errors: "multiprocessing.Queue") -> None:
    try:
        os.environ["XDG_CONFIG_HOME"] = cfg
        with open_store(location) as s:
            for i in range(n):
                q = query(f"(assert (<= (- x y) {worker * 1000 + i}))")
                s.put_sat(q.qk, {"x": 0, "y": 0, "z": 0, "w": 0, "p": False})
                shared = query(f"(assert (<= x {i}))")  # every worker writes these too
                s.put_sat(shared.qk, {"x": 0, "y": 0, "z": 0, "w": 0, "p": False})
                assert s.lookup(q.qk) is not None
                if i % 10 == 0:
                    store_chain_cube(s, [Atom("z", "x", -i)])
                    assert s.applicable(CHAIN.qk)
        errors.put(None)
    except BaseException as e:  # noqa: BLE001 - reported to the parent
        errors.put(repr(e))


def test_concurrent_writers(location: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """K = 4 processes write answers and cube refutations at once (some the same ones);
    every entry ends up there once, authentic."""
    k, n = 4, 40
    with open_store(location):  # creates the key and the schema
        pass
    ctx = multiprocessing.get_context("fork")
    errors = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(location, str(tmp_path / "cfg"), w, n, errors))
             for w in range(k)]
    for p in procs:
        p.start()
    results = [errors.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(60)
    assert results == [None] * k
    with open_store(location) as s:
        st = s.stats(scan=True)
        assert st["refused"] == 0
        assert st["answer"]["entries"] == k * n + n  # type: ignore[index]
        assert st["cube"]["entries"] == n // 10  # type: ignore[index]
        assert len(s.applicable(CHAIN.qk)) == n // 10


def test_cli_memo_commands(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from eagersmt.cli.main import main

    loc = str(tmp_path / "c.sqlite")
    with open_store(loc) as s:
        store_answer(s, query("(assert (< x y))"))
        store_chain_cube(s)
        s.backend._execute("UPDATE memo_cubes SET head = substr(head, 1, 20)")
    run = CliRunner().invoke
    r = run(main, ["memo", "stats", "--memo", loc, "--scan"])
    assert r.exit_code == 4 and "answers: 1 (sat 1, unsat 0)" in r.output and "refused: 1" in r.output
    r = run(main, ["memo", "export", "--memo", loc, str(tmp_path / "e.jsonl")])
    assert r.exit_code == 0 and "exported: 1 entries (1 refused left out)" in r.output
    r = run(main, ["memo", "gc", "--memo", loc])
    assert r.exit_code == 0 and "refused 1" in r.output and "kept 1" in r.output
    r = run(main, ["memo", "import", "--memo", str(tmp_path / "d.sqlite"), str(tmp_path / "e.jsonl")])
    assert r.exit_code == 0 and "imported: 1 entries, refused 0" in r.output
    other = tmp_path / "o.key"
    other.write_text("22" * 32)
    other.chmod(0o600)
    r = run(main, ["memo", "import", "--memo", str(tmp_path / "f.sqlite"), "--key-file", str(other),
                   str(tmp_path / "e.jsonl")])
    assert r.exit_code == 4 and "bad signature" in r.output
    r = run(main, ["memo", "stats", "--memo", "redis://x"])
    assert r.exit_code == 1 and r.output.startswith("error: ")
    r = run(main, ["memo", "stats", "--memo", loc, "--json"])
    assert r.exit_code == 0 and '"entries": 1' in r.output


def test_the_shared_server_is_real(memo_pg_url: str) -> None:
    """Not a mock: a PostgreSQL server answers on the URL."""
    import psycopg

    with psycopg.connect(memo_pg_url) as c:
        version = c.execute("SHOW server_version").fetchone()[0]
    assert int(version.split(".")[0]) >= 12


def test_verify_catches_a_wrong_entry_the_owner_sealed(location: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The key vouches for who wrote an entry, the proof for what it says: an authentic
    entry whose certificate proves something else is rejected by ``verify_entry`` (and
    deleted by ``gc --check-proofs``)."""
    from eagersmt.api import solve_smtlib
    from eagersmt.config import Config
    from eagersmt.memo import Refused

    other = query("(assert (< x y))(assert (< y x))")  # unsat, but not the query below
    d = str(tmp_path / "cert")
    assert solve_smtlib(other.text, config=Config(proof=d)).status == Status.UNSAT
    q = query("(assert (< x y))")  # sat
    with open_store(location) as s:
        s.put_unsat(q.qk, d, other.text)  # a buggy solver's claim, sealed all the same
        s.put_cube(CHAIN.qk.support_of([0]), [Atom("y", "x", 5)], logic="QF_IDL",
                   certificate_dir=d, input_text=other.text)
        hit = s.lookup(q.qk)
        with pytest.raises(Refused, match="not the query"):
            verify_entry(s, hit)
        [e] = s.applicable(CHAIN.qk)
        with pytest.raises(Refused, match="does not assert"):
            verify_entry(s, e)
        assert s.gc(check_proofs=True) == {"refused": 0, "old": 0, "bad_proof": 2, "size": 0, "kept": 0}
