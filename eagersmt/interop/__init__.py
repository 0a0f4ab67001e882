"""Bridges to other Python SMT front ends: pysmt (``interop.pysmt``) and Z3 (``interop.z3``).

Neither is imported by ``import eagersmt``; each module imports its library when used.
"""
