"""Small CNF families shared by the SAT-level tests."""

from __future__ import annotations

import itertools

from eagersmt.encode.cnf import CNF


def php(pigeons: int, holes: int) -> CNF:
    """Pigeonhole: unsat when pigeons > holes, and hard for CDCL from about 10 holes."""
    cnf = CNF()
    x = [[cnf.new_var() for _ in range(holes)] for _ in range(pigeons)]
    cnf.extend(list(row) for row in x)
    for j in range(holes):
        for a, b in itertools.combinations(range(pigeons), 2):
            cnf.add([-x[a][j], -x[b][j]])
    return cnf
