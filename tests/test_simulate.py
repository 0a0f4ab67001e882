"""The sharing simulator (``benchmarks/sharing_sim.py``, the projection to K workers of
``bench_sharing.py``): its wall on a toy schedule is the hand-computed figure, and its
simulated conquers answer as the real ones do (vs a reference SAT solver), lock-step and
asynchronous."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from eagersmt.result import Status

from .cnfs import php
from .test_sharing import random_cnf, reference

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from sharing_sim import Schedule, efficiency, projected_wall, simulate  # noqa: E402


def test_projection_of_a_toy_schedule_is_the_hand_computed_figure():
    # two workers, three rounds: slowest slices 2 + 3 + 1.5, merges 0.1 each, 0.05 latency
    s = Schedule(rounds=[[1.0, 2.0], [3.0, 1.0], [1.5, 0.5]], exchange=[0.1, 0.1, 0.1],
                 latency=0.05, load_seconds=0.5)
    assert projected_wall(s) == pytest.approx(2 + 3 + 1.5 + 0.3 + 0.15 + 0.5)
    assert efficiency(15.0, projected_wall(s), 2) == pytest.approx(15.0 / 7.45 / 2)


def test_simulated_conquers_answer_like_the_real_ones():
    unsat, sat = php(8, 7), random_cnf(90, 330, seed=1)
    assert reference(sat)
    r = simulate(unsat, 4, round_seconds=0.02)
    assert r.status == Status.UNSAT and r.rounds >= 1 and len(r.work) == 4
    assert r.wall == pytest.approx(projected_wall(r.schedule))
    assert r.wall <= sum(r.work) + sum(r.schedule.exchange) + 1e-9
    r = simulate(unsat, 2, cubes=[[1], [-1]], round_seconds=0.02, share=False)
    assert r.status == Status.UNSAT and r.cubes_done == 2
    assert simulate(sat, 3, round_seconds=0.02).status == Status.SAT
    r = simulate(unsat, 2, round_seconds=0.02, probe_seconds=0.05)  # warm by the probe's clauses
    assert r.status == Status.UNSAT and r.schedule.probe_seconds > 0
    assert r.wall == pytest.approx(projected_wall(r.schedule))


def test_asynchronous_projection_answers_like_the_real_ones_and_shares():
    unsat, sat = php(8, 7), random_cnf(90, 330, seed=1)
    r = simulate(unsat, 4, round_seconds=0.005, slice_seconds=0.002, asynchronous=True)
    assert r.status == Status.UNSAT and r.winner is not None
    assert r.wall == pytest.approx(r.work[r.winner])  # the decider's own clock is the wall
    assert r.free_running == r.wall and r.rounds >= 1
    assert r.sharing["exported"] > 0 and r.sharing["imported"] > 0
    r = simulate(unsat, 2, cubes=[[1], [-1]], round_seconds=0.02, share=False,
                 asynchronous=True)
    assert r.status == Status.UNSAT and r.cubes_done == 2
    assert simulate(sat, 3, round_seconds=0.02, asynchronous=True).status == Status.SAT
    r = simulate(unsat, 2, max_seconds=0.0, asynchronous=True)
    assert r.status == Status.UNKNOWN
