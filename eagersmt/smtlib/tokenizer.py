"""SMT-LIB v2 tokenizer and s-expression reader.

One regular expression finds every token (``re.finditer`` skips white space by itself; a
whole text is cut by ``re.split`` instead, its offsets summed in C: ``Reader._split``);
the reader builds each top-level command as nested ``SList`` objects, which are plain
lists that remember the offset of their opening parenthesis.  Atoms are ``str``: simple
symbols, numerals and keywords as they are written, ``|quoted|`` symbols without their bars
(``QSymbol`` when the name would otherwise read as a numeral or keyword), and string
literals as ``String``.  Positions of atoms are recovered on the error path only
(``locate_child``), so the hot path creates no per-atom objects (speed: ``eagersmt bench``).
"""

from __future__ import annotations

import re
from itertools import accumulate, islice
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

    __slots__ = ("pos", "end")


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


# The same tokens as ``_TOKEN``, captured, for ``re.split`` (what lies between them is white
# space); texts up to ``SPLIT_CHARS`` characters are read that way (``Reader._split``: its
# lists of tokens and offsets are a few times the text's size).
_SPLIT = re.compile("(" + _TOKEN.pattern + ")", re.X)
SPLIT_CHARS = 1 << 22

_SIMPLE = re.compile(r"[A-Za-z0-9~!@$%^&*_\-+=<>.?/]+")
_SPECIAL = ';"|\\'  # first characters of a comment, string, quoted symbol, stray backslash


def read_sexprs(text: str) -> Iterator[SList]:
    """Yield the top-level s-expressions of ``text`` in order (each an ``SList``)."""
    return Reader().feed(text, final=True)


class Reader:
    """Top-level s-expressions of a text that arrives in pieces (standard input).

    ``feed(chunk)`` appends ``chunk`` to ``text`` and yields every command completed by it,
    as soon as its closing parenthesis has been read: the reader goes on where it stopped
    (no re-scan).  Without ``final`` it reads up to the last newline (a token never spans
    a line, except a string literal or quoted symbol, which waits for its closing quote),
    or to the end when that ends with ``)`` and holds no comment.  ``feed(..., final=True)``
    reads to the end and reports what is left open.  Positions are offsets into ``text``;
    a top-level list also has ``end``, the offset after its ``)``.
    """

    def __init__(self) -> None:
        self.text = ""
        self.pos = 0  # where scanning goes on
        self._stack: list[SList] = []
        self._cur: SList | None = None

    def feed(self, chunk: str, *, final: bool = False) -> Iterator[SList]:
        text = self.text = self.text + chunk if self.text else chunk
        if final:
            limit = len(text)
        else:
            nl = text.rfind("\n") + 1
            tail = text[nl:]
            limit = len(text) if tail.rstrip().endswith(")") and ";" not in tail else nl
        if final and self._cur is None and len(text) - self.pos <= SPLIT_CHARS:
            yield from self._split(text)
        stack, cur = self._stack, self._cur
        try:
            for m in _TOKEN.finditer(text, self.pos, limit):
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
                        self.pos = m.end()  # (a session that goes on skips it)
                        raise ParseError("unexpected ')'", m.start())
                    if stack:
                        cur = stack.pop()
                    else:
                        done, cur = cur, None
                        done.end = m.end()
                        self.pos = m.end()
                        yield done
                elif cur is not None and c not in _SPECIAL:  # a plain atom, the common case
                    cur.append(tok)
                elif c == ";":
                    continue
                elif len(tok) == 1 and c in '"|\\':
                    bar = text.find("|", m.start() + 1, limit) if c == "|" else -1
                    if not final and c != "\\" and bar < 0:
                        self.pos = m.start()  # wait for the closing quote
                        return
                    # skip what cannot be read (and the command it is in)
                    self.pos = bar + 1 if bar >= 0 else m.end() if c == "\\" else limit
                    stack, cur = [], None
                    raise ParseError(_unterminated(c), m.start())
                elif cur is None:
                    self.pos = m.end()
                    raise ParseError(f"expected '(' at top level, found '{tok}'", m.start())
                elif c == "|" or c == '"':
                    cur.append(_atom(tok, m.start()))
                else:
                    cur.append(tok)
            self.pos = limit
            if final and cur is not None:
                outer = stack[0] if stack else cur  # the command that is never finished
                stack, cur = [], None
                raise ParseError("unbalanced parentheses: this '(' is never closed", outer.pos)
        finally:
            self._stack, self._cur = stack, cur

    def _split(self, text: str) -> Iterator[SList]:
        """The commands of ``text`` from ``pos`` to its end, as the token loop of ``feed`` reads
        them, with the scanning done in C: ``re.split`` cuts the text into white space and
        tokens, ``accumulate`` gives each token's offset, and the Python loop sees only the
        token strings.  Stops (``pos``: the start of the command being read, or the end of
        the last one) at anything but well-formed commands -- an unterminated string or
        quoted symbol, a stray backslash, a ``)`` or an atom outside a list, a list left
        open -- for ``feed``'s loop to read again and report where it stands."""
        start = self.pos
        parts = _SPLIT.split(text[start:] if start else text)
        offsets = accumulate(map(len, parts), initial=start)
        stack: list[SList] = []
        cur: SList | None = None
        for tok, at in zip(islice(parts, 1, None, 2), islice(offsets, 1, None, 2)):
            c = tok[0]
            if c == "(":
                new = SList()
                new.pos = at
                if cur is not None:
                    cur.append(new)
                    stack.append(cur)
                cur = new
            elif c == ")":
                if cur is None:
                    return
                if stack:
                    cur = stack.pop()
                else:
                    done, cur = cur, None
                    done.end = self.pos = at + 1
                    yield done
            elif cur is not None and c not in _SPECIAL:
                cur.append(tok)
            elif c == ";":
                continue
            elif cur is None or len(tok) == 1 or c == "\\":
                break
            else:  # a quoted symbol or string literal
                cur.append(_atom(tok, at))
        if cur is not None:  # (from the command's opening parenthesis: feed reports it)
            self.pos = stack[0].pos if stack else cur.pos

    @property
    def pending(self) -> bool:
        """Is a command open (read in part)?"""
        return self._cur is not None


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
