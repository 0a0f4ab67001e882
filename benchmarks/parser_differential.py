#!/usr/bin/env python3
"""The compiled and the Python SMT-LIB front ends side by side: the same terms, commands,
atom positions, warnings and errors on every text.

For each text, ``smtlib.parser.parse`` runs twice in-process, once with the compiled front
end (``native/smtparse.c``, ``$EAGERSMT_PARSER=compiled``: at any size) and once with
``$EAGERSMT_PARSER=python``, and ``digest``
records everything a caller can see: the term table in creation order (operator, argument
ids, value and its type, sort), the commands (name, arguments with terms as ids, offsets),
declarations, logic, status, atom positions, warnings, or the error (class, message, line,
column).  The texts: the manifest's files (``--manifest``), the examples, and ``--mutants``
mutants of them made by ``eagersmt fuzz-input``'s mutators (``tools.fuzz.mutate``, seeded).
Also counts how many texts the compiled front end elaborated itself (the rest it handed to
the Python parser).  Exits 1 on any difference::

    PYTHONPATH=$PWD python benchmarks/parser_differential.py --mutants 3000

Cost: two parses per text.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
from pathlib import Path
from typing import Iterator, Optional

REPO = Path(__file__).resolve().parents[1]


def _value(v: object) -> object:
    from eagersmt.ir.terms import Term

    if isinstance(v, Term):
        return ("term", v.id)
    if isinstance(v, (tuple, list)):
        return (type(v).__name__, tuple(_value(x) for x in v))
    return (type(v).__name__, repr(v))


@contextlib.contextmanager
def front_end(mode: str) -> Iterator[None]:
    """``$EAGERSMT_PARSER`` set to ``mode`` (``compiled``: at any size) meanwhile."""
    from eagersmt.smtlib.parser import PARSER_ENV_VAR

    old = os.environ.get(PARSER_ENV_VAR)
    os.environ[PARSER_ENV_VAR] = mode
    try:
        yield
    finally:
        if old is None:
            del os.environ[PARSER_ENV_VAR]
        else:
            os.environ[PARSER_ENV_VAR] = old


def digest(text: str, *, compiled: bool) -> tuple:
    """Everything ``parse(text)`` shows, as plain data (see the module doc)."""
    from eagersmt.errors import InputError
    from eagersmt.smtlib.parser import parse

    try:
        with front_end("compiled" if compiled else "python"):
            script = parse(text, filename="t.smt2")
    except InputError as e:
        return ("error", type(e).__name__, e.message, e.line, e.col)
    terms = tuple((t.op, tuple(a.id for a in t.args), type(t.val).__name__, repr(t.val), t.sort,
                   t.id, key[4].__name__) for key, t in script.terms.table.items())
    commands = tuple((c.name, _value(c.args), c.pos, c.end) for c in script.commands)
    warnings = tuple((type(w).__name__, w.message, w.offset, w.line, w.col)
                     for w in script.warnings)
    return ("script", terms, commands, tuple(v.id for v in script.declarations), script.logic,
            script.status, tuple((t.id, p) for t, p in script.atom_pos.items()), warnings)


def compare(text: str) -> tuple[Optional[str], bool]:
    """(None, or what differs; whether the compiled front end read the text itself)."""
    from eagersmt.smtlib.parser import Parser

    fast, slow = digest(text, compiled=True), digest(text, compiled=False)
    with front_end("compiled"):
        took = Parser().compiled(text) is not None
    if fast == slow:
        return None, took
    if fast[0] != slow[0]:
        return f"compiled: {fast[:5]!r}; python: {slow[:5]!r}", took
    for k, (a, b) in enumerate(zip(fast, slow)):
        if a != b:
            if isinstance(a, tuple) and isinstance(b, tuple):
                i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                return (f"field {k} at {i}: compiled {a[i:i + 2]!r} ({len(a)}), "
                        f"python {b[i:i + 2]!r} ({len(b)})"), took
            return f"field {k}: compiled {a!r}, python {b!r}", took
    return "differs", took


def manifest_files(manifest: Path) -> list[Path]:
    rows = manifest.read_text().splitlines()[1:]
    return [manifest.parent / r.split("\t")[0] for r in rows if r.strip()]


def texts(files: list[Path], mutants: int, seed: int) -> Iterator[tuple[str, str]]:
    """(name, text) of each file, then of ``mutants`` mutants of them."""
    from eagersmt.tools.fuzz.mutate import mutate

    raw = [(str(f), f.read_bytes()) for f in files]
    for name, data in raw:
        yield name, _decode(data)
    for i in range(mutants):
        rng = random.Random(f"{seed}/parser/{i}")
        name, data = rng.choice(raw)
        applied, data = mutate(rng, data)
        yield f"{name} mutant {i} ({', '.join(applied)})", _decode(data)


def _decode(data: bytes) -> str:
    # as read_source does (a file that is not UTF-8 never reaches the parser)
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--manifest", type=Path,
                    default=Path(os.environ.get("EAGERSMT_SHARED", REPO.parent / "shared"))
                    / "benchmarks" / "MANIFEST.tsv")
    ap.add_argument("--mutants", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    from eagersmt.smtlib.parser import compiled_front_end

    if compiled_front_end() is None:
        print("the compiled front end is not available here", file=sys.stderr)
        return 2
    files = manifest_files(args.manifest) if args.manifest.exists() else []
    files += sorted((REPO / "examples").glob("*.smt2"))
    n = same = took = 0
    bad = []
    for name, text in texts(files, args.mutants, args.seed):
        n += 1
        diff, fast = compare(text)
        took += fast
        if diff is None:
            same += 1
        else:
            bad.append((name, diff))
            print(f"DIFF {name}: {diff}", file=sys.stderr)
    print(f"{n} texts ({len(files)} files, {args.mutants} mutants): {same} identical, "
          f"{len(bad)} differ; the compiled front end read {took} itself")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
