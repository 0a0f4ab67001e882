"""SAT back ends: a registry of what each can do, and the in-process solver facade.

``BACKENDS`` lists the one-shot back ends (``SatBackend``) by name; each entry says whether
the back end needs something that may be missing (``requires``: Kissat's executable), what
to use instead when it is (``fallback``: the default ``portfolio`` degrades to CaDiCaL),
whether it opens a solver in this process (``opens_solver``: a ``SatSolver``, kept across
calls: assumptions, conflict budgets, warm starts; cube workers need one), whether it
writes DRAT proofs (``proofs``: certified runs ask ``proving`` for one that does), and for
a portfolio which back end its cube workers use and which one races them on the whole CNF.
Modules are imported when a back end is first used (``import eagersmt`` and the quick path
of an easy instance load neither multiprocessing nor the Kissat machinery).

``open_solver(cnf, backend)`` is the one way to get an in-process solver (``SatSolver``);
``propagator(clauses)`` a cheap one for unit propagation only (the lookahead cuber).
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence

from ..encode.cnf import CNF
from ..registry import Entry, Registry
from .base import PathLike, SatBackend, SatResult, SatSolver


class BackendEntry(Entry):
    # opens_solver: ``target.open_solver(cnf, proof=)`` gives a SatSolver.  shares: its
    # in-process solver takes ``options=`` and a ``cadical.Learner``: its workers can share
    # learnt clauses (``conquer.sharing``).  proofs: writes DRAT proofs
    # (``solve(proof_path=)``).  warm: goes on from a loaded SatSolver (``solve(warm=)``).
    # prestarts: ``prestart(cnf)`` starts its other engine before ``solve(started=)``.
    # requires: "module:function" -> why it cannot run here ('' if it can).  fallback: used
    # instead when ``requires`` fails.  worker: the back end a conquer's cube workers run
    # (default: itself).  racer: a back end raced on the whole CNF beside the cube workers.
    FIELDS = {"opens_solver": False, "shares": False, "proofs": True, "warm": False,
              "prestarts": False, "requires": None, "fallback": None, "worker": None,
              "racer": None}
    __slots__ = tuple(FIELDS)
    opens_solver: bool
    shares: bool
    proofs: bool
    warm: bool
    prestarts: bool
    requires: Optional[str]
    fallback: Optional[str]
    worker: Optional[str]
    racer: Optional[str]

    def unavailable(self) -> str:
        """Why this back end cannot run here ('' when it can)."""
        if self.requires is None:
            return ""
        return str(Entry(self.name, self.requires, "").load()())


BACKENDS: Registry[BackendEntry] = Registry("SAT back end")
BACKENDS.register(BackendEntry(
    "cadical", "eagersmt.backends.cadical:CadicalBackend", "CaDiCaL 1.9.5 (python-sat)",
    opens_solver=True, warm=True, shares=True))
BACKENDS.register(BackendEntry(
    "kissat", "eagersmt.backends.kissat:KissatBackend", "Kissat 4.0.4 (an executable)",
    requires="eagersmt.backends.kissat:unavailable"))
BACKENDS.register(BackendEntry(
    "portfolio", "eagersmt.backends.portfolio:PortfolioBackend",
    "CaDiCaL and Kissat at once, the first answer wins (CaDiCaL alone without Kissat)",
    warm=True, prestarts=True, requires="eagersmt.backends.kissat:unavailable", fallback="cadical",
    worker="cadical", racer="kissat"))


def unavailable(name: str) -> str:
    """Why back end ``name`` cannot run here ('' when it can)."""
    return BACKENDS[name].unavailable()


def resolve(name: str) -> BackendEntry:
    """The entry that will run for ``name``: its fallback when it cannot run here;
    ``ValueError`` naming the available ones when neither can."""
    entry = BACKENDS[name]
    why = entry.unavailable()
    if not why:
        return entry
    if entry.fallback is not None:
        return resolve(entry.fallback)
    available = [e.name for e in BACKENDS if not e.unavailable()]
    raise ValueError(f"SAT back end {name!r} is not available: {why} "
                     f"(available: {', '.join(available)})")


def get_backend(name: str) -> SatBackend:
    """An instance of back end ``name`` (or of its fallback, see ``resolve``)."""
    return resolve(name).load()()  # type: ignore[no-any-return]


def proving(name: Optional[str] = None) -> str:
    """The back end that writes the DRAT proofs of a certified run of back end ``name``: its
    cube workers' (``worker``; itself without one) when that entry says ``proofs`` and can
    run here, else the first registered back end that does (``ValueError`` if none can)."""
    if name is not None:
        entry = resolve(name)
        entry = resolve(entry.worker) if entry.worker is not None else entry
        if entry.proofs:
            return entry.name
    for e in BACKENDS:
        if e.proofs and not e.unavailable():
            return e.name
    raise ValueError("no SAT back end here writes DRAT proofs")


def open_solver(cnf: Optional[CNF] = None, backend: str = "cadical", *,
                proof: bool = False,
                options: Optional[dict[str, int]] = None) -> SatSolver:
    """A solver in this process (``SatSolver``) loaded with ``cnf``: back end ``backend``'s
    own, or its cube workers' (``worker``); ``ValueError`` when it has none.  ``options``: see
    ``pysat.PysatSolver`` (clause sharing: ``conquer.sharing``)."""
    entry = resolve(backend)
    if not entry.opens_solver and entry.worker is not None:
        entry = resolve(entry.worker)
    if not entry.opens_solver:
        raise ValueError(f"SAT back end {entry.name!r} opens no solver in this process")
    extra = {"options": options} if options else {}
    s = entry.load().open_solver(cnf, proof=proof, **extra)
    if cnf is not None and cnf.phases and hasattr(s, "set_phases"):
        s.set_phases(cnf.phases)  # the encoder's hint (``CNF.phases``)
    return s  # type: ignore[no-any-return]


def solve_in_process(cnf: CNF, assumptions: Sequence[int] = (), *, backend: str = "cadical",
                     proof_path: Optional[PathLike] = None,
                     warm: Optional[SatSolver] = None) -> SatResult:
    """Decide ``cnf`` with back end ``backend``'s solver (``open_solver``), in this process (no
    time limit: the caller is a process boundary, or wants none).  ``warm``: a solver already
    loaded with ``cnf`` to go on with (ignored with ``proof_path``: that proof would lack its
    start); closed on return, like one made here.  With ``proof_path`` the assumptions go in
    as unit clauses: a refutation *under assumptions* does not end in the empty clause that
    a DRAT proof of "CNF and cube" needs."""
    import time

    from ..result import Status
    from .base import write_proof

    t0 = time.perf_counter()
    if warm is not None and proof_path is None:
        s = warm
    else:
        s = open_solver(cnf, backend, proof=proof_path is not None)
        if proof_path is not None:
            s.add_clauses([lit] for lit in assumptions)
            assumptions = ()
    with s:
        t1 = time.perf_counter()
        ok = s.solve(assumptions)
        t2 = time.perf_counter()
        model = s.model() if ok else None
        stats = {"load_s": t1 - t0, "sat_s": t2 - t1, **s.stats()}
        if proof_path is not None and not ok:
            write_proof(proof_path, s.proof())
    return SatResult(Status.SAT if ok else Status.UNSAT, model, stats)


def propagator(clauses: Iterable[Sequence[int]]) -> SatSolver:
    """A solver used for unit propagation only (``SatSolver.propagate``): Glucose 4, whose
    python-sat ``propagate`` is much cheaper than CaDiCaL's."""
    from .pysat import PysatSolver

    return PysatSolver("glucose4", list(clauses))


__all__ = ["BACKENDS", "BackendEntry", "SatBackend", "SatResult", "SatSolver", "get_backend",
           "open_solver", "propagator", "proving", "resolve", "solve_in_process", "unavailable"]
