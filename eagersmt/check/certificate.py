"""Writing UNSAT certificates: the CNF, its DRAT refutation, and the encoding's meaning.

A certificate directory holds three files:

* ``formula.cnf``: the CNF that was solved (DIMACS);
* ``proof.drat``: the SAT solver's DRAT refutation of it (text);
* ``certificate.json``: what ties the CNF to the input: the SHA-256 of the input text and
  which ``check-sat`` it answers; the SAT variable of every circuit node (Tseitin); per
  variable class the encoding and the meaning of its own variables (order literal
  ``base + i`` is ``x - o <= lo + i`` with ``o`` the anchor variable or a virtual origin;
  EIJ's derived predicates ``x - y <= c``; small-domain bits and gates); for linear integer
  arithmetic (``linear``) the bits of every integer variable and what each BDD variable
  means (``encode/linear_checkable.py``, read by ``check/linear.py``).

A formula refuted before any SAT call has only ``certificate.json``, which says why
(``trivial``); for a refutation by the corner polyhedron it holds the witness
(``corner``: rows, multipliers, group and a potential, ``check/corner.py``).

Nothing here is trusted: ``proof.py`` re-derives the formula from the input and accepts the
CNF only if every clause is justified (see its module doc for the trust base).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from typing import Any, Optional

from ..errors import EagerSmtError

FORMAT = "eagersmt-certificate/1"
CNF_FILE, PROOF_FILE, META_FILE = "formula.cnf", "proof.drat", "certificate.json"
COVERAGE_FILE = "coverage.drat"


def input_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def encoding_meaning(enc: Any) -> tuple[list[list[int]], list[dict[str, Any]]]:
    """``node_var`` pairs and per-class meanings of an ``encode.Encoded`` (JSON-ready): each
    encoding's decoder says what its variables mean (``Decoder.meaning``)."""
    node_var = sorted([n, v] for n, v in enc.tseitin.node_var.items())
    pred_vars = {p.var for p in enc.tseitin.preds}
    classes = [dec.meaning(var_range, pred_vars)
               for dec, var_range in zip(getattr(enc, "decoders", ()),
                                         getattr(enc, "var_ranges", ()))]
    return node_var, classes


def write_cube(directory: str, cube_id: int, cube: list[int]) -> None:
    """Record a refuted cube of a cube-and-conquer run (its proof is ``cube-ID.drat``)."""
    with open(os.path.join(directory, f"cube-{cube_id}.cube"), "w") as f:
        f.write(" ".join(map(str, cube)) + "\n")


def read_cubes(directory: str) -> list[list]:
    """``[id, literals, proof file]`` of every refuted cube recorded in ``directory``."""
    out = []
    for name in os.listdir(directory):
        if name.startswith("cube-") and name.endswith(".cube"):
            i = int(name[5:-5])
            with open(os.path.join(directory, name)) as f:
                out.append([i, [int(t) for t in f.read().split()], f"cube-{i}.drat"])
    return sorted(out)


def write_certificate(directory: str, *, enc: Any, solver: str, seconds: float,
                      trivial: Optional[str] = None, corner: Optional[dict[str, Any]] = None,
                      cubes: Optional[list[list]] = None) -> None:
    """Write ``formula.cnf`` and ``certificate.json`` into ``directory`` (the DRAT proof is
    written there by the SAT back end).  ``trivial``: the formula was refuted before any SAT
    call (e.g. it normalizes to false); then there is no CNF.  ``corner``: the witness of
    such a refutation by the corner polyhedron (``ir/linear.corner_witness``, checked by
    ``check/corner.py``).  ``cubes``: a cube-and-conquer
    run, ``[id, literals, proof]`` per refuted cube, plus ``coverage.drat``: the CNF and the
    negations of the cubes are unsat (the cubes cover every model of the CNF)."""
    from .. import __version__

    os.makedirs(directory, exist_ok=True)
    meta: dict[str, Any] = {"format": FORMAT, "eagersmt": __version__, "solver": solver,
                            "solve_seconds": round(seconds, 6), "written": time.time()}
    if trivial is not None:
        meta["trivial"] = trivial
        if corner is not None:
            meta["corner"] = corner
    else:
        with open(os.path.join(directory, CNF_FILE), "w", buffering=1 << 20) as f:
            enc.cnf.write_dimacs(f, [f"eagersmt {__version__} certificate CNF"])
        meta["cnf"] = CNF_FILE
        if cubes is None:
            meta["proof"] = PROOF_FILE
        else:
            meta["cubes"], meta["coverage"] = cubes, COVERAGE_FILE
        meta["node_var"], meta["classes"] = encoding_meaning(enc)
        if hasattr(enc, "certificate"):  # linear constraints (``encode/linear_checkable.py``)
            meta["linear"] = enc.certificate()
    _update(directory, meta)


def clear_certificate(directory: str) -> None:
    """Create ``directory`` and remove any certificate files a previous run left there
    (and the lemma store's entries it held: ``memo-answer/``, ``lemma-N/``)."""
    import shutil

    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        if name in (CNF_FILE, PROOF_FILE, META_FILE, COVERAGE_FILE) or (
                name.startswith("cube-") and name.endswith((".cube", ".drat"))):
            os.unlink(os.path.join(directory, name))
        elif (name == "memo-answer" or name.startswith("lemma-")) and \
                os.path.isdir(os.path.join(directory, name)):
            shutil.rmtree(os.path.join(directory, name), ignore_errors=True)


def stamp_input(directory: str, *, text: str, filename: Optional[str], check_sat: int,
                assumptions: int) -> None:
    """Record which input and which ``check-sat`` (1-based) the certificate answers."""
    _update(directory, {"input": {"file": os.path.basename(filename) if filename else None,
                                  "sha256": input_digest(text)},
                        "check_sat": check_sat, "assumptions": assumptions})


def _update(directory: str, fields: dict[str, Any]) -> None:
    path = os.path.join(directory, META_FILE)
    meta: dict[str, Any] = {}
    if os.path.exists(path):
        with open(path) as f:
            meta = json.load(f)
    meta.update(fields)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(meta, f, separators=(",", ":"))
    os.replace(tmp, path)


class CertificateError(EagerSmtError):
    """The certificate is rejected (or malformed); the message says why."""


def assertions_at(script: Any, index: int) -> list:
    """The assertions (and assumptions) in force at the ``index``-th check-sat (1-based):
    those of the levels ``pop`` has not removed."""
    asserted: list = []
    levels: list[int] = []  # len(asserted) at each push
    seen = 0
    for cmd in script.commands:
        if cmd.name == "assert":
            asserted.append(cmd.args[0])
        elif cmd.name == "push":
            levels += [len(asserted)] * cmd.args[0]
        elif cmd.name == "pop" and cmd.args[0]:
            del asserted[levels[-cmd.args[0]]:]
            del levels[-cmd.args[0]:]
        elif cmd.name in ("reset", "reset-assertions"):
            asserted, levels = [], []
        elif cmd.name == "check-sat":
            seen += 1
            if seen == index:
                return asserted + list(cmd.args)
    raise CertificateError(f"the input has no check-sat number {index}")
