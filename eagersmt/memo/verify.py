"""Re-checking what a stored entry claims, with the existing certificate checker.

Idea.  The key (``trust.py``) says an entry was written by the owner's solver; this module
re-checks that it is *true*, independently of the solving code path, with the checker's
own definition of a stored certificate (``check/stored.py``) and ``check/proof.py`` (every CNF clause justified by the formula, the DRAT proof replayed by
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
every entry; ``check-proof`` checks the entries a run's certificate used the same way.

Cost: that of ``check-proof`` (``benchmarks/RESULTS.md``, "Certificates").

Reference: ``check/proof.py`` (its trust base applies: parser, normalizer, checker, dratify).
"""

from __future__ import annotations

import tempfile
from typing import Union

from ..result import Status
from .entries import AnswerEntry, CubeEntry
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
    ``check-proof`` to verify without the store): ``check/stored.py``."""
    from ..check.certificate import CertificateError
    from ..check.proof import check_certificate
    from ..check.stored import verify_answer, verify_cube

    try:
        if isinstance(entry, AnswerEntry):
            return verify_answer(entry.qkey, directory, check_certificate, engine=engine)
        return verify_cube(entry.support, entry.cube, directory, check_certificate,
                           engine=engine)
    except CertificateError as e:
        raise Refused(str(e)) from None


__all__ = ["verify_entry", "verify_extracted"]
