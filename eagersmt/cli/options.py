"""The options table (``config.OPTIONS``) as click options, for every command that solves.

Choices of the extension points are ``LiveChoice``: read from the registry at each use, so a
back end or encoding registered at run time (a plug-in, a test) is accepted and listed.
"""

from __future__ import annotations

from typing import Any, Callable

import click

from ..config import OPTIONS, Config

METAVARS = {"timeout": "SECONDS", "cube_timeout": "SECONDS", "memory_limit": "MB",
            "proof": "DIR"}


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


def config_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """One click option per row of the options table."""
    for o in reversed(OPTIONS):
        flag = "--" + o.name.replace("_", "-")
        if o.type is bool:
            neg = "--no-" + o.name.replace("_", "-")
            fn = click.option(f"{flag}/{neg}", o.name, default=o.default, show_default=True,
                              help=o.help)(fn)
        elif o.choices is not None:
            choice = LiveChoice(o.choices) if callable(o.choices) else click.Choice(o.choices)
            fn = click.option(flag, o.name, type=choice, default=o.default,
                              show_default=True, help=o.help)(fn)
        elif o.name == "ray":  # --ray alone means a private local Ray; --ray ADDRESS joins one
            fn = click.option(flag, o.name, is_flag=False, flag_value="local", default=None,
                              metavar="[ADDRESS]", help=o.help)(fn)
        else:
            text = str(o.type)
            typ = {int: int, float: float}.get(
                o.type, float if "float" in text else int if "int" in text else str)
            fn = click.option(flag, o.name, type=typ, default=o.default, show_default=True,
                              help=o.help, metavar=METAVARS.get(o.name))(fn)
    return fn


def make_config(kwargs: dict[str, Any]) -> Config:
    """The ``Config`` of a command's options (``UsageError`` for a bad combination)."""
    names = {o.name for o in OPTIONS}
    try:
        return Config(**{k: v for k, v in kwargs.items() if k in names})
    except ValueError as e:
        raise click.UsageError(str(e)) from None
