"""Re-checking what a stored entry claims, with the existing certificate checker.

Idea.  The key (``trust.py``) says an entry was written by the owner's solver; this module
re-checks that it is *true*, independently of the solving code path, with
``check/proof.py`` (every CNF clause justified by the formula, the DRAT proof replayed by
``dratify``):

* an ``unsat`` answer: its stored input (``input.smt2``, the text the certificate is
  stamped with) must have the entry's query key at the certificate's ``check-sat`` (so the
  certificate is about the same formula as every query with that key), and the certificate
  must verify against it;
* a refuted cube: its stored input must assert exactly the support (the same set of
  assertion keys; each support literal's key is that of its constraint) followed by one
  assertion per cube literal, and the certificate must verify: so ``support and cube`` is
  unsat, i.e. ``support => not cube``;
* a ``sat`` answer carries no proof: its model is checked on the query at every use.

A failure is ``Refused`` with the reason.  ``eagersmt memo gc --check-proofs`` runs this on
every entry; a run's certificate that used entries checks them here too.

Cost: that of ``check-proof`` (``benchmarks/RESULTS.md``, "Certificates").

Reference: ``check/proof.py`` (its trust base applies: parser, normalizer, checker, dratify).
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Union

from ..result import Status
from .entries import INPUT_FILE, AnswerEntry, CubeEntry
from .keys import fact_key, literal_key, query_keys
from .trust import Refused


def verify_entry(store: object, entry: Union[AnswerEntry, CubeEntry], *, engine: str = "auto") -> str:
    """Check ``entry`` (read from ``store``) as the module doc says; a one-line verdict, or
    ``Refused``."""
    if isinstance(entry, AnswerEntry) and entry.status == Status.SAT:
        return "sat: the model is checked on the query at every use"
    with tempfile.TemporaryDirectory(prefix="eagersmt-memo-") as d:
        store.extract(entry, d)  # type: ignore[attr-defined]
        return verify_extracted(entry, d, engine=engine)


def verify_extracted(entry: Union[AnswerEntry, CubeEntry], directory: str, *,
                     engine: str = "auto") -> str:
    """Check an entry whose certificate and ``input.smt2`` were extracted into
    ``directory`` (``MemoStore.extract``; e.g. into a run's ``--proof`` directory, for
    ``check-proof`` to verify without the store)."""
    from ..check.certificate import META_FILE
    from ..check.proof import CertificateError, _assertions_at, check_certificate
    from ..errors import InputError
    from ..smtlib.parser import parse_file

    path = os.path.join(directory, INPUT_FILE)
    try:
        with open(os.path.join(directory, META_FILE)) as f:
            meta = json.load(f)
        script = parse_file(path)
        if isinstance(entry, AnswerEntry):
            index = int(meta.get("check_sat", 1))
            qk = query_keys(_assertions_at(script, index), script.logic)
            if qk.key != entry.qkey:
                raise Refused("the stored input is not the query the entry answers")
        else:
            _check_cube_input(entry, script)
        report = check_certificate(directory, path, engine=engine)
    except (CertificateError, InputError, ValueError, OSError) as e:
        raise Refused(f"the proof does not check: {e}") from None
    if not report.verified:
        raise Refused("the certificate is not fully checkable: " + "; ".join(report.notes))
    return "verified: " + "; ".join(report.notes)


def _check_cube_input(entry: CubeEntry, script: object) -> None:
    assertions = script.assertions  # type: ignore[attr-defined]
    n = len(entry.cube)
    if len(assertions) <= n:
        raise Refused("the stored input has fewer assertions than the cube has literals")
    qk = query_keys(assertions, script.logic)  # type: ignore[attr-defined]
    cube_part = qk.per_assertion[len(assertions) - n:]
    if [tuple(akeys) for akeys in cube_part] != [(literal_key(x),) for x in entry.cube]:
        raise Refused("the stored input does not assert the cube")
    support_keys = {k for akeys in qk.per_assertion[:len(assertions) - n] for k in akeys}
    if support_keys != {k for k, _ in entry.support}:
        raise Refused("the stored input does not assert exactly the support")
    for k, fact in entry.support:
        if fact is not None and fact_key(fact) != k:
            raise Refused(f"support item {k}: its constraint is not the one its key names")
