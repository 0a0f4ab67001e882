"""The compiled SMT-LIB front end (``native/smtparse.c``) against the Python parser: the same
terms in the same order, commands, atom positions, warnings and errors (a sample of the
differential run of ``benchmarks/parser_differential.py``), the same session answers, and
the Python parser alone where there is no compiler."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from eagersmt.ir.terms import TermManager
from eagersmt.session import Session
from eagersmt.smtlib.parser import COMPILED_MIN_CHARS, Parser, compiled_front_end, parse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from parser_differential import compare, manifest_files, texts  # noqa: E402

MANIFEST = Path(os.environ.get("EAGERSMT_SHARED", ROOT.parent / "shared")) / "benchmarks" / "MANIFEST.tsv"

def _not_built() -> bool:
    """Where the extension cannot be built the compiled tests skip, unless
    ``EAGERSMT_REQUIRE_NATIVE=1`` (CI sets it, with a compiler and Python's headers there)."""
    if compiled_front_end() is not None:
        return False
    assert os.environ.get("EAGERSMT_REQUIRE_NATIVE") != "1", \
        "the compiled front end is not built; EAGERSMT_REQUIRE_NATIVE=1 makes that a failure"
    return True


needs_compiled = pytest.mark.skipif(_not_built(), reason="the compiled front end is not built here")


@pytest.fixture(autouse=True)
def compiled_at_any_size(monkeypatch):  # (these texts are under COMPILED_MIN_CHARS)
    monkeypatch.setenv("EAGERSMT_PARSER", "compiled")


def _sample_files() -> list[Path]:
    files = sorted((ROOT / "examples").glob("*.smt2"))
    if MANIFEST.exists():
        files += manifest_files(MANIFEST)[::9]  # every family, small and large files
    return files


@needs_compiled
def test_same_terms_commands_and_errors_on_files_and_mutants():
    files = _sample_files()
    seen = took = 0
    for name, text in texts(files, 300, seed=7):
        diff, fast = compare(text)
        assert diff is None, name + ": " + diff
        seen += 1
        took += fast
    assert seen == len(files) + 300
    assert took > len(files) // 2  # the compiled front end read most texts itself


TEXT = """(set-logic QF_LIA)
(set-info :status sat)
(declare-fun x () Int)
(declare-const y Int)
(declare-fun f (Int Bool) Int)
(declare-fun p () Bool)
(assert (let ((z (+ x 1)) (w (- y))) (and (<= z w 7) (distinct x y 3) (=> p (> (f z p) 2)))))
(assert (or (= (* 2 x) (- y 4)) (ite p (< x 0) (>= (+ x (* 3 y) -2) 5)) (xor p (not p) p)))
(check-sat)
(assert (= p (= x y)))
(check-sat)
(get-model)
(exit)
"""


@needs_compiled
def test_a_script_with_every_construct_is_read_by_the_compiled_front_end():
    p = Parser()
    got = p.compiled(TEXT)
    assert got is not None
    commands, end = got
    assert end == len(TEXT) and p.exited  # (the white space after exit read too)
    assert [c.name for c in commands] == ["set-logic", "set-info", "declare", "declare", "declare",
                                          "assert", "assert", "check-sat", "assert", "check-sat",
                                          "get-model", "exit"]
    assert p.elaborated == {"compiled": 13, "python": 0}
    assert compare(TEXT)[0] is None


@needs_compiled
def test_giving_up_changes_nothing(monkeypatch):
    tm = TermManager()
    text = TEXT.replace("(check-sat)\n(get-model)", "(check-sat)\n(assert (< x z))")  # unknown z
    p = Parser(tm)
    assert p.compiled(text) is None
    assert len(tm) == 2 and not p.symbols and not p.script.atom_pos  # true and false only
    with pytest.raises(Exception) as fast:
        parse(text)
    monkeypatch.setenv("EAGERSMT_PARSER", "python")
    with pytest.raises(Exception) as slow:
        parse(text)
    assert str(fast.value) == str(slow.value) == "<input>:12:14: unknown symbol 'z'"


@needs_compiled
@pytest.mark.parametrize("global_declarations", [False, True])
def test_declarations_are_bound_on_the_assertion_level(global_declarations):
    p = Parser()
    p.levels.append([])  # as after a push
    p.global_declarations = global_declarations
    assert p.compiled(TEXT) is not None
    assert set(p.symbols) == {"x", "y", "p"} and set(p.functions) == {"f"}
    undo = [(table is p.functions, name) for table, name in p.levels[-1]]
    assert undo == ([] if global_declarations else
                    [(False, "x"), (False, "y"), (True, "f"), (False, "p")])
    assert p.levels[0] == []


@needs_compiled
@pytest.mark.parametrize("text", ["(declare-const x Int)(assert (< x\x00y 1))",
                                  "(declare-const x Int)\x00(assert (< x 1))",
                                  "(declare-const x Int)(assert (< x 1))\x00"])
def test_a_nul_character_is_left_to_the_python_parser(text):
    diff, took = compare(text)
    assert diff is None and not took


@needs_compiled
@pytest.mark.parametrize("numeral", ["-" + "1" * 3999, "-" + "1" * 4000, "1" * 4000, "1" * 4001])
def test_the_numeral_limit_is_the_parsers(numeral):
    diff, took = compare(f"(declare-const x Int)(assert (< x {numeral}))")
    assert diff is None and took == (len(numeral) <= 4000)


def _session_lines(text: str) -> tuple[list[str], dict]:
    s = Session()
    try:
        return list(s.run_text(text)), s.parser.elaborated
    finally:
        s.close()


@needs_compiled
def test_session_answers_are_the_same(monkeypatch):
    fast, used = _session_lines(TEXT)
    assert used == {"compiled": 13, "python": 0}
    monkeypatch.setenv("EAGERSMT_PARSER", "python")
    slow, used = _session_lines(TEXT)
    assert used == {"compiled": 0, "python": 13}
    assert fast == slow and fast[:2] == ["sat", "sat"]
    monkeypatch.setenv("EAGERSMT_PARSER", "compiled")
    # the compiled front end stops at push (outside its subset); the reader goes on from there
    mixed = TEXT.replace("(check-sat)\n(assert (= p", "(check-sat)\n(push 1)\n(assert (= p")
    lines, used = _session_lines(mixed)
    assert used == {"compiled": 9, "python": 5}
    monkeypatch.setenv("EAGERSMT_PARSER", "python")
    assert _session_lines(mixed) == (lines, {"compiled": 0, "python": 14})


def test_small_texts_go_to_the_python_parser(monkeypatch):
    monkeypatch.delenv("EAGERSMT_PARSER")
    p = Parser()
    assert p.compiled(TEXT) is None and p.compiled(TEXT * 20) is None  # (x declared twice)
    p.run(TEXT)
    assert p.elaborated == {"compiled": 0, "python": 13}
    if compiled_front_end() is None:
        return
    # a session: the compiled front end while at least that much text is left
    big = TEXT.replace("(get-model)", ";" * COMPILED_MIN_CHARS + "\n(get-model)")
    assert _session_lines(big)[1] == {"compiled": 12, "python": 1}  # (exit) by the reader


def test_without_a_compiler_the_python_parser_runs(tmp_path):
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path), CC="no-such-compiler",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    code = ("from eagersmt.native.build import extension\n"
            "from eagersmt.smtlib.parser import parse, compiled_front_end\n"
            "print(extension('smtparse'))\n"
            "print(compiled_front_end(), len(parse(open(0).read()).assertions))\n")
    r = subprocess.run([sys.executable, "-c", code], input=TEXT, capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["no C compiler (cc, or $CC) found", "None 3"]
    assert not list(tmp_path.rglob("*.so"))
