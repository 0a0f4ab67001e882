"""UNSAT certificates: ``solve --proof DIR`` writes them, ``check-proof`` verifies them, and
every kind of tampering (proof, CNF, encoding, input) is rejected."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from eagersmt import Config, solve_file
from eagersmt.check.proof import CertificateError, check_certificate
from eagersmt.result import Status

from .conftest import BENCH, needs_shared
from .oracle import z3_status
from .smtgen import idl_script

FT06 = BENCH / "jobshop_classic" / "jobshop_ft06_b54.smt2"
FUZZ_UNSAT = [BENCH / "fuzzsmt_yices" / f for f in ("35d358eb.smt2", "b1b3b307.smt2")]


def certify(path: Path, cert: Path, **options) -> Status:
    return solve_file(str(path), config=Config(proof=str(cert), **options)).status


def read_lines(p: Path) -> list[str]:
    return p.read_text().splitlines()


@pytest.fixture(scope="module")
def ft06_cert(tmp_path_factory) -> Path:
    cert = tmp_path_factory.mktemp("cert") / "ft06"
    assert certify(FT06, cert, backend="cadical") == Status.UNSAT
    return cert


@needs_shared
def test_job_shop_certificate_verified(ft06_cert: Path) -> None:
    r = check_certificate(str(ft06_cert), str(FT06))
    assert r.counts["theory"] > 1000 and r.counts["root"] > 0
    assert r.counts["clauses"] == sum(r.counts[k] for k in ("tseitin", "root", "theory", "empty"))


@needs_shared
@pytest.mark.parametrize("path", FUZZ_UNSAT, ids=lambda p: p.name)
@pytest.mark.parametrize("encoding", ["order", "eij"])
def test_boolean_structure_certificates(tmp_path: Path, path: Path, encoding: str) -> None:
    assert certify(path, tmp_path / "c", encoding=encoding, backend="kissat") == Status.UNSAT
    r = check_certificate(str(tmp_path / "c"), str(path))
    assert r.counts["tseitin"] > 0


@needs_shared
@pytest.mark.parametrize("path", FUZZ_UNSAT, ids=lambda p: p.name)
def test_small_domain_certificate_verified(tmp_path: Path, path: Path) -> None:
    assert certify(path, tmp_path / "c", encoding="sd") == Status.UNSAT
    r = check_certificate(str(tmp_path / "c"), str(path))
    assert r.counts["sd"] > 0 and r.counts["tseitin"] > 0


def _copy(cert: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "tampered"
    shutil.copytree(cert, dst)
    return dst


@needs_shared
def test_tampered_proof_rejected(ft06_cert: Path, tmp_path: Path) -> None:
    bad = _copy(ft06_cert, tmp_path)
    lines = read_lines(bad / "proof.drat")
    # Drop every lemma but the final empty clause: no longer a refutation.
    (bad / "proof.drat").write_text("0\n")
    with pytest.raises(CertificateError, match="DRAT"):
        check_certificate(str(bad), str(FT06))
    # Change one literal of the first added lemma (into one that is not RUP/RAT).
    i = next(k for k, s in enumerate(lines) if not s.startswith("d") and len(s.split()) > 2)
    lits = lines[i].split()
    lines[i] = " ".join([str(-int(lits[0]))] + lits[1:])
    (bad / "proof.drat").write_text("\n".join(lines[: i + 1]) + "\n0\n")
    with pytest.raises(CertificateError, match="DRAT"):
        check_certificate(str(bad), str(FT06))


@needs_shared
def test_tampered_cnf_rejected(ft06_cert: Path, tmp_path: Path) -> None:
    bad = _copy(ft06_cert, tmp_path)
    lines = read_lines(bad / "formula.cnf")
    # A theory clause "not [y <= a] or [x <= a + c]" made stronger: [x <= a + c - 1] (the
    # variable below in the same order ladder) is no longer implied by the difference.
    for k in range(len(lines) - 1, 0, -1):
        lits = lines[k].split()
        if len(lits) == 3 and int(lits[0]) < 0 < int(lits[1]):
            lits[1] = str(int(lits[1]) - 1)
            lines[k] = " ".join(lits)
            break
    (bad / "formula.cnf").write_text("\n".join(lines) + "\n")
    with pytest.raises(CertificateError, match="clause"):
        check_certificate(str(bad), str(FT06))
    # An extra unit clause on a gate-free atom variable: not justified.
    lines = read_lines(ft06_cert / "formula.cnf")
    meta = json.loads((ft06_cert / "certificate.json").read_text())
    v = meta["node_var"][0][1]
    (bad / "formula.cnf").write_text("\n".join(lines + [f"{-v} 0"]) + "\n")
    with pytest.raises(CertificateError):
        check_certificate(str(bad), str(FT06))


@needs_shared
def test_tampered_encoding_rejected(ft06_cert: Path, tmp_path: Path) -> None:
    bad = _copy(ft06_cert, tmp_path)
    meta = json.loads((ft06_cert / "certificate.json").read_text())
    # Shift one order variable's ladder by one: its literals then mean x <= a + 1.
    cls = next(c for c in meta["classes"] if c["encoding"] == "order")
    row = next(r for r in cls["vars"] if r[3] > r[2] + 2)
    row[2] += 1
    row[3] += 1
    (bad / "certificate.json").write_text(json.dumps(meta))
    with pytest.raises(CertificateError):
        check_certificate(str(bad), str(FT06))
    # Two circuit nodes (machine-order atoms of different tasks) swapped onto each other's
    # variables.  (Swapping two symmetric root atoms would leave a valid certificate.)
    meta = json.loads((ft06_cert / "certificate.json").read_text())
    nv = meta["node_var"]
    i = len(nv) // 2
    nv[i][1], nv[i + 1][1] = nv[i + 1][1], nv[i][1]
    (bad / "certificate.json").write_text(json.dumps(meta))
    with pytest.raises(CertificateError):
        check_certificate(str(bad), str(FT06))


@needs_shared
def test_certificate_for_another_input_rejected(ft06_cert: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.smt2"
    other.write_text(FT06.read_text().replace("54", "55"))
    with pytest.raises(CertificateError, match="another input"):
        check_certificate(str(ft06_cert), str(other))


def test_one_certificate_per_unsat_check_sat(tmp_path: Path) -> None:
    src = tmp_path / "two.smt2"
    src.write_text("(declare-fun x () Int)(declare-fun y () Int)(declare-fun b () Bool)\n"
                   "(assert (or b (< x y)))\n(check-sat-assuming ((not b) (> x (+ y 3))))\n"
                   "(check-sat)\n(assert (and (not b) (< y x)))\n(check-sat)\n")
    cert = tmp_path / "cert"
    assert certify(src, cert) == Status.UNSAT
    assert sorted(os.listdir(cert)) == ["check-sat-1", "check-sat-3"]
    for d in ("check-sat-1", "check-sat-3"):
        check_certificate(str(cert / d), str(src))
    out = subprocess.run([sys.executable, "-m", "eagersmt.cli.main", "check-proof", str(cert),
                          str(src)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("verified:") == 2


def test_trivially_false_formula(tmp_path: Path) -> None:
    src = tmp_path / "f.smt2"
    src.write_text("(declare-fun x () Int)(assert (< x x))(check-sat)\n")
    assert certify(src, tmp_path / "c") == Status.UNSAT
    check_certificate(str(tmp_path / "c"), str(src))


def test_check_proof_cli_rejects_with_exit_4(tmp_path: Path) -> None:
    src = tmp_path / "f.smt2"
    decl = "".join(f"(declare-fun x{i} () Int)(assert (<= 0 x{i} 2))" for i in range(4))
    src.write_text(decl + "(assert (distinct x0 x1 x2 x3))(check-sat)\n")  # 4 pigeons, 3 holes
    # (order, not auto: auto sees the distinct as a machine of unit tasks and refutes it at
    # the root by overload, and then the empty proof is a valid one)
    assert certify(src, tmp_path / "c", encoding="order") == Status.UNSAT
    (tmp_path / "c" / "proof.drat").write_text("0\n")
    out = subprocess.run([sys.executable, "-m", "eagersmt.cli.main", "check-proof",
                          str(tmp_path / "c"), str(src)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 4 and "rejected" in out.stdout


@settings(max_examples=int(os.environ.get("PROOF_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(idl_script(max_vars=5))
def test_random_unsat_certificates_verify(tmp_path_factory, text: str) -> None:
    """Every unsat answer on random formulas (Boolean structure, ite, lets, big constants)
    yields a certificate that verifies, under the order, EIJ and small-domain encodings."""
    if z3_status(text) != "unsat":
        return
    d = tmp_path_factory.mktemp("rnd")
    src = d / "f.smt2"
    src.write_text(text)
    for enc in ("order", "eij", "sd"):
        cert = d / enc
        assert certify(src, cert, encoding=enc, backend="cadical") == Status.UNSAT
        check_certificate(str(cert), str(src))


def php(n: int) -> str:
    """n pigeons, n - 1 holes, in difference logic (unsat; needs search)."""
    decl = "".join(f"(declare-fun p{i} () Int)(assert (<= 0 p{i} {n - 2}))" for i in range(n))
    return decl + "(assert (distinct " + " ".join(f"p{i}" for i in range(n)) + "))(check-sat)\n"


@pytest.mark.parametrize("backend", ["cadical", "kissat"])
def test_cube_and_conquer_certificate(tmp_path: Path, backend: str) -> None:
    """One DRAT proof per refuted cube plus the coverage proof; dropping a cube from the
    certificate (its proof file stays) breaks coverage, a bad cube proof is rejected."""
    src = tmp_path / "php.smt2"
    src.write_text(php(6))
    cert = tmp_path / "cert"
    # (order: auto refutes the pigeons at the root, a machine of unit tasks overloaded)
    assert certify(src, cert, cubes="4", jobs=2, backend=backend, encoding="order") == Status.UNSAT
    r = check_certificate(str(cert), str(src))
    assert r.counts["cubes"] >= 2
    meta = json.loads((cert / "certificate.json").read_text())
    bad = _copy(cert, tmp_path)
    dropped = dict(meta, cubes=meta["cubes"][1:])
    (bad / "certificate.json").write_text(json.dumps(dropped))
    with pytest.raises(CertificateError, match="coverage"):
        check_certificate(str(bad), str(src))
    i, _, proof = meta["cubes"][0]
    (bad / "certificate.json").write_text(json.dumps(meta))
    (bad / proof).write_text("0\n")
    with pytest.raises(CertificateError, match=f"cube {i}"):
        check_certificate(str(bad), str(src))


def test_theory_clause_that_needs_a_variable_it_does_not_mention(tmp_path: Path) -> None:
    """Found by the random test above: the order encoding's unit ``x1 > -2`` follows from
    the unit ``x0 < x1`` and x0's box, and x0 is not in the clause."""
    src = tmp_path / "chain.smt2"
    src.write_text("(set-logic QF_LIA)(declare-fun x0 () Int)(declare-fun x1 () Int)"
                   "(assert (< x0 x1 1))(assert (not (< x0 x1 1)))(check-sat)\n")
    for enc in ("order", "eij"):
        assert certify(src, tmp_path / enc, encoding=enc, backend="cadical") == Status.UNSAT
        check_certificate(str(tmp_path / enc), str(src))
