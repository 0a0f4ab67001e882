"""eagersmt as committed at a git revision: ``--solver eagersmt@REV`` of ``eagersmt bench``.

Idea: a speed claim is only fair when old and new code run in the same session, on the
same instances, one after the other.  ``git archive REV eagersmt`` (read-only: the work tree
and the index are not touched) is unpacked into a private folder; the solver's children
run with that folder first on ``PYTHONPATH`` and as their working directory (``python -m``
puts the working directory first on ``sys.path``, so a checkout there cannot shadow the
snapshot).  ``attach`` checks that a child really imports the snapshot before anything is
timed.  Cost: one ``git archive``, a ``compileall`` and an interpreter start per revision.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Optional

from .solvers import SolverSpec


def repository() -> Path:
    """The git checkout this eagersmt is imported from (``ValueError`` if none)."""
    here = Path(__file__).resolve().parents[3]
    if not (here / ".git").exists():
        raise ValueError(f"eagersmt@REV needs eagersmt imported from a git checkout, not {here}")
    return here


def _git(*args: str) -> bytes:
    p = subprocess.run(["git", "-C", str(repository()), *args], capture_output=True)
    if p.returncode != 0:
        raise ValueError(f"git {' '.join(args)}: {p.stderr.decode(errors='replace').strip()}")
    return p.stdout


class Snapshots:
    """Extracted revisions, one folder each, removed by ``close``."""

    def __init__(self) -> None:
        self.root: Optional[tempfile.TemporaryDirectory] = None
        self.done: dict[str, tuple[str, str]] = {}  # rev -> (commit, folder)

    def extract(self, rev: str) -> tuple[str, str]:
        """(commit, folder holding its ``eagersmt`` package) of ``rev``."""
        if rev not in self.done:
            commit = _git("rev-parse", "--verify", "--end-of-options",
                          rev + "^{commit}").decode().strip()
            if self.root is None:
                self.root = tempfile.TemporaryDirectory(prefix="eagersmt-snapshot-")
            folder = os.path.join(self.root.name, commit)
            if not os.path.isdir(folder):
                data = _git("archive", "--format=tar", commit, "eagersmt")
                with tarfile.open(fileobj=io.BytesIO(data)) as tf:
                    if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12 / 3.11.4
                        tf.extractall(folder, filter="data")
                    else:  # pragma: no cover
                        tf.extractall(folder)
                _check_import(folder)
            self.done[rev] = (commit, folder)
        return self.done[rev]

    def attach(self, spec: SolverSpec) -> SolverSpec:
        """``spec`` with its revision extracted (unchanged when it has none)."""
        if not spec.rev:
            return spec
        commit, folder = self.extract(spec.rev)
        return replace(spec, commit=commit, snapshot=folder)

    def close(self) -> None:
        if self.root is not None:
            self.root.cleanup()
            self.root = None


def child_env(spec: SolverSpec) -> tuple[Optional[dict[str, str]], Optional[str]]:
    """(environment, working directory) of a child running ``spec`` (None, None: inherit).

    eagersmt children run without the lemma store (``EAGERSMT_MEMO=off``; revisions before
    the store ignore it): a benchmark measures solving, and one run's recorded answer would
    otherwise answer the next configuration's, or the next repeat's, run of the instance."""
    env = env_for(spec.snapshot) if spec.snapshot else None
    if spec.kind == "eagersmt":
        env = {**(env or os.environ), "EAGERSMT_MEMO": "off"}
    return env, spec.snapshot or None


def env_for(folder: str) -> dict[str, str]:
    old = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": folder + (os.pathsep + old if old else "")}


def _check_import(folder: str) -> None:
    """Compile the snapshot (its first run should not pay for it) and import it once."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "eagersmt"], cwd=folder,
                   capture_output=True)
    p = subprocess.run([sys.executable, "-c", "import eagersmt; print(eagersmt.__file__)"],
                       capture_output=True, text=True, env=env_for(folder), cwd=folder)
    where = p.stdout.strip()
    if p.returncode != 0 or not where.startswith(folder):
        raise ValueError(f"the snapshot in {folder} is not what a child imports "
                         f"({where or p.stderr.strip()[-300:]})")
