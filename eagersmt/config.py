"""The one options table: ``Config`` (library) and the ``solve`` CLI options both come from it.

Each row is ``Option(name, type, default, help, choices, aliases)``; ``choices`` of the
extension points come from their registries (``encode.ENCODINGS``, ``backends.BACKENDS``,
``cube.LEVELS``) when a value is checked, so a registered encoding or back end is a valid
choice everywhere at once.  ``Config`` is a frozen value built from the rows, passed
keyword-only; ``config.replace(name=value)`` varies it.  The CLI (``eagersmt/cli``) turns
every row into a click option, so the two cannot drift.  Both are plain classes rather than
dataclasses: the solve path does not import ``dataclasses``, whose import and class creation
are a large part of a small file's run (``benchmarks/RESULTS.md``, "Start-up").
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

from . import backends, cube, encode

Choices = Union[tuple[str, ...], Callable[[], tuple[str, ...]]]


class Option:
    """A row of the options table."""

    __slots__ = ("name", "type", "default", "help", "choices", "aliases")

    def __init__(self, name: str, type: Any, default: Any, help: str,
                 choices: Optional[Choices] = None,
                 aliases: tuple[tuple[str, str], ...] = ()) -> None:
        self.name = name
        self.type = type
        self.default = default
        self.help = help
        self.choices = choices
        self.aliases = aliases  # (old name, value it stands for), still accepted

    def __repr__(self) -> str:
        return f"Option({self.name!r}, {self.type!r}, {self.default!r})"

    def choice_names(self) -> Optional[tuple[str, ...]]:
        return self.choices() if callable(self.choices) else self.choices


CROSS_CHECKERS = ("none", "z3", "cvc5", "all")

# A time limit above this many seconds (about 11 days), ``inf`` included, is no limit: the
# waits of the back ends take their timeout in milliseconds as a C int (poll), which
# overflows near 25 days.
MAX_SECONDS = 1e6


def seconds(value: Optional[float], name: str) -> Optional[float]:
    """A time limit as given (None: none): ``ValueError`` (naming ``name``) for NaN, zero or
    a negative value; None for ``inf`` or more than ``MAX_SECONDS``."""
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number of seconds, not {value!r}") from None
    if not value > 0:  # (NaN too)
        raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
    return None if value > MAX_SECONDS else value


# The environment variable that names a strategy when ``Config.strategy`` does not.
STRATEGY_ENV = "EAGERSMT_STRATEGY"

# The names registered when this module was imported (the registries are the truth).
ENCODINGS = encode.choices()
BACKENDS = backends.BACKENDS.names()
CUBE_LEVELS = cube.LEVELS.names()

OPTIONS: tuple[Option, ...] = (
    Option("encoding", str, "auto",
           "Eager encoding of the integer atoms, per variable class (auto: chosen from the "
           "formula; see README 'How it works').  On linear sums, order forces Sugar's order "
           "encoding where it fits and sd the bit-vectors.", encode.choices),
    Option("backend", str, "portfolio",
           "SAT back end (portfolio: CaDiCaL and Kissat at once, the first answer wins).",
           backends.BACKENDS.names),
    Option("timeout", Optional[float], None,
           "Wall-clock limit in seconds of each answer (each check-sat; optimize: the "
           "optimum, counted from the start); past it the answer is 'unknown' (optimize: the "
           "best so far).  'inf' or above 1e6: no limit."),
    Option("check_models", bool, True,
           "Evaluate every SAT model on the original formula before reporting 'sat'."),
    Option("cross_check", str, "none",
           "Also run a reference solver on the same input and fail (exit 3) on disagreement.",
           CROSS_CHECKERS),
    Option("cross_check_timeout", float, 60.0,
           "Wall-clock limit in seconds of each run of the reference solver."),
    Option("eij_max_clauses", int, 2_000_000,
           "EIJ guard: give up per-constraint encoding of a class past this many transitivity clauses."),
    Option("cubes", str, "none",
           "Cube and conquer: 'none' (one SAT call), 'sharing' (--jobs diversified CaDiCaLs on "
           "the whole problem, sharing clauses; 'portfolio' is an older name of it), a number "
           "of cubes, or 'auto' (a short probe of the whole problem first, then about 8 cubes "
           "per worker).", aliases=(("portfolio", "sharing"),)),
    Option("share", str, "auto",
           "Workers share short learnt clauses: on, off, or auto (--cubes sharing shares, cube "
           "workers do not: on two CPUs sharing slowed cubes down).", ("auto", "on", "off")),
    Option("cube_level", str, "bounds",
           "Where the cuber splits: bounds (bisect integer windows), smt (difference atoms), "
           "smt+bounds (both) or cnf (any CNF variable).", cube.LEVELS.names),
    Option("jobs", int, 2, "Worker processes of the local conquer (CPUs of a private local Ray)."),
    Option("cube_timeout", Optional[float], None,
           "Wall-clock limit in seconds of each cube: a cube past it is split again."),
    Option("ray", Optional[str], None,
           "Conquer the cubes on Ray: 'local' (a private local Ray; what a bare --ray means), "
           "'auto' (join a running cluster, honouring RAY_ADDRESS) or an address HOST:PORT."),
    Option("quiet", bool, False, "No progress display on stderr."),
    Option("proof", Optional[str], None,
           "On unsat, write a checkable certificate (CNF, DRAT proof, encoding certificate) into "
           "this directory; verify it with 'eagersmt check-proof DIR FILE'."),
    Option("memory_limit", Optional[int], None,
           "Memory (MB of address space beyond what is in use) each check-sat may take, in "
           "all its processes; past it the answer is 'unknown'."),
    Option("memo", Optional[str], None,
           "Lemma store that answers and refutations are looked up in and recorded to: a "
           "SQLite file or postgresql://USER@HOST:PORT/DB.  Default: $EAGERSMT_MEMO when set, "
           "else none (nothing is read or written); 'off' (what --no-memo says): none, "
           "whatever $EAGERSMT_MEMO says.  See README 'Lemma store'."),
    Option("strategy", Optional[str], None,
           "How to decide each query: a strategy file learnt by 'eagersmt tune' (features of "
           "the formula -> options, or a hand-off to Z3 or Yices), or one strategy of its "
           "space by name (auto, order, sd, cadical, kissat, sharing, z3, yices); its options "
           "override those given.  Default: $EAGERSMT_STRATEGY when set, else none (auto).  "
           "See README 'Strategies'."),
)


class Config:
    """Solver options (frozen; keyword-only; ``replace`` gives a changed copy).  The fields
    are the rows of ``OPTIONS``, checked on creation (``ValueError``)."""

    __slots__ = tuple(o.name for o in OPTIONS)

    def __init__(self, **values: Any) -> None:
        unknown = set(values) - set(self.__slots__)
        if unknown:
            raise TypeError(f"Config.__init__() got an unexpected keyword argument "
                            f"{min(unknown)!r}")
        put = object.__setattr__
        for o in OPTIONS:
            value = values.get(o.name, o.default)
            value = dict(o.aliases).get(value, value)  # an alias stands for its value
            names = o.choice_names()
            if names is not None and value not in names:
                raise ValueError(f"{o.name} must be one of {', '.join(names)}, not {value!r}")
            put(self, o.name, value)
        for name in ("timeout", "cube_timeout", "cross_check_timeout"):  # (``seconds``)
            limit = seconds(getattr(self, name), name)
            put(self, name, MAX_SECONDS if limit is None and name == "cross_check_timeout"
                else limit)
        if self.cubes not in ("none", "auto", "sharing") and not (
                str(self.cubes).isdigit() and int(self.cubes) > 0):
            raise ValueError("cubes must be 'none', 'sharing', 'auto' or a positive number, "
                             f"not {self.cubes!r}")
        if self.jobs < 1:
            raise ValueError("jobs must be at least 1")
        if self.proof is not None and self.ray is not None:
            raise ValueError("certificates of cube-and-conquer runs are written by the local "
                             "conquer: use --proof without --ray")
        if self.memory_limit is not None and self.memory_limit <= 0:
            raise ValueError("memory_limit must be positive (MB)")
        if self.memo is not None and (not isinstance(self.memo, str) or not self.memo
                                      or self.memo == "auto"):
            raise ValueError("memo must name a store (a path or a postgresql:// URL) or be "
                             f"'off', not {self.memo!r}")

    def values(self) -> dict[str, Any]:
        """The options by name, in the table's order."""
        return {name: getattr(self, name) for name in self.__slots__}

    def replace(self, **changes: Any) -> "Config":
        """A copy with ``changes`` (checked as a new ``Config`` is)."""
        return Config(**{**self.values(), **changes})

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of a frozen Config")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of a frozen Config")

    def __eq__(self, other: object) -> bool:
        return type(other) is Config and self.values() == other.values()  # type: ignore

    def __hash__(self) -> int:
        return hash(tuple(self.values().values()))

    def __repr__(self) -> str:
        return "Config(" + ", ".join(f"{k}={v!r}" for k, v in self.values().items()) + ")"

    def __reduce__(self) -> tuple[Any, ...]:
        return _config, (self.values(),)


def _config(values: dict[str, Any]) -> Config:
    """A ``Config`` from its values (unpickling)."""
    return Config(**values)
