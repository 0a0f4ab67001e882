"""The one-call Python API: ``solve_smtlib(text)`` and ``solve_file(path)``.

Both run the script through the SMT-LIB session (``session.Session``), as ``eagersmt solve``
does, and return the answer of its last ``check-sat`` (a script without one is decided as
if it ended with ``(check-sat)``).
"""

from __future__ import annotations

import time
from typing import Optional

from .config import Config
from .result import Result
from .session import Session
from .smtlib.parser import Script, parse, parse_file


def _run(script: Script, config: Config, parse_s: float) -> Result:
    session = Session(script, config=config)
    for _ in session.run():
        pass
    res = session.last if session.last is not None else session.check_sat()
    res.stats.times = {"parse": parse_s, **res.stats.times}
    return res


def solve_smtlib(text: str, *, config: Optional[Config] = None, filename: str | None = None) -> Result:
    """Decide an SMT-LIB script given as text: the answer of its last ``check-sat``.

    >>> r = solve_smtlib("(declare-const x Int)(assert (< 0 x 2))(check-sat)")
    >>> str(r.status), r.model
    ('sat', {'x': 1})
    """
    t0 = time.perf_counter()
    script = parse(text, filename=filename)
    return _run(script, config or Config(), time.perf_counter() - t0)


def solve_file(path: str, *, config: Optional[Config] = None) -> Result:
    """Decide the SMT-LIB file at ``path`` (see ``solve_smtlib``)."""
    t0 = time.perf_counter()
    script = parse_file(path)
    return _run(script, config or Config(), time.perf_counter() - t0)
