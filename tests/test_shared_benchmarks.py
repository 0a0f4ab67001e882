"""Known answers on ../shared/benchmarks: every instance with a known status that Z3 solves
within a few seconds, by the default configuration (and other encodings / back ends on the
quick ones).  Long ones are marked ``slow`` (``pytest -m slow``)."""

from __future__ import annotations

import pytest

from eagersmt import Config, Status, solve_file

from .conftest import BENCH, manifest, needs_shared, z3_seconds

pytestmark = needs_shared

# (the integer families under lia/ are tests/test_lia.py's: its quick ones by default)
KNOWN = [r for r in manifest() if r["status"] in ("sat", "unsat") and z3_seconds(r) <= 30
         and not r["path"].startswith("lia/")]
# Instances that take eagersmt (default configuration) over ~5 s on this machine.
SLOW = {"jobshop_classic/jobshop_orb03_b1005.smt2", "jobshop_classic/jobshop_la11_b1222.smt2",
        "jobshop_lsidl/jobshop4-4-2-2-2-4-24.smt2"}


def _params(rows, slow=SLOW):
    return [pytest.param(r, id=r["path"], marks=[pytest.mark.slow] if r["path"] in slow else [])
            for r in rows]


def test_manifest_is_there():
    assert len(KNOWN) >= 30, f"expected the shared benchmarks at {BENCH}"


@pytest.mark.parametrize("row", _params(KNOWN))
def test_default_configuration_gives_the_known_answer(row):
    r = solve_file(str(BENCH / row["path"]), config=Config(timeout=120))
    assert str(r.status) == row["status"]
    if r.status == Status.SAT:
        assert r.stats.notes.get("model_checked") == "yes"


QUICK = [r for r in KNOWN if z3_seconds(r) <= 0.2 and r["path"] not in SLOW
         and r["family"] != "rvpredict"]


@pytest.mark.parametrize("backend", ["kissat", "portfolio"])
@pytest.mark.parametrize("row", _params(QUICK))
def test_other_backends_agree(row, backend):
    r = solve_file(str(BENCH / row["path"]), config=Config(backend=backend, timeout=120))
    assert str(r.status) == row["status"]


SD_QUICK = [r for r in KNOWN if r["family"] in ("fuzzsmt_yices", "jobshop_lsidl", "rvpredict")
            and r["path"] not in SLOW and z3_seconds(r) <= 0.1]


@pytest.mark.parametrize("encoding", ["sd", "order", "eij"])
@pytest.mark.parametrize("row", _params(SD_QUICK))
def test_each_encoding_agrees(row, encoding):
    r = solve_file(str(BENCH / row["path"]), config=Config(encoding=encoding, timeout=120))
    assert str(r.status) == row["status"]
