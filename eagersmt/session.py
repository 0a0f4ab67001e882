"""The SMT-LIB session: runs a script's commands one at a time, as an SMT solver does.

The one script runner of eagersmt: ``eagersmt solve``, the Ray job's ``job-run``, ``eagersmt
optimize`` and ``api.solve_file`` / ``solve_smtlib`` all run their scripts through a
``Session``.  One handler per command (``_HANDLERS``, the parser's commands); a handler
yields what an SMT solver prints on stdout (``sat``, a model, ``success`` under
``:print-success``), and ``check-sat`` runs the one pipeline (``engine.check_sat``) on the
assertions so far; each answer is kept in ``results``.  Libraries return, the CLI prints:
``run`` yields the lines and says where they belong (``regular_channel``).
"""

from __future__ import annotations

import os
from typing import Callable, Iterator, Optional, Sequence

from .config import Config
from .engine import check_sat
from .errors import InputError
from .ir.terms import Term
from .result import Result, Status
from .smtlib.parser import Command, Script
from .smtlib.printer import format_model, format_value


class Session:
    """The state of one SMT-LIB script run: assertions, declarations, objectives, answers."""

    def __init__(self, script: Script, *, config: Config = Config()):
        self.script = script
        self.config = config
        self.results: list[Result] = []
        self.assertions: list[Term] = []
        self.declared: list[Term] = []
        self.objectives: list = []  # optimize.Objective, from (minimize t) / (maximize t)
        self.optima: list = []  # optimize.Optimum of the last check-sat with objectives
        self.print_success = False
        self.exited = False
        # ``(set-option :regular-output-channel X)``: where the lines ``run`` yields from then
        # on belong ("stdout", "stderr" or a file name); the caller (the CLI) routes them.
        self.regular_channel = "stdout"
        self.regular_channel_pos: Optional[int] = None  # source offset of that set-option

    @property
    def last(self) -> Optional[Result]:
        return self.results[-1] if self.results else None

    def run(self) -> Iterator[str]:
        """Execute the script, yielding what an SMT solver prints on stdout."""
        for cmd in self.script.commands:
            yield from self.execute(cmd)
            if self.exited:
                return

    def execute(self, cmd: Command) -> Iterator[str]:
        """Run one command, yielding its output lines."""
        handler = _HANDLERS.get(cmd.name)
        lines = handler(self, cmd) if handler is not None else None
        if lines is not None:
            yield from lines
        elif self.print_success:
            yield "success"

    # -- solving ------------------------------------------------------------------------
    def check_sat(self, assumptions: Sequence[Term] = ()) -> Result:
        """Decide the assertions (and ``assumptions``); a certificate with ``config.proof``."""
        index = len(self.results) + 1
        proof_dir = self._proof_dir(index)
        try:
            res = check_sat(self.assertions + list(assumptions), self.declared,
                            config=self.config, positions=self.script.atom_pos,
                            proof_dir=proof_dir)
        except InputError as e:
            raise self.script.locate(e) from None
        if proof_dir is not None and res.status == Status.UNSAT:
            from .check.certificate import stamp_input

            stamp_input(proof_dir, text=self.script.source, filename=self.script.filename,
                        check_sat=index, assumptions=len(assumptions))
            res.stats.notes["certificate"] = proof_dir
        elif proof_dir is not None and proof_dir != self.config.proof:
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
            self.optima = optimize_lex(self.assertions + list(assumptions), self.declared,
                                       self.objectives, self.script.terms, config=self.config,
                                       positions=self.script.atom_pos)
        except InputError as e:
            raise self.script.locate(e) from None
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

        many = sum(1 for c in self.script.commands if c.name == "check-sat") > 1
        path = os.path.join(self.config.proof, f"check-sat-{index}") if many else self.config.proof
        clear_certificate(path)
        return path

    # -- command handlers: None (prints success under :print-success), or the lines ------
    def _assert(self, cmd: Command) -> None:
        self.assertions.append(cmd.args[0])

    def _declare(self, cmd: Command) -> None:
        self.declared.append(cmd.args[0])

    def _check_sat(self, cmd: Command) -> list[str]:
        res = self.optimize(cmd.args) if self.objectives else self.check_sat(cmd.args)
        return [str(res.status)]

    def _objective(self, cmd: Command) -> None:
        from .optimize import Objective

        self.objectives.append(Objective(cmd.args[0], cmd.name == "maximize", cmd.args[1]))

    def _get_objectives(self, cmd: Command) -> list[str]:
        from .optimize import format_objectives

        return [format_objectives(self.optima)]

    def _get_model(self, cmd: Command) -> list[str]:
        if self.last is None or self.last.status != Status.SAT:
            return ['(error "model is not available")']
        return [format_model(self.declared, self.last.model)]

    def _get_value(self, cmd: Command) -> list[str]:
        if self.last is None or self.last.status != Status.SAT:
            return ['(error "model is not available")']
        from .check.model import evaluate

        terms, texts = cmd.args
        vals = evaluate(list(terms), self.last.model)
        pairs = " ".join(f"({txt} {format_value(v, t.sort)})"
                         for t, txt, v in zip(terms, texts, vals))
        return [f"({pairs})"]

    def _echo(self, cmd: Command) -> list[str]:
        return ['"' + cmd.args[0].replace('"', '""') + '"']

    def _get_info(self, cmd: Command) -> list[str]:
        return [_info(cmd.args[0], self.last)]

    def _set_option(self, cmd: Command) -> None:
        if cmd.args[0] == ":print-success":
            self.print_success = cmd.args[1] == "true"
        elif cmd.args[0] == ":regular-output-channel":
            self.regular_channel = str(cmd.args[1])
            self.regular_channel_pos = cmd.pos

    def _exit(self, cmd: Command) -> None:
        self.exited = True


Handler = Callable[[Session, Command], Optional[list[str]]]
_HANDLERS: dict[str, Handler] = {
    "assert": Session._assert,
    "declare": Session._declare,
    "check-sat": Session._check_sat,
    "minimize": Session._objective,
    "maximize": Session._objective,
    "get-objectives": Session._get_objectives,
    "get-model": Session._get_model,
    "get-value": Session._get_value,
    "echo": Session._echo,
    "get-info": Session._get_info,
    "set-option": Session._set_option,
    "exit": Session._exit,
}


def _info(key: str, last: Optional[Result]) -> str:
    from . import __version__

    if key == ":name":
        return '(:name "eagersmt")'
    if key == ":version":
        return f'(:version "{__version__}")'
    if key == ":authors":
        return '(:authors "the eagersmt developers")'
    if key == ":reason-unknown":
        reason = last.reason if last is not None and last.status == Status.UNKNOWN else "incomplete"
        return f"(:reason-unknown {reason or 'incomplete'})"
    if key == ":all-statistics" and last is not None:
        body = " ".join(f":{k} {v}" for k, v in last.stats.as_dict().items())
        return f"({body})"
    return '(error "unsupported get-info key")'
