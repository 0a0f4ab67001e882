"""The options table (``config.OPTIONS``) as click options, for every command that solves.

Choices of the extension points are ``LiveChoice``: read from the registry at each use, so a
back end or encoding registered at run time (a plug-in, a test) is accepted and listed.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any, Callable, Optional

import click

from ..config import MAX_SECONDS, OPTIONS, Config, seconds
from .errors import EXIT_INPUT, fail

METAVARS = {"timeout": "SECONDS", "cube_timeout": "SECONDS", "cross_check_timeout": "SECONDS",
            "memory_limit": "MB", "proof": "DIR", "memo": "PATH|URL", "strategy": "FILE|NAME"}


# The one help text of --progress/--no-progress (solve, optimize): what each reports.
PROGRESS_HELP = "Report {what} on stderr (--no-progress: nothing; --quiet: the same)."


class Seconds(click.ParamType):
    """A time limit (``config.seconds``): a positive number of seconds; 'inf' or more than
    ``MAX_SECONDS`` is no limit: None, or ``MAX_SECONDS`` where a number is needed
    (``required``)."""

    name = "seconds"

    def __init__(self, required: bool = False):
        self.required = required

    def convert(self, value: Any, param: Optional[click.Parameter],
                ctx: Optional[click.Context]) -> Any:
        try:
            limit = seconds(value, "it")
        except ValueError:
            self.fail(f"{value!r} is not a positive number of seconds ('inf': no limit)",
                      param, ctx)
        return MAX_SECONDS if limit is None and self.required else limit


class LiveChoice(click.Choice):
    """A ``click.Choice`` whose choices come from a function (a registry's names)."""

    def __init__(self, names: Callable[[], tuple[str, ...]]):
        self._names = names
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        return self._names()

    @choices.setter
    def choices(self, value: Any) -> None:  # click's __init__ sets it; the names are live
        pass


def config_options(fn: Optional[Callable[..., Any]] = None, *,
                   only: Optional[tuple[str, ...]] = None,
                   help: Optional[dict[str, str]] = None) -> Any:
    """One click option per row of the options table (``only``: those rows; ``help``: a
    command's own help text for some rows).  A decorator, with or without arguments."""
    if fn is None:
        return lambda f: _add_options(f, only, help or {})
    return _add_options(fn, only, help or {})


def _add_options(fn: Callable[..., Any], only: Optional[tuple[str, ...]],
                 helps: dict[str, str]) -> Callable[..., Any]:
    for o in reversed(OPTIONS):
        if only is not None and o.name not in only:
            continue
        flag = "--" + o.name.replace("_", "-")
        text = helps.get(o.name, o.help)
        if o.type is bool:
            neg = "--no-" + o.name.replace("_", "-")
            fn = click.option(f"{flag}/{neg}", o.name, default=o.default, show_default=True,
                              help=text)(fn)
        elif o.choices is not None:
            choice = LiveChoice(o.choices) if callable(o.choices) else click.Choice(o.choices)
            fn = click.option(flag, o.name, type=choice, default=o.default,
                              show_default=True, help=text)(fn)
        elif o.name == "memo":  # --memo PATH|URL, and --no-memo for 'off'
            fn = click.option("--no-memo", "no_memo", is_flag=True,
                              help="Neither consult nor write the lemma store.")(fn)
            fn = click.option(flag, o.name, default=o.default, show_default=True, help=text,
                              metavar=METAVARS[o.name])(fn)
        elif o.name == "ray":  # --ray alone means a private local Ray; --ray ADDRESS joins one
            fn = click.option(flag, o.name, is_flag=False, flag_value="local", default=None,
                              metavar="[ADDRESS]", show_default="none: no Ray", help=text)(fn)
        else:
            kind = str(o.type)
            typ: Any = {int: int, float: float}.get(
                o.type, float if "float" in kind else int if "int" in kind else str)
            if METAVARS.get(o.name) == "SECONDS":
                typ = Seconds(required=o.default is not None)
            fn = click.option(flag, o.name, type=typ, default=o.default,
                              show_default="none" if o.default is None else True,
                              help=text, metavar=METAVARS.get(o.name))(fn)
    return fn


RAY_ADDRESS = re.compile(r"local|auto|ray://\S+|[^\s/:]+:\d+|\[[0-9A-Fa-f:.]+\]:\d+")


def make_config(kwargs: dict[str, Any]) -> Config:
    """The ``Config`` of a command's options (``UsageError`` for a bad value or combination,
    naming the options as they are written)."""
    ray = kwargs.get("ray")
    if ray is not None and not RAY_ADDRESS.fullmatch(ray):
        raise click.UsageError(f"--ray {ray}: not an address (local, auto, HOST:PORT or "
                               "ray://HOST:PORT)")
    if ray is not None and not _have("ray"):
        raise click.UsageError("--ray needs Ray: pip install 'eagersmt[cluster]'")
    proof = kwargs.get("proof")
    if proof is not None and os.path.exists(proof) and not os.path.isdir(proof):
        fail("error", f"--proof {proof}: not a directory (the certificate is a directory of "
                      "files; name a new or an existing directory)", EXIT_INPUT)
    names = {o.name for o in OPTIONS}
    if kwargs.pop("no_memo", False):
        kwargs["memo"] = "off"
    try:
        return Config(**{k: v for k, v in kwargs.items() if k in names})
    except ValueError as e:
        raise click.UsageError(option_names(str(e))) from None


def _have(module: str) -> bool:
    """Is ``module`` importable (without importing it: Ray takes a second)?"""
    import importlib.util

    if module in sys.modules:
        return sys.modules[module] is not None
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def file_after_ray(kwargs: dict[str, Any], file: Optional[str]) -> Optional[str]:
    """``solve --ray FILE``: click reads FILE as the address of ``--ray`` (it takes an
    optional value).  When FILE is missing and that value is an existing file rather than an
    address, it is the FILE, and ``--ray`` a private local Ray (``kwargs`` is updated)."""
    ray = kwargs.get("ray")
    if file is None and ray is not None and not RAY_ADDRESS.fullmatch(ray) \
            and os.path.exists(ray):
        kwargs["ray"] = "local"
        return str(ray)
    return file


def option_names(message: str) -> str:
    """``message`` with the options table's field names written as options
    (``memory_limit`` -> ``--memory-limit``)."""
    for o in sorted(OPTIONS, key=lambda o: -len(o.name)):
        message = re.sub(rf"(?<![\w-]){o.name}(?![\w-])", "--" + o.name.replace("_", "-"), message)
    return message
