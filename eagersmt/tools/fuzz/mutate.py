"""Mutations of valid SMT-LIB files, as bytes: the bad input a solver meets in the wild.

``mutate(rng, data)`` applies one mutation (a fifth of the time two or three) and returns
their names and the new bytes.  Mutations work on tokens found by a bytes regex (the same
token classes as the tokenizer) or on raw bytes:

* syntax: deleted / inserted parentheses, deleted / duplicated / swapped tokens, random
  printable bytes, truncation, duplicated / dropped commands, ``(exit)`` in the middle;
* bytes: binary noise (NUL included), invalid UTF-8 (lone continuation bytes, overlong
  and surrogate encodings), Unicode white space, CRLF line ends;
* numbers: numerals of 20 to 100,000 digits, malformed numerals (``007``, ``1e5``, ``-5``,
  ``.5``, ``#x1F``, ``٣``);
* meaning: unknown commands, sorts and functions, wrong arity (an argument dropped or
  doubled), undeclared symbols, redeclarations (also of ``and``, ``true``), Int/Real swaps,
  stray keywords, deep nesting (up to 100,000 levels of ``not`` / ``-`` / ``let`` / parentheses).

Each is a function ``(rng, data, tokens) -> bytes``; ``MUTATIONS`` lists them by name.
Cost: microseconds (deep nesting: a few ms).
"""

from __future__ import annotations

import random
import re
from typing import Callable

Span = tuple[int, int]

_TOKEN = re.compile(rb'[()]|\|[^|]*\||"(?:[^"]|"")*"|;[^\n]*|[^\s()|";]+')
_NUMERAL = re.compile(rb"[0-9]+(\.[0-9]+)?")
_SORTS = (b"Int", b"Real", b"Bool")
_OPS = (b"and", b"or", b"not", b"=>", b"xor", b"ite", b"=", b"distinct", b"<", b"<=", b">", b">=",
        b"+", b"-", b"*", b"/", b"let", b"!")
_COMMANDS = (b"(frobnicate)", b"(push 1)", b"(pop 1)", b"(declare-sort U 0)", b"(get-proof)",
             b"(reset)", b"(check-sat-using smt)", b"(set-info :status sat)",
             b"(get-info :reason-unknown)", b'(echo "hi ""there""")', b"(get-assertions)",
             b"(define-sort S () Int)", b"(declare-datatypes ((D 0)) (((c))))", b"(get-model)",
             b"(set-option :produce-models true)", b"(set-option :frob 1)", b"(check-sat)",
             b"(get-value (0))", b"(set-logic QF_BV)", b"(set-logic QF_LRA)", b"(exit)",
             b"(check-sat-assuming (true))", b"(get-unsat-core)", b"(minimize 1)", b"()", b"(())")
_BAD_SORTS = (b"Float32", b"String", b"U", b"(_ BitVec 8)", b"(Array Int Int)", b"int", b"Int",
              b"Real", b"Bool", b"(Int)", b"|Int|", b"Set")
_BAD_FUNCS = (b"foo", b"bvadd", b"abs", b"mod", b"div", b"to_real", b"select", b"(_ extract 1 0)",
              b"str.len", b"min", b"|<=|", b"forall", b"exists", b"as", b"_", b"!", b"let",
              b"=>", b"distinct", b"ite", b"*", b"/", b"check-sat", b"true", b"0")
_BAD_NUMERALS = (b"007", b"1e5", b"-5", b"1.", b".5", b"#x1F", b"#b101", b"1.0e3", b"00",
                 b"1/2", "\u0663".encode(), "\u00b2".encode(), b"0.0", b"1_000", b"+3", b"0x10")
_BAD_UTF8 = (b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80", b"\x80",
             b"\xfe\xff", b"\xe2\x82")
_SPACES = ("\u00a0", "\u2028", "\u3000", "\x0b", "\x0c", "\x1c", "\t", "\r")


def tokens(data: bytes) -> list[Span]:
    """Token spans of ``data`` (comments excluded)."""
    return [m.span() for m in _TOKEN.finditer(data) if data[m.start()] != 0x3B]


def _matching(data: bytes, toks: list[Span]) -> dict[int, int]:
    """Start of each '(' token -> end of its matching ')' (balanced lists only)."""
    stack: list[int] = []
    out: dict[int, int] = {}
    for s, e in toks:
        c = data[s:e]
        if c == b"(":
            stack.append(s)
        elif c == b")" and stack:
            out[stack.pop()] = e
    return out


def _elements(data: bytes, toks: list[Span], start: int, end: int) -> list[Span]:
    """Spans of the elements of the list at ``data[start:end]`` (tokens or sub-lists)."""
    out: list[Span] = []
    depth = 0
    sub = 0
    for s, e in toks:
        if s <= start or s >= end - 1:  # outside, or the list's own parentheses
            continue
        c = data[s:e]
        if c == b"(":
            if depth == 0:
                sub = s
            depth += 1
        elif c == b")":
            depth -= 1
            if depth == 0:
                out.append((sub, e))
        elif depth == 0:
            out.append((s, e))
    return out


def _splice(data: bytes, span: Span, new: bytes) -> bytes:
    return data[:span[0]] + new + data[span[1]:]


def _pick(rng: random.Random, toks: list[Span], data: bytes,
          want: Callable[[bytes], bool]) -> Span | None:
    cands = [t for t in toks if want(data[t[0]:t[1]])]
    return rng.choice(cands) if cands else None


def _top_level(data: bytes, toks: list[Span]) -> list[Span]:
    """Spans of the top-level commands."""
    match = _matching(data, toks)
    out = []
    depth = 0
    for s, e in toks:
        c = data[s:e]
        if c == b"(":
            if depth == 0 and s in match:
                out.append((s, match[s]))
            depth += 1
        elif c == b")":
            depth = max(0, depth - 1)
    return out


# -- the mutations -------------------------------------------------------------------------------
def delete_paren(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    t = _pick(rng, toks, data, lambda c: c in (b"(", b")"))
    return data if t is None else _splice(data, t, b"")


def insert_paren(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    pos = rng.choice(toks)[rng.randint(0, 1)] if toks else 0
    return data[:pos] + rng.choice((b"(", b")", b" (", b") ")) + data[pos:]


def delete_token(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    t = _pick(rng, toks, data, lambda c: c not in (b"(", b")"))
    return data if t is None else _splice(data, t, b"")


def duplicate_token(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    if not toks:
        return data
    s, e = rng.choice(toks)
    return data[:e] + b" " + data[s:e] + data[e:]


def swap_tokens(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    if len(toks) < 2:
        return data
    i = rng.randrange(len(toks) - 1)
    j = i + 1 if rng.random() < 0.5 else rng.randrange(i + 1, len(toks))
    (a, b), (c, d) = toks[i], toks[j]
    return data[:a] + data[c:d] + data[b:c] + data[a:b] + data[d:]


def random_bytes(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    pos = rng.randint(0, len(data))
    junk = bytes(rng.choice(b' ()|";:#\\abcxyz019-+.!_') for _ in range(rng.randint(1, 8)))
    return data[:pos] + junk + data[pos:]


def truncate(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    return data[:rng.randint(0, len(data))]


def huge_numeral(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    t = _pick(rng, toks, data, lambda c: _NUMERAL.fullmatch(c) is not None)
    digits = rng.choice((20, 40, 100, 1000, 3999, 4000, 4001, 4300, 4301, 10_000, 100_000))
    num = str(rng.randint(1, 9)).encode() + bytes(rng.choice(b"0123456789") for _ in range(digits - 1))
    if rng.random() < 0.2:
        num += b"." + num[: rng.choice((1, 5, 5000))]
    if t is None:
        return data
    return _splice(data, t, num)


def binary_noise(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    pos = rng.randint(0, len(data))
    n = rng.randint(1, 64)
    return data[:pos] + bytes(rng.randrange(256) for _ in range(n)) + data[pos + rng.randint(0, n):]


def invalid_utf8(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    pos = rng.randint(0, len(data))
    return data[:pos] + rng.choice(_BAD_UTF8) + data[pos:]


def unicode_space(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    spaces = [i for i, b in enumerate(data) if b in b" \n"]
    if not spaces:
        return data
    i = rng.choice(spaces)
    return data[:i] + rng.choice(_SPACES).encode() + data[i + 1:]


def crlf(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    return data.replace(b"\n", rng.choice((b"\r\n", b"\r")))


def unknown_command(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    top = _top_level(data, toks)
    pos = rng.choice(top)[rng.randint(0, 1)] if top else 0
    return data[:pos] + b"\n" + rng.choice(_COMMANDS) + b"\n" + data[pos:]


def unknown_sort(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    t = _pick(rng, toks, data, lambda c: c in _SORTS)
    return data if t is None else _splice(data, t, rng.choice(_BAD_SORTS))


def sort_swap(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    t = _pick(rng, toks, data, lambda c: c in (b"Int", b"Real"))
    if t is None:
        return data
    return _splice(data, t, b"Real" if data[t[0]:t[1]] == b"Int" else b"Int")


def unknown_function(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    heads = [t for i, t in enumerate(toks[1:], 1) if data[toks[i - 1][0]:toks[i - 1][1]] == b"("
             and data[t[0]:t[1]] not in (b"(", b")")]
    if not heads:
        return data
    return _splice(data, rng.choice(heads), rng.choice(_BAD_FUNCS + _OPS))


def wrong_arity(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    match = _matching(data, toks)
    lists = [(s, e) for s, e in match.items() if e - s > 2]
    if not lists:
        return data
    s, e = rng.choice(lists)
    els = _elements(data, toks, s, e)
    if len(els) < 2:
        return data
    a, b = rng.choice(els[1:])
    if rng.random() < 0.5:
        return data[:a] + data[b:]
    return data[:b] + b" " + data[a:b] + data[b:]


def undeclared_symbol(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    def is_symbol(c: bytes) -> bool:
        return (c not in _OPS and c not in _SORTS and c[:1].isalpha() and not c.startswith(b"declare")
                and not c.startswith(b"set-") and c not in (b"assert", b"check-sat", b"true", b"false"))
    t = _pick(rng, toks, data, is_symbol)
    if t is None:
        return data
    name = data[t[0]:t[1]]
    return _splice(data, t, rng.choice((name + b"x", b"undeclared", name.upper(), b"|" + name + b" |")))


def redeclaration(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    top = _top_level(data, toks)
    decls = [t for t in top if re.match(rb"\(\s*(declare-fun|declare-const|define-fun)", data[t[0]:t[1]])]
    r = rng.random()
    if decls and r < 0.6:
        s, e = rng.choice(decls)
        at = rng.choice(top)[1]
        return data[:at] + b"\n" + data[s:e] + b"\n" + data[at:]
    name = rng.choice((b"and", b"true", b"x", b"assert", b"Int", b"-", b"let", b"!", b"_"))
    decl = rng.choice((b"(declare-fun %s () Bool)", b"(declare-const %s Int)",
                       b"(define-fun %s () Int 3)")) % name
    pos = rng.choice(top)[1] if top else 0
    return data[:pos] + b"\n" + decl + b"\n" + data[pos:]


def deep_nesting(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    match = _matching(data, toks)
    if not match:
        return data
    s = rng.choice(list(match))
    e = match[s]
    n = rng.choice((100, 1000, 10_000, 100_000))
    wrap = rng.choice(((b"(not ", b")"), (b"(- ", b")"), (b"(let ((q 1)) ", b")"),
                       (b"(", b")"), (b"(and true ", b")"), (b"(! ", b" :named n)")))
    return data[:s] + wrap[0] * n + data[s:e] + wrap[1] * n + data[e:]


def numeral_form(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    t = _pick(rng, toks, data, lambda c: _NUMERAL.fullmatch(c) is not None)
    return data if t is None else _splice(data, t, rng.choice(_BAD_NUMERALS))


def stray_keyword(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    pos = rng.choice(toks)[1] if toks else 0
    kw = rng.choice((b" :named", b" :named n1", b" :pattern", b" :status", b" :", b" :weight 2"))
    return data[:pos] + kw + data[pos:]


def duplicate_command(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    top = _top_level(data, toks)
    if not top:
        return data
    s, e = rng.choice(top)
    at = rng.choice(top)[rng.randint(0, 1)]
    return data[:at] + b"\n" + data[s:e] + b"\n" + data[at:]


def drop_command(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    top = _top_level(data, toks)
    return data if not top else _splice(data, rng.choice(top), b"")


def empty(rng: random.Random, data: bytes, toks: list[Span]) -> bytes:
    return rng.choice((b"", b"; nothing\n", b"   \n", b"\x00", b"(", b")", b"|", b'"', b"\\"))


MUTATIONS: dict[str, Callable[[random.Random, bytes, list[Span]], bytes]] = {
    f.__name__.replace("_", "-"): f for f in (
        delete_paren, insert_paren, delete_token, duplicate_token, swap_tokens, random_bytes,
        truncate, huge_numeral, binary_noise, invalid_utf8, unicode_space, crlf, unknown_command,
        unknown_sort, sort_swap, unknown_function, wrong_arity, undeclared_symbol, redeclaration,
        deep_nesting, numeral_form, stray_keyword, duplicate_command, drop_command, empty)
}
_WEIGHTS = {"empty": 0.2, "crlf": 0.5, "deep-nesting": 0.5}


def mutate(rng: random.Random, data: bytes) -> tuple[list[str], bytes]:
    """One mutation (a fifth of the time two or three) of ``data``: (their names, new bytes)."""
    names = list(MUTATIONS)
    weights = [_WEIGHTS.get(n, 1.0) for n in names]
    k = 1 if rng.random() < 0.8 else rng.randint(2, 3)
    applied = []
    for _ in range(k):
        name = rng.choices(names, weights)[0]
        data = MUTATIONS[name](rng, data, tokens(data))
        applied.append(name)
    return applied, data
