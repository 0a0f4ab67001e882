"""The strategy space: named ways of deciding a query, each a set of ``Config`` overrides.

A strategy overrides some rows of the options table (``config.OPTIONS``: ``encoding``,
``backend``, ``cubes``, ``share``, ``cube_level``, ...) and leaves the others as given; or
it hands the query to a lazy solver (``lazy``: ``tune/lazy.py``).  ``auto`` overrides
nothing: today's hand-written rules (``encode/auto.py``, the portfolio back end).  ``tune``
evaluates the strategies of ``SPACE`` (or those ``--space`` names) and learns which one to
take per instance; ``solve --strategy NAME`` takes one of them for every query.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..config import OPTIONS, Config
from .lazy import LAZY_SOLVERS

SPACE: dict[str, dict[str, str]] = {
    "auto": {},
    "order": {"encoding": "order"},
    "sd": {"encoding": "sd"},
    "cadical": {"backend": "cadical"},
    "kissat": {"backend": "kissat"},
    "sharing": {"cubes": "sharing"},
    "z3": {"lazy": "z3"},
    "yices": {"lazy": "yices"},
}

# What ``tune`` evaluates unless told otherwise (``sharing`` needs the CPUs to itself).
DEFAULT_SPACE = ("auto", "order", "sd", "cadical", "kissat", "z3", "yices")

# Rows a strategy may not override: limits and services are the user's, not a strategy's.
_NOT_STRATEGY = {"timeout", "check_models", "cross_check", "cross_check_timeout", "quiet",
                 "proof", "memory_limit", "memo", "ray", "jobs"}


def check_overrides(overrides: Mapping[str, Any]) -> dict[str, str]:
    """``overrides`` as a strategy's (``ValueError`` saying what is wrong): rows of the
    options table that a strategy may set, with values ``Config`` accepts, or ``lazy``
    alone."""
    if not isinstance(overrides, Mapping):
        raise ValueError(f"a strategy is an object of options, not {overrides!r}")
    out = dict(overrides)
    if "lazy" in out:
        if out["lazy"] not in LAZY_SOLVERS or len(out) > 1:
            raise ValueError(f"'lazy' is one of {', '.join(LAZY_SOLVERS)}, alone: {out!r}")
        return out
    names = {o.name for o in OPTIONS} - _NOT_STRATEGY - {"strategy"}
    for k in out:
        if k not in names:
            raise ValueError(f"{k!r} is not an option a strategy sets "
                             f"(one of {', '.join(sorted(names))}, or lazy)")
    Config(**out)  # (its own ValueError for a bad value)
    return out


def configure(config: Config, overrides: Mapping[str, str]) -> Config:
    """``config`` with a strategy's option overrides (``lazy`` is not an option)."""
    return config.replace(**{k: v for k, v in overrides.items() if k != "lazy"})


__all__ = ["DEFAULT_SPACE", "SPACE", "check_overrides", "configure"]
