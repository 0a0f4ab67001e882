"""Incremental solving (push / pop / assert / check-sat, assumptions, unsat cores) against Z3.

Random sessions are run through the SMT-LIB session and through Z3 (the same text): every
answer must agree, every model is checked by the session on the original assertions, and
every unsat core is re-solved (the unnamed assertions in force plus the named ones the core
lists) by Z3 and by a fresh eagersmt: both must say unsat.
"""

from __future__ import annotations

import random
import re

import pytest
import z3

from eagersmt import Config
from eagersmt.session import Session

FAST = Config(backend="cadical")


def z3_outputs(text: str) -> list[str]:
    """Z3's answers to a whole script (its output lines, one per answer)."""
    ctx = z3.Context()
    try:
        out = z3.Z3_eval_smtlib2_string(ctx.ref(), text)
    except z3.Z3Exception as e:  # an (error ...) among the answers: the output is the message
        out = e.value.decode() if isinstance(e.value, bytes) else str(e.value)
    return _lines(out)


def _lines(out: str) -> list[str]:
    """Output split into one item per answer (a parenthesised answer may span lines)."""
    items, depth, cur = [], 0, []
    for line in out.splitlines():
        if not line.strip():
            continue
        cur.append(line)
        depth += line.count("(") - line.count(")")
        if depth <= 0:
            items.append("\n".join(cur))
            cur, depth = [], 0
    return items


class RandomSession:
    """A random push/pop/assert/check-sat(-assuming) script over a few integers (and
    Booleans), with a level-0 base that gives the encoding unit bounds and a small-domain
    box (so that later assertions fit it, and in-place additions are exercised), named
    assertions (cores), and variables declared at pushed levels (scoping, re-encoding)."""

    def __init__(self, seed: int, steps: int = 30):
        rng = self.rng = random.Random(seed)
        self.n = rng.randint(2, 4)
        self.ints = [f"x{i}" for i in range(self.n)]
        self.bools = ["p", "q"]
        self.lines = ["(set-option :produce-unsat-cores true)", "(set-logic QF_IDL)"]
        self.lines += [f"(declare-const {v} Int)" for v in self.ints]
        self.lines += [f"(declare-const {b} Bool)" for b in self.bools]
        self.scopes: list[list[str]] = [[]]  # names declared per level
        self.named = 0
        horizon = rng.randint(8, 30)
        for v in self.ints:
            self.assert_(f"(and (<= 0 {v}) (<= {v} {horizon}))", name=rng.random() < 0.2)
        w = self.w = rng.randint(3, 9)
        for i in range(self.n):  # negative weights: the box of the class is min(n-1, m) * w
            a, b = self.ints[i], self.ints[(i + 1) % self.n]
            self.assert_(f"(or (<= (- {a} {b}) (- {w})) (<= (- {b} {a}) (- {w})) p)")
        for _ in range(steps):
            self.step()
        self.lines.append("(check-sat)")

    def visible(self) -> list[str]:
        return [v for level in self.scopes for v in level] + self.ints

    def const(self) -> str:
        c = self.rng.randint(-self.w - 1, self.w + 3)  # (mostly within the box)
        return str(c) if c >= 0 else f"(- {-c})"

    def atom(self) -> str:
        rng, vs = self.rng, self.visible()
        k = rng.randint(0, 5)
        a, b = rng.choice(vs), rng.choice(vs)
        if k == 0:
            return f"({rng.choice(['<=', '<', '>=', '>'])} {a} {self.const()})"
        if k == 1:
            return f"(= {a} (+ {b} {self.const()}))"
        if k == 2:
            return f"(or {self.atom()} {self.atom()})"
        if k == 3:
            return f"(=> {rng.choice(self.bools)} {self.atom()})"
        if k == 4:
            return f"(not {self.atom()})"
        return f"({rng.choice(['<=', '<', '>=', '>'])} (- {a} {b}) {self.const()})"

    def assert_(self, term: str, name: bool = False) -> None:
        if name:
            self.named += 1
            term = f"(! {term} :named a{self.named})"
        self.lines.append(f"(assert {term})")

    def step(self) -> None:
        rng = self.rng
        r = rng.random()
        if r < 0.15 and len(self.scopes) < 5:
            n = rng.choice([1, 1, 1, 2])
            self.lines.append(f"(push {n})")
            self.scopes += [[] for _ in range(n)]
        elif r < 0.27 and len(self.scopes) > 1:
            n = rng.randint(1, len(self.scopes) - 1) if rng.random() < 0.3 else 1
            self.lines.append(f"(pop {n})")
            del self.scopes[len(self.scopes) - n:]
        elif r < 0.30:
            y = f"y{rng.randint(0, 99)}"
            if y not in self.visible():
                self.lines.append(f"(declare-const {y} Int)")
                self.scopes[-1].append(y)
                self.assert_(f"(and (<= 0 {y}) (<= {y} 15))")
        elif r < 0.65:
            self.assert_(self.atom(), name=rng.random() < 0.5)
        elif r < 0.72:
            lits = [b if rng.random() < 0.5 else f"(not {b})" for b in self.bools
                    if rng.random() < 0.7]
            self.lines.append(f"(check-sat-assuming ({' '.join(lits)}))")
        else:
            self.lines.append("(check-sat)")
            if rng.random() < 0.5:
                self.lines.append("(get-unsat-core)")

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _answers(lines: list[str]) -> list[str]:
    return [ln for ln in lines if ln in ("sat", "unsat", "unknown")]


def _in_force(text: str, upto_line: int) -> tuple[list[str], dict[str, str], list[str]]:
    """Declarations, named assertions (name -> term) and unnamed assertions in force after
    the first ``upto_line`` lines of a RandomSession script (its one command per line)."""
    stack: list[tuple[list, dict, list]] = [([], {}, [])]
    for line in text.splitlines()[:upto_line]:
        m = re.fullmatch(r"\((push|pop) (\d+)\)", line)
        if m and m.group(1) == "push":
            stack += [([], {}, []) for _ in range(int(m.group(2)))]
        elif m:
            del stack[len(stack) - int(m.group(2)):]
        elif line.startswith("(declare-const"):
            stack[-1][0].append(line)
        elif line.startswith("(assert (! "):
            term, name = re.fullmatch(r"\(assert \(! (.*) :named (\w+)\)\)", line).groups()
            stack[-1][1][name] = term
        elif line.startswith("(assert"):
            stack[-1][2].append(line)
    decls = [d for level in stack for d in level[0]]
    named = {k: v for level in stack for k, v in level[1].items()}
    unnamed = [a for level in stack for a in level[2]]
    return decls, named, unnamed


@pytest.mark.parametrize("seed", range(60))
def test_random_push_pop_sessions_agree_with_z3_and_cores_are_real(seed):
    rs = RandomSession(seed)
    session = Session(config=FAST)
    ours: list[str] = []
    in_place = 0
    # one command per line: run them one at a time to know where each core was asked
    for i, line in enumerate(rs.text.splitlines(), 1):
        out = list(session.feed(line + "\n"))
        if line in ("(check-sat)",) or line.startswith("(check-sat-assuming"):
            in_place += "in place" in session.last.stats.notes.get("incremental", "")
        if line == "(get-unsat-core)" and out[0].startswith("(") and not out[0].startswith("(error"):
            core = out[0][1:-1].split()
            decls, named, unnamed = _in_force(rs.text, i)
            again = "\n".join(decls + unnamed + [f"(assert {named[n]})" for n in core]) + \
                "\n(check-sat)\n"
            assert z3_outputs(again) == ["unsat"], (rs.text, i, core, again)
            fresh = Session(config=FAST)
            assert _answers(list(fresh.run_text(again))) == ["unsat"], again
        ours += out
    session.close()
    theirs = z3_outputs(rs.text)
    assert _answers(ours) == _answers(theirs), rs.text
    RESULTS.append(in_place)


RESULTS: list[int] = []


def test_the_random_sessions_add_assertions_in_place():
    """(Runs after the sessions above.)  The in-place path is what they exercise most."""
    if not RESULTS:
        pytest.skip("run with the random sessions")
    assert sum(RESULTS) > 2 * len(RESULTS), RESULTS


def test_core_does_not_rely_on_the_bounds_of_assertions_outside_it():
    """Named unit bounds narrow the order encoding's domains when they are permanent; a core
    computed under them could list only ``c`` (unsat within the narrowed domain of x, not
    alone).  Named assertions are guarded, so their bounds are no domain: the core names
    every assertion it needs."""
    text = """(set-option :produce-unsat-cores true)(set-logic QF_IDL)
    (declare-const x Int)(declare-const y Int)
    (assert (! (<= x 5) :named hi))
    (assert (! (>= x 3) :named lo))
    (assert (! (or (< x 3) (> x 5)) :named out))
    (assert (! (<= (- y x) 2) :named yx))
    (check-sat)(get-unsat-core)"""
    s = Session(config=FAST)
    out = list(s.run_text(text))
    assert out[0] == "unsat"
    core = set(out[1][1:-1].split())
    assert core == {"hi", "lo", "out"}


def test_core_of_a_job_shop_disjunction_against_a_named_deadline():
    """Two jobs on one machine (durations 4 and 5) cannot both end by 8: the core is the
    deadline and the disjunction, not the unrelated bound."""
    text = """(set-option :produce-unsat-cores true)
    (declare-const a Int)(declare-const b Int)(declare-const c Int)
    (assert (and (>= a 0) (>= b 0) (>= c 0)))
    (assert (! (or (>= (- b a) 4) (>= (- a b) 5)) :named machine))
    (assert (! (and (<= a 4) (<= b 3)) :named deadline))
    (assert (! (<= c 100) :named unrelated))
    (check-sat)(get-unsat-core)
    (push 1)(assert (! (<= b 100) :named loose))(check-sat)(get-unsat-core)(pop 1)
    (check-sat-assuming ((<= a 4) (<= b 3)))"""
    out = list(Session(config=FAST).run_text(text))
    assert out[0] == "unsat" and set(out[1][1:-1].split()) == {"machine", "deadline"}
    assert out[2] == "unsat" and set(out[3][1:-1].split()) == {"machine", "deadline"}
    assert out[4] == "unsat"


def test_scoping_of_declarations_definitions_and_names():
    text = """(declare-const x Int)
    (push 1)(declare-const y Int)(define-fun d () Int (+ y 1))(assert (! (> y x) :named n))
    (check-sat)(pop 1)
    (declare-const y Bool)(assert y)(check-sat)(get-value (y))
    (push 2)(declare-const z Int)(pop 2)(declare-const z Int)(assert (= z 7))(check-sat)
    (get-value (z))"""
    out = list(Session(config=FAST).run_text(text))
    assert out == ["sat", "sat", "((y true))", "sat", "((z 7))"]
    for later in ("(assert (> d 0))", "(assert n)"):
        s = Session(config=FAST)
        with pytest.raises(Exception, match="unknown symbol"):
            list(s.run_text("(declare-const x Int)(push 1)(declare-const y Int)"
                            "(define-fun d () Int y)(assert (! (> y x) :named n))(pop 1)" + later))


def test_global_declarations_survive_pop_and_reset_assertions():
    text = """(set-option :global-declarations true)(declare-const x Int)
    (push 1)(declare-const y Int)(assert (< x y))(pop 1)(assert (> y 3))(check-sat)
    (reset-assertions)(assert (< y 0))(assert (< x y))(check-sat)"""
    assert list(Session(config=FAST).run_text(text)) == ["sat", "sat"]
    with pytest.raises(Exception, match="unknown symbol 'x'"):  # SMT-LIB 2.6, as cvc5
        list(Session(config=FAST).run_text("(declare-const x Int)(reset-assertions)"
                                           "(assert (> x 0))"))


def test_reset_forgets_everything_and_check_sat_assuming_names_failed_assumptions():
    text = """(set-option :print-success true)(declare-const p Bool)(declare-const q Bool)
    (declare-const x Int)(assert (=> p (> x 3)))(assert (=> q (< x 2)))
    (check-sat-assuming (p q))(get-unsat-assumptions)(check-sat-assuming (p (not q)))
    (reset)(declare-const p Int)(assert (> p 0))(check-sat)"""
    out = list(Session(config=FAST).run_text(text))
    # (reset also resets :print-success)
    assert out == ["success"] * 6 + ["unsat", "(p q)", "sat", "success", "sat"]


def test_fifty_checks_reuse_one_encoding():
    """A job-shop-like session: the base is encoded once, each pushed bound in place."""
    jobs = 4
    lines = [f"(declare-const s{j}_{k} Int)" for j in range(jobs) for k in range(2)]
    lines += ["(declare-const ms Int)"]
    for j in range(jobs):
        lines += [f"(assert (>= s{j}_0 0))", f"(assert (>= (- s{j}_1 s{j}_0) 3))",
                  f"(assert (>= (- ms s{j}_1) 2))"]
    for k in range(2):
        for a in range(jobs):
            for b in range(a + 1, jobs):
                lines.append(f"(assert (or (>= (- s{b}_{k} s{a}_{k}) 3) "
                             f"(>= (- s{a}_{k} s{b}_{k}) 3)))")
    lines.append("(assert (<= ms 40))")
    s = Session(config=FAST)
    list(s.run_text("\n".join(lines)))
    answers, notes = [], []
    for bound in range(40, 15, -1):
        answers += list(s.feed(f"(push 1)(assert (<= ms {bound}))(check-sat)(pop 1)\n"))
        notes.append(s.last.stats.notes["incremental"])
    expected = _answers(z3_outputs("\n".join(lines) + "".join(
        f"(push 1)(assert (<= ms {b}))(check-sat)(pop 1)" for b in range(40, 15, -1))))
    assert answers == expected
    assert notes[0] == "built" and all(n == "1 added in place" for n in notes[1:]), notes


def test_certificates_of_check_sats_after_push_and_pop_are_checked_against_their_level(tmp_path):
    """--proof with several check-sats: each unsat one gets a certificate (check-sat-N/),
    which check-proof verifies against the assertions in force at that check-sat: those of
    popped levels are not (else a certificate of a stronger formula would pass)."""
    from eagersmt.check.proof import CertificateError, check_certificate

    f = tmp_path / "levels.smt2"
    f.write_text("""(declare-const x Int)(declare-const y Int)
(assert (<= (- x y) 3))
(push 1)(assert (>= (- x y) 5))(check-sat)(pop 1)
(push 1)(assert (>= (- x y) 3))(check-sat)(pop 1)
(assert (>= (- x y) 4))(check-sat)""")
    cert = tmp_path / "cert"
    s = Session(config=Config(proof=str(cert), backend="cadical"), filename=str(f))
    assert list(s.run_text(f.read_text())) == ["unsat", "sat", "unsat"]
    for n in (1, 3):
        check_certificate(str(cert / f"check-sat-{n}"), str(f))
    assert not (cert / "check-sat-2").exists()
    # the certificate of check-sat 1 read as if it answered check-sat 2 (x - y >= 3 is sat
    # with the rest): its CNF has a clause no assertion in force at check-sat 2 justifies
    import json

    meta = json.loads((cert / "check-sat-1" / "certificate.json").read_text())
    meta["check_sat"] = 2
    (cert / "check-sat-1" / "certificate.json").write_text(json.dumps(meta))
    with pytest.raises(CertificateError):
        check_certificate(str(cert / "check-sat-1"), str(f))


def test_reason_unknown_after_a_timeout_in_both_paths():
    n = 13  # pigeonhole in difference logic: 13 pigeons in 12 holes, far from decided in 1 s
    text = "".join(f"(declare-fun p{i} () Int)" for i in range(n))
    text += "".join(f"(assert (and (<= 1 p{i}) (<= p{i} {n - 1})))" for i in range(n))
    text += "(assert (distinct " + " ".join(f"p{i}" for i in range(n)) + "))"
    s = Session(config=Config(timeout=1, encoding="sd", backend="cadical"), interactive=True)
    out = list(s.run_text(text + "(check-sat)(get-info :reason-unknown)(push 1)(check-sat)"
                                  "(get-info :reason-unknown)(get-info :assertion-stack-levels)"))
    assert out == ["unknown", "(:reason-unknown timeout)"] * 2 + ["(:assertion-stack-levels 1)"]
    assert s.results[1].stats.notes["incremental"] == "built"  # the second: incremental


@pytest.mark.parametrize("seed", range(10))
def test_random_sessions_over_reals_agree_with_z3(seed):
    """The same sessions over Real (QF_RDL): the scaling to integers depends on every atom,
    so each change re-encodes; the answers must still be Z3's."""
    text = RandomSession(seed + 500, steps=25).text.replace(" Int)", " Real)")
    text = text.replace("QF_IDL", "QF_RDL")
    s = Session(config=FAST)
    ours = [line for cmd in text.splitlines() for line in s.feed(cmd + "\n")]
    s.close()
    assert _answers(ours) == _answers(z3_outputs(text)), text


class _OneShotBackend:
    """A toy back end that neither runs in this process nor goes on from a loaded solver
    (as Kissat): its registry entry says so, and nothing else does."""

    name = "oneshot-toy"

    def solve(self, cnf, assumptions=(), *, timeout=None, proof_path=None, warm=None):  # type: ignore[no-untyped-def]
        from eagersmt.backends import solve_in_process

        return solve_in_process(cnf, assumptions, backend="cadical", proof_path=proof_path)


def test_a_back_end_that_cannot_keep_an_encoding_is_asked_by_its_registry_entry():
    """Whether a check may run on the kept encoding is what the back end's registry entry
    says (``incremental``, ``warm``), not its name: a back end with neither decides every
    check one-shot (answers right, no core); CaDiCaL keeps the encoding (a core)."""
    from eagersmt.backends import BACKENDS, BackendEntry

    text = """(set-option :produce-unsat-cores true)(set-logic QF_IDL)
    (declare-const x Int)(declare-const y Int)
    (assert (! (< x y) :named lt))(assert (! (< y x) :named gt))(assert (! (<= x 9) :named hi))
    (check-sat)(get-unsat-core)
    (push 1)(assert (<= y 3))(check-sat)(pop 1)"""
    BACKENDS.register(BackendEntry("oneshot-toy", _OneShotBackend, "a one-shot toy"))
    try:
        out = list(Session(config=Config(backend="oneshot-toy", quiet=True)).run_text(text))
    finally:
        BACKENDS.unregister("oneshot-toy")
    assert out[0] == "unsat" and out[1].startswith("(error") and out[2] == "unsat"
    out = list(Session(config=Config(backend="cadical", quiet=True)).run_text(text))
    assert out[0] == "unsat" and set(out[1][1:-1].split()) == {"lt", "gt"} and out[2] == "unsat"
