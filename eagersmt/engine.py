r"""The pipeline for one ``check-sat``, and a session that runs a script's commands.

    assertions --normalize--> circuit --encode--> CNF --SAT--> model --decode--> values
                                                                    \--check on the original terms

Every lossy step hands back its inverse: ``Normalized.decode`` undoes the zero variable and
real scaling, ``Encoded.decode`` reads integer values back from bits / order literals.
Libraries return values; only the CLI prints (``Session.run`` yields the output lines).
"""

from __future__ import annotations

import os
import time
from typing import Iterator, Optional, Sequence

from .check.model import check_model
from .config import Config
from .encode import encode
from .errors import InputError, InternalError
from .ir.circuit import FALSE
from .ir.normalize import normalize
from .ir.terms import Term
from .result import Result, Stats, Status
from .smtlib.parser import Script
from .smtlib.printer import format_model, format_value


def solve_assertions(assertions: Sequence[Term], declarations: Sequence[Term], *,
                     config: Config, positions: Optional[dict] = None,
                     stats: Optional[Stats] = None, proof_dir: Optional[str] = None) -> Result:
    """Decide the conjunction of ``assertions``; a ``sat`` model is checked unless disabled.

    ``proof_dir``: on ``unsat``, write a certificate there (``check/certificate.py``).
    ``config.memory_limit``: past it the answer is ``unknown`` with the reason.
    """
    stats = stats or Stats()
    if config.memory_limit is None:
        return _solve(assertions, declarations, config, positions, stats, proof_dir)
    from .backends.process import memory_limit

    mb = config.memory_limit
    try:
        with memory_limit(mb):
            return _solve(assertions, declarations, config, positions, stats, proof_dir)
    except MemoryError:
        return Result(Status.UNKNOWN, {}, stats, f"memory limit ({mb} MB) reached")
    except RuntimeError as e:  # a solver process that died under the limit
        return Result(Status.UNKNOWN, {}, stats, f"memory limit ({mb} MB) reached? {e}")


def _solve(assertions: Sequence[Term], declarations: Sequence[Term], config: Config,
           positions: Optional[dict], stats: Stats, proof_dir: Optional[str]) -> Result:
    start = time.perf_counter()
    deadline = None if config.timeout is None else start + config.timeout
    assertions = list(assertions)

    t0 = time.perf_counter()
    norm = normalize(assertions, positions=positions)
    stats.add_time("normalize", time.perf_counter() - t0)
    stats.counts.update(norm.stats)
    if FALSE in norm.circuit.roots:
        if proof_dir is not None:
            from .check.certificate import write_certificate

            write_certificate(proof_dir, enc=None, solver="none", seconds=0.0,
                              trivial="an assertion normalizes to false")
        return Result(Status.UNSAT, {}, stats, "an assertion simplifies to false")

    enc = encode(norm, encoding=config.encoding, eij_max_clauses=config.eij_max_clauses,
                 stats=stats, checkable=proof_dir is not None)
    left = None if deadline is None else deadline - time.perf_counter()
    if left is not None and left <= 0:
        return Result(Status.UNKNOWN, {}, stats, "timeout")

    t0 = time.perf_counter()
    if proof_dir is not None:
        from .backends import get_backend
        from .check.certificate import PROOF_FILE, write_certificate
    if proof_dir is not None and (config.cubes != "none" or config.ray is not None):
        from .cluster import cube_and_conquer

        sat = cube_and_conquer(enc, config, left, stats, proof_dir=proof_dir)
        if sat.status == Status.UNSAT:
            t1 = time.perf_counter()
            cubes = _coverage_proof(enc.cnf, proof_dir)
            write_certificate(proof_dir, enc=enc, solver="cube-and-conquer", seconds=t1 - t0,
                              cubes=cubes)
            stats.add_time("certificate", time.perf_counter() - t1)
    elif proof_dir is not None:
        sat = get_backend(config.backend).solve(enc.cnf, timeout=left,
                                                proof_path=os.path.join(proof_dir, PROOF_FILE))
        if sat.status == Status.UNSAT:
            t1 = time.perf_counter()
            write_certificate(proof_dir, enc=enc, solver=str(sat.stats.get("winner", config.backend)),
                              seconds=t1 - t0)
            stats.add_time("certificate", time.perf_counter() - t1)
    elif config.cubes == "none" and config.ray is None:  # --ray implies cubes (auto)
        sat = _monolithic(enc.cnf, config, left)
    else:
        from .cluster import cube_and_conquer

        sat = cube_and_conquer(enc, config, left, stats)
    stats.add_time("solve", time.perf_counter() - t0)
    for k, v in sat.stats.items():
        if isinstance(v, str):
            stats.notes[k] = v
        elif k in ("conflicts", "decisions", "propagations"):
            stats.counts[k] = int(v)
    if sat.status != Status.SAT:
        return Result(sat.status, {}, stats, "timeout" if sat.status == Status.UNKNOWN else "")

    t0 = time.perf_counter()
    ints, bools = enc.decode(sat.value)
    model = norm.decode(ints, bools, list(declarations))
    stats.add_time("decode", time.perf_counter() - t0)
    if config.check_models:
        t0 = time.perf_counter()
        check_model(assertions, model)
        stats.add_time("check", time.perf_counter() - t0)
        stats.notes["model_checked"] = "yes"
    return Result(Status.SAT, model, stats)


# The in-process first try of ``_monolithic``: CNFs up to this many clauses get this many
# conflicts of CaDiCaL before a back end is started, which then goes on from that solver
# (forked: nothing is loaded twice).  It saves the portfolio's fork and Kissat start-up,
# which on a 150k-clause job shop (la01) cost 120 ms on top of CaDiCaL's 80 ms (the DIMACS
# for Kissat is written before the portfolio can take CaDiCaL's answer); what it delays
# is Kissat's start on the instances it does not decide (load + conflicts: ~0.1-0.2 s at
# 300k clauses).  benchmarks/RESULTS.md, "Start-up and pair lemmas".
QUICK_CLAUSES = 300_000
QUICK_CONFLICTS = 500


def _monolithic(cnf, config: Config, left: Optional[float]):  # type: ignore[no-untyped-def]
    """One SAT call on the whole CNF with ``config.backend``; a small CNF first gets a
    short in-process CaDiCaL run (bounded by conflicts: no process to start, nothing to
    interrupt) unless Kissat alone was asked for."""
    from .backends import get_backend

    if (config.backend == "kissat" or len(cnf.clauses) > QUICK_CLAUSES
            or (left is not None and left <= 1.0)):
        return get_backend(config.backend).solve(cnf, timeout=left)
    from .backends.cadical import solve_limited

    sat, warm = solve_limited(cnf, QUICK_CONFLICTS, keep=True)
    if warm is None:
        sat.stats["winner"] = "cadical (in-process first try)"
        return sat
    try:
        left = None if left is None else left - sat.stats.get("seconds", 0.0)
        return get_backend(config.backend).solve(cnf, timeout=left, warm=warm)
    finally:
        warm.delete()


def _coverage_proof(cnf, proof_dir: str) -> list[list]:  # type: ignore[no-untyped-def]
    """The refuted cubes of a certified cube-and-conquer run, after proving that they cover
    every model of ``cnf`` (``cnf`` and the cubes' negations unsat, DRAT in coverage.drat)."""
    from .backends.cadical import CadicalBackend
    from .check.certificate import COVERAGE_FILE, read_cubes
    from .encode.cnf import CNF

    cubes = read_cubes(proof_dir)
    both = CNF()
    both.nvars = cnf.nvars
    both.clauses = list(cnf.clauses) + [[-lit for lit in c] for _, c, _ in cubes]
    r = CadicalBackend().solve(both, proof_path=os.path.join(proof_dir, COVERAGE_FILE))
    if r.status != Status.UNSAT:
        raise InternalError("the refuted cubes do not cover the search space "
                            f"(coverage check: {r.status})")
    return cubes


class Session:
    """Runs the commands of a parsed script; ``results`` collects each ``check-sat`` answer."""

    def __init__(self, script: Script, *, config: Config = Config()):
        self.script = script
        self.config = config
        self.results: list[Result] = []
        self.print_success = False
        # ``(set-option :regular-output-channel X)``: where the lines ``run`` yields from then
        # on belong ("stdout", "stderr" or a file name); the caller (the CLI) routes them.
        self.regular_channel = "stdout"
        self.regular_channel_pos: Optional[int] = None  # source offset of that set-option

    def check_sat(self, assumptions: Sequence[Term] = ()) -> Result:
        assertions = self._assertions + list(assumptions)
        index = len(self.results) + 1
        proof_dir = self._proof_dir(index)
        try:
            res = solve_assertions(assertions, self._declared, config=self.config,
                                   positions=self.script.atom_pos, proof_dir=proof_dir)
        except InputError as e:
            raise self.script.locate(e)
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

        assertions = self._assertions + list(assumptions)
        try:
            self.optima = optimize_lex(assertions, self._declared, self._objectives,
                                       self.script.terms, config=self.config,
                                       positions=self.script.atom_pos)
        except InputError as e:
            raise self.script.locate(e)
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

    def run(self) -> Iterator[str]:
        """Execute the script, yielding what an SMT solver prints on stdout."""
        self._assertions: list[Term] = []
        self._declared: list[Term] = []
        self._objectives: list = []  # optimize.Objective, from (minimize t) / (maximize t)
        self.optima: list = []  # optimize.Optimum of the last check-sat with objectives
        last: Optional[Result] = None
        for cmd in self.script.commands:
            name = cmd.name
            if name == "assert":
                self._assertions.append(cmd.args[0])
            elif name == "declare":
                self._declared.append(cmd.args[0])
            elif name == "check-sat":
                last = self.optimize(cmd.args) if self._objectives else self.check_sat(cmd.args)
                yield str(last.status)
                continue
            elif name in ("minimize", "maximize"):
                from .optimize import Objective

                self._objectives.append(Objective(cmd.args[0], name == "maximize", cmd.args[1]))
            elif name == "get-objectives":
                from .optimize import format_objectives

                yield format_objectives(self.optima)
                continue
            elif name == "get-model":
                if last is None or last.status != Status.SAT:
                    yield '(error "model is not available")'
                else:
                    yield format_model(self._declared, last.model)
                continue
            elif name == "get-value":
                if last is None or last.status != Status.SAT:
                    yield '(error "model is not available")'
                    continue
                from .check.model import evaluate

                terms, texts = cmd.args
                vals = evaluate(list(terms), last.model)
                pairs = " ".join(f"({txt} {format_value(v, t.sort)})"
                                 for t, txt, v in zip(terms, texts, vals))
                yield f"({pairs})"
                continue
            elif name == "echo":
                yield '"' + cmd.args[0].replace('"', '""') + '"'
                continue
            elif name == "get-info":
                yield _info(cmd.args[0], last)
                continue
            elif name == "set-option" and cmd.args[0] == ":print-success":
                self.print_success = cmd.args[1] == "true"
            elif name == "set-option" and cmd.args[0] == ":regular-output-channel":
                self.regular_channel = str(cmd.args[1])
                self.regular_channel_pos = cmd.pos
            elif name == "exit":
                if self.print_success:
                    yield "success"
                return
            if self.print_success:
                yield "success"


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
