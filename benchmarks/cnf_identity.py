#!/usr/bin/env python3
"""The CNF of every benchmark under every encoding, as hashes: shows a change left what the
encoders emit byte-identical.

For each instance of the manifest (``path`` relative to the manifest's folder) and each
value ``eagersmt encode --encoding`` accepts (read from the command, which reads the
encoding registry), ``eagersmt encode`` runs in-process and the DIMACS it writes, without
its ``c`` comment lines (they name the version and the file), is hashed.  One TSV row per
pair: ``path<TAB>encoding<TAB>sha256``, or ``error: ...`` where the command refuses the
file (a non-difference-logic input under ``sd``, say).  ``--compare OLD.tsv`` prints the
rows that differ from OLD's (a refusal whose wording changed is noted, not counted) and
exits 1 if any does.  The code measured is the ``eagersmt`` that imports: put the checkout
first on ``PYTHONPATH``::

    PYTHONPATH=/path/to/before python benchmarks/cnf_identity.py -o before.tsv
    PYTHONPATH=$PWD python benchmarks/cnf_identity.py -o after.tsv --compare before.tsv

``--resume`` keeps the rows an interrupted run wrote to ``-o`` and adds the missing ones.

Cost: one encoding per row (every instance times every encoding); ``--jobs`` worker
processes (default 1), run under ``nice``, each capped at ``--memory-mb`` of address space
(an encoding that needs more is an ``error:`` row, in both runs alike).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import io
import multiprocessing
import os
import signal
import sys
import time
from pathlib import Path
from typing import Collection, Iterator, Optional

REPO = Path(__file__).resolve().parents[1]
MANIFEST = Path(os.environ.get("EAGERSMT_SHARED", REPO.parent / "shared")) / "benchmarks" / "MANIFEST.tsv"
NICE = 10
MEMORY_MB = 6000  # per worker: the machine is shared


class _DimacsHash(io.TextIOBase):
    """A text stream that hashes the lines written to it, but the ``c`` comment lines."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.partial = ""

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        text = self.partial + s
        lines = text.split("\n")
        self.partial = lines.pop()
        for line in lines:
            if not (line == "c" or line.startswith("c ")):
                self.sha.update(line.encode() + b"\n")
        return len(s)

    def hexdigest(self) -> str:
        if self.partial:
            self.write("\n")
        return self.sha.hexdigest()


def encodings() -> list[str]:
    """The values of ``eagersmt encode --encoding``, as the command offers them."""
    from eagersmt.cli.main import main

    [opt] = [p for p in main.get_command(None, "encode").params if p.name == "encoding"]
    return list(opt.type.choices)  # type: ignore[attr-defined]


def cnf_hash(path: str, encoding: str) -> str:
    """``sha256`` of the DIMACS ``eagersmt encode PATH --encoding ENCODING`` writes, or
    ``error: ...`` (its message) when it fails."""
    from eagersmt.cli.main import main

    out, err = _DimacsHash(), io.StringIO()
    code: object = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main.main(["encode", path, "--encoding", encoding], prog_name="eagersmt",
                      standalone_mode=False)
    except SystemExit as e:
        code = e.code
    except Exception as e:  # noqa: BLE001 - a crash is a row too
        return f"error: crash: {type(e).__name__}: {e}".replace("\t", " ").replace("\n", " ")
    if code not in (0, None):
        message = err.getvalue().strip().splitlines() or [f"exit {code}"]
        first = message[0] if message[0].startswith("error") else f"error: {message[0]}"
        return first.replace("\t", " ")
    return out.hexdigest()


def _row(job: tuple[str, str, str]) -> tuple[str, str, str]:
    rel, full, encoding = job
    term = signal.getsignal(signal.SIGTERM)  # the command sets its own; the pool's is wanted
    try:  # (a message names the file as the manifest does, wherever the manifest is)
        return rel, encoding, cnf_hash(full, encoding).replace(full, rel)
    finally:
        signal.signal(signal.SIGTERM, term)


def _niced() -> None:
    with contextlib.suppress(OSError):
        os.nice(NICE)


def _capped(megabytes: int) -> None:
    """A worker's address space at most ``megabytes`` (0: no cap): an encoding that needs
    more is a ``MemoryError`` row, not a machine out of memory."""
    if megabytes > 0:
        import resource

        limit = megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def rows(manifest: Path, jobs: int, only: Optional[str], memory_mb: int,
         done: Collection[tuple[str, str]] = ()) -> Iterator[tuple[str, str, str]]:
    with open(manifest) as f:
        paths = [r["path"] for r in csv.DictReader(f, delimiter="\t")]
    if only:
        paths = [p for p in paths if only in p]
    names = encodings()
    todo = [(p, str(manifest.parent / p), e) for p in paths for e in names if (p, e) not in done]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs, _capped, (memory_mb,), maxtasksperchild=20) as pool:  # (and the nice)
        yield from pool.imap(_row, todo)


def read_tsv(path: str) -> dict[tuple[str, str], str]:
    with open(path) as f:
        return {(r[0], r[1]): r[2] for r in csv.reader(f, delimiter="\t") if len(r) == 3}


def compare(old: dict[tuple[str, str], str], new: dict[tuple[str, str], str]) -> int:
    """Print the rows that differ (a row on one side only differs); their number."""
    differ = 0
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key, "(missing)"), new.get(key, "(missing)")
        if a == b:
            continue
        if a.startswith("error") and b.startswith("error"):
            print(f"note: {key[0]}\t{key[1]}: refused in both, reworded: {a!r} -> {b!r}",
                  file=sys.stderr)
            continue
        differ += 1
        print(f"{key[0]}\t{key[1]}\t{a}\t{b}")
    return differ


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--manifest", type=Path, default=MANIFEST,
                    help=f"the benchmark manifest (default: {MANIFEST})")
    ap.add_argument("-o", "--output", default="-", help="the TSV to write (default: stdout)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default: 1)")
    ap.add_argument("--only", help="only the instances whose path contains this")
    ap.add_argument("--memory-mb", type=int, default=MEMORY_MB,
                    help=f"address space of a worker, MB; 0: no cap (default: {MEMORY_MB})")
    ap.add_argument("--resume", action="store_true",
                    help="keep the rows already in --output and add the missing ones")
    ap.add_argument("--compare", metavar="OLD.tsv",
                    help="print the rows that differ from OLD.tsv's; exit 1 if any does")
    a = ap.parse_args()
    _niced()
    import eagersmt

    print(f"eagersmt from {Path(eagersmt.__file__).parent}; encodings: "
          f"{' '.join(encodings())}", file=sys.stderr)
    t0 = time.monotonic()
    resume = a.resume and a.output != "-" and os.path.exists(a.output)
    got = read_tsv(a.output) if resume else {}
    with contextlib.ExitStack() as stack:
        out = sys.stdout if a.output == "-" else \
            stack.enter_context(open(a.output, "a" if resume else "w"))
        for rel, encoding, digest in rows(a.manifest, max(1, a.jobs), a.only, a.memory_mb,
                                          got.keys()):
            got[rel, encoding] = digest
            out.write(f"{rel}\t{encoding}\t{digest}\n")
            out.flush()
    refused = sum(v.startswith("error") for v in got.values())
    print(f"{len(got)} rows ({refused} refused) in {time.monotonic() - t0:.0f} s",
          file=sys.stderr)
    if a.compare:
        def chosen(table: dict[tuple[str, str], str]) -> dict[tuple[str, str], str]:
            return {k: v for k, v in table.items() if not a.only or a.only in k[0]}

        differ = compare(chosen(read_tsv(a.compare)), chosen(got))
        print(f"{differ} rows differ from {a.compare}", file=sys.stderr)
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
