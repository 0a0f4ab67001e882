"""Reproduce the fuzzing runs recorded in ``benchmarks/RESULTS.md``, "Fuzzing".

    python benchmarks/fuzz_campaign.py            # both runs, as recorded (their times: RESULTS.md)
    python benchmarks/fuzz_campaign.py --quick    # 2,000 cases and 300 mutants
    python benchmarks/fuzz_campaign.py --integers # the integer campaign (resumable: rerun it)

It only runs the two commands (one process each, one after the other) and passes their
exit codes on:

    eagersmt fuzz --cases 100000 --seed 2026 --out fuzz-findings --progress-every 5000
    eagersmt fuzz-input --mutations 1500 --seed 2026 --out fuzz-input-findings --subprocess 50

The integer campaign (QF_LIA / QF_UFLIA / QF_UFIDL / QF_UF scripts: sums with coefficients,
div/mod/abs, ite, distinct, functions, push/pop) is one command, resumable: rerun it and
it continues after the last case its tally records (one JSON line of running totals per
1,000 cases):

    eagersmt fuzz --family integers --cases 100000 --seed 2026 --rotate 0 \
        --tally integer-campaign.jsonl --progress-every 1000 --out fuzz-findings-integers

The campaign is deterministic in its cases (case i is a function of the seed and i, for
one version of the generator: it has nested ites since the recorded runs, so today's cases
differ from theirs); the answers of the racing back ends (portfolio, cube workers) and the
timings are not.
"""

from __future__ import annotations

import os
import subprocess
import sys

os.environ["EAGERSMT_MEMO"] = "off"  # solving is measured, not the lemma store (bench_memo*.py)


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    cases, mutants = ("2000", "300") if quick else ("100000", "1500")
    cli = [sys.executable, "-m", "eagersmt.cli.main"]
    if "--integers" in sys.argv[1:]:
        return subprocess.call(cli + [
            "fuzz", "--family", "integers", "--cases", cases, "--seed", "2026", "--rotate", "0",
            "--tally", "integer-campaign.jsonl", "--progress-every", "1000",
            "--out", "fuzz-findings-integers"])
    runs = [
        cli + ["fuzz", "--cases", cases, "--seed", "2026", "--out", "fuzz-findings",
               "--progress-every", "5000"],
        cli + ["fuzz-input", "--mutations", mutants, "--seed", "2026", "--out",
               "fuzz-input-findings", "--subprocess", "50"],
    ]
    worst = 0
    for cmd in runs:
        print("$ eagersmt", " ".join(cmd[3:]), flush=True)
        worst = max(worst, subprocess.call(cmd))
    return worst


if __name__ == "__main__":
    sys.exit(main())
