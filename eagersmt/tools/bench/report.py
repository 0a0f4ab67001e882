"""What a benchmark run found: solved counts, PAR-2, per-family table, virtual best solver.

A ``Row`` is one (instance, solver) run.  It is *solved* when the answer is sat or unsat,
not contradicted by the expected answer, and within the limit.  PAR-2 is the sum over the
instances of the wall seconds when solved, else twice the limit; a wrong answer counts as
unsolved and is listed first, loudly.  The virtual best solver (VBS) takes per instance the
fastest solved run.  Against a baseline solver (``--baseline``, Z3 by default) each other
solver gets the geometric mean and median of its time ratios over the instances both
solved, overall and per family.  eagersmt rows carry the stage times of its ``--stats``
(parse, normalize+encode, SAT solve; CNF size), shown per instance and summed as shares.
Tables come out as (header, rows) of strings, rendered here as markdown and by the CLI
with rich.  Cost: linear in the number of rows.
"""

from __future__ import annotations

import csv
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Iterable, Optional, Sequence

ANSWERS = ("sat", "unsat")
VBS = "virtual best"
Table = tuple[list[str], list[list[str]]]


@dataclass
class Row:
    instance: str
    family: str
    expected: str
    solver: str
    answer: str     # sat unsat unknown timeout memout error
    seconds: float  # wall seconds (cnf solvers: the SAT solver only)
    check: str      # correct wrong unknown error
    note: str = ""
    # eagersmt rows (from its --stats, summed over the check-sats): parse and
    # normalize+encode seconds, CNF clauses, input bytes, SAT solve seconds, CNF variables;
    # NaN / 0 for other solvers
    parse_s: float = math.nan
    encode_s: float = math.nan
    clauses: int = 0
    bytes: int = 0
    solve_s: float = math.nan
    vars: int = 0


FIELDS = [f.name for f in fields(Row)]


def check(answer: str, expected: str) -> str:
    """correct / wrong (a decided answer against a known one), error, else unknown."""
    if answer == "error":
        return "error"
    if answer in ANSWERS and expected in ANSWERS:
        return "correct" if answer == expected else "wrong"
    return "unknown"


def solved(row: Row, limit: float) -> bool:
    return row.answer in ANSWERS and row.check != "wrong" and row.seconds <= limit


@dataclass
class Totals:
    solver: str
    n: int = 0
    solved: int = 0
    sat: int = 0
    unsat: int = 0
    timeout: int = 0
    memout: int = 0
    unknown: int = 0
    error: int = 0
    wrong: int = 0
    par2: float = 0.0
    unique: int = 0   # solved by no other solver
    fastest: int = 0  # the virtual best's pick

    def add(self, row: Row, limit: float) -> None:
        self.n += 1
        if solved(row, limit):
            self.solved += 1
            self.sat += row.answer == "sat"
            self.unsat += row.answer == "unsat"
            self.par2 += row.seconds
            return
        self.par2 += 2 * limit
        if row.check == "wrong":
            self.wrong += 1
        elif row.answer in ("timeout", "memout", "error"):
            setattr(self, row.answer, getattr(self, row.answer) + 1)
        else:  # 'unknown', or an answer past the limit
            self.unknown += 1


@dataclass
class Summary:
    limit: float
    solvers: list[str]
    families: list[str]
    totals: dict[str, Totals]                   # solver (and VBS) -> totals
    by_family: dict[str, dict[str, Totals]]     # family -> solver (and VBS) -> totals
    vbs: dict[str, Row]                         # instance -> fastest solved row
    instances: list[str] = field(default_factory=list)
    wrong: list[Row] = field(default_factory=list)
    errors: list[Row] = field(default_factory=list)
    disagreements: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def virtual_best(rows: Iterable[Row], limit: float) -> dict[str, Row]:
    """Per instance the fastest solved row (ties: the first)."""
    best: dict[str, Row] = {}
    for r in rows:
        if solved(r, limit) and (r.instance not in best or r.seconds < best[r.instance].seconds):
            best[r.instance] = r
    return best


def summarize(rows: Sequence[Row], limit: float, solvers: Optional[Sequence[str]] = None) -> Summary:
    solvers = list(solvers) if solvers else list(dict.fromkeys(r.solver for r in rows))
    instances = dict.fromkeys((r.instance, r.family, r.expected) for r in rows)
    families = sorted({fam for _, fam, _ in instances})
    best = virtual_best(rows, limit)
    totals = {s: Totals(s) for s in [*solvers, VBS]}
    by_family = {f: {s: Totals(s) for s in [*solvers, VBS]} for f in families}
    solved_by: dict[str, list[str]] = {}
    answers: dict[str, dict[str, list[str]]] = {}
    for r in rows:
        if r.solver not in totals:
            continue
        totals[r.solver].add(r, limit)
        by_family[r.family][r.solver].add(r, limit)
        if solved(r, limit):
            solved_by.setdefault(r.instance, []).append(r.solver)
        if r.answer in ANSWERS:
            answers.setdefault(r.instance, {}).setdefault(r.answer, []).append(r.solver)
    for name, fam, expected in instances:
        pick = best.get(name)
        vrow = (Row(name, fam, expected, VBS, pick.answer, pick.seconds, pick.check)
                if pick else Row(name, fam, expected, VBS, "unknown", 2 * limit, "unknown"))
        totals[VBS].add(vrow, limit)
        by_family[fam][VBS].add(vrow, limit)
        if pick:
            totals[pick.solver].fastest += 1
        if len(solved_by.get(name, [])) == 1:
            totals[solved_by[name][0]].unique += 1
    return Summary(
        limit, solvers, families, totals, by_family, best, [name for name, _, _ in instances],
        wrong=[r for r in rows if r.check == "wrong"],
        errors=[r for r in rows if r.answer == "error"],
        disagreements={i: a for i, a in answers.items() if len(a) > 1})


def _s(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:.1f}" if x >= 100 else f"{x:.2f}"


def solver_table(s: Summary) -> Table:
    head = ["solver", "solved", "sat", "unsat", "timeout", "memout", "unknown", "error", "WRONG",
            "PAR-2 (s)", "PAR-2/inst", "unique", "fastest"]
    rows = []
    for name in [*s.solvers, VBS]:
        t, v = s.totals[name], name == VBS  # the VBS only solves or not
        rows.append([name, f"{t.solved}/{t.n}", str(t.sat), str(t.unsat),
                     *(("-",) * 5 if v else map(str, (t.timeout, t.memout, t.unknown, t.error,
                                                      t.wrong))),
                     _s(t.par2), _s(t.par2 / t.n if t.n else math.nan),
                     *(("-", "-") if v else (str(t.unique), str(t.fastest)))])
    return head, rows


def family_table(s: Summary) -> Table:
    head = ["family", "n", *s.solvers, VBS]
    rows = []
    for fam in s.families:
        cells = s.by_family[fam]
        n = cells[VBS].n
        rows.append([fam, str(n)] + [f"{cells[x].solved} · {_s(cells[x].par2)}"
                                     + (f" · {cells[x].wrong} WRONG" if cells[x].wrong else "")
                                     for x in [*s.solvers, VBS]])
    return head, rows


def wrong_table(s: Summary) -> Table:
    return (["solver", "instance", "family", "expected", "answer", "seconds"],
            [[r.solver, r.instance, r.family, r.expected, r.answer, _s(r.seconds)] for r in s.wrong])


def markdown_table(table: Table) -> str:
    head, rows = table
    esc = [[c.replace("|", "\\|") for c in row] for row in [head, *rows]]
    lines = ["| " + " | ".join(esc[0]) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in esc[1:]]
    return "\n".join(lines)


FRONT_MIN_S = 1.0  # the front end's share is judged on runs longer than this


def front_end_table(rows: Sequence[Row]) -> Table:
    """Per eagersmt configuration, over its solved runs longer than ``FRONT_MIN_S``: the
    share of wall time spent parsing, normalizing and encoding (median, max), parser MB/s
    and encoder clauses/s (medians over all its runs with stage times)."""
    head = ["solver", f"runs > {FRONT_MIN_S:g} s", "parse+encode share median",
            "share max (instance)", "parser MB/s (median)", "encoder clauses/s (median)",
            "parse / norm+enc / solve (sums)"]
    out = []
    for name in dict.fromkeys(r.solver for r in rows if not math.isnan(r.parse_s)):
        mine = [r for r in rows if r.solver == name and not math.isnan(r.parse_s)]
        long = [r for r in mine if r.answer in ANSWERS and r.seconds > FRONT_MIN_S]
        shares = sorted(((r.parse_s + r.encode_s) / r.seconds, r.instance) for r in long)
        mbs = [r.bytes / 1e6 / r.parse_s for r in mine if r.parse_s > 0 and r.bytes]
        cps = [r.clauses / r.encode_s for r in mine if r.encode_s > 0 and r.clauses]
        out.append([name, str(len(long)),
                    f"{_median([x for x, _ in shares]):.1%}" if shares else "-",
                    f"{shares[-1][0]:.1%} ({shares[-1][1]})" if shares else "-",
                    f"{_median(mbs):.2f}" if mbs else "-",
                    f"{_median(cps):,.0f}" if cps else "-", _stage_split(mine)])
    return head, out


def _stage_split(rows: Sequence[Row]) -> str:
    """Shares of parse, normalize+encode and SAT solve in their summed seconds."""
    done = [r for r in rows if not math.isnan(r.solve_s)]
    parts = [sum(r.parse_s for r in done), sum(r.encode_s for r in done),
             sum(r.solve_s for r in done)]
    total = sum(parts)
    return " / ".join(f"{x / total:.1%}" for x in parts) if total > 0 else "-"


def _geomean(xs: Sequence[float]) -> float:
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else math.nan


def ratio_table(rows: Sequence[Row], limit: float, base: str,
                solvers: Optional[Sequence[str]] = None) -> Table:
    """Per solver (overall, then per family): its wall seconds divided by ``base``'s on the
    instances both solved -- geometric mean, median -- and the two sums."""
    solvers = list(solvers) if solvers else list(dict.fromkeys(r.solver for r in rows))
    mine = {(r.solver, r.instance): r for r in rows if solved(r, limit) and r.seconds > 0}
    head = ["solver", "family", "both solved", f"geomean ×{base}", f"median ×{base}",
            "sum s", f"sum {base} s"]
    out = []
    for name in solvers:
        if name == base:
            continue
        pairs = [(mine[name, i], mine[base, i]) for (s_, i) in mine
                 if s_ == name and (base, i) in mine]
        families = sorted({a.family for a, _ in pairs})
        for fam in ["all", *(families if len(families) > 1 else [])]:
            sel = [(a, b) for a, b in pairs if fam == "all" or a.family == fam]
            ratios = [a.seconds / b.seconds for a, b in sel]
            out.append([name, fam, str(len(sel)), _s(_geomean(ratios)),
                        _s(_median(ratios)) if ratios else "-",
                        _s(sum(a.seconds for a, _ in sel)), _s(sum(b.seconds for _, b in sel))])
    return head, out


def instance_table(rows: Sequence[Row], solvers: Sequence[str]) -> Table:
    """One line per instance: each solver's answer and wall seconds."""
    cells = {(r.instance, r.solver): r for r in rows}
    head = ["instance", "expected", *solvers]
    out = []
    for inst, expected in dict.fromkeys((r.instance, r.expected) for r in rows):
        line = [Path(inst).stem, expected]
        for name in solvers:
            r = cells.get((inst, name))
            line.append("-" if r is None else
                        f"{r.answer}{' (WRONG)' if r.check == 'wrong' else ''} {_s(r.seconds)}")
        out.append(line)
    return head, out


def stage_table(rows: Sequence[Row]) -> Table:
    """eagersmt runs with stage times: parse, normalize+encode, solve seconds, CNF size."""
    head = ["instance", "solver", "answer", "wall s", "parse s", "norm+enc s", "solve s",
            "vars", "clauses"]
    out = [[Path(r.instance).stem, r.solver, r.answer, _s(r.seconds), f"{r.parse_s:.3f}",
            f"{r.encode_s:.3f}", "-" if math.isnan(r.solve_s) else f"{r.solve_s:.3f}",
            str(r.vars), str(r.clauses)]
           for r in rows if not math.isnan(r.parse_s)]
    return head, out


def _median(xs: Sequence[float]) -> float:
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def to_markdown(s: Summary, preamble: Sequence[str] = (), rows: Sequence[Row] = (),
                baseline: Optional[str] = None) -> str:
    """The whole report: wrong answers first (if any), solved, per family, VBS, ratios to
    ``baseline``, front end, per instance, errors."""
    out = ["# eagersmt bench", "", *preamble]
    if s.wrong:
        out += ["", f"## WRONG ANSWERS ({len(s.wrong)})", "",
                "Each one is counted as unsolved (2 × limit in PAR-2).", "", markdown_table(wrong_table(s))]
    out += ["", "## Solved", "", markdown_table(solver_table(s)), "",
            f"PAR-2: sum over instances of wall seconds when solved, else 2 × {s.limit:g} s. "
            "unique: solved by no other solver; fastest: the virtual best's pick."]
    out += ["", "## Per family (solved · PAR-2 s)", "", markdown_table(family_table(s))]
    v = s.totals[VBS]
    picks = ", ".join(f"{x} {s.totals[x].fastest}" for x in s.solvers if s.totals[x].fastest)
    unsolved = [i for i in s.instances if i not in s.vbs]
    out += ["", "## Virtual best solver", "",
            f"Solved {v.solved}/{v.n} (sat {v.sat}, unsat {v.unsat}), PAR-2 {_s(v.par2)} s. "
            f"Fastest per instance: {picks or 'none'}."]
    if unsolved:
        out += ["", f"Solved by no solver: {', '.join(unsolved)}."]
    if baseline and baseline in s.solvers and len(s.solvers) > 1:
        out += ["", f"## Time ratios to {baseline}", "",
                markdown_table(ratio_table(rows, s.limit, baseline, s.solvers)), "",
                f"Wall seconds of each solver divided by {baseline}'s, over the instances both "
                "solved (eagersmt's include the interpreter start and imports)."]
    front = front_end_table(rows)
    if front[1]:
        out += ["", "## Front end (eagersmt: parse + normalize + encode)", "", markdown_table(front), "",
                "Share: (parse + normalize + encode seconds, from `--stats`) / wall seconds of "
                f"the whole run (interpreter start included), over runs longer than "
                f"{FRONT_MIN_S:g} s; MB/s and clauses/s over every run with stage times; "
                "the last column splits the summed stage seconds."]
    if rows:
        out += ["", "## Per instance (answer, wall s)", "", markdown_table(instance_table(rows, s.solvers))]
        stages = stage_table(rows)
        if stages[1]:
            out += ["", "## eagersmt stages per instance (from `--stats`)", "", markdown_table(stages)]
    if s.disagreements:
        out += ["", "## Disagreements (no known answer)", ""]
        out += [f"- {i}: " + "; ".join(f"{a} by {', '.join(v)}" for a, v in d.items())
                for i, d in s.disagreements.items()]
    if s.errors:
        out += ["", f"## Errors ({len(s.errors)})", "",
                markdown_table((["solver", "instance", "note"],
                     [[r.solver, r.instance, r.note] for r in s.errors]))]
    return "\n".join(out) + "\n"


def write_csv(rows: Iterable[Row], path: str) -> None:
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow(asdict(r))


def read_csv(path: str) -> list[Row]:
    with open(path, newline="") as f:
        return [Row(**{**d, "seconds": float(d["seconds"]),
                       "parse_s": float(d.get("parse_s") or "nan"),
                       "encode_s": float(d.get("encode_s") or "nan"),
                       "clauses": int(d.get("clauses") or 0), "bytes": int(d.get("bytes") or 0),
                       "solve_s": float(d.get("solve_s") or "nan"),
                       "vars": int(d.get("vars") or 0)})
                for d in csv.DictReader(f)]
