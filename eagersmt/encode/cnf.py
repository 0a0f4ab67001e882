"""CNF under construction: the one place that does arithmetic on SAT variable numbers.

Clauses are flat sequences of DIMACS literals (lists, or tuples where an encoder builds
them in bulk; never mutated after being added); ``Gates`` builds Tseitin-defined
circuits on top with constant folding (``cnf.true`` is a variable fixed by a unit clause).
"""

from __future__ import annotations

from typing import Callable, Iterable, Optional, Sequence, TextIO

SCHEDULE_TUNING = "schedule"  # ``CNF.tuning`` of a job shop's compact order encoding


class CNF:
    def __init__(self) -> None:
        self.nvars = 0
        self.clauses: list[Sequence[int]] = []
        self._true = 0
        # index ranges of clauses implied by the others (lemmas that help some solvers and
        # not others: ``essential`` leaves them out; models and satisfiability are the same)
        self.redundant: list[range] = []
        # initial decision phases (``phases``), and the makers of those still to be made
        self._phases: list[int] = []
        self._phase_makers: list[Callable[[], Iterable[int]]] = []
        # the solver settings measured best on this kind of CNF, by name (each back end's
        # ``TUNINGS``: ``backends/cadical.py``, ``backends/kissat.py``); '' = their defaults
        self.tuning = ""

    @property
    def phases(self) -> list[int]:
        """Initial decision phases, a hint (literals a good assignment likely has: a list
        schedule's, ``listsched.hint``); solvers that accept phases start from them.  Those
        of ``defer_phases`` are made on the first read."""
        if self._phase_makers:
            makers, self._phase_makers = self._phase_makers, []
            for make in makers:
                self._phases.extend(make())
        return self._phases

    def defer_phases(self, make: Callable[[], Iterable[int]]) -> None:
        """Phases that ``make()`` returns, made when ``phases`` is first read: a solver reads
        them once its clauses are going in on a thread (``backends/pysat.py``), so their
        making overlaps that load.  ``make`` reads only what the encoding no longer changes."""
        self._phase_makers.append(make)

    def __getstate__(self) -> dict:
        self.phases  # (made before pickling: a maker is a closure)
        return self.__dict__

    def new_var(self) -> int:
        self.nvars += 1
        return self.nvars

    def new_vars(self, n: int) -> range:
        first = self.nvars + 1
        self.nvars += n
        return range(first, first + n)

    @property
    def true(self) -> int:
        """A literal that is always true (allocated on first use)."""
        if not self._true:
            self._true = self.new_var()
            self.clauses.append([self._true])
        return self._true

    def add(self, clause: Sequence[int]) -> None:
        self.clauses.append(clause)

    def extend(self, clauses: Iterable[Sequence[int]]) -> None:
        self.clauses.extend(clauses)

    def essential(self) -> list[Sequence[int]]:
        """The clauses without the ``redundant`` ranges."""
        if not self.redundant:
            return self.clauses
        skip = sorted(self.redundant, key=lambda r: r.start)
        out: list[Sequence[int]] = []
        at = 0
        for r in skip:
            out.extend(self.clauses[at:r.start])
            at = max(at, r.stop)
        out.extend(self.clauses[at:])
        return out

    def write_dimacs(self, out: TextIO, comments: Iterable[str] = ()) -> None:
        for line in comments:
            out.write(f"c {line}\n")
        out.write(f"p cnf {self.nvars} {len(self.clauses)}\n")
        out.writelines(" ".join(map(str, cl)) + " 0\n" for cl in self.clauses)


class Gates:
    """Tseitin gates with full equivalence and constant folding over ``cnf.true``.

    Every new gate is made by ``gate`` (the folding methods below decide when one is
    needed); ``record``, when given, is a list that gets ``(output, kind, inputs)`` of each
    new gate in the order they are made: a certificate's statement of what they mean
    (``sd.SDDecoder``).  Kinds: ``and`` (both inputs), ``xor`` (the parity of two or three),
    ``maj`` (at least two of three)."""

    def __init__(self, cnf: CNF, record: Optional[list[tuple[int, str, tuple[int, ...]]]] = None):
        self.cnf = cnf
        self.T = cnf.true
        self.record = record

    def gate(self, kind: str, inputs: tuple[int, ...]) -> int:
        """A new variable defined as ``kind`` of ``inputs`` (no folding)."""
        g = self.cnf.new_var()
        if self.record is not None:
            self.record.append((g, kind, inputs))
        if kind == "and":
            a, b = inputs
            self.cnf.extend(([-g, a], [-g, b], [g, -a, -b]))
        elif kind == "xor" and len(inputs) == 2:
            a, b = inputs
            self.cnf.extend(([-g, a, b], [-g, -a, -b], [g, -a, b], [g, a, -b]))
        elif kind == "xor":
            a, b, c = inputs
            self.cnf.extend((
                [-g, a, b, c], [-g, a, -b, -c], [-g, -a, b, -c], [-g, -a, -b, c],
                [g, -a, -b, -c], [g, -a, b, c], [g, a, -b, c], [g, a, b, -c],
            ))
        else:
            a, b, c = inputs
            self.cnf.extend(([-g, a, b], [-g, a, c], [-g, b, c], [g, -a, -b], [g, -a, -c],
                             [g, -b, -c]))
        return g

    def and2(self, a: int, b: int) -> int:
        T = self.T
        if a == -T or b == -T or a == -b:
            return -T
        if a == T or a == b:
            return b
        if b == T:
            return a
        return self.gate("and", (a, b))

    def or2(self, a: int, b: int) -> int:
        return -self.and2(-a, -b)

    def xor2(self, a: int, b: int) -> int:
        T = self.T
        if a == T:
            return -b
        if a == -T:
            return b
        if b == T:
            return -a
        if b == -T:
            return a
        if a == b:
            return -T
        if a == -b:
            return T
        return self.gate("xor", (a, b))

    def xor3(self, a: int, b: int, c: int) -> int:
        T = self.T
        if abs(a) == T or abs(b) == T or abs(c) == T or len({abs(a), abs(b), abs(c)}) < 3:
            return self.xor2(self.xor2(a, b), c)
        return self.gate("xor", (a, b, c))

    def maj(self, a: int, b: int, c: int) -> int:
        T = self.T
        for x, y, z in ((a, b, c), (b, c, a), (c, a, b)):
            if x == T:
                return self.or2(y, z)
            if x == -T:
                return self.and2(y, z)
            if x == y:
                return x
            if x == -y:
                return z
        return self.gate("maj", (a, b, c))
