"""Fuzzing eagersmt: a differential campaign against Z3, and mutated (bad) input.

``generate.py`` random scripts of several shapes (its term builder also feeds the
hypothesis tests); ``campaign.py`` runs them through every encoding × back end × mode and
Z3; ``minimize.py`` shrinks a failing script; ``mutate.py`` and ``inputs.py`` feed mutated
files through the ``solve`` command path; ``oracle.py`` is Z3 as referee and a watchdog.
The commands are ``eagersmt fuzz`` and ``eagersmt fuzz-input`` (``eagersmt/cli/fuzz.py``).
"""
