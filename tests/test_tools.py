"""The solving path never loads the tooling: ``eagersmt.tools`` (bench, fuzz, Ray head)
is imported only inside the commands that run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "jobshop_3x3.smt2"

CLI = """
import json, sys
from eagersmt.cli.main import main
try:
    main(["solve", sys.argv[1]])
except SystemExit as e:
    assert not e.code, e.code
print("@@MODULES " + json.dumps(sorted(sys.modules)))
"""

API = """
import json, sys
import eagersmt
assert str(eagersmt.solve_file(sys.argv[1]).status) == "sat"
print("@@MODULES " + json.dumps(sorted(sys.modules)))
"""

# the command definitions register `bench`, `fuzz` and `fuzz-input` on the CLI group
COMMANDS = {"eagersmt.cli.bench", "eagersmt.cli.fuzz"}


def loaded(code: str) -> tuple[str, list[str]]:
    p = subprocess.run([sys.executable, "-c", code, str(EXAMPLE)], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    out, _, modules = p.stdout.rpartition("@@MODULES ")
    return out, json.loads(modules)


@pytest.mark.parametrize("code", [CLI, API], ids=["eagersmt solve", "solve_file"])
def test_solving_loads_no_tooling(code):
    out, modules = loaded(code)
    if code is CLI:
        assert out.splitlines()[0] == "sat"
    assert "eagersmt.core.decide" in modules  # it did solve
    tooling = [m for m in modules if m.startswith("eagersmt.tools")
               or (("bench" in m or "fuzz" in m) and m not in COMMANDS)]
    assert tooling == []
    assert not {"matplotlib", "hypothesis"} & {m.split(".")[0] for m in modules}
