"""The model check of the core: every ``sat`` model is evaluated on the original assertions.

The one caller of ``check.model.check_model`` on the solving path: the core's decisions,
the optimizer's models and the lemma store's stored or repaired models all come here.
"""

from __future__ import annotations

import time
from typing import Mapping, Optional, Sequence

from ..check.model import check_model
from ..ir.terms import Term
from ..result import Stats


def check(assertions: Sequence[Term], model: Mapping[str, object],
          stats: Optional[Stats] = None, *, note: bool = True) -> None:
    """Raise ``InternalError`` unless ``model`` satisfies every assertion; timed into
    ``stats`` (``check``) and, with ``note``, noted (``model_checked: yes``)."""
    t0 = time.perf_counter()
    check_model(list(assertions), model)
    if stats is not None:
        stats.add_time("check", time.perf_counter() - t0)
        if note:
            stats.notes["model_checked"] = "yes"


__all__ = ["check"]
