"""Fuzzing eagersmt: a differential campaign against Z3, and mutated (bad) input.

``generate.py`` random scripts of several shapes; ``campaign.py`` runs them through every
encoding × back end × mode and Z3; ``minimize.py`` shrinks a failing script; ``mutate.py``
and ``inputs.py`` feed mutated files through the ``solve`` command path.  The commands are
``eagersmt fuzz`` and ``eagersmt fuzz-input`` (``eagersmt/cli/fuzz.py``).
"""
