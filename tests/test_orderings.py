"""Ordering clauses (``encode/orderings.py``): pairs of machine orderings that cannot both
hold.  Each clause must be implied by the formula (checked with Z3), the answers and models
must stay right, and ``check-proof`` must accept the clauses of a certificate and reject a
binary clause over two orderings that is not implied."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import z3

from eagersmt import Config, solve_file
from eagersmt.check.proof import CertificateError, check_certificate
from eagersmt.encode import disjunctive as D
from eagersmt.encode.base import split_classes
from eagersmt.encode.cnf import CNF
from eagersmt.encode.orderings import ordering_clauses
from eagersmt.encode.tseitin import tseitin
from eagersmt.ir.normalize import normalize
from eagersmt.result import Status
from eagersmt.smtlib.parser import parse

from .oracle import z3_status
from .test_disjunctive import (FT06_54, append_clause, check_answer_model_certificate,
                               disjunctive_mix, job_shop, needs_shared)


def _instance(seed: int) -> str:
    rng = random.Random(seed)
    if seed % 3 == 2:
        return disjunctive_mix(rng)
    return job_shop(rng, rng.randint(3, 5), rng.randint(3, 4), rng.choice([0.9, 1.0, 1.1, 1.3]))


def _clauses(text: str):
    """The ordering clauses of each class with machines, with the atoms' constraints."""
    norm = normalize([c.args[0] for c in parse(text).commands if c.name == "assert"])
    ts = tseitin(norm.circuit, CNF())
    root = D.Root(norm.circuit, exact=True)
    out = []
    for cls in split_classes(ts.preds, norm.circuit.unit_preds()):
        sched = D.strengthen(cls, root)
        if sched is None or sched[0].infeasible:
            continue
        res, anchor, narrowed = sched
        atom = {p.var: (p.x, p.y, p.c) for p in cls.preds}
        out += [[atom[abs(lit)] + (lit > 0,) for lit in cl]
                for cl in ordering_clauses(res, narrowed.units, anchor, cls.preds)]
    return norm.circuit.int_names, out


@pytest.mark.parametrize("seed", range(24))
def test_every_ordering_clause_is_implied(seed: int) -> None:
    text = _instance(seed)
    names, clauses = _clauses(text)
    for cl in clauses[:60]:
        s = z3.Solver()
        s.from_string(text)
        for x, y, c, positive in cl:  # the clause is false: each literal false
            diff = z3.Int(names[x]) - z3.Int(names[y])
            s.add(diff > c if positive else diff <= c)
        assert s.check() == z3.unsat, f"ordering clause {cl} not implied"


def test_ordering_clauses_are_found() -> None:
    # tight job shops have incompatible orderings (a test that always finds none proves nothing)
    counts = [len(_clauses(job_shop(random.Random(s), 5, 4, 1.3))[1]) for s in range(5)]
    assert sum(counts) > 0


@pytest.mark.parametrize("seed", range(100, 112))
def test_answers_models_and_certificates(seed: int, tmp_path: Path) -> None:
    check_answer_model_certificate(_instance(seed), tmp_path)


@needs_shared
def test_checker_rejects_a_forged_ordering_clause(tmp_path: Path) -> None:
    """A certified unsat job shop (not refuted at the root) whose CNF gets one more binary
    clause over two atoms that the unit atoms allow together: the checker must refuse it."""
    import json

    from eagersmt.ir.circuit import K_PRED

    text = FT06_54.read_text()  # unsat, narrowed at the root (not refuted there)
    path = tmp_path / "x.smt2"
    path.write_text(text)
    cert = tmp_path / "cert"
    assert solve_file(str(path), config=Config(proof=str(cert), backend="cadical")).status == Status.UNSAT
    check_certificate(str(cert), str(path))
    meta = json.loads((cert / "certificate.json").read_text())
    node_var = {n: v for n, v in meta["node_var"]}
    circuit = normalize([c.args[0] for c in parse(text).commands if c.name == "assert"]).circuit
    names = circuit.int_names
    units = "\n".join(l for l in text.splitlines() if not l.startswith("(assert (or"))
    atoms = [n for n in node_var if circuit.kind[n] == K_PRED]
    forged = None
    for i, n1 in enumerate(atoms):
        for n2 in atoms[i + 1:]:
            s = z3.Solver()
            s.from_string(units)
            for n in (n1, n2):
                x, y, c = circuit.args[n]
                s.add(z3.Int(names[x]) - z3.Int(names[y]) <= c)
            if s.check() == z3.sat:
                forged = [-node_var[n1], -node_var[n2]]
                break
        if forged:
            break
    assert forged is not None
    append_clause(cert, meta, forged)
    with pytest.raises(CertificateError, match="theory clause"):
        check_certificate(str(cert), str(path))


@pytest.mark.parametrize("seed", range(200, 210))
def test_hint_is_a_schedule_and_becomes_phases(seed: int) -> None:
    """``listsched.hint``: a schedule that meets every precedence and machine pair (the
    deadlines it may miss); its atoms and bounds are the CNF's initial phases, one per
    variable of the class's atoms and order literals, and the answer stays Z3's."""
    from eagersmt import solve_smtlib
    from eagersmt.encode.assemble import encode
    from eagersmt.encode.listsched import hint

    text = job_shop(random.Random(seed), 5, 4, 1.6)  # loose enough not to be refuted at the root
    norm = normalize([c.args[0] for c in parse(text).commands if c.name == "assert"])
    ts = tseitin(norm.circuit, CNF())
    cls = split_classes(ts.preds, norm.circuit.unit_preds())[0]
    sched = D.strengthen(cls, D.Root(norm.circuit, exact=True))
    assert sched is not None and not sched[0].infeasible
    res, anchor, narrowed = sched
    start = hint(narrowed.variables, narrowed.units, res, anchor, res.lo, res.hi)
    assert start is not None and start[anchor] == 0
    for x, y, k in narrowed.units:
        if anchor not in (x, y):
            assert start[x] - start[y] <= k
    for q in res.pairs:
        assert start[q.b] - start[q.a] >= q.d_ab or start[q.a] - start[q.b] >= q.d_ba
    enc = encode(norm, encoding="auto")
    phases = enc.cnf.phases
    assert phases and len({abs(p) for p in phases}) == len(phases)
    assert all(0 < abs(p) <= enc.cnf.nvars for p in phases)
    assert solve_smtlib(text, config=Config(encoding="auto")).status.value == z3_status(text)
