"""Compact order encoding: each value in base ``B``, each of its two digits order-encoded.

Idea (Tanjo, Tamura, Banbara, "Towards a compact and efficient SAT-encoding of finite
linear CSP", 2011; the Azucar solver, SAT 2012): variable ``x`` with domain ``[l, u]`` is
``X = x - l = B*X1 + X0`` with ``X1 in [0, (u-l) // B]`` and ``X0 in [0, B-1]``, both
order-encoded (``[X1 <= a]``, ``[X0 <= b]`` and their ladders), plus the clause
``X <= u - l``.  A difference constraint ``x - y <= c`` becomes ``X <= Y + k`` with
``k = c + l_y - l_x = B*k1 + k0`` (``0 <= k0 < B``); adding ``k0`` to ``Y0`` carries when
``Y0 >= B - k0``.  With ``t = [Y0 <= B-k0-1]`` (no carry) and two auxiliary variables
``q0``, ``q1`` ("the high digits are tight"), ``guard -> X <= Y + k`` is

* ``[Y1 <= a] -> [X1 <= a+k1+1]``                                 (any carry; ``k0 > 0``)
* ``[Y1 <= a] and t -> [X1 <= a+k1]``                              (no carry)
* ``[Y1 <= a] and not [X1 <= a+k1-1] -> q0``, ``q0 and [Y0 <= b] -> [X0 <= b+k0]``
  for ``b < B-k0``                                                 (no carry, ``X1 = Z1``)
* ``[Y1 <= a] and not [X1 <= a+k1] -> q1``, ``q1 and [Y0 <= b] -> [X0 <= b+k0-B]``
  for ``b >= B-k0``                                                (carry, ``X1 = Z1``)

(the guard joins every clause but the ``q`` definitions; of the ladder rows, those the
axioms imply are left out, as in ``order.py``).  Sound and complete: ``X <= Y+k``
iff ``X1 < Z1`` or (``X1 = Z1`` and ``X0 <= Z0``), ``Z = Y + k`` in digits; ``q0``, ``q1``
only constrain when set, and are forced when the high digits are tight.  Checked
exhaustively on small domains (``tests/test_compact.py``).

Cost: about ``(u-l)/B + B`` literals per variable (the order encoding: ``u-l``) and
at most ``4 (u-l)/B + B`` clauses per guarded constraint (order: ``u-l``; past
``max_clauses`` in all, ``EncodingTooLarge``, as ``order``); a bound move walks a
ladder ``B`` times shorter.  Propagation is weaker (a low digit moves only when the high
digits are tight), so the solver needs more conflicts, each much cheaper.  ``auto`` uses it
for classes with machines and wide windows (``rule``; figures in
``benchmarks/RESULTS.md``, "Encodings").

Certificates: a high-digit literal ``[X1 <= a]`` is the atom ``x - o <= l + B*a + B - 1``;
low digits and ``q``s are not atoms.  ``check-proof`` accepts a clause with one of them only
if ``le_clauses``/``var_clauses`` below produce it for a constraint whose guard means that
atom (or a unit atom), with ``[l, u]`` containing the checker's own box of ``x``: the trust
base grows by these two pure functions (``check/proof.py``, "Compact order encoding").
"""

from __future__ import annotations

from itertools import repeat
from typing import Any, Callable, Optional, Sequence

from .base import Candidate, Choice, EncodingTooLarge, VarClass
from .cnf import CNF, SCHEDULE_TUNING
from .domains import Domains, class_domains
from .tseitin import NEG, POS

Layout = tuple[int, int, int, int]  # (base of [X1 <= a], count, base of [X0 <= b], B)


def _le(base: int, n: int, a: int) -> Any:
    """``[D <= a]`` for a digit ``D`` in ``[0, n]`` with literals ``base + a``: a literal,
    or True / False where the range decides it."""
    if a < 0:
        return False
    if a >= n:
        return True
    return base + a


def _clause(out: list, lits: tuple) -> None:
    cl = []
    for lit in lits:
        if lit is True:
            return
        if lit is not False:
            cl.append(lit)
    out.append(cl)


def _ladder(out: list, neg: int, pos: int, n: int) -> None:
    """``-(neg + i) or pos + i`` for ``i`` in ``[0, n)``: tuples zipped at C speed."""
    if n > 0:
        out.extend(zip(range(-neg, -neg - n, -1), range(pos, pos + n)))


def var_clauses(lay: Layout, width: int) -> list[Sequence[int]]:
    """Ladder axioms of both digits and ``X <= width``."""
    hb, n, lb, B = lay
    out: list[Sequence[int]] = []
    _ladder(out, hb, hb + 1, n - 1)
    _ladder(out, lb, lb + 1, B - 2)
    _clause(out, (_le(hb, n, width // B - 1), _le(lb, B - 1, width % B)))
    return out


def _rows(out: list, pre: int, yh: int, yn: int, xh: int, xn: int, off: int, post: int) -> None:
    """``pre or not [Y1 <= a] or [X1 <= a + off] or post`` for every ``a`` in ``[0, yn]``
    (``pre``, ``post``: a literal, or 0 for none; ``(yh, yn)``, ``(xh, xn)``: the high
    digits' literal bases and counts), less those the ladder axioms imply (as in
    ``order.py``): of the ``a`` whose ``[X1 <= a + off]`` is false only the largest; none
    whose ``[X1 <= a + off]`` is true.  The middle, where both are literals, is one ladder
    zipped at C speed; each shape of ``pre``/``post`` has its own ``zip`` (no Python code
    per clause, none per literal of the shape)."""
    lo = -off
    if lo < 0:
        lo = 0
    elif lo > yn:
        lo = yn
    hi = xn - off
    if hi > yn:
        hi = yn
    if hi < lo:
        hi = lo
    if lo:  # a = lo - 1 < yn, a + off < 0
        y = -(yh + lo - 1)
        out.append(([pre, y, post] if post else [pre, y]) if pre else ([y, post] if post else [y]))
    n = hi - lo
    if n > 0:
        ys = range(-(yh + lo), -(yh + hi), -1)
        xs = range(xh + lo + off, xh + hi + off)
        if pre:
            out.extend(zip(repeat(pre), ys, xs, repeat(post)) if post else zip(repeat(pre), ys, xs))
        else:
            out.extend(zip(ys, xs, repeat(post)) if post else zip(ys, xs))
    if hi == yn:
        a = yn + off
        if a < xn:  # a = yn: [Y1 <= yn] is true; [X1 <= a] a literal, or false (a < 0)
            cl = [pre] if pre else []
            if a >= 0:
                cl.append(xh + a)
            if post:
                cl.append(post)
            out.append(cl)


def le_clauses(X: Layout, Y: Layout, k: int, guard: int, q0: int, q1: int,
               out: Optional[list] = None) -> list[Sequence[int]]:
    """``guard -> X <= Y + k`` (module doc; ``guard`` 0: unconditional; ``q1`` 0 when
    ``k % B == 0``), appended to ``out`` when given (the encoder's loop), else to a new
    list; that list."""
    if out is None:
        out = []
    xh, xn, xl, B = X
    yh, yn, yl = Y[0], Y[1], Y[2]
    k1, k0 = divmod(k, B)
    g = -guard
    if k0:  # t = [Y0 <= B-k0-1] (no carry) is a literal; with k0 = 0 it is true
        _rows(out, g, yh, yn, xh, xn, k1 + 1, 0)
        _rows(out, g, yh, yn, xh, xn, k1, -(yl + B - k0 - 1))
    else:
        _rows(out, g, yh, yn, xh, xn, k1, 0)
    _rows(out, 0, yh, yn, xh, xn, k1 - 1, q0)
    if k0:
        _rows(out, 0, yh, yn, xh, xn, k1, q1)
    # q0 and [Y0 <= b] -> [X0 <= b + k0] for b < B - k0 (b = B-1-k0: [X0 <= B-1] is true)
    n = B - k0 - 1
    if n > 0:
        ys, xs = range(-yl, -yl - n, -1), range(xl + k0, xl + k0 + n)
        out.extend(zip(repeat(g), repeat(-q0), ys, xs) if g else zip(repeat(-q0), ys, xs))
    if k0:  # q1 and [Y0 <= b] -> [X0 <= b + k0 - B] for b >= B - k0 ([Y0 <= B-1] is true)
        n = k0 - 1
        if n > 0:
            y0 = yl + B - k0
            ys, xs = range(-y0, -y0 - n, -1), range(xl, xl + n)
            out.extend(zip(repeat(g), repeat(-q1), ys, xs) if g else zip(repeat(-q1), ys, xs))
        out.append([g, -q1, xl + k0 - 1] if g else [-q1, xl + k0 - 1])
    return out


def compiled_le_clauses() -> Callable[..., list[Sequence[int]]]:
    """``le_clauses`` compiled (``native/compact.c``: the same clauses, lists and tuples, no
    Python call per clause), or this module's where it cannot be built.  The encoder's
    loop calls it; ``check-proof`` reads clauses with the Python one, the reference."""
    from ..native.build import extension

    ext = extension("compact")
    return le_clauses if isinstance(ext, str) else ext.le_clauses  # type: ignore[no-any-return]


def base_for(dom: Domains, variables) -> int:
    """A power of two near the square root of the mean domain width (at least 4)."""
    widths = [dom.hi[x] - dom.lo[x] for x in variables]
    mean = sum(widths) / max(1, len(widths))
    B = 4
    while B * B * 2 <= mean:
        B *= 2
    return B


def predicted_clauses(cls: VarClass, dom: Domains, B: int) -> int:
    """An upper bound on the clauses (and literals) ``Compact`` writes for ``cls``."""
    n = {x: max(0, dom.hi[x] - dom.lo[x]) // B for x in cls.variables}
    total = sum(n.values()) + B * len(n)
    for p in cls.preds:
        total += (4 * (n[p.y] + 2) + B) * bool(p.polarity & POS) \
            + (4 * (n[p.x] + 2) + B) * bool(p.polarity & NEG)
    return total


class CompactDecoder:
    encoding = "compact"

    def __init__(self, dom: Domains, B: int, layout: dict[int, Layout],
                 constraints: list[list[int]]):
        self.dom, self.B, self.layout, self.constraints = dom, B, layout, constraints
        self.lemmas: list = []  # root lemmas (disjunctive.py) that narrowed ``dom``
        self.lemma_anchor: Optional[int] = None

    def meaning(self, var_range: tuple[int, int], pred_vars: set[int]) -> dict[str, Any]:
        """Literal ``hb + a`` is ``x - anchor <= lo + B*a + B - 1``; low digits and ``q``s
        are named by the constraints ``[x, y, c, guard, q0, q1]`` (``x - y <= c``) that use
        them (module doc)."""
        lo, hi = self.dom.lo, self.dom.hi
        out = {"encoding": "compact", "anchor": self.dom.anchor, "base": self.B,
               "vars": [[x, lay[0], lay[1], lay[2], lo[x], hi[x]]
                        for x, lay in sorted(self.layout.items())],
               "constraints": self.constraints}
        if self.lemmas:
            out.update(lemma_anchor=self.lemma_anchor, lemmas=self.lemmas)
        return out

    def decode(self, value: Callable[[int], bool]) -> dict[int, int]:
        out = {}
        for x, (hb, n, lb, B) in self.layout.items():
            x1 = next((a for a in range(n) if value(hb + a)), n)
            x0 = next((b for b in range(B - 1) if value(lb + b)), B - 1)
            out[x] = self.dom.lo[x] + B * x1 + x0
        return out

    def phases(self, start: dict[int, int]) -> list[int]:
        """The digit literals of the values ``start`` (a schedule: ``listsched.hint``)."""
        out = []
        for x, (hb, n, lb, B) in self.layout.items():
            x1, x0 = divmod(start[x] - self.dom.lo[x], B)
            out.extend(hb + a if x1 <= a else -(hb + a) for a in range(n))
            out.extend(lb + b if x0 <= b else -(lb + b) for b in range(B - 1))
        return out


COMPACT_AUTO_WIDTH = 128  # mean window (domain width) of a machine class from which it wins


def rule(choice: Choice, mode: str) -> Optional[Candidate]:
    """The rule of ``auto`` (``base.Rule``): for a class with machines (root-propagated,
    not restricted to a list schedule) that the order encoding fits, first when its mean
    window is at least ``COMPACT_AUTO_WIDTH`` wide (bound moves on ladders ``B`` times
    shorter).  Not tried otherwise, nor as a checkable run's extra."""
    from .order import domains, fits

    if mode == "requested":
        return Candidate(0, Compact())
    if mode != "auto" or not choice.machines or not fits(choice):
        return None
    dom = domains(choice)
    cls = choice.cls
    mean = sum(dom.hi[x] - dom.lo[x] for x in cls.variables) / max(1, len(cls.variables))
    if mean < COMPACT_AUTO_WIDTH:
        return None
    return Candidate(15, Compact(dom), f"mean window {mean:.0f}")


class Compact:
    name = "compact"
    own_pair_clauses = False
    # with its solver settings the ordering clauses slowed both solvers (RESULTS.md,
    # "Encodings"); the settings: ``backends``' ``TUNINGS[SCHEDULE_TUNING]``
    ordering_clauses, machine_tuning = False, SCHEDULE_TUNING

    def __init__(self, domains: Domains | None = None, base: int = 0,
                 max_clauses: int = 10_000_000):
        self.domains = domains
        self.base = base
        self.max_clauses = max_clauses

    def encode(self, cls: VarClass, cnf: CNF) -> CompactDecoder:
        dom = self.domains or class_domains(cls)
        lo, hi = dom.lo, dom.hi
        B = self.base or base_for(dom, cls.variables)
        predicted = predicted_clauses(cls, dom, B)
        if predicted > self.max_clauses:
            raise EncodingTooLarge(f"compact order encoding would need {predicted} clauses")
        layout: dict[int, Layout] = {}
        for x in cls.variables:
            w = hi[x] - lo[x]
            if w < 0:
                cnf.add([])  # empty domain: unsat
                w = 0
            n = w // B
            hb = cnf.new_vars(n).start if n else 0
            lb = cnf.new_vars(B - 1).start
            layout[x] = (hb, n, lb, B)
            cnf.extend(var_clauses(layout[x], w))
        units = set(cls.units)
        clauses = cnf.clauses
        le = compiled_le_clauses()
        constraints: list[list[int]] = []
        top = cnf.nvars  # (the q variables, numbered here: ``cnf.new_var`` once per q)
        for p in cls.preds:
            pol = p.polarity
            for x, y, c, guard, needed in ((p.x, p.y, p.c, p.var, pol & POS),
                                           (p.y, p.x, -p.c - 1, -p.var, pol & NEG)):
                if not needed:
                    continue
                lx = lo[x]
                k = c + lo[y] - lx
                if k >= hi[x] - lx:  # the domains imply it
                    continue
                g = 0 if (x, y, c) in units else guard
                top += 1
                q0 = top
                if k % B:
                    top += 1
                    q1 = top
                else:
                    q1 = 0
                constraints.append([x, y, c, g, q0, q1])
                le(layout[x], layout[y], k, g, q0, q1, clauses)
        cnf.nvars = top
        return CompactDecoder(dom, B, layout, constraints)
