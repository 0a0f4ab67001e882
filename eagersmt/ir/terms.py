"""Hash-consed terms with a small canonical core.

Every term is built through a ``TermManager``, which returns the one existing node for
equal structure (so terms compare and hash by identity, and a formula is a DAG) and
rewrites sugar at construction, as pysmt does: ``a > b`` becomes ``b < a``, ``a >= b``
becomes ``b <= a``, ``a - b`` becomes ``a + (-1)*b``, ``xor`` becomes ``not (iff)``,
``=>`` becomes ``or``, ``distinct`` becomes pairwise ``not =``; constants fold.  What is
left for later stages is:

    Bool:  CONST VAR NOT AND OR ITE IFF EQ LE LT
    arith: CONST VAR ADD MUL(constant coefficient, term) ITE
           DIV, MOD (by a non-zero constant ``val``) ABS    (Int only)
    either: APPLY (an uninterpreted function ``val`` applied to ``args``)

``EQ``, ``LE``, ``LT`` compare two arithmetic terms of the same sort (Int or Real).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable, Union

Number = Union[int, Fraction]

BOOL, INT, REAL = "Bool", "Int", "Real"

CONST, VAR, PARAM = "const", "var", "param"
NOT, AND, OR, ITE, IFF = "not", "and", "or", "ite", "iff"
EQ, LE, LT = "=", "<=", "<"
ADD, MUL = "+", "*"
DIV, MOD, ABS = "div", "mod", "abs"
APPLY = "apply"


class Term:
    """A node: ``op``, child ``args``, a payload ``val`` (name, constant, coefficient), ``sort``."""

    __slots__ = ("op", "args", "val", "sort", "id", "__weakref__")

    def __init__(self, op: str, args: tuple, val: object, sort: str, id_: int):
        self.op = op
        self.args = args
        self.val = val
        self.sort = sort
        self.id = id_

    def __repr__(self) -> str:
        return term_to_smtlib(self)


class TermManager:
    """Creates terms; equal structure gives the identical object."""

    def __init__(self) -> None:
        self._table: dict[tuple, Term] = {}
        self.true = self._mk(CONST, (), True, BOOL)
        self.false = self._mk(CONST, (), False, BOOL)

    def __len__(self) -> int:
        return len(self._table)

    @property
    def table(self) -> dict[tuple, Term]:
        """The hash-consing table, ``_mk``'s key to its term; the compiled SMT-LIB front end
        (``native/smtparse.c``) creates terms in it as ``_mk`` does."""
        return self._table

    def _mk(self, op: str, args: tuple, val: object, sort: str) -> Term:
        key = (op, args, val, sort, type(val))
        t = self._table.get(key)
        if t is None:
            t = Term(op, args, val, sort, len(self._table))
            self._table[key] = t
        return t

    # -- leaves ----------------------------------------------------------------------
    def const(self, value: object, sort: str) -> Term:
        if sort == BOOL:
            return self.true if value else self.false
        if sort == INT:
            return self._mk(CONST, (), int(value), INT)  # type: ignore[arg-type]
        v = Fraction(value)  # type: ignore[arg-type]
        return self._mk(CONST, (), v, REAL)

    def var(self, name: str, sort: str) -> Term:
        return self._mk(VAR, (), name, sort)

    def param(self, key: tuple, sort: str) -> Term:
        """A formal parameter of a ``define-fun`` (replaced by ``substitute``)."""
        return self._mk(PARAM, (), key, sort)

    # -- Boolean ---------------------------------------------------------------------
    def not_(self, a: Term) -> Term:
        if a.op == CONST:
            return self.false if a.val else self.true
        if a.op == NOT:
            return a.args[0]
        return self._mk(NOT, (a,), None, BOOL)

    def _junction(self, op: str, args: Iterable[Term]) -> Term:
        unit, zero = (self.true, self.false) if op == AND else (self.false, self.true)
        seen: dict[int, Term] = {}
        for a in args:
            if a is unit:
                continue
            if a is zero:
                return zero
            if a.op == op:  # flatten same connective
                for b in a.args:
                    seen.setdefault(b.id, b)
            else:
                seen.setdefault(a.id, a)
        if not seen:
            return unit
        for t in seen.values():
            if t.op == NOT and t.args[0].id in seen:
                return zero
        if len(seen) == 1:
            return next(iter(seen.values()))
        return self._mk(op, tuple(sorted(seen.values(), key=_tid)), None, BOOL)

    def and_(self, args: Iterable[Term]) -> Term:
        return self._junction(AND, args)

    def or_(self, args: Iterable[Term]) -> Term:
        return self._junction(OR, args)

    def implies(self, a: Term, b: Term) -> Term:
        return self.or_((self.not_(a), b))

    def iff(self, a: Term, b: Term) -> Term:
        if a is b:
            return self.true
        if a.op == CONST:
            return b if a.val else self.not_(b)
        if b.op == CONST:
            return a if b.val else self.not_(a)
        if a.id > b.id:
            a, b = b, a
        return self._mk(IFF, (a, b), None, BOOL)

    def xor(self, a: Term, b: Term) -> Term:
        return self.not_(self.iff(a, b))

    def ite(self, c: Term, t: Term, e: Term) -> Term:
        if c.op == CONST:
            return t if c.val else e
        if t is e:
            return t
        if c.op == NOT:
            c, t, e = c.args[0], e, t
        if t.sort == BOOL:
            if t is self.true and e is self.false:
                return c
            if t is self.false and e is self.true:
                return self.not_(c)
        return self._mk(ITE, (c, t, e), None, t.sort)

    # -- arithmetic ------------------------------------------------------------------
    def add(self, args: Iterable[Term]) -> Term:
        const: Number = 0
        rest: list[Term] = []
        sort = INT
        for a in args:
            if a.sort == REAL:
                sort = REAL
            if a.op == CONST:
                const += a.val  # type: ignore[operator]
            elif a.op == ADD:
                for b in a.args:
                    if b.op == CONST:
                        const += b.val  # type: ignore[operator]
                    else:
                        rest.append(b)
            else:
                rest.append(a)
        if const != 0 or not rest:
            rest.append(self.const(const, sort))
        if len(rest) == 1:
            return rest[0]
        return self._mk(ADD, tuple(rest), None, sort)

    def mul(self, coef: Number, a: Term) -> Term:
        """``coef * a`` for a constant ``coef`` (the only multiplication linear logics have)."""
        if a.op == CONST:
            return self.const(coef * a.val, a.sort)  # type: ignore[operator]
        if coef == 1:
            return a
        if coef == 0:
            return self.const(0, a.sort)
        if a.op == MUL:
            return self.mul(coef * a.val, a.args[0])  # type: ignore[operator]
        if a.sort == INT:
            coef = int(coef)
        else:
            coef = Fraction(coef)
        return self._mk(MUL, (a,), coef, a.sort)

    def div(self, a: Term, k: int) -> Term:
        """SMT-LIB ``(div a k)`` for a non-zero integer constant ``k`` (floor for k > 0)."""
        if a.op == CONST:
            return self.const(int_div(int(a.val), k), INT)  # type: ignore[arg-type]
        return self._mk(DIV, (a,), k, INT)

    def mod(self, a: Term, k: int) -> Term:
        """SMT-LIB ``(mod a k)``: the remainder in ``[0, |k| - 1]``."""
        if a.op == CONST:
            return self.const(int(a.val) - k * int_div(int(a.val), k), INT)  # type: ignore[arg-type]
        return self._mk(MOD, (a,), k, INT)

    def abs_(self, a: Term) -> Term:
        if a.op == CONST:
            return self.const(abs(a.val), INT)  # type: ignore[arg-type]
        return self._mk(ABS, (a,), None, INT)

    def apply(self, name: str, args: tuple, sort: str) -> Term:
        """An application of the uninterpreted function ``name`` (result ``sort``)."""
        return self._mk(APPLY, tuple(args), name, sort)

    def neg(self, a: Term) -> Term:
        return self.mul(-1, a)

    def sub(self, a: Term, b: Term) -> Term:
        return self.add((a, self.neg(b)))

    def _cmp(self, op: str, a: Term, b: Term) -> Term:
        if a.op == CONST and b.op == CONST:
            if op == LE:
                return self.const(a.val <= b.val, BOOL)  # type: ignore[operator]
            if op == LT:
                return self.const(a.val < b.val, BOOL)  # type: ignore[operator]
            return self.const(a.val == b.val, BOOL)
        if op == EQ:
            if a is b:
                return self.true
            if a.id > b.id:
                a, b = b, a
        elif a is b:
            return self.true if op == LE else self.false
        return self._mk(op, (a, b), None, BOOL)

    def eq(self, a: Term, b: Term) -> Term:
        """``a = b``: ``iff`` on Booleans, an arithmetic equation otherwise."""
        if a.sort == BOOL:
            return self.iff(a, b)
        return self._cmp(EQ, a, b)

    def le(self, a: Term, b: Term) -> Term:
        return self._cmp(LE, a, b)

    def lt(self, a: Term, b: Term) -> Term:
        return self._cmp(LT, a, b)

    def ge(self, a: Term, b: Term) -> Term:
        return self._cmp(LE, b, a)

    def gt(self, a: Term, b: Term) -> Term:
        return self._cmp(LT, b, a)

    def distinct(self, args: list[Term]) -> Term:
        return self.and_(self.not_(self.eq(args[i], args[j]))
                         for i in range(len(args)) for j in range(i + 1, len(args)))

    # -- rebuilding ------------------------------------------------------------------
    def rebuild(self, t: Term, args: tuple) -> Term:
        """``t`` with new children (simplifying as construction does)."""
        op = t.op
        if op == NOT:
            return self.not_(args[0])
        if op == AND:
            return self.and_(args)
        if op == OR:
            return self.or_(args)
        if op == ITE:
            return self.ite(*args)
        if op == IFF:
            return self.iff(*args)
        if op in (EQ, LE, LT):
            return self._cmp(op, args[0], args[1])
        if op == ADD:
            return self.add(args)
        if op == MUL:
            return self.mul(t.val, args[0])  # type: ignore[arg-type]
        if op == DIV:
            return self.div(args[0], t.val)  # type: ignore[arg-type]
        if op == MOD:
            return self.mod(args[0], t.val)  # type: ignore[arg-type]
        if op == ABS:
            return self.abs_(args[0])
        if op == APPLY:
            return self.apply(t.val, args, t.sort)  # type: ignore[arg-type]
        return t

    def substitute(self, t: Term, mapping: dict[Term, Term]) -> Term:
        """Replace leaves by ``mapping`` everywhere in ``t`` (iterative, memoised)."""
        memo: dict[Term, Term] = dict(mapping)
        stack = [t]
        while stack:
            n = stack[-1]
            if n in memo:
                stack.pop()
                continue
            pending = [a for a in n.args if a not in memo]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            memo[n] = self.rebuild(n, tuple(memo[a] for a in n.args)) if n.args else n
        return memo[t]


def int_div(x: int, k: int) -> int:
    """``(div x k)`` on integers (``k`` non-zero), as SMT-LIB defines it: ``x = k*q + r``
    with ``0 <= r < |k|``."""
    r = x % abs(k)
    return (x - r) // k


def _tid(t: Term) -> int:
    return t.id


def iter_dag(roots: Iterable[Term]) -> list[Term]:
    """All nodes below ``roots``, children before parents (iterative post-order: a stack of
    argument iterators; a leaf goes out at once, without a stack entry)."""
    order: list[Term] = []
    append = order.append
    seen: set[int] = set()
    mark = seen.add
    for r in roots:
        if r.id in seen:
            continue
        mark(r.id)
        stack = [(r, iter(r.args))]
        while stack:
            n, args = stack[-1]
            for c in args:
                if c.id not in seen:
                    mark(c.id)
                    if c.args:
                        stack.append((c, iter(c.args)))
                        break
                    append(c)
            else:
                stack.pop()
                append(n)
    return order


# -- SMT-LIB text of a term (``repr``; ``smtlib/printer.py`` prints models and scripts) --

# the SMT-LIB name of each operator of the core (MUL and the leaves print otherwise)
SMTLIB_NAMES = {NOT: "not", AND: "and", OR: "or", ITE: "ite", IFF: "=", EQ: "=", LE: "<=", LT: "<",
                ADD: "+", DIV: "div", MOD: "mod", ABS: "abs"}


def app_text(n: "Term", kids: list[str]) -> str:
    """An application with its printed arguments (``div``/``mod`` end with their constant
    divisor, which is no child; an uninterpreted function prints its name)."""
    head = quote_symbol(n.val) if n.op == APPLY else SMTLIB_NAMES[n.op]  # type: ignore[arg-type]
    if n.op in (DIV, MOD):
        kids = kids + [format_value(n.val, n.sort)]
    return "(" + head + " " + " ".join(kids) + ")"


def quote_symbol(name: str) -> str:
    """A symbol as SMT-LIB writes it: bare when it is a simple symbol, else ``|name|``."""
    if name and not name[0].isdigit() and all(c.isalnum() or c in "~!@$%^&*_-+=<>.?/" for c in name):
        return name
    return f"|{name}|"


def format_value(value: object, sort: str) -> str:
    """``5``, ``(- 5)``, ``(/ 1 3)``, ``(- (/ 1 3))``, ``2.0``, ``true``."""
    if sort == BOOL:
        return "true" if value else "false"
    v = Fraction(value)  # type: ignore[arg-type]
    neg = v < 0
    v = -v if neg else v
    if sort == REAL:
        body = f"{v.numerator}.0" if v.denominator == 1 else f"(/ {v.numerator}.0 {v.denominator}.0)"
    else:
        body = str(v.numerator)
    return f"(- {body})" if neg else body


def term_to_smtlib(t: Term) -> str:
    """Print a term (iteratively; shared subterms are printed again, for messages only)."""
    out: dict[int, str] = {}
    stack = [t]
    while stack:
        n = stack[-1]
        if n.id in out:
            stack.pop()
            continue
        missing = [a for a in n.args if a.id not in out]
        if missing:
            stack.extend(missing)
            continue
        stack.pop()
        if n.op == CONST:
            s = format_value(n.val, n.sort)
        elif n.op == VAR:
            s = quote_symbol(n.val)  # type: ignore[arg-type]
        elif n.op == PARAM:
            s = f"_p{n.val[1]}"  # type: ignore[index]
        elif n.op == MUL:
            s = f"(* {format_value(n.val, n.sort)} {out[n.args[0].id]})"
        else:
            s = app_text(n, [out[a.id] for a in n.args])
        out[n.id] = s
    return out[t.id]
