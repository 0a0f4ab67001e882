"""The SMT-LIB session: reads commands one at a time and answers each, as an SMT solver does.

The one script runner of eagersmt: ``eagersmt solve`` (a file, standard input, the
interactive mode), the Ray job's ``job-run``, ``eagersmt optimize`` and ``api.solve_file`` /
``solve_smtlib`` all run their scripts through a ``Session``.  Text goes in with ``feed``
(any pieces: a whole file, or what arrives on a pipe); each command is elaborated
(``smtlib.Parser``) and run as soon as its closing parenthesis has been read, and its output
lines are yielded at once.  One handler per command (``_HANDLERS``); the assertion stack and
``check-sat`` are the ``context.Context``'s (shared with the Python ``Solver``).

Errors: a command of the standard that eagersmt does not implement (``declare-sort``, ...)
is answered ``(error "...")`` and the script goes on, as in Z3 and cvc5.  Any other bad
input raises ``InputError`` (the CLI prints ``error: FILE:LINE:COL: ...``, exit 1) unless
the session is ``interactive``: then every error is an ``(error "line L column C: ...")``
answer and the session goes on.  Libraries return, the CLI prints: ``feed`` yields the lines
and says where they belong (``regular_channel``); warnings go to ``warn``.
"""

from __future__ import annotations

import os
import time
from typing import Callable, Iterator, Optional, Sequence

from .config import Config
from .context import Context
from .core import Source
from .errors import InputError
from .ir.terms import Term
from .result import Result, Status
from .smtlib.parser import KNOWN_OPTIONS, Command, Parser, UnsupportedCommand
from .smtlib.printer import format_model, format_value, quote_symbol, term_to_smtlib
from .smtlib.tokenizer import Reader, SList

class Session:
    """The state of one SMT-LIB session: parser, assertion stack, options, answers.

    ``interactive``: every error is an ``(error ...)`` answer and the session goes on
    (``eagersmt solve --interactive``).  ``check_sats``: how many ``check-sat`` the script
    has when that is known (a file); with one, ``--proof DIR`` writes ``DIR`` itself, else
    ``DIR/check-sat-N``.  ``warn``: called with each warning (an unknown option).
    """

    def __init__(self, *, config: Config = Config(), interactive: bool = False,
                 filename: Optional[str] = None, check_sats: Optional[int] = None,
                 warn: Optional[Callable[[InputError], None]] = None):
        self.config = config
        self.interactive = interactive
        self.filename = filename
        self.check_sats = check_sats
        self.warn = warn
        self.reader = Reader()
        self.parser = Parser()
        self.context = Context(config, positions=self.parser.script.atom_pos, terms=self.parser.tm)
        self.results: list[Result] = []
        self.objectives: list = []  # optimize.Objective, from (minimize t) / (maximize t)
        self.objective_marks: list[int] = []
        self.optima: list = []  # optimize.Optimum of the last check-sat with objectives
        self.options = dict(KNOWN_OPTIONS)
        self.exited = False
        self.model_ok = False  # get-model / get-value: right after a sat check-sat only
        self.assumptions: list[Term] = []  # of the last check-sat-assuming
        self.parse_s = 0.0  # time spent elaborating commands
        # ``(set-option :regular-output-channel X)``: where the lines ``feed`` yields from then
        # on belong ("stdout", "stderr" or a file name); the caller (the CLI) routes them.
        self.regular_channel = "stdout"
        self.regular_channel_pos: Optional[int] = None  # source offset of that set-option

    @property
    def print_success(self) -> bool:
        return self.options[":print-success"] == "true"

    @property
    def last(self) -> Optional[Result]:
        return self.results[-1] if self.results else None

    @property
    def text(self) -> str:
        """The source read so far (error positions are offsets into it)."""
        return self.reader.text

    def locate(self, e: InputError) -> InputError:
        return e.locate(self.reader.text, self.filename)

    # -- input -------------------------------------------------------------------------
    def run_text(self, text: str) -> Iterator[str]:
        """Run a whole script (a file's text), yielding what an SMT solver prints."""
        if self.config.proof is not None and self.check_sats is None:
            self.check_sats = count_check_sats(text)
        return self.feed(text, final=True)

    def feed(self, chunk: str, *, final: bool = False) -> Iterator[str]:
        """Read ``chunk`` (the next piece of the input) and run every command it completes,
        yielding their output lines as they come; ``final``: the input ends here."""
        if final and not self.interactive and not self.reader.pending:
            yield from self._compiled(chunk)
            chunk = ""
        commands = self.reader.feed(chunk, final=final)
        while not self.exited:
            try:
                sx = next(commands)
            except StopIteration:
                return
            except InputError as e:  # malformed s-expressions: the reader skipped them
                yield from self._failed(e)
                commands = self.reader.feed("", final=final)
                continue
            yield from self.command(sx)

    def _compiled(self, chunk: str) -> Iterator[str]:
        """Run the commands the compiled front end elaborates (``Parser.compiled``), a
        stretch at a time: up to the next command the session must run before it reads on
        (``check-sat``, ...), so terms are made in the order the reader's way makes them.
        Stops where it gives up; the reader goes on from there."""
        reader = self.reader
        text = reader.text = reader.text + chunk if reader.text else chunk
        while not self.exited and reader.pos < len(text):
            t0 = time.perf_counter()
            got = self.parser.compiled(text, reader.pos, stop=True)
            self.parse_s += time.perf_counter() - t0
            if got is None:
                return
            commands, reader.pos = got
            for cmd in commands:
                yield from self._run(cmd)

    def command(self, sx: SList) -> Iterator[str]:
        """Elaborate and run one top-level s-expression (its handler, ``_HANDLERS``),
        yielding its output lines."""
        try:
            t0 = time.perf_counter()
            self.parser.text = self.reader.text
            try:
                cmd = self.parser.command(sx)
            finally:
                self.parse_s += time.perf_counter() - t0
                self._warnings()
        except InputError as e:
            yield from self._failed(e)
            return
        if cmd is None:  # a definition
            if self.print_success:
                yield "success"
            return
        yield from self._run(cmd)

    def _run(self, cmd: Command) -> Iterator[str]:
        """Run an elaborated command (its handler), yielding its output lines."""
        try:
            handler = _HANDLERS.get(cmd.name)
            lines = handler(self, cmd) if handler is not None else None
            if lines is not None:
                yield from lines
            elif self.print_success:
                yield "success"
        except InputError as e:
            yield from self._failed(e)

    def _failed(self, e: InputError) -> Iterator[str]:
        """The answer to a command that failed: ``(error ...)``, or raise (module doc)."""
        self.locate(e)
        if not (self.interactive or isinstance(e, UnsupportedCommand)):
            raise e
        where = f"line {e.line} column {e.col}: " if e.line is not None else ""
        yield '(error "' + (where + e.message).replace('"', '""') + '")'

    def _warnings(self) -> None:
        warnings = self.parser.script.warnings
        for w in warnings:
            if self.warn is not None:
                self.warn(self.locate(w))
        warnings.clear()

    # -- solving ------------------------------------------------------------------------
    def check_sat(self, assumptions: Sequence[Term] = ()) -> Result:
        """Decide the assertions (and ``assumptions``); a certificate with ``config.proof``."""
        index = len(self.results) + 1
        proof_dir = self._proof_dir(index)
        self.context.logic = self.parser.script.logic
        source = None if proof_dir is None else Source(self.reader.text, self.filename, index)
        try:
            res = self.context.check(assumptions, proof_dir=proof_dir, source=source)
        except InputError as e:
            raise self.locate(e) from None
        if proof_dir is not None and res.status != Status.UNSAT \
                and proof_dir != self.config.proof:
            try:  # no certificate for this check-sat: drop its (empty) directory
                os.rmdir(proof_dir)
            except OSError:
                pass
        self.results.append(res)
        return res

    def optimize(self, assumptions: Sequence[Term] = ()) -> Result:
        """``check-sat`` with objectives (lexicographic, as Z3): the answer and the model are
        those of the optimum (the best found on timeout); ``self.optima`` has the values."""
        from .optimize import optimize_lex

        try:
            self.optima = optimize_lex(self.context.terms() + list(assumptions),
                                       self.context.declared, self.objectives, self.parser.tm,
                                       config=self.config, positions=self.parser.script.atom_pos,
                                       logic=self.parser.script.logic)
        except InputError as e:
            raise self.locate(e) from None
        first, last = self.optima[0], self.optima[-1]
        model = next((o.model for o in reversed(self.optima) if o.model), {})
        res = Result(first.status, model if first.status == Status.SAT else {}, last.stats,
                     first.reason)
        self.results.append(res)
        return res

    def _proof_dir(self, index: int) -> Optional[str]:
        """Where the certificate of check-sat ``index`` goes (cleared first), or None."""
        if self.config.proof is None:
            return None
        from .check.certificate import clear_certificate

        one = self.check_sats == 1
        path = self.config.proof if one else os.path.join(self.config.proof, f"check-sat-{index}")
        clear_certificate(path)
        return path

    def close(self) -> None:
        self.context.close()

    # -- command handlers: None (prints success under :print-success), or the lines ------
    def _changed(self) -> None:
        self.model_ok = False

    def _assert(self, cmd: Command) -> None:
        term, names = cmd.args
        if self.interactive:  # an atom outside difference logic: an error now, not later
            from .ir.normalize import normalize

            normalize([term], positions=self.parser.script.atom_pos, substitute=False)
        self.context.add(term, names, (cmd.pos, cmd.end))
        self._changed()

    def _declare(self, cmd: Command) -> None:
        self.context.declare(cmd.args[0], permanent=self.parser.global_declarations)

    def _push(self, cmd: Command) -> None:
        self.context.push(cmd.args[0])
        self.objective_marks.extend([len(self.objectives)] * cmd.args[0])
        self._changed()

    def _pop(self, cmd: Command) -> None:
        n = cmd.args[0]
        self.context.pop(n)
        if n:
            del self.objectives[self.objective_marks[-n]:]
            del self.objective_marks[-n:]
        self._changed()

    def _reset_assertions(self, cmd: Command) -> None:
        self.context.reset(declarations=not self.parser.global_declarations)
        self.objectives.clear()
        self.objective_marks.clear()
        self._changed()

    def _reset(self, cmd: Command) -> Optional[list[str]]:
        success = self.print_success
        self.context.reset()
        self.objectives.clear()
        self.objective_marks.clear()
        self._changed()
        self.context.cores = False
        self.options = dict(KNOWN_OPTIONS)
        self.regular_channel, self.regular_channel_pos = "stdout", None
        return ["success"] if success else []

    def _check_sat(self, cmd: Command) -> list[str]:
        self.assumptions = list(cmd.args)
        res = self.optimize(cmd.args) if self.objectives else self.check_sat(cmd.args)
        self.model_ok = res.status == Status.SAT
        return [str(res.status)]

    def _objective(self, cmd: Command) -> None:
        from .optimize import Objective

        self.objectives.append(Objective(cmd.args[0], cmd.name == "maximize", cmd.args[1]))

    def _get_objectives(self, cmd: Command) -> list[str]:
        from .optimize import format_objectives

        return [format_objectives(self.optima)]

    def _get_model(self, cmd: Command) -> list[str]:
        if not self.model_ok or self.last is None:
            return ['(error "model is not available")']
        return [format_model(self.context.declared, self.last.model)]

    def _get_value(self, cmd: Command) -> list[str]:
        if not self.model_ok or self.last is None:
            return ['(error "model is not available")']
        from .check.model import evaluate
        from .ir.ackermann import with_unapplied

        terms, texts = cmd.args
        vals = evaluate(list(terms), with_unapplied(terms, self.last.model))
        pairs = " ".join(f"({txt} {format_value(v, t.sort)})"
                         for t, txt, v in zip(terms, texts, vals))
        return [f"({pairs})"]

    def _get_unsat_core(self, cmd: Command) -> list[str]:
        if not self.context.cores:
            return ['(error "unsat core production is not enabled: (set-option '
                    ':produce-unsat-cores true) first")']
        if self.last is None or self.last.status != Status.UNSAT:
            return ['(error "no unsat core: the last check-sat did not answer unsat")']
        if self.context.core is None:
            return ['(error "no unsat core: this check-sat ran with --proof, --cubes, --ray or '
                    '--backend kissat, which do not give one")']
        return ["(" + " ".join(quote_symbol(n) for n in self.context.core) + ")"]

    def _get_unsat_assumptions(self, cmd: Command) -> list[str]:
        if self.last is None or self.last.status != Status.UNSAT:
            return ['(error "no unsat assumptions: the last check-sat did not answer unsat")']
        if self.context.failed is None:
            return ['(error "no unsat assumptions: this check-sat ran with --proof, --cubes, '
                    '--ray or --backend kissat, which do not give them")']
        return ["(" + " ".join(term_to_smtlib(self.assumptions[i])
                               for i in self.context.failed) + ")"]

    def _get_assertions(self, cmd: Command) -> list[str]:
        out = []
        for a in self.context.assertions:
            if a.source is None:
                out.append(term_to_smtlib(a.term))
                continue
            text = self.reader.text[a.source[0] + 1:a.source[1] - 1].strip()  # assert ...
            out.append(text[len("assert"):].strip())
        return ["(" + " ".join(out) + ")"]

    def _echo(self, cmd: Command) -> list[str]:
        return ['"' + cmd.args[0].replace('"', '""') + '"']

    def _get_info(self, cmd: Command) -> list[str]:
        key = cmd.args[0]
        if key == ":assertion-stack-levels":
            return [f"(:assertion-stack-levels {self.context.levels})"]
        if key == ":error-behavior":  # (an unsupported command is answered and skipped)
            how = "continued-execution" if self.interactive else "immediate-exit"
            return [f"(:error-behavior {how})"]
        return [_info(key, self.last)]

    def _get_option(self, cmd: Command) -> list[str]:
        value = self.options.get(cmd.args[0])
        return ["unsupported" if value is None else value]

    def _set_option(self, cmd: Command) -> Optional[list[str]]:
        key, value = cmd.args
        if key not in self.options:  # (the parser warned)
            return ["unsupported"] if self.interactive else None
        if key == ":produce-unsat-cores":
            on = value == "true"
            if on != self.context.cores and self.context.assertions:
                return ['(error "set :produce-unsat-cores before the first assertion")']
            self.context.cores = on
        elif key == ":regular-output-channel":
            self.regular_channel = str(value)
            self.regular_channel_pos = cmd.pos
        self.options[key] = _option_text(value)
        return None

    def _exit(self, cmd: Command) -> None:
        self.exited = True


def count_check_sats(text: str) -> int:
    """How many ``check-sat`` (and ``check-sat-assuming``) the script ``text`` has (up to
    its first malformed s-expression: the session reports that when it gets there)."""
    from .smtlib.tokenizer import read_sexprs

    count = 0
    try:
        for sx in read_sexprs(text):
            count += bool(sx) and sx[0] in ("check-sat", "check-sat-assuming")
    except InputError:
        pass
    return count


def _option_text(value: object) -> str:
    """An option's value as ``get-option`` prints it."""
    from .smtlib.tokenizer import QSymbol, String

    if isinstance(value, String):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, QSymbol):
        return f"|{value}|"
    if isinstance(value, str):
        return value
    return "()" if value is None else "(...)"


def _nothing(session: Session, cmd: Command) -> None:
    return None


Handler = Callable[[Session, Command], Optional[list[str]]]
_HANDLERS: dict[str, Handler] = {
    "set-logic": _nothing,
    "set-info": _nothing,
    "assert": Session._assert,
    "declare": Session._declare,
    "push": Session._push,
    "pop": Session._pop,
    "reset": Session._reset,
    "reset-assertions": Session._reset_assertions,
    "check-sat": Session._check_sat,
    "minimize": Session._objective,
    "maximize": Session._objective,
    "get-objectives": Session._get_objectives,
    "get-model": Session._get_model,
    "get-value": Session._get_value,
    "get-unsat-core": Session._get_unsat_core,
    "get-unsat-assumptions": Session._get_unsat_assumptions,
    "get-assertions": Session._get_assertions,
    "echo": Session._echo,
    "get-info": Session._get_info,
    "get-option": Session._get_option,
    "set-option": Session._set_option,
    "exit": Session._exit,
}

# Commands a session answers (the README's list of supported commands comes from here).
SUPPORTED_COMMANDS = ("set-logic", "set-info", "set-option", "get-option", "get-info",
                      "declare-const", "declare-fun", "define-fun", "assert", "push", "pop",
                      "reset", "reset-assertions", "check-sat", "check-sat-assuming",
                      "get-model", "get-value", "get-assertions", "get-unsat-core",
                      "get-unsat-assumptions", "minimize", "maximize", "get-objectives",
                      "echo", "exit")


def _info(key: str, last: Optional[Result]) -> str:
    from . import __version__

    if key == ":name":
        return '(:name "eagersmt")'
    if key == ":version":
        return f'(:version "{__version__}")'
    if key == ":authors":
        return '(:authors "the eagersmt developers")'
    if key == ":reason-unknown":
        if last is None or last.status != Status.UNKNOWN:
            return '(error "the last check-sat did not answer unknown")'
        reason = last.reason or ""
        word = "timeout" if reason == "timeout" else "memout" if reason.startswith("memory") \
            else "incomplete"
        return f"(:reason-unknown {word})"
    if key == ":all-statistics" and last is not None:
        body = " ".join(f":{k} {_stat(v)}" for k, v in last.stats.as_dict().items())
        return f"({body})"
    return "unsupported"


def _stat(v: object) -> str:
    """A statistic as an SMT-LIB value: numbers as they are, text as a string literal."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)
    return '"' + str(v).replace('"', '""') + '"'
