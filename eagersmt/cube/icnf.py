"""The iCNF format of cube-and-conquer: a CNF plus cubes, one ``a <lits> 0`` line each.

``write_icnf`` writes ``p inccnf``, the clauses, then the cubes (march_cu's output, and what
incremental SAT solvers such as iLingeling read).  ``read_icnf`` also accepts plain DIMACS
(``p cnf V C``: no cube allowed, variables checked against V, clause count against C), a
file without header, literals spread over several lines until ``0``, comment lines
anywhere, ``a 0`` (the empty cube march_cu prints for a refuted formula) and a SATLIB-style
``%`` line ending the formula.  Malformed input raises ``ParseError`` with the line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence, TextIO

from ..encode.cnf import CNF
from ..errors import ParseError

_LITERAL = re.compile(r"-?[1-9][0-9]*")
_ZERO = re.compile(r"[+-]?0+")
_CLAUSE_LINE = re.compile(r"(?:-?[1-9][0-9]*[ \t]+)*0")  # the common case: one clause a line


@dataclass
class ICNF:
    nvars: int
    clauses: list[list[int]] = field(default_factory=list)
    cubes: list[list[int]] = field(default_factory=list)


def write_icnf(out: TextIO, cnf: CNF, cubes: Sequence[Sequence[int]],
               comments: Iterable[str] = ()) -> None:
    out.writelines(f"c {line}\n" for line in comments)
    out.write("p inccnf\n")
    out.writelines(" ".join(map(str, cl)) + " 0\n" if cl else "0\n" for cl in cnf.clauses)
    out.writelines("a " + "".join(f"{lit} " for lit in cube) + "0\n" for cube in cubes)


def read_icnf(text: str, filename: Optional[str] = None) -> ICNF:
    return _Reader(filename).read(text)


class _Reader:
    def __init__(self, filename: Optional[str]):
        self.filename = filename
        self.declared_vars: Optional[int] = None  # from ``p cnf``
        self.declared_clauses = 0
        self.header_line = 0
        self.clauses: list[list[int]] = []
        self.cubes: list[list[int]] = []
        self.pending: Optional[list[int]] = None  # literals of an unterminated clause / cube
        self.pending_is_cube = False
        self.pending_line = 0
        self.max_var = 0

    def error(self, message: str, line: int) -> ParseError:
        return ParseError(message, line=line, col=None, filename=self.filename)

    def read(self, text: str) -> ICNF:
        simple = _CLAUSE_LINE.fullmatch
        clauses = self.clauses
        for lineno, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line:
                continue
            first = line[0]
            if self.pending is None and (first == "-" or first.isdigit()) and simple(line):
                lits = list(map(int, line.split()))  # the common case: one clause a line
                lits.pop()
                if lits:
                    hi, lo = max(lits), -min(lits)
                    if (hi if hi > lo else lo) > self.max_var:
                        self.check_range(lits, lineno)
                clauses.append(lits)
            elif first == "c":
                continue
            elif first == "%":  # SATLIB: the formula ends here
                break
            elif first == "p":
                self.header(line, lineno)
            elif first == "a" and (len(line) == 1 or line[1] in " \t"):
                self.cube_start(lineno)
                self.literals(line[1:].split(), lineno)
            else:
                self.literals(line.split(), lineno)
        if self.pending is not None:
            what = "cube" if self.pending_is_cube else "clause"
            raise self.error(f"{what} not terminated by 0 at end of file", self.pending_line)
        if self.declared_vars is not None:
            if len(self.clauses) != self.declared_clauses:
                raise self.error(f"header declares {self.declared_clauses} clauses, "
                                 f"the file has {len(self.clauses)}", self.header_line)
            return ICNF(self.declared_vars, self.clauses, self.cubes)
        return ICNF(self.max_var, self.clauses, self.cubes)

    def header(self, line: str, lineno: int) -> None:
        if self.header_line:
            raise self.error(f"second header (the first is on line {self.header_line})", lineno)
        if self.clauses or self.cubes or self.pending is not None:
            raise self.error("header after clauses or cubes", lineno)
        self.header_line = lineno
        parts = line.split()
        if parts == ["p", "inccnf"]:
            return
        if len(parts) == 4 and parts[:2] == ["p", "cnf"] and all(p.isdigit() for p in parts[2:]):
            self.declared_vars, self.declared_clauses = int(parts[2]), int(parts[3])
            return
        raise self.error(f"bad header {line!r} (expected 'p inccnf' or 'p cnf VARS CLAUSES')",
                         lineno)

    def cube_start(self, lineno: int) -> None:
        if self.declared_vars is not None:
            raise self.error("cube in a plain DIMACS file (the header is 'p cnf', not "
                             "'p inccnf')", lineno)
        if self.pending is not None:
            what = "cube" if self.pending_is_cube else "clause"
            raise self.error(f"{what} of line {self.pending_line} not terminated by 0 "
                             "before this cube", lineno)
        self.pending, self.pending_is_cube, self.pending_line = [], True, lineno

    def literals(self, tokens: list[str], lineno: int) -> None:
        for tok in tokens:
            if tok == "0":
                lits = self.pending if self.pending is not None else []
                (self.cubes if self.pending_is_cube else self.clauses).append(lits)
                self.pending, self.pending_is_cube, self.pending_line = None, False, 0
            elif _LITERAL.fullmatch(tok):
                if self.pending is None:
                    self.pending, self.pending_line = [], lineno
                lit = int(tok)
                self.check_range([lit], lineno)
                self.pending.append(lit)
            elif _ZERO.fullmatch(tok):
                raise self.error(f"bad literal {tok!r}: variable 0 does not exist "
                                 "(a lone '0' ends a clause or cube)", lineno)
            else:
                raise self.error(f"bad literal {tok!r} (expected a nonzero integer, "
                                 "or 0 to end the clause)", lineno)

    def check_range(self, lits: list[int], lineno: int) -> None:
        if not lits:
            return
        m = max(map(abs, lits))
        if self.declared_vars is not None and m > self.declared_vars:
            raise self.error(f"variable {m} out of range (the header declares "
                             f"{self.declared_vars} variables)", lineno)
        if m > self.max_var:
            self.max_var = m
