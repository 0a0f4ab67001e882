"""The one-shot steps of a decision: encode, decide with the chosen strategy, decode.

    Normalized --encode--> CNF --strategy.choose(...).solve--> SAT model --decode--> values

``solve_normalized`` is what a query decided one-shot runs (``decide.py``); a bound query
re-encoded per bound (``bounded.Reencode``) runs the same strategy call on its encoding.
A linear formula that only the solution bound makes finite is tried on narrow domains
first (``widths.py``); one with domains too wide for the order encoding is first given to
a local search for a model (``local_search.py``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Optional, Sequence

from ..compile import encode_normalized, is_linear
from ..config import Config
from ..ir.terms import Term
from ..result import Result, Stats, Status
from .limits import DeadlinePassed, deadline_alarm

if TYPE_CHECKING:
    from ..ir.normalize import Normalized


def solve_normalized(norm: "Normalized", declarations: Sequence[Term], config: Config, *,
                     stats: Stats, proof_dir: Optional[str],
                     deadline: Optional[float]) -> Result:
    """Encode ``norm``, decide it with the strategy ``config`` asks for
    (``strategy.choose``), decode a model (not checked here: ``decide.py`` does); the
    local search first where ``local_search.applies``, narrow rounds first where
    ``widths.narrow_rounds`` gives some (neither for a certificate; both only apply to a
    linear formula, and their modules are imported for one only)."""
    if proof_dir is not None or not is_linear(norm):
        return _solve_once(norm, declarations, config, stats=stats, proof_dir=proof_dir,
                           deadline=deadline)
    from .local_search import applies, find_model
    from .widths import narrow_rounds, round_deadline

    if applies(norm):
        found = find_model(norm, declarations, stats, deadline)  # type: ignore[arg-type]
        if found is not None:
            return found
    tried = []
    for bits, narrow in narrow_rounds(norm):
        res = _solve_once(narrow, declarations, config, stats=stats, proof_dir=None,
                          deadline=round_deadline(time.perf_counter(), deadline))
        tried.append(f"2^{bits} {res.status.value}")
        stats.notes["widths"] = ", ".join(tried + ["full"])
        if res.status == Status.SAT:
            stats.notes["widths"] = ", ".join(tried)
            return res
        if deadline is not None and time.perf_counter() >= deadline:
            return Result(Status.UNKNOWN, {}, stats, "timeout")
    return _solve_once(norm, declarations, config, stats=stats, proof_dir=proof_dir,
                       deadline=deadline)


def _solve_once(norm: "Normalized", declarations: Sequence[Term], config: Config, *,
                stats: Stats, proof_dir: Optional[str],
                deadline: Optional[float]) -> Result:
    """One encode, strategy call and decode of ``norm``."""
    from ..strategy import choose

    try:
        with deadline_alarm(deadline):
            compiled = encode_normalized(norm, config, stats=stats,
                                         checkable=proof_dir is not None)
    except DeadlinePassed:
        stats.notes["timeout"] = "while encoding"
        return Result(Status.UNKNOWN, {}, stats, "timeout")
    if deadline is not None and time.perf_counter() >= deadline and not compiled.trivial:
        return Result(Status.UNKNOWN, {}, stats, "timeout")
    t0 = time.perf_counter()
    sat = choose(config, proof_dir).solve(compiled, deadline=deadline, stats=stats)
    if compiled.trivial:
        return Result(Status.UNSAT, {}, stats, compiled.trivial)
    stats.add_time("solve", time.perf_counter() - t0)
    for k, v in sat.stats.items():
        if isinstance(v, str):
            stats.notes[k] = v
        elif k in ("conflicts", "decisions", "propagations"):
            stats.counts[k] = int(v)
    if sat.status != Status.SAT:
        return Result(sat.status, {}, stats, "timeout" if sat.status == Status.UNKNOWN else "")
    t0 = time.perf_counter()
    assert sat.model is not None
    model = compiled.decode(sat.model, declarations)
    stats.add_time("decode", time.perf_counter() - t0)
    return Result(Status.SAT, model, stats)


__all__ = ["solve_normalized"]
