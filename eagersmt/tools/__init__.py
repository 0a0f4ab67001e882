"""Tooling around eagersmt, off the solving path: nothing under ``eagersmt`` but the
commands that run it (``cli/bench.py``, ``cli/fuzz.py``, inside the command) imports it.

``bench`` compares eagersmt with its peers (``eagersmt bench``); ``fuzz`` is the
differential campaign against Z3 and the bad-input fuzzer (``eagersmt fuzz``,
``eagersmt fuzz-input``); ``ray_head`` starts a private Ray head for the Ray tests and
``benchmarks/bench_ray.py``.  ``tests/test_tools.py`` checks that ``eagersmt solve`` loads
none of it.
"""
