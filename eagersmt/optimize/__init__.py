r"""Optimization (OMT): minimize or maximize an Int term in difference form over the assertions.

The objective ``t`` must be ``x``, ``x - y`` or either plus a constant (a makespan
``(- end start)`` or a declared ``makespan``); ``maximize t`` is ``minimize -t``.  Only
``r = p - m`` matters (``p``, ``m`` circuit variables, the zero variable for a lone ``x``);
the answer is ``r + k``.  The search keeps ONE encoding and ONE incremental SAT solver:

1. *probe*: the formula is normalized once; one plain solve (in process) gives a first
   model, with the small-domain encoding under ``auto``: its size is logarithmic in the
   domain, and without a bound on the objective the order encoding's domains are as wide as
   the small-domain box (many times the clauses it has at the optimum);
2. *compaction*: every model found is improved for free.  Fixing the truth value of every
   difference predicate fixes the Boolean skeleton, and what is left is a conjunction of
   difference constraints whose minimum of ``p - m`` is ``-dist(p -> m)`` (shortest path in
   the constraint graph, Dijkstra on the model's reduced costs); the model
   ``min(v + K, dist(p -> .))`` attains it and keeps every predicate's value, so it satisfies
   the formula.  On job shop this is the semi-active schedule of the model's machine orders;
3. *search*: encode ``F and p - m <= r0`` (``r0`` the compacted first value: the bound makes
   the domains tight) with the objective's class forced to the order encoding
   (``encode(prefer_order=...)``).  For a candidate ``a`` a fresh literal ``L_a`` gets the
   clauses of ``L_a -> p - m <= a`` over the order literals (``OrderDecoder.le_clauses``;
   a lone ``x`` against the class anchor needs one clause), chained ``L_a -> L_b`` for
   ``a < b``.  CaDiCaL (in process, ``backends.open_solver``) is asked under the assumption
   ``L_a``: SAT -> compaction, new best ``ub``, the unit ``L_ub`` is added (the optimum keeps);
   UNSAT -> the core says whether the bound was to blame (an empty core would mean the
   formula itself), ``lb = a + 1``, the unit ``-L_a`` is added.  Linear descent
   (``a = ub - 1``) until the gap is small or a step is slow, bisection otherwise
   (``strategy``).  The last UNSAT, at ``optimum - 1``, is the proof of optimality.
   Timeouts are honoured with conflict budgets (``backends.pysat``): CaDiCaL cannot be
   interrupted from another thread.

Soundness of the box: an encoding decides ``F and p - m <= a`` exactly when ``p - m <= a`` is
counted among the constraints its domains are computed from (``sd.py``).  A bound ``a >= 0``
adds no negative edge, so the domains stay valid; when the lower bound from the top-level
constraints is negative (or missing) the weakest query ``p - m <= a_lo`` is added as an
optional predicate (``or(pred, fresh)``) so that the box covers every query.  Without a
lower bound, every finite optimum is at least ``-(n - 1) W`` (a simple path of needed
constraints), so ``a_lo = -(n - 1) W - 1`` satisfiable means *unbounded*.
If the objective's class does not fit the order encoding, each query re-encodes
``F and p - m <= a`` from scratch (correct, slower; the stats say ``objective: reencode``).
Every model reported is checked on the original assertions (``core/model.py``).

Modules: ``objective`` (what is optimized and what comes back), ``tighten`` (step 2: model
compaction), ``search`` (steps 1 and 3: a search strategy over bound queries).  Every
query, the probe's included, is decided by the decision core (``core.decide`` with a
``core.Bound``): the encoding, the SAT calls, the decoding and the model check are its
(``core/bounded.py`` holds the bound encodings).  The lemma store's part is
``memo/optimum.py``, reached through the core's store hook.
"""

from .objective import Objective, Optimum, Progress, difference_form, format_objectives
from .search import STRATEGIES, optimize, optimize_lex
from .tighten import tighten

__all__ = ["Objective", "Optimum", "Progress", "STRATEGIES", "difference_form",
           "format_objectives", "optimize", "optimize_lex", "tighten"]
