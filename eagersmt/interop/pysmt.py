"""eagersmt as a pysmt solver (pysmt formulas as SMT-LIB text: ``pysmt_text.py``).

``register(env=None)`` adds ``"eagersmt"`` to the solver table of a pysmt environment's
factory (``env.factory``; the global environment by default), the dict pysmt itself fills
with ``z3``, ``msat``, ... when their bindings import.  pysmt's own shortcuts then find it:

>>> from pysmt.shortcuts import And, GE, Int, LE, Minus, Solver, Symbol, get_model, is_sat
>>> from pysmt.typing import INT
>>> import eagersmt.interop.pysmt
>>> eagersmt.interop.pysmt.register()          # once per pysmt environment; idempotent
>>> x, y = Symbol("x", INT), Symbol("y", INT)
>>> f = And(LE(Minus(x, y), Int(-2)), GE(x, Int(0)))
>>> is_sat(f, solver_name="eagersmt")
True
>>> with Solver(name="eagersmt", logic="QF_IDL") as s:
...     s.add_assertion(f)
...     s.solve()
...     s.get_py_value(y) - s.get_py_value(x) >= 2
True
True

Registration is explicit (call ``register``): ``import eagersmt`` does not import pysmt, and
pysmt builds its solver table when an environment is created, before any plug-in could add
itself.  The solver accepts QF_IDL / QF_RDL, QF_LIA, QF_UFLIA / QF_UFIDL / QF_UF
(uninterpreted functions over Bool and Int: ``get_value`` of an application asks eagersmt's
model, pysmt's ``EagerModel`` holds the constants only) and the difference-logic part of
QF_LRA (an atom outside it raises ``eagersmt.UnsupportedError`` at ``add_assertion``); it
declares QF_LIRA and QF_UFLIRA too, so that ``Solver(name="eagersmt")`` needs no
``logic=`` (Int and Real mixed in one problem are refused).  Options:
``Solver(name="eagersmt", solver_options={"encoding": "order", "timeout": 10})`` sets
``eagersmt.Config`` fields.  ``push``/``pop`` and ``solve`` run on ``eagersmt.Solver``, so
the encoding is kept between calls (see there).  pysmt can also drive ``eagersmt solve
--interactive`` as an external solver over a pipe (``pysmt.smtlib.solver.SmtLibSolver``).
"""

from __future__ import annotations

from typing import Any, Optional

from pysmt.exceptions import SolverReturnedUnknownResultError
from pysmt.logics import (
    QF_BOOL, QF_IDL, QF_LIA, QF_LIRA, QF_LRA, QF_RDL, QF_UF, QF_UFIDL, QF_UFLIA, QF_UFLIRA,
)
from pysmt.solvers.eager import EagerModel
from pysmt.solvers.solver import IncrementalTrackingSolver

NAME = "eagersmt"


def register(env: Any = None) -> None:
    """Make ``"eagersmt"`` a solver name of pysmt environment ``env`` (default: global)."""
    if env is None:
        from pysmt.environment import get_env

        env = get_env()
    factory = env.factory
    if NAME in factory._all_solvers:
        return
    factory._all_solvers[NAME] = EagerSmtPysmtSolver
    if NAME not in factory.solver_preference_list:
        factory.solver_preference_list.append(NAME)  # last: never chosen by default


class EagerSmtPysmtSolver(IncrementalTrackingSolver):
    """pysmt ``Solver`` backed by ``eagersmt.Solver`` (models: ``EagerModel``)."""

    # QF_UFLIRA last: pysmt's Solver(name="eagersmt") without a logic picks the most generic
    # one of the list, which must cover all the others; a formula outside what eagersmt
    # decides (linear over the reals, Int and Real mixed, functions over Real) is refused
    # where it is added (UnsupportedError)
    LOGICS = [QF_BOOL, QF_UF, QF_IDL, QF_UFIDL, QF_RDL, QF_LIA, QF_UFLIA, QF_LRA, QF_LIRA,
              QF_UFLIRA]

    def __init__(self, environment: Any, logic: Any, **options: Any):
        IncrementalTrackingSolver.__init__(self, environment, logic, **options)
        from ..solver import Solver as EagerSolver

        self._solver = EagerSolver(**dict(self.options.solver_options))
        self._symbols: list[set] = [set()]
        self._model: Optional[EagerModel] = None

    def _add_assertion(self, formula: Any, named: Any = None) -> Any:
        self._assert_is_boolean(formula)
        self._solver.add(formula)
        self._symbols[-1].update(formula.get_free_variables())
        return formula

    def _solve(self, assumptions: Any = None) -> bool:
        from ..result import Status

        assumptions = list(assumptions or ())
        st = self._solver.check(*assumptions)
        self._model = None
        if st == Status.UNKNOWN:
            raise SolverReturnedUnknownResultError()
        if st == Status.SAT:
            symbols = set().union(*self._symbols)
            for a in assumptions:
                symbols.update(a.get_free_variables())
            self._model = self._make_model(symbols)
        return st == Status.SAT

    def _make_model(self, symbols: set) -> EagerModel:
        mgr = self.environment.formula_manager
        values = self._solver.model()
        assignment = {}
        for s in symbols:
            t = s.symbol_type()
            if t.is_function_type():
                continue  # (a table: get_value of an application asks eagersmt's model)
            v = values[s.symbol_name()]
            assignment[s] = mgr.Bool(bool(v)) if t.is_bool_type() else \
                mgr.Int(int(v)) if t.is_int_type() else mgr.Real(v)
        return EagerModel(assignment=assignment, environment=self.environment)

    def get_model(self) -> EagerModel:
        if self._model is None:
            from ..solver import NoModelError

            raise NoModelError("no model: the last solve() did not answer sat")
        return self._model

    def get_value(self, item: Any) -> Any:
        self._assert_no_function_type(item)
        model = self.get_model()  # (raises when there is none)
        if not any(n.is_function_application() for n in _nodes(item)):
            return model.get_value(item)
        mgr = self.environment.formula_manager
        v = self._solver.model().eval(item)
        t = item.get_type()
        return mgr.Bool(bool(v)) if t.is_bool_type() else mgr.Int(int(v))  # type: ignore[arg-type]

    def _push(self, levels: int = 1) -> None:
        for _ in range(levels):
            self._solver.push()
            self._symbols.append(set())

    def _pop(self, levels: int = 1) -> None:
        self._solver.pop(levels)
        del self._symbols[len(self._symbols) - levels:]
        self._model = None

    def _reset_assertions(self) -> None:
        self._solver.reset()
        self._symbols = [set()]
        self._model = None

    def _exit(self) -> None:
        self._model = None


def _nodes(formula: Any) -> list:
    """The nodes of a pysmt formula (its DAG, each once)."""
    seen, stack, out = set(), [formula], []
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        out.append(n)
        stack.extend(n.args())
    return out
