"""The walk of one ``check-sat``: how deep and how wide the path to the first SAT call is.

Runs ``eagersmt.api.solve_file`` on ``examples/jobshop_3x3.smt2`` (lemma store off, imports
done by a first run) and stops at the first SAT call (``PysatSolver.solve``, monkeypatched).
Prints: the eagersmt frames on the stack at that call, the distinct eagersmt modules whose
functions ran on the way (a profile hook's call events; the whole run, and from the
``check-sat`` command on), and how many calls entered the stack's module (``context.py``)
from the ``check-sat`` command on.  A structural measure, not a
timing: run it before and after a change of the pipeline's layout.

    PYTHONPATH=. python benchmarks/walk_check_sat.py [FILE]
"""

from __future__ import annotations

import collections
import inspect
import os
import sys

import eagersmt
from eagersmt.api import solve_file
from eagersmt.backends.pysat import PysatSolver
from eagersmt.config import Config

ROOT = os.path.dirname(os.path.abspath(eagersmt.__file__))


class FirstCall(Exception):
    """Raised by the patched SAT call: the walk ends there."""


def module_of(filename: str) -> str | None:
    path = os.path.abspath(filename)
    if not path.startswith(ROOT + os.sep):
        return None
    rel = os.path.relpath(path, os.path.dirname(ROOT))
    return rel[:-3].replace(os.sep, ".") if rel.endswith(".py") else rel


def walk(path: str) -> tuple[list[str], collections.Counter, collections.Counter]:
    config = Config(memo="off")
    solve_file(path, config=config)  # imports and registries loaded: the walk sees calls only
    original = PysatSolver.solve
    stack: list[str] = []

    def first(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        frames = inspect.stack()[1:]
        stack.extend(f"{m}:{f.function}" for f in frames
                     if (m := module_of(f.filename)) is not None)
        raise FirstCall

    entered: collections.Counter = collections.Counter()  # the whole run
    in_check: collections.Counter = collections.Counter()  # from the check-sat command on

    def profile(frame, event, arg):  # type: ignore[no-untyped-def]
        if event == "call" and frame.f_code.co_name != "<module>":
            m = module_of(frame.f_code.co_filename)
            if m is not None:
                entered[m] += 1
                if in_check or (m == "eagersmt.session" and frame.f_code.co_name == "_check_sat"):
                    in_check[m] += 1

    PysatSolver.solve = first  # type: ignore[method-assign]
    sys.setprofile(profile)
    try:
        solve_file(path, config=config)
    except FirstCall:
        pass
    finally:
        sys.setprofile(None)
        PysatSolver.solve = original  # type: ignore[method-assign]
    return stack, entered, in_check


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(ROOT), "examples", "jobshop_3x3.smt2")
    stack, entered, in_check = walk(path)
    if not stack:
        sys.exit("no SAT call was made")
    print(f"frames (eagersmt) at the first SAT call: {len(stack)}")
    print(f"  modules on the stack: {len({s.split(':')[0] for s in stack})}")
    print(f"modules whose functions ran on the way: {len(entered)} (parsing included); "
          f"from the check-sat command on: {len(in_check)}")
    print(f"  calls from the check-sat command on: {sum(in_check.values())}")
    for m in ("eagersmt.context", "eagersmt.engine", "eagersmt.core.decide"):
        if m in in_check:
            print(f"  calls into {m} from the check-sat command on: {in_check[m]}")
    print("  modules from the check-sat command on: " + " ".join(sorted(in_check)))
    print("stack, innermost last:")
    for m in reversed(stack):
        print(f"  {m}")


if __name__ == "__main__":
    main()
