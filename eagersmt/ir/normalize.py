"""Normalization: asserted terms -> ``Circuit`` over difference predicates, and its inverse.

Arithmetic is linearised bottom-up; an ``ite`` under arithmetic is lifted into guarded
cases (``(<= (ite c a b) y)`` becomes ``(c and a <= y) or (not c and b <= y)``).  Every
comparison ``L rel 0`` must then have difference shape ``a*x - a*y + k rel 0`` (or one
variable: a bound against the zero variable); dividing by ``|a|`` gives ``x - y rel q``.

Integers: ``x - y <= q`` becomes ``x - y <= floor(q)``; ``x - y < q`` becomes
``x - y <= ceil(q) - 1``; ``x - y = q`` with ``q`` fractional is false.

Reals (QF_RDL), exactly: multiply every constant by ``D``, the common denominator, and by
``K = n + 1`` with ``n`` the number of real variables (the zero variable included); then
``x - y <= q`` becomes the integer atom ``x - y <= K*D*q`` and ``x - y < q`` becomes
``x - y <= K*D*q - 1``.  Argument: a conjunction of such atoms is infeasible over the reals
iff its constraint graph has a simple cycle with constant sum ``s < 0``, or ``s = 0`` and a
strict edge (``k >= 1`` strict edges).  Scaled, the same cycle has integer weight
``K*D*s - k``.  If ``s < 0`` then ``D*s <= -1`` so ``K*D*s - k <= -K < 0``; if ``s = 0`` the
weight is ``-k``; if ``s > 0`` then ``K*D*s - k >= K - n > 0`` since a simple cycle has at
most ``n`` edges.  So cycles are negative in exactly the same cases, the integer problem
is equisatisfiable, and an integer model divided by ``K*D`` is a real model.

``K = 1`` suffices when no *strict* constraint is ever used: the Tseitin encoding is
polarity-aware, so a predicate only matters in the directions its polarity says, and if
each of those directions is a non-strict atom (or the negation of a strict one) and no
predicate stands for two different real atoms, every constraint a model relies on is
``x - y <= integer``.  Such a conjunction that is feasible over the reals is feasible over
the integers (shortest-path distances of integer weights), so the unscaled problem is
equisatisfiable.  ``normalize`` builds the circuit with ``K = 1`` first and rebuilds with
``K = n + 1`` only when that check fails; job-shop's ``start_b - start_a >= d``
disjunctions pass it, and keep domains as small as the integer version.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Mapping, Optional

from ..errors import UnsupportedError
from . import terms as T
from .circuit import FALSE, NEG, POS, TRUE, Circuit, polarities
from .preprocess import substitute_equalities
from .terms import BOOL, INT, REAL, Term, iter_dag

# A linear case: (guards, coefficients, constant); guards are (Bool term, polarity) pairs.
Case = tuple[tuple[tuple[Term, bool], ...], dict[str, object], object]


class Normalized:
    """The circuit, plus what ``decode`` needs to map integer values back to the input:
    ``sort`` INT, or REAL (scaled to integers by ``scale``, K * D), ``aliases`` (x -> (rep,
    offset)), and each atom's difference ``forms`` (``_Normalizer.forms``, for the lemma
    store's keys).  (A plain class: the solve path does not import ``dataclasses``;
    ``result.py``.)"""

    def __init__(self, circuit: Circuit, sort: str = INT, scale: int = 1,
                 stats: Optional[dict[str, int]] = None,
                 aliases: Optional[dict[str, tuple[str, int]]] = None,
                 forms: Optional[dict[Term, list[tuple[tuple, tuple]]]] = None) -> None:
        self.circuit = circuit
        self.sort = sort
        self.scale = scale
        self.stats: dict[str, int] = {} if stats is None else stats
        self.aliases: dict[str, tuple[str, int]] = {} if aliases is None else aliases
        self.forms: dict[Term, list[tuple[tuple, tuple]]] = {} if forms is None else forms

    def decode(self, int_values: Mapping[int, int], bool_values: Mapping[str, bool],
               declarations: list[Term]) -> dict[str, object]:
        """Model for the declared names from values of circuit variables (index -> int)."""
        c = self.circuit
        zero = int_values.get(0, 0)
        out: dict[str, object] = {}
        for v in declarations:
            name = v.val
            if v.sort == BOOL:
                out[name] = bool(bool_values.get(name, False))  # type: ignore[index]
                continue
            offset = 0
            if name in self.aliases:
                name_r, offset = self.aliases[name]  # type: ignore[index]
                i = 0 if name_r == "0" else c.int_index.get(name_r)
            else:
                i = c.int_index.get(name)  # type: ignore[arg-type]
            raw = (int_values.get(i, zero) - zero if i is not None else 0) + offset
            out[name] = Fraction(raw, self.scale) if v.sort == REAL else raw  # type: ignore[index]
        return out


def difference_forms(assertions: list[Term], *, positions: Optional[Mapping[Term, int]] = None
                     ) -> dict[Term, list[tuple[tuple, tuple]]]:
    """The difference forms of every atom below ``assertions`` (pass 1 of ``normalize``,
    which keeps the same dict in ``Normalized.forms``)."""
    return _Normalizer(positions or {}).forms(iter_dag(assertions))[0]


def normalize(assertions: list[Term], *, positions: Optional[Mapping[Term, int]] = None,
              substitute: bool = True, order: Optional[list[Term]] = None) -> Normalized:
    """Build the circuit of the conjunction of ``assertions`` (then substitute equalities;
    ``order``: ``iter_dag(assertions)`` when the caller has it)."""
    norm = _Normalizer(positions or {}).run(assertions, order=order)
    if substitute:
        norm.circuit, norm.aliases = substitute_equalities(norm.circuit)
        if norm.aliases:
            norm.stats["substituted"] = len(norm.aliases)
    return norm


def normalize_into(circuit: Circuit, assertions: list[Term], *,
                   positions: Optional[Mapping[Term, int]] = None) -> Optional[list[int]]:
    """Add integer ``assertions`` to ``circuit`` (a circuit of ``normalize(...,
    substitute=False)`` over integers): the literal of each, its roots untouched; the nodes
    it already has are shared.  None when a variable is Real (reals are scaled as a whole:
    normalize everything again).  The incremental solver's hook (``eagersmt/core/guarded.py``)."""
    return _Normalizer(positions or {}).run(assertions, into=circuit)


class NotDifference(UnsupportedError):
    """An atom outside difference logic (``compile.py`` hands such integer formulas to the
    linear normalizer, ``linear.py``)."""


class _Normalizer:
    def __init__(self, positions: Mapping[Term, int]):
        self.positions = positions

    def unsupported(self, atom: Term, why: str,
                    cls: type[UnsupportedError] = UnsupportedError) -> UnsupportedError:
        text = T.term_to_smtlib(atom)
        if len(text) > 120:
            text = text[:117] + "..."
        return cls(f"{why}: {text}", self.positions.get(atom))

    def run(self, assertions: list[Term], into: Optional[Circuit] = None,
            order: Optional[list[Term]] = None) -> Any:
        if order is None:
            order = iter_dag(assertions)
        sorts = {t.sort for t in order if t.op == T.VAR and t.sort != BOOL}
        if len(sorts) > 1:
            raise UnsupportedError("mixed integer and real variables are not supported")
        sort = REAL if REAL in sorts else INT
        if into is not None and sort == REAL:
            return None

        atoms, names, dens = self.forms(order)
        if into is not None:
            roots = into.roots
            self._circuit(assertions, order, atoms, INT, 1, None, into)
            added, into.roots = into.roots, roots
            return added
        if sort == INT:
            c = self._circuit(assertions, order, atoms, INT, 1, None)
            return Normalized(c, INT, 1, {"atoms": len(atoms), "int_vars": len(c.int_names) - 1},
                              forms=atoms)
        origins: dict[int, set[tuple[int, bool]]] = {}
        c = self._circuit(assertions, order, atoms, REAL, dens, origins)
        scale = dens
        if _strict_used(c, origins):
            scale = (len(names) + 2) * dens
            c = self._circuit(assertions, order, atoms, REAL, scale, None)
        return Normalized(c, REAL, scale, {"atoms": len(atoms), "int_vars": len(c.int_names) - 1,
                                           "real_scale": scale}, forms=atoms)

    def forms(self, order: list[Term]) -> tuple[dict[Term, list[tuple[tuple, tuple]]], set[str], int]:
        """Pass 1: the difference forms of the atoms in ``order`` (children before parents),
        the integer/real variable names they use and the common denominator of their
        constants.  A form is ``(guards, (p, m, q))``: under ``guards`` the atom says
        ``p - m rel q`` (``None`` = the zero variable), or ``(guards, (truth,))``."""
        cases: dict[Term, list[Case]] = {}
        atoms: dict[Term, list[tuple[tuple, tuple]]] = {}
        names: set[str] = set()
        dens = 1
        for t in order:
            op = t.op
            if t.sort != BOOL:
                cases[t] = self._cases(t, cases)
            elif op in (T.LE, T.LT, T.EQ):
                forms = []
                a, b = t.args
                for g, lin, k in _combine(cases[a], cases[b], -1):
                    form = self._difference(t, lin, k)
                    if len(form) == 3:
                        pv, mv, q = form
                        if pv is not None:
                            names.add(pv)
                        if mv is not None:
                            names.add(mv)
                        if isinstance(q, Fraction):
                            dens = math.lcm(dens, q.denominator)
                    forms.append((g, form))
                atoms[t] = forms
        return atoms, names, dens

    def _circuit(self, assertions: list[Term], order: list[Term], atoms: dict, sort: str,
                 scale: int, origins: Optional[dict[int, set[tuple[int, bool]]]],
                 c: Optional[Circuit] = None) -> Circuit:
        """Pass 2: the circuit (``origins`` records which real atom each predicate stands for;
        ``c``: a circuit to add to)."""
        c = Circuit() if c is None else c
        lit: dict[Term, int] = {}
        for t in order:
            if t.sort != BOOL:
                continue
            op = t.op
            if op == T.CONST:
                lit[t] = TRUE if t.val else FALSE
            elif op == T.VAR:
                lit[t] = c.bool_var(t.val)  # type: ignore[arg-type]
            elif op == T.NOT:
                lit[t] = -lit[t.args[0]]
            elif op == T.AND:
                lit[t] = c.and_([lit[a] for a in t.args])
            elif op == T.OR:
                lit[t] = c.or_([lit[a] for a in t.args])
            elif op == T.ITE:
                lit[t] = c.ite(lit[t.args[0]], lit[t.args[1]], lit[t.args[2]])
            elif op == T.IFF:
                lit[t] = c.iff(lit[t.args[0]], lit[t.args[1]])
            elif op in (T.LE, T.LT, T.EQ):
                forms = atoms[t]
                if len(forms) == 1 and not forms[0][0]:  # (the or of one and of one literal)
                    lit[t] = self._atom_lit(c, op, forms[0][1], sort, scale, origins)
                    continue
                alts = []
                for g, form in forms:
                    a = self._atom_lit(c, op, form, sort, scale, origins)
                    alts.append(c.and_([a] + [lit[gt] if pol else -lit[gt] for gt, pol in g]))
                lit[t] = c.or_(alts)
            else:
                raise self.unsupported(t, f"operator {op} in a Boolean position")
        c.roots = [lit[a] for a in assertions]
        return c

    def _cases(self, t: Term, cases: dict[Term, list[Case]]) -> list[Case]:
        op = t.op
        if op == T.CONST:
            return [((), {}, t.val)]
        if op == T.VAR:
            return [((), {t.val: 1}, 0)]  # type: ignore[dict-item]
        if op == T.MUL:
            k = t.val
            return [(g, {v: cf * k for v, cf in lin.items()}, c0 * k)  # type: ignore[operator]
                    for g, lin, c0 in cases[t.args[0]]]
        if op == T.ITE:
            # A case of a branch may already be guarded by the same condition (nested ite
            # over one condition): merged, and dropped when it contradicts the branch.  (A
            # guard tuple holding both (c, True) and (c, False) once turned into (c, True)
            # in ``_merge_guards``: a wrong case, caught by the model check; found by the
            # hypothesis RDL differential test.)
            cond = t.args[0]
            out = []
            for branch, pol in ((t.args[1], True), (t.args[2], False)):
                for g, lin, c0 in cases[branch]:
                    merged = _merge_guards(g, ((cond, pol),))
                    if merged is not None:
                        out.append((merged, lin, c0))
            return out
        if op == T.ADD:
            parts = [cases[a] for a in t.args]
            lin: dict[str, object] = {}
            k: object = 0
            for c in parts:  # no ite below: one case, summed in one loop
                if len(c) != 1 or c[0][0]:
                    break
                for v, cf in c[0][1].items():
                    lin[v] = lin.get(v, 0) + cf  # type: ignore[operator]
                k = k + c[0][2]  # type: ignore[operator]
            else:
                return [((), lin, k)]
            acc: list[Case] = [((), {}, 0)]
            for c in parts:
                acc = _combine(acc, c, 1)
            return acc
        raise self.unsupported(t, f"operator {op} in arithmetic")

    def _difference(self, atom: Term, lin: dict[str, object], k: object) -> tuple:
        """``lin + k rel 0`` as ``(p, m, q)``: ``p - m rel q`` (None = zero variable), or ``(bool,)``."""
        items = [(v, cf) for v, cf in lin.items() if cf != 0]
        op = atom.op
        if not items:
            holds = k <= 0 if op == T.LE else (k < 0 if op == T.LT else k == 0)  # type: ignore[operator]
            return (bool(holds),)
        if len(items) == 1:
            (v, a), = items
            p, m = (v, None) if a > 0 else (None, v)  # type: ignore[operator]
        elif len(items) == 2 and items[0][1] == -items[1][1]:  # type: ignore[operator]
            (v1, a), (v2, _) = items
            p, m = (v1, v2) if a > 0 else (v2, v1)  # type: ignore[operator]
        else:
            raise self.unsupported(atom, "not a difference constraint (over the reals, in the "
                                         "incremental solver and in the optimizer only "
                                         "x - y <= c and bounds are supported)", NotDifference)
        if type(k) is int and (a == 1 or a == -1):  # the common case: no Fraction to make
            return (p, m, -k)
        q = Fraction(-k) / abs(a)  # type: ignore[arg-type, operator]
        return (p, m, q)

    @staticmethod
    def _atom_lit(c: Circuit, op: str, form: tuple, sort: str, scale: int,
                  origins: Optional[dict[int, set[tuple[int, bool]]]] = None) -> int:
        if len(form) == 1:
            return TRUE if form[0] else FALSE
        p, m, q = form
        x = c.int_var(p) if p is not None else 0
        y = c.int_var(m) if m is not None else 0
        if sort == INT:
            if op == T.LE:
                return c.pred(x, y, math.floor(q))
            if op == T.LT:
                return c.pred(x, y, math.ceil(q) - 1)
            if q.denominator != 1:
                return FALSE
            return c.and_((c.pred(x, y, int(q)), c.pred(y, x, -int(q))))
        s = q * scale
        assert s.denominator == 1
        s = int(s)
        if op == T.EQ:
            lits = [(c.pred(x, y, s), False), (c.pred(y, x, -s), False)]
        else:
            lits = [(c.pred(x, y, s - 1 if op == T.LT else s), op == T.LT)]
        if origins is not None:
            for a, strict in lits:
                if abs(a) != TRUE:
                    origins.setdefault(abs(a), set()).add((1 if a > 0 else -1, strict))
        return lits[0][0] if len(lits) == 1 else c.and_(a for a, _ in lits)


def _strict_used(c: Circuit, origins: dict[int, set[tuple[int, bool]]]) -> bool:
    """Does some model rely on a strict real constraint (or an ambiguous predicate)?"""
    pol, _ = polarities(c)
    for node, orig in origins.items():
        if len(orig) > 1:
            return True
        (sign, strict), = orig
        true_strict = strict if sign > 0 else not strict  # the constraint "node is true" means
        if (pol[node] & POS and true_strict) or (pol[node] & NEG and not true_strict):
            return True
    return False


def _combine(xs: list[Case], ys: list[Case], sign: int) -> list[Case]:
    """The cases of ``x + sign * y``: every pair of compatible cases (guards merged; a pair
    whose guards contradict is dropped), in the order of ``xs`` then ``ys``."""
    if len(xs) == 1 and len(ys) == 1 and not xs[0][0] and not ys[0][0]:  # (no ite: one case)
        (_, l1, c1), (_, l2, c2) = xs[0], ys[0]
        lin = dict(l1)
        for v, cf in l2.items():
            lin[v] = lin.get(v, 0) + sign * cf  # type: ignore[operator]
        return [((), lin, c1 + sign * c2)]  # type: ignore[operator]
    out: list[Case] = []
    for g1, l1, c1 in xs:
        for g2, l2, c2 in ys:
            g = _merge_guards(g1, g2)
            if g is None:
                continue
            lin = dict(l1)
            for v, cf in l2.items():
                lin[v] = lin.get(v, 0) + sign * cf  # type: ignore[operator]
            out.append((g, lin, c1 + sign * c2))  # type: ignore[operator]
    return out


def _merge_guards(g1: tuple, g2: tuple) -> Optional[tuple]:
    if not g1:
        return g2
    if not g2:
        return g1
    pol = dict(g1)
    for t, b in g2:
        if pol.setdefault(t, b) != b:
            return None
    return tuple(pol.items())
