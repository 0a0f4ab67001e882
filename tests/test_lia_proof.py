"""Certificates of linear integer arithmetic and uninterpreted functions: ``solve --proof``
on QF_LIA / QF_UFLIA / QF_UF writes them (``encode/linear_checkable.py``), ``check-proof``
verifies them (``check/linear.py``, ``check/ackermann.py``), and a certificate whose CNF is
stronger than the formula (a clause of a constraint's block, a bit map, a BDD node's
meaning, an Ackermann constraint tampered with) is rejected."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from eagersmt import Config, solve_file
from eagersmt.check.proof import CertificateError, check_certificate
from eagersmt.result import Status

from .conftest import BENCH, manifest, needs_shared

LIA = """(set-logic QF_LIA)
(declare-const x Int) (declare-const y Int) (declare-const z Int) (declare-const p Bool)
(assert (<= 0 x 13)) (assert (<= -4 y 9)) (assert (<= 0 z 20))
(assert (= (+ (* 3 x) (* 5 y) (- z)) 17))
(assert (or p (>= (- (* 2 x) y) 9)))
(assert (=> p (<= (+ x y z) 6)))
(assert (= (mod (+ x z) 4) 3))
(assert (> (* 7 y) (+ x 30)))
(check-sat)
"""
UFLIA = """(set-logic QF_UFLIA)
(declare-fun f (Int Int) Int) (declare-fun g (Int) Int)
(declare-const x Int) (declare-const y Int)
(assert (<= 0 x 10)) (assert (<= 0 y 10))
(assert (= (+ x 1) (* 2 y)))
(assert (> (f x y) (+ (f (- (* 2 y) 1) y) 2)))
(assert (= (g x) (g y)))
(check-sat)
"""
UF = """(set-logic QF_UF)
(declare-fun p (Bool) Bool) (declare-fun q (Bool Bool) Bool)
(declare-const a Bool) (declare-const b Bool) (declare-const c Bool)
(assert (= a b))
(assert (or (p a) (q a c)))
(assert (not (p b)))
(assert (not (q b c)))
(check-sat)
"""
UFIDL = """(set-logic QF_UFIDL)
(declare-fun f (Int) Int) (declare-fun p (Int) Bool)
(declare-fun x () Int) (declare-fun y () Int) (declare-fun z () Int)
(assert (<= (- x y) 0)) (assert (<= (- y x) 0))
(assert (< (- (f x) (f y)) 0))
(assert (or (p x) (< (- z (f y)) 2)))
(assert (not (p y)))
(check-sat)
"""
MIXED = """(set-logic QF_UFLIA)
(declare-fun f (Int) Int) (declare-const p Bool)
(declare-const s1 Int) (declare-const s2 Int) (declare-const a Int) (declare-const b Int)
(assert (<= 0 s1)) (assert (>= (- s2 s1) 3)) (assert (=> p (<= s2 2)))
(assert (<= 0 a 10)) (assert (<= 0 b 10))
(assert (=> (not p) (>= (+ (* 3 a) (* 2 b)) 51)))
(assert (or p (< (- (f s1) (f s2)) 0)))
(check-sat)
"""
QUICK = ["lia/lia_general/lia_n12_m14_s53_eq.smt2", "lia/lia_pb/php_10_9.smt2",
         "lia/uflia/assign_n12_s69_optm1.smt2"]
FAMILIES = ("lia_rcpsp", "lia_pb", "lia_general", "uflia", "ufidl")


def certified(text_or_path: str | Path, tmp_path: Path, name: str = "c") -> tuple[Path, Path]:
    """Solve with ``--proof``; the certificate directory and the input's path."""
    path = Path(text_or_path) if isinstance(text_or_path, Path) else tmp_path / f"{name}.smt2"
    if not isinstance(text_or_path, Path):
        path.write_text(text_or_path)
    cert = tmp_path / f"cert-{name}"
    r = solve_file(str(path), config=Config(proof=str(cert), backend="cadical"))
    assert r.status == Status.UNSAT
    return cert, path


def tampered(cert: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "tampered"
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(cert, dst)
    return dst


def cnf_clauses(cert: Path) -> tuple[str, list[list[int]]]:
    lines = (cert / "formula.cnf").read_text().splitlines()
    body = [ln for ln in lines if ln and ln[0] not in "cp"]
    return "\n".join(ln for ln in lines if ln and ln[0] in "cp"), \
        [[int(t) for t in ln.split()[:-1]] for ln in body]


def write_cnf(cert: Path, clauses: list[list[int]]) -> None:
    nvars = max((abs(v) for c in clauses for v in c), default=0)
    (cert / "formula.cnf").write_text(f"p cnf {nvars} {len(clauses)}\n" + "".join(
        " ".join(map(str, c)) + " 0\n" for c in clauses))


def meta(cert: Path) -> dict:
    return json.loads((cert / "certificate.json").read_text())


def set_meta(cert: Path, m: dict) -> None:
    (cert / "certificate.json").write_text(json.dumps(m))


@pytest.mark.parametrize("text", [LIA, UFLIA, UF, UFIDL], ids=["lia", "uflia", "uf", "ufidl"])
def test_certificates_verify(tmp_path: Path, text: str) -> None:
    cert, path = certified(text, tmp_path)
    r = check_certificate(str(cert), str(path))
    if "QF_UF" in text:
        assert r.counts["ackermann"] >= 1
    if "QF_UFIDL" in text:  # difference classes: checked as difference logic
        assert r.counts["theory"] + r.counts["compact"] > 0 and r.counts["linear"] == 0
    elif "Int" in text:
        assert r.counts["linear"] > 0


def test_satisfiable_linear_formula_gets_no_certificate(tmp_path: Path) -> None:
    path = tmp_path / "sat.smt2"
    path.write_text(LIA.replace("(assert (> (* 7 y) (+ x 30)))", ""))
    r = solve_file(str(path), config=Config(proof=str(tmp_path / "c")))
    assert r.status == Status.SAT


@pytest.fixture(scope="module")
def lia_cert(tmp_path_factory) -> tuple[Path, Path]:
    return certified(LIA, tmp_path_factory.mktemp("lia"))


def _bdd_clause(cert: Path) -> tuple[str, list[list[int]], int]:
    """The CNF and the index of a clause ``-node -bit child`` of a BDD."""
    nodes = {v for v, *_ in meta(cert)["linear"]["nodes"]}
    header, clauses = cnf_clauses(cert)
    for i, c in enumerate(clauses):
        if len(c) == 3 and -c[0] in nodes and c[2] in nodes:
            return header, clauses, i
    raise AssertionError("no BDD clause of three literals")


def test_strengthened_bdd_clause_rejected(lia_cert, tmp_path: Path) -> None:
    cert, path = lia_cert
    _, clauses, i = _bdd_clause(cert)
    bad = tampered(cert, tmp_path)
    clauses[i] = [clauses[i][0], clauses[i][2]]  # node -> child, whatever the bit
    write_cnf(bad, clauses)
    with pytest.raises(CertificateError, match="BDD"):
        check_certificate(str(bad), str(path))


def test_extra_clause_on_bits_rejected(lia_cert, tmp_path: Path) -> None:
    cert, path = lia_cert
    _, clauses = cnf_clauses(cert)
    x, lo, bits = meta(cert)["linear"]["bits"][0]
    bad = tampered(cert, tmp_path)
    write_cnf(bad, clauses + [[bits[0]]])  # x - lo is odd: not implied
    with pytest.raises(CertificateError, match="CNF clause"):
        check_certificate(str(bad), str(path))


def test_tampered_bit_map_rejected(lia_cert, tmp_path: Path) -> None:
    cert, path = lia_cert
    m = meta(cert)
    row = next(r for r in m["linear"]["bits"] if len(r[2]) >= 2)
    bad = tampered(cert, tmp_path)
    row[1] += 1  # another offset
    set_meta(bad, m)
    with pytest.raises(CertificateError, match="domain"):
        check_certificate(str(bad), str(path))
    m = meta(cert)
    row = next(r for r in m["linear"]["bits"] if len(r[2]) >= 2)
    row[2][0], row[2][-1] = row[2][-1], row[2][0]  # low and high bit swapped
    set_meta(bad, m)
    with pytest.raises(CertificateError):
        check_certificate(str(bad), str(path))


def test_tampered_node_meaning_rejected(lia_cert, tmp_path: Path) -> None:
    cert, path = lia_cert
    m = meta(cert)
    for node in m["linear"]["nodes"]:
        node[3] -= 1  # every node claims one less
    bad = tampered(cert, tmp_path)
    set_meta(bad, m)
    with pytest.raises(CertificateError, match="BDD"):
        check_certificate(str(bad), str(path))


def test_tampered_term_order_rejected(lia_cert, tmp_path: Path) -> None:
    cert, path = lia_cert
    m = meta(cert)
    src = next(s for s in m["linear"]["sources"] if len(s[-1]) >= 2)
    src[-1][0] = -src[-1][0]
    bad = tampered(cert, tmp_path)
    set_meta(bad, m)
    with pytest.raises(CertificateError, match="term order"):
        check_certificate(str(bad), str(path))


def test_weakened_ackermann_clause_rejected(tmp_path: Path) -> None:
    """The CNF's consistency clause with a premise dropped is no root clause."""
    cert, path = certified(UF, tmp_path)
    _, clauses = cnf_clauses(cert)
    check_certificate(str(cert), str(path))
    for i, c in enumerate(clauses):
        if len(c) >= 2:
            bad = tampered(cert, tmp_path)
            write_cnf(bad, clauses[:i] + [c[1:]] + clauses[i + 1:])
            with pytest.raises(CertificateError, match="CNF clause"):
                check_certificate(str(bad), str(path))


def test_ackermann_across_functions_rejected(tmp_path: Path, monkeypatch) -> None:
    """A normalizer that pairs applications of different functions equates ``f(x, y)`` and
    ``g(x)``: a satisfiable formula's CNF is then unsat, and the checker's own reading of
    the consistency constraints refuses the certificate."""
    from itertools import combinations

    import eagersmt.ir.linear as linear

    text = UFLIA.replace("(assert (> (f x y) (+ (f (- (* 2 y) 1) y) 2)))",
                         "(assert (> (f x y) (g x)))").replace("(assert (= (g x) (g y)))", "")
    path = tmp_path / "sat.smt2"
    path.write_text(text)
    assert solve_file(str(path)).status == Status.SAT
    monkeypatch.setattr(linear, "consistency_pairs", lambda apps: combinations(apps, 2))
    cert = tmp_path / "cert"
    assert solve_file(str(path), config=Config(proof=str(cert))).status == Status.UNSAT
    with pytest.raises(CertificateError, match="not two applications of one function"):
        check_certificate(str(cert), str(path))


def test_ackermann_without_an_argument_equality_rejected(tmp_path: Path, monkeypatch) -> None:
    """A consistency root that lost its premises (``F = G`` outright) is refused."""
    import eagersmt.compile as compile_

    cert, path = certified(UFLIA, tmp_path)
    real = compile_.normalize_assertions

    def stronger(assertions, **kw):  # type: ignore[no-untyped-def]
        norm = real(assertions, **kw)
        c = norm.boolean
        f, g, root = norm.consistency[0]
        conclusion = -next(ch for ch in c.args[-root] if ch < 0)
        c.roots = [conclusion if r == root else r for r in c.roots]
        norm.consistency[0] = (f, g, conclusion)
        return norm

    monkeypatch.setattr(compile_, "normalize_assertions", stronger)
    with pytest.raises(CertificateError, match="lack argument 1"):
        check_certificate(str(cert), str(path))


@needs_shared
@pytest.mark.parametrize("rel", QUICK)
def test_shared_lia_certificates(tmp_path: Path, rel: str) -> None:
    cert, path = certified(BENCH / rel, tmp_path)
    r = check_certificate(str(cert), str(path))
    assert r.counts["linear"] > 0
    if "uflia" in rel:
        assert r.counts["ackermann"] > 0


def _unsat_rows() -> list[str]:
    try:
        rows = manifest()
    except FileNotFoundError:
        return []
    return [r["path"] for r in rows if r["family"] in FAMILIES and r["status"] == "unsat"
            and r["path"] not in QUICK]


@pytest.mark.slow
@needs_shared
@pytest.mark.parametrize("rel", _unsat_rows())
def test_every_unsat_lia_file_certifies(tmp_path: Path, rel: str) -> None:
    """Within 120 s of solving."""
    cert = tmp_path / "cert"
    r = solve_file(str(BENCH / rel), config=Config(proof=str(cert), timeout=120.0))
    if r.status == Status.UNKNOWN:
        pytest.skip("not answered within 120 s")
    assert r.status == Status.UNSAT
    check_certificate(str(cert), str(BENCH / rel))


# -- difference classes inside a linear formula: checked as difference logic -------------

def test_difference_class_beside_linear_class_certifies(tmp_path: Path) -> None:
    """``s1``, ``s2`` and the results of ``f`` are a difference class (order or compact
    encoding, theory clauses), ``a``, ``b`` a linear one (bits and BDDs): both rules."""
    cert, path = certified(MIXED, tmp_path)
    assert meta(cert)["classes"], "the difference class should have its own encoding"
    r = check_certificate(str(cert), str(path))
    assert r.counts["linear"] > 0
    assert r.counts["theory"] + r.counts["compact"] > 0


def test_strengthened_difference_clause_rejected(tmp_path: Path) -> None:
    """A clause over a difference class's atoms with a literal dropped is not implied."""
    cert, path = certified(UFIDL, tmp_path)
    m = meta(cert)
    atoms = {v for n, v in m["node_var"]} | {v for cl in m["classes"]
                                              for v in range(cl.get("var_range", [1, 0])[0],
                                                             cl.get("var_range", [1, 0])[1] + 1)}
    _, clauses = cnf_clauses(cert)
    rejected = 0
    for i, c in enumerate(clauses):
        if len(c) == 2 and all(abs(lit) in atoms for lit in c):
            bad = tampered(cert, tmp_path)
            write_cnf(bad, clauses[:i] + [c[:1]] + clauses[i + 1:])
            try:
                check_certificate(str(bad), str(path))
            except CertificateError:
                rejected += 1
    assert rejected > 0


def test_difference_variable_in_a_linear_constraint_rejected(tmp_path: Path,
                                                               monkeypatch) -> None:
    """The small-domain lemma moves a difference class alone: a normalizer that also
    gave one of its variables a linear domain would make that unsound, and is refused."""
    import eagersmt.compile as compile_

    cert, path = certified(MIXED, tmp_path)
    real = compile_.normalize_assertions

    def overlapping(assertions, **kw):  # type: ignore[no-untyped-def]
        norm = real(assertions, **kw)
        norm.domains["s1"] = (0, 7)
        return norm

    monkeypatch.setattr(compile_, "normalize_assertions", overlapping)
    with pytest.raises(CertificateError, match="both in a difference class"):
        check_certificate(str(cert), str(path))


# -- adder networks: constraints whose BDD is too large (``encode/linear_checkable.py``) ----

def wide_text(coefficient_0: int = 792141) -> str:
    """``sum a_i * x_i <= K`` over six 16-bit variables with 20-bit coefficients (its BDD
    passes ``BDD_LIMIT``), unsat with two clauses that each force one variable of the sum
    above 55000 (``K`` is 50000 times the two smallest coefficients)."""
    a = [coefficient_0, 900239, 554703, 1012529, 785439, 578661]
    return "\n".join(
        ["(set-logic QF_LIA)"] + [f"(declare-const x{i} Int) (assert (<= 0 x{i} 65535))"
                                  for i in range(6)]
        + ["(assert (<= (+ " + " ".join(f"(* {c} x{i})" for i, c in enumerate(a))
           + f") {50000 * (554703 + 578661)}))",
           "(assert (or (>= x0 55000) (>= x2 55000)))",
           "(assert (or (>= x1 55000) (>= x3 55000)))", "(check-sat)", ""])


@pytest.fixture(scope="module")
def wide_cert(tmp_path_factory) -> tuple[Path, Path]:
    return certified(wide_text(), tmp_path_factory.mktemp("wide"))


def adder_outputs(cert: Path) -> set[int]:
    return {v for _, gates in meta(cert)["linear"]["networks"] for g in gates for v in g[4:]}


def test_wide_constraint_gets_a_checked_adder_network(wide_cert) -> None:
    cert, path = wide_cert
    assert meta(cert)["linear"]["networks"], "the wide sum should not fit a BDD"
    r = check_certificate(str(cert), str(path))
    assert r.counts["linear"] > 0


def test_adder_network_for_every_constraint(tmp_path: Path, monkeypatch) -> None:
    """With no BDD allowed, every constraint goes through an adder network (and the
    domains' comparators through BDDs over its outputs); the answers stay right."""
    import eagersmt.encode.linear_checkable as lc

    monkeypatch.setattr(lc, "BDD_LIMIT", 0)
    for name, text in (("lia", LIA), ("uflia", UFLIA)):
        cert, path = certified(text, tmp_path, name)
        assert len(meta(cert)["linear"]["networks"]) >= 3
        check_certificate(str(cert), str(path))
    path = tmp_path / "sat.smt2"
    path.write_text(LIA.replace("(assert (> (* 7 y) (+ x 30)))", ""))
    assert solve_file(str(path), config=Config(proof=str(tmp_path / "s"))).status == Status.SAT


def test_flipped_adder_clause_rejected(wide_cert, tmp_path: Path) -> None:
    """Each clause of a full adder with one literal negated is refused (it contradicts
    the gate's definition)."""
    cert, path = wide_cert
    outputs = adder_outputs(cert)
    _, clauses = cnf_clauses(cert)
    flipped = 0
    for i, c in enumerate(clauses):
        if len(c) == 4 and any(abs(lit) in outputs for lit in c):
            bad = tampered(cert, tmp_path)
            write_cnf(bad, clauses[:i] + [[-c[0]] + c[1:]] + clauses[i + 1:])
            with pytest.raises(CertificateError, match="adder"):
                check_certificate(str(bad), str(path))
            flipped += 1
            if flipped == 3:
                return
    raise AssertionError("no adder clause of four literals")


def test_adder_gate_with_other_inputs_rejected(wide_cert, tmp_path: Path) -> None:
    """A gate that sums literals at a weight they do not have, or an output given as the
    carry, is refused."""
    cert, path = wide_cert
    for change in ("weight", "swap"):
        m = meta(cert)
        gate = m["linear"]["networks"][0][1][0]
        if change == "weight":
            gate[0] *= 2
        else:
            gate[4], gate[5] = gate[5], gate[4]
        bad = tampered(cert, tmp_path)
        set_meta(bad, m)
        with pytest.raises(CertificateError, match="adder"):
            check_certificate(str(bad), str(path))


def test_adder_network_of_another_coefficient_rejected(wide_cert, tmp_path: Path) -> None:
    """The certificate of the wide sum, presented for the same formula with one coefficient
    changed (as if the encoder had read it wrong): the checker derives the terms from the
    formula, and the network does not sum them."""
    from eagersmt.check.certificate import input_digest

    cert, _ = wide_cert
    other = tmp_path / "other.smt2"
    other.write_text(wide_text(792141 + 1))
    m = meta(cert)
    m["input"]["sha256"] = input_digest(other.read_text())
    bad = tampered(cert, tmp_path)
    set_meta(bad, m)
    with pytest.raises(CertificateError, match="adder gate"):
        check_certificate(str(bad), str(other))


# -- surrogates: combinations of top-level constraints (``encode/surrogate.py``) ------------

KNAPSACK = """(set-logic QF_LIA)
""" + "".join(f"(declare-const x{i} Int) (assert (<= 0 x{i} 1))\n" for i in range(12)) + """
(assert (<= (+ (* 23 x0) (* 31 x1) (* 29 x2) (* 44 x3) (* 53 x4) (* 38 x5) (* 63 x6) (* 85 x7)
               (* 89 x8) (* 82 x9) (* 41 x10) (* 37 x11)) 165))
(assert (<= (+ (* 40 x0) (* 12 x1) (* 50 x2) (* 31 x3) (* 27 x4) (* 61 x5) (* 18 x6) (* 44 x7)
               (* 35 x8) (* 70 x9) (* 25 x10) (* 33 x11)) 150))
(assert (>= (+ (* 92 x0) (* 57 x1) (* 49 x2) (* 68 x3) (* 60 x4) (* 43 x5) (* 67 x6) (* 84 x7)
               (* 87 x8) (* 72 x9) (* 55 x10) (* 61 x11)) 330))
(check-sat)
"""
LP_INFEASIBLE = """(set-logic QF_LIA)
(declare-const x Int) (declare-const y Int) (declare-const z Int) (declare-const w Int)
(assert (<= 0 x 1)) (assert (<= 0 y 1)) (assert (<= 0 z 1)) (assert (<= 0 w 1))
(assert (>= (+ x y z w) 3)) (assert (<= (+ x y) 1)) (assert (<= (+ z w) 1))
(check-sat)
"""


def surrogate_sources(cert: Path) -> list[list]:
    return [s for s in meta(cert)["linear"]["sources"] if s[0] == "surrogate"]


@pytest.fixture(scope="module")
def knapsack_cert(tmp_path_factory) -> tuple[Path, Path]:
    return certified(KNAPSACK, tmp_path_factory.mktemp("knapsack"))


def test_knapsack_gets_a_checked_surrogate(knapsack_cert) -> None:
    """A multi-knapsack above its optimum: the certificate carries a combination of the
    rows (the relaxation's bound), and it verifies."""
    import z3

    s = z3.Solver()
    s.from_string(KNAPSACK)
    assert s.check() == z3.unsat
    cert, path = knapsack_cert
    rows = surrogate_sources(cert)
    assert rows and all(len(s[1]) >= 2 for s in rows)
    check_certificate(str(cert), str(path))


def test_lp_infeasible_formula_refuted_by_its_surrogate(tmp_path: Path) -> None:
    """No constraint alone is violated by the box, their sum is: the surrogate's bound is
    negative and the CNF is the empty clause's."""
    cert, path = certified(LP_INFEASIBLE, tmp_path)
    assert surrogate_sources(cert)
    r = check_certificate(str(cert), str(path))
    assert r.counts["empty"] == 1


@pytest.mark.parametrize("change", ["multiplier", "negative", "not top-level"])
def test_tampered_surrogate_rejected(knapsack_cert, tmp_path: Path, change: str) -> None:
    """A surrogate whose multiplier changed (its BDD then encodes another constraint than
    the one the checker derives), with a negative multiplier, or built on a constraint that
    is not asserted at the top level, is refused."""
    cert, path = knapsack_cert
    m = meta(cert)
    src = next(s for s in m["linear"]["sources"] if s[0] == "surrogate")
    if change == "multiplier":
        src[1][-1][2] //= 2  # the objective row at half weight: a weaker combination
        match = "term order|BDD"
    elif change == "negative":
        src[1][0][2] = -src[1][0][2]
        match = "malformed"
    else:
        src[1][0][1] = -src[1][0][1]  # the atom's other side
        match = "not a top-level constraint"
    bad = tampered(cert, tmp_path)
    set_meta(bad, m)
    with pytest.raises(CertificateError, match=match):
        check_certificate(str(bad), str(path))
