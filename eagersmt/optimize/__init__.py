r"""Optimization (OMT): minimize or maximize an Int term over the assertions.

A difference objective ``t`` is ``x``, ``x - y`` or either plus a constant (a makespan
``(- end start)`` or a declared ``makespan``); ``maximize t`` is ``minimize -t``.  Only
``r = p - m`` matters (``p``, ``m`` circuit variables, the zero variable for a lone ``x``);
the answer is ``r + k``.  The search keeps ONE encoding and ONE incremental SAT solver (a
race rebuilds it once, for its last question):

1. *bounds before SAT* (``root``): when the objective lives in a class with machines (a
   job shop), root propagation (heads and tails, edge finding: ``encode/disjunctive.py``)
   bisected over the bound proves a lower bound, and a list schedule in the same windows
   (``encode/listsched.py``), improved by tabu search on its machine orders (``tabu``), is
   a first model, when it satisfies the formula; otherwise a
   *probe*: one plain solve (in process), with the small-domain encoding under ``auto``:
   its size is logarithmic in the domain, and without a bound on the objective the order
   encoding's domains are as wide as the small-domain box;
2. *compaction*: every model found is improved for free.  Fixing the truth value of every
   difference predicate fixes the Boolean skeleton, and what is left is a conjunction of
   difference constraints whose minimum of ``p - m`` is ``-dist(p -> m)`` (shortest path in
   the constraint graph, Dijkstra on the model's reduced costs); the model
   ``min(v + K, dist(p -> .))`` attains it and keeps every predicate's value, so it satisfies
   the formula.  On job shop this is the semi-active schedule of the model's machine orders;
3. *search*: encode ``F and p - m <= r0`` (``r0`` the compacted first value: the bound makes
   the domains tight) the way the decision path encodes it (``auto``: root propagation at
   ``r0``, the compact order encoding of a job shop, its solver settings and the list
   schedule's phases; the order encoding forced on the objective's class when ``auto``
   gives neither: ``core/bounded.py``).  For a candidate ``a`` a fresh literal ``L_a`` gets
   the clauses of ``L_a -> p - m <= a`` over the order (or compact) literals, chained
   ``L_a -> L_b`` for ``a < b``.  CaDiCaL (in process, ``backends.open_solver``) is asked
   under the assumption ``L_a``: SAT -> compaction, new best ``ub``, the unit ``L_ub`` is
   added (the optimum keeps) and the solver's decision phases become the best model's
   (solution-guided search); UNSAT -> ``lb = a + 1``, the unit ``-L_a`` is added.
   With the portfolio back end on two CPUs the search is a *race* (``race``): the kept
   solver descends (``a = ub - 1``) while a Kissat refuter decides ``F and p - m <= b``
   from scratch, ``b`` the upper quarter of ``[lb, ub - 1]``; the last question (``optimum - 1``) goes
   to both, the kept encoding rebuilt at the optimum for it.  Otherwise linear descent
   until a step is slow, then bisection (``strategy``).  The last UNSAT, at
   ``optimum - 1``, is the proof of optimality.
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

A *linear objective* (integer coefficients: ``2 x + y``), or any objective over a formula
outside difference logic (QF_LIA, QF_UFLIA), is searched by ``linear`` instead: each bound
query ``t <= a`` re-encodes the formula with that atom through the decision core, galloping
down from the first model's value until a refutation, then bisecting; the last refutation,
at ``optimum - 1``, is again the proof, and an objective with no lower bound found within
``2 ** 40`` of a model ends not proven (never an optimum).

Modules: ``objective`` (what is optimized and what comes back), ``linear`` (the linear
objective's search), ``root`` (step 1's bounds
before SAT), ``tighten`` (step 2: model compaction), ``race`` (step 3's refuter), ``search``
(steps 1 and 3: a search strategy over bound queries).  Every
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
