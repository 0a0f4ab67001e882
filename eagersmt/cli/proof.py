"""``eagersmt check-proof DIR FILE.smt2``: verify an UNSAT certificate (``check/proof.py``).

Exit codes (the table of ``cli/errors.py``): 0 verified; 1 bad input (no such file, FILE
does not parse); 4 rejected.
"""

from __future__ import annotations

import os
import sys

import click

from ..errors import InputError
from .errors import EXIT_REJECTED


@click.command("check-proof")
@click.argument("directory", type=click.Path())
@click.argument("file", type=click.Path())
@click.option("--engine", type=click.Choice(["auto", "native", "python"]), default="auto",
              show_default=True,
              help="DRAT checker engine of dratify: native (Rust, from cdclkit-native), python, "
                   "or auto (native when installed).")
def check_proof_cmd(directory: str, file: str, engine: str) -> None:
    """Verify the UNSAT certificate in DIRECTORY (written by 'solve --proof DIRECTORY')
    against FILE, independently of the solving code path.

    Checks: the DRAT refutation of the CNF; every CNF clause a Tseitin clause of FILE's
    circuit, a root clause, or a theory clause implied by the small-domain lemma's box;
    for the small-domain encoding, a gate's clause that its definition implies, or an
    atom's link to its comparator rebuilt on the certificate's gates;
    for linear integer arithmetic, a clause of a constraint's BDD (or of a surrogate's, a
    combination of top-level constraints) that follows from what its variables mean, or
    an adder's clause that its definition implies, and every Ackermann constraint no
    stronger than functional consistency.
    With several check-sat commands, DIRECTORY holds one certificate per unsat answer
    (check-sat-N/); each is checked.  A certificate of optimality ('optimize --proof
    DIRECTORY'): the optimum's model satisfies FILE with the objective at its value,
    and the unsat certificate of every better value verifies.
    """
    from ..check.certificate import META_FILE
    from ..check.proof import CertificateError, check_certificate
    from ..optimize.certificate import OPTIMUM_FILE

    if not os.path.exists(file):
        click.echo(f"error: {file}: no such file", err=True)
        sys.exit(1)
    if os.path.exists(os.path.join(directory, OPTIMUM_FILE)):
        _check_optimum(directory, file, engine)
    if os.path.exists(os.path.join(directory, META_FILE)):
        dirs = [directory]
    else:
        dirs = sorted((os.path.join(directory, d) for d in os.listdir(directory)
                       if d.startswith("check-sat-")) if os.path.isdir(directory) else [],
                      key=lambda p: int(p.rsplit("-", 1)[1]))
        if not dirs:
            click.echo(f"rejected: {directory}: no certificate ({META_FILE}) found", err=True)
            sys.exit(EXIT_REJECTED)
    failed = False
    for d in dirs:
        try:
            r = check_certificate(d, file, engine=engine)
        except InputError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(1)
        except CertificateError as e:
            click.echo(f"rejected: {d}: {e}")
            failed = True
            continue
        counts = ", ".join(f"{k} {v}" for k, v in r.counts.items() if v)
        times = ", ".join(f"{k} {v:.2f}" for k, v in r.times.items())
        details = "; ".join(part for part in (counts, "; ".join(r.notes), times) if part)
        click.echo(f"verified: {d}: unsat ({details})")
    sys.exit(EXIT_REJECTED if failed else 0)


def _check_optimum(directory: str, file: str, engine: str) -> None:
    """Check a certificate of optimality (``check/optimum.py``) and exit."""
    from ..check.optimum import check_optimum
    from ..check.proof import CertificateError
    from ..optimize.certificate import numeral

    try:
        r = check_optimum(directory, file, engine=engine)
    except InputError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(1)
    except CertificateError as e:
        click.echo(f"rejected: {directory}: {e}")
        sys.exit(EXIT_REJECTED)
    for (sense, term, value), b in zip(r.objectives, r.bounds):
        rel = ">=" if sense == "maximize" else "<="
        better = value + 1 if sense == "maximize" else value - 1
        click.echo(f"verified: {directory}: {sense} {term} = {value} (the model attains it; "
                   f"({rel} {term} {numeral(better)}) is unsat: {'; '.join(b.notes)})")
    sys.exit(0)
