"""Which instances a benchmark run covers, and the answer each one is known to have.

``from_manifest`` reads a TSV with at least the columns ``path`` (relative to the manifest's
folder, or absolute), and optionally ``family``, ``status`` and ``logic`` (the layout of
``shared/benchmarks/MANIFEST.tsv``).  ``from_paths`` takes ``.smt2`` files and folders
(searched recursively); the expected answer is the file's ``(set-info :status ...)`` and the
family the first folder level under the given folder.  Cost: reading the manifest, plus the
first MB of each folder file to find its status.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence

ANSWERS = ("sat", "unsat")
_STATUS = re.compile(r"\(\s*set-info\s+:status\s+(sat|unsat|unknown)\s*\)")


@dataclass(frozen=True)
class Instance:
    name: str       # as shown in the CSV: the manifest path, or the path as found
    path: Path      # absolute file
    family: str
    expected: str   # sat / unsat / unknown
    logic: str = ""


def file_status(path: Path, limit: int = 1 << 20) -> str:
    """The ``(set-info :status ...)`` of an SMT-LIB file (in its first ``limit`` bytes)."""
    try:
        with open(path, "rb") as f:
            head = f.read(limit).decode("utf-8", errors="replace")
    except OSError:
        return "unknown"
    m = _STATUS.search(head)
    return m.group(1) if m else "unknown"


def _norm_status(s: Optional[str]) -> str:
    s = (s or "").strip().lower()
    return s if s in ANSWERS else "unknown"


def from_manifest(manifest: Path, families: Sequence[str] = ()) -> list[Instance]:
    """The rows of a manifest TSV (``FileNotFoundError``/``ValueError`` if unusable)."""
    base = manifest.resolve().parent
    with open(manifest, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    if rows and "path" not in rows[0]:
        raise ValueError(f"{manifest}: no 'path' column (columns: {', '.join(rows[0])})")
    out = []
    for r in rows:
        rel = (r.get("path") or "").strip()
        if not rel:
            continue
        path = Path(rel) if Path(rel).is_absolute() else base / rel
        family = (r.get("family") or "").strip() or Path(rel).parent.name or "-"
        if families and family not in families:
            continue
        status = r.get("status")
        expected = _norm_status(status) if status is not None else file_status(path)
        out.append(Instance(rel, path, family, expected, (r.get("logic") or "").strip()))
    return out


def _files(root: Path) -> Iterable[tuple[Path, str]]:
    if root.is_dir():
        for p in sorted(root.rglob("*.smt2")):
            parts = p.relative_to(root).parts
            yield p, parts[0] if len(parts) > 1 else (root.resolve().name or "-")
    else:
        yield root, root.resolve().parent.name or "-"


def from_paths(paths: Sequence[str], families: Sequence[str] = ()) -> list[Instance]:
    """Instances from ``.smt2`` files and folders (``FileNotFoundError`` for a missing one)."""
    out = []
    for given in paths:
        root = Path(given)
        if not root.exists():
            raise FileNotFoundError(f"{given}: no such file or folder")
        for p, family in _files(root):
            if families and family not in families:
                continue
            out.append(Instance(str(p), p.resolve(), family, file_status(p)))
    return out


def dedupe(instances: Iterable[Instance]) -> list[Instance]:
    """First occurrence of each file wins (a manifest row before a folder scan)."""
    seen: set[Path] = set()
    out = []
    for inst in instances:
        key = inst.path.resolve()
        if key not in seen:
            seen.add(key)
            out.append(inst)
    return out
