"""``eagersmt optimize FILE --minimize TERM``: the optimum, its model and the proof.

Output (stdout): ``sat`` / ``unsat`` / ``unknown``, the objectives as Z3's
``(get-objectives)`` prints them, the model of the optimum (SMT-LIB), and a comment line
with the proof of optimality (``; proof: (<= ms 54) is unsat``) or, on ``--timeout``, the
best value found and the proven bound (``; not proven optimal: ...``).  Progress (each
better model, each new bound) goes to stderr when it is a terminal or with ``--progress``.
Exit codes as ``solve`` (``cli/errors.py``): 0 an answer, 1 bad input, 2 internal error,
130/143 interrupted/terminated.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, Optional

import click

from ..errors import InputError
from .errors import reported_errors


def make_optimize_cmd(config_options: Callable[..., Any],
                      make_config: Callable[[dict[str, Any]], Any]) -> click.Command:
    """The command, with the options table's options (passed in by cli/main.py)."""

    @click.command("optimize")
    @click.argument("file", type=click.Path())
    @click.option("--minimize", "minimize", multiple=True, metavar="TERM",
                  help="Int term to minimize: a variable or a difference such as '(- end start)' "
                       "(repeatable; objectives are optimized lexicographically: the file's own "
                       "(minimize ...) / (maximize ...) first, then --minimize, then --maximize).")
    @click.option("--maximize", "maximize", multiple=True, metavar="TERM", help="Int term to maximize.")
    @click.option("--strategy", type=click.Choice(("auto", "linear", "binary")), default="auto",
                  show_default=True,
                  help="Bound search: linear descent from each model, bisection, or linear until a "
                       "step is slow then bisection.")
    @click.option("--progress/--no-progress", "show_progress", default=None,
                  help="Report each improvement on stderr (default: when stderr is a terminal).")
    @config_options
    def optimize_cmd(file: str, minimize: tuple[str, ...], maximize: tuple[str, ...], strategy: str,
                     show_progress: Optional[bool], **kwargs: Any) -> None:
        """Minimize / maximize Int objectives over the assertions of an SMT-LIB FILE.

        \b
        Prints the status, (objectives ...), the optimal model and the proof of
        optimality (unsat at optimum - 1).  With --timeout the best model found so
        far is printed, marked as not proven.
        """
        from ..optimize import Objective, Optimum, Progress, format_objectives, optimize_lex
        from ..result import Status
        from ..smtlib.parser import parse, parse_file
        from ..smtlib.printer import format_model

        config = make_config(kwargs)
        if show_progress is None:
            show_progress = sys.stderr.isatty()
        show_progress = show_progress and not config.quiet
        t0 = time.perf_counter()

        def report(p: Progress) -> None:
            bound = "-" if p.bound is None else p.bound
            click.echo(f"[{p.elapsed:7.2f} s] best {p.best}  bound {bound}"
                       f"{'  (optimal)' if p.proven else ''}", err=True)

        with reported_errors(file):
            tables: dict[str, Any] = {"symbols": {}, "functions": {}}
            script = parse_file(file, **tables)
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
            try:
                results = optimize_lex(script.assertions, script.declarations, objectives,
                                       script.terms, config=config, positions=script.atom_pos,
                                       progress=report if show_progress else None,
                                       strategy=strategy)
            except InputError as e:
                raise script.locate(e) from None
            if not results:
                results = [Optimum(Status.UNKNOWN, reason="timeout", objective=objectives[0])]

        first = results[0]
        click.echo(str(first.status))
        if first.status != Status.SAT:
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
                click.echo(f"; optimum {obj.text} = {r.value}; proof: ({rel} {obj.text} {_num(k)}) is "
                           f"unsat ({r.stats.counts.get('sat_calls', 0)} sat, "
                           f"{r.stats.counts.get('unsat_calls', 0)} unsat calls, "
                           f"{time.perf_counter() - t0:.2f} s)")
            else:
                bound = "none" if r.bound is None else r.bound
                click.echo(f"; not proven optimal: best {obj.text} = {r.value}, proven bound {bound} "
                           f"({r.reason or 'stopped'})")


    return optimize_cmd


def _num(v: int) -> str:
    return str(v) if v >= 0 else f"(- {v * -1})"
