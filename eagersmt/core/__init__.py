"""The decision core: every ``check-sat`` of eagersmt is decided by ``decide``.

Modules, in the order a query flows:

    query.py    Query: assertions (with guard keys), declarations, assumptions, what is asked;
                Bound: a bound query ``p - m <= a`` of the optimizer's search
    decide.py   decide(query, config, kept): one-shot or kept, store hook, check, certificate
    limits.py   the memory limit and Ctrl-C, handled around every decision
    hook.py     the lemma store's one hook (before / after), named by the configuration
    steps.py    the one-shot steps: encode, strategy (``strategy.choose``), decode
    kept.py     Kept: what a stack keeps across queries (the guarded encoding, failed guards)
    guarded.py  the guarded encoding: assertions added in place under guard literals
    bounded.py  the bound encodings of a search: one order encoding and one CaDiCaL with a
                literal per bound (or re-encoded per bound), raw values for compaction
    sat.py      the sliced in-process SAT call of a kept solver (deadlines, Ctrl-C)
    model.py    the model check on the original assertions (the one call of ``check_model``)

Callers: the assertion stack (``context.py``: the SMT-LIB session and the Python
``Solver``), and the optimizer (``optimize/search.py``), a search strategy over bound
queries.
"""

from .decide import decide
from .kept import Kept
from .query import Bound, Query, Source

__all__ = ["Bound", "Kept", "Query", "Source", "decide"]
