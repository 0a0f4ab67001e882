"""The ``eagersmt`` command line: the only place that prints.

``run`` is the console script (and ``python -m eagersmt.cli.main``).  The commands are the
click group of ``commands.py`` (``main``, reachable here too); ``eagersmt solve`` with the
usual options is read by ``solve_argv.read`` first, without importing click, and runs
exactly what the click command would run (anything else: the click group, from scratch);
``eagersmt --version`` alone prints what click's version option prints, without click.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # (typing's, for type checkers: ``eagersmt --version`` imports no typing)
if TYPE_CHECKING:
    from typing import Any

# Young objects between two collections of the cyclic garbage collector in the command's
# process (Python's default: 700).  The front end builds its terms and clauses in one go and
# keeps them to the end, so each collection scans live objects for nothing: with this many,
# a file of a few hundred thousand clauses is read and encoded without one, and a larger one
# sees a collection per that many new objects.  Measurements: ``benchmarks/RESULTS.md``,
# "Start-up".
GC_THRESHOLD = 200_000


def run() -> None:
    """The console script: the command in a process of its own, which leaves the objects of
    its imports out of every collection (``gc.freeze``) and collects per ``GC_THRESHOLD``
    new objects; ``solve`` without click when ``solve_argv.read`` takes its arguments.  A
    Ctrl-C before the command's own handler is in place (``errors.interrupts``: during the
    imports) ends it as that handler does: ``unknown`` for ``solve``, ``error: interrupted``
    and 130, no traceback."""
    try:
        _run()
    except KeyboardInterrupt:
        from .errors import EXIT_INTERRUPT

        if sys.argv[1:2] == ["solve"]:
            print("unknown", flush=True)
        print("error: interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPT)


def _run() -> None:
    import gc

    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    if sys.argv[1:] == ["--version"]:
        from .. import __version__

        print(f"eagersmt, version {__version__}")  # (click's version_option message)
        return
    if sys.argv[1:2] == ["solve"]:
        from .solve_argv import read, run_solve

        args = read(sys.argv[2:])
        if args is not None:
            run_solve(args)
            return
    from .commands import main

    main()


def __getattr__(name: str) -> Any:
    """``main``: the click group (``commands.main``), imported when asked for."""
    if name == "main":
        from .commands import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":  # pragma: no cover
    run()
