"""Parser throughput (``eagersmt bench --parse-speed``): MB/s of eagersmt, Z3 and pysmt.

Idea: benchmark files are too small to time a parser, so each instance is blown up to
about ``mb`` MB -- its declarations, definitions and assertions repeated, every declared or
defined symbol (and ``:named`` label) renamed ``name_k`` in copy ``k`` (the same text
shape, no sharing between copies) -- and each parser reads that text ``repeat`` times in a
fresh child process, timed around the parse call only (text already in memory, imports
done).  The parsers: ``eagersmt`` (``eagersmt.smtlib.parser.parse``; ``eagersmt@REV`` for
a committed version, as in the solver comparison), ``z3`` (``z3.parse_smt2_string``) and
``pysmt`` (``SmtLibParser``); each reports how many assertions it read, which must be the
same.  Cost: ``repeat`` parses of ``mb`` MB per parser and instance.
"""

from __future__ import annotations

import json
import math
import os
import re
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

from .instances import Instance
from .runner import Limits, run_limited
from .snapshot import child_env
from .solvers import PY, SolverSpec

PARSERS = ("eagersmt", "z3", "pysmt")

CHILD = r"""
import io, json, sys, time
which, path, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(path).read()
if which == "eagersmt":
    from eagersmt.smtlib.parser import parse
    def run():
        return len(parse(text).assertions)
elif which == "z3":
    import z3
    def run():
        return len(z3.parse_smt2_string(text))
else:
    from pysmt.smtlib.parser import SmtLibParser
    def run():
        script = SmtLibParser().get_script(io.StringIO(text))
        return sum(1 for c in script.commands if c.name == "assert")
times = []
for _ in range(repeat):
    t0 = time.perf_counter()
    n = run()
    times.append(time.perf_counter() - t0)
print("@@RESULT@@" + json.dumps({"times": times, "assertions": n}))
"""

_KEEP = ("declare-fun", "declare-const", "define-fun", "assert")
_HEAD = re.compile(r"\(\s*([a-z-]+)\s+([^\s()]+)?")
_NAMED = re.compile(r":named\s+([^\s()]+)")
_SYMBOL = re.compile(r"[A-Za-z~!@$%^&*_+=<>.?/\-][0-9A-Za-z~!@$%^&*_+=<>.?/\-]*")


def parser_spec(name: str) -> SolverSpec:
    """The spec of a parser name: eagersmt[@REV], z3 or pysmt (``ValueError`` otherwise)."""
    head, _, rev = name.partition("@")
    if head not in PARSERS or (rev and head != "eagersmt") or ("@" in name and not rev):
        raise ValueError(f"unknown parser {name!r} (--parse-speed compares eagersmt[@REV], "
                         "z3 and pysmt)")
    return SolverSpec(name, "parser", (head,), rev=rev)


def commands(text: str) -> list[str]:
    """The top-level commands of a script, as text (comments dropped)."""
    out, depth, start, i, n = [], 0, 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == ";":
            i = text.find("\n", i)
            i = n if i < 0 else i
            continue
        if c in "|\"":
            end = text.find(c, i + 1)
            while c == '"' and end >= 0 and text[end + 1:end + 2] == '"':  # "" inside a string
                end = text.find(c, end + 2)
            i = n if end < 0 else end + 1
            continue
        if c == "(":
            if depth == 0:
                start = i
            depth += 1
        elif c == ")" and depth > 0:
            depth -= 1
            if depth == 0:
                out.append(text[start:i + 1])
        i += 1
    return out


def blow_up(text: str, target_bytes: int) -> tuple[str, int]:
    """(text of about ``target_bytes``, its number of assertions): the script's
    declarations, definitions and assertions repeated, symbols renamed per copy."""
    logic = "(set-logic QF_IDL)"
    body, names = [], set()
    for cmd in commands(text):
        m = _HEAD.match(cmd)
        if not m:
            continue
        if m.group(1) == "set-logic":
            logic = cmd
        elif m.group(1) in _KEEP:
            body.append(cmd)
            names.update(_NAMED.findall(cmd))
            if m.group(1) != "assert" and m.group(2):
                names.add(m.group(2))
    size = sum(len(c) + 1 for c in body)
    copies = max(1, round(target_bytes / max(1, size)))
    lines = [logic]
    for k in range(copies):
        lines += [_SYMBOL.sub(lambda s: f"{s.group(0)}_{k}" if s.group(0) in names else s.group(0),
                              c) for c in body]
    asserts = copies * sum(1 for c in body if _HEAD.match(c).group(1) == "assert")  # type: ignore[union-attr]
    return "\n".join(lines) + "\n", asserts


@dataclass
class ParseRow:
    instance: str
    mb: float
    parser: str
    best_s: float = math.nan
    mb_s_best: float = math.nan
    mb_s_median: float = math.nan
    check: str = ""


def measure(instances: Sequence[Instance], specs: Sequence[SolverSpec], *, mb: float,
            repeat: int, limits: Limits,
            on_done: Optional[Callable[[ParseRow], None]] = None) -> list[ParseRow]:
    """Every parser on every instance's blown-up text (see the module doc)."""
    rows = []
    for inst in instances:
        text, nassert = blow_up(inst.path.read_text(errors="replace"), int(mb * 1e6))
        size = len(text.encode()) / 1e6
        with tempfile.NamedTemporaryFile("w", suffix=".smt2", delete=False) as f:
            f.write(text)
        try:
            for spec in specs:
                env, cwd = child_env(spec)
                o = run_limited([PY, "-c", CHILD, spec.argv[0], os.path.abspath(f.name),
                                 str(repeat)], limits, env=env, cwd=cwd)
                row = ParseRow(inst.name, round(size, 2), spec.name)
                m = re.search(r"@@RESULT@@(.*)", o.stdout)
                if o.timed_out or not m:
                    row.check = "timeout" if o.timed_out else f"error: {o.last_line()[:120]}"
                else:
                    res = json.loads(m.group(1))
                    best, med = min(res["times"]), statistics.median(res["times"])
                    row.best_s, row.mb_s_best, row.mb_s_median = best, size / best, size / med
                    row.check = (f"{res['assertions']} assertions" if res["assertions"] == nassert
                                 else f"read {res['assertions']} assertions of {nassert}")
                rows.append(row)
                if on_done:
                    on_done(row)
        finally:
            os.unlink(f.name)
    return rows


def table(rows: Sequence[ParseRow]) -> tuple[list[str], list[list[str]]]:
    head = ["text", "MB", "parser", "best s", "MB/s (best)", "MB/s (median)", "check"]
    return head, [[Path(r.instance).stem, f"{r.mb:.2f}", r.parser,
                   *(("-",) * 3 if math.isnan(r.best_s) else
                     (f"{r.best_s:.2f}", f"{r.mb_s_best:.2f}", f"{r.mb_s_median:.2f}")),
                   r.check] for r in rows]
