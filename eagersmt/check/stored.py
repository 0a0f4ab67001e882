"""Checking a stored certificate: an answer or a refuted cube of the lemma store, as the
checker defines them (the store records them; it never defines what they mean).

* an ``unsat`` answer: its input (``input.smt2``, the text the certificate is stamped with)
  must have the entry's query key (``query_keys.py``) at the certificate's ``check-sat``, so
  the certificate is about the same formula as every query with that key, and the
  certificate must verify against it;
* a refuted cube (a lemma, ``lemmas.py``): its input must assert exactly the support (the
  same set of assertion keys; each support literal's key that of its constraint) followed
  by one assertion per cube literal, and the certificate must verify: so ``support and
  cube`` is unsat, i.e. ``support => not cube``.

A failure is ``CertificateError`` with the reason.  Cost: that of ``check-proof``.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Optional, Sequence

from .certificate import META_FILE, CertificateError, assertions_at
from .query_keys import Fact, Literal, fact_key, literal_key, query_keys

INPUT_FILE = "input.smt2"  # the input a stored certificate is about, beside it


Checker = Callable[..., Any]  # ``proof.check_certificate``: a stored certificate is one


def verify_answer(qkey: str, directory: str, check: Checker, *, engine: str = "auto") -> str:
    """Verify the certificate in ``directory`` of an ``unsat`` answer of query ``qkey``
    with ``check`` (``proof.check_certificate``); a one-line verdict, or
    ``CertificateError``."""
    return _verify(directory, check, engine, qkey, None)


def verify_cube(support: Sequence[tuple[str, Optional[Fact]]], cube: Sequence[Literal],
                directory: str, check: Checker, *, engine: str = "auto") -> str:
    """Verify the certificate in ``directory`` of the refutation of ``cube`` under
    ``support`` with ``check``; a one-line verdict, or ``CertificateError``."""
    return _verify(directory, check, engine, None, (support, cube))


def _verify(directory: str, check_certificate: Checker, engine: str, qkey: Optional[str],
            lemma: Any) -> str:
    from ..errors import InputError
    from ..smtlib.parser import parse_file

    path = os.path.join(directory, INPUT_FILE)
    try:
        with open(os.path.join(directory, META_FILE)) as f:
            meta = json.load(f)
        script = parse_file(path)
        index = int(meta.get("check_sat", 1))
    except (InputError, ValueError, OSError) as e:
        raise CertificateError(f"the proof does not check: {e}") from None
    if qkey is not None:
        if query_keys(assertions_at(script, index), script.logic).key != qkey:
            raise CertificateError("the stored input is not the query the entry answers")
    else:
        _check_cube_input(lemma[0], lemma[1], script)
    try:
        report = check_certificate(directory, path, engine=engine)
    except (CertificateError, InputError, ValueError, OSError) as e:
        raise CertificateError(f"the proof does not check: {e}") from None
    return "verified: " + "; ".join(report.notes)


def _check_cube_input(support: Sequence[tuple[str, Optional[Fact]]], cube: Sequence[Literal],
                      script: Any) -> None:
    assertions = script.assertions
    n = len(cube)
    if len(assertions) <= n:
        raise CertificateError("the stored input has fewer assertions than the cube has literals")
    qk = query_keys(assertions, script.logic)
    cube_part = qk.per_assertion[len(assertions) - n:]
    if [tuple(akeys) for akeys in cube_part] != [(literal_key(x),) for x in cube]:
        raise CertificateError("the stored input does not assert the cube")
    support_keys = {k for akeys in qk.per_assertion[:len(assertions) - n] for k in akeys}
    if support_keys != {k for k, _ in support}:
        raise CertificateError("the stored input does not assert exactly the support")
    for k, fact in support:
        if fact is not None and fact_key(fact) != k:
            raise CertificateError(f"support item {k}: its constraint is not the one its key names")


__all__ = ["INPUT_FILE", "verify_answer", "verify_cube"]
