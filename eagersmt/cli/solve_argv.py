"""``eagersmt solve``'s arguments read without click, for the common case.

Idea: importing click is a large part of a small file's run (``benchmarks/RESULTS.md``,
"Start-up"), and ``solve FILE [OPTIONS]`` needs none of it.  ``read`` accepts only argument
lists whose meaning is certain -- one FILE (not ``-``), options of the options table
(``config.OPTIONS``) written ``--name VALUE``, ``--name=VALUE`` or as flags, ``--stats``,
``--progress``/``--no-progress`` -- and returns the keyword arguments click would pass to
``solve.solve_cmd``; anything else (help, ``--interactive``, ``--ray``, ``--proof``, an
unknown option, a value click would refuse or that ``Config`` rejects) is None, and the click
command reads it from scratch with its own messages.  ``tests/test_cli_argv.py`` checks
that both read the same.  Cost: one pass over the arguments.
"""

from __future__ import annotations

import errno
import os
import sys
import warnings
from typing import Any, Optional

from ..config import MAX_SECONDS, OPTIONS, Config, seconds

# Options the click command alone reads: --ray (an optional value), --proof (checked against
# the file system first), --interactive/-in (standard input); and its help.
_DECLINED = {"--ray", "--proof", "--interactive", "-in", "-h", "--help", "--"}
_SECONDS = {"timeout", "cube_timeout", "cross_check_timeout"}  # (``options.METAVARS``)


def _converter(o: Any) -> Any:
    """The function that turns the text of option ``o`` into its value as click's type does
    (``ValueError``: click would refuse it)."""
    if o.name in _SECONDS:
        required = o.default is not None

        def limit(text: str) -> Any:
            value = seconds(text, "it")
            return MAX_SECONDS if value is None and required else value
        return limit
    if o.choices is not None:
        def choice(text: str) -> str:
            if text not in o.choice_names():
                raise ValueError(text)
            return text
        return choice
    kind = str(o.type)
    if o.type is int or "int" in kind:
        return int
    if o.type is float or "float" in kind:
        return float
    return str


def _table() -> tuple[dict[str, tuple[str, Any]], dict[str, tuple[str, Any]]]:
    """(flag -> (keyword, value)), (option taking a value -> (keyword, converter))."""
    flags: dict[str, tuple[str, Any]] = {"--stats": ("stats", True), "--progress": ("progress", True),
                                         "--no-progress": ("progress", False),
                                         "--no-memo": ("no_memo", True)}
    valued: dict[str, tuple[str, Any]] = {}
    for o in OPTIONS:
        flag = "--" + o.name.replace("_", "-")
        if o.type is bool:
            flags[flag] = (o.name, True)
            flags["--no-" + o.name.replace("_", "-")] = (o.name, False)
        elif flag not in _DECLINED:
            valued[flag] = (o.name, _converter(o))
    return flags, valued


def read(argv: list[str]) -> Optional[dict[str, Any]]:
    """The keyword arguments of ``solve_cmd`` for ``argv`` (what follows ``solve``), with
    ``config`` (the ``Config``) in place of the options table's; None: leave it to click."""
    flags, valued = _table()
    kwargs: dict[str, Any] = {"file": None, "interactive": False, "stats": False,
                              "progress": None, "no_memo": False}
    for o in OPTIONS:
        kwargs[o.name] = o.default
    kwargs["cross_check_timeout"] = _converter(next(
        o for o in OPTIONS if o.name == "cross_check_timeout"))(kwargs["cross_check_timeout"])
    i = 0
    while i < len(argv):
        word = argv[i]
        i += 1
        if not word.startswith("-"):
            if kwargs["file"] is not None:
                return None  # (click: an unexpected extra argument)
            kwargs["file"] = word
            continue
        name, eq, text = word.partition("=")
        if name in flags and not eq:
            key, value = flags[name]
            kwargs[key] = value
        elif name in valued:
            if not eq:
                if i >= len(argv) or argv[i].startswith("-"):
                    return None
                text = argv[i]
                i += 1
            key, convert = valued[name]
            try:
                kwargs[key] = convert(text)
            except (TypeError, ValueError):
                return None
        else:
            return None
    if kwargs["file"] in (None, "-"):
        return None
    names = {o.name for o in OPTIONS}
    if kwargs.pop("no_memo"):
        kwargs["memo"] = "off"
    try:
        config = Config(**{k: kwargs.pop(k) for k in names})
    except ValueError:
        return None
    kwargs["config"] = config
    return kwargs


def run_solve(args: dict[str, Any]) -> None:
    """Run ``solve`` with ``read``'s arguments as the click group runs a command: under
    ``errors.interrupts``, library warnings as ``warning:`` lines; a broken stdout pipe and
    end of input end it as click's standalone mode does (exit 1)."""
    from .errors import echo, interrupts, show_warning
    from .script import solve

    warnings.showwarning = show_warning
    try:
        with interrupts():
            solve(args["file"], args["config"], stats=args["stats"], progress=args["progress"],
                  interactive=False)
    except EOFError:
        echo("", err=True)
        echo("Aborted!", err=True)
        sys.exit(1)
    except OSError as e:
        if e.errno != errno.EPIPE:
            raise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush
        sys.exit(1)
