"""Strategies learnt from runs: features of an instance (``features.py``), the space of
strategies (``space.py``), the lazy hand-off to Z3 or Yices (``lazy.py``), the learnt
selector as data and its use by ``solve`` (``selector.py``), and the search that learns it
(``runs.py``: the runs table; ``evaluate.py``: the evaluations, on local processes or on a
Ray cluster with ``ray_runs.py``; ``fit.py``: the learning, the only module that imports
scikit-learn).
"""
