"""The one-call Python API: ``solve_smtlib(text)`` and ``solve_file(path)``."""

from __future__ import annotations

import time
from typing import Optional

from .config import Config
from .errors import InputError
from .engine import Session, solve_assertions
from .result import Result
from .smtlib.parser import Script, parse, parse_file


def _solve_script(script: Script, config: Config, parse_s: float) -> Result:
    if any(c.name == "check-sat" for c in script.commands):
        session = Session(script, config=config)
        for _ in session.run():
            pass
        res = session.results[-1]
    else:
        try:
            res = solve_assertions(script.assertions, script.declarations, config=config,
                                   positions=script.atom_pos)
        except InputError as e:
            raise script.locate(e)
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
    return _solve_script(script, config or Config(), time.perf_counter() - t0)


def solve_file(path: str, *, config: Optional[Config] = None) -> Result:
    """Decide the SMT-LIB file at ``path`` (see ``solve_smtlib``)."""
    t0 = time.perf_counter()
    script = parse_file(path)
    return _solve_script(script, config or Config(), time.perf_counter() - t0)
