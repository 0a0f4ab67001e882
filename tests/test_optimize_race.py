"""The optimizer's bounds before SAT (root propagation, list schedule) and its race (the kept
solver's descent beside a Kissat refuter): optima against CP-SAT's native scheduling model
and the OR-Library's known values, models checked, certificates verified."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eagersmt import Config, Solver, Status
from eagersmt.check.model import check_model
from eagersmt.compile import normalize_assertions
from eagersmt.encode.disjunctive import analyze, lemma_anchor, root_disjunctions
from eagersmt.optimize.root import root_bounds
from eagersmt.optimize.tabu import improve
from eagersmt.optimize.tighten import unit_bound
from eagersmt.smtlib.parser import parse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "examples"))
sys.path.insert(0, str(REPO / "benchmarks"))

from gen_jobshop import KNOWN_OPTIMA, Instance, load_instances  # noqa: E402
from jobshop import model as jobshop_model, smtlib as jobshop_smtlib  # noqa: E402

SETTINGS = dict(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EAGERSMT = str(Path(sys.executable).with_name("eagersmt"))  # the console script


@st.composite
def jobshop_instance(draw) -> Instance:
    nj, nm = draw(st.integers(2, 5)), draw(st.integers(2, 4))
    jobs = []
    for _ in range(nj):
        machines = draw(st.permutations(range(nm)))
        jobs.append(tuple((m, draw(st.integers(1, 20))) for m in machines))
    return Instance("random", "random", nj, nm, tuple(jobs))


def cpsat_optimum(inst: Instance) -> int:
    """The minimum makespan by CP-SAT on its native model (intervals, no-overlap), proven."""
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    horizon = sum(d for job in inst.jobs for _, d in job)
    on: dict[int, list] = {}
    ends = []
    for j, job in enumerate(inst.jobs):
        prev = None
        for k, (mach, d) in enumerate(job):
            s = m.NewIntVar(0, horizon, f"s{j}_{k}")
            e = m.NewIntVar(0, horizon, f"e{j}_{k}")
            on.setdefault(mach, []).append(m.NewIntervalVar(s, d, e, f"i{j}_{k}"))
            if prev is not None:
                m.Add(s >= prev)
            prev = e
        ends.append(prev)
    for ivs in on.values():
        m.AddNoOverlap(ivs)
    ms = m.NewIntVar(0, horizon, "ms")
    m.AddMaxEquality(ms, ends)
    m.Minimize(ms)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.catch_sigint_signal = False  # (a later test's Ctrl-C must raise here)
    assert solver.Solve(m) == cp_model.OPTIMAL
    return int(solver.ObjectiveValue())


@settings(**SETTINGS)
@given(jobshop_instance())
def test_root_bounds_bracket_the_optimum_and_the_list_schedule_is_a_model(inst):
    text = jobshop_smtlib(inst).replace("(minimize ms)", "")
    script = parse(text)
    norm = normalize_assertions(script.assertions)
    c = norm.circuit
    p = c.int_index["ms"]
    rb = root_bounds(c, p, 0, unit_bound(c, p, 0))
    optimum = cpsat_optimum(inst)
    assert rb.lower is not None and rb.lower <= optimum
    assert rb.start is not None and rb.start[p] >= optimum
    model = norm.decode(rb.start, {}, script.declarations)
    check_model(script.assertions, model)  # raises if the list schedule is no model


def job_order_improved(inst: Instance):
    """``tabu.improve`` from the schedule that runs the jobs one after the other on every
    machine (job 0 first): its start times, the script and the circuit index of ``ms``."""
    script = parse(jobshop_smtlib(inst).replace("(minimize ms)", ""))
    norm = normalize_assertions(script.assertions)
    c = norm.circuit
    units = c.unit_preds()
    disj = root_disjunctions(c)
    variables = sorted({v for x, y, _ in units for v in (x, y)}
                       | {v for d in disj for con in d for v in con[:2]})
    res = analyze(variables, units, disj, lemma_anchor(variables, units))
    assert res is not None
    p = c.int_index["ms"]
    rank = {i: (int(n.split("_")[1]) if n.startswith("s_") else -1)
            for n, i in c.int_index.items()}
    start = {v: rank.get(v, -1) for v in variables}
    return improve(variables, units, res.pairs, res.machines, p, 0, start), script, norm, p


@settings(**SETTINGS)
@given(jobshop_instance())
def test_tabu_schedules_are_models_no_better_than_the_optimum(inst):
    better, script, norm, p = job_order_improved(inst)
    if better is not None:  # (None: nothing better than the jobs one after the other)
        assert better[p] >= cpsat_optimum(inst)
        check_model(script.assertions, norm.decode(better, {}, script.declarations))


def test_tabu_search_improves_a_poor_schedule_of_a_lawrence_instance():
    inst = load_instances(REPO / "examples" / "la01-la05.txt")["la02"]
    better, script, norm, p = job_order_improved(inst)
    assert better is not None and KNOWN_OPTIMA["la02"] <= better[p] < sum(
        d for job in inst.jobs for _, d in job)
    check_model(script.assertions, norm.decode(better, {}, script.declarations))


@settings(**SETTINGS)
@given(jobshop_instance())
def test_raced_optimum_equals_cpsat_and_is_proven(inst):
    s = Solver(Config())  # the default back end: the portfolio, so the race runs
    ms = jobshop_model(inst, s)
    opt = s.minimize(ms)
    assert opt.status == Status.SAT and opt.proven and opt.bound == opt.value
    assert opt.value == cpsat_optimum(inst)
    assert s.model()["ms"] == opt.value
    check_model(parse(jobshop_smtlib(inst)).assertions, s.model())


def test_lawrence_optima_are_the_known_ones_and_cpsat_s():
    insts = load_instances(REPO / "examples" / "la01-la05.txt")
    for name in ("la02", "la05"):
        s = Solver(Config())
        opt = s.minimize(jobshop_model(insts[name], s))
        assert opt.proven and opt.value == KNOWN_OPTIMA[name] == cpsat_optimum(insts[name])


def test_certificate_of_a_job_shop_optimum_is_verified(tmp_path):
    inst = load_instances(REPO / "examples" / "la01-la05.txt")["la02"]
    f = tmp_path / "la02.smt2"
    f.write_text(jobshop_smtlib(inst))
    cert = tmp_path / "cert"
    r = subprocess.run([EAGERSMT, "optimize", str(f), "--proof", str(cert)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "; optimum ms = 655; proof: (<= ms 654) is unsat" in r.stdout
    r = subprocess.run([EAGERSMT, "check-proof", str(cert), str(f)], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "verified: " in r.stdout and "minimize ms = 655" in r.stdout
