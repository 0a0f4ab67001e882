"""The one-call Python API: ``solve_smtlib(text)`` and ``solve_file(path)``.

Both run the script through the SMT-LIB session (``session.Session``), as ``eagersmt solve``
does, and return the answer of its last ``check-sat`` (a script without one is decided as
if it ended with ``(check-sat)``).  Bad input raises ``ParseError`` / ``UnsupportedError``
with its line and column; a command eagersmt does not implement (``declare-sort``, ...) is
skipped, as ``solve`` answers it with ``(error ...)`` and goes on.
"""

from __future__ import annotations

from typing import Optional

from .config import Config
from .result import Result
from .session import Session


def _run(text: str, config: Config, filename: Optional[str]) -> Result:
    session = Session(config=config, filename=filename)
    try:
        for _ in session.run_text(text):
            pass
        res = session.last if session.last is not None else session.check_sat()
    finally:
        session.close()
    res.stats.times = {"parse": session.parse_s, **res.stats.times}
    return res


def solve_smtlib(text: str, *, config: Optional[Config] = None, filename: str | None = None) -> Result:
    """Decide an SMT-LIB script given as text: the answer of its last ``check-sat``.

    >>> r = solve_smtlib("(declare-const x Int)(assert (< 0 x 2))(check-sat)")
    >>> str(r.status), r.model
    ('sat', {'x': 1})
    """
    return _run(text, config or Config(), filename)


def solve_file(path: str, *, config: Optional[Config] = None) -> Result:
    """Decide the SMT-LIB file at ``path`` (see ``solve_smtlib``)."""
    from .smtlib.parser import read_source

    return _run(read_source(path), config or Config(), path)
