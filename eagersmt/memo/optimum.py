"""The optimizer and the lemma store: what a search reuses, and what it leaves behind.

Before the search (``Memo.before``): the stored refutations that apply to the assertions
become clauses of the circuit (``memo/use.py``), so a refuted bound ``t <= a`` of an earlier
run (of this formula, or of one it implies: a tighter bound, a job made longer) is the unit
``t > a`` and the unit-derived lower bound starts there; then, if the stored answer of
"the assertions and ``t <= lb``" exists, its model (checked) is the optimum and nothing is
searched.  Else a near stored answer (a what-if variant's base) is repaired into a model
of this problem (``Memo.repaired``, ``memo/repair.py``): the search starts from it instead
of a probe, and when the lower bound already meets it the optimum is proven with no SAT call.

After it (``Memo.after``): the best model as the answer of "the assertions and ``t <=
value``", and the strongest bound the search refuted, ``t <= a``, as a refuted cube whose
support is the assertions (with the lemmas the search used, and the encoding's bound ``t <=
ub``, which the cube implies).  Its certificate comes from the search itself
(``certify_bound``), not from a second solve: the oracle's CaDiCaL keeps a DRAT trace
(``core.bounded.OrderBounds(proof=True)``), and the certificate's CNF is the encoding of the
assertions and ``t <= ub``, the bound literals ``L_b`` with their clauses (each ``L_b``
means the atom ``p - m <= b``: ``certificate.json``'s ``atom_vars``), the units ``L_ub`` of
the models found (implied by the cube: ``a < ub``), and the unit ``L_a``; the trace ends
with ``-L_a`` and the empty clause.  The refuted bounds are not units of that CNF (the
formula does not imply them), so the oracle keeps them out in this mode.

Cost (``benchmarks/RESULTS.md``, "Lemma store"): proof logging during the
bound search, and writing and packing the CNF and the trace once per run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from typing import TYPE_CHECKING, Any, Optional, Sequence

from ..ir.terms import INT, Term, TermManager
from ..result import Status

if TYPE_CHECKING:
    from ..core.bounded import OrderBounds
    from .use import Lookup


class Memo:
    """One optimization's use of the lemma store (module doc)."""

    def __init__(self, look: "Lookup", assertions: Sequence[Term], declarations: Sequence[Term],
                 terms: TermManager, term: Term, maximize: bool, logic: Optional[str]):
        self.look = look
        self.assertions = list(assertions)
        self.declarations = list(declarations)
        self.terms = terms
        self.term = term
        self.maximize = maximize
        self.logic = logic
        self.lemma_terms: list[Term] = []
        self.recorded_bound: Optional[int] = None  # raw bound of the refutation recorded

    def bound_term(self, raw: int, k: int) -> Term:
        """``p - m <= raw`` as the user's objective: ``t <= raw + k`` (``t >= -(raw + k)``
        when maximizing)."""
        v = self.terms.const(raw + k, INT)
        if self.maximize:
            return self.terms.le(self.terms.const(-(raw + k), INT), self.term)
        return self.terms.le(self.term, v)

    # -- before --------------------------------------------------------------------------
    def before(self, norm: Any) -> None:
        """Apply the stored refutations to ``norm``'s circuit."""
        from .match import lemma_term

        used = self.look.lemmas(norm)
        sorts = {v.val: v.sort for v in self.declarations}
        for e in used:
            t = lemma_term(e, self.terms, sorts)
            if t is None:  # (cannot state it: then no certificate mentions it either)
                self.lemma_terms = []
                self.look.used = []
                return
            self.lemma_terms.append(t)

    def reapply(self, norm: Any) -> None:
        """Add the clauses of the refutations applied before to a fresh normalization."""
        from ..check.lemmas import lemma_root

        for e in self.look.used:
            lemma_root(e, norm)

    def optimum_at(self, raw: int, k: int) -> Optional[dict]:
        """The checked model of the stored answer of "assertions and objective at most
        ``raw``", if there is one."""
        extra = self.bound_term(raw, k)
        qk = self.look.cache.query(self.assertions + [extra], self.look.qk.logic)
        saved, self.look.qk = self.look.qk, qk
        try:
            ans = self.look.answer(self.assertions + [extra], self.declarations)
        finally:
            self.look.qk = saved
        return None if ans is None or ans.status != Status.SAT else ans.model

    def repaired(self, norm: Any, p: int, m: int) -> Optional[tuple[dict, dict, dict]]:
        """A model repaired from a near stored answer (``memo/repair.py``, checked), with
        the least ``p - m`` for its choices: ``(model, circuit values, Booleans)``."""
        from .repair import repaired

        return repaired(self.look, norm, self.assertions, self.declarations, (p, m))

    # -- after ---------------------------------------------------------------------------
    def record_model(self, raw: int, k: int, model: dict, seconds: float) -> None:
        extra = self.bound_term(raw, k)
        qk = self.look.cache.query(self.assertions + [extra], self.look.qk.logic)
        self.look.call(lambda s: s.put_sat(qk, model, seconds=seconds, note="optimize"))

    def record_refutation(self, oracle: "OrderBounds", circuit: Any, p: int, m: int, k: int,
                          bound: int) -> bool:
        """Store the oracle's strongest refutation (module doc); True if an entry was
        written.  ``bound``: the raw bound its encoding was built with."""
        from .record import literals_of, record_certificate

        a = oracle.refuted
        if a is None or a >= bound or (self.recorded_bound is not None and a <= self.recorded_bound):
            return False
        cube_term = self.bound_term(a, k)
        cube = literals_of([cube_term], self.look.cache)
        if cube is None:
            return False
        support = self.assertions + self.lemma_terms + [self.bound_term(bound, k)]
        items = self.look.cache.query(support, self.look.qk.logic).support_of(range(len(support)))
        directory = tempfile.mkdtemp(prefix="eagersmt-opt-cert-")
        try:
            lit = circuit.pred(p, m, a)
            circuit.roots.append(lit)
            try:
                certify_bound(oracle, a, directory)
                ok = record_certificate(self.look, directory, support, cube, items, self.logic,
                                        circuit=circuit, seconds=oracle.refute_seconds,
                                        note="optimize: bound refuted")
            finally:
                circuit.roots.pop()
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        if ok:
            self.recorded_bound = a
        return ok


def certify_bound(oracle: "OrderBounds", a: int, directory: str) -> None:
    """Write the certificate of "the oracle's formula and ``p - m <= a``" (module doc)."""
    import json

    from .. import __version__
    from ..check.certificate import CNF_FILE, FORMAT, META_FILE, PROOF_FILE, encoding_meaning

    enc = oracle.enc
    lit = oracle.lits[a]
    t0 = time.perf_counter()
    with open(os.path.join(directory, CNF_FILE), "w", buffering=1 << 20) as f:
        clauses = enc.cnf.clauses
        n = len(clauses) + len(oracle.added) + 1
        f.write(f"c eagersmt {__version__} certificate CNF (optimizer bound search)\n")
        f.write(f"p cnf {enc.cnf.nvars} {n}\n")
        for part in (clauses, oracle.added, [[lit]]):
            for i in range(0, len(part), 4096):
                f.write(" 0\n".join(" ".join(map(str, cl)) for cl in part[i:i + 4096]) + " 0\n")
    _copy_proof(oracle, os.path.join(directory, PROOF_FILE), [[-lit], []])
    node_var, classes = encoding_meaning(enc)
    meta = {"format": FORMAT, "eagersmt": __version__, "solver": "cadical (optimizer bound search)",
            "solve_seconds": round(oracle.refute_seconds, 6), "written": time.time(),
            "cnf": CNF_FILE, "proof": PROOF_FILE, "node_var": node_var, "classes": classes,
            "atom_vars": [[v, oracle.p, oracle.m, b] for b, v in sorted(oracle.lits.items())],
            "check_sat": 1, "assumptions": 0}
    with open(os.path.join(directory, META_FILE), "w") as f:
        json.dump(meta, f, separators=(",", ":"))
    oracle.stats.add_time("memo_certificate", time.perf_counter() - t0)


def _copy_proof(oracle: "OrderBounds", path: str, extra: list[list[int]]) -> None:
    """Write the oracle's DRAT trace to ``path`` as CaDiCaL wrote it (binary DRAT: a
    text conversion in Python would cost more than the search; the checker reads both),
    then the ``extra`` lemmas; as text when the solver keeps no such trace."""
    from .. import drat

    with open(path, "wb") as out:
        copy = getattr(oracle.solver, "copy_proof", None)
        if copy is not None and copy(out):
            out.writelines(drat.record(cl) for cl in extra)
            return
    with open(path, "w", buffering=1 << 20) as f:
        f.writelines(line + "\n" for line in oracle.solver.proof())
        f.writelines(" ".join(map(str, cl + [0])) + "\n" for cl in extra)


__all__ = ["Memo", "certify_bound"]
