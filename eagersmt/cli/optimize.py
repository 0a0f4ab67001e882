"""``eagersmt optimize FILE --minimize TERM``: the optimum, its model and the proof.

Output (stdout): ``sat`` / ``unsat`` / ``unknown``, the objectives as Z3's
``(get-objectives)`` prints them, the model of the optimum (SMT-LIB), and a comment line
with the proof of optimality (``; proof: (<= ms 54) is unsat``) or, on ``--timeout``, the
best value found and the proven bound (``; not proven optimal: ...``); so on Ctrl-C or
SIGTERM after a first model, then exit 130 / 143 (before it: ``unknown``).  ``--timeout`` bounds
the whole command (start-up included).  ``--proof DIR`` writes a certificate of optimality
that ``check-proof DIR FILE`` verifies (``optimize/certificate.py``); ``--cross-check`` asks
Z3 / cvc5 whether the optimum is attained and nothing better is.  Progress (each better
model, each new bound) goes to stderr when it is a terminal or with ``--progress``.  Exit
codes: the table of ``cli/errors.py`` (0 an answer, 1 bad input, 2 usage, 3 cross-check
disagreement, 70 internal error, 130/143 interrupted/terminated).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
import time
from typing import Any, Optional

import click

from ..errors import CrossCheckError, InputError
from .errors import fail, interrupted, reported_errors
from .options import PROGRESS_HELP, config_options, make_config

# The rows of the options table that the optimizer honours (one in-process CaDiCaL
# searches, with a Kissat refuter beside it: the back end, cube and Ray options are not
# offered).
OPTIONS = ("encoding", "timeout", "check_models", "cross_check", "cross_check_timeout",
           "eij_max_clauses", "quiet", "proof", "memory_limit", "memo")


@click.command("optimize")
@click.argument("file", type=click.Path())
@click.option("--minimize", "minimize", multiple=True, metavar="TERM",
              help="Int term to minimize: a variable or a difference such as '(- end start)' "
                   "(repeatable; objectives are optimized lexicographically: the file's own "
                   "(minimize ...) / (maximize ...) first, then --minimize, then --maximize).")
@click.option("--maximize", "maximize", multiple=True, metavar="TERM", help="Int term to maximize.")
@click.option("--strategy", type=click.Choice(("auto", "linear", "binary")), default="auto",
              show_default=True,
              help="Bound search: linear descent from each model, bisection, or (auto) the "
                   "descent raced with a Kissat refuter of lower bounds on two CPUs (else linear "
                   "until a step is slow, then bisection).")
@click.option("--progress/--no-progress", "show_progress", default=None,
              show_default="when stderr is a terminal",
              help=PROGRESS_HELP.format(what="each better model and each new bound"))
@click.option("--stats", "show_stats", is_flag=True,
              help="Print each objective's statistics (times, calls, lemma store) to stderr.")
@config_options(only=OPTIONS, help={
    "proof": "Write a certificate of optimality into this directory: the optimum's model and, "
             "per objective, the unsat certificate of 'nothing better' (optimum - 1); verify it "
             "with 'eagersmt check-proof DIR FILE'.",
    "cross_check": "Also ask a reference solver whether each optimum is attained and nothing "
                   "is better; fail (exit 3) on disagreement.",
    "memory_limit": "Memory (MB of address space) the optimization may use beyond what the "
                    "process maps when it starts; past it the answer is 'unknown' with a "
                    "message."})
def optimize_cmd(file: str, minimize: tuple[str, ...], maximize: tuple[str, ...], strategy: str,
                 show_progress: Optional[bool], show_stats: bool, **kwargs: Any) -> None:
    """Minimize / maximize Int objectives over the assertions of an SMT-LIB FILE.

    \b
    Prints the status, (objectives ...), the optimal model and the proof of
    optimality (unsat at optimum - 1).  With --timeout the best model found so
    far is printed, marked as not proven; with --proof DIR a certificate that
    check-proof verifies is written.
    """
    from ..optimize import Objective, Optimum, Progress, format_objectives, optimize_lex
    from ..result import Status
    from ..smtlib.parser import parse, parse_file
    from ..smtlib.printer import format_model

    config = make_config(kwargs)
    if config.timeout is not None:  # the limit holds for the whole command
        config = config.replace(timeout=max(config.timeout - _since_start(), 0.01))
    if show_progress is None:
        show_progress = sys.stderr.isatty()
    show_progress = show_progress and not config.quiet
    t0 = time.perf_counter()

    def report(p: Progress) -> None:
        bound = "-" if p.bound is None else p.bound
        click.echo(f"[{p.elapsed:7.2f} s] best {p.best}  bound {bound}"
                   f"{'  (optimal)' if p.proven else ''}", err=True)

    stopped: Optional[KeyboardInterrupt] = None  # Ctrl-C / SIGTERM after a first model
    with reported_errors(file, answer="unknown"):
        tables: dict[str, Any] = {"symbols": {}, "functions": {}}
        script = parse_file(file, **tables)
        parse_s = time.perf_counter() - t0
        objectives = [Objective(c.args[0], c.name == "maximize", c.args[1])
                      for c in script.commands if c.name in ("minimize", "maximize")]
        for sense, terms in (("minimize", minimize), ("maximize", maximize)):
            for term in terms:
                try:
                    extra = parse(f"({sense} {term})", terms=script.terms,
                                  filename=f"--{sense}", **tables)
                except InputError as e:  # columns of TERM as the user wrote it
                    if e.line == 1 and e.col is not None:
                        e.col = max(1, e.col - len(sense) - 2)
                    raise
                c = extra.commands[0]
                objectives.append(Objective(c.args[0], sense == "maximize", c.args[1]))
        if not objectives:
            raise click.UsageError("nothing to optimize: give --minimize TERM or --maximize TERM "
                                   "(or put (minimize ...) in the file)")
        assertions = script.assertions  # (in force at the end: push/pop honoured)
        try:
            results = _within_memory_limit(config, lambda: optimize_lex(
                assertions, script.declarations, objectives, script.terms, config=config,
                positions=script.atom_pos, progress=report if show_progress else None,
                strategy=strategy, logic=script.logic))
        except InputError as e:
            raise script.locate(e) from None
        except KeyboardInterrupt as e:
            results = _best_so_far(e)
            if not results:
                raise  # nothing found yet: unknown
            stopped = e
        if not results:
            results = [Optimum(Status.UNKNOWN, reason="timeout", objective=objectives[0])]
        if stopped is None and config.cross_check != "none" and results[0].status == Status.SAT:
            checked = _cross_check(file, results, config)
        if stopped is None and config.proof is not None and results[0].status == Status.SAT:
            certified = _certify(file, script, results, config)

    if show_stats:
        from .script import print_stats

        print_stats(results, parse_s, [f"objective {r.objective.text}, {r.status}" if r.objective
                                        else str(r.status) for r in results])
    first = results[0]
    click.echo(str(first.status))
    if config.encoding not in ("auto", "order") and first.status == Status.SAT \
            and not first.stats.notes.get("objective", "").startswith("linear"):
        click.echo(f"note: --encoding {config.encoding} is not used for the objective's variable "
                   "class: the search bounds the objective on its order-encoding literals",
                   err=True)
    if first.status != Status.SAT:
        if first.reason:
            click.echo(f"note: unknown: {first.reason}", err=True)
        return
    click.echo(format_objectives(results))
    model = next((r.model for r in reversed(results) if r.model), {})
    click.echo(format_model(script.declarations, model))
    for r in results:
        obj = r.objective
        assert obj is not None
        if r.unbounded:
            click.echo(f"; {obj.text} is unbounded ({'above' if obj.maximize else 'below'})")
        elif r.proven and r.value is not None:
            rel, k = (">=", r.value + 1) if obj.maximize else ("<=", r.value - 1)
            memo = r.stats.notes.get("memo")
            click.echo(f"; optimum {obj.text} = {r.value}; proof: ({rel} {obj.text} {_num(k)}) is "
                       f"unsat ({r.stats.counts.get('sat_calls', 0)} sat, "
                       f"{r.stats.counts.get('unsat_calls', 0)} unsat calls"
                       f"{'; lemma store: ' + memo if memo else ''}, "
                       f"{time.perf_counter() - t0:.2f} s)")
        else:
            bound = "none" if r.bound is None else r.bound
            click.echo(f"; not proven optimal: best {obj.text} = {r.value}, proven bound {bound} "
                       f"({r.reason or 'stopped'})")
    if stopped is not None:
        fail(*interrupted(stopped))
    if config.cross_check != "none":
        click.echo(f"; cross-check: {checked}")
    if config.proof is not None:
        click.echo(f"; certificate: {certified}")


def _best_so_far(e: KeyboardInterrupt) -> list:
    """The optimizer's best result when it was interrupted (its ``partial``: an ``Optimum``
    or a list of them, one per objective), marked ``interrupted``; [] when it had no model."""
    from ..result import Status

    partial = getattr(e, "partial", None)
    if partial is None:
        return []
    results = list(partial) if isinstance(partial, (list, tuple)) else [partial]
    if not results or results[0].status != Status.SAT:
        return []
    return [r if r.proven else dataclasses.replace(r, reason="interrupted") for r in results]


def _within_memory_limit(config: Any, run: Any) -> list:
    """``run()`` under ``--memory-limit``: past it, no optimum (unknown, with the reason)."""
    from ..optimize import Optimum
    from ..result import Status

    if config.memory_limit is None:
        return run()  # type: ignore[no-any-return]
    from ..backends.process import memory_limit

    try:
        with memory_limit(config.memory_limit):
            return run()  # type: ignore[no-any-return]
    except MemoryError:
        return [Optimum(Status.UNKNOWN, reason=f"memory limit ({config.memory_limit} MB) reached")]


def _queries(results: list) -> list[tuple[int, str, str, int, str]]:
    """Per objective with a value: (index, term, relation, constant, expected answer): the
    optimum attained (sat) and, when proven, nothing better (unsat)."""
    from ..optimize.certificate import bound_relation

    out = []
    for i, r in enumerate(results, 1):
        if r.unbounded or r.value is None:
            break
        out.append((i, r.objective.text, "=", r.value, "sat"))
        if not r.proven:
            break
        rel, k = bound_relation(r.objective.maximize, r.value)
        out.append((i, r.objective.text, rel, k, "unsat"))
    return out


def _cross_check(file: str, results: list, config: Any) -> str:
    """Ask the reference solver(s) the queries of ``_queries`` (FILE's problem, earlier optima
    fixed); ``CrossCheckError`` on a disagreement, else what agreed."""
    from ..check.crosscheck import compare, reference_answers
    from ..optimize.certificate import problem, query
    from ..smtlib.parser import read_source

    base = problem(read_source(file))
    queries = _queries(results)
    fixed = [(r.objective.text, r.value) for r in results]
    expected = [q[4] for q in queries]
    solvers = ("z3", "cvc5") if config.cross_check == "all" else (config.cross_check,)
    said = []
    for solver in solvers:
        theirs = []
        for i, term, rel, k, _ in queries:
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "query.smt2")
                with open(path, "w") as f:
                    f.write(query(base, fixed[:i - 1], term, rel, k))
                theirs += reference_answers(path, solver, config.cross_check_timeout)[:1] or \
                    ["unknown"]
        problems = compare(expected, theirs, solver)
        if problems:
            raise CrossCheckError("; ".join(problems))
        said.append(f"{solver} agrees ({', '.join(f'({q[2]} {q[1]} {_num(q[3])}) {a}' for q, a in zip(queries, theirs))})")
    return "; ".join(said)


def _certify(file: str, script: Any, results: list, config: Any) -> str:
    """Write the certificate of optimality into ``config.proof`` (``optimize/certificate.py``);
    what was written, or why there is none."""
    import json

    from ..check.certificate import input_digest
    from ..optimize.certificate import (OPTIMUM_FILE, bound_relation, model_to_json, problem,
                                        query)
    from ..result import Status
    from ..session import Session

    proven = [r for r in results if r.proven and r.value is not None and not r.unbounded]
    if len(proven) != len(results):
        return "none (the optimum is not proven)"
    directory = config.proof
    os.makedirs(directory, exist_ok=True)
    text = script.source
    base = problem(text)
    model = next((r.model for r in reversed(results) if r.model), {})
    fixed: list[tuple[str, int]] = []
    for i, r in enumerate(results, 1):
        term = r.objective.text
        with open(os.path.join(directory, f"optimum-{i}.smt2"), "w") as f:
            f.write(query(base, fixed, term, "=", r.value))
        rel, k = bound_relation(r.objective.maximize, r.value)
        bound = query(base, fixed, term, rel, k)
        path = os.path.join(directory, f"bound-{i}.smt2")
        with open(path, "w") as f:
            f.write(bound)
        cfg = config.replace(proof=os.path.join(directory, f"bound-{i}"),
                                  timeout=None, cross_check="none")
        session = Session(config=cfg, filename=path)
        try:
            answers = list(session.run_text(bound))
        finally:
            session.close()
        if answers != [str(Status.UNSAT)]:
            return f"none ({rel} {term} {_num(k)} was not refuted again: {' '.join(answers)})"
        fixed.append((term, r.value))
    doc = {"format": "eagersmt-optimum-1", "input": {"file": os.path.basename(file),
                                                     "sha256": input_digest(text)},
           "objectives": [{"term": r.objective.text, "maximize": r.objective.maximize,
                           "value": r.value} for r in results],
           "model": model_to_json(model)}
    with open(os.path.join(directory, OPTIMUM_FILE), "w") as f:
        json.dump(doc, f, indent=1)
    return f"{directory} (verify: eagersmt check-proof {directory} {file})"


def _since_start() -> float:
    """Seconds since the command line was imported (start-up and parsing count against
    ``--timeout`` too)."""
    from . import STARTED

    return max(0.0, time.perf_counter() - STARTED)


def _num(v: int) -> str:
    return str(v) if v >= 0 else f"(- {v * -1})"
