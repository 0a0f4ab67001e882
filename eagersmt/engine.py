r"""The pipeline of one ``check-sat``, written once.

    assertions --compile--> CNF --strategy--> SAT model --decode--> values --check--> Result

``compile.py`` normalizes and encodes; ``strategy.choose`` picks how the CNF is decided
(one SAT call, cube and conquer, certified or not); a ``sat`` model is decoded back to the
declared symbols and evaluated on the original assertions before it is returned.  Every
driver (the CLI's commands, the SMT-LIB session, the Python API, the optimizer's fall-back)
calls ``check_sat``; libraries return values, only the CLI prints.

The lemma store (``memo/use.py``; ``config.memo``) sits between normalizing and encoding:
a stored answer of the same query ends the check there (a ``sat`` model checked on the
assertions first), stored refutations that apply become clauses of the circuit, and a
``sat`` answer is recorded after the check (an ``unsat`` one by the session, once its
certificate is stamped).
"""

from __future__ import annotations

import time
from typing import Callable, Mapping, Optional, Sequence

from .check.model import check_model
from .compile import encode_normalized, normalize_assertions
from .config import Config
from .ir.circuit import FALSE
from .ir.terms import Term
from .memo.use import MemoContext
from .result import Result, Stats, Status


def check_sat(assertions: Sequence[Term], declarations: Sequence[Term], *, config: Config,
              positions: Optional[Mapping[Term, int]] = None, stats: Optional[Stats] = None,
              proof_dir: Optional[str] = None, logic: Optional[str] = None,
              memo: Optional[MemoContext] = None) -> Result:
    """Decide the conjunction of ``assertions``; a ``sat`` model (values of
    ``declarations``) is checked unless ``config.check_models`` is off.

    ``positions``: source offsets of atoms, for errors.  ``proof_dir``: on ``unsat``, write
    a certificate there.  ``config.memory_limit``: past it the answer is ``unknown`` with
    the reason.  ``logic``: the script's (part of the lemma store's keys); ``memo``: the
    caller's lemma-store state (keys shared across its checks; ``memo.last`` is this
    check's ``Lookup`` afterwards).
    """
    stats = stats or Stats()
    memo = memo if memo is not None else MemoContext()
    return within_memory_limit(config, stats, lambda: _check_sat(
        assertions, declarations, config, positions, stats, proof_dir, logic, memo))


def within_memory_limit(config: Config, stats: Stats, run: Callable[[], Result]) -> Result:
    """``run()`` under ``config.memory_limit`` (when set): past it, ``unknown`` with the reason.
    (Also the incremental solver's ``check``, ``context.py``.)"""
    if config.memory_limit is None:
        return run()
    from .backends.process import memory_limit

    mb = config.memory_limit
    try:
        with memory_limit(mb):
            return run()
    except MemoryError:
        return Result(Status.UNKNOWN, {}, stats, f"memory limit ({mb} MB) reached")
    except RuntimeError as e:  # a solver process that died under the limit
        return Result(Status.UNKNOWN, {}, stats, f"memory limit ({mb} MB) reached? {e}")


def _check_sat(assertions: Sequence[Term], declarations: Sequence[Term], config: Config,
               positions: Optional[Mapping[Term, int]], stats: Stats,
               proof_dir: Optional[str], logic: Optional[str], memo: MemoContext) -> Result:
    from .strategy import choose

    deadline = None if config.timeout is None else time.perf_counter() + config.timeout
    norm = normalize_assertions(assertions, positions=positions, stats=stats)
    # (a formula that normalizing decided costs less to answer than to look up)
    decided = FALSE in norm.circuit.roots or not norm.circuit.roots
    look = None if decided else memo.start(config, assertions, logic, norm.forms)
    try:
        if look is not None:
            known = memo.answer(look, assertions, declarations, proof_dir, stats)
            if known is not None:
                return known
            known = memo.repaired(look, norm, assertions, declarations, stats)
            if known is not None:
                return known
            if look.lemmas(norm, proof_dir):
                stats.notes["memo"] = f"{len(look.used)} stored refutation(s) applied"
        res = _solve(norm, assertions, declarations, config, stats, proof_dir, deadline, choose)
        if look is not None and res.status == Status.SAT:
            look.record_sat(res.model, seconds=stats.times.get("solve", 0.0))
        if look is not None and look.used and proof_dir is not None:
            if res.status == Status.UNSAT:
                memo.write_lemmas(look, proof_dir)
            else:
                look.drop_lemma_certificates(proof_dir)
        return res
    finally:
        if look is not None:
            look.counters(stats)


def _solve(norm, assertions: Sequence[Term], declarations: Sequence[Term], config: Config,  # type: ignore[no-untyped-def]
           stats: Stats, proof_dir: Optional[str], deadline: Optional[float], choose) -> Result:
    compiled = encode_normalized(norm, config, stats=stats, checkable=proof_dir is not None)
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
    if config.check_models:
        t0 = time.perf_counter()
        check_model(list(assertions), model)
        stats.add_time("check", time.perf_counter() - t0)
        stats.notes["model_checked"] = "yes"
    return Result(Status.SAT, model, stats)
