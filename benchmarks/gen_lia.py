#!/usr/bin/env python3
"""Random instances of the integer families (QF_LIA, QF_UFLIA): more of what
``shared/benchmarks/lia`` holds, for testing on instances not seen.

* ``rcpsp``: resource-constrained project scheduling, the "overlap" model: start times
  ``s_j`` in ``[0, H - d_j]``, precedences ``s_b - s_a >= d_a``, a 0-1 ``z_i_j`` that says job
  ``i`` runs when job ``j`` starts (``(= z_i_j (ite (and (<= s_i s_j) (< (- s_j s_i) d_i)) 1 0))``)
  and per job and resource the capacity sum ``r_j + sum r_i * z_i_j <= cap``; ``--enc bool``
  the same with Booleans ``o_i_j`` and sums of ``(ite o_i_j r_i 0)``; ``--enc time`` the
  time-indexed model: Booleans ``x_j_t`` (job ``j`` starts at ``t``), exactly one per job,
  ``s_j = sum t * x_j_t``, and per time and resource the sum of the running jobs' needs;
* ``knapsack``: 0-1 items, ``sum w x <= C`` and ``sum v x >= V``;
* ``setcover``: 0-1 sets, every element covered, at most ``K`` sets;
* ``general``: random linear systems with coefficients, equalities and disjunctions, some
  variables boxed, some not;
* ``uflia``: a general system whose terms apply an uninterpreted ``f``;
* ``tanks``: Bofill et al.'s scheduling of wastewater tanks (``tanks``'s doc);
* ``cuts``: rows of small coefficients and the negation of a cut valid over their integer
  points, with coefficients past 10^6 (SMT-LIB's cut_lemmas: ``cuts``'s doc);
* ``memory``: two orders of the same ``n`` writes ``(a_i, d_i)`` to a memory ``mem0`` (an
  uninterpreted function), read back at ``k`` addresses as ``ite`` chains (a read of the
  write order ``π`` is ``(ite (= q a_π(n)) d_π(n) (ite ... (mem0 q)))``); every two writes
  the orders swap have distinct addresses, except ``m`` pairs; asserted: some read differs.
  Unsat when ``m`` is 0.  The data and the memory's contents are only compared by the final
  disequality: the p-terms of positive equality (``ir/positive.py``), as in the processor
  verification that it was made for.
* ``program``: bounded model checking of a random program, the shape of NEC's software
  verification conditions: ``n`` labels (assignments ``x := y + c``, ``x := input``,
  ``x := c`` and branches ``if x <= y + c``), ``m`` variables starting at 0,
  inputs ``>= 0``, unrolled ``k`` steps as terms (``let``-shared): the program counter a
  nested ``ite`` over label constants, each variable an ``ite`` over the labels that assign
  it; asserted: an error label is reached.  Unsat when no path reaches it; the branch into
  the error label tests a variable against a negative constant.

``:status`` comes from Z3 (``--z3-timeout`` seconds; ``unknown`` when it does not decide).

Usage::

    gen_lia.py rcpsp --jobs 12 --resources 2 --seed 3 [--enc time] [-o FILE]
    gen_lia.py knapsack --n 20 --seed 1
    gen_lia.py general --vars 8 --cons 10 --seed 5
    gen_lia.py memory --n 20 --k 4 --m 0 --seed 2
    gen_lia.py tanks --n 8 --k 24 --cap 6000 --seed 1
    gen_lia.py program --n 12 --m 4 --k 20 --seed 1
    gen_lia.py cuts --vars 20 --cons 20 --depth 80 --seed 3   # depth <= 100: unsat
    gen_lia.py --family general --vars 12 --cons 14 --box 8 --pbound 1 --count 10 --out-dir DIR
    gen_lia.py --family uflia --count 20 --out-dir DIR    # a batch, seeds 0..19
"""

from __future__ import annotations

import argparse
import inspect
import random
import sys
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]


def _n(k: int) -> str:
    return str(k) if k >= 0 else f"(- {-k})"


def _sum(terms: list[str]) -> str:
    if not terms:
        return "0"
    return terms[0] if len(terms) == 1 else f"(+ {' '.join(terms)})"


def _lin(r: random.Random, names: list[str], k: int, cmax: int) -> str:
    chosen = r.sample(names, min(k, len(names)))
    return _sum([f"(* {_n(r.choice([c for c in range(-cmax, cmax + 1) if c]))} {x})"
                 for x in chosen])


def rcpsp(r: random.Random, jobs: int = 10, resources: int = 2, maxdur: int = 6,
          tight: float = 0.9, enc: str = "overlap") -> tuple[list[str], list[str]]:
    dur = [r.randint(1, maxdur) for _ in range(jobs)]
    caps = [r.randint(4, 8) for _ in range(resources)]
    req = [[r.randint(0, c // 2 + 1) for c in caps] for _ in range(jobs)]
    preds = [(a, b) for b in range(jobs) for a in range(b) if r.random() < 0.15]
    horizon = max(sum(dur) // max(1, resources), max(dur)) + 1
    horizon = max(int(horizon * tight), max(dur))
    decls = [f"(declare-fun s_{j} () Int)" for j in range(jobs)]
    body = [f"(assert (and (>= s_{j} 0) (<= s_{j} {horizon - dur[j]})))" for j in range(jobs)]
    body += [f"(assert (>= (- s_{b} s_{a}) {dur[a]}))" for a, b in preds]
    if enc == "time":
        for j in range(jobs):
            times = range(horizon - dur[j] + 1)
            decls += [f"(declare-fun x_{j}_{t} () Bool)" for t in times]
            body.append(f"(assert (= {_sum([f'(ite x_{j}_{t} 1 0)' for t in times])} 1))")
            body.append(f"(assert (= s_{j} {_sum([f'(ite x_{j}_{t} {t} 0)' for t in times])}))")
        for t in range(horizon):
            for k, cap in enumerate(caps):
                terms = []
                for j in range(jobs):
                    starts = [f"x_{j}_{u}" for u in range(max(0, t - dur[j] + 1), t + 1)
                              if u <= horizon - dur[j]]
                    if req[j][k] and starts:
                        cond = starts[0] if len(starts) == 1 else f"(or {' '.join(starts)})"
                        terms.append(f"(ite {cond} {req[j][k]} 0)")
                if terms:
                    body.append(f"(assert (<= {_sum(terms)} {cap}))")
        return decls, body
    for j in range(jobs):
        if enc == "bool":
            terms = []
            for i in range(jobs):
                if i != j:
                    decls.append(f"(declare-fun o_{i}_{j} () Bool)")
                    body.append(f"(assert (= o_{i}_{j} (and (<= s_{i} s_{j}) "
                                f"(< (- s_{j} s_{i}) {dur[i]}))))")
            for k, cap in enumerate(caps):
                terms = [f"(ite o_{i}_{j} {req[i][k]} 0)" for i in range(jobs)
                         if i != j and req[i][k]]
                if terms:
                    body.append(f"(assert (<= (+ {req[j][k]} {_sum(terms)}) {cap}))")
            continue
        for i in range(jobs):
            if i != j:
                decls.append(f"(declare-fun z_{i}_{j} () Int)")
                body.append(f"(assert (= z_{i}_{j} (ite (and (<= s_{i} s_{j}) "
                            f"(< (- s_{j} s_{i}) {dur[i]})) 1 0)))")
        for k, cap in enumerate(caps):
            terms = [f"(* {req[i][k]} z_{i}_{j})" for i in range(jobs) if i != j and req[i][k]]
            if terms:
                body.append(f"(assert (<= (+ {req[j][k]} {_sum(terms)}) {cap}))")
    return decls, body


def knapsack(r: random.Random, n: int = 20, scale: int = 100, slack: float = 0.95) -> tuple[list[str], list[str]]:
    w = [r.randint(1, scale) for _ in range(n)]
    v = [wi + r.randint(0, scale // 5) for wi in w]
    cap = sum(w) // 2
    decls = [f"(declare-fun x_{i} () Int)" for i in range(n)]
    body = [f"(assert (and (>= x_{i} 0) (<= x_{i} 1)))" for i in range(n)]
    body.append(f"(assert (<= {_sum([f'(* {w[i]} x_{i})' for i in range(n)])} {cap}))")
    body.append(f"(assert (>= {_sum([f'(* {v[i]} x_{i})' for i in range(n)])} {int(cap * slack * 1.1)}))")
    return decls, body


def setcover(r: random.Random, n: int = 30, m: int = 20, p: float = 0.15, k: int = 6) -> tuple[list[str], list[str]]:
    sets = [[e for e in range(n) if r.random() < p] for _ in range(m)]
    decls = [f"(declare-fun y_{s} () Bool)" for s in range(m)]
    body = []
    for e in range(n):
        covering = [f"y_{s}" for s in range(m) if e in sets[s]]
        body.append(f"(assert (or {' '.join(covering)}))" if len(covering) > 1 else
                    f"(assert {covering[0]})" if covering else "(assert false)")
    body.append(f"(assert (<= {_sum([f'(ite y_{s} 1 0)' for s in range(m)])} {k}))")
    return decls, body


def general(r: random.Random, vars: int = 8, cons: int = 10, box: int = 30, pbound: float = 0.7,
            peq: float = 0.3, por: float = 0.2, cmax: int = 12) -> tuple[list[str], list[str]]:
    names = [f"x{i}" for i in range(vars)]
    decls = [f"(declare-fun {x} () Int)" for x in names]
    body = [f"(assert (and (>= {x} {_n(-box)}) (<= {x} {box})))" for x in names if r.random() < pbound]
    for _ in range(cons):
        def atom() -> str:
            op = "=" if r.random() < peq else r.choice(("<=", ">="))
            return f"({op} {_lin(r, names, r.randint(2, 4), cmax)} {_n(r.randint(-10 * box, 10 * box))})"
        body.append(f"(assert (or {atom()} {atom()}))" if r.random() < por else f"(assert {atom()})")
    return decls, body


def uflia(r: random.Random, vars: int = 6, cons: int = 8, box: int = 15) -> tuple[list[str], list[str]]:
    decls, body = general(r, vars, cons, box, pbound=1.0, peq=0.3, por=0.2, cmax=8)
    decls.append("(declare-fun f (Int) Int)")
    apps = [f"(f (+ x{r.randrange(vars)} {r.randint(0, 2)}))" for _ in range(vars)]
    for a in apps:
        body.append(f"(assert (and (>= {a} {_n(-box)}) (<= {a} {box})))")
    for _ in range(cons // 2):
        a, b = r.sample(apps, 2)
        body.append(f"(assert (<= (+ (* {r.randint(1, 5)} {a}) (* {_n(r.randint(-5, -1))} {b}) "
                    f"x{r.randrange(vars)}) {r.randint(-box, box)}))")
    return decls, body


def memory(r: random.Random, n: int = 12, k: int = 3, m: int = 0) -> tuple[list[str], list[str]]:
    decls = ["(declare-fun mem0 (Int) Int)"]
    decls += [f"(declare-fun {v}{i} () Int)" for i in range(n) for v in ("a", "d")]
    decls += [f"(declare-fun q{j} () Int)" for j in range(k)]
    order = list(range(n))
    for _ in range(n // 2):  # a few swaps of neighbours: the orders differ, not wholly
        i = r.randrange(n - 1)
        order[i], order[i + 1] = order[i + 1], order[i]
    pos = {w: p for p, w in enumerate(order)}
    swapped = [(i, j) for i in range(n) for j in range(i + 1, n) if pos[i] > pos[j]]
    dropped = set(r.sample(swapped, min(m, len(swapped))))

    def read(q: str, writes: list[int]) -> str:
        out = f"(mem0 {q})"
        for w in writes:
            out = f"(ite (= {q} a{w}) d{w} {out})"
        return out

    body = [f"(assert (not (= a{i} a{j})))" for i, j in swapped if (i, j) not in dropped]
    differ = [f"(not (= {read(f'q{j}', list(range(n)))} {read(f'q{j}', order)}))" for j in range(k)]
    body.append(f"(assert (or {' '.join(differ)}))")
    return decls, body


def tanks(r: random.Random, n: int = 8, k: int = 24, cap: int = 6000,
          level: int = 10000) -> tuple[list[str], list[str]]:
    """Bofill et al.'s scheduling of wastewater tanks (SMT-LIB's bofill-scheduling), as its
    files write it: tank ``i`` at step ``t`` holds ``x_i_t`` in ``[0, level]``, starts
    empty, receives an arrival ``a`` (some steps, some in runs of 2-4 steps) unless the
    arrival is rejected (``r_i_t`` is ``a`` or 0, a run's all together), and releases
    ``o_i_t``: nothing, its outflow ``c_i`` (when it holds that much) or all it holds
    (when that is at most ``c_i``); per step the releases and rejections sum to at most
    ``cap``.  ``x_i_t+1 = x_i_t - o_i_t + a - r_i_t``."""
    decls: list[str] = []
    body: list[str] = []
    step_sum: list[list[str]] = [[] for _ in range(k)]
    for i in range(n):
        c = r.choice((1000, 1500, 2500))
        xs = [f"x{i}_{t}" for t in range(k + 1)]
        decls += [f"(declare-fun {x} () Int)" for x in xs]
        body.append(f"(assert (= {xs[0]} 0))")
        body += [f"(assert (and (<= 0 {x}) (<= {x} {level})))" for x in xs[1:]]
        t = 0
        while t < k:
            run = 1 if r.random() < 0.7 else min(k - t, r.randint(2, 4))
            a = r.choice((0, 0, 300, 750, 1000, 2000, 2500, 4000)) if run == 1 else r.choice((300, 750, 1000))
            rs = []
            for u in range(t, t + run):
                o, rej = f"o{i}_{u}", f"r{i}_{u}"
                decls += [f"(declare-fun {o} () Int)", f"(declare-fun {rej} () Int)"]
                x, x1 = xs[u], xs[u + 1]
                body.append(f"(assert (= {x1} (- (+ (- {x} {o}) {a}) {rej})))")
                body.append(f"(assert (or (= {o} 0) (and (= {o} {c}) (>= {x} {c})) "
                            f"(and (= {o} {x}) (<= {x} {c}))))")
                body.append(f"(assert (and (<= 0 {o}) (<= {o} {c}) (<= {o} {x})))")
                step_sum[u] += [o, rej]
                rs.append(rej)
            body.append(f"(assert (or (and {' '.join(f'(= {q} {a})' for q in rs)}) "
                        f"(and {' '.join(f'(= {q} 0)' for q in rs)})))")
            t += run
    body += [f"(assert (<= {_sum(terms)} {cap}))" for terms in step_sum]
    return decls, body


def program(r: random.Random, n: int = 12, m: int = 4, k: int = 20) -> tuple[list[str], list[str]]:
    error = n  # label n: the error; n + 1: the end (both keep the counter)
    code = []
    for label in range(n):
        nxt = label + 1 if label + 1 < n else n + 1
        x, y = r.sample(range(m), 2) if m > 1 else (0, 0)
        kind = r.choice(("add", "add", "input", "const", "branch", "branch"))
        if kind == "branch":
            c = r.randint(-3, 3) if r.random() < 0.7 else -r.randint(1, 5)
            right = f"(+ {{{y}}} {_n(c)})" if r.random() < 0.6 else _n(c)
            code.append(("branch", x, right, r.choice([error, *range(n)]), nxt))
        else:
            rhs = {"add": f"(+ {{{y}}} {_n(r.randint(-2, 4))})", "input": "in",
                   "const": str(r.randint(0, 9))}[kind]
            code.append(("set", x, rhs, nxt))
    decls = [f"(declare-fun i{t}_{j} () Int)" for t in range(k) for j in range(m)]
    body = [f"(assert (>= i{t}_{j} 0))" for t in range(k) for j in range(m)]
    lets = []
    pc, state = "0", ["0"] * m
    for t in range(k):  # step t reads pc{t} and v{t}_j, bound to the terms of step t - 1
        lets.append([(f"pc{t}", pc), *((f"v{t}_{j}", state[j]) for j in range(m))])
        names = [f"v{t}_{j}" for j in range(m)]
        at = [f"(= pc{t} {label})" for label in range(n)]
        pc = f"pc{t}"
        state = list(names)
        for label in reversed(range(n)):
            kind, x, rhs, *targets = code[label]
            if kind == "branch":
                test = f"(<= {names[x]} {rhs.format(*names)})"
                pc = f"(ite {at[label]} (ite {test} {targets[0]} {targets[1]}) {pc})"
            else:
                pc = f"(ite {at[label]} {targets[0]} {pc})"
                value = f"i{t}_{x}" if rhs == "in" else rhs.format(*names)
                state[x] = f"(ite {at[label]} {value} {state[x]})"
    lets.append([(f"pc{k}", pc)])
    text = "(or " + " ".join(f"(= pc{t} {error})" for t in range(k + 1)) + ")"
    for bindings in reversed(lets):
        text = "(let (" + " ".join(f"({a} {b})" for a, b in bindings) + ") " + text + ")"
    body.append(f"(assert {text})")
    return decls, body


CUT_ROW_COEFFICIENTS = (1,) * 6 + (-1,) * 6 + (2, -2, 3, -3)  # (SMT-LIB's cut_lemma_03_012's)


def cuts(r: random.Random, vars: int = 20, cons: int = 20, depth: int = 80,
         scale: int = 10_000) -> tuple[list[str], list[str]]:
    """Rows of small coefficients and the negation of a valid cut, as the cut lemmas of
    branch and cut: ``cons`` rows ``A x <= b``, the first ``vars`` of them a nonsingular
    square system (the cone of a vertex), the objective ``a = -u A`` over the square rows
    with positive ``u`` (bounded below on the cone by ``l = -u b``; coefficients of a basis
    inverse's scale), its least value ``m`` over the cone's integer points (the group
    minimum, ``ir/corner.cone_minimum``), then ``not (a x >= l + depth% (m - l))`` (rounded
    up) with ``a`` scaled by a random factor up to ``scale``: a negated valid cut (unsat)
    for ``depth`` up to 100, sat past it unless the other rows cut the points off (the
    status is Z3's)."""
    sys.path.insert(0, str(REPO))
    from eagersmt.ir.corner import cone_minimum

    names = [f"x{i}" for i in range(vars)]
    while True:
        rows = []
        for _ in range(max(cons, vars)):
            row = {names[j]: r.choice(CUT_ROW_COEFFICIENTS)
                   for j in r.sample(range(vars), min(vars, r.randint(3, 10)))}
            rows.append((row, r.randint(-2, 1)))
        u = [r.randint(1, 1000) for _ in range(vars)]
        a = {x: -sum(ui * row.get(x, 0) for ui, (row, _) in zip(u, rows)) for x in names}
        a = {x: c for x, c in a.items() if c}
        least = cone_minimum(rows[:vars], a, 10 ** 12)
        if least is not None:
            break
    apex = -sum(ui * b for ui, (_, b) in zip(u, rows))
    cut = apex + -(-(least - apex) * depth // 100)
    f = r.randint(1, scale)

    def term(coefs: dict[str, int]) -> str:
        return _sum([f"(* {_n(c)} {x})" for x, c in coefs.items()])

    decls = [f"(declare-fun {x} () Int)" for x in names]
    body = [f"(assert (<= {term(row)} {_n(b)}))" for row, b in rows]
    body.append(f"(assert (not (>= {term({x: f * c for x, c in a.items()})} {_n(f * cut)})))")
    return decls, body


FAMILIES: dict[str, tuple[str, Callable]] = {
    "rcpsp": ("QF_LIA", rcpsp), "knapsack": ("QF_LIA", knapsack), "setcover": ("QF_LIA", setcover),
    "general": ("QF_LIA", general), "uflia": ("QF_UFLIA", uflia), "memory": ("QF_UFLIA", memory),
    "tanks": ("QF_LIA", tanks),
    "program": ("QF_LIA", program),
    "cuts": ("QF_LIA", cuts),
}


def z3_status(text: str, timeout: float) -> str:
    try:
        import z3
    except ImportError:
        return "unknown"
    s = z3.Solver()
    s.set("timeout", int(timeout * 1000))
    s.add(z3.parse_smt2_string(text))
    return str(s.check())


def instance(family: str, seed: int, z3_timeout: float, **params: int | str) -> str:
    logic, make = FAMILIES[family]
    taken = inspect.signature(make).parameters
    params = {k: v for k, v in params.items() if k in taken}
    decls, body = make(random.Random(seed), **params)
    core = "\n".join([f"(set-logic {logic})", *decls, *body, "(check-sat)", "(exit)"]) + "\n"
    status = z3_status(core, z3_timeout)
    args = " ".join(f"--{k} {v}" for k, v in params.items())
    head = ("(set-info :smt-lib-version 2.6)\n"
            f"(set-info :source |Generated by gen_lia.py {family} --seed {seed} {args}.|)\n"
            f"(set-info :status {status})\n")
    return head + core


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("family", nargs="?", choices=sorted(FAMILIES))
    ap.add_argument("--family", dest="batch_family", choices=sorted(FAMILIES))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--out-dir")
    ap.add_argument("-o", "--output")
    ap.add_argument("--z3-timeout", type=float, default=20.0)
    for p in ("jobs", "resources", "maxdur", "n", "m", "k", "scale", "vars", "cons", "box", "cap",
              "depth"):
        ap.add_argument(f"--{p}", type=int)
    ap.add_argument("--enc", choices=("overlap", "bool", "time"), help="rcpsp's model")
    ap.add_argument("--pbound", type=float, help="general: share of boxed variables")
    a = ap.parse_args(argv)
    family = a.family or a.batch_family
    if family is None:
        ap.error("name a family")
    params = {p: getattr(a, p) for p in ("jobs", "resources", "maxdur", "n", "m", "k", "scale",
                                         "vars", "cons", "box", "cap", "depth", "enc",
                                         "pbound")
              if getattr(a, p) is not None}
    for seed in range(a.seed, a.seed + a.count):
        text = instance(family, seed, a.z3_timeout, **params)
        if a.out_dir:
            out = Path(a.out_dir)
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{family}_s{seed}.smt2").write_text(text)
        elif a.output:
            Path(a.output).write_text(text)
        else:
            sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
