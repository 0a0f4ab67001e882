"""Exceptions of eagersmt: every failure a user can cause has a class and a position.

The CLI turns these into ``error: FILE:LINE:COL: message`` (exit 1) for bad input and a
loud message (exit 70 / 3) for internal failures (the table: ``cli/errors.py``); the
library only raises them.
"""

from __future__ import annotations


class EagerSmtError(Exception):
    """Base class of all eagersmt errors."""


class InputError(EagerSmtError):
    """Bad input: a message plus where it is (offset into the source text, or line/col)."""

    def __init__(self, message: str, offset: int | None = None, *, line: int | None = None,
                 col: int | None = None, filename: str | None = None):
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.line = line
        self.col = col
        self.filename = filename

    def locate(self, text: str, filename: str | None = None) -> "InputError":
        """Fill line/column from the offset into ``text`` (1-based, like compilers)."""
        if self.offset is not None and self.line is None:
            off = min(max(self.offset, 0), len(text))
            self.line = text.count("\n", 0, off) + 1
            self.col = off - (text.rfind("\n", 0, off) + 1) + 1
        if filename is not None and self.filename is None:
            self.filename = filename
        return self

    def __str__(self) -> str:
        where = self.filename or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.message}"


class ParseError(InputError):
    """Malformed SMT-LIB: unbalanced parentheses, unknown symbols, ill-sorted terms."""


class UnsupportedError(InputError):
    """Well-formed input outside what eagersmt decides (a logic, an operator, a command)."""


class InternalError(EagerSmtError):
    """A bug caught by a check: e.g. a SAT model that does not satisfy the original formula."""


class CrossCheckError(EagerSmtError):
    """eagersmt and a reference solver (Z3, cvc5) disagree on an answer."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a search that has a result so far: ``partial`` is it (the optimizer's
    best ``Optimum``, its bound), or None.  A ``KeyboardInterrupt``: whoever does not look
    for the partial result sees the interrupt."""

    def __init__(self, partial: object = None):
        super().__init__("interrupted")
        self.partial = partial


class Unreachable(EagerSmtError):
    """A service eagersmt connects to (a Ray cluster, the Ray Jobs endpoint) cannot be
    reached, or refuses the connection."""
