#!/usr/bin/env python3
"""Run the ``eagersmt`` CLI of another checkout with this environment's packages.

A same-run baseline for ``eagersmt bench``: the editable install of this checkout puts an
import hook in front of ``sys.path``; this script drops it and imports ``eagersmt`` from
CHECKOUT instead.  Usage (CHECKOUT, then the usual arguments)::

    eagersmt bench ... --solver 'cmd:eagersmt-base=python benchmarks/run_checkout.py /tmp/base solve {file}'
"""

import sys

if __name__ == "__main__":
    checkout = sys.argv.pop(1)
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
    sys.path.insert(0, checkout)
    from eagersmt.cli.main import main

    sys.argv[0] = "eagersmt"
    main()
