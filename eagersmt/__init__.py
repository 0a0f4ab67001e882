"""eagersmt: SMT over the integers (difference logic, linear arithmetic, uninterpreted
functions) by eager reduction to SAT.

One call: ``solve_smtlib(text)`` / ``solve_file(path)``.  Embedding: ``Solver`` with the
term builder (``Int``, ``Bool``, ``Real``, ``And``, ``Or``, ``Not``, ``Implies``, ``Ite``,
``Eq``, ``Distinct``, ``Div``, ``Mod``, ``Abs``, ``Function``), ``Solver.minimize`` / ``maximize``.  Interop (imported on use):
``eagersmt.interop.pysmt.register()``, ``eagersmt.interop.z3.from_z3``.
"""

from __future__ import annotations

__version__ = "0.1.0"

TYPE_CHECKING = False  # (typing's, read by type checkers: ``import eagersmt`` imports no typing)

from .errors import (
    CrossCheckError, EagerSmtError, InputError, InternalError, ParseError, UnsupportedError,
)

# The rest loads on first use (PEP 562): ``import eagersmt`` (and ``eagersmt --version``)
# loads no registry, and ``eagersmt solve`` on an easy instance does not pay for the SAT back
# ends, the builder and the optimizer before it needs them.
_LAZY = {
    "Config": "config", "Result": "result", "Stats": "result", "Status": "result",
    "solve_file": "api", "solve_smtlib": "api",
    "Objective": "optimize", "Optimum": "optimize", "Progress": "optimize",
    "Model": "solver", "NoModelError": "solver", "Solver": "solver",
    **{name: "builder" for name in (
        "Abs", "And", "Bool", "Bools", "BoolVal", "Distinct", "Div", "Eq", "Expr", "Function",
        "If", "Implies", "Int", "Ints", "IntVal", "Ite", "Mod", "Not", "Or", "Real", "Reals",
        "RealVal", "Sum", "Xor")},
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'eagersmt' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))  # (a loaded name is in both)


if TYPE_CHECKING:
    from typing import Any

    from .api import solve_file, solve_smtlib
    from .config import Config
    from .result import Result, Stats, Status
    from .builder import (
        Abs, And, Bool, Bools, BoolVal, Distinct, Div, Eq, Expr, Function, If, Implies, Int, Ints,
        IntVal, Ite, Mod, Not, Or, Real, Reals, RealVal, Sum, Xor,
    )
    from .optimize import Objective, Optimum, Progress
    from .solver import Model, NoModelError, Solver

__all__ = [
    "Abs", "And", "Bool", "BoolVal", "Bools", "Config", "CrossCheckError", "Distinct", "Div",
    "EagerSmtError", "Eq", "Expr", "Function", "If", "Implies", "InputError", "Int", "IntVal",
    "Ints", "InternalError", "Ite", "Mod", "Model", "NoModelError", "Not", "Objective", "Optimum", "Or", "ParseError", "Progress", "Real",
    "RealVal", "Reals", "Result", "Solver", "Stats", "Status", "Sum", "UnsupportedError", "Xor",
    "solve_file", "solve_smtlib", "__version__",
]
