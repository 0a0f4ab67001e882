"""SMT-LIB v2 parser: s-expressions -> commands with elaborated terms.

``Parser.command(sx)`` elaborates one command at a time (the SMT-LIB session runs each
before it reads the next: standard input, interactive mode); ``parse(text)`` elaborates a
whole script into a ``Script``.  One handler per command (``_cmd_<name>``), one handler per
operator (``_OPS``).  Applications of operators are elaborated by recursion (a bounded
depth); everything else, and deeper terms, with an explicit work stack, so a file with
thousands of nested ``let``s parses without touching Python's recursion limit; ``let``
scopes are a dict of per-name binding stacks (O(1) lookup at any depth).  Declarations live
on the assertion stack: each level keeps an undo log of the names it added, which ``pop``
removes (unless ``:global-declarations``), so ``push``/``pop`` cost what was declared in
between.  Every error carries the offset of the offending token.

The compiled front end (``native/smtparse.c``, built on first use: ``native.build.extension``)
reads and elaborates the common well-formed subset -- set-logic, set-info, set-option,
declare-fun, declare-const, assert, check-sat, get-model and exit over the Boolean and
arithmetic operators, ``let`` and uninterpreted functions -- in C, creating the same terms in
the same order in the same ``TermManager`` table (its term constructors mirror
``ir/terms.py``'s, guarded by a differential test).  On anything else, and on any error, it
gives up having changed nothing (the terms it made are taken out of the table again) and
this Python parser reads the same text, so every error and warning comes from one place.
``Parser.compiled`` is its entry; it leaves texts under ``COMPILED_MIN_CHARS`` to the Python
parser (``$EAGERSMT_PARSER``: ``python``, never the compiled one; ``compiled``, at any size).
Cost: a scan and a table lookup per token in C, one Python term object per new term.
"""

from __future__ import annotations

import os
import re
from fractions import Fraction
from typing import Any, Callable, Optional

from ..errors import InputError, ParseError, UnsupportedError
from ..ir import terms as T
from ..ir.terms import BOOL, INT, REAL, Term, TermManager
from .tokenizer import QSymbol, SList, String, locate_child, read_sexprs

# Logics eagersmt reads: difference logic, linear integer arithmetic and uninterpreted
# functions over Int and Bool (QF_LRA: its atoms outside difference form are reported as
# unsupported where they stand).
SUPPORTED_LOGICS = {"QF_IDL": INT, "QF_RDL": REAL, "QF_LIA": INT, "QF_LRA": REAL,
                    "QF_UFIDL": INT, "QF_UFLIA": INT, "QF_UF": BOOL, "ALL": None}

# The options eagersmt knows, with what (get-option ...) answers before any set-option (the
# standard's defaults); a session acts on :print-success, :produce-unsat-cores,
# :regular-output-channel and :global-declarations.  Others are warned about and ignored.
KNOWN_OPTIONS = {
    ":print-success": "false", ":produce-models": "true", ":produce-unsat-cores": "false",
    ":produce-unsat-assumptions": "false", ":produce-assertions": "false",
    ":produce-assignments": "false", ":global-declarations": "false",
    ":interactive-mode": "false", ":random-seed": "0", ":verbosity": "0",
    ":regular-output-channel": '"stdout"', ":diagnostic-output-channel": '"stderr"',
}

_DECIMAL = re.compile(r"[0-9]+\.[0-9]+")
_NUMERAL = re.compile(r"0|[1-9][0-9]*")
_NEGATIVE = re.compile(r"-(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")  # -2, -2.5 (as Z3 reads them)
# Shorter texts go to the Python parser, which reads them in about the time the compiled
# front end takes to load (and nothing is built for them); see PARSER_ENV_VAR.
COMPILED_MIN_CHARS = 8192
PARSER_ENV_VAR = "EAGERSMT_PARSER"
MAX_NUMERAL_DIGITS = 4000  # below Python's int/str conversion limit (4300 digits)
RESERVED_WORDS = frozenset(("!", "_", "as", "let", "exists", "forall", "match", "par", "BINARY",
                            "DECIMAL", "HEXADECIMAL", "NUMERAL", "STRING"))  # SMT-LIB 2.6, 3.1


class Command:
    """A command to run: ``name`` (e.g. ``assert``), its elaborated ``args``, source offsets
    (``end``: after its closing parenthesis).

    ``assert``: ``(term, names)`` (the ``:named`` names of the asserted term itself);
    ``push`` / ``pop``: ``(n,)``; ``check-sat``: the assumptions (``check-sat-assuming``).
    (This module's classes are plain classes: the solve path does not import
    ``dataclasses``; ``result.py``.)
    """

    __slots__ = ("name", "args", "pos", "end")

    def __init__(self, name: str, args: tuple, pos: int, end: int = -1) -> None:
        self.name = name
        self.args = args
        self.pos = pos
        self.end = end


class UnsupportedCommand(UnsupportedError):
    """A command of the SMT-LIB standard that eagersmt does not implement: a session answers
    it with ``(error "...")`` and goes on (as Z3 and cvc5 do)."""


class Script:
    """A parsed SMT-LIB script: its commands, declared constants (in order), logic,
    ``status`` (from ``(set-info :status ...)``), warnings, term manager, the first source
    offset of each atom (``atom_pos``), and its text and file name (``source``,
    ``filename``: to give later errors, e.g. a non-difference atom, a position)."""

    def __init__(self, commands: Optional[list[Command]] = None,
                 declarations: Optional[list[Term]] = None, logic: Optional[str] = None,
                 status: Optional[str] = None, warnings: Optional[list[InputError]] = None,
                 terms: Optional[TermManager] = None,
                 atom_pos: Optional[dict[Term, int]] = None, source: str = "",
                 filename: Optional[str] = None) -> None:
        self.commands: list[Command] = [] if commands is None else commands
        self.declarations: list[Term] = [] if declarations is None else declarations
        self.logic = logic
        self.status = status
        self.warnings: list[InputError] = [] if warnings is None else warnings
        self.terms = TermManager() if terms is None else terms
        self.atom_pos: dict[Term, int] = {} if atom_pos is None else atom_pos
        self.source = source
        self.filename = filename

    def locate(self, err: InputError) -> InputError:
        return err.locate(self.source, self.filename)

    @property
    def assertions(self) -> list[Term]:
        """The assertions in force at the end of the script (those of popped levels, and
        those before a reset, are not)."""
        asserted: list[Term] = []
        levels: list[int] = []  # len(asserted) at each push
        for c in self.commands:
            if c.name == "assert":
                asserted.append(c.args[0])
            elif c.name == "push":
                levels += [len(asserted)] * c.args[0]
            elif c.name == "pop" and c.args[0]:
                del asserted[levels[-c.args[0]]:]
                del levels[-c.args[0]:]
            elif c.name in ("reset", "reset-assertions"):
                asserted, levels = [], []
        return asserted


def parse(text: str, *, terms: TermManager | None = None, filename: str | None = None,
          symbols: Optional[dict[str, Term]] = None,
          functions: Optional[dict[str, tuple[list[Term], Term]]] = None) -> Script:
    """Parse SMT-LIB v2 ``text``.  Raises ``ParseError`` / ``UnsupportedError`` with a position.

    ``symbols`` / ``functions`` (optional) are the symbol tables to start from and to fill:
    the incremental ``Solver.add`` passes the same dicts (and ``terms``) on every call, so a
    later text can use what an earlier one declared.
    """
    try:
        parser = Parser(terms or TermManager())
        if symbols is not None:
            parser.symbols = symbols
        if functions is not None:
            parser.functions = functions
        script = parser.run(text)
        script.source, script.filename = text, filename
        return script
    except InputError as e:
        raise e.locate(text, filename)


def parse_file(path: str, **tables: Any) -> Script:
    """Parse the SMT-LIB file at ``path`` (``read_source``); ``tables``: the keyword
    arguments of ``parse`` (``terms``, ``symbols``, ``functions``)."""
    return parse(read_source(path), filename=path, **tables)


def read_source(path: str) -> str:
    """The text of the SMT-LIB file at ``path``: UTF-8 (``ParseError`` at the first bad byte),
    any line ending (a lone CR ends a line, and a comment, as text mode reads)."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:  # point at the bad byte: line and column of what precedes it
        before = raw[:e.start].decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        line = before.count("\n") + 1
        col = len(before) - before.rfind("\n")
        raise ParseError(f"not UTF-8 text (byte {e.start}: 0x{raw[e.start]:02x})", line=line,
                         col=col, filename=path) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Work-stack frame kinds of the term elaborator.
_EVAL, _APPLY, _BIND, _UNBIND, _NAMED, _CALL = range(6)
# Nesting of operator applications elaborated by recursion (``Parser._applications``); below
# Python's recursion limit with room for the callers.
_RECURSION = 200


class Parser:
    """Elaborates commands one at a time (``command``); keeps the symbol tables, the logic and
    the scopes of ``push``/``pop`` between them.  ``text`` must hold the source the
    s-expressions were read from (their offsets point into it)."""

    def __init__(self, terms: Optional[TermManager] = None, text: str = ""):
        self.text = text
        self.tm = terms or TermManager()
        self.script = Script(terms=self.tm)  # logic, declarations, atom positions, warnings
        self.symbols: dict[str, Term] = {}  # declared constants and 0-ary definitions
        self.functions: dict[str, tuple[list[Term], Term]] = {}  # define-fun with parameters
        self.scopes: dict[str, list[Term]] = {}  # let bindings, innermost last
        self.exited = False
        self.numeral_sort = INT
        # the assertion stack's levels: per level, the names it added (to undo on pop)
        self.levels: list[list[tuple[dict, str]]] = [[]]
        self.global_declarations = False
        self._out: Optional[Command] = None
        # top-level commands elaborated by each front end ("compiled": ``compiled``)
        self.elaborated = {"compiled": 0, "python": 0}

    # -- errors ----------------------------------------------------------------------
    def err(self, msg: str, where: SList, index: int | None = None,
            cls: type[InputError] = ParseError) -> InputError:
        pos = where.pos if index is None else locate_child(self.text, where, index)
        return cls(msg, pos)

    # -- commands --------------------------------------------------------------------
    def run(self, text: str) -> Script:
        """Elaborate the whole script ``text`` (its commands go to ``script.commands``)."""
        self.text = text
        got = self.compiled(text)
        if got is not None:
            self.script.commands.extend(got[0])
            return self.script
        for sx in read_sexprs(text):
            if self.exited:
                break  # SMT-LIB: nothing after (exit) is read
            cmd = self.command(sx)
            if cmd is not None:
                self.script.commands.append(cmd)
        return self.script

    def compiled(self, text: str, start: int = 0, *,
                 stop: bool = False) -> Optional[tuple[list[Command], int]]:
        """The commands of ``text`` from offset ``start`` to its end elaborated by the compiled
        front end (module doc), and the offset after the last one read; ``stop``: stop after
        the first command other than set-logic, set-info, set-option, declare-fun,
        declare-const and assert (a session runs it before it reads on).  None when the front
        end is off, not built, or gives up, and for less than ``COMPILED_MIN_CHARS`` of text
        (module doc): then nothing has changed."""
        mode = os.environ.get(PARSER_ENV_VAR)
        if mode == "python" or (mode != "compiled" and len(text) - start < COMPILED_MIN_CHARS):
            return None
        front = compiled_front_end()
        if front is None:
            return None
        got = front.elaborate(text, start, stop, self.tm.table, self.tm.true, self.tm.false,
                              self.script.logic, self.script.status, self.symbols,
                              self.functions, self.script.atom_pos,
                              None if self.global_declarations else self.levels[-1])
        if got is None:
            return None
        end, commands, declared, logic, status, exited, read = got  # (names bound as ``bind`` does)
        self.script.declarations.extend(declared)
        self.script.logic, self.script.status = logic, status
        if logic is not None and SUPPORTED_LOGICS[logic] == REAL:
            self.numeral_sort = REAL
        self.exited = self.exited or bool(exited)
        self.text = text
        self.elaborated["compiled"] += read
        return commands, end

    def command(self, sx: SList) -> Optional[Command]:
        """Elaborate one top-level s-expression (None: nothing for a session to run, e.g.
        ``define-fun``).  Raises ``ParseError`` / ``UnsupportedError`` with an offset."""
        if not sx or type(sx[0]) is not str or isinstance(sx[0], (String, QSymbol)):
            raise self.err("expected a command name", sx, 0 if sx else None)
        handler = _COMMANDS.get(sx[0])
        if handler is None:
            raise self.err(f"unknown command '{sx[0]}'", sx, 0)
        self._out = None
        self.elaborated["python"] += 1
        self.scopes.clear()  # (a let left open by an error in the previous command)
        handler(self, sx)
        out, self._out = self._out, None
        if out is not None:
            out.end = getattr(sx, "end", -1)
        return out

    def add(self, name: str, sx: SList, *args: object) -> None:
        self._out = Command(name, args, sx.pos)

    def bind(self, table: dict, name: str, value: Any) -> None:
        """Declare ``name`` at the current assertion level (undone by its ``pop``)."""
        table[name] = value
        if not self.global_declarations:
            self.levels[-1].append((table, name))

    def arity(self, sx: SList, n: int) -> None:
        if len(sx) != n + 1:
            raise self.err(f"'{sx[0]}' expects {n} argument{'s' if n != 1 else ''}, got {len(sx) - 1}", sx)

    def symbol(self, sx: SList, i: int) -> str:
        a = sx[i] if i < len(sx) else None
        if type(a) is SList or a is None or isinstance(a, String) or (
                not isinstance(a, QSymbol) and (a[0].isdigit() or a[0] == ":")):
            raise self.err("expected a symbol", sx, i if i < len(sx) else None)
        return str(a)

    def sort(self, sx: SList, i: int) -> str:
        s = sx[i]
        if s in (BOOL, INT, REAL) and not isinstance(s, QSymbol):
            if s != BOOL and self.script.logic is not None:
                want = SUPPORTED_LOGICS.get(self.script.logic)
                if want is not None and want != s:
                    raise self.err(f"sort {s} is not part of logic {self.script.logic}", sx, i)
            return str(s)
        raise self.err(f"unsupported sort '{_show(s)}' (eagersmt handles Bool, Int and Real)", sx, i,
                       UnsupportedError)

    def fresh_name(self, sx: SList, i: int) -> str:
        name = self.symbol(sx, i)
        if name in RESERVED_WORDS:
            raise self.err(f"'{name}' is a reserved word, not a symbol", sx, i)
        if name in self.symbols or name in self.functions or name in _OPS or name in ("true", "false"):
            raise self.err(f"symbol '{name}' is already declared", sx, i)
        return name

    def _cmd_set_logic(self, sx: SList) -> None:
        self.arity(sx, 1)
        logic = self.symbol(sx, 1)
        if logic not in SUPPORTED_LOGICS:
            raise self.err(f"unsupported logic {logic} (supported: QF_IDL, QF_RDL, QF_LIA, "
                           "QF_UFIDL, QF_UFLIA, QF_UF, and the difference-logic part of QF_LRA)",
                           sx, 1, UnsupportedError)
        if self.script.logic is not None:
            raise self.err("the logic is already set", sx)
        self.script.logic = logic
        if SUPPORTED_LOGICS[logic] == REAL:
            self.numeral_sort = REAL
        self.add("set-logic", sx, logic)

    def _cmd_set_info(self, sx: SList) -> None:
        if len(sx) < 2 or type(sx[1]) is not str or not sx[1].startswith(":"):
            raise self.err("set-info expects a keyword", sx, 1 if len(sx) > 1 else None)
        if sx[1] == ":status" and len(sx) == 3:
            if sx[2] not in ("sat", "unsat", "unknown"):
                raise self.err("':status' must be sat, unsat or unknown", sx, 2)
            self.script.status = str(sx[2])
        self.add("set-info", sx, str(sx[1]), sx[2] if len(sx) > 2 else None)

    def _cmd_set_option(self, sx: SList) -> None:
        if len(sx) < 2 or type(sx[1]) is not str or not sx[1].startswith(":"):
            raise self.err("set-option expects a keyword", sx, 1 if len(sx) > 1 else None)
        if sx[1] not in KNOWN_OPTIONS:
            self.script.warnings.append(
                self.err(f"unknown option {sx[1]} ignored", sx, 1, UnsupportedError))
        elif sx[1] == ":global-declarations" and len(sx) == 3:
            self.global_declarations = sx[2] == "true"
        self.add("set-option", sx, str(sx[1]), sx[2] if len(sx) > 2 else None)

    def _cmd_declare_fun(self, sx: SList) -> None:
        self.arity(sx, 3)
        name = self.fresh_name(sx, 1)
        if type(sx[2]) is not SList:
            raise self.err("expected a list of argument sorts", sx, 2)
        if sx[2]:  # an uninterpreted function: called like a define-fun whose body applies it
            formals = [self.tm.param((name, k), self.sort(sx[2], k)) for k in range(len(sx[2]))]
            if any(f.sort == REAL for f in formals) or self.sort(sx, 3) == REAL:
                raise self.err("uninterpreted functions over Real are not supported", sx, 2,
                               UnsupportedError)
            body = self.tm.apply(name, tuple(formals), self.sort(sx, 3))
            self.bind(self.functions, name, (formals, body))
            return
        self._declare(name, self.sort(sx, 3), sx)

    def _cmd_declare_const(self, sx: SList) -> None:
        self.arity(sx, 2)
        self._declare(self.fresh_name(sx, 1), self.sort(sx, 2), sx)

    def _declare(self, name: str, sort: str, sx: SList) -> None:
        v = self.tm.var(name, sort)
        self.bind(self.symbols, name, v)
        self.script.declarations.append(v)
        self.add("declare", sx, v)

    def _cmd_define_fun(self, sx: SList) -> None:
        self.arity(sx, 4)
        name = self.fresh_name(sx, 1)
        params = sx[2]
        if type(params) is not SList:
            raise self.err("expected a list of parameters", sx, 2)
        formals: list[Term] = []
        names: list[str] = []
        for k, p in enumerate(params):
            if type(p) is not SList or len(p) != 2:
                raise self.err("a parameter is '(name Sort)'", params, k)
            pname = self.symbol(p, 0)
            formals.append(self.tm.param((name, k), self.sort(p, 1)))
            names.append(pname)
        sort = self.sort(sx, 3)
        for pname, f in zip(names, formals):
            self.scopes.setdefault(pname, []).append(f)
        try:
            body = self.term(sx, 4)
        finally:
            for pname in names:
                self.scopes[pname].pop()
        self.check_sort(body, sort, sx, 4)
        if formals:
            self.bind(self.functions, name, (formals, body))
        else:
            self.bind(self.symbols, name, body)

    def _cmd_assert(self, sx: SList) -> None:
        self.arity(sx, 1)
        t = self.term(sx, 1)
        self.check_sort(t, BOOL, sx, 1)
        a = sx[1]
        names: tuple[str, ...] = ()
        if type(a) is SList and a and a[0] == "!" and type(a[0]) is str:
            names = tuple(str(a[k + 1]) for k in range(2, len(a) - 1, 2) if a[k] == ":named")
        self.add("assert", sx, t, names)

    # -- the assertion stack -------------------------------------------------------------
    def _levels_arg(self, sx: SList) -> int:
        """The numeral of ``(push n)`` / ``(pop n)``; 1 when left out (as Z3 allows)."""
        if len(sx) == 1:
            return 1
        self.arity(sx, 1)
        n = sx[1]
        if type(n) is not str or not _NUMERAL.fullmatch(n) or len(n) > 9:
            raise self.err(f"'{sx[0]}' expects a numeral", sx, 1)
        return int(n)

    def _cmd_push(self, sx: SList) -> None:
        n = self._levels_arg(sx)
        self.levels.extend([] for _ in range(n))
        self.add("push", sx, n)

    def _cmd_pop(self, sx: SList) -> None:
        n = self._levels_arg(sx)
        if n > len(self.levels) - 1:
            raise self.err(f"cannot pop {n} level{'s' if n != 1 else ''}: "
                           f"{len(self.levels) - 1} pushed", sx, 1 if len(sx) > 1 else None)
        self.pop_levels(n)
        self.add("pop", sx, n)

    def pop_levels(self, n: int) -> None:
        """Remove the names the ``n`` innermost levels declared (and those levels)."""
        for _ in range(n):
            for table, name in reversed(self.levels.pop()):
                del table[name]

    def _cmd_reset_assertions(self, sx: SList) -> None:
        self.arity(sx, 0)
        self.pop_levels(len(self.levels) - 1)
        self.pop_levels(1)  # level 0's declarations too (SMT-LIB 2.6; kept when global)
        self.levels.append([])
        self.add("reset-assertions", sx)

    def _cmd_reset(self, sx: SList) -> None:
        self.arity(sx, 0)
        self.symbols.clear()
        self.functions.clear()
        self.levels = [[]]
        self.global_declarations = False
        self.numeral_sort = INT
        self.script.logic = None
        self.add("reset", sx)

    def _cmd_get_unsat_core(self, sx: SList) -> None:
        self.arity(sx, 0)
        self.add("get-unsat-core", sx)

    def _cmd_get_unsat_assumptions(self, sx: SList) -> None:
        self.arity(sx, 0)
        self.add("get-unsat-assumptions", sx)

    def _cmd_get_assertions(self, sx: SList) -> None:
        self.arity(sx, 0)
        self.add("get-assertions", sx)

    def _cmd_get_option(self, sx: SList) -> None:
        self.arity(sx, 1)
        if type(sx[1]) is not str or not sx[1].startswith(":"):
            raise self.err("get-option expects a keyword", sx, 1)
        self.add("get-option", sx, str(sx[1]))

    def _cmd_check_sat(self, sx: SList) -> None:
        self.arity(sx, 0)
        self.add("check-sat", sx)

    def _cmd_check_sat_assuming(self, sx: SList) -> None:
        self.arity(sx, 1)
        if type(sx[1]) is not SList:
            raise self.err("expected a list of assumptions", sx, 1)
        lits = []
        for k in range(len(sx[1])):
            t = self.term(sx[1], k)
            self.check_sort(t, BOOL, sx[1], k)
            lits.append(t)
        self.add("check-sat", sx, *lits)

    def _cmd_check_sat_using(self, sx: SList) -> None:
        """Z3's ``(check-sat-using TACTIC)``: a ``check-sat`` (the tactic is ignored, with a
        warning: eagersmt has one decision procedure)."""
        if len(sx) < 2:
            raise self.err("'check-sat-using' expects a tactic", sx)
        self.script.warnings.append(self.err(
            "check-sat-using: the tactic is ignored (a check-sat)", sx, 1, UnsupportedError))
        self.add("check-sat", sx)

    def _cmd_get_model(self, sx: SList) -> None:
        self.arity(sx, 0)
        self.add("get-model", sx)

    def _cmd_get_value(self, sx: SList) -> None:
        self.arity(sx, 1)
        if type(sx[1]) is not SList or not sx[1]:
            raise self.err("get-value expects a non-empty list of terms", sx, 1)
        ts = tuple(self.term(sx[1], k) for k in range(len(sx[1])))
        texts = tuple(self.text[_span(self.text, sx[1], k)] for k in range(len(sx[1])))
        self.add("get-value", sx, ts, texts)

    def _cmd_minimize(self, sx: SList) -> None:
        self._objective(sx, "minimize")

    def _cmd_maximize(self, sx: SList) -> None:
        self._objective(sx, "maximize")

    def _objective(self, sx: SList, sense: str) -> None:
        """``(minimize t [:id name] ...)`` (the OMT extension Z3 reads): args ``(term, text)``."""
        if len(sx) < 2:
            raise self.err(f"'{sx[0]}' expects a term", sx)
        for k in range(2, len(sx), 2):
            if type(sx[k]) is not str or not sx[k].startswith(":") or k + 1 >= len(sx):
                raise self.err("expected an attribute ':id NAME' or ':weight N'", sx, k)
        t = self.term(sx, 1)
        if t.sort == BOOL:
            raise self.err(f"'{sx[0]}' expects a numeric term, got a Bool", sx, 1)
        self.add(sense, sx, t, self.text[_span(self.text, sx, 1)])

    def _cmd_get_objectives(self, sx: SList) -> None:
        self.arity(sx, 0)
        self.add("get-objectives", sx)

    def _cmd_get_info(self, sx: SList) -> None:
        self.arity(sx, 1)
        self.add("get-info", sx, str(sx[1]))

    def _cmd_echo(self, sx: SList) -> None:
        self.arity(sx, 1)
        if not isinstance(sx[1], String):
            raise self.err("echo expects a string", sx, 1)
        self.add("echo", sx, str(sx[1]))

    def _cmd_exit(self, sx: SList) -> None:
        self.arity(sx, 0)
        self.add("exit", sx)
        self.exited = True

    def _unsupported_cmd(self, sx: SList) -> None:
        why = _UNSUPPORTED_COMMANDS[sx[0]]
        raise self.err(f"command '{sx[0]}' is not supported ({why})", sx, 0, UnsupportedCommand)

    # -- terms -----------------------------------------------------------------------
    def check_sort(self, t: Term, sort: str, sx: SList, i: int) -> None:
        if t.sort != sort:
            raise self.err(f"expected a term of sort {sort}, got {t.sort}", sx, i)

    def term(self, parent: SList, index: int) -> Term:
        """Elaborate ``parent[index]``: an application of operators to atoms and such
        applications (the bulk of a file) by ``_applications``, anything else by the work
        stack of ``_stacked`` (see module doc)."""
        x = parent[index]
        if type(x) is SList:
            return self._applications(x, 0)
        return self._atom(x, parent, index)

    def _applications(self, x: SList, depth: int) -> Term:
        """Elaborate ``x`` by recursion while it applies operators (``_OPS``): what the work
        stack does for it, in the same order (head checked, arguments left to right, then
        the operator), without its frames; any other term, or one nested deeper than
        ``_RECURSION``, goes to ``_stacked``."""
        head = x[0] if x else None
        if type(head) is not str or head not in _OPS or depth > _RECURSION or self.scopes.get(head):
            return self._stacked(x)
        n = len(x) - 1
        if n == 0:
            raise self.err(f"operator '{head}' needs arguments", x)
        args = []
        scopes, symbols = self.scopes, self.symbols
        for k in range(1, n + 1):
            a = x[k]
            if type(a) is SList:
                args.append(self._applications(a, depth + 1))
                continue
            # a declared name, looked up first when _atom would find it first (not a numeral,
            # '#' literal or keyword: a quoted |12| is declared as '12'; not let-bound)
            if type(a) is str and not a[0].isdigit() and a[0] not in "#:" and not scopes.get(a):
                t = symbols.get(a)
                if t is not None:
                    args.append(t)
                    continue
            args.append(self._atom(a, x, k))
        t = _OPS[head](self, args, x)
        if head in _ATOM_OPS:
            self.script.atom_pos.setdefault(t, x.pos)
        return t

    def _stacked(self, x: SList) -> Term:
        """Elaborate the list ``x`` with an explicit work stack (any depth; see module doc)."""
        values: list[Term] = []
        work: list[tuple] = [(_EVAL, x, None, None)]
        scopes = self.scopes
        while work:
            frame = work.pop()
            kind = frame[0]
            if kind == _EVAL:
                x = frame[1]
                if type(x) is SList:
                    self._expand(x, work, values)
                else:
                    values.append(self._atom(x, frame[2], frame[3]))
            elif kind == _APPLY:
                _, op, n, x = frame
                args = values[len(values) - n:]
                del values[len(values) - n:]
                values.append(self._applied(op, args, x))
            elif kind == _BIND:
                _, names, x = frame
                n = len(names)
                bound = values[len(values) - n:]
                del values[len(values) - n:]
                for name, v in zip(names, bound):
                    scopes.setdefault(name, []).append(v)
            elif kind == _UNBIND:
                for name in frame[1]:
                    scopes[name].pop()
            elif kind == _NAMED:
                _, name, x, i = frame
                if name in self.symbols or name in self.functions or name in _OPS:
                    raise self.err(f"symbol '{name}' is already declared", x, i)
                self.bind(self.symbols, name, values[-1])
            else:  # _CALL
                _, fname, n, x = frame
                args = values[len(values) - n:]
                del values[len(values) - n:]
                values.append(self._called(fname, args, x))
        return values[0]

    def _applied(self, op: str, args: list[Term], x: SList) -> Term:
        """Operator ``op`` of ``x`` applied to its elaborated ``args``."""
        t = _OPS[op](self, args, x)
        if op in _ATOM_OPS:
            self.script.atom_pos.setdefault(t, x.pos)
        return t

    def _called(self, fname: str, args: list[Term], x: SList) -> Term:
        """Defined (or uninterpreted) function ``fname`` of ``x`` applied to ``args``."""
        formals, body = self.functions[fname]
        for k, (f, a) in enumerate(zip(formals, args)):
            if f.sort != a.sort:
                raise self.err(f"argument {k + 1} of '{fname}' must have sort {f.sort}, "
                               f"got {a.sort}", x, k + 1)
        return self.tm.substitute(body, dict(zip(formals, args)))

    def _atom(self, a: str, parent: SList, index: int) -> Term:
        if type(a) is str:
            c = a[0]
            if c.isdigit():
                if len(a) > MAX_NUMERAL_DIGITS:  # int() refuses > 4300 digits; so does printing
                    raise self.err(f"numeral of {len(a)} characters is too large (eagersmt reads "
                                   f"at most {MAX_NUMERAL_DIGITS})", parent, index, UnsupportedError)
                if _NUMERAL.fullmatch(a):  # numerals are Real in the real logics
                    return self.tm.const(int(a), self.numeral_sort)
                if _DECIMAL.fullmatch(a):
                    return self.tm.const(Fraction(a), REAL)
                raise self.err(f"malformed numeral '{a}'", parent, index)
            if c == "#":
                raise self.err(f"bit-vector literal '{a}' is not supported", parent, index,
                               UnsupportedError)
            if c == ":":
                raise self.err(f"unexpected keyword '{a}'", parent, index)
        elif isinstance(a, String):
            raise self.err("string literals are not supported in terms", parent, index,
                           UnsupportedError)
        stack = self.scopes.get(a)
        if stack:
            return stack[-1]
        t = self.symbols.get(a)
        if t is not None:
            return t
        if a == "true":
            return self.tm.true
        if a == "false":
            return self.tm.false
        if type(a) is str and a[0] == "-" and _NEGATIVE.fullmatch(a):  # -2, no symbol '-2' (as Z3)
            if len(a) > MAX_NUMERAL_DIGITS:
                raise self.err(f"numeral of {len(a)} characters is too large (eagersmt reads "
                               f"at most {MAX_NUMERAL_DIGITS})", parent, index, UnsupportedError)
            if "." in a:
                return self.tm.const(Fraction(a), REAL)
            return self.tm.const(int(a), self.numeral_sort)
        if a in self.functions:
            raise self.err(f"function '{a}' needs arguments", parent, index)
        if a in _OPS:
            raise self.err(f"operator '{a}' needs arguments", parent, index)
        raise self.err(f"unknown symbol '{a}'", parent, index)

    def _expand(self, x: SList, work: list, values: list) -> None:
        """Check the head of ``x`` and push the frames that elaborate it onto ``work``; an
        application whose arguments are all atoms is elaborated at once into ``values``
        (its atoms in order, then the application: what those frames would do next)."""
        if not x:
            raise self.err("empty term '()'", x)
        head = x[0]
        if type(head) is SList:
            raise self.err("indexed or qualified function symbols are not supported", x, 0,
                           UnsupportedError)
        n = len(x) - 1
        if type(head) is str and head in _OPS and not self.scopes.get(head):  # the common case
            if n == 0:
                raise self.err(f"operator '{head}' needs arguments", x)
            self._push(x, n, (_APPLY, head, n, x), work, values)
            return
        if head == "let" and type(head) is str:
            if n != 2 or type(x[1]) is not SList or not x[1]:
                raise self.err("let expects a non-empty list of bindings and a body", x)
            names = []
            for k, b in enumerate(x[1]):
                if type(b) is not SList or len(b) != 2:
                    raise self.err("a let binding is '(name term)'", x[1], k)
                names.append(self.symbol(b, 0))
            if len(set(names)) != len(names):
                raise self.err("a let binds the same name twice", x, 1)
            work.append((_UNBIND, names))
            work.append((_EVAL, x[2], x, 2))
            work.append((_BIND, names, x))
            for k in range(len(x[1]) - 1, -1, -1):
                work.append((_EVAL, x[1][k][1], x[1][k], 1))
            return
        if head == "!" and type(head) is str:
            if n < 1:
                raise self.err("'!' expects a term and attributes", x)
            for k in range(2, len(x), 2):
                if type(x[k]) is not str or not x[k].startswith(":"):
                    raise self.err("expected an attribute keyword", x, k)
                if x[k] == ":named":
                    if k + 1 >= len(x):
                        raise self.err(":named expects a symbol", x, k)
                    work.append((_NAMED, self.symbol(x, k + 1), x, k + 1))
            work.append((_EVAL, x[1], x, 1))
            return
        if head in ("forall", "exists"):
            raise self.err("quantifiers are not supported", x, 0, UnsupportedError)
        if head in ("_", "as"):
            raise self.err(f"'{head}' terms are not supported", x, 0, UnsupportedError)
        if isinstance(head, String) or head[0].isdigit():
            raise self.err(f"'{_show(head)}' is not a function", x, 0)
        if head in self.functions and not self.scopes.get(head):
            formals = self.functions[head][0]
            if n != len(formals):
                raise self.err(f"'{head}' expects {len(formals)} arguments, got {n}", x)
            frame: tuple = (_CALL, head, n, x)
        elif head in _UNSUPPORTED_OPS:
            raise self.err(f"operator '{head}' is not supported ({_UNSUPPORTED_OPS[head]})", x, 0,
                           UnsupportedError)
        elif self.scopes.get(head) or head in self.symbols or head in ("true", "false"):
            raise self.err(f"'{head}' is not a function", x, 0)
        else:
            raise self.err(f"unknown function '{head}'", x, 0)
        self._push(x, n, frame, work, values)

    def _push(self, x: SList, n: int, frame: tuple, work: list, values: list) -> None:
        """Push ``frame`` (the application of ``x``) and the evaluation of its ``n``
        arguments; when they are all atoms, do at once what those frames would do next."""
        for k in range(1, n + 1):
            if type(x[k]) is SList:
                break
        else:  # only atoms
            atom = self._atom
            args = [atom(x[k], x, k) for k in range(1, n + 1)]
            if frame[0] == _APPLY:
                values.append(self._applied(frame[1], args, x))
            else:
                values.append(self._called(frame[1], args, x))
            return
        work.append(frame)
        for k in range(n, 0, -1):
            work.append((_EVAL, x[k], x, k))

    # -- operator helpers --------------------------------------------------------------
    def bools(self, args: list[Term], x: SList) -> list[Term]:
        for k, a in enumerate(args):
            if a.sort != BOOL:
                raise self.err(f"'{x[0]}' expects Bool arguments, argument {k + 1} has sort {a.sort}",
                               x, k + 1)
        return args

    def numbers(self, args: list[Term], x: SList) -> list[Term]:
        """Check arithmetic arguments; numerals in Real context become Real constants."""
        for a in args:
            if a.sort != INT:
                break
        else:  # all Int (the integer logics): nothing to check or convert
            return args
        sorts = set()
        for k, a in enumerate(args):
            if a.sort == BOOL:
                raise self.err(f"'{x[0]}' expects numeric arguments, argument {k + 1} is Bool",
                               x, k + 1)
            if a.op != T.CONST:
                sorts.add(a.sort)
        if REAL in sorts and INT in sorts:
            raise self.err(f"'{x[0]}' mixes Int and Real terms (mixed integer/real arithmetic is "
                           "not supported)", x, 0, UnsupportedError)
        target = REAL if REAL in sorts or (not sorts and any(a.sort == REAL for a in args)) else INT
        if target == REAL:
            return [self.tm.const(a.val, REAL) if a.op == T.CONST and a.sort == INT else a for a in args]
        for k, a in enumerate(args):
            if a.sort == REAL:
                raise self.err(f"'{x[0]}' mixes Int and Real terms", x, k + 1)
        return args

    def same_sort(self, args: list[Term], x: SList) -> list[Term]:
        if args[0].sort == BOOL:
            return self.bools(args, x)
        return self.numbers(args, x)


_front_end: Any = None  # the set-up extension module, or why there is none (a str)


def compiled_front_end() -> Any:
    """The compiled front end (``native/smtparse.c``, set up with this module's classes and
    tables), or None: not built here (``native.build.extension("smtparse")`` says why)."""
    global _front_end
    if _front_end is None:
        from ..native.build import extension

        front = extension("smtparse")
        if not isinstance(front, str):
            front.setup(Term, Command, QSymbol, String, Fraction,
                        (T.CONST, T.VAR, T.PARAM, T.NOT, T.AND, T.OR, T.ITE, T.IFF, T.EQ, T.LE,
                         T.LT, T.ADD, T.MUL, T.APPLY), (BOOL, INT, REAL), SUPPORTED_LOGICS,
                        KNOWN_OPTIONS)
        _front_end = front
    return None if isinstance(_front_end, str) else _front_end


def _span(text: str, parent: SList, index: int) -> slice:
    """Source text slice of ``parent[index]`` (for echoing get-value terms as written)."""
    start = locate_child(text, parent, index)
    el = parent[index]
    if type(el) is SList:
        depth = 0
        for j in range(start, len(text)):
            ch = text[j]
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    return slice(start, j + 1)
        return slice(start, len(text))
    end = start
    while end < len(text) and not text[end].isspace() and text[end] not in "()":
        end += 1
    if text[start] == "|":
        end = text.index("|", start + 1) + 1
    return slice(start, end)


def _show(a: object) -> str:
    return a if isinstance(a, str) else f"({' '.join(map(_show, a))})"  # type: ignore[call-overload]


# -- operators ---------------------------------------------------------------------------
def _chain(p: Parser, args: list[Term], x: SList, make: Callable[[Term, Term], Term]) -> Term:
    if len(args) < 2:
        raise p.err(f"'{x[0]}' expects at least 2 arguments", x)
    if len(args) == 2:  # one link: the conjunction of one term that is no conjunction is it
        t = make(args[0], args[1])
        return t if t.op != T.AND else p.tm.and_((t,))
    return p.tm.and_(make(args[i], args[i + 1]) for i in range(len(args) - 1))


def _op_not(p: Parser, a: list[Term], x: SList) -> Term:
    if len(a) != 1:
        raise p.err("'not' expects 1 argument", x)
    return p.tm.not_(p.bools(a, x)[0])


def _op_implies(p: Parser, a: list[Term], x: SList) -> Term:
    p.bools(a, x)
    if len(a) < 2:
        raise p.err("'=>' expects at least 2 arguments", x)
    r = a[-1]
    for t in reversed(a[:-1]):  # right associative
        r = p.tm.implies(t, r)
    return r


def _op_xor(p: Parser, a: list[Term], x: SList) -> Term:
    p.bools(a, x)
    if len(a) < 2:
        raise p.err("'xor' expects at least 2 arguments", x)
    r = a[0]
    for t in a[1:]:  # left associative
        r = p.tm.xor(r, t)
    return r


def _op_ite(p: Parser, a: list[Term], x: SList) -> Term:
    if len(a) != 3:
        raise p.err("'ite' expects 3 arguments", x)
    if a[0].sort != BOOL:
        raise p.err("the condition of 'ite' must be Bool", x, 1)
    t, e = p.same_sort(a[1:], x) if a[1].sort != BOOL or a[2].sort != BOOL else a[1:]
    if t.sort != e.sort:
        raise p.err(f"'ite' branches have different sorts ({t.sort}, {e.sort})", x)
    return p.tm.ite(a[0], t, e)


def _op_eq(p: Parser, a: list[Term], x: SList) -> Term:
    if len(a) < 2:
        raise p.err("'=' expects at least 2 arguments", x)
    if len({t.sort == BOOL for t in a}) != 1:
        raise p.err("'=' compares terms of different sorts", x)
    a = p.same_sort(a, x)
    return _chain(p, a, x, p.tm.eq)


def _op_distinct(p: Parser, a: list[Term], x: SList) -> Term:
    if len(a) < 2:
        raise p.err("'distinct' expects at least 2 arguments", x)
    if len({t.sort == BOOL for t in a}) != 1:
        raise p.err("'distinct' compares terms of different sorts", x)
    return p.tm.distinct(p.same_sort(a, x))


def _cmp(make: str) -> Callable[[Parser, list[Term], SList], Term]:
    def op(p: Parser, a: list[Term], x: SList) -> Term:
        return _chain(p, p.numbers(a, x), x, getattr(p.tm, make))
    return op


def _op_add(p: Parser, a: list[Term], x: SList) -> Term:
    return p.tm.add(p.numbers(a, x))


def _op_sub(p: Parser, a: list[Term], x: SList) -> Term:
    a = p.numbers(a, x)
    if len(a) == 1:
        return p.tm.neg(a[0])
    return p.tm.add([a[0]] + [p.tm.neg(t) for t in a[1:]])


def _op_mul(p: Parser, a: list[Term], x: SList) -> Term:
    a = p.numbers(a, x)
    coef: object = 1
    rest: Term | None = None
    for k, t in enumerate(a):
        if t.op == T.CONST:
            coef = coef * t.val  # type: ignore[operator]
        elif rest is None:
            rest = t
        else:
            raise p.err("non-linear multiplication (both factors are variables) is not supported",
                        x, k + 1, UnsupportedError)
    if rest is None:
        return p.tm.const(coef, a[0].sort)
    return p.tm.mul(coef, rest)  # type: ignore[arg-type]


def _op_div(p: Parser, a: list[Term], x: SList) -> Term:
    if any(t.sort == INT and t.op != T.CONST for t in a) or p.script.logic in ("QF_IDL", "QF_LIA"):
        raise p.err("real division '/' is not supported in integer logics", x, 0, UnsupportedError)
    a = [p.tm.const(t.val, REAL) if t.op == T.CONST else t for t in p.numbers(a, x)]
    if len(a) < 2:
        raise p.err("'/' expects at least 2 arguments", x)
    r = a[0]
    for k, t in enumerate(a[1:], start=2):
        if t.op != T.CONST:
            raise p.err("division by a non-constant is not supported", x, k, UnsupportedError)
        if t.val == 0:
            raise p.err("division by zero", x, k, UnsupportedError)
        r = p.tm.mul(Fraction(1) / t.val, r)  # type: ignore[operator]
    return r


def _int_by_constant(make: str) -> Callable[[Parser, list[Term], SList], Term]:
    """``div`` / ``mod`` by a non-zero integer constant (linear; other divisors: an error)."""
    def op(p: Parser, a: list[Term], x: SList) -> Term:
        if len(a) != 2:
            raise p.err(f"'{x[0]}' expects 2 arguments", x)
        for k, t in enumerate(a):
            if t.sort != INT:
                raise p.err(f"'{x[0]}' expects Int arguments", x, k + 1)
        if a[1].op != T.CONST:
            raise p.err(f"'{x[0]}' by a non-constant is not supported (non-linear)", x, 2,
                        UnsupportedError)
        if a[1].val == 0:
            raise p.err(f"'{x[0]}' by zero is not supported", x, 2, UnsupportedError)
        return getattr(p.tm, make)(a[0], int(a[1].val))  # type: ignore[arg-type]
    return op


def _op_abs(p: Parser, a: list[Term], x: SList) -> Term:
    if len(a) != 1 or a[0].sort != INT:
        raise p.err("'abs' expects 1 Int argument", x)
    return p.tm.abs_(a[0])


_OPS: dict[str, Callable[[Parser, list[Term], SList], Term]] = {
    "not": _op_not,
    "and": lambda p, a, x: p.tm.and_(p.bools(a, x)),
    "or": lambda p, a, x: p.tm.or_(p.bools(a, x)),
    "=>": _op_implies,
    "xor": _op_xor,
    "ite": _op_ite,
    "=": _op_eq,
    "distinct": _op_distinct,
    "<=": _cmp("le"),
    "<": _cmp("lt"),
    ">=": _cmp("ge"),
    ">": _cmp("gt"),
    "+": _op_add,
    "-": _op_sub,
    "*": _op_mul,
    "/": _op_div,
    "div": _int_by_constant("div"),
    "mod": _int_by_constant("mod"),
    "abs": _op_abs,
}

_ATOM_OPS = frozenset(("=", "distinct", "<=", "<", ">=", ">"))

_UNSUPPORTED_OPS = {
    "to_real": "mixed integer/real arithmetic", "to_int": "mixed integer/real arithmetic",
    "is_int": "mixed integer/real arithmetic", "select": "arrays", "store": "arrays",
}

_COMMANDS: dict[str, Callable[[Parser, SList], None]] = {
    "set-logic": Parser._cmd_set_logic,
    "set-info": Parser._cmd_set_info,
    "set-option": Parser._cmd_set_option,
    "declare-fun": Parser._cmd_declare_fun,
    "declare-const": Parser._cmd_declare_const,
    "define-fun": Parser._cmd_define_fun,
    "assert": Parser._cmd_assert,
    "check-sat": Parser._cmd_check_sat,
    "check-sat-assuming": Parser._cmd_check_sat_assuming,
    "check-sat-using": Parser._cmd_check_sat_using,
    "get-model": Parser._cmd_get_model,
    "get-value": Parser._cmd_get_value,
    "get-info": Parser._cmd_get_info,
    "minimize": Parser._cmd_minimize,
    "maximize": Parser._cmd_maximize,
    "get-objectives": Parser._cmd_get_objectives,
    "echo": Parser._cmd_echo,
    "exit": Parser._cmd_exit,
}
_COMMANDS.update({
    "push": Parser._cmd_push,
    "pop": Parser._cmd_pop,
    "reset": Parser._cmd_reset,
    "reset-assertions": Parser._cmd_reset_assertions,
    "get-assertions": Parser._cmd_get_assertions,
    "get-unsat-core": Parser._cmd_get_unsat_core,
    "get-unsat-assumptions": Parser._cmd_get_unsat_assumptions,
    "get-option": Parser._cmd_get_option,
})
# Commands of the standard (and Z3's check-sat-using) that eagersmt does not implement.
_UNSUPPORTED_COMMANDS = {
    "declare-sort": "uninterpreted sorts; eagersmt decides Bool, Int and Real difference logic",
    "define-sort": "sort definitions; eagersmt decides Bool, Int and Real difference logic",
    "declare-datatype": "algebraic datatypes", "declare-datatypes": "algebraic datatypes",
    "define-fun-rec": "recursive functions", "define-funs-rec": "recursive functions",
    "get-proof": "use 'eagersmt solve --proof DIR' for a checkable certificate",
    "get-assignment": "use get-value",
    "get-model-values": "use get-value", "declare-heap": "separation logic",
}
for _name in _UNSUPPORTED_COMMANDS:
    _COMMANDS[_name] = Parser._unsupported_cmd
