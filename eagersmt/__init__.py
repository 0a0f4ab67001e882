"""eagersmt: SMT over integer difference logic by eager reduction to SAT."""

__version__ = "0.1.0"

from .api import solve_file, solve_smtlib  # noqa: E402
from .config import Config  # noqa: E402
from .errors import (  # noqa: E402
    CrossCheckError, EagerSmtError, InputError, InternalError, ParseError, UnsupportedError,
)
from .result import Result, Stats, Status  # noqa: E402

__all__ = [
    "Config", "CrossCheckError", "EagerSmtError", "InputError", "InternalError", "ParseError",
    "Result", "Stats", "Status", "UnsupportedError", "solve_file", "solve_smtlib", "__version__",
]
