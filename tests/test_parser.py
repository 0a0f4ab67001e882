"""SMT-LIB front end: commands, terms, sugar, deep lets, positions of errors."""

from __future__ import annotations

from fractions import Fraction

import pytest

from eagersmt.errors import ParseError, UnsupportedError
from eagersmt.ir import terms as T
from eagersmt.smtlib.parser import parse


def test_commands_and_status():
    s = parse("""
        ; comment
        (set-info :smt-lib-version 2.6)
        (set-logic QF_IDL)
        (set-info :status unsat)
        (declare-fun x () Int)
        (declare-const |y z| Int)
        (declare-const b Bool)
        (assert (=> b (< x |y z|)))
        (check-sat)
        (get-model)
        (exit)
        (this is never read)
    """)
    assert s.logic == "QF_IDL"
    assert s.status == "unsat"
    assert [v.val for v in s.declarations] == ["x", "y z", "b"]
    assert [c.name for c in s.commands][-3:] == ["check-sat", "get-model", "exit"]


def test_sugar_is_rewritten_to_the_core():
    s = parse("(declare-const x Int)(declare-const y Int)"
              "(assert (> x y))(assert (>= x y))(assert (xor (> x 0) (< y 0)))")
    gt, ge, xo = s.assertions
    assert gt.op == T.LT and gt.args[0].val == "y"
    assert ge.op == T.LE and ge.args[0].val == "y"
    assert xo.op == T.NOT and xo.args[0].op == T.IFF


def test_hash_consing_shares_equal_terms():
    s = parse("(declare-const x Int)(declare-const y Int)"
              "(assert (< (- x y) 3))(assert (< (- x y) 3))")
    a, b = s.assertions
    assert a is b


def test_define_fun_with_arguments_is_expanded():
    s = parse("(declare-const x Int)(declare-const y Int)"
              "(define-fun before ((a Int) (b Int) (d Int)) Bool (<= (+ a d) b))"
              "(assert (before x y 3))")
    (a,) = s.assertions
    assert a.op == T.LE
    assert "param" not in repr(a)


def test_named_terms_become_symbols():
    s = parse("(declare-const x Int)(assert (! (< x 3) :named small))(assert (not small))")
    a, b = s.assertions
    assert b.op == T.NOT and b.args[0] is a


def test_negative_numerals_and_constants_fold():
    s = parse("(declare-const x Int)(assert (< x (- 5)))(assert (< (- 2 3) (* 2 (- 1))))")
    a, b = s.assertions
    assert a.args[1].val == -5
    assert b is s.terms.false


def test_deep_let_does_not_hit_the_recursion_limit():
    depth = 5000
    text = "(declare-const x Int)(assert "
    text += "".join(f"(let ((a{i} (+ {'x' if i == 0 else f'a{i-1}'} 1))) " for i in range(depth))
    text += f"(< a{depth - 1} 0)" + ")" * depth + ")"
    (a,) = parse(text).assertions
    assert a.op == T.LT


def test_deeply_nested_boolean_terms():
    depth = 20000
    text = "(declare-const p Bool)(assert " + "(not " * depth + "p" + ")" * depth + ")"
    (a,) = parse(text).assertions
    assert a.op == T.VAR  # an even number of negations cancels


def test_let_shadowing_and_scope():
    s = parse("(declare-const x Int)(assert (let ((x 1)) (let ((x (+ x 1))) (= x 2))))")
    assert s.assertions == [s.terms.true]


def test_reals_and_division_by_constants():
    s = parse("(set-logic QF_RDL)(declare-const x Real)(declare-const y Real)"
              "(assert (< (- x y) (/ 1 3)))(assert (<= x 2.5))")
    a, b = s.assertions
    assert a.args[1].val == Fraction(1, 3)
    assert b.args[1].val == Fraction(5, 2)


@pytest.mark.parametrize("text, message, line, col", [
    ("(declare-const x Int)\n(assert (< x y))", "unknown symbol 'y'", 2, 14),
    ("(declare-const x Int)\n(assert (< x 1)", "never closed", 2, 1),
    ("(declare-const x Int))", "unexpected ')'", 1, 22),
    ("(set-logic QF_BV)", "unsupported logic QF_BV", 1, 12),
    ("(set-logic QF_LRA)(declare-const x Real)\n(assert (< (/ x x) 1))", "division by a non-constant", 2, 17),
    ("(set-logic QF_IDL)(declare-const x Int)\n(assert (< (/ x 2) 1))", "real division", 2, 13),
    ("(declare-const x Int)\n(assert (< (* x x) 1))", "non-linear", 2, 17),
    ("(declare-const x Int)(assert (foo x))", "unknown function 'foo'", 1, 31),
    ("(declare-const x Int)(assert (+ x 1))", "expected a term of sort Bool", 1, 30),
    ("(declare-const x Int)(assert (and x true))", "expects Bool arguments", 1, 35),
    ("(declare-fun f (Real) Int)", "uninterpreted functions over Real", 1, 16),
    ("(declare-const x Int)(declare-const y Int)\n(assert (< (mod x y) 1))", "non-constant", 2, 19),
    ("(declare-sort U 0)", "not supported (uninterpreted sorts", 1, 2),
    ("(pop 1)", "cannot pop 1 level: 0 pushed", 1, 6),
    ("(push -1)", "expects a numeral", 1, 7),
    ("(declare-const x Int)(declare-const x Int)", "already declared", 1, 37),
    ("(assert (< 1 2)) \"open", "unterminated string", 1, 18),
    ("(declare-const x BitVec)", "unsupported sort", 1, 18),
    ("(frobnicate)", "unknown command 'frobnicate'", 1, 2),
    ("(declare-const x Int)(assert (< x 1.5))", "mixes Int and Real", 1, 35),
])
def test_errors_have_positions(text, message, line, col):
    with pytest.raises((ParseError, UnsupportedError)) as e:
        parse(text, filename="f.smt2")
    assert message in e.value.message
    assert (e.value.line, e.value.col) == (line, col), str(e.value)
    assert str(e.value).startswith(f"f.smt2:{line}:{col}: ")


def test_unsupported_is_distinguished_from_malformed():
    with pytest.raises(UnsupportedError):
        parse("(declare-const x Int)(assert (< (div x 0) 1))")
    with pytest.raises(ParseError):
        parse("(assert (< 1 ")


def test_unknown_option_is_a_warning_not_an_error():
    s = parse("(set-option :frobnicate 3)(set-option :produce-models true)")
    assert len(s.warnings) == 1 and ":frobnicate" in s.warnings[0].message


def test_negative_numerals_where_no_symbol_has_that_name():
    s = parse("(declare-const x Int)(assert (< x -2))(assert (> x -5))")
    a, b = s.assertions
    assert a.args[1].val == -2 and b.args[0].val == -5
    s = parse("(set-logic QF_RDL)(declare-const r Real)(assert (> r -2.5))")
    assert s.assertions[0].args[0].val == Fraction(-5, 2)
    s = parse("(declare-const |-2| Int)(declare-const x Int)(assert (< x -2))")
    assert s.assertions[0].args[1].op == "var"  # a declared symbol -2 keeps its meaning


def test_push_pop_scope_declarations_and_check_sat_using_is_a_check_sat():
    s = parse("(declare-const x Int)(push 2)(declare-const y Int)(assert (< x y))(pop 2)"
              "(declare-const y Bool)(assert y)(check-sat-using (then simplify smt))")
    assert [c.name for c in s.commands] == ["declare", "push", "declare", "assert", "pop",
                                            "declare", "assert", "check-sat"]
    assert len(s.assertions) == 1 and s.assertions[0].sort == "Bool"  # the popped one is gone
    assert "tactic is ignored" in s.warnings[0].message
    with pytest.raises(ParseError, match="unknown symbol 'y'"):
        parse("(push 1)(declare-const y Int)(pop 1)(assert (> y 0))")


def test_quoted_names_that_read_as_numerals_or_keywords_stay_names():
    """``|12|`` is a variable, ``12`` the numeral; ``|:k|`` and ``|#b|`` are names, while a
    bare ``#b`` is a bit-vector literal and is refused where it stands."""
    s = parse("(set-logic QF_IDL)(declare-fun |12| () Int)(declare-fun |:k| () Int)"
              "(declare-fun |#b| () Int)(assert (< |12| 12))(assert (< |:k| |#b|))")
    first, second = s.assertions
    left, right = first.args
    assert (left.op, left.val) == (T.VAR, "12") and (right.op, right.val) == (T.CONST, 12)
    assert {a.val for a in second.args} == {":k", "#b"}
    with pytest.raises(UnsupportedError) as e:
        parse("(set-logic QF_IDL)\n(declare-fun |#b| () Int)\n(assert (< #b 1))")
    assert "3:12" in str(e.value) and "bit-vector literal" in str(e.value)
