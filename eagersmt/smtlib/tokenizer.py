"""SMT-LIB v2 tokenizer and s-expression reader.

One regular expression finds every token (``re.finditer`` skips white space by itself);
the reader builds each top-level command as nested ``SList`` objects, which are plain
lists that remember the offset of their opening parenthesis.  Atoms are ``str``: simple
symbols, numerals and keywords as they are written, ``|quoted|`` symbols without their bars
(``QSymbol`` when the name would otherwise read as a numeral or keyword), and string
literals as ``String``.  Positions of atoms are recovered on the error path only
(``locate_child``), so the hot path creates no per-atom objects (speed: ``eagersmt bench``).
"""

from __future__ import annotations

import re
from typing import Iterator

from ..errors import ParseError

_TOKEN = re.compile(
    r"""[^\s()|";]+            # simple symbol, numeral, decimal, keyword, #x.. literal
      | [()]
      | \|[^|\\]*\|           # quoted symbol
      | "(?:[^"]|"")*"        # string literal ("" escapes a quote)
      | ;[^\n]*               # comment
      | ["|\\]                # an unterminated string / quoted symbol, or a stray backslash
    """,
    re.X,
)


class SList(list):
    """A parenthesised list; ``pos`` is the offset of its ``(``."""

    __slots__ = ("pos",)


class String(str):
    """An SMT-LIB string literal (already unescaped)."""


class QSymbol(str):
    """A quoted symbol whose text alone would not read as a symbol (e.g. ``|12|``)."""


def _atom(tok: str, start: int) -> str:
    first = tok[0]
    if first == "|":
        name = tok[1:-1]
        if not name or name[0].isdigit() or name[0] == ":" or not _SIMPLE.fullmatch(name):
            return QSymbol(name)
        return name
    if first == '"':
        return String(tok[1:-1].replace('""', '"'))
    return tok


_SIMPLE = re.compile(r"[A-Za-z0-9~!@$%^&*_\-+=<>.?/]+")


def read_sexprs(text: str) -> Iterator[SList]:
    """Yield the top-level s-expressions of ``text`` in order (each an ``SList``)."""
    stack: list[SList] = []
    cur: SList | None = None
    for m in _TOKEN.finditer(text):
        tok = m.group()
        c = tok[0]
        if c == "(":
            new = SList()
            new.pos = m.start()
            if cur is not None:
                cur.append(new)
                stack.append(cur)
            cur = new
        elif c == ")":
            if cur is None:
                raise ParseError("unexpected ')'", m.start())
            if stack:
                cur = stack.pop()
            else:
                done, cur = cur, None
                yield done
        elif c == ";":
            continue
        elif cur is None:
            if c in '"|\\' and (len(tok) == 1):
                raise ParseError(_unterminated(c), m.start())
            raise ParseError(f"expected '(' at top level, found '{tok}'", m.start())
        elif len(tok) == 1 and c in '"|\\':
            raise ParseError(_unterminated(c), m.start())
        elif c == "|" or c == '"':
            cur.append(_atom(tok, m.start()))
        else:
            cur.append(tok)
    if cur is not None:
        outer = stack[0] if stack else cur  # the command that is never finished
        raise ParseError("unbalanced parentheses: this '(' is never closed", outer.pos)


def _unterminated(c: str) -> str:
    if c == '"':
        return "unterminated string literal"
    if c == "|":
        return "unterminated quoted symbol"
    return "unexpected '\\' outside a quoted symbol"


def locate_child(text: str, parent: SList, index: int) -> int:
    """Offset of element ``index`` of ``parent`` (re-tokenizes the list; error path only)."""
    depth = 0
    count = -1
    for m in _TOKEN.finditer(text, parent.pos):
        tok = m.group()
        if tok[0] == ";":
            continue
        if tok == "(":
            depth += 1
            if depth == 2:
                count += 1
                if count == index:
                    return m.start()
        elif tok == ")":
            depth -= 1
            if depth == 0:
                break
        elif depth == 1:
            count += 1
            if count == index:
                return m.start()
    return parent.pos
