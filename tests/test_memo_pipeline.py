"""The lemma store in the pipeline: answers and refutations reused by ``solve``,
sessions, the ``Solver`` and ``optimize``; certificates that include the entries a run used;
and a store that an attacker writes to never causing a wrong answer (vs Z3)."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import z3
from hypothesis import HealthCheck, given, settings

from eagersmt import Solver
from eagersmt.api import solve_smtlib
from eagersmt.check.proof import CertificateError, check_certificate
from eagersmt.config import Config
from eagersmt.memo import open_store, query_keys, verify_entry
from eagersmt.memo.entries import ANSWER, CUBE, AnswerEntry, answer_header
from eagersmt.check.query_keys import Atom, Clause
from eagersmt.check.lemmas import applies
from eagersmt.memo.use import MemoWarning, close_all
from eagersmt.result import Status
from eagersmt.smtlib.parser import parse

from .oracle import z3_accepts_model
from .smtgen import idl_script
from .test_memo_trust import _corrupt, _row, _set

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from gen_jobshop import load_instances, longer, to_smtlib  # noqa: E402

EAGERSMT = str(Path(sys.executable).parent / "eagersmt")
FT06 = load_instances(REPO / "examples" / "ft06.txt")["ft06"]


@pytest.fixture
def memo(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A store of this test's own (the session's key), on for the library and the CLI."""
    loc = str(tmp_path / "memo.sqlite")
    monkeypatch.setenv("EAGERSMT_MEMO", loc)
    yield loc
    close_all()


def _cli(*args: str, **kw) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    return subprocess.run([EAGERSMT, *args], capture_output=True, text=True, timeout=300, **kw)


def _counts(r) -> dict:  # type: ignore[no-untyped-def]
    return {k: v for k, v in r.stats.counts.items() if k.startswith("memo_")}


CHAIN = ("(set-logic QF_IDL)(declare-const x Int)(declare-const y Int)(declare-const z Int)"
         "(declare-const p Bool)(assert (< x y))(assert (< y z))(assert (or p (<= z 100)))")


# -- whole answers -------------------------------------------------------------------------

def test_sat_answer_is_stored_and_reused_with_its_model_checked(memo):  # type: ignore[no-untyped-def]
    text = CHAIN + "(check-sat)"
    first = solve_smtlib(text)
    assert first.status == Status.SAT and _counts(first)["memo_written"] == 1
    second = solve_smtlib(text.replace("(assert (< x y))(assert (< y z))",
                                       "(assert (and (< y z) (> y x)))"))  # the same keys
    assert second.status == Status.SAT and second.stats.notes["memo"] == "answer from the lemma store"
    assert _counts(second)["memo_answered"] == 1 and z3_accepts_model(text, second.model)
    off = solve_smtlib(text, config=Config(memo="off"))
    assert "memo" not in off.stats.notes and not _counts(off)


def test_a_stored_model_that_fails_its_check_is_refused(memo):  # type: ignore[no-untyped-def]
    """Even an authentic entry (the owner's key) is not believed: a wrong model (a solver
    bug that wrote it) is refused, deleted, and the query solved."""
    text = CHAIN + "(check-sat)"
    s = parse(text)
    qk = query_keys(s.assertions, s.logic)
    with open_store(memo) as st:
        st.put_sat(qk, {"x": 5, "y": 1, "z": 0, "p": False})
    r = solve_smtlib(text)
    assert r.status == Status.SAT and z3_accepts_model(text, r.model)
    assert _counts(r)["memo_refused"] == 1 and _counts(r)["memo_answered"] == 0
    assert _counts(r)["memo_written"] == 1  # the right answer replaces it
    assert solve_smtlib(text).stats.notes["memo"] == "answer from the lemma store"


def test_unsat_answers_are_stored_with_their_certificates_only(memo, tmp_path):  # type: ignore[no-untyped-def]
    text = CHAIN + "(assert (<= z x))(check-sat)"
    assert _counts(solve_smtlib(text))["memo_written"] == 0  # no certificate: not stored
    f = tmp_path / "q.smt2"
    f.write_text(text)
    r = _cli("solve", "--proof", str(tmp_path / "d1"), "--stats", str(f))
    assert r.stdout.split() == ["unsat"] and "memo_written    1" in r.stderr
    r = _cli("solve", "--proof", str(tmp_path / "d2"), "--stats", str(f))
    assert r.stdout.split() == ["unsat"] and "answer from the lemma store" in r.stderr
    assert (tmp_path / "d2" / "memo-answer" / "input.smt2").exists()
    r = _cli("check-proof", str(tmp_path / "d2"), str(f))
    assert r.returncode == 0 and "an answer from the lemma store" in r.stdout
    # the input must be the same query: another file is refused
    g = tmp_path / "other.smt2"
    g.write_text(text.replace("(<= z x)", "(<= z (- x 1))"))
    assert _cli("check-proof", str(tmp_path / "d2"), str(g)).returncode == 4
    # and a tampered stored certificate is refused
    cnf = tmp_path / "d2" / "memo-answer" / "formula.cnf"
    cnf.write_text(cnf.read_text().replace(" 0\n", " 0\n", 1) + "1 0\n-1 0\n")
    r = _cli("check-proof", str(tmp_path / "d2"), str(f))
    assert r.returncode == 4 and "rejected" in r.stdout


# -- refutations: recorded from --proof sessions, applied, certified ---------------------------

SESSION = CHAIN + """
(push 1)(assert (<= z x))(check-sat)(pop 1)
(push 1)(assert (<= z (- x 3)))(check-sat)(pop 1)
(push 1)(assert (<= z (+ x 5)))(check-sat)(pop 1)
(push 1)(assert (<= z (- x 7)))(check-sat)(pop 1)
"""


def test_a_session_reuses_its_refutations_and_check_proof_verifies_them(memo, tmp_path):  # type: ignore[no-untyped-def]
    f = tmp_path / "s.smt2"
    f.write_text(SESSION)
    d = tmp_path / "proof"
    r = _cli("solve", "--proof", str(d), "--stats", str(f))
    assert r.stdout.split() == ["unsat", "unsat", "sat", "unsat"]
    meta = json.loads((d / "check-sat-2" / "certificate.json").read_text())
    assert [len(x["support"]) for x in meta["lemmas"]] == [3]  # the assertions below the level
    r = _cli("check-proof", str(d), str(f))
    assert r.returncode == 0 and [ln.split(":")[0] for ln in r.stdout.splitlines()] == ["verified"] * 3
    assert "stored refutation(s) applied" in r.stdout
    with open_store(memo) as st:
        cubes = [x.entry for x in st.listing([CUBE])]
        assert [c.cube for c in cubes] == [(Atom("z", "x", 0),)]
        assert verify_entry(st, cubes[0]).startswith("verified")
    # a lemma whose certificate is tampered with, or whose support the input lacks: refused
    lemma = d / "check-sat-2" / "lemma-1"
    saved = (lemma / "formula.cnf").read_text()
    (lemma / "formula.cnf").write_text("p cnf 1 1\n1 0\n")
    with pytest.raises(CertificateError, match="lemma 1"):
        check_certificate(str(d / "check-sat-2"), str(f))
    (lemma / "formula.cnf").write_text(saved)
    check_certificate(str(d / "check-sat-2"), str(f))
    g = tmp_path / "weaker.smt2"
    g.write_text(SESSION.replace("(assert (< y z))", "(assert (<= y z))"))
    meta_path = d / "check-sat-2" / "certificate.json"
    meta["input"]["sha256"] = __import__("hashlib").sha256(g.read_text().encode()).hexdigest()
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(CertificateError, match="support does not hold"):
        check_certificate(str(d / "check-sat-2"), str(g))


def test_the_incremental_solver_applies_stored_refutations(memo, tmp_path):  # type: ignore[no-untyped-def]
    f = tmp_path / "s.smt2"
    f.write_text(SESSION)
    assert _cli("solve", "--proof", str(tmp_path / "d"), str(f)).returncode == 0
    with Solver() as s:  # push/pop checks run on the kept encoding
        s.add(CHAIN.replace("(set-logic QF_IDL)", ""))
        assert s.check() == Status.SAT
        s.push()
        s.add("(assert (<= z (- x 10)))")
        assert s.check() == Status.UNSAT
        assert s.statistics()["memo"] == "1 stored refutation(s) applied"
        s.pop()
        s.push()
        s.add("(assert (<= z (+ x 1)))")
        assert s.check() == Status.UNSAT  # (x < y < z: z >= x + 2)
        s.pop()
        assert s.check() == Status.SAT and z3_accepts_model(CHAIN, s.model())


def test_a_store_that_cannot_be_used_is_a_warning(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    bad = str(tmp_path / "file" / "memo.sqlite")
    (tmp_path / "file").write_text("not a directory")
    with pytest.warns(MemoWarning, match="going on without it"):
        r = solve_smtlib(CHAIN + "(check-sat)", config=Config(memo=bad))
    assert r.status == Status.SAT
    f = tmp_path / "q.smt2"
    f.write_text(CHAIN + "(check-sat)")
    r = _cli("solve", "--memo", "redis://localhost", str(f))
    assert r.returncode == 0 and r.stdout.split() == ["sat"]
    assert "warning: lemma store redis:// is not supported" in r.stderr
    close_all()


def test_cli_options(tmp_path):  # type: ignore[no-untyped-def]
    r = _cli("solve", "--help")
    assert "--memo PATH|URL" in r.stdout and "--no-memo" in r.stdout
    assert "--no-memo" in _cli("optimize", "--help").stdout
    f = tmp_path / "q.smt2"
    f.write_text(CHAIN + "(check-sat)")
    loc = tmp_path / "m.sqlite"
    _cli("solve", "--memo", str(loc), str(f))
    _cli("solve", "--memo", str(loc), "--no-memo", str(f))
    r = _cli("memo", "stats", "--memo", str(loc), "--json")
    assert json.loads(r.stdout)["answer"]["entries"] == 1


def test_without_a_store_nothing_of_it_is_imported_or_written(tmp_path):  # type: ignore[no-untyped-def]
    """--no-memo costs nothing (no module of the store is even imported), and a formula
    that normalizing decides is answered without the store."""
    code = ("import sys; from eagersmt.api import solve_smtlib; from eagersmt.config import Config; "
            f"r = solve_smtlib({CHAIN + '(check-sat)'!r}, config=Config(memo='off')); "
            "print(r.status, sorted(m for m in sys.modules if m.startswith('eagersmt.memo.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split(None, 1) == ["sat", "[]\n"], out.stderr
    # the same when the default reads EAGERSMT_MEMO=off, as benchmarks set it
    code = code.replace("Config(memo='off')", "Config()")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "EAGERSMT_MEMO": "off"})
    assert out.stdout.split(None, 1) == ["sat", "[]\n"], out.stderr
    loc = tmp_path / "m.sqlite"
    f = tmp_path / "q.smt2"
    f.write_text("(set-logic QF_IDL)(declare-const x Int)(assert (< x x))(check-sat)")
    r = _cli("solve", "--memo", str(loc), "--stats", str(f))
    assert r.stdout.split() == ["unsat"] and "memo_looked_up" not in r.stderr
    assert not loc.exists()


def test_off_by_default_nothing_under_home_and_a_named_store_answers(tmp_path):  # type: ignore[no-untyped-def]
    """No store is used unless one is named: a first quick-start run writes nothing under
    the home directory (no store, no key); with ``--memo FILE`` the key is created, and a
    second run answers from the store."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("XDG_") and not k.startswith("EAGERSMT_MEMO")}
    env["HOME"] = str(home)
    example = str(REPO / "examples" / "jobshop_3x3.smt2")
    r = _cli("solve", "--stats", example, env=env, cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.split()[0] == "sat", r.stderr
    assert "memo_looked_up" not in r.stderr
    assert list(home.rglob("*")) == []
    store = tmp_path / "store.sqlite"
    first = _cli("solve", "--memo", str(store), "--stats", example, env=env, cwd=tmp_path)
    second = _cli("solve", "--memo", str(store), "--stats", example, env=env, cwd=tmp_path)
    assert first.stdout.split()[0] == second.stdout.split()[0] == "sat", second.stderr
    assert "answer from the lemma store" not in first.stderr
    assert "answer from the lemma store" in second.stderr
    assert (home / ".config" / "eagersmt" / "memo.key").exists() and store.exists()


# -- implication: clauses of difference literals (what-if variants) -------------------------

def test_a_longer_operation_implies_the_original_job_shop():
    base = parse(to_smtlib(FT06, None))
    variant = parse(to_smtlib(longer(FT06, [(2, 3)]), None))
    bk, vk = query_keys(base.assertions, base.logic), query_keys(variant.assertions, variant.logic)
    changed = [k for k in bk.keys if k not in vk.keys]
    assert changed and all(isinstance(bk.fact(k), (Atom, Clause)) for k in changed)
    assert all(vk.implies(f) if isinstance(f, Atom) else vk.implies_clause(f)
               for f in map(bk.fact, changed))
    shorter = parse(to_smtlib(longer(FT06, [(2, 3)], -1), None))
    sk = query_keys(shorter.assertions, shorter.logic)
    assert not all(sk.implies(f) if isinstance(f, Atom) else sk.implies_clause(f)
                   for f in map(bk.fact, changed))


# -- the optimizer -----------------------------------------------------------------------------

def _z3_optimum(text: str) -> int:
    o = z3.Optimize()
    o.from_string(text.replace("(get-objectives)", ""))
    assert o.check() == z3.sat
    return o.model().eval(z3.Int("ms") - z3.Int("z")).as_long()


def test_optimize_records_a_certified_bound_and_a_warm_run_searches_nothing(memo, tmp_path):  # type: ignore[no-untyped-def]
    f = tmp_path / "ft06.smt2"
    f.write_text(to_smtlib(FT06, None))
    cold = _cli("optimize", str(f))
    assert "; optimum (- ms z) = 55" in cold.stdout
    with open_store(memo) as st:
        [cube] = [x.entry for x in st.listing([CUBE])]
        assert cube.cube == (Atom("ms", "z", 54),)
        assert verify_entry(st, cube).startswith("verified")
    warm = _cli("optimize", str(f))
    assert "; optimum (- ms z) = 55" in warm.stdout
    assert "0 sat, 0 unsat calls; lemma store: optimum from the lemma store" in warm.stdout
    # the certificate of optimality of a warm run verifies (its bound query used the lemma)
    d = tmp_path / "cert"
    r = _cli("optimize", str(f), "--proof", str(d))
    assert "; certificate:" in r.stdout
    r = _cli("check-proof", str(d), str(f))
    assert r.returncode == 0 and "verified" in r.stdout


@pytest.mark.parametrize("ops", [[(0, 0)], [(2, 3)], [(5, 5)], [(1, 2), (3, 4)]])
def test_what_if_variants_get_the_lower_bound_and_agree_with_z3(memo, ops):  # type: ignore[no-untyped-def]
    from eagersmt.optimize import Objective, optimize
    from eagersmt.smtlib.parser import parse as parse_text

    def run(inst):  # type: ignore[no-untyped-def]
        text = to_smtlib(inst, None)
        s = parse_text(text)
        [c] = [c for c in s.commands if c.name == "minimize"]
        return text, optimize(s.assertions, s.declarations, Objective(c.args[0], False, c.args[1]),
                              terms=s.terms, logic=s.logic)

    _, base = run(FT06)
    assert base.value == 55 and base.proven
    text, v = run(longer(FT06, ops))
    assert v.proven and v.value == _z3_optimum(text)
    assert v.stats.counts["memo_applied"] >= 1
    # the search gallops up from the stored lower bound (each operation one unit longer
    # moves the optimum by at most one): the first model, the midpoint, the optimum; no
    # descent from the first model (8-10 sat calls here without it)
    assert v.stats.counts.get("unsat_calls", 0) <= len(ops), v.stats.counts
    assert v.stats.counts.get("sat_calls", 0) <= 3, v.stats.counts
    assert z3_accepts_model(text.split("(minimize")[0], v.model)


# -- a hostile store under the whole pipeline: 0 wrong answers ----------------------------------

def _queries(text: str) -> list[str]:
    """Each check-sat of a script as a script of its own (for Z3)."""
    from eagersmt.check.proof import assertions_at
    from eagersmt.smtlib.printer import script_text

    s = parse(text)
    n = sum(c.name == "check-sat" for c in s.commands)
    return [script_text(assertions_at(s, i), logic="QF_LIA",
                        declarations=s.declarations) for i in range(1, n + 1)]


def _session_of(base: str, extra: list[str]) -> str:
    """``base``'s declarations and assertions, then a push / assert / check-sat / pop step
    per extra assertion, then a last check-sat."""
    head = base.replace("(check-sat)", "").replace("(exit)", "")
    steps = "".join(f"(push 1)(assert {e})(check-sat)(pop 1)" for e in extra)
    return head + steps + "(check-sat)"


_HOSTILE: dict[str, object] = {}
ATTACKS: list[str] = []


@settings(max_examples=int(os.environ.get("EAGERSMT_MEMO_PIPELINE_N", "25")), deadline=None,
          suppress_health_check=list(HealthCheck), derandomize=True)
@given(idl_script(max_vars=4, big_constants=False))
def test_no_wrong_answer_through_the_pipeline_with_a_hostile_store(
        tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    """Each script becomes a push/pop session, run through the pipeline three times (with
    certificates, so that answers and refutations are stored; plainly; interactively on
    the ``Solver``) with one store, in which an attacker corrupts entries at random between
    the runs: every answer agrees with Z3."""
    if "dir" not in _HOSTILE:
        _HOSTILE["dir"] = tmp_path_factory.mktemp("hostile")
        _HOSTILE["n"] = 0
    d = str(_HOSTILE["dir"])
    loc = os.path.join(d, "memo.sqlite")
    old = os.environ.get("EAGERSMT_MEMO")
    os.environ["EAGERSMT_MEMO"] = loc
    try:
        s = parse(text)
        names = sorted(v.val for v in s.declarations if v.sort == "Int")
        if len(names) < 2:
            return
        rng = random.Random(len(text) * 7919 + len(names))
        extra = []
        for _ in range(3):
            a, b = rng.sample(names, 2)
            extra.append(f"(<= (- {a} {b}) {rng.randint(-3, 3)})")
        session = _session_of(text, extra)
        want = []
        for q in _queries(session):
            z = z3.Solver()
            z.set("timeout", 20000)
            z.from_string(q)
            want.append(str(z.check()))
        if "unknown" in want:
            return
        proof = os.path.join(d, f"p{_HOSTILE['n']}")
        _HOSTILE["n"] = int(_HOSTILE["n"]) + 1  # type: ignore[call-overload]
        path = os.path.join(d, "s.smt2")
        with open(path, "w") as f:
            f.write(session)
        from eagersmt.session import Session

        for run in range(3):
            if run == 1:
                _attack(loc, rng)
            cfg = Config(proof=proof if run == 0 else None, backend="cadical")
            if run < 2:
                sess = Session(config=cfg, filename=path)
                try:
                    got = [line for line in sess.run_text(session) if line in ("sat", "unsat", "unknown")]
                finally:
                    sess.close()
            else:
                got = _solver_answers(text, extra)
            assert got == want, (run, session)
            _attack(loc, rng)
    finally:
        if old is None:
            os.environ.pop("EAGERSMT_MEMO", None)
        else:
            os.environ["EAGERSMT_MEMO"] = old
        close_all()


def _solver_answers(text: str, extra: list[str]) -> list[str]:
    out = []
    with Solver(backend="cadical") as s:
        s.add(text.replace("(check-sat)", "").replace("(exit)", ""))
        for e in extra:
            s.push()
            s.add(f"(assert {e})")
            out.append(str(s.check()))
            s.pop()
        out.append(str(s.check()))
    return out


def _attack(loc: str, rng: random.Random) -> None:
    """Corrupt a few stored rows (no key: bytes, tags, truncation, re-packed or foreign
    headers, moved rows, certificates)."""
    with open_store(loc) as st:
        listed = list(st.listing())
        rows = [(x.kind, x.ident) for x in listed if x.refused is None]  # (the others stay bad)
        if not rows:
            return
        for kind, ident in rng.sample(rows, min(len(rows), rng.randint(1, 3))):
            others = [x.ident for x in listed if x.kind == kind and x.ident != ident and x.head]
            _corrupt(st, rng, kind, ident, others)
            ATTACKS.append(kind)
