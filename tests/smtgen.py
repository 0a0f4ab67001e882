"""Random SMT-LIB formulas for differential tests: the fuzzer's generator
(``eagersmt.tools.fuzz.generate.formula_script``) driven by hypothesis's random source, so
a failing formula shrinks like any hypothesis example."""

from __future__ import annotations

from hypothesis import strategies as st

from eagersmt.tools.fuzz.generate import formula_script


@st.composite
def idl_script(draw, max_vars: int = 4, real: bool = False, big_constants: bool = True) -> str:
    """A QF_LIA (QF_LRA with ``real``) script in difference form: Boolean structure, lets,
    ite (nested over one condition too) and, with ``big_constants``, constants up to 10^6
    in half the scripts."""
    rng = draw(st.randoms(use_true_random=False))
    return formula_script(rng, real=real, max_vars=max_vars,
                          big=big_constants and rng.random() < 0.5)


def numeral(k: int) -> str:
    """``k`` as an SMT-LIB integer term (a negative one as ``(- n)``)."""
    return str(k) if k >= 0 else f"(- {-k})"
