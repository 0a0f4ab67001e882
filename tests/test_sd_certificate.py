"""Certificates of the small-domain encoding: ``check-proof`` verifies its clauses (gate
definitions, box units, links of atoms to comparators: ``check/sd.py``), and rejects a
certificate whose gates, bits, shift or links are tampered with."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from eagersmt import Config, solve_file
from eagersmt.check.proof import CertificateError, check_certificate
from eagersmt.cli.main import main
from eagersmt.result import Status

from .oracle import z3_status

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "jobshop_3x3.smt2"


@pytest.fixture(scope="module")
def sd_cert(tmp_path_factory) -> tuple[Path, Path]:
    """The 3x3 job shop with makespan 10 (its optimum is 11: unsat), certified under SD."""
    d = tmp_path_factory.mktemp("sd")
    src = d / "jobshop_3x3_b10.smt2"
    src.write_text(EXAMPLE.read_text().replace("(define-fun makespan () Int 11)",
                                               "(define-fun makespan () Int 10)"))
    assert z3_status(src.read_text()) == "unsat"
    cert = d / "cert"
    r = solve_file(str(src), config=Config(proof=str(cert), encoding="sd"))
    assert r.status == Status.UNSAT and r.stats.notes["encodings"] == "sd:1"
    return src, cert


def _sd_class(meta: dict) -> dict:
    return next(c for c in meta["classes"] if c["encoding"] == "sd")


def _tampered(sd_cert: tuple[Path, Path], tmp_path: Path, edit_meta=None, edit_cnf=None) -> Path:
    """A copy of the certificate with its JSON (``edit_meta(meta)``) or its CNF clauses
    (``edit_cnf(clauses, meta)``, lists of literals) changed in place."""
    bad = tmp_path / "bad"
    shutil.copytree(sd_cert[1], bad)
    meta = json.loads((bad / "certificate.json").read_text())
    if edit_meta is not None:
        edit_meta(meta)
        (bad / "certificate.json").write_text(json.dumps(meta))
    if edit_cnf is not None:
        lines = (bad / "formula.cnf").read_text().splitlines()
        head = [ln for ln in lines if ln.startswith(("c", "p"))]
        clauses = [[int(t) for t in ln.split()[:-1]] for ln in lines if not ln.startswith(("c", "p"))]
        edit_cnf(clauses, meta)
        (bad / "formula.cnf").write_text("\n".join(head + [" ".join(map(str, cl + [0]))
                                                           for cl in clauses]) + "\n")
    return bad


def test_small_domain_certificate_verifies(sd_cert, tmp_path) -> None:
    src, cert = sd_cert
    r = check_certificate(str(cert), str(src))
    assert r.counts["sd"] > 100
    assert r.counts["clauses"] == sum(r.counts[k] for k in ("tseitin", "root", "theory", "sd"))
    out = CliRunner().invoke(main, ["check-proof", str(cert), str(src)])
    assert out.exit_code == 0 and out.output.startswith("verified"), out.output


def test_flipped_literal_in_a_gate_clause_rejected(sd_cert, tmp_path) -> None:
    def flip(clauses, meta):
        gates = {row[0]: row for row in _sd_class(meta)["gates"]}
        for cl in clauses:  # a defining clause of a gate: its output and some inputs
            g = next((abs(lit) for lit in cl if abs(lit) in gates), None)
            if g is not None and len(cl) >= 3 and all(abs(l) == g or abs(l) in
                                                      map(abs, gates[g][2:]) for l in cl):
                i = next(i for i, lit in enumerate(cl) if abs(lit) != g)
                cl[i] = -cl[i]
                return
        raise AssertionError("no gate clause")

    with pytest.raises(CertificateError, match="no gate's definition implies"):
        check_certificate(str(_tampered(sd_cert, tmp_path, edit_cnf=flip)), str(sd_cert[0]))


def test_bit_map_without_a_bit_rejected(sd_cert, tmp_path) -> None:
    def drop(meta):
        _sd_class(meta)["bits"][1][1].pop()

    with pytest.raises(CertificateError, match="not .* bits"):
        check_certificate(str(_tampered(sd_cert, tmp_path, edit_meta=drop)), str(sd_cert[0]))


def test_swapped_bits_rejected(sd_cert, tmp_path) -> None:
    # the same variables, two bits of one number exchanged: the comparators replayed on
    # them need gates the certificate does not have
    def swap(meta):
        bs = _sd_class(meta)["bits"][1][1]
        bs[0], bs[1] = bs[1], bs[0]

    with pytest.raises(CertificateError, match="not the link|neither the true literal"):
        check_certificate(str(_tampered(sd_cert, tmp_path, edit_meta=swap)), str(sd_cert[0]))


def test_shift_below_the_checkers_bound_rejected(sd_cert, tmp_path) -> None:
    def smaller(meta):
        _sd_class(meta)["d"] -= 1  # the class's bound is the encoder's shift here

    with pytest.raises(CertificateError, match="below the class's bound"):
        check_certificate(str(_tampered(sd_cert, tmp_path, edit_meta=smaller)), str(sd_cert[0]))


def test_wider_shift_than_the_bits_rejected(sd_cert, tmp_path) -> None:
    def wider(meta):
        cls = _sd_class(meta)
        cls["d"] = 2 * cls["d"] + 1

    with pytest.raises(CertificateError, match="not .* bits"):
        check_certificate(str(_tampered(sd_cert, tmp_path, edit_meta=wider)), str(sd_cert[0]))


def test_link_to_the_wrong_comparator_rejected(sd_cert, tmp_path) -> None:
    def relink(clauses, meta):
        gates = {row[0] for row in _sd_class(meta)["gates"]}
        pred = {v for n, v in meta["node_var"]}
        links = [cl for cl in clauses if len(cl) == 2 and abs(cl[0]) in pred
                 and abs(cl[1]) in gates]
        outs = {abs(cl[1]) for cl in links}
        assert len(outs) > 1
        first = links[0]
        first[1] = next(o for o in outs if o != abs(first[1])) * (1 if first[1] > 0 else -1)

    with pytest.raises(CertificateError, match="not the link of atom"):
        check_certificate(str(_tampered(sd_cert, tmp_path, edit_cnf=relink)), str(sd_cert[0]))


def test_gate_with_an_input_defined_after_it_rejected(sd_cert, tmp_path) -> None:
    def reorder(meta):
        gates = _sd_class(meta)["gates"]
        pos = {row[0]: i for i, row in enumerate(gates)}
        for i, row in enumerate(gates):  # move a gate before the gate it reads
            j = next((pos[abs(a)] for a in row[2:] if abs(a) in pos), None)
            if j is not None:
                gates.insert(j, gates.pop(i))
                return
        raise AssertionError("no gate reads another")

    with pytest.raises(CertificateError, match="not a bit, the true literal or an earlier gate"):
        check_certificate(str(_tampered(sd_cert, tmp_path, edit_meta=reorder)), str(sd_cert[0]))


def test_gate_of_another_kind_rejected(sd_cert, tmp_path) -> None:
    # an "and" declared "xor": its defining clauses no longer follow from its meaning
    def rekind(meta):
        row = next(r for r in _sd_class(meta)["gates"] if r[1] == "and")
        row[1] = "xor"

    with pytest.raises(CertificateError):
        check_certificate(str(_tampered(sd_cert, tmp_path, edit_meta=rekind)), str(sd_cert[0]))


def test_small_domain_class_inside_a_linear_formula(tmp_path) -> None:
    # a difference class (x, y, z) next to a linear constraint (u, v), certified under SD
    src = tmp_path / "mixed.smt2"
    src.write_text("(set-logic QF_LIA)(declare-fun x () Int)(declare-fun y () Int)"
                   "(declare-fun z () Int)(declare-fun u () Int)(declare-fun v () Int)"
                   "(assert (or (< (- x y) -3) (> (- z y) 7)))(assert (<= (- y x) 2))"
                   "(assert (<= (- z x) 4))(assert (<= (+ (* 3 u) (* 5 v)) 14))"
                   "(assert (>= u 2))(assert (>= v 2))(check-sat)\n")
    assert z3_status(src.read_text()) == "unsat"
    cert = tmp_path / "cert"
    r = solve_file(str(src), config=Config(proof=str(cert), encoding="sd"))
    assert r.status == Status.UNSAT and "sd:1" in r.stats.notes["encodings"]
    r = check_certificate(str(cert), str(src))
    assert r.counts["sd"] > 0


def test_duplicate_gates_of_comparators_that_share_low_bits(tmp_path) -> None:
    # x - y <= 2 and x - y <= 6 compare the same subtractor with constants whose low bits
    # agree: the encoder makes the same gate twice, the replay finds the first one
    src = tmp_path / "dup.smt2"
    src.write_text("(set-logic QF_IDL)(declare-fun x () Int)(declare-fun y () Int)"
                   "(declare-fun z () Int)(declare-fun b () Bool)"
                   "(assert (or b (<= (- x y) 2)))(assert (or (not b) (<= (- x y) 6)))"
                   "(assert (or b (> (- x y) 2) (> (- z y) 9)))(assert (> (- x y) 6))"
                   "(assert (<= (- z x) -12))(check-sat)\n")
    assert z3_status(src.read_text()) == "unsat"
    cert = tmp_path / "cert"
    assert solve_file(str(src), config=Config(proof=str(cert), encoding="sd")).status == Status.UNSAT
    first: dict[tuple, int] = {}
    canon: dict[int, int] = {}
    duplicates = 0
    for g, kind, *ins in _sd_class(json.loads((cert / "certificate.json").read_text()))["gates"]:
        key = (kind, tuple(canon.get(abs(a), abs(a)) * (1 if a > 0 else -1) for a in ins))
        duplicates += key in first
        canon[g] = first.setdefault(key, g)
    assert duplicates >= 1
    assert check_certificate(str(cert), str(src)).counts["sd"] > 0
