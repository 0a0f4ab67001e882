"""Equality substitution on the circuit: top-level ``x - y = c`` removes ``x``.

When both ``x - y <= c`` and ``y - x <= -c`` are top-level facts, every model has
``x = y + c``; ``x`` is replaced by ``y + c`` in every predicate (``x - z <= k`` becomes
``y - z <= k - c``), which removes a variable and turns the two facts into ``true``.
Chains are resolved with a union–find that carries offsets (representative ``r``,
``x = r + off(x)``; the zero variable always represents its class, so ``x = 5`` makes
``x`` a constant).  Two different offsets for the same pair make the formula unsat.
The inverse: ``aliases`` maps each removed name to ``(representative, offset)`` and
``Normalized.decode`` applies it.  Cost: one pass over the circuit; run when at least one
such equality exists.
"""

from __future__ import annotations

from .circuit import FALSE, K_AND, K_BVAR, K_IFF, K_ITE, K_PRED, TRUE, Circuit


def substitute_equalities(c: Circuit) -> tuple[Circuit, dict[str, tuple[str, int]]]:
    units = set(c.unit_preds())
    parent: dict[int, tuple[int, int]] = {}  # x -> (parent, offset): x = parent + offset

    def find(x: int) -> tuple[int, int]:
        off = 0
        path = []
        while x in parent:
            p, o = parent[x]
            path.append((x, off))
            off += o
            x = p
        for y, o in path:  # compress: y = root + (off - o_y_before)
            parent[y] = (x, off - o)
        return x, off

    conflict = False
    for x, y, k in units:
        if (y, x, -k) not in units or x > y:
            continue
        # x - y = k
        rx, ox = find(x)
        ry, oy = find(y)
        if rx == ry:
            conflict |= ox - oy != k
            continue
        # x = rx + ox, y = ry + oy, x = y + k  =>  rx = ry + (oy + k - ox)  (or the reverse)
        if rx == 0 or (ry != 0 and rx < ry):
            parent[ry] = (rx, ox - oy - k)
        else:
            parent[rx] = (ry, oy + k - ox)
    if not parent:
        return c, {}

    new = Circuit()
    rep: dict[int, tuple[int, int]] = {}
    for i in range(len(c.int_names)):
        r, o = find(i)
        rep[i] = (0 if r == 0 else new.int_var(c.int_names[r]), o)
    m = [0, TRUE]
    for n in range(2, len(c.kind)):
        k, a = c.kind[n], c.args[n]

        def L(lit: int) -> int:
            return m[lit] if lit > 0 else -m[-lit]

        if k == K_PRED:
            (rx, ox), (ry, oy) = rep[a[0]], rep[a[1]]
            m.append(new.pred(rx, ry, a[2] - ox + oy))
        elif k == K_BVAR:
            m.append(new.bool_var(a[0]))
        elif k == K_AND:
            m.append(new.and_([L(x) for x in a]))
        elif k == K_ITE:
            m.append(new.ite(L(a[0]), L(a[1]), L(a[2])))
        elif k == K_IFF:
            m.append(new.iff(L(a[0]), L(a[1])))
        else:  # pragma: no cover
            raise AssertionError(f"unknown node kind {k}")
    new.roots = [FALSE] if conflict else [L(r) for r in c.roots]
    aliases = {c.int_names[i]: (c.int_names[i_r] if i_r != 0 else "0", o)
               for i in range(1, len(c.int_names)) for i_r, o in [find(i)] if i in parent}
    return new, aliases
