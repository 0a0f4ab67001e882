"""Random SMT-LIB formulas for differential tests (hypothesis strategies)."""

from __future__ import annotations

from hypothesis import strategies as st

INT_OPS = ["<", "<=", "=", ">=", ">", "distinct"]


@st.composite
def idl_script(draw, max_vars: int = 4, real: bool = False, big_constants: bool = True) -> str:
    """A QF_IDL (or QF_RDL) script with Boolean structure, lets, ite and odd constants."""
    n = draw(st.integers(2, max_vars))
    nb = draw(st.integers(0, 2))
    xs = [f"x{i}" for i in range(n)]
    bs = [f"b{i}" for i in range(nb)]
    big = big_constants and draw(st.booleans())
    sort = "Real" if real else "Int"

    def const() -> str:
        if big and draw(st.booleans()):
            v = draw(st.integers(-10**6, 10**6))
        else:
            v = draw(st.integers(-6, 6))
        if real and draw(st.integers(0, 3)) == 0:
            d = draw(st.integers(2, 4))
            return f"(/ {v} {d})" if v >= 0 else f"(- (/ {-v} {d}))"
        return str(v) if v >= 0 else f"(- {-v})"

    def var() -> str:
        return draw(st.sampled_from(xs))

    def unit(depth: int) -> str:
        """A term with at most one variable (so any two of them differ by a difference)."""
        k = draw(st.integers(0, 4 if depth > 0 and bs else 3))
        if k == 0:
            return var()
        if k == 1:
            return f"(+ {var()} {const()})"
        if k == 2:
            return f"(- {var()} {const()})"
        if k == 3:
            return const()
        return f"(ite {boolean(depth - 1)} {unit(depth - 1)} {unit(depth - 1)})"

    def atom(depth: int) -> str:
        op = draw(st.sampled_from(INT_OPS))
        if op == "distinct":
            k = draw(st.integers(2, 3))
            return "(distinct " + " ".join(unit(depth) for _ in range(k)) + ")"
        if draw(st.booleans()):
            return f"({op} {unit(depth)} {unit(depth)})"
        diff = f"(- {var()} {var()} {const()})" if draw(st.booleans()) else f"(- {var()} {var()})"
        if draw(st.booleans()):
            return f"({op} {diff} {const()})"
        return f"({op} {const()} {diff})"

    pool: list[str] = []  # earlier subformulas, reused to make shared DAGs like fuzzsmt's

    def boolean(depth: int) -> str:
        if pool and draw(st.integers(0, 3)) == 0:
            return draw(st.sampled_from(pool))
        out = fresh_boolean(depth)
        pool.append(out)
        return out

    def fresh_boolean(depth: int) -> str:
        if depth <= 0:
            if bs and draw(st.integers(0, 4)) == 0:
                return draw(st.sampled_from(bs))
            return atom(0)
        k = draw(st.integers(0, 7))
        if k <= 1:
            return atom(depth)
        if k == 2:
            return f"(not {boolean(depth - 1)})"
        if k == 3:
            return f"(and {boolean(depth - 1)} {boolean(depth - 1)})"
        if k == 4:
            return f"(or {boolean(depth - 1)} {boolean(depth - 1)} {boolean(depth - 1)})"
        if k == 5:
            return f"({draw(st.sampled_from(['=>', 'xor', '=']))} {boolean(depth - 1)} {boolean(depth - 1)})"
        if k == 6:
            return f"(ite {boolean(depth - 1)} {boolean(depth - 1)} {boolean(depth - 1)})"
        name = f"l{draw(st.integers(0, 10**6))}"
        return f"(let (({name} {boolean(depth - 1)})) (and {name} (or {name} {boolean(depth - 1)})))"

    lines = [f"(set-logic {'QF_LRA' if real else 'QF_LIA'})"]  # Z3 rejects some IDL sugar under QF_IDL
    lines += [f"(declare-fun {x} () {sort})" for x in xs]
    lines += [f"(declare-fun {b} () Bool)" for b in bs]
    for _ in range(draw(st.integers(1, 4))):
        lines.append(f"(assert {boolean(draw(st.integers(0, 3)))})")
    lines.append("(check-sat)")
    return "\n".join(lines)
