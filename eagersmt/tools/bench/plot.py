"""Cactus plot of a benchmark run as a PNG (matplotlib, Agg canvas: no display, no pyplot).

One series per solver (and a dashed one for the virtual best): the k-th point is the time of
its k-th fastest solved instance, so a curve further right solves more and a lower one is
faster.  Wrong answers are not solved.  Cost: well under a second.
"""

from __future__ import annotations

from typing import Sequence

from .report import VBS, Row, solved, virtual_best


def cactus(rows: Sequence[Row], limit: float, path: str, solvers: Sequence[str] = (),
           title: str = "") -> list[str]:
    """Draw the cactus plot into ``path``; returns the series labels, as drawn."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    solvers = list(solvers) or list(dict.fromkeys(r.solver for r in rows))
    n = len({r.instance for r in rows})
    fig = Figure(figsize=(8, 5), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    series = {s: sorted(r.seconds for r in rows if r.solver == s and solved(r, limit))
              for s in solvers}
    series[VBS] = sorted(r.seconds for r in virtual_best(rows, limit).values())
    floor = 1e-3
    for name, times in series.items():
        style = {"linestyle": "--", "color": "black", "linewidth": 1} if name == VBS else {}
        ax.plot(range(1, len(times) + 1), [max(t, floor) for t in times], marker=".",
                label=name, **style)
    ax.axhline(limit, color="grey", linewidth=0.8, linestyle=":")
    ax.set_yscale("log")
    ax.set_xlim(0, max(n, 1) + 0.5)
    ax.set_xlabel(f"instances solved (of {n})")
    ax.set_ylabel(f"wall seconds per instance (limit {limit:g} s)")
    ax.set_title(title or "eagersmt bench: cactus plot")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, format="png")
    return [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
