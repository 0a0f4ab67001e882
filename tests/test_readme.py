"""Every snippet of the README works as written: each ```python block runs, and each
``eagersmt ...`` line of a command block that names only files of this repository runs
through the real console script without a traceback (those of a cluster, a benchmark run
or a placeholder such as FILE.smt2 are left to their own tests)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()
BIN = Path(sys.executable).parent

BLOCKS = re.findall(r"^```(\w*)\n(.*?)^```", README, re.MULTILINE | re.DOTALL)
PYTHON = [body for lang, body in BLOCKS if lang == "python"]
NOT_HERE = ("--ray", "submit", "status", "logs", "result", "bench", "fuzz", "../shared")


def _runnable(line: str) -> bool:
    """A README command that names only what exists here (and runs without a cluster)."""
    if not line.startswith("eagersmt ") or any(w in line for w in NOT_HERE):
        return False
    words = shlex.split(line.split("#")[0])
    files = [w for w in words if "/" in w or w.endswith((".smt2", ".cnf", ".icnf"))]
    return all((REPO / w).exists() or w.startswith("/tmp/") for w in files) and \
        "FILE" not in line and "TERM" not in line and "[" not in line


COMMANDS = [line.strip() for lang, body in BLOCKS if lang == "" for line in body.splitlines()
            if _runnable(line.strip())]


def test_the_readme_has_snippets():
    assert len(PYTHON) >= 3 and len(COMMANDS) >= 6, (len(PYTHON), COMMANDS)


def _checked(code: str) -> str:
    """``code`` with each ``expr  # Status.X`` line turned into ``assert expr == Status.X``
    (what the README says a call answers)."""
    out = []
    for line in code.splitlines():
        m = re.fullmatch(r"(\s*)(.*?)\s+# (Status\.\w+)\b.*", line)
        out.append(f"{m.group(1)}assert ({m.group(2)}) == {m.group(3)}" if m else line)
    return "\n".join(out)


@pytest.mark.parametrize("code", PYTHON, ids=[f"python-{i}" for i in range(len(PYTHON))])
def test_python_snippet_runs(code):
    code = "from eagersmt import Status\n" + _checked(code)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                       timeout=300)
    assert p.returncode == 0, p.stderr


def test_command_lines_run_in_order(tmp_path):
    """In README order (a later line reads what an earlier one wrote); exit 0, or the
    SAT-competition codes of the DIMACS commands."""
    for line in COMMANDS:
        cmd = line.split("#")[0].strip()
        words = shlex.split(cmd.replace("< ", "<"))
        stdin = None
        if words[-1].startswith("<"):
            stdin = (REPO / words.pop()[1:]).read_text()
        words[0] = str(BIN / "eagersmt")
        p = subprocess.run(words, capture_output=True, text=True, cwd=REPO, timeout=300,
                           input=stdin)
        assert p.returncode in (0, 10, 20), (line, p.stdout, p.stderr)
        assert "Traceback" not in p.stderr and not p.stderr.startswith("error"), (line, p.stderr)
        if "check-proof" in line:
            assert p.stdout.startswith("verified"), p.stdout


def test_the_interactive_example_prints_what_the_readme_shows():
    m = re.search(r"^\$ printf '(.*?)' \| eagersmt solve -in\n(.*?)^```", README,
                  re.MULTILINE | re.DOTALL)
    assert m
    text = m.group(1).encode().decode("unicode_escape")
    p = subprocess.run([str(BIN / "eagersmt"), "solve", "-in"], capture_output=True, text=True,
                       input=text, timeout=60)
    assert p.stdout == m.group(2)
