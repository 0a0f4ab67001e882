"""``eagersmt check-proof DIR FILE.smt2``: verify an UNSAT certificate (``check/proof.py``).

Exit codes: 0 verified; 1 bad input (no such file, FILE does not parse); 4 rejected, or not
fully checkable (clauses of the small-domain encoding).
"""

from __future__ import annotations

import os
import sys

import click

from ..errors import InputError

EXIT_REJECTED = 4


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

    \b
    Checks: the DRAT refutation of the CNF; every CNF clause a Tseitin clause of FILE's
    circuit, a root clause, or a theory clause implied by the small-domain lemma's box.
    With several check-sat commands, DIRECTORY holds one certificate per unsat answer
    (check-sat-N/); each is checked.
    """
    from ..check.certificate import META_FILE
    from ..check.proof import CertificateError, check_certificate

    if not os.path.exists(file):
        click.echo(f"error: {file}: no such file", err=True)
        sys.exit(1)
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
        word = "verified" if r.verified else "not verified"
        click.echo(f"{word}: {d}: unsat ({counts}; {'; '.join(r.notes)}; {times})")
        failed |= not r.verified
    sys.exit(EXIT_REJECTED if failed else 0)
