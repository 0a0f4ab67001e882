#!/usr/bin/env python3
"""Job-shop decision instances (QF_IDL / QF_RDL) from the OR-Library file ``jobshop1.txt``.

The output replicates the style of ``shared/benchmarks/jobshop_classic/*.smt2`` line for
line: a variable ``z`` as time origin, start times ``s_j_k`` (job ``j``, ``k``-th operation),

* per job: ``(>= (- s_j_0 z) 0)``, precedences ``(>= (- s_j_k+1 s_j_k) d_j_k)`` and the
  makespan bound ``(<= (- s_j_last z) B-d_j_last)``;
* per machine (0, 1, ...), per pair of its operations ``a`` before ``b`` in job order:
  ``(or (>= (- a b) d_b) (>= (- b a) d_a))``.

``:status`` is ``sat`` when ``B >= optimum`` and ``unsat`` when ``B < optimum`` for the
instances whose optimal makespan is in ``KNOWN_OPTIMA`` (otherwise ``unknown``).

Usage::

    gen_jobshop.py ft06 --bound opt                 # SMT-LIB on stdout
    gen_jobshop.py la01 --bound opt-1 --real -o x.smt2
    gen_jobshop.py --instances la01,la02,ft10 --both [--out-dir DIR] [--real]
    gen_jobshop.py ft10 --optimize [--longer 3_4,...]  # (minimize (- ms z)), no bound
    gen_jobshop.py --list

``--optimize`` writes the optimization problem instead: a makespan ``ms`` after every job's
last operation (``(>= (- ms s_j_last) d_j_last)``), no bound, ``(minimize (- ms z))``, for
``eagersmt optimize FILE`` and Z3's ``Optimize``.  ``--longer J_K`` makes operation ``K`` of
job ``J`` one time unit longer (a what-if variant; repeatable, comma-separated).

The data file is ``<shared>/benchmarks/data/jobshop1.txt`` where ``<shared>`` is
``$EAGERSMT_SHARED`` or the ``shared`` folder next to the repository (``--data`` overrides).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT_DIR = REPO / "benchmarks" / "out" / "generated"

# Optimal makespans from the literature (checked against the "Known optimal makespan"
# comments of shared/benchmarks/jobshop_classic*: abz6 ft06 la01 la02 la05 la07 la11 la16
# la17 orb03 orb05 orb10; la21-la40 from the OR-Library's job-shop readme table, la29 left
# out: only bounds there).
KNOWN_OPTIMA: dict[str, int] = {
    "ft06": 55, "ft10": 930, "ft20": 1165,
    "la01": 666, "la02": 655, "la03": 597, "la04": 590, "la05": 593,
    "la06": 926, "la07": 890, "la08": 863, "la09": 951, "la10": 958,
    "la11": 1222, "la12": 1039, "la13": 1150, "la14": 1292, "la15": 1207,
    "la16": 945, "la17": 784, "la18": 848, "la19": 842, "la20": 902,
    "la21": 1046, "la22": 927, "la23": 1032, "la24": 935, "la25": 977,
    "la26": 1218, "la27": 1235, "la28": 1216, "la30": 1355,
    "la31": 1784, "la32": 1850, "la33": 1719, "la34": 1721, "la35": 1888,
    "la36": 1268, "la37": 1397, "la38": 1196, "la39": 1233, "la40": 1222,
    "abz5": 1234, "abz6": 943,
    "orb01": 1059, "orb02": 888, "orb03": 1005, "orb04": 1005, "orb05": 887,
    "orb06": 1010, "orb07": 397, "orb08": 899, "orb09": 934, "orb10": 944,
}


def shared_dir() -> Path:
    """The ``shared`` folder: ``$EAGERSMT_SHARED`` or ``<repo>/../shared``."""
    env = os.environ.get("EAGERSMT_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"


def bench_dir() -> Path:
    return shared_dir() / "benchmarks"


def default_data_file() -> Path:
    return bench_dir() / "data" / "jobshop1.txt"


@dataclass(frozen=True)
class Instance:
    """A job-shop instance: ``jobs[j][k] = (machine, duration)`` of job ``j``'s ``k``-th step."""

    name: str
    description: str
    njobs: int
    nmachines: int
    jobs: tuple[tuple[tuple[int, int], ...], ...]

    @property
    def optimum(self) -> Optional[int]:
        return KNOWN_OPTIMA.get(self.name)


_INSTANCE = re.compile(r"^instance\s+(\S+)$")
_SEPARATOR = re.compile(r"^\+{3,}")


def parse_orlib(text: str) -> dict[str, Instance]:
    """Parse the OR-Library ``jobshop1.txt`` format (instances in file order).

    Each block: `` instance NAME``, separator lines (``+++...``) and blank lines, one line of
    description, a line ``njobs nmachines``, then ``njobs * nmachines`` pairs
    ``machine duration`` (one job per line in the file; read here as a token stream).
    """
    lines = text.splitlines()
    out: dict[str, Instance] = {}
    i = 0
    while i < len(lines):
        m = _INSTANCE.match(lines[i].strip())
        i += 1
        if not m:
            continue
        name = m.group(1)
        # skip blank and separator lines up to the description
        while i < len(lines) and (not lines[i].strip() or _SEPARATOR.match(lines[i].strip())):
            i += 1
        if i + 1 >= len(lines):
            raise ValueError(f"instance {name}: truncated header")
        description = lines[i].strip()
        size = lines[i + 1].split()
        if len(size) != 2 or not all(t.isdigit() for t in size):
            raise ValueError(f"instance {name}: expected 'njobs nmachines', got {lines[i + 1]!r}")
        njobs, nmachines = int(size[0]), int(size[1])
        i += 2
        need = 2 * njobs * nmachines
        nums: list[int] = []
        while len(nums) < need:
            if i >= len(lines) or _SEPARATOR.match(lines[i].strip()):
                raise ValueError(f"instance {name}: expected {need} numbers, found {len(nums)}")
            nums.extend(int(t) for t in lines[i].split())
            i += 1
        if len(nums) != need:
            raise ValueError(f"instance {name}: {len(nums)} numbers, expected {need}")
        jobs = []
        for j in range(njobs):
            row = nums[2 * nmachines * j: 2 * nmachines * (j + 1)]
            ops = tuple((row[2 * k], row[2 * k + 1]) for k in range(nmachines))
            for mach, dur in ops:
                if not 0 <= mach < nmachines or dur < 0:
                    raise ValueError(f"instance {name}: bad operation ({mach}, {dur}) in job {j}")
            jobs.append(ops)
        if name in out:
            raise ValueError(f"instance {name} appears twice")
        out[name] = Instance(name, description, njobs, nmachines, tuple(jobs))
    return out


def load_instances(path: Optional[os.PathLike | str] = None) -> dict[str, Instance]:
    with open(path or default_data_file(), encoding="ascii") as f:
        return parse_orlib(f.read())


def resolve_bound(spec: str | int, name: str) -> int:
    """``opt``, ``opt-K``, ``opt+K`` (needs a known optimum) or an integer."""
    if isinstance(spec, int):
        return spec
    s = spec.strip().lower()
    m = re.fullmatch(r"opt(?:([+-])(\d+))?", s)
    if m:
        if name not in KNOWN_OPTIMA:
            raise ValueError(f"no known optimal makespan for {name} (bound {spec!r})")
        k = int(m.group(2) or 0)
        return KNOWN_OPTIMA[name] + (k if m.group(1) == "+" else -k)
    if re.fullmatch(r"-?\d+", s):
        return int(s)
    raise ValueError(f"bad bound {spec!r}: use an integer, opt, opt-K or opt+K")


def expected_status(name: str, bound: int) -> str:
    opt = KNOWN_OPTIMA.get(name)
    if opt is None:
        return "unknown"
    return "sat" if bound >= opt else "unsat"


def _num(k: int) -> str:
    return str(k) if k >= 0 else f"(- {-k})"


def _quoted(text: str) -> str:
    # a quoted symbol may contain neither '|' nor '\'
    return text.replace("|", "/").replace("\\", "/")


def longer(inst: Instance, ops: Iterable[tuple[int, int]], delta: int = 1) -> Instance:
    """``inst`` with operation ``k`` of job ``j`` ``delta`` longer, for each ``(j, k)`` of
    ``ops`` (a what-if variant; its name says which)."""
    jobs = [list(ops_) for ops_ in inst.jobs]
    tags = []
    for j, k in ops:
        mach, d = jobs[j][k]
        jobs[j][k] = (mach, d + delta)
        tags.append(f"{j}_{k}")
    return Instance(f"{inst.name}+{'+'.join(tags)}" if tags else inst.name,
                    inst.description + (f"; operations {', '.join(tags)} {delta:+d}" if tags else ""),
                    inst.njobs, inst.nmachines, tuple(tuple(o) for o in jobs))


def to_smtlib(inst: Instance, bound: Optional[int], *, real: bool = False) -> str:
    """The decision problem "makespan <= bound" in the style of the shared jobshop files;
    ``bound`` None: the optimization problem (module doc, ``--optimize``)."""
    sort = "Real" if real else "Int"
    opt = inst.optimum
    what = "minimum makespan" if bound is None else f"makespan <= {bound}"
    out = [
        "(set-info :smt-lib-version 2.6)",
        f"(set-logic {'QF_RDL' if real else 'QF_IDL'})",
        "(set-info :source |",
        _quoted(f"Job-shop {'optimization' if bound is None else 'decision'} problem: "
                f"{inst.name} ({inst.description}), {what}."),
        "Generated from OR-Library jobshop1.txt",
        "(copy in GitHub repository hromadka/jobshop, data/jobshop1.txt).",
    ]
    if opt is not None and "+" not in inst.name:
        out.append(f"Known optimal makespan: {opt}.")
    out += [
        "|)",
        '(set-info :category "crafted")',
        f"(set-info :status {'sat' if bound is None else expected_status(inst.name, bound)})",
        f"(declare-fun z () {sort})",
    ]
    if bound is None:
        out.append(f"(declare-fun ms () {sort})")
    for j, ops in enumerate(inst.jobs):
        for k in range(len(ops)):
            out.append(f"(declare-fun s_{j}_{k} () {sort})")
    for j, ops in enumerate(inst.jobs):
        out.append(f"(assert (>= (- s_{j}_0 z) 0))")
        for k in range(1, len(ops)):
            out.append(f"(assert (>= (- s_{j}_{k} s_{j}_{k - 1}) {_num(ops[k - 1][1])}))")
        last = len(ops) - 1
        if bound is None:
            out.append(f"(assert (>= (- ms s_{j}_{last}) {_num(ops[last][1])}))")
        else:
            out.append(f"(assert (<= (- s_{j}_{last} z) {_num(bound - ops[last][1])}))")
    for mach in range(inst.nmachines):
        on = [(j, k, d) for j, ops in enumerate(inst.jobs)
              for k, (mm, d) in enumerate(ops) if mm == mach]
        for x in range(len(on)):
            ja, ka, da = on[x]
            for y in range(x + 1, len(on)):
                jb, kb, db = on[y]
                a, b = f"s_{ja}_{ka}", f"s_{jb}_{kb}"
                out.append(f"(assert (or (>= (- {a} {b}) {_num(db)}) (>= (- {b} {a}) {_num(da)})))")
    if bound is None:
        out += ["(minimize (- ms z))", "(check-sat)", "(get-objectives)", "(exit)"]
    else:
        out += ["(check-sat)", "(exit)"]
    return "\n".join(out) + "\n"


def file_name(name: str, bound: int, *, real: bool = False) -> str:
    return f"jobshop_{name}_b{bound}{'_rdl' if real else ''}.smt2"


def generate(name: str, bound: str | int, *, real: bool = False,
             instances: Optional[dict[str, Instance]] = None) -> tuple[str, int, str]:
    """(SMT-LIB text, resolved bound, expected status) of one instance."""
    instances = instances if instances is not None else load_instances()
    if name not in instances:
        raise KeyError(f"unknown instance {name!r} (see --list)")
    b = resolve_bound(bound, name)
    return to_smtlib(instances[name], b, real=real), b, expected_status(name, b)


def write_instances(names: Iterable[str], out_dir: os.PathLike | str, *,
                    bounds: Sequence[str | int] = ("opt", "opt-1"), real: bool = False,
                    instances: Optional[dict[str, Instance]] = None) -> list[tuple[Path, str]]:
    """Write one file per (instance, bound) into ``out_dir``; returns (path, status) pairs."""
    instances = instances if instances is not None else load_instances()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        for spec in bounds:
            text, b, status = generate(name, spec, real=real, instances=instances)
            path = out_dir / file_name(name, b, real=real)
            path.write_text(text)
            written.append((path, status))
    return written


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("instance", nargs="?", help="instance name (e.g. ft06, la01)")
    ap.add_argument("--bound", default="opt",
                    help="makespan bound: an integer, opt, opt-1, opt+K (default opt)")
    ap.add_argument("--real", action="store_true", help="QF_RDL (Real start times)")
    ap.add_argument("-o", "--output", help="output file (single instance; default stdout)")
    ap.add_argument("--instances", help="comma-separated instance names: write files to --out-dir")
    ap.add_argument("--out-dir", help=f"output folder (default {DEFAULT_OUT_DIR})")
    ap.add_argument("--both", action="store_true",
                    help="write both the opt (sat) and opt-1 (unsat) files")
    ap.add_argument("--data", help="OR-Library data file (default shared/benchmarks/data/jobshop1.txt)")
    ap.add_argument("--list", action="store_true", help="list the instances and exit")
    ap.add_argument("--optimize", action="store_true",
                    help="the optimization problem: a makespan ms, no bound, (minimize (- ms z))")
    ap.add_argument("--longer", default="",
                    help="what-if: operations J_K (comma-separated) one time unit longer")
    args = ap.parse_args(argv)

    try:
        instances = load_instances(args.data)
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    if args.list:
        for inst in instances.values():
            opt = inst.optimum
            print(f"{inst.name:8} {inst.njobs:3}x{inst.nmachines:<3} opt={opt if opt else '?':<6} "
                  f"{inst.description}")
        return 0

    names: list[str] = []
    if args.instances:
        names = [n.strip() for n in args.instances.split(",") if n.strip()]
    if args.instance:
        names.insert(0, args.instance)
    if not names:
        ap.error("give an instance name or --instances (or --list)")
    bounds: list[str | int] = ["opt", "opt-1"] if args.both else [args.bound]

    try:
        ops = [tuple(int(x) for x in t.split("_")) for t in args.longer.split(",") if t.strip()]
        if args.optimize or ops:
            if not args.optimize or args.instances or args.both:
                raise ValueError("--longer goes with --optimize, and --optimize with one instance")
            if names[0] not in instances:
                raise KeyError(f"unknown instance {names[0]!r} (see --list)")
            text = to_smtlib(longer(instances[names[0]], ops), None, real=args.real)  # type: ignore[arg-type]
            if args.output:
                Path(args.output).write_text(text)
            else:
                sys.stdout.write(text)
            return 0
        if args.instances or args.out_dir or args.both:
            written = write_instances(names, args.out_dir or DEFAULT_OUT_DIR, bounds=bounds,
                                      real=args.real, instances=instances)
            for path, status in written:
                print(f"{status:7} {path}")
            return 0
        text, _, _ = generate(names[0], args.bound, real=args.real, instances=instances)
    except (KeyError, ValueError) as e:
        print(f"error: {e.args[0] if e.args else e}", file=sys.stderr)
        return 1
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
