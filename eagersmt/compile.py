"""The compile stage: assertions become a CNF with its decoder.

    assertions --normalize--> circuit over x - y <= c --encode--> CNF + decoders

Every caller (``solve``, ``encode``, ``cube``, the optimizer, the benchmarks) goes through
these functions: they time the stages into ``Stats`` and handle a formula that normalizes to
false (``Compiled.trivial`` says why; there is no encoding then, and ``cnf`` is the empty
clause).  An atom outside difference logic raises ``InputError`` at its source offset
(``positions``); ``compile_script`` also turns that offset into FILE:LINE:COL.  Each lossy step
hands back its inverse: ``Compiled.decode`` reads a SAT model back into the values of the
declared symbols (encoding, then normalization undone).
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Mapping, Optional, Sequence

from .config import Config
from .encode.cnf import CNF
from .errors import InputError
from .ir import terms as T
from .ir.circuit import FALSE
from .ir.terms import BOOL, REAL, Term, iter_dag
from .result import Stats, Value

if TYPE_CHECKING:
    from .encode import Encoded
    from .ir.linear import LinearNormalized
    from .ir.normalize import Normalized
    from .smtlib.parser import Script

FALSE_REASON = "an assertion simplifies to false"
CORNER_REASON = "a row has no integer point in the corner polyhedron of the others"
CASE_LIMIT = 256  # an atom whose ite-lifting (``ir/normalize.py``) has more cases is linear


class Compiled:
    """A normalized formula and its encoding (``enc`` is None when ``trivial``).  (A plain
    class: the solve path does not import ``dataclasses``; ``result.py``.)"""

    __slots__ = ("norm", "enc", "trivial", "stats", "corner")

    def __init__(self, norm: "Normalized", enc: Optional["Encoded"], trivial: str = "",
                 stats: Optional[Stats] = None, corner: Optional[dict] = None) -> None:
        self.norm = norm
        self.enc = enc
        self.trivial = trivial  # why the formula is unsat without a SAT call ('' normally)
        self.stats = stats  # what the stages recorded (when the caller gave one)
        self.corner = corner  # the witness when the corner step refuted (``trivial``)

    @property
    def cnf(self) -> CNF:
        """The CNF to solve (for a trivial formula not encoded, the empty clause)."""
        if self.enc is not None:
            return self.enc.cnf
        cnf = CNF()
        cnf.add([])
        return cnf

    def decode(self, model: Sequence[int], declarations: Sequence[Term]) -> dict[str, Value]:
        """The values of ``declarations`` in a SAT model of ``cnf`` (DIMACS literals)."""
        assert self.enc is not None
        ints, bools = self.enc.decode(lambda v: v <= len(model) and model[v - 1] > 0)
        return self.norm.decode(ints, bools, list(declarations))


def outside_difference(assertions: Sequence[Term], order: Optional[list[Term]] = None) -> bool:
    """Does the formula need ``ir/linear.py``'s normalizer without asking ``ir/normalize.py``
    first: an uninterpreted function, ``div``/``mod``/``abs``, or an atom whose ``ite`` cases
    would multiply past ``CASE_LIMIT``?  (A cheap count: one pass over the DAG, ``order`` when
    the caller has it, else ``iter_dag(assertions)``; none without an ``ite``, where every
    term has one case.)  Atoms that ``ir/normalize.py`` rejects otherwise are found by it
    (``NotDifference``)."""
    if order is None:
        order = iter_dag(assertions)
    ops = {t.op for t in order}
    if not ops.isdisjoint((T.APPLY, T.DIV, T.MOD, T.ABS)):
        return True
    if T.ITE not in ops:
        return False
    cases: dict[int, int] = {}
    for t in order:
        op = t.op
        if t.sort == BOOL:
            if op in (T.LE, T.LT, T.EQ) and t.args[0].sort != BOOL:
                if cases[t.args[0].id] * cases[t.args[1].id] > CASE_LIMIT:
                    return True
            continue
        if op == T.ITE:
            n = cases[t.args[1].id] + cases[t.args[2].id]
        elif op == T.ADD:
            n = 1
            for a in t.args:
                n = min(n * cases[a.id], CASE_LIMIT + 1)
        elif op == T.MUL:
            n = cases[t.args[0].id]
        else:
            n = 1
        cases[t.id] = min(n, CASE_LIMIT + 1)
    return False


def is_linear(norm: object) -> bool:
    """Is ``norm`` ``ir/linear.py``'s ``LinearNormalized``?  (That module, with its steps, is
    imported only for a formula outside difference logic: before, there is none.)"""
    linear = sys.modules.get(__package__ + ".ir.linear")
    return linear is not None and isinstance(norm, linear.LinearNormalized)


def normalize_assertions(assertions: Sequence[Term], *,
                         positions: Optional[Mapping[Term, int]] = None,
                         stats: Optional[Stats] = None, substitute: bool = True,
                         checkable: bool = False) -> "Normalized":
    """``ir.normalize`` timed into ``stats`` (``substitute``: top-level equalities); an
    integer formula outside difference logic gets ``ir.linear``'s ``LinearNormalized``
    (``checkable``: in the unsplit form its certificates check)."""
    from .ir.normalize import NotDifference, normalize

    t0 = time.perf_counter()
    order = iter_dag(list(assertions))  # (one walk of the DAG for both checks and normalize)
    try:
        if outside_difference(assertions, order):
            from .ir.linear import normalize_linear

            norm = normalize_linear(assertions, positions=positions,  # type: ignore[assignment]
                                    checkable=checkable)
        else:
            norm = normalize(list(assertions), positions=positions, substitute=substitute,
                             order=order)
    except NotDifference:
        if any(t.sort == REAL for t in order):
            raise
        from .ir.linear import normalize_linear

        norm = normalize_linear(assertions, positions=positions,  # type: ignore[assignment]
                                checkable=checkable)
    if stats is not None:
        stats.add_time("normalize", time.perf_counter() - t0)
        stats.counts.update(norm.stats)
        if is_linear(norm):
            stats.notes.update(norm.notes)  # type: ignore[union-attr]
    return norm


def encode_normalized(norm: "Normalized", config: Config = Config(), *,
                      stats: Optional[Stats] = None, checkable: bool = False,
                      prefer_order: frozenset[int] = frozenset(),
                      encode_trivial: bool = False, extendable: bool = False) -> Compiled:
    """Encode ``norm`` as ``config`` says (``encode.encode``: ``checkable`` avoids encodings
    whose clauses certificates do not check; ``prefer_order`` forces the order encoding on
    the classes of those circuit variables).  A formula that normalizes to false is not
    encoded unless ``encode_trivial`` (a DIMACS for other tools: its CNF then ends with the
    empty clause).  ``extendable``: assertions will be added to this encoding in place
    (``core/guarded.py``), so no class may be restricted to one schedule (``listsched.py``)."""
    if is_linear(norm):
        return _encode_linear(norm, config, stats, checkable)  # type: ignore[arg-type]
    trivial = FALSE_REASON if FALSE in norm.circuit.roots else ""
    if trivial and not encode_trivial:
        return Compiled(norm, None, trivial, stats)
    from .encode import encode

    enc = encode(norm, encoding=config.encoding, eij_max_clauses=config.eij_max_clauses,
                 stats=stats, checkable=checkable, prefer_order=prefer_order,
                 extendable=extendable)
    if trivial:
        enc.cnf.add([])
    return Compiled(norm, enc, trivial, stats)


def _encode_linear(norm: "LinearNormalized", config: Config, stats: Optional[Stats],
                   checkable: bool) -> Compiled:
    """A linear formula's CNF (``encode/linear.py``; ``checkable``: the encoding whose
    clauses certificates check, ``encode/linear_checkable.py``; cubes split on its atoms
    and bits, ``cube/smt.py``).  The checkable form leaves the corner step out of
    normalization; it is taken here instead, and a refutation is not encoded: ``trivial``,
    with the witness that ``check-proof`` checks (``ir/linear.corner_witness``)."""
    if checkable:
        from .encode.linear_checkable import encode_linear_checkable
        from .ir.linear import corner_witness

        t0 = time.perf_counter()
        witness = corner_witness(norm)
        if stats is not None:
            stats.add_time("corner", time.perf_counter() - t0)
        if witness is not None:
            return Compiled(norm, None, CORNER_REASON, stats, corner=witness)

        enc = encode_linear_checkable(norm, encoding=config.encoding,
                                      eij_max_clauses=config.eij_max_clauses, stats=stats)
        return Compiled(norm, enc, "", stats)  # type: ignore[arg-type]
    from .encode.linear import encode_linear

    enc = encode_linear(norm, encoding=config.encoding, eij_max_clauses=config.eij_max_clauses,
                        stats=stats)
    return Compiled(norm, enc, "", stats)  # type: ignore[arg-type]


def compile_assertions(assertions: Sequence[Term], config: Config = Config(), *,
                       positions: Optional[Mapping[Term, int]] = None,
                       stats: Optional[Stats] = None, checkable: bool = False,
                       encode_trivial: bool = False) -> Compiled:
    """Normalize and encode the conjunction of ``assertions``."""
    norm = normalize_assertions(assertions, positions=positions, stats=stats,
                                checkable=checkable)
    return encode_normalized(norm, config, stats=stats, checkable=checkable,
                             encode_trivial=encode_trivial)


def compile_script(script: "Script", config: Config = Config(), *,
                   stats: Optional[Stats] = None, encode_trivial: bool = False) -> Compiled:
    """``compile_assertions`` of a parsed script's assertions, errors located in its text."""
    try:
        return compile_assertions(script.assertions, config, positions=script.atom_pos,
                                  stats=stats, encode_trivial=encode_trivial)
    except InputError as e:
        raise script.locate(e) from None
