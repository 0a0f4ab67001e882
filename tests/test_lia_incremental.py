"""Linear formulas on the kept (guarded) encoding: push / pop, check-sat-assuming, unsat
cores, get-value of Int terms -- every answer against Z3, every core and every failed
assumption set refuted by Z3, every value checked by Z3 in the printed model."""

from __future__ import annotations

import random

import pytest
import z3

from eagersmt import Config, Int, Solver, Status
from eagersmt.builder import Eq
from eagersmt.session import Session
from eagersmt.tools.fuzz.integers import IntGen


def _z3_unsat(decls: str, assertions: list[str]) -> bool:
    s = z3.Solver()
    s.from_string(decls + "".join(f"(assert {a})" for a in assertions))
    return s.check() == z3.unsat


def _z3_answer(decls: str, assertions: list[str]) -> str:
    s = z3.Solver()
    s.from_string(decls + "".join(f"(assert {a})" for a in assertions))
    return str(s.check())


def _script(seed: int):
    """A random linear script with named assertions under push / pop, and what is live at
    each query: [(command lines, live unnamed, live named {name: formula}, assumptions)]."""
    rng = random.Random(seed)
    g = IntGen(rng, rng.choice(("QF_LIA", "QF_UFLIA")))
    boxes = g.boxed((2, 3), 0)
    bs = g.bools(2)
    decls = "\n".join(g.decls)
    base = [b[len("(assert "):-1] for b in boxes]
    frames: list[tuple[list[str], dict[str, str]]] = [(list(base), {})]
    steps = []
    n = 0
    for _ in range(rng.randint(3, 6)):
        r = rng.random()
        if r < 0.3:
            frames.append(([], {}))
            steps.append(("(push 1)", None))
        elif r < 0.45 and len(frames) > 1:
            frames.pop()
            steps.append(("(pop 1)", None))
        for _ in range(rng.randint(1, 2)):
            f = g.boolean(rng.randint(0, 2))
            if rng.random() < 0.6:
                n += 1
                frames[-1][1][f"a{n}"] = f
                steps.append((f"(assert (! {f} :named a{n}))", None))
            else:
                frames[-1][0].append(f)
                steps.append((f"(assert {f})", None))
        unnamed = [a for fr in frames for a in fr[0]]
        named = {k: v for fr in frames for k, v in fr[1].items()}
        assume = [b if rng.random() < 0.5 else f"(not {b})" for b in rng.sample(bs, rng.randint(0, 2))]
        steps.append(("check", (unnamed, named, assume, g.term(1))))
    return g.logic, decls, base, steps


def _run(seed: int):
    """The script's lines (the first: logic, option, declarations) and, per query, the index
    of the line after its check-sat and what is live there."""
    logic, decls, base, steps = _script(seed)
    head = f"(set-logic {logic})\n(set-option :produce-unsat-cores true)\n{decls}\n"
    lines = [head] + [f"(assert {a})" for a in base]
    checks = []
    for cmd, info in steps:
        if info is None:
            lines.append(cmd)
            continue
        unnamed, named, assume, term = info
        lines.append(f"(check-sat-assuming ({' '.join(assume)}))" if assume else "(check-sat)")
        checks.append((len(lines), info))
    return head, decls, lines, checks


@pytest.mark.parametrize("seed", range(30))
def test_scripts_with_push_pop_cores_and_values_agree_with_z3(seed):
    _, decls, lines, checks = _run(seed)
    session = Session(config=Config(memo="off"))
    try:
        list(session.feed(lines[0]))
        done = 1
        kept_used = 0
        for upto, (unnamed, named, assume, term) in checks:
            for line in lines[done:upto]:
                list(session.feed(line + "\n"))
            done = upto
            expected = _z3_answer(decls, unnamed + list(named.values()) + assume)
            got = str(session.last.status)
            assert got == expected, (seed, "\n".join(lines[:upto]))
            note = session.last.stats.notes.get("incremental", "")
            kept_used += not note.startswith("one-shot")
            if got == "unsat":
                (core,) = session.feed("(get-unsat-core)\n")
                names = core.strip("()").split()
                assert set(names) <= set(named)
                kept = unnamed + [named[k] for k in names]
                if assume:
                    (failed,) = session.feed("(get-unsat-assumptions)\n")
                    kept += [a for a in assume if a in failed]
                assert _z3_unsat(decls, kept), (seed, names)
            elif got == "sat":
                (val,) = session.feed(f"(get-value ({term}))\n")
                v = val[len(f"(({term} "):-2]
                assert not _z3_unsat(decls, unnamed + list(named.values()) + assume
                                     + [f"(= {term} {v})"]), (seed, term, v)
        assert kept_used == len(checks) - 1 or kept_used == len(checks)
    finally:
        session.close()


def test_cores_are_smaller_than_everything_named():
    """The failed guards of the kept encoding, not every named assertion in force."""
    x, y, p = Int("x"), Int("y"), __import__("eagersmt").Bool("p")
    with Solver() as s:
        s.add(3 * x + 2 * y <= 10, x >= 0, y >= 0)
        assert s.check(p, x >= 2, y >= 3, Eq(x + y, 1)) == Status.UNSAT
        core = s.unsat_core()
        assert p not in core and len(core) in (1, 2)
        s.push()
        s.add(x >= 3)
        assert s.check() == Status.SAT and s.statistics()["incremental"] != "unchanged"
        assert s.check(y <= 0) == Status.SAT and s.check(y >= 1) == Status.UNSAT
        s.pop()
        assert s.check() == Status.SAT
        assert s.statistics()["incremental"] == "unchanged"  # nothing new: the same encoding


def test_assumptions_on_boolean_variables_do_not_rebuild():
    """An assumption that is a Boolean variable of the linear encoding (or its negation) is
    its SAT literal: no rebuild, and the failed ones are the right ones."""
    text = ("(set-logic QF_LIA)(declare-const x Int)(declare-const y Int)"
            "(declare-const b0 Bool)(declare-const b1 Bool)(declare-const b2 Bool)"
            "(assert (<= 0 x 20))(assert (<= 0 y 20))(assert (<= (+ (* 3 x) (* 2 y)) 30))"
            "(assert (=> b0 (>= x 8)))(assert (=> b1 (>= y 4)))(assert (=> b2 (>= (+ x y) 1)))"
            "(check-sat)\n")
    session = Session(config=Config(memo="off"))
    try:
        assert list(session.run_text(text)) == ["sat"]
        notes = []
        for assume, expected in (("b0 b1 b2", "unsat"), ("b0 (not b1)", "sat"), ("b2 b1", "sat"),
                                 ("b1 b0", "unsat")):
            (got,) = session.feed(f"(check-sat-assuming ({assume}))\n")
            assert got == expected
            notes.append(session.last.stats.notes.get("incremental", ""))
            if got == "unsat":
                (failed,) = session.feed("(get-unsat-assumptions)\n")
                assert sorted(failed.strip("()").split()) == ["b0", "b1"]
        assert not any(n.startswith("rebuilt") for n in notes[1:]), notes
    finally:
        session.close()
