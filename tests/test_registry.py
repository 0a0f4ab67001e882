"""The extension points are registries: a back end or an encoding registered at run time is
a valid choice everywhere (Config, the CLI, the conquer, certificates) with no other edit."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

import pytest
from click.testing import CliRunner

from eagersmt import Config, Status, solve_file
from eagersmt.backends import BACKENDS, BackendEntry, proving, solve_in_process
from eagersmt.backends.base import SatResult
from eagersmt.backends.pysat import PysatSolver
from eagersmt.cli.main import main
from eagersmt.encode import ENCODINGS, EncodingEntry
from eagersmt.encode.base import Candidate, Choice
from eagersmt.encode.cnf import CNF
from eagersmt.encode.order import Order, OrderDecoder
from eagersmt.registry import Entry, Registry
from eagersmt.strategy import choose
from eagersmt.strategy.sharing import ClauseSharing

REPO = Path(__file__).resolve().parents[1]
SAT_EXAMPLE = REPO / "examples" / "jobshop_3x3.smt2"


def unsat_example(tmp_path: Path) -> Path:
    """The 3x3 job shop with a makespan of 10 (its optimum is 11): unsat."""
    text = SAT_EXAMPLE.read_text().replace("(define-fun makespan () Int 11)",
                                           "(define-fun makespan () Int 10)")
    assert "Int 10)" in text
    path = tmp_path / "jobshop_3x3_b10.smt2"
    path.write_text(text.replace("(set-info :status sat)", "(set-info :status unsat)"))
    return path


class GlucoseBackend:
    """A toy back end: python-sat's Glucose 4, a solver in this process."""

    name = "glucose"

    @staticmethod
    def open_solver(cnf: Optional[CNF] = None, *, proof: bool = False) -> PysatSolver:
        if cnf is None:
            return PysatSolver("glucose4", proof=proof)
        return PysatSolver("glucose4", cnf.clauses, nvars=cnf.nvars, proof=proof)

    def solve(self, cnf: CNF, assumptions: Sequence[int] = (), *, timeout: Optional[float] = None,
              proof_path=None, warm=None) -> SatResult:  # type: ignore[no-untyped-def]
        return solve_in_process(cnf, assumptions, backend=self.name, proof_path=proof_path)


@pytest.fixture
def glucose():
    BACKENDS.register(BackendEntry("glucose", GlucoseBackend, "Glucose 4 (python-sat)",
                                   opens_solver=True))
    try:
        yield
    finally:
        BACKENDS.unregister("glucose")


def test_registry_lists_in_order_and_names_the_known_ones_on_a_miss():
    reg: Registry[Entry] = Registry("widget")
    reg.register(Entry("b", "os.path:join", "second letter"))
    reg.register(Entry("a", len, "first letter"))
    assert reg.names() == ("b", "a") and "a" in reg and reg["a"].load() is len
    import os.path

    assert reg["b"].load() is os.path.join
    with pytest.raises(ValueError, match="unknown widget 'c' .known: b, a"):
        reg["c"]
    with pytest.raises(ValueError, match="already registered"):
        reg.register(Entry("a", len, ""))


def test_a_back_end_registered_at_run_time_solves_through_the_cli(glucose, tmp_path):
    runner = CliRunner()
    assert "glucose" in runner.invoke(main, ["solve", "--help"]).output
    for path, expected in [(SAT_EXAMPLE, "sat"), (unsat_example(tmp_path), "unsat")]:
        for extra in ([], ["--cubes", "4", "--jobs", "2"]):  # monolithic; cube workers too
            r = runner.invoke(main, ["solve", str(path), "--backend", "glucose", "--stats",
                                     *extra])
            assert r.exit_code == 0, r.output
            assert r.output.splitlines()[0] == expected
    r = runner.invoke(main, ["solve", str(SAT_EXAMPLE), "--backend", "nosuch"])
    assert r.exit_code == 2 and "glucose" in r.output  # the live choices are listed


def assert_certified_unsat(tmp_path: Path, **options: str) -> None:
    """The unsat example solved with ``options`` and ``--proof``: check-proof verifies it."""
    cert = tmp_path / "cert"
    path = unsat_example(tmp_path)
    r = solve_file(str(path), config=Config(proof=str(cert), **options))
    assert r.status == Status.UNSAT
    out = CliRunner().invoke(main, ["check-proof", str(cert), str(path)])
    assert out.exit_code == 0 and out.output.startswith("verified"), out.output


def test_a_registered_back_end_writes_a_certificate_that_check_proof_accepts(glucose, tmp_path):
    assert_certified_unsat(tmp_path, backend="glucose")


def test_an_encoding_registered_at_run_time_is_used_and_certified(tmp_path):
    class Toy(Order):  # an "encoding" that encodes like order under its own name
        name = "toy"

    ENCODINGS.register(EncodingEntry("toy", Toy, "the order encoding, renamed"))
    try:
        r = solve_file(str(SAT_EXAMPLE), config=Config(encoding="toy"))
        assert r.status == Status.SAT and r.stats.notes["encodings"] == "toy:1"
        assert_certified_unsat(tmp_path, encoding="toy")
    finally:
        ENCODINGS.unregister("toy")
    with pytest.raises(ValueError, match="encoding must be one of"):
        Config(encoding="toy")


# -- what an entry declares is what the rest reads ------------------------------------------

class ToyDecoder(OrderDecoder):
    def meaning(self, var_range, pred_vars):  # type: ignore[no-untyped-def]
        return {**super().meaning(var_range, pred_vars), "encoding": "toy"}


class ToyOrder(Order):
    """The order encoding under a name of its own, down to its certificate."""

    name = "toy"

    def encode(self, cls, cnf):  # type: ignore[no-untyped-def]
        d = super().encode(cls, cnf)
        return ToyDecoder(d.dom, d.base)


def toy_rule(choice: Choice, mode: str) -> Optional[Candidate]:
    return None if mode == "checkable" else Candidate(5, ToyOrder(), "toy first")


@pytest.mark.parametrize("certificate", ["ladders", ""])
def test_an_encoding_with_its_own_rule_and_certificate_is_chosen_and_checked(tmp_path,
                                                                            certificate):
    # ``auto`` asks the entry's rule; check-proof reads the class as the entry's
    # ``certificate`` says (none declared: the certificate is refused)
    ENCODINGS.register(EncodingEntry("toy", ToyOrder, "order, renamed", auto=toy_rule,
                                     certificate=certificate))
    try:
        r = solve_file(str(SAT_EXAMPLE), config=Config())
        assert r.status == Status.SAT and r.stats.notes["encodings"] == "toy:1"
        assert "toy first" in r.stats.notes["choice"]
        cert, path = tmp_path / "cert", unsat_example(tmp_path)  # (requested: under auto
        # the root propagation refutes this one before any encoding)
        r = solve_file(str(path), config=Config(proof=str(cert), encoding="toy"))
        assert r.status == Status.UNSAT and r.stats.notes["encodings"] == "toy:1"
        out = CliRunner().invoke(main, ["check-proof", str(cert), str(path)])
        if certificate:
            assert out.exit_code == 0 and out.output.startswith("verified"), out.output
        else:
            assert out.exit_code != 0 and "unknown encoding 'toy'" in out.output, out.output
    finally:
        ENCODINGS.unregister("toy")
    assert "toy" not in solve_file(str(SAT_EXAMPLE), config=Config()).stats.notes["encodings"]


def test_certified_runs_take_a_back_end_whose_entry_says_proofs(glucose):
    # a back end that writes no proofs: a certified run goes to one that does
    BACKENDS.register(BackendEntry("noproof", GlucoseBackend, "Glucose, no proofs",
                                   opens_solver=True, proofs=False))
    try:
        assert proving("noproof") == "cadical" and proving("glucose") == "glucose"
        assert proving("portfolio") == "cadical"  # its cube workers' back end
        certified = choose(Config(backend="noproof"), proof_dir="unused")
        assert certified.inner.backend == "cadical"  # type: ignore[attr-defined]
        mine = choose(Config(backend="glucose"), proof_dir="unused")
        assert mine.inner.backend == "glucose"  # type: ignore[attr-defined]
        assert choose(Config(backend="noproof")).backend == "noproof"  # type: ignore[attr-defined]
    finally:
        BACKENDS.unregister("noproof")


def test_the_sharing_strategy_has_its_own_name_and_keeps_the_old_one_as_an_alias():
    assert Config(cubes="portfolio").cubes == "sharing" == Config(cubes="sharing").cubes
    assert isinstance(choose(Config(cubes="portfolio")), ClauseSharing)
    assert Config(backend="portfolio").backend == "portfolio"  # the back end keeps its name
    with pytest.raises(ValueError, match="cubes must be"):
        Config(cubes="portfolios")
