"""The binary DRAT codec (``eagersmt.drat``): CaDiCaL's own trace read back and checked,
records written by hand equal to CaDiCaL's, malformed proofs refused."""

from __future__ import annotations

import io

import dratify
import pytest
from dratify.lits import from_dimacs

from eagersmt import drat
from eagersmt.backends import open_solver

from .cnfs import php


def _check(cnf, steps):  # type: ignore[no-untyped-def]
    text = f"p cnf {cnf.nvars} {len(cnf.clauses)}\n" + "".join(
        " ".join(map(str, c)) + " 0\n" for c in cnf.clauses)
    proof = [(k, tuple(map(from_dimacs, c))) for k, c in steps]
    return dratify.check_proof(dratify.parse_dimacs(text), proof, engine="python")


def test_cadical_trace_is_read_whole_and_checks():
    cnf = php(5, 4)
    s = open_solver(cnf, "cadical", proof=True)
    try:
        assert s.solve() is False
        out = io.BytesIO()
        assert s.copy_proof(out)
    finally:
        s.close()
    data = out.getvalue()
    assert drat.is_binary(data)
    steps = drat.steps(data)
    assert steps and steps[-1] == ("a", [])
    assert _check(cnf, steps).ok
    # every record re-encoded is the byte string CaDiCaL wrote
    assert b"".join(drat.record(c, k) for k, c in steps) == data
    # without its last lemmas the proof no longer refutes the CNF
    assert not _check(cnf, steps[: len(steps) // 2] + [("a", [])]).ok


def test_malformed_binary_proofs_are_refused():
    good = drat.record([1, -2]) + drat.record([300, -70000], "d")
    assert drat.steps(good) == [("a", [1, -2]), ("d", [300, -70000])]
    with pytest.raises(ValueError):
        drat.steps(good[:-1])  # cut inside the last record
    with pytest.raises(ValueError):
        drat.steps(b"x\x02\x00")  # neither 'a' nor 'd'
    with pytest.raises(ValueError):
        drat.steps(b"a\x82\x00")  # a literal cut by the record's end
    assert not drat.is_binary(b"1 -2 0\nd 1 -2 0\n0\n")
