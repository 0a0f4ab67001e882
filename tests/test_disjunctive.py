"""Root propagation of machines (``encode/disjunctive.py``) and its certificate rule.

Every lemma must be implied by the formula (Z3 proves formula and not lemma unsat), the
answers of ``auto`` must match Z3, sat models must satisfy the input, and every unsat
answer must come with a certificate that ``check-proof`` accepts; a forged lemma must be
rejected."""

from __future__ import annotations

import json
import random
import shutil
import sys
from pathlib import Path

import pytest
import z3

from eagersmt import Config, solve_smtlib, solve_file
from eagersmt.check.proof import CertificateError, check_certificate
from eagersmt.encode import disjunctive as D
from eagersmt.encode.base import split_classes
from eagersmt.encode.cnf import CNF
from eagersmt.encode.tseitin import tseitin
from eagersmt.ir.normalize import normalize
from eagersmt.result import Status
from eagersmt.smtlib.parser import parse

from .conftest import BENCH
from .oracle import z3_accepts_model, z3_status

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import gen_openshop  # noqa: E402


def job_shop(rng: random.Random, jobs: int, machines: int, slack: float) -> str:
    """A random job shop (every job visits every machine once) with makespan bound
    ``slack`` times the largest machine or job load."""
    ops = [[(m, rng.randint(1, 6)) for m in rng.sample(range(machines), machines)]
           for _ in range(jobs)]
    load = max(max(sum(d for mm, d in j if mm == m) for m in range(machines))
               for j in [sum(ops, [])])
    load = max(load, max(sum(d for _, d in j) for j in ops))
    bound = int(load * slack)
    out = ["(set-logic QF_IDL)", "(declare-fun z () Int)"]
    out += [f"(declare-fun s_{j}_{k} () Int)" for j in range(jobs) for k in range(machines)]
    for j, job in enumerate(ops):
        out.append(f"(assert (>= (- s_{j}_0 z) 0))")
        for k in range(1, machines):
            out.append(f"(assert (>= (- s_{j}_{k} s_{j}_{k - 1}) {job[k - 1][1]}))")
        out.append(f"(assert (<= (- s_{j}_{machines - 1} z) {bound - job[-1][1]}))")
    on: dict[int, list[tuple[str, int]]] = {}
    for j, job in enumerate(ops):
        for k, (m, d) in enumerate(job):
            on.setdefault(m, []).append((f"s_{j}_{k}", d))
    for m, tasks in on.items():
        for i, (a, da) in enumerate(tasks):
            for b, db in tasks[i + 1:]:
                out.append(f"(assert (or (>= (- {a} {b}) {db}) (>= (- {b} {a}) {da})))")
    out.append("(check-sat)")
    return "\n".join(out) + "\n"


def open_shop(durations: list[list[int]], bound: int) -> str:
    """An open shop (``benchmarks/gen_openshop.py``): job ``j`` needs ``durations[j][m]`` on
    machine ``m``, in any order, all within ``[0, bound]``: an operation shares a machine
    with the other jobs' and a job with its own other operations (two cliques of pairs per
    operation)."""
    return gen_openshop.to_smtlib(durations, bound, "unknown", "test")


def random_open_shop(rng: random.Random, jobs: int, machines: int, slack: float) -> str:
    durations = [[rng.randint(1, 6) for _ in range(machines)] for _ in range(jobs)]
    load = max(max(sum(row) for row in durations),
               max(sum(row[m] for row in durations) for m in range(machines)))
    return open_shop(durations, int(load * slack))


def disjunctive_mix(rng: random.Random) -> str:
    """Random pairwise separations (not always cliques, durations that differ per pair),
    precedences and windows: the general shape the recognizer must be sound on."""
    n = rng.randint(3, 7)
    out = ["(set-logic QF_IDL)", "(declare-fun o () Int)"]
    out += [f"(declare-fun t{i} () Int)" for i in range(n)]
    for i in range(n):
        out.append(f"(assert (>= (- t{i} o) {rng.randint(0, 4)}))")
        out.append(f"(assert (<= (- t{i} o) {rng.randint(4, 14)}))")
    for _ in range(rng.randint(0, 3)):
        a, b = rng.sample(range(n), 2)
        out.append(f"(assert (>= (- t{b} t{a}) {rng.randint(0, 3)}))")
    for i in range(n):
        for j in range(i + 1, n):
            if rng.random() < 0.7:
                out.append(f"(assert (or (>= (- t{j} t{i}) {rng.randint(1, 5)}) "
                           f"(>= (- t{i} t{j}) {rng.randint(1, 5)})))")
    out.append("(check-sat)")
    return "\n".join(out) + "\n"


def analysis_of(text: str):
    script = parse(text)
    assertions = [c.args[0] for c in script.commands if c.name == "assert"]
    norm = normalize(assertions)
    cnf = CNF()
    ts = tseitin(norm.circuit, cnf)
    root = D.Root(norm.circuit, exact=True)
    out = []
    for cls in split_classes(ts.preds, norm.circuit.unit_preds()):
        sched = D.strengthen(cls, root)
        if sched is not None:
            out.append(sched[0])
    return norm, out


CASES = [("js", s) for s in range(40)] + [("mix", s) for s in range(40)] + \
    [("os", s) for s in range(20)]


def instance(kind: str, seed: int) -> str:
    rng = random.Random(seed)
    if kind == "js":
        return job_shop(rng, rng.randint(2, 4), rng.randint(2, 4), rng.choice([0.9, 1.0, 1.1, 1.3]))
    if kind == "os":
        return random_open_shop(rng, rng.randint(2, 4), rng.randint(2, 4),
                                rng.choice([0.95, 1.0, 1.1, 1.3]))
    return disjunctive_mix(rng)


@pytest.mark.parametrize("kind,seed", CASES)
def test_every_lemma_is_implied(kind: str, seed: int) -> None:
    text = instance(kind, seed)
    norm, analyses = analysis_of(text)
    names = norm.circuit.int_names
    for res in analyses:
        for x, y, k, _, _ in res.lemmas:
            s = z3.Solver()
            s.from_string(text)
            if x == y:  # "false": the formula itself is unsat
                assert res.infeasible and s.check() == z3.unsat
                continue
            s.add(z3.Int(names[x]) - z3.Int(names[y]) > k)
            assert s.check() == z3.unsat, f"lemma {names[x]} - {names[y]} <= {k} not implied"


@pytest.mark.parametrize("kind,seed", CASES)
def test_answers_models_and_certificates(kind: str, seed: int, tmp_path: Path) -> None:
    check_answer_model_certificate(instance(kind, seed), tmp_path)


def check_answer_model_certificate(text: str, tmp_path: Path) -> None:
    """The answer is Z3's; a model satisfies the formula (Z3); an unsat answer's certificate
    is verified."""
    expected = z3_status(text)
    path = tmp_path / "x.smt2"
    path.write_text(text)
    r = solve_file(str(path), config=Config(encoding="auto", backend="cadical"))
    assert r.status.value == expected
    if r.status == Status.SAT:
        assert z3_accepts_model(text, r.model)
    else:
        cert = tmp_path / "cert"
        assert solve_file(str(path), config=Config(proof=str(cert), backend="cadical")).status == Status.UNSAT
        check_certificate(str(cert), str(path))


def append_clause(cert: Path, meta: dict, clause: list[int]) -> None:
    """Add ``clause`` to a certificate's CNF (a forgery the checker must refuse)."""
    cnf_path = cert / meta["cnf"]
    lines = cnf_path.read_text().splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("p cnf"))
    _, _, nv, nc = lines[head].split()
    lines[head] = f"p cnf {nv} {int(nc) + 1}"
    lines.append(" ".join(map(str, clause)) + " 0")
    cnf_path.write_text("\n".join(lines) + "\n")


def test_machines_recognized_and_reported() -> None:
    text = job_shop(random.Random(5), 4, 3, 1.0)
    r = solve_smtlib(text, config=Config(encoding="auto"))
    assert r.stats.counts["machines"] == 3
    assert "machines" in r.stats.notes["schedule"]
    # explicit encodings leave the CNF alone
    r = solve_smtlib(text, config=Config(encoding="order"))
    assert "machines" not in r.stats.counts


def test_an_open_shop_has_its_jobs_as_machines_too() -> None:
    # every operation is on two cliques, its machine's and its job's: both are recognized, and
    # the heaviest job (10 units in a window of 9) refutes the bound without search
    durations = [[1, 1, 1], [2, 2, 2], [3, 3, 4]]
    norm, found = analysis_of(open_shop(durations, 12))
    (res,) = found
    tasks = sorted(len(m.tasks) for m in res.machines)
    assert tasks == [3] * 6
    covered = {(min(a, b), max(a, b)) for m in res.machines for a in m.tasks for b in m.tasks if a < b}
    assert covered == {(q.a, q.b) for q in res.pairs}
    r = solve_smtlib(open_shop(durations, 9), config=Config(encoding="auto"))
    assert r.status == Status.UNSAT
    assert r.stats.notes["encodings"] == "refuted:1"
    assert r.stats.notes["schedule"].startswith("6 machines, 9 operations")
    r = solve_smtlib(open_shop(durations, 10), config=Config(encoding="auto"))
    assert r.status == Status.SAT


def test_overload_refutes_at_the_root() -> None:
    # three unit tasks on one machine in a window of two: unsat without search
    text = """(declare-fun a () Int)(declare-fun b () Int)(declare-fun c () Int)(declare-fun o () Int)
    (assert (and (>= (- a o) 0) (>= (- b o) 0) (>= (- c o) 0) (<= (- a o) 1) (<= (- b o) 1) (<= (- c o) 1)))
    (assert (or (>= (- a b) 1) (>= (- b a) 1)))
    (assert (or (>= (- a c) 1) (>= (- c a) 1)))
    (assert (or (>= (- b c) 1) (>= (- c b) 1)))
    (check-sat)"""
    r = solve_smtlib(text, config=Config(encoding="auto"))
    assert r.status == Status.UNSAT
    assert r.stats.notes["encodings"] == "refuted:1"


FT06_54 = BENCH / "jobshop_classic" / "jobshop_ft06_b54.smt2"
LA01_665 = BENCH / "jobshop_classic" / "jobshop_la01_b665.smt2"
needs_shared = pytest.mark.skipif(not LA01_665.exists(), reason="../shared/benchmarks not found")


@needs_shared
@pytest.mark.parametrize("path", [FT06_54, LA01_665], ids=lambda p: p.stem)
def test_forged_lemmas_rejected(path: Path, tmp_path: Path) -> None:
    cert = tmp_path / "cert"
    assert solve_file(str(path), config=Config(proof=str(cert), backend="cadical")).status == Status.UNSAT
    check_certificate(str(cert), str(path))
    meta = json.loads((cert / "certificate.json").read_text())
    cls = next(c for c in meta["classes"] if c.get("lemmas"))
    for mutate in ("tighten", "drop_overload", "swap_side"):
        bad = tmp_path / mutate
        shutil.copytree(cert, bad)
        m = json.loads(json.dumps(meta))
        lemmas = next(c for c in m["classes"] if c.get("lemmas"))["lemmas"]
        if mutate == "tighten":  # a bound one tighter than proven
            lemmas[0][2] -= 1000
        elif mutate == "drop_overload":
            i = next((i for i, l in enumerate(lemmas) if l[4]), None)
            if i is None:
                continue
            lemmas[i][4] = None
        else:  # claim the refuted side of a resolution lemma
            i = next((i for i, l in enumerate(lemmas) if l[3]), None)
            if i is None:
                continue
            lemmas[i][:3], lemmas[i][3] = lemmas[i][3], lemmas[i][:3]
        (bad / "certificate.json").write_text(json.dumps(m))
        with pytest.raises(CertificateError):
            check_certificate(str(bad), str(path))
    assert cls["lemmas"]


@pytest.mark.parametrize("seed", range(30))
def test_list_schedule_restriction_is_exact(seed: int, tmp_path: Path) -> None:
    """Pure tight classes may be restricted to a list schedule: answers match Z3 and models
    check; an extra non-root atom over a task makes the class impure (no restriction)."""
    rng = random.Random(1000 + seed)
    jobs, machines = rng.randint(3, 6), rng.randint(2, 3)
    text = job_shop(rng, jobs, machines, rng.choice([1.0, 1.0, 1.2]))
    if seed % 3 == 0:  # an atom inside a non-root clause: the class is no longer pure
        text = text.replace("(check-sat)", "(declare-fun p () Bool)\n"
                            "(assert (or p (and (not p) (>= (- s_0_0 z) 3))))\n(check-sat)")
    expected = z3_status(text)
    r = solve_smtlib(text, config=Config(encoding="auto", backend="cadical"))
    assert r.status.value == expected
    if r.status == Status.SAT:
        assert z3_accepts_model(text, r.model)
    if "restricted" in r.stats.notes.get("schedule", ""):
        assert seed % 3 != 0 and expected == "sat"


def test_list_schedule_restriction_happens() -> None:
    hits = 0
    for seed in range(1, 12):
        if seed % 3 == 0:
            continue
        rng = random.Random(1000 + seed)
        jobs, machines = rng.randint(3, 6), rng.randint(2, 3)
        text = job_shop(rng, jobs, machines, rng.choice([1.0, 1.0, 1.2]))
        r = solve_smtlib(text, config=Config(encoding="auto"))
        hits += "restricted" in r.stats.notes.get("schedule", "")
    assert hits >= 3


def test_operation_that_is_the_time_origin() -> None:
    """An operation pinned to 0 becomes the zero variable (equality substitution), the
    anchor of the windows: the list-scheduling member must leave it alone (a KeyError
    once, on examples/pysmt_example.py)."""
    text = """(declare-fun a () Int)(declare-fun b () Int)(declare-fun c () Int)
    (assert (= a 0)) (assert (>= b 0)) (assert (>= c 0))
    (assert (<= b 4)) (assert (<= c 4))
    (assert (or (>= (- b a) 2) (>= (- a b) 3)))
    (assert (or (>= (- c a) 2) (>= (- a c) 2)))
    (assert (or (>= (- c b) 3) (>= (- b c) 2)))
    (check-sat)"""
    r = solve_smtlib(text, config=Config(encoding="auto"))
    assert r.status.value == z3_status(text)
    if r.status == Status.SAT:
        assert z3_accepts_model(text, r.model)


def test_no_list_schedule_restriction_in_an_incremental_encoding(tmp_path: Path) -> None:
    """Assertions added in place after the first check-sat must not meet a class restricted
    to one schedule: after the model of the first check-sat, forbid its start times one by
    one (each check-sat vs Z3 on the same prefix)."""
    import subprocess
    import sys

    rng = random.Random(1001)  # a tight job shop that the one-shot path restricts
    base = job_shop(rng, rng.randint(3, 6), rng.randint(2, 3), 1.0).replace("(check-sat)\n", "")
    assert "restricted" in solve_smtlib(base + "(check-sat)",
                                        config=Config(encoding="auto")).stats.notes["schedule"]
    first = solve_smtlib(base + "(check-sat)", config=Config(encoding="auto")).model
    extra = [f"(assert (distinct {n} {v}))" for n, v in sorted(first.items()) if n != "z"][:4]
    script = base + "(check-sat)\n" + "".join(e + "\n(check-sat)\n" for e in extra)
    path = tmp_path / "inc.smt2"
    path.write_text(script)
    out = subprocess.run([sys.executable, "-m", "eagersmt.cli.main", "solve", str(path)],
                         capture_output=True, text=True, timeout=120)
    got = [line for line in out.stdout.split() if line in ("sat", "unsat", "unknown")]
    want = [z3_status(base + "".join(extra[:i]) + "(check-sat)") for i in range(len(extra) + 1)]
    assert got == want


@pytest.mark.parametrize("seed", range(1000, 1016))
def test_restriction_meets_every_two_atom_clause(seed: int) -> None:
    """A top-level clause of two atoms that is no machine pair (here: a start time that
    must differ from the one the list schedule picks) keeps the class pure, so the schedule
    must meet it too, or the restriction is a wrong unsat (38 of 90 such files answered
    unsat once; and a pair with the time origin crashed)."""
    rng = random.Random(seed)
    base = job_shop(rng, rng.randint(3, 6), rng.randint(2, 3), 1.0).replace("(check-sat)\n", "")
    r = solve_smtlib(base + "(check-sat)", config=Config(encoding="auto"))
    m = r.model
    for n in sorted(x for x in m if x != "z")[:2]:
        text = base + f"(assert (distinct (- {n} z) {m[n] - m['z']}))(check-sat)"
        r2 = solve_smtlib(text, config=Config(encoding="auto"))
        assert r2.status.value == z3_status(text)
        if r2.status == Status.SAT:
            assert z3_accepts_model(text, r2.model)


CAPACITY_ROWS = """(set-logic QF_LIA)
(declare-const s0 Int) (declare-const s1 Int) (declare-const s2 Int) (declare-const s3 Int)
(assert (and (>= s0 0) (<= (+ s0 2) 5))) (assert (and (>= s1 0) (<= (+ s1 3) 5)))
(assert (and (>= s2 0) (<= (+ s2 1) 5))) (assert (and (>= s3 0) (<= (+ s3 3) 5)))
""" + "".join(
    f"(assert (<= (+ {' '.join(f'(ite (and (<= s{j} s{i}) (< s{i} (+ s{j} {d}))) 2 0)' for j, d in enumerate((2, 3, 1, 3)))}) 2))\n"
    for i in range(4)) + "(check-sat)\n"


def test_overload_of_pairs_that_two_clauses_separate_certifies(tmp_path: Path) -> None:
    """A capacity row at each start says "no other operation runs at my start": for a pair,
    one clause per start, ``s1 >= s0 + 1 or s0 >= s1 + 3`` and ``s1 >= s0 + 2 or s0 >= s1
    + 1``, which only together keep ``[s0, s0 + 2)`` and ``[s1, s1 + 3)`` apart; the root
    lemmas' overloads rely on both, and the checker accepts them."""
    path = tmp_path / "capacity.smt2"
    path.write_text(CAPACITY_ROWS)
    assert z3_status(CAPACITY_ROWS) == "unsat"
    cert = tmp_path / "cert"
    assert solve_file(str(path), config=Config(proof=str(cert))).status == Status.UNSAT
    report = check_certificate(str(cert), str(path))
    assert report.counts["root_lemmas"] >= 1


def test_separation_needs_every_difference_excluded() -> None:
    from eagersmt.check.proof import _separated

    assert _separated([(1, 3), (2, 1)], 2, 3)  # b - a in [-2, 0] and [0, 1]: all of [-2, 1]
    assert not _separated([(1, 3)], 2, 3)  # b - a = 1 is left: [a, a + 2) meets [b, b + 3)
    assert not _separated([(1, 2), (2, 1)], 2, 3)  # [-1, 0] and [0, 1]: b - a = -2 is left
    assert _separated([(2, 3)], 2, 3)  # one clause with both lengths
    assert not _separated([], 1, 1)


@pytest.mark.parametrize("other", ["bool", "class"])
def test_restriction_sees_clauses_with_a_boolean_or_another_class(other: str) -> None:
    """A top-level clause joining an atom of the class to a Boolean variable, or to an atom of
    another class, makes the class impure: both force a start later than the list schedule's
    (the Boolean, the other atom false), so restricting the domains to that schedule was a
    wrong unsat (the fuzzer found the first)."""
    checked = 0
    for seed in range(1000, 1012):
        rng = random.Random(seed)
        base = job_shop(rng, rng.randint(3, 6), rng.randint(2, 3), 1.0).replace("(check-sat)\n", "")
        m = solve_smtlib(base + "(check-sat)", config=Config(encoding="auto")).model
        for n in sorted(x for x in m if x != "z")[:1]:  # (a sat job shop)
            later = f"(>= (- {n} z) {m[n] - m['z'] + 1})"
            if other == "bool":
                extra = f"(declare-fun p () Bool)(assert (not p))(assert (or p {later}))"
            else:
                extra = ("(declare-fun u () Int)(declare-fun v () Int)(assert (<= (- v u) 0))"
                         f"(assert (or (< (- u v) 0) {later}))")
            text = base + extra + "(check-sat)"
            r = solve_smtlib(text, config=Config(encoding="auto"))
            assert r.status.value == z3_status(text), seed
            if r.status == Status.SAT:
                assert z3_accepts_model(text, r.model)
            checked += 1
    assert checked >= 4


def test_fuzzer_finding_a_clause_with_a_boolean():
    text = """(set-logic QF_IDL)
    (declare-const s_0_0 Int) (declare-const s_0_1 Int) (declare-const s_0_2 Int)
    (declare-fun s_1_0 () Int) (declare-fun s_1_1 () Int) (declare-fun s_1_2 () Int)
    (declare-const p1 Bool)
    (assert (and (>= s_0_0 0) (>= s_1_0 0)))
    (assert (>= (- s_0_1 s_0_0) 5)) (assert (>= (- s_0_2 s_0_1) 0))
    (assert (>= (- s_1_1 s_1_0) 1)) (assert (>= (- s_1_2 s_1_1) 3))
    (assert (or (>= (- s_1_2 s_0_2) 3) (>= (- s_0_2 s_1_2) 4)))
    (assert (and (=> p1 false) (=> (not p1) (>= s_0_0 1))))
    (assert (<= s_0_2 8)) (assert (<= s_1_2 7))
    (check-sat)"""
    r = solve_smtlib(text, config=Config(encoding="auto", backend="cadical"))
    assert r.status == Status.SAT and z3_accepts_model(text, r.model)


def test_generated_open_shops_answer_their_status(tmp_path: Path) -> None:
    # benchmarks/gen_openshop.py: the optimum from CP-SAT, the files sat at it and unsat one
    # below (a job's or machine's overload, refuted at the root), as Z3 says
    pytest.importorskip("ortools")
    assert gen_openshop.main(["4,3,7", "3,5,8", "--out-dir", str(tmp_path)]) == 0
    files = sorted(tmp_path.glob("*.smt2"))
    assert len(files) == 4
    for f in files:
        text = f.read_text()
        expected = "unsat" if f.stem.endswith("optm1") else "sat"
        assert z3_status(text) == expected
        r = solve_file(str(f), config=Config(encoding="auto"))
        assert r.status.value == expected
        if expected == "sat":
            assert z3_accepts_model(text, r.model)
        else:
            assert r.stats.notes["encodings"] == "refuted:1"
