"""Producing a stored refutation: a certified proof that support and cube are unsat.

Idea.  The conquer refutes a cube (SMT-level literals) and, with per-assertion selector
literals, the failed-assumption core names the input assertions it needed: the support.
What the store keeps must be checkable by itself, so ``refute_cube`` writes the formula
``support and cube`` as SMT-LIB (``smtlib/printer.script_text``: the support's assertions,
then one assertion per cube literal) and solves it with a certificate (``--proof``):
the DRAT proof over the CNF of the support plus the cube's literals, which
``check-proof`` and ``verify.py`` replay.  ``record_cube`` does that and stores it.

Why a second, certified solve rather than keeping the conquer's own DRAT proof: that proof
is over the whole query's CNF with the cube as assumptions, and the certificate checker
justifies a CNF from the formula it is given, whose small-domain box must include the
cube's atoms; a fresh encoding of ``support and cube`` has that by construction.  The
support is usually much smaller than the query and the cube already refuted, so the solve
is short; the conquer can run it after answering.

Cost: one certified solve of ``support and cube`` (its time is the entry's ``seconds``).

Reference: ``check/certificate.py`` (format), ``check/proof.py`` (checker).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

from ..ir.terms import Term, TermManager
from ..check.query_keys import Literal, QueryKeys
from .match import literal_term


@dataclass
class Refutation:
    text: str  # the formula: support assertions, then the cube literals
    directory: str  # its certificate (the caller removes it)
    seconds: float


def refute_cube(support: Sequence[Term], cube: Sequence[Literal], *, terms: TermManager,
                sorts: Mapping[str, str], logic: Optional[str], config: object = None,
                timeout: Optional[float] = None) -> Optional[Refutation]:
    """Solve ``support and cube`` with a certificate; the refutation if it is unsat, else
    None (the support does not refute the cube, or the time ran out).  ``sorts``: the sort
    of each variable name (from the query's declarations)."""

    from ..api import solve_smtlib
    from ..config import Config
    from ..result import Status
    from ..smtlib.printer import script_text

    lits = []
    for x in cube:
        t = literal_term(x, terms, sorts)
        if t is None:
            return None
        lits.append(t)
    text = script_text(list(support) + lits, logic=logic)
    directory = tempfile.mkdtemp(prefix="eagersmt-cube-")
    cfg = (config or Config()).replace(proof=directory, timeout=timeout, cubes="none",
                                       ray=None, memo="off")
    t0 = time.perf_counter()
    try:
        r = solve_smtlib(text, config=cfg)
    except Exception:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    if r.status != Status.UNSAT:
        shutil.rmtree(directory, ignore_errors=True)
        return None
    return Refutation(text, directory, time.perf_counter() - t0)


def record_cube(store: object, qk: QueryKeys, assertions: Sequence[Term], core: Sequence[int],
                cube: Sequence[Literal], *, terms: TermManager, sorts: Mapping[str, str],
                config: object = None, timeout: Optional[float] = None, note: str = "") -> bool:
    """Certify and store the refutation of ``cube`` by the input assertions ``core``
    (0-based indices into ``assertions``, whose keys are ``qk``).  True if a new entry was
    written."""
    support_terms = [assertions[i] for i in sorted(set(core))]
    ref = refute_cube(support_terms, cube, terms=terms, sorts=sorts, logic=qk.logic or None,
                      config=config, timeout=timeout)
    if ref is None:
        return False
    try:
        return store.put_cube(qk.support_of(core), cube, logic=qk.logic,  # type: ignore[attr-defined]
                              certificate_dir=ref.directory, input_text=ref.text,
                              seconds=ref.seconds, note=note)
    finally:
        shutil.rmtree(ref.directory, ignore_errors=True)
