"""The decision core: every ``check-sat`` of eagersmt is decided by ``decide``.

Modules, in the order a query flows:

    query.py    Query: assertions (with guard keys), declarations, assumptions, what is asked
    decide.py   decide(query, config, kept): one-shot or kept, store hook, check, certificate
    limits.py   the memory limit and Ctrl-C, handled around every decision
    hook.py     the lemma store's one hook (before / after), named by the configuration
    steps.py    the one-shot steps: encode, strategy (``strategy.choose``), decode
    kept.py     Kept: what a stack keeps across queries (the guarded encoding, failed guards)
    guarded.py  the guarded encoding: assertions added in place under guard literals
    sat.py      the sliced in-process SAT call of a kept solver (deadlines, Ctrl-C)
    model.py    the model check on the original assertions (the one call of ``check_model``)

Callers: the assertion stack (``context.py``: the SMT-LIB session and the Python
``Solver``), and the optimizer, whose bound queries use ``steps``, ``sat`` and ``model``.
"""

from .decide import decide
from .kept import Kept
from .query import Query, Source

__all__ = ["Kept", "Query", "Source", "decide"]
