"""Delta debugging of an SMT-LIB script: the smallest script that still shows a failure.

``minimize(text, still_fails)`` works on the s-expressions of the script (read with the
project's tokenizer) and keeps a candidate only when ``still_fails(candidate_text)`` says it
shows the *same* failure (the caller compares failure signatures, so a candidate that
merely stops parsing is rejected).  Passes, repeated until nothing shrinks or the budget
is spent:

1. ``ddmin`` (Zeller and Hildebrandt, "Simplifying and isolating failure-inducing input",
   TSE 2002) over the commands other than ``set-logic`` / ``check-sat``: first the
   assertions and outputs, then unused declarations and definitions.
2. Subterm replacement, top down (a successful replacement removes the most): a subterm by
   ``true`` / ``false``, by one of its arguments, an n-ary application with one argument
   fewer, a ``let`` by its body with the bindings substituted, a numeral by ``0``, ``1`` or
   one with half its digits.

Cost: one ``still_fails`` call per candidate (a few ms for a campaign combination);
``max_checks`` (default 400) and ``seconds`` bound the whole search.  Minimized scripts of
the campaign are typically 1-3 assertions of a few atoms.
"""

from __future__ import annotations

import time
from typing import Callable, Iterator, Optional

from ...smtlib.tokenizer import QSymbol, SList, String, read_sexprs

Sexpr = object  # str | SList

_KEEP = ("set-logic", "check-sat", "check-sat-assuming")
_BOOLISH = {"and", "or", "not", "=>", "xor", "=", "distinct", "ite", "<", "<=", ">", ">=",
            "let", "!"}
_NARY = {"and", "or", "+", "-", "=", "distinct", "<", "<=", ">", ">=", "xor", "=>"}


class _Budget(Exception):
    pass


def to_text(commands: list) -> str:
    return "\n".join(show(c) for c in commands) + "\n"


def show(x: Sexpr) -> str:
    if type(x) is SList or isinstance(x, list):
        return "(" + " ".join(show(a) for a in x) + ")"  # type: ignore[union-attr]
    if isinstance(x, String):
        return '"' + x.replace('"', '""') + '"'
    if isinstance(x, QSymbol):
        return f"|{x}|"
    return str(x)


def minimize(text: str, still_fails: Callable[[str], bool], *, max_checks: int = 400,
             seconds: Optional[float] = 60.0) -> tuple[str, int]:
    """The smallest script found that ``still_fails``, and how many candidates were checked."""
    m = _Minimizer(still_fails, max_checks, seconds)
    try:
        cmds: list = list(read_sexprs(text))
    except Exception:  # not s-expressions (e.g. an input-fuzz mutant): nothing to work on
        return text, 0
    best = cmds
    try:
        while True:
            before = len(to_text(best))
            best = m.ddmin_commands(best, lambda c: _head(c) in ("assert", "get-model", "get-value",
                                                                 "set-info", "set-option", "echo",
                                                                 "get-info"))
            best = m.subterms(best)
            best = m.ddmin_commands(best, lambda c: _head(c) not in _KEEP)
            if len(to_text(best)) >= before:
                break
    except _Budget:
        pass
    return to_text(m.best or best), m.checks


def _head(x: Sexpr) -> Optional[str]:
    if isinstance(x, list) and x and isinstance(x[0], str) and not isinstance(x[0], (String, QSymbol)):
        return x[0]
    return None


class _Minimizer:
    def __init__(self, still_fails: Callable[[str], bool], max_checks: int,
                 seconds: Optional[float]):
        self.still_fails = still_fails
        self.max_checks = max_checks
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.checks = 0
        self.best: Optional[list] = None
        self.seen: set[str] = set()

    def test(self, cmds: list) -> bool:
        text = to_text(cmds)
        if text in self.seen:
            return False
        if self.checks >= self.max_checks or (
                self.deadline is not None and time.monotonic() > self.deadline):
            raise _Budget()
        self.seen.add(text)
        self.checks += 1
        if self.still_fails(text):
            self.best = cmds
            return True
        return False

    # -- pass 1: commands ----------------------------------------------------------------
    def ddmin_commands(self, cmds: list, removable: Callable[[Sexpr], bool]) -> list:
        idx = [i for i, c in enumerate(cmds) if removable(c)]
        n = 2
        while len(idx) >= 1:
            chunk = max(1, len(idx) // n)
            removed_any = False
            start = 0
            while start < len(idx):
                drop = set(idx[start:start + chunk])
                cand = [c for i, c in enumerate(cmds) if i not in drop]
                if self.test(cand):
                    cmds = cand
                    # re-index what is left
                    idx = [i for i, c in enumerate(cmds) if removable(c)]
                    removed_any = True
                    break
                start += chunk
            if removed_any:
                n = max(n - 1, 2)
                continue
            if chunk == 1:
                break
            n = min(len(idx), n * 2)
        return cmds

    # -- pass 2: subterms ----------------------------------------------------------------
    def subterms(self, cmds: list) -> list:
        for ci in range(len(cmds)):
            c = cmds[ci]
            h = _head(c)
            if h == "assert" and len(c) == 2:
                slot = 1
            elif h == "define-fun" and len(c) == 5:
                slot = 4
            else:
                continue
            changed = True
            while changed:
                changed = False
                for path in list(_paths(cmds[ci][slot])):
                    node = _get(cmds[ci][slot], path)
                    for repl in _candidates(node):
                        new_term = _replace(cmds[ci][slot], path, repl)
                        cand = list(cmds)
                        newc = SList(cmds[ci])
                        newc.pos = getattr(cmds[ci], "pos", 0)
                        newc[slot] = new_term
                        cand[ci] = newc
                        if self.test(cand):
                            cmds = cand
                            changed = True
                            break
                    if changed:
                        break
        return cmds


def _paths(t: Sexpr, prefix: tuple = ()) -> Iterator[tuple]:
    """Paths of every subterm, breadth first (bigger subterms first)."""
    queue = [(t, prefix)]
    while queue:
        nxt = []
        for node, p in queue:
            yield p
            if isinstance(node, list):
                start = 1
                if _head(node) == "let" and len(node) == 3 and isinstance(node[1], list):
                    for k, b in enumerate(node[1]):
                        if isinstance(b, list) and len(b) == 2:
                            nxt.append((b[1], p + (1, k, 1)))
                    start = 2
                for k in range(start, len(node)):
                    nxt.append((node[k], p + (k,)))
        queue = nxt


def _get(t: Sexpr, path: tuple) -> Sexpr:
    for k in path:
        t = t[k]  # type: ignore[index]
    return t


def _replace(t: Sexpr, path: tuple, new: Sexpr) -> Sexpr:
    if not path:
        return new
    copy = list(t)  # type: ignore[arg-type]
    copy[path[0]] = _replace(copy[path[0]], path[1:], new)
    return copy


def _candidates(node: Sexpr) -> Iterator[Sexpr]:
    if isinstance(node, list):
        h = _head(node)
        if h in _BOOLISH:
            yield "true"
            yield "false"
        if h == "let" and len(node) == 3 and isinstance(node[1], list):
            binds = {b[0]: b[1] for b in node[1] if isinstance(b, list) and len(b) == 2}
            yield _subst(node[2], binds)
            return
        if h == "!" and len(node) >= 2:
            yield node[1]
            return
        args = node[1:]
        for a in args:
            yield a
        if h in _NARY and len(args) > 2:
            for k in range(1, len(node)):
                yield node[:k] + node[k + 1:]
    elif isinstance(node, str) and not isinstance(node, (String, QSymbol)) and node.isdigit():
        if node not in ("0", "1"):
            yield "0"
            yield "1"
            if len(node) > 2:
                yield node[: len(node) // 2]


def _subst(t: Sexpr, binds: dict) -> Sexpr:
    """``t`` with the let-bound names replaced (shadowing ignored: a wrong candidate is only
    a candidate that fails to reproduce)."""
    if isinstance(t, list):
        return [_subst(a, binds) for a in t]
    if isinstance(t, str) and t in binds:
        return binds[t]
    return t
