"""Checking a certificate of optimality (``optimize --proof DIR``; ``check-proof DIR FILE``).

``optimum.json`` names the objectives (term as written, sense, value) and the model; for
objective ``i`` the directory holds ``optimum-i.smt2`` (FILE's problem, the earlier optima
fixed, ``t_i = v_i``) and ``bound-i.smt2`` (the same with ``t_i <= v_i - 1``, or ``>= v_i + 1``
when maximizing) with an unsat certificate in ``bound-i/``.  Accepted only if: FILE is the
input the certificate names (SHA-256); both scripts are what ``optimize/certificate.py``
builds from FILE for those values, byte for byte; the model satisfies every assertion of
``optimum-i.smt2`` (evaluated on the parsed terms: ``check/model.py``); and the unsat
certificate of ``bound-i.smt2`` verifies (``check/proof.py``).  So ``v_i`` is attained and
nothing better is, given the earlier optima.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from .certificate import CertificateError, assertions_at
from .proof import CheckReport, check_certificate


@dataclass
class OptimumReport:
    objectives: list[tuple[str, str, int]] = field(default_factory=list)  # (sense, term, value)
    bounds: list[CheckReport] = field(default_factory=list)


def check_optimum(directory: str, smt2_path: str, *, engine: str = "auto") -> OptimumReport:
    """Check the certificate of optimality in ``directory`` against FILE ``smt2_path``
    (module doc); ``CertificateError`` when it is rejected."""
    from ..check.certificate import input_digest
    from ..check.model import evaluate
    from ..errors import InternalError
    from ..optimize.certificate import (OPTIMUM_FILE, bound_relation, model_from_json, problem,
                                        query)
    from ..smtlib.parser import parse, read_source

    try:
        with open(os.path.join(directory, OPTIMUM_FILE)) as f:
            meta = json.load(f)
        objectives = meta["objectives"]
        model = model_from_json(meta["model"])
        digest = meta["input"]["sha256"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise CertificateError(f"{OPTIMUM_FILE}: {e}") from None
    text = read_source(smt2_path)
    if digest != input_digest(text):
        raise CertificateError(f"the certificate is for another input than {smt2_path}")
    report = OptimumReport()
    base = problem(text)
    fixed: list[tuple[str, int]] = []
    for i, obj in enumerate(objectives, 1):
        try:
            term, maximize, value = str(obj["term"]), bool(obj["maximize"]), int(obj["value"])
        except (KeyError, TypeError, ValueError) as e:
            raise CertificateError(f"{OPTIMUM_FILE}: objective {i}: {e}") from None
        attained = query(base, fixed, term, "=", value)
        _same(directory, f"optimum-{i}.smt2", attained)
        script = parse(attained, filename=f"optimum-{i}.smt2")
        try:
            values = evaluate(assertions_at(script, 1), model)
        except InternalError as e:
            raise CertificateError(f"optimum-{i}.smt2: the model: {e}") from None
        if not all(v is True for v in values):
            raise CertificateError(f"optimum-{i}.smt2: the model does not satisfy it "
                                   f"(objective {term} = {value} not attained)")
        rel, k = bound_relation(maximize, value)
        _same(directory, f"bound-{i}.smt2", query(base, fixed, term, rel, k))
        report.bounds.append(check_certificate(os.path.join(directory, f"bound-{i}"),
                                               os.path.join(directory, f"bound-{i}.smt2"),
                                               engine=engine))
        report.objectives.append(("maximize" if maximize else "minimize", term, value))
        fixed.append((term, value))
    if not objectives:
        raise CertificateError(f"{OPTIMUM_FILE}: no objective")
    return report


def _same(directory: str, name: str, expected: str) -> None:
    try:
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            found = f.read()
    except OSError as e:
        raise CertificateError(f"{name}: {e.strerror}") from None
    if found != expected:
        raise CertificateError(f"{name} is not the query FILE and {os.path.basename(directory)}"
                               f"/optimum.json state")
