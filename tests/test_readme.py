"""Every snippet of the README works as written: each ```python block runs, and each
``eagersmt ...`` line of a command block that names only files of this repository (or files
an earlier line writes) runs through the real console script without a traceback (those of
a cluster, a benchmark run or a placeholder such as FILE.smt2 are left to their own tests).
They run as a user would, in a working directory of their own (pytest's ``tmp_path``, with
the repository's ``examples/`` reachable), so what they write stays there."""

from __future__ import annotations

import os
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


OUTPUTS = ("-o", "--proof", "--memo")  # options whose value a command writes


def _words(line: str) -> list[str]:
    return shlex.split(line.split("#")[0])


def _written(line: str) -> set[str]:
    words = _words(line)
    return {words[i + 1] for i, w in enumerate(words[:-1]) if w in OUTPUTS}


def _runnable(line: str, written: set[str]) -> bool:
    """A README command that names only what exists here or what an earlier line (or this
    one) writes, and runs without a cluster (not a usage line: placeholders, [options],
    alternatives a|b)."""
    if not line.startswith("eagersmt ") or any(w in line for w in NOT_HERE):
        return False
    files = [w for w in _words(line) if "/" in w or w.endswith((".smt2", ".cnf", ".icnf"))]
    usage = "FILE" in line or "TERM" in line or "[" in line or "|" in line.split("#")[0]
    return all((REPO / w).exists() or w in written for w in files) and not usage


def _commands() -> list[str]:
    out: list[str] = []
    written: set[str] = set()
    for lang, body in BLOCKS:
        for line in (line.strip() for line in body.splitlines()) if lang == "" else ():
            if line.startswith("eagersmt ") and _runnable(line, written | _written(line)):
                out.append(line)
                written |= _written(line)
    return out


COMMANDS = _commands()


def _user_dir(tmp_path: Path) -> dict[str, str]:
    """``tmp_path`` set up as a user's working directory (``examples/`` reachable), and the
    environment that runs this repository's code there."""
    (tmp_path / "examples").symlink_to(REPO / "examples", target_is_directory=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


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
def test_python_snippet_runs(code, tmp_path):
    code = "from eagersmt import Status\n" + _checked(code)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=tmp_path, env=_user_dir(tmp_path), timeout=300)
    assert p.returncode == 0, p.stderr


def test_command_lines_run_in_order(tmp_path):
    """In README order (a later line reads what an earlier one wrote); exit 0, or the
    SAT-competition codes of the DIMACS commands; nothing is written outside the working
    directory."""
    env = _user_dir(tmp_path)
    before = _repo_status()
    for line in COMMANDS:
        cmd = line.split("#")[0].strip()
        words = shlex.split(cmd.replace("< ", "<"))
        stdin = None
        if words[-1].startswith("<"):
            stdin = (REPO / words.pop()[1:]).read_text()
        words[0] = str(BIN / "eagersmt")
        p = subprocess.run(words, capture_output=True, text=True, cwd=tmp_path, env=env,
                           timeout=300, input=stdin)
        assert p.returncode in (0, 10, 20), (line, p.stdout, p.stderr)
        assert "Traceback" not in p.stderr and not p.stderr.startswith("error"), (line, p.stderr)
        if words[1] == "check-proof":
            assert p.stdout.startswith("verified"), p.stdout
    assert _repo_status() == before


def _repo_status() -> str:
    """What git sees changed in the repository (untracked files too)."""
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                          capture_output=True, text=True, cwd=REPO, timeout=60).stdout


def test_the_interactive_example_prints_what_the_readme_shows():
    m = re.search(r"^\$ printf '(.*?)' \| eagersmt solve -in\n(.*?)^```", README,
                  re.MULTILINE | re.DOTALL)
    assert m
    text = m.group(1).encode().decode("unicode_escape")
    p = subprocess.run([str(BIN / "eagersmt"), "solve", "-in"], capture_output=True, text=True,
                       input=text, timeout=60)
    assert p.stdout == m.group(2)
