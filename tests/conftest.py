"""Shared fixtures: where ../shared is, the benchmark manifest, and what happens without it.

``SHARED`` is ``$EAGERSMT_SHARED`` or the ``shared`` folder next to the repository.  A test
that needs its benchmarks is marked ``@needs_shared`` (or calls ``require_shared()``, or
takes the ``bench_dir`` fixture): where they are missing it is skipped with the reason --
unless ``EAGERSMT_REQUIRE_SHARED=1`` (CI sets it in ``.ci/run``), where it fails, so a CI
run without the benchmarks cannot pass by skipping them.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EAGERSMT_SHARED", REPO.parent / "shared"))
BENCH = SHARED / "benchmarks"
REQUIRE_SHARED = os.environ.get("EAGERSMT_REQUIRE_SHARED") == "1"
HAVE_SHARED = (BENCH / "MANIFEST.tsv").is_file()

needs_shared = pytest.mark.needs_shared


def require_shared() -> None:
    """Skip the running test (fail it under ``EAGERSMT_REQUIRE_SHARED=1``) when the shared
    benchmarks are missing."""
    if HAVE_SHARED:
        return
    why = f"shared benchmarks not found at {BENCH} (set EAGERSMT_SHARED)"
    if REQUIRE_SHARED:
        pytest.fail(why + "; EAGERSMT_REQUIRE_SHARED=1 makes that a failure", pytrace=False)
    pytest.skip(why)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "needs_shared: needs ../shared/benchmarks (skipped without it, failed "
                   "without it under EAGERSMT_REQUIRE_SHARED=1)")


def pytest_report_header(config: pytest.Config) -> str:
    state = "found" if HAVE_SHARED else "MISSING"
    return (f"shared benchmarks: {BENCH} ({state}; "
            f"{'required' if REQUIRE_SHARED else 'tests that need them skip without them'})")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("needs_shared") is not None:
        require_shared()


def manifest() -> list[dict[str, str]]:
    path = BENCH / "MANIFEST.tsv"
    if not path.exists():
        return []
    with open(path) as f:
        return list(csv.DictReader(f, delimiter="\t"))


def z3_seconds(row: dict[str, str]) -> float:
    try:
        return float(row["z3_s"])
    except ValueError:
        return float("inf")


@pytest.fixture(scope="session")
def bench_dir() -> Path:
    require_shared()
    return BENCH
