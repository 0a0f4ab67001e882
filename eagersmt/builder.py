"""A small term builder for the Python API: ``Int("x") - Int("y") <= 3``, ``3*x + 2*y <= 10``.

Builder terms (``Expr``) are plain immutable values, independent of any solver: the same
expression can be added to several ``Solver`` objects, each turns it into its own
hash-consed terms (``to_term``).  Arithmetic (``+ - *`` by a constant, unary ``-``) and the
orderings ``< <= > >=`` are overloaded and return terms; ``Div``, ``Mod`` (SMT-LIB's: the
remainder is never negative) and ``Abs`` take an Int term and a non-zero constant;
``Function("f", Int, Int)`` declares an uninterpreted function (the last sort is the
result's; ``Function("p", Int, Bool)`` a predicate) whose calls are terms.  ``==`` is NOT overloaded: it
keeps Python's meaning (structural equality, so terms work as dict keys and ``model[x]``);
write ``Eq(x, y)`` or ``x.eq(y)`` (and ``Distinct``/``x.ne(y)``).  A term has no truth value:
``if x < y:`` and ``0 <= x <= 5`` raise ``TypeError`` instead of silently asking Python.
Bool terms also take ``&``, ``|``, ``~``.

>>> x, y = Int("x"), Int("y")
>>> x - y <= 3
(<= (- x y) 3)
>>> And(x + 2 < y, Not(Eq(y, 7)))
(and (< (+ x 2) y) (not (= y 7)))
>>> Int("x") == x          # structural equality, not a constraint
True
>>> f = Function("f", Int, Int)
>>> Distinct(f(x), 3*y - 1, Mod(x, 2))
(distinct (f x) (- (* 3 y) 1) (mod x 2))
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable, Union

from .errors import ParseError, UnsupportedError
from .ir.terms import BOOL, INT, REAL, Term, TermManager

__all__ = ["Expr", "Int", "Real", "Bool", "Ints", "Reals", "Bools", "IntVal", "RealVal",
           "BoolVal", "And", "Or", "Not", "Implies", "Xor", "Ite", "If", "Eq", "Distinct",
           "Sum", "Div", "Mod", "Abs", "Function", "to_term"]

Number = Union[int, Fraction]
ExprLike = Union["Expr", int, Fraction, float, bool]

_NUMERIC = (INT, REAL)


class Expr:
    """An immutable builder term: ``op``, ``args`` (Exprs), ``val`` (name or constant), ``sort``."""

    __slots__ = ("op", "args", "val", "sort", "_hash")

    def __init__(self, op: str, args: tuple["Expr", ...], val: object, sort: str):
        self.op = op
        self.args = args
        self.val = val
        self.sort = sort
        self._hash = hash((op, args, val, type(val), sort))

    # -- Python protocol -------------------------------------------------------------
    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Expr) or self._hash != other._hash:
            return False
        return (self.op, self.val, type(self.val), self.sort, self.args) == \
            (other.op, other.val, type(other.val), other.sort, other.args)

    def __bool__(self) -> bool:
        raise TypeError(f"a term has no truth value ({self}); add it to a Solver instead "
                        "(and write 0 <= x and x <= 5 as And(0 <= x, x <= 5))")

    def __repr__(self) -> str:
        return to_smtlib(self)

    __str__ = __repr__

    # -- arithmetic ------------------------------------------------------------------
    def __add__(self, other: ExprLike) -> "Expr":
        return Sum(self, other)

    def __radd__(self, other: ExprLike) -> "Expr":
        return Sum(other, self)

    def __sub__(self, other: ExprLike) -> "Expr":
        a, b = _numeric(self, other)
        return Expr("-", (a, b), None, a.sort)

    def __rsub__(self, other: ExprLike) -> "Expr":
        a, b = _numeric(other, self)
        return Expr("-", (a, b), None, a.sort)

    def __neg__(self) -> "Expr":
        (a,) = _numeric(self)
        return Expr("neg", (a,), None, a.sort)

    def __mul__(self, other: ExprLike) -> "Expr":
        return _mul(self, other)

    def __rmul__(self, other: ExprLike) -> "Expr":
        return _mul(other, self)

    # -- comparisons -----------------------------------------------------------------
    def __le__(self, other: ExprLike) -> "Expr":
        return _cmp("<=", self, other)

    def __lt__(self, other: ExprLike) -> "Expr":
        return _cmp("<", self, other)

    def __ge__(self, other: ExprLike) -> "Expr":
        return _cmp(">=", self, other)

    def __gt__(self, other: ExprLike) -> "Expr":
        return _cmp(">", self, other)

    def eq(self, other: ExprLike) -> "Expr":
        """The constraint ``self = other`` (``==`` is Python's structural equality)."""
        return Eq(self, other)

    def ne(self, other: ExprLike) -> "Expr":
        return Distinct(self, other)

    # -- Boolean ---------------------------------------------------------------------
    def __and__(self, other: ExprLike) -> "Expr":
        return And(self, other)

    def __rand__(self, other: ExprLike) -> "Expr":
        return And(other, self)

    def __or__(self, other: ExprLike) -> "Expr":
        return Or(self, other)

    def __ror__(self, other: ExprLike) -> "Expr":
        return Or(other, self)

    def __invert__(self) -> "Expr":
        return Not(self)


# -- leaves --------------------------------------------------------------------------
def _var(name: str, sort: str) -> Expr:
    if not isinstance(name, str) or not name:
        raise TypeError(f"a variable name is a non-empty string, not {name!r}")
    return Expr("var", (), name, sort)


def Int(name: str) -> Expr:
    """An integer variable."""
    return _var(name, INT)


def Real(name: str) -> Expr:
    """A real variable."""
    return _var(name, REAL)


def Bool(name: str) -> Expr:
    """A Boolean variable."""
    return _var(name, BOOL)


def Ints(names: str) -> list[Expr]:
    """``Ints("x y z")``: several integer variables."""
    return [Int(n) for n in names.split()]


def Reals(names: str) -> list[Expr]:
    return [Real(n) for n in names.split()]


def Bools(names: str) -> list[Expr]:
    return [Bool(n) for n in names.split()]


def IntVal(v: int) -> Expr:
    return Expr("const", (), int(v), INT)


def RealVal(v: Union[int, Fraction, float, str]) -> Expr:
    return Expr("const", (), Fraction(v), REAL)  # type: ignore[arg-type]


def BoolVal(v: bool) -> Expr:
    return Expr("const", (), bool(v), BOOL)


def _lift(v: ExprLike) -> Expr:
    if isinstance(v, Expr):
        return v
    if isinstance(v, bool):
        return BoolVal(v)
    if isinstance(v, int):
        return IntVal(v)
    if isinstance(v, Fraction):
        return RealVal(v)
    if isinstance(v, float):
        return RealVal(Fraction(v))
    raise TypeError(f"cannot make a term of {type(v).__name__} {v!r}")


def _numeric(*vals: ExprLike) -> list[Expr]:
    """Lift and sort-check arithmetic operands; integer constants join Real terms."""
    xs = [_lift(v) for v in vals]
    sorts = {x.sort for x in xs if x.op != "const"}
    for x in xs:
        if x.sort == BOOL:
            raise TypeError(f"arithmetic on a Bool term: {x}")
    if INT in sorts and REAL in sorts:
        raise TypeError("a term mixes Int and Real (mixed arithmetic is not supported)")
    if REAL in sorts or (not sorts and any(x.sort == REAL for x in xs)):
        xs = [RealVal(x.val) if x.op == "const" and x.sort == INT else x for x in xs]  # type: ignore[arg-type]
    elif any(x.sort == REAL for x in xs):
        raise TypeError("a Real constant in an Int term")
    return xs


def _bools(vals: Iterable[ExprLike], op: str) -> tuple[Expr, ...]:
    xs = tuple(_lift(v) for v in vals)
    for x in xs:
        if x.sort != BOOL:
            raise TypeError(f"{op} expects Bool terms, got {x.sort} term {x}")
    return xs


def _mul(x: ExprLike, y: ExprLike) -> Expr:
    a, b = _numeric(x, y)
    if a.op != "const" and b.op != "const":
        raise TypeError(f"non-linear multiplication ({a} * {b}) is not supported")
    return Expr("*", (a, b), None, a.sort)


def _cmp(op: str, a: ExprLike, b: ExprLike) -> Expr:
    x, y = _numeric(a, b)
    return Expr(op, (x, y), None, BOOL)


# -- connectives ---------------------------------------------------------------------
def _flat(args: tuple) -> list:
    if len(args) == 1 and not isinstance(args[0], (Expr, bool, int, Fraction, float)):
        return list(args[0])  # And([a, b, c])
    return list(args)


def And(*args: ExprLike) -> Expr:
    """``And(a, b, ...)`` or ``And([a, b, ...])``; ``And()`` is true."""
    xs = _bools(_flat(args), "And")
    return Expr("and", xs, None, BOOL) if xs else BoolVal(True)


def Or(*args: ExprLike) -> Expr:
    xs = _bools(_flat(args), "Or")
    return Expr("or", xs, None, BOOL) if xs else BoolVal(False)


def Not(a: ExprLike) -> Expr:
    return Expr("not", _bools((a,), "Not"), None, BOOL)


def Implies(a: ExprLike, b: ExprLike) -> Expr:
    return Expr("=>", _bools((a, b), "Implies"), None, BOOL)


def Xor(a: ExprLike, b: ExprLike) -> Expr:
    return Expr("xor", _bools((a, b), "Xor"), None, BOOL)


def Ite(c: ExprLike, t: ExprLike, e: ExprLike) -> Expr:
    """``if c then t else e`` (Bool or arithmetic branches)."""
    (cond,) = _bools((c,), "Ite condition")
    tt, ee = _lift(t), _lift(e)
    if tt.sort == BOOL or ee.sort == BOOL:
        tt, ee = _bools((tt, ee), "Ite branches")
    else:
        tt, ee = _numeric(tt, ee)
    return Expr("ite", (cond, tt, ee), None, tt.sort)


If = Ite


def _same(args: list[ExprLike], op: str) -> tuple[Expr, ...]:
    xs = [_lift(v) for v in args]
    if len(xs) < 2:
        raise TypeError(f"{op} expects at least 2 terms")
    if any(x.sort == BOOL for x in xs):
        return _bools(xs, op)
    return tuple(_numeric(*xs))


def Eq(*args: ExprLike) -> Expr:
    """``Eq(a, b, ...)``: all equal (Bool terms: equivalence)."""
    return Expr("=", _same(list(args), "Eq"), None, BOOL)


def Distinct(*args: ExprLike) -> Expr:
    return Expr("distinct", _same(_flat(args), "Distinct"), None, BOOL)


def Sum(*args: ExprLike) -> Expr:
    """``Sum(a, b, ...)`` or ``Sum([a, b, ...])``."""
    xs = _numeric(*_flat(args))
    if not xs:
        return IntVal(0)
    if len(xs) == 1:
        return xs[0]
    return Expr("+", tuple(xs), None, xs[0].sort)


def _divisor(op: str, a: ExprLike, k: object) -> tuple[Expr, Expr]:
    (x,) = _numeric(a)
    if x.sort != INT:
        raise TypeError(f"{op} expects an Int term, got {x.sort} term {x}")
    if isinstance(k, Expr) and k.op == "const" and k.sort == INT:
        k = k.val
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"{op} by a non-constant ({k}) is not supported: the divisor is an int")
    if k == 0:
        raise UnsupportedError(f"'{op}' by zero is not supported")
    return x, IntVal(k)


def Div(a: ExprLike, k: int) -> Expr:
    """SMT-LIB ``(div a k)`` for a constant ``k != 0``: ``q`` with ``a = k*q + r``,
    ``0 <= r < |k|`` (Euclidean: not Python's ``//`` when ``k < 0``)."""
    return Expr("div", _divisor("div", a, k), None, INT)


def Mod(a: ExprLike, k: int) -> Expr:
    """SMT-LIB ``(mod a k)`` for a constant ``k != 0``: the ``r`` of ``Div``, in ``[0, |k| - 1]``."""
    return Expr("mod", _divisor("mod", a, k), None, INT)


def Abs(a: ExprLike) -> Expr:
    """``|a|`` of an Int term."""
    (x,) = _numeric(a)
    if x.sort != INT:
        raise TypeError(f"Abs expects an Int term, got {x.sort} term {x}")
    return Expr("abs", (x,), None, INT)


def _sort_of(s: object) -> str:
    """A sort given to ``Function``: the builder's ``Int`` / ``Bool`` or their names."""
    if s is Int or s == INT:
        return INT
    if s is Bool or s == BOOL:
        return BOOL
    if s is Real or s == REAL:
        raise UnsupportedError("uninterpreted functions over Real are not supported")
    raise TypeError(f"a sort is Int or Bool, not {s!r}")


class Function:
    """An uninterpreted function: ``Function("f", Int, Bool, Int)`` takes an Int and a Bool
    and returns an Int (the last sort is the result's); ``f(x, p)`` is a term.  Solvers
    decide it by Ackermann's reduction; a model gives it a table (``m[f]``, ``m[f(3)]``)."""

    __slots__ = ("name", "domain", "range")

    def __init__(self, name: str, *sorts: object):
        if not isinstance(name, str) or not name:
            raise TypeError(f"a function name is a non-empty string, not {name!r}")
        if len(sorts) < 2:
            raise TypeError("Function(name, argument sorts..., result sort) takes at least one "
                            "argument sort (a constant is Int(name) or Bool(name))")
        self.name = name
        self.domain = tuple(_sort_of(s) for s in sorts[:-1])
        self.range = _sort_of(sorts[-1])

    def __call__(self, *args: ExprLike) -> Expr:
        if len(args) != len(self.domain):
            raise TypeError(f"'{self.name}' expects {len(self.domain)} arguments, got {len(args)}")
        xs = []
        for a, s in zip(args, self.domain):
            (x,) = _bools((a,), self.name) if s == BOOL else _numeric(a)
            if x.sort != s:
                raise TypeError(f"'{self.name}' expects {s} arguments, got {x.sort} term {x}")
            xs.append(x)
        return Expr("apply", tuple(xs), self.name, self.range)

    def __repr__(self) -> str:
        return f"Function({self.name!r}, {', '.join(self.domain + (self.range,))})"


# -- output and conversion -------------------------------------------------------------
def _num(v: Number, sort: str) -> str:
    from .smtlib.printer import format_value

    return format_value(v, sort)


def to_smtlib(e: Expr) -> str:
    """SMT-LIB text of ``e`` (iterative: deep terms do not hit the recursion limit)."""
    from .smtlib.printer import quote_symbol

    out: dict[int, str] = {}
    stack: list[tuple[Expr, bool]] = [(e, False)]
    while stack:
        n, done = stack.pop()
        if id(n) in out:
            continue
        if n.op == "var":
            out[id(n)] = quote_symbol(n.val)  # type: ignore[arg-type]
        elif n.op == "const":
            out[id(n)] = _num(n.val, n.sort) if n.sort != BOOL else ("true" if n.val else "false")  # type: ignore[arg-type]
        elif not done:
            stack.append((n, True))
            stack.extend((a, False) for a in n.args)
        else:
            op = quote_symbol(n.val) if n.op == "apply" else {"neg": "-"}.get(n.op, n.op)  # type: ignore[arg-type]
            out[id(n)] = f"({op} {' '.join(out[id(a)] for a in n.args)})"
    return out[id(e)]


def to_term(e: Expr, tm: TermManager, symbols: dict[str, Term],
            declared: list[Term] | None = None,
            functions: dict[str, tuple[list[Term], Term]] | None = None) -> Term:
    """The eagersmt term of ``e`` in ``tm``; new variables go into ``symbols`` (and
    ``declared``), new functions into ``functions`` (the parser's table: name -> (formal
    parameters, body), which for an uninterpreted function applies it to them).  A name
    already used with another sort or signature raises ``ParseError``."""
    functions = {} if functions is None else functions
    memo: dict[Expr, Term] = {}
    stack: list[tuple[Expr, bool]] = [(e, False)]
    while stack:
        n, done = stack.pop()
        if n in memo:
            continue
        if n.op == "var":
            name = n.val
            t = symbols.get(name)  # type: ignore[arg-type]
            if t is None:
                t = tm.var(name, n.sort)  # type: ignore[arg-type]
                symbols[name] = t  # type: ignore[index]
                if declared is not None:
                    declared.append(t)
            elif t.sort != n.sort or t.op != "var":
                raise ParseError(f"symbol '{name}' is already declared with sort {t.sort}, "
                                 f"used here as {n.sort}")
            memo[n] = t
            continue
        if n.op == "const":
            memo[n] = tm.const(n.val, n.sort)
            continue
        if not done:
            stack.append((n, True))
            stack.extend((a, False) for a in n.args if a not in memo)
            continue
        a = [memo[x] for x in n.args]
        if n.op == "apply":
            memo[n] = _apply(tm, n, a, symbols, functions)
            continue
        memo[n] = _build(tm, n.op, a)
    return memo[e]


def _apply(tm: TermManager, n: Expr, a: list[Term], symbols: dict[str, Term],
           functions: dict[str, tuple[list[Term], Term]]) -> Term:
    """The application ``n`` of an uninterpreted function, declared in ``functions`` on
    first use (as ``declare-fun`` declares it, so SMT-LIB text sees it too)."""
    name = n.val
    sorts = tuple(x.sort for x in a)
    known = functions.get(name)  # type: ignore[arg-type]
    if known is None:
        if name in symbols:
            raise ParseError(f"symbol '{name}' is already declared as a constant, used here "
                             "as a function")
        formals = [tm.param((name, k), s) for k, s in enumerate(sorts)]
        known = (formals, tm.apply(name, tuple(formals), n.sort))  # type: ignore[arg-type]
        functions[name] = known  # type: ignore[index]
    formals, body = known
    if body.op != "apply" or body.val != name or body.sort != n.sort \
            or tuple(f.sort for f in formals) != sorts:
        raise ParseError(f"function '{name}' is already declared with another signature")
    return tm.apply(name, tuple(a), n.sort)  # type: ignore[arg-type]


def _build(tm: TermManager, op: str, a: list[Term]) -> Term:
    if op == "and":
        return tm.and_(a)
    if op == "or":
        return tm.or_(a)
    if op == "not":
        return tm.not_(a[0])
    if op == "=>":
        return tm.implies(a[0], a[1])
    if op == "xor":
        return tm.xor(a[0], a[1])
    if op == "ite":
        return tm.ite(a[0], a[1], a[2])
    if op == "=":
        return tm.and_(tm.eq(a[i], a[i + 1]) for i in range(len(a) - 1))
    if op == "distinct":
        return tm.distinct(a)
    if op == "<=":
        return tm.le(a[0], a[1])
    if op == "<":
        return tm.lt(a[0], a[1])
    if op == ">=":
        return tm.ge(a[0], a[1])
    if op == ">":
        return tm.gt(a[0], a[1])
    if op == "+":
        return tm.add(a)
    if op == "-":
        return tm.sub(a[0], a[1])
    if op == "neg":
        return tm.neg(a[0])
    if op == "div":
        return tm.div(a[0], int(a[1].val))  # type: ignore[arg-type]
    if op == "mod":
        return tm.mod(a[0], int(a[1].val))  # type: ignore[arg-type]
    if op == "abs":
        return tm.abs_(a[0])
    if op == "*":
        x, y = a
        if x.op == "const":
            return tm.mul(x.val, y)  # type: ignore[arg-type]
        return tm.mul(y.val, x)  # type: ignore[arg-type]
    raise AssertionError(f"unknown builder op {op}")  # pragma: no cover

