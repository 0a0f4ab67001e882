"""Recording refutations whose certificates a run has already written (no second solve).

``certify.refute_cube`` certifies a refutation by solving ``support and cube`` again; that
doubles the cost of the refutation.  Where the run itself wrote a certificate of exactly
that formula, the store takes it as it is:

* ``record_level_refutation``: an unsat ``check-sat`` of a ``--proof`` session whose
  innermost ``push`` level asserts literals only (``(push 1) (assert (<= (- x y) 3))
  (check-sat)``): its certificate proves "the assertions below that level and those
  literals" unsat, i.e. the cube of the literals is refuted by the rest (the support);
* ``record_certificate``: the general step, given the formula as assertions (support first,
  then one assertion per cube literal) and a certificate of it.  The optimizer's bound
  refutations (``memo/optimum.py``) go through it.

The certificate is re-stamped with the formula's own text (``smtlib.printer.script_text``),
which is what ``verify.py`` and ``check-proof`` read back; the run's circuit must be the one
that text normalizes to (same nodes, same numbering), checked here, else nothing is stored
(the certificate's variable meanings are in node numbers).

Cost: printing and normalizing the formula once more, hard links to the certificate's
files, and packing them (``MemoStore.put_cube``).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from typing import TYPE_CHECKING, Any, Optional, Sequence

from ..ir import terms as T
from ..ir.terms import BOOL, Term
from ..check.query_keys import Atom, BoolLit, Literal

if TYPE_CHECKING:
    from ..ir.circuit import Circuit
    from .use import Lookup


def literals_of(terms: Sequence[Term], facts: Any) -> Optional[list[tuple[Term, Literal]]]:
    """Each conjunct of ``terms`` with the cube literal it states (``facts``: a
    ``KeyCache``), or None when one is not a literal."""
    out: list[tuple[Term, Literal]] = []
    stack = list(reversed(terms))
    while stack:
        t = stack.pop()
        if t.op == T.AND:
            stack.extend(reversed(t.args))
        elif t.op == T.VAR and t.sort == BOOL:
            out.append((t, BoolLit(str(t.val), True)))
        elif t.op == T.NOT and t.args[0].op == T.VAR:
            out.append((t, BoolLit(str(t.args[0].val), False)))
        else:
            items = facts._of(t)
            if len(items) != 1 or not isinstance(items[0][1], Atom):
                return None
            out.append((t, items[0][1]))
    return out


def same_circuit(a: "Circuit", b: "Circuit") -> bool:
    return a.kind == b.kind and a.args == b.args and a.roots == b.roots \
        and a.int_names == b.int_names


def record_level_refutation(look: "Lookup", proof_dir: str, support: Sequence[Term],
                            level: Sequence[Term], logic: Optional[str]) -> bool:
    """Record the refutation of the literals ``level`` by ``support`` from the certificate
    of "support and level" in ``proof_dir`` (module doc).  True if an entry was written."""
    if look.store is None or not support or look.qk is None:
        return False
    cache = look.cache
    lits = literals_of(level, cache)
    if not lits:
        return False
    n = len(support)
    sk = cache.query(list(support), look.qk.logic)
    return record_certificate(look, proof_dir, list(support), lits, sk.support_of(range(n)),
                              logic, original=list(support) + list(level))


def record_certificate(look: "Lookup", proof_dir: str, support: list[Term],
                       cube: list[tuple[Term, Literal]], items: list, logic: Optional[str], *,
                       original: Optional[list[Term]] = None, circuit: Optional["Circuit"] = None,
                       seconds: float = 0.0, note: str = "") -> bool:
    """Store "``support`` refutes ``cube``" with the certificate in ``proof_dir``, whose
    CNF is over the circuit of ``original`` (default: support then cube), or ``circuit``
    (module doc).  ``items``: the support items (``QueryKeys.support_of``)."""
    from ..check.certificate import META_FILE, input_digest
    from ..ir.normalize import normalize
    from ..smtlib.parser import parse
    from ..smtlib.printer import script_text

    store = look.store
    if store is None:
        return False
    with open(os.path.join(proof_dir, META_FILE)) as f:
        meta = json.load(f)
    if "lemmas" in meta or "memo_answer" in meta:
        return False  # not self-contained
    text = script_text(support + [t for t, _ in cube], logic=logic)
    try:
        mine = normalize(parse(text).assertions).circuit
        theirs = circuit if circuit is not None else \
            normalize(original if original is not None else support + [t for t, _ in cube]).circuit
    except Exception:  # noqa: BLE001 - a formula the printer cannot round-trip: not stored
        return False
    if not same_circuit(mine, theirs):
        return False
    tmp = tempfile.mkdtemp(prefix="eagersmt-memo-rec-")
    try:
        for name in os.listdir(proof_dir):
            src = os.path.join(proof_dir, name)
            if not os.path.isfile(src) or name == META_FILE:
                continue
            try:
                os.link(src, os.path.join(tmp, name))
            except OSError:
                shutil.copyfile(src, os.path.join(tmp, name))
        meta.update(input={"file": "input.smt2", "sha256": input_digest(text)}, check_sat=1,
                    assumptions=0)
        with open(os.path.join(tmp, META_FILE), "w") as f:
            json.dump(meta, f, separators=(",", ":"))
        return bool(look.call(lambda s: s.put_cube(
            items, [x for _, x in cube], logic=look.qk.logic, certificate_dir=tmp,
            input_text=text, seconds=seconds, note=note), False))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
