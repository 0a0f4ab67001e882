"""Certificates of the corner-polyhedron refutation (``ir/corner.py``; checked by
``check/corner.py``): rows and a negated cut (``gen_lia.py cuts``) answered unsat with
``--proof`` and their witnesses verified; tampered witnesses rejected; a satisfiable
instance of the same generator still answered sat, its model accepted by Z3."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Callable

import pytest

from eagersmt import Config, solve_file
from eagersmt.check.proof import CertificateError, check_certificate
from eagersmt.ir.linear import normalize_linear
from eagersmt.result import Status
from eagersmt.smtlib.parser import parse_file

from .conftest import BENCH, needs_shared
from .oracle import z3_accepts_model, z3_status

pytest.importorskip("z3")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import gen_lia  # noqa: E402

CONFIG = dict(memo="off", backend="cadical")
# (vars = cons: the rows are the cone itself, whose group minimum the cut is drawn from;
# unsat by construction at the default depth, and Z3 says so on the small ones)
UNSAT = [dict(vars=6, cons=6, seed=1), dict(vars=8, cons=8, seed=2),
         dict(vars=12, cons=12, seed=3), dict(vars=20, cons=20, seed=6)]
Z3_DECIDES = 8  # variables up to which Z3 answers these within its 20 s


def _instance(tmp_path: Path, name: str, seed: int, **params: int) -> Path:
    """``gen_lia.py cuts``, with Z3's status (unknown past ``Z3_DECIDES`` variables)."""
    path = tmp_path / f"{name}.smt2"
    path.write_text(gen_lia.instance("cuts", seed, 20 if params["vars"] <= Z3_DECIDES else 0.01,
                                     **params))
    return path


def _certified(path: Path, tmp_path: Path) -> Path:
    cert = tmp_path / f"cert-{path.stem}"
    r = solve_file(str(path), config=Config(proof=str(cert), **CONFIG))
    assert r.status == Status.UNSAT
    return cert


def _meta(cert: Path) -> dict:
    return json.loads((cert / "certificate.json").read_text())


def _certified_text(tmp_path: Path, name: str, text: str) -> tuple[Path, Path, dict]:
    """A script Z3 calls unsat, written and solved with ``--proof``: its path, its
    certificate and the certificate's corner witness."""
    assert z3_status(text) == "unsat"
    path = tmp_path / f"{name}.smt2"
    path.write_text(text)
    cert = _certified(path, tmp_path)
    return path, cert, _meta(cert)["corner"]


@pytest.mark.parametrize("params", UNSAT, ids=lambda p: f"n{p['vars']}-s{p['seed']}")
def test_negated_cuts_certify(tmp_path: Path, params: dict) -> None:
    path = _instance(tmp_path, "cut", **params)
    if params["vars"] <= Z3_DECIDES:
        assert "(set-info :status unsat)" in path.read_text()  # (Z3's answer)
    cert = _certified(path, tmp_path)
    meta = _meta(cert)
    assert "corner" in meta and not (cert / "formula.cnf").exists()
    r = check_certificate(str(cert), str(path))  # (raises when rejected)
    assert r.counts["corner_rows"] == params["vars"] + 1
    assert r.counts["corner_states"] == len(meta["corner"]["states"]) >= 1


@needs_shared
def test_smtlibs_cut_lemma_certifies(tmp_path: Path) -> None:
    path = BENCH / "lia" / "lia_real_cut_lemmas" / "cut_lemma_03_012.smt2"
    cert = _certified(path, tmp_path)
    r = check_certificate(str(cert), str(path))
    assert r.counts["corner_rows"] == 21


def test_a_group_of_two_components_certifies(tmp_path: Path) -> None:
    # x + y + z <= -1, x - y + z <= 0, x + y - z <= 0: every 2x2 minor is even, so the
    # cone's group is Z_2 x Z_2 (det 4); -31x - 9y - 5z (u = 7, 11, 13) is 7 at the apex
    # and at least 14 on the integer points (``corner.cone_minimum``; Z3 agrees)
    text = ("(set-logic QF_LIA)(declare-const x Int)(declare-const y Int)(declare-const z Int)"
            "(assert (<= (+ x y z) (- 1)))(assert (<= (+ x (- y) z) 0))"
            "(assert (<= (+ x y (- z)) 0))"
            "(assert (not (>= (+ (* (- 31) x) (* (- 9) y) (* (- 5) z)) 14)))(check-sat)")
    path, cert, witness = _certified_text(tmp_path, "two", text)
    assert witness["moduli"] == [2, 2]
    r = check_certificate(str(cert), str(path))
    assert r.counts["corner_group"] == 4
    assert z3_status(text.replace("14)))", "15)))")) == "sat"  # (14 is the least)


def test_a_row_below_the_cones_apex_certifies_without_a_group(tmp_path: Path) -> None:
    # x + y >= 0, x - y >= 0 (x, y open to interval propagation): 10x + y is at least 0
    # on the cone (u = 5.5, 4.5), so 10x + y <= -1 is refuted at the apex, room < 0
    text = ("(set-logic QF_LIA)(declare-const x Int)(declare-const y Int)"
            "(assert (>= (+ x y) 0))(assert (>= (- x y) 0))"
            "(assert (<= (+ (* 10 x) y) (- 1)))(check-sat)")
    path, cert, witness = _certified_text(tmp_path, "apex", text)
    assert witness["states"] == []
    r = check_certificate(str(cert), str(path))
    assert r.counts["corner_rows"] == 3 and "corner_states" not in r.counts


def test_a_satisfiable_cut_is_answered_sat(tmp_path: Path) -> None:
    path = _instance(tmp_path, "sat", 2, vars=3, cons=3, depth=200)
    text = path.read_text()
    assert "(set-info :status sat)" in text
    r = solve_file(str(path), config=Config(proof=str(tmp_path / "c"), **CONFIG))
    assert r.status == Status.SAT and z3_accepts_model(text, r.model)


# -- tampered witnesses -------------------------------------------------------------------

@pytest.fixture(scope="module")
def cut_cert(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("corner")
    path = _instance(tmp, "cut", **UNSAT[1])
    return _certified(path, tmp), path


def _tampered(cut_cert: tuple[Path, Path], tmp_path: Path,
              change: Callable[[dict, Path], None]) -> tuple[Path, Path]:
    cert, path = cut_cert
    dst = tmp_path / "tampered"
    shutil.copytree(cert, dst)
    meta = _meta(dst)
    change(meta["corner"], path)
    (dst / "certificate.json").write_text(json.dumps(meta))
    return dst, path


def _rejected(cut_cert: tuple[Path, Path], tmp_path: Path,
              change: Callable[[dict, Path], None], why: str) -> None:
    cert, path = _tampered(cut_cert, tmp_path, change)
    with pytest.raises(CertificateError, match=why):
        check_certificate(str(cert), str(path))


def _states(w: dict) -> dict[int, int]:
    return dict(zip(w["states"], w["distances"]))


def _set_states(w: dict, pi: dict[int, int]) -> None:
    w["states"], w["distances"] = list(pi), list(pi.values())


def test_the_untampered_witness_verifies(cut_cert) -> None:
    assert check_certificate(str(cut_cert[0]), str(cut_cert[1])).counts["corner_states"] >= 1


def test_a_lowered_distance_is_rejected(cut_cert, tmp_path: Path) -> None:
    def lower(w: dict, _: Path) -> None:
        pi = _states(w)
        far = max(pi, key=pi.get)  # (as if it were the origin: its moves leave the set)
        pi[far] = 0
        _set_states(w, pi)
    _rejected(cut_cert, tmp_path, lower, "not closed")


def test_a_removed_state_is_rejected(cut_cert, tmp_path: Path) -> None:
    def remove(w: dict, _: Path) -> None:
        pi = _states(w)
        del pi[max(pi, key=pi.get)]  # (reached within the room from another state)
        _set_states(w, pi)
    _rejected(cut_cert, tmp_path, remove, "not closed")


def test_the_target_among_the_states_is_rejected(cut_cert, tmp_path: Path) -> None:
    def add_target(w: dict, path: Path) -> None:
        norm = normalize_linear(parse_file(str(path)).assertions, checkable=True)
        beta = [norm.atoms[k][1] if side > 0 else -norm.atoms[k][1] - 1
                for k, side in w["basis"]]
        target, place = 0, 1  # (R beta mod d, in mixed radix: the first digit the lowest)
        for row, d in zip(w["R"], w["moduli"]):
            target += sum(r * b for r, b in zip(row, beta)) % d * place
            place *= d
        pi = _states(w)
        assert target not in pi
        pi[target] = max(pi.values())
        _set_states(w, pi)
    _rejected(cut_cert, tmp_path, add_target, "target")


def test_an_r_whose_product_is_not_divisible_is_rejected(cut_cert, tmp_path: Path) -> None:
    def bump(w: dict, _: Path) -> None:
        w["R"][0][0] += 1
    _rejected(cut_cert, tmp_path, bump, "not divisible")


def test_a_negative_multiplier_is_rejected(cut_cert, tmp_path: Path) -> None:
    def negate(w: dict, _: Path) -> None:
        w["cost"][0] = -w["cost"][0]
    _rejected(cut_cert, tmp_path, negate, "multipliers")


def test_multipliers_off_the_row_are_rejected(cut_cert, tmp_path: Path) -> None:
    def bump(w: dict, _: Path) -> None:
        w["cost"][0] += 1
    _rejected(cut_cert, tmp_path, bump, "a != -B")


def test_a_basis_row_that_is_not_a_top_level_atom_is_rejected(cut_cert, tmp_path: Path) -> None:
    def flip(w: dict, _: Path) -> None:
        w["basis"][0][1] *= -1  # (the other side of a top-level atom)
    _rejected(cut_cert, tmp_path, flip, "not a top-level constraint")


def test_a_missing_origin_is_rejected(cut_cert, tmp_path: Path) -> None:
    def drop(w: dict, _: Path) -> None:
        pi = _states(w)
        del pi[0]
        _set_states(w, pi)
    _rejected(cut_cert, tmp_path, drop, "0 is not a state")


def test_without_the_witness_the_claim_is_rejected(cut_cert, tmp_path: Path) -> None:
    cert, path = cut_cert
    dst = tmp_path / "bare"
    shutil.copytree(cert, dst)
    meta = _meta(dst)
    del meta["corner"]
    (dst / "certificate.json").write_text(json.dumps(meta))
    with pytest.raises(CertificateError, match="does not hold"):
        check_certificate(str(dst), str(path))
