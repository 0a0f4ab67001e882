#!/usr/bin/env python3
"""For Z3 users: build the problem with z3py, hand it to eagersmt, minimize.

Same three tasks as pysmt_example.py, with a makespan to minimize (optimum 9).
eagersmt reads Z3's own SMT-LIB rendering of the assertions (``Solver.add_z3``, or
``eagersmt.interop.z3.from_z3`` for the text), so any z3py formula in difference logic works.
"""

import z3

import eagersmt

dur = {"a": 3, "b": 2, "c": 4}
s = {t: z3.Int(f"start_{t}") for t in dur}
makespan = z3.Int("makespan")
constraints = [s[t] >= 0 for t in dur]
constraints += [makespan - s[t] >= d for t, d in dur.items()]
constraints.append(s["b"] - s["a"] >= dur["a"])  # b after a
for x, y in (("a", "b"), ("a", "c"), ("b", "c")):  # one machine: no overlap
    constraints.append(z3.Or(s[y] - s[x] >= dur[x], s[x] - s[y] >= dur[y]))

solver = eagersmt.Solver()
solver.add_z3(constraints)  # a z3.Solver or z3.Optimize works too (its assertions)
opt = solver.minimize("makespan")  # a name, SMT-LIB text, or an eagersmt term
m = solver.model()
print(f"optimum makespan {opt.value} (proven: {opt.proven})")
print("schedule:", {t: m[f"start_{t}"] for t in dur})

# The same answer from Z3's own optimizer, for comparison:
o = z3.Optimize()
o.add(constraints)
o.minimize(makespan)
assert o.check() == z3.sat and o.model()[makespan].as_long() == opt.value
print("z3 agrees:", o.model()[makespan])
