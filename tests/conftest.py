"""Shared fixtures: where ../shared is, and the benchmark manifest."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EAGERSMT_SHARED", REPO.parent / "shared"))
BENCH = SHARED / "benchmarks"


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
    if not BENCH.exists():
        pytest.fail(f"shared benchmarks not found at {BENCH} (set EAGERSMT_SHARED)")
    return BENCH
