"""Benchmarking eagersmt against its peers (the library behind ``eagersmt bench``).

``instances`` (which files, with which expected answer), ``solvers`` (names to command
lines; the reference solvers come from ``eagersmt.check.reference``), ``snapshot``
(``eagersmt@REV``: a committed version in a private folder), ``runner`` (one process per
run, wall and memory limits), ``report`` (solved counts, PAR-2, per family, virtual best,
time ratios, stage times; markdown and CSV), ``plot`` (cactus PNG), ``parse_speed``
(parser MB/s).  Importing this package runs nothing; matplotlib is imported only by
``plot.cactus``.
"""

from .instances import Instance, from_manifest, from_paths
from .report import Row, Summary, check, read_csv, summarize, to_markdown, write_csv
from .runner import Limits, run_all, run_one
from .solvers import DEFAULT_SOLVERS, SolverSpec, parse_solver

__all__ = ["DEFAULT_SOLVERS", "Instance", "Limits", "Row", "SolverSpec", "Summary", "check",
           "from_manifest", "from_paths", "parse_solver", "read_csv", "run_all", "run_one",
           "summarize", "to_markdown", "write_csv"]
