"""``Solver``: the incremental Python API for embedding eagersmt.

Assertions come as SMT-LIB text, builder terms (``eagersmt.builder``), pysmt formulas or Z3
expressions.  The assertion stack and ``check()`` are the SMT-LIB session's
(``context.Context``): the same implementation as ``eagersmt solve`` and its interactive
mode, and every ``sat`` model is checked on the assertions before it is returned.

>>> from eagersmt import Solver, Int, Status
>>> x, y = Int("x"), Int("y")
>>> with Solver() as s:
...     s.add(x - y <= 3, y >= 0)
...     s.add("(assert (> x 10))")          # SMT-LIB text sees the same symbols
...     s.check()
...     m = s.model()
...     m[x] - m["y"] <= 3, m[x] > 10
...     s.push()
...     s.add(y < 0)
...     s.check()
...     s.pop()
...     s.minimize(x)
<Status.SAT: 'sat'>
(True, True)
<Status.UNSAT: 'unsat'>
Optimum(minimize x = 11, proven)

Cost: the first ``check()`` costs what ``solve_smtlib`` costs on the same assertions.
After it, or once ``push`` or assumptions are used, one encoding and one in-process
CaDiCaL are kept: an assertion added since the last ``check()`` is encoded into them when
that is sound, under a guard literal of its ``push`` level (``eagersmt/core/guarded.py``),
and ``pop`` switches its guard off; the encoding is rebuilt only when an assertion does not
fit it (a new integer variable, say).  ``unsat_core()`` names the assumptions a failed
``check(...)`` needed.  ``minimize``/``maximize`` keep one encoding and one incremental SAT
solver for the whole search (``eagersmt/optimize``).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence, Union

from .builder import Expr, Function, to_term
from .config import Config
from .context import Context
from .errors import EagerSmtError, InputError, UnsupportedError
from .compile import normalize_assertions
from .ir.terms import BOOL, Term, TermManager
from .optimize import Objective, Optimum, Progress, optimize
from .result import Result, Status

Value = Union[int, bool, Fraction]

__all__ = ["Model", "NoModelError", "Solver"]

class NoModelError(EagerSmtError):
    """``model()`` was asked for when the last answer was not ``sat``."""


class Model(Mapping[str, Value]):
    """Values of a ``sat`` answer: Python ``int`` / ``bool`` / ``Fraction`` by name.

    Keys are names (``m["x"]``) or terms (``m[x]``); a compound term is evaluated
    (``m[x - y]``).  Iteration gives the declared names.
    """

    def __init__(self, values: Mapping[str, Value], solver: "Solver"):
        self._values = dict(values)
        self._solver = solver

    def __getitem__(self, key: object) -> Value:
        if isinstance(key, str):
            return self._values[key]
        if isinstance(key, Expr) and key.op == "var":
            return self._values[key.val]  # type: ignore[index]
        if isinstance(key, Term) and key.op == "var":
            return self._values[key.val]  # type: ignore[index]
        if isinstance(key, Function):  # its table (``ir/ackermann.FunctionValue``)
            return self._values[key.name]
        return self.eval(key)

    def eval(self, item: Any) -> Value:
        """Value of any term (builder, eagersmt, pysmt, or SMT-LIB text) under this model."""
        from .check.model import evaluate
        from .ir.ackermann import with_unapplied

        (t,) = self._solver._terms_of(item, declare=False)
        return evaluate([t], with_unapplied([t], self._values))[0]  # type: ignore[return-value]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Model({self._values!r})"


class Solver:
    """An incremental eagersmt solver (see the module doc for an example).

    ``config`` is a ``Config``; keyword ``options`` override its fields
    (``Solver(encoding="order", timeout=10)``).
    """

    def __init__(self, config: Optional[Config] = None, **options: Any):
        self.config: Config = (config or Config()).replace(**options)
        self.terms = TermManager()
        self._symbols: dict[str, Term] = {}
        self._functions: dict = {}
        self._context = Context(self.config, terms=self.terms)
        self._snapshots: list[tuple[dict, dict]] = []  # symbol tables at each push
        self._last: Optional[Result] = None
        self._assumed: list[Any] = []  # the assumptions of the last check, as given
        self._optimum: Optional[Optimum] = None
        self._counts = {"checks": 0, "optimizations": 0}

    # -- context manager ---------------------------------------------------------------
    def __enter__(self) -> "Solver":
        return self

    def __exit__(self, *exc: object) -> None:
        self.reset()

    # -- assertions --------------------------------------------------------------------
    @property
    def assertions(self) -> list[Term]:
        return self._context.terms()

    @property
    def declarations(self) -> list[Term]:
        return list(self._context.declared)

    def add(self, *items: Any) -> None:
        """Assert each item: SMT-LIB text (declarations, definitions, assertions), a builder
        term, an eagersmt ``Term``, a pysmt formula, a Z3 expression, or a list of those.

        Bad text raises ``ParseError``/``UnsupportedError`` with its line and column; an
        atom outside difference logic is reported here, not at ``check()``.
        """
        for item in items:
            for t in self._terms_of(item, declare=True, text_asserts=True):
                if t.sort != BOOL:
                    raise TypeError(f"an assertion must be Bool, got a {t.sort} term {t!r}")
                self._context.add(t)

    def add_z3(self, expr_or_solver: Any) -> None:
        """Assert Z3 expressions (or all assertions of a ``z3.Solver``), via their SMT-LIB text."""
        from .interop.z3 import z3_to_smtlib

        self.add(z3_to_smtlib(expr_or_solver, self._symbols))

    def push(self) -> None:
        """Open a level; ``pop`` removes what was added (and declared) since."""
        self._context.push()
        self._snapshots.append((dict(self._symbols), dict(self._functions)))

    def pop(self, n: int = 1) -> None:
        if n < 0 or n > len(self._snapshots):
            raise ValueError(f"cannot pop {n} level(s): {len(self._snapshots)} pushed")
        self._context.pop(n)
        for _ in range(n):
            symbols, functions = self._snapshots.pop()
        if n:
            self._symbols.clear()
            self._symbols.update(symbols)
            self._functions.clear()
            self._functions.update(functions)
        self._last = None

    def reset(self) -> None:
        """Forget every assertion, declaration and answer."""
        self._context.close()
        self.__init__(self.config)  # type: ignore[misc]

    # -- solving -----------------------------------------------------------------------
    def check(self, *args: Any, timeout: Optional[float] = None,
              assumptions: Iterable[Any] = ()) -> Status:
        """Decide the assertions and, for this call only, the Bool assumptions (given as
        arguments, ``check(p, q)``, or ``check(assumptions=[p, q])``)."""
        if len(args) == 1 and isinstance(args[0], (list, tuple)):
            args = tuple(args[0])
        assumptions = tuple(args) + tuple(assumptions)
        extra, self._assumed = [], []
        for a in assumptions:
            for t in self._terms_of(a, declare=True):
                if t.sort != BOOL:
                    raise TypeError(f"an assumption must be Bool, got a {t.sort} term {t!r}")
                extra.append(t)
                self._assumed.append(a)
        ctx = self._context
        if timeout is not None:
            ctx.config = self.config.replace(timeout=timeout)
        try:
            self._last = ctx.check(extra)
        finally:
            ctx.config = self.config
        self._optimum = None
        self._counts["checks"] += 1
        return self._last.status

    def unsat_core(self) -> list[Any]:
        """The assumptions (as given to ``check``) that the last ``unsat`` answer needed: the
        assertions with those assumptions are unsat.  ``[]`` when the assertions alone are."""
        if self._last is None or self._last.status != Status.UNSAT:
            raise NoModelError("no unsat core: the last check() did not answer unsat")
        failed = self._context.failed
        if failed is None:  # a check that ran one-shot (--cubes, ...): every assumption
            return list(self._assumed)
        return [self._assumed[i] for i in failed]

    def model(self) -> Model:
        """The model of the last ``sat`` answer (or of the last optimum)."""
        if self._last is None or self._last.status != Status.SAT:
            raise NoModelError("no model: the last check() did not answer sat")
        return Model(self._last.model, self)

    def minimize(self, term: Any, *, timeout: Optional[float] = None,
                 progress: Optional[Callable[[Progress], None]] = None) -> Optimum:
        """Minimize an Int term in difference form (``x``, ``x - y``, plus a constant).

        Returns an ``Optimum`` (``value``, ``proven``, ``bound``, ``model``); afterwards
        ``model()`` is the optimum's model.  ``progress`` is called with each improvement;
        on ``timeout`` the best model so far is returned with ``proven=False``.
        """
        return self._optimize(term, False, timeout, progress)

    def maximize(self, term: Any, *, timeout: Optional[float] = None,
                 progress: Optional[Callable[[Progress], None]] = None) -> Optimum:
        """Maximize an Int term in difference form (see ``minimize``)."""
        return self._optimize(term, True, timeout, progress)

    def _optimize(self, term: Any, maximize: bool, timeout: Optional[float],
                  progress: Optional[Callable[[Progress], None]]) -> Optimum:
        (t,) = self._terms_of(term, declare=True)
        cfg = self.config if timeout is None else self.config.replace(timeout=timeout)
        obj = Objective(t, maximize, repr(t))
        opt = optimize(self.assertions, self.declarations, obj, config=cfg, progress=progress,
                       terms=self.terms)
        self._optimum = opt
        self._last = Result(opt.status, opt.model if opt.status == Status.SAT else {}, opt.stats,
                            opt.reason)
        self._counts["optimizations"] += 1
        return opt

    def statistics(self) -> dict[str, object]:
        """Stage times, sizes and counters of the last answer, plus this solver's totals."""
        out: dict[str, object] = dict(self._counts)
        out.update(assertions=len(self.assertions), scopes=self._context.levels)
        if self._last is not None:
            out.update(self._last.stats.as_dict())
        return out

    # -- conversion --------------------------------------------------------------------
    def _terms_of(self, item: Any, *, declare: bool, text_asserts: bool = False) -> list[Term]:
        """Terms of one item (see ``add``).  Text: with ``text_asserts`` a script whose
        assertions are returned; else a single term."""
        if isinstance(item, Term):
            return [item]
        if isinstance(item, Expr):
            declared: list[Term] = []
            symbols = self._symbols if declare else dict(self._symbols)
            functions = self._functions if declare else dict(self._functions)
            t = to_term(item, self.terms, symbols, declared, functions)
            if declare:
                for v in declared:
                    self._context.declare(v)
            if t.sort == BOOL:
                self._check_supported([t], {})
            return [t]
        if isinstance(item, str):
            return self._parse_script(item) if text_asserts else self._parse_term(item)
        if isinstance(item, bool):
            raise TypeError("got a Python bool: '==' on terms is structural equality in "
                            "eagersmt; write Eq(x, y) (or x.eq(y)) for the constraint x = y")
        mod = type(item).__module__
        if mod.startswith("pysmt"):
            from .interop.pysmt_text import pysmt_to_smtlib

            return self._parse_script(pysmt_to_smtlib(item, self._symbols.keys()
                                                      | self._functions.keys()))
        if mod.startswith("z3"):
            from .interop.z3 import z3_to_smtlib

            return self._parse_script(z3_to_smtlib(item, self._symbols))
        if isinstance(item, Iterable):
            return [t for x in item for t in self._terms_of(x, declare=declare,
                                                            text_asserts=text_asserts)]
        raise TypeError(f"cannot add a {type(item).__name__}: give SMT-LIB text, a term "
                        "(eagersmt.Int(...) etc.), a pysmt formula or a Z3 expression")

    def _parse_script(self, text: str, *, filename: Optional[str] = None) -> list[Term]:
        """Terms of a script: its assertions (and ``get-value`` terms, how the interop
        modules pass a non-Bool term), in order; declarations are kept for later calls."""
        from .smtlib.parser import parse

        symbols, functions = dict(self._symbols), dict(self._functions)
        script = parse(text, terms=self.terms, filename=filename, symbols=symbols,
                       functions=functions)
        out: list[Term] = []
        for cmd in script.commands:
            if cmd.name == "assert":
                out.append(cmd.args[0])
            elif cmd.name == "get-value":
                out.extend(cmd.args[0])
            elif cmd.name in ("minimize", "maximize", "push", "pop", "reset",
                              "reset-assertions"):
                method = {"reset-assertions": "reset"}.get(cmd.name, cmd.name)
                raise UnsupportedError(f"({cmd.name} ...) in Solver.add: call "
                                       f"Solver.{method}(...) instead",
                                       cmd.pos).locate(text, filename)
        try:
            self._check_supported([t for t in out if t.sort == BOOL], script.atom_pos)
        except InputError as e:
            raise e.locate(text, filename)
        self._symbols.clear()
        self._symbols.update(symbols)
        self._functions.clear()
        self._functions.update(functions)
        for v in script.declarations:
            self._context.declare(v)
        return out

    def _parse_term(self, text: str) -> list[Term]:
        """One term written in SMT-LIB over the declared symbols (assumptions, objectives)."""
        from .smtlib.parser import parse

        script = parse(f"(get-value ({text}))", terms=self.terms, symbols=dict(self._symbols),
                       functions=dict(self._functions))
        (cmd,) = script.commands
        return list(cmd.args[0])

    @staticmethod
    def _check_supported(assertions: Sequence[Term], positions: Mapping[Term, int]) -> None:
        """Report an unsupported atom (non-linear, linear over the reals) now, where it was
        given."""
        if assertions:
            normalize_assertions(list(assertions), positions=positions, substitute=False)

