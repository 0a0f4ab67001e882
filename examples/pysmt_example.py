#!/usr/bin/env python3
"""eagersmt as a pysmt solver: register once, then use pysmt's own shortcuts.

Three tasks a, b, c on one machine (durations 3, 2, 4), each after time 0; b must follow a.
Is there a schedule finishing by 9?  By 8?  (9: yes; 8: no, the work alone takes 9.)
"""

from pysmt.shortcuts import GE, LE, And, Int, Minus, Or, Solver, Symbol, get_model, is_sat
from pysmt.typing import INT

import eagersmt.interop.pysmt

eagersmt.interop.pysmt.register()  # "eagersmt" becomes a pysmt solver name

dur = {"a": 3, "b": 2, "c": 4}
s = {t: Symbol(f"start_{t}", INT) for t in dur}


def schedule(horizon: int):
    parts = [GE(s[t], Int(0)) for t in dur]
    parts += [LE(s[t], Int(horizon - d)) for t, d in dur.items()]
    parts.append(GE(Minus(s["b"], s["a"]), Int(dur["a"])))  # b after a
    for x, y in (("a", "b"), ("a", "c"), ("b", "c")):  # one machine: no overlap
        parts.append(Or(GE(Minus(s[y], s[x]), Int(dur[x])), GE(Minus(s[x], s[y]), Int(dur[y]))))
    return And(parts)


print("finish by 9:", is_sat(schedule(9), solver_name="eagersmt"))
print("finish by 8:", is_sat(schedule(8), solver_name="eagersmt"))
m = get_model(schedule(9), solver_name="eagersmt")
print("schedule:", {t: m.get_py_value(s[t]) for t in dur})

with Solver(name="eagersmt", logic="QF_IDL") as solver:  # incremental use
    solver.add_assertion(schedule(9))
    solver.push()
    solver.add_assertion(LE(s["c"], Int(0)))  # c first?
    print("c first:", solver.solve(), "c starts at", solver.get_py_value(s["c"]))
    solver.pop()
