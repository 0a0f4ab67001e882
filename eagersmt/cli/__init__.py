"""The ``eagersmt`` command line: ``main.py`` (the console script), ``commands.py`` (click)."""

import time

STARTED = time.perf_counter()  # when the command started: optimize's --timeout counts from here
