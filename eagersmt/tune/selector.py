"""A learnt strategy as data: a decision tree over the features, evaluated in a few lines.

The strategy file (JSON, written by ``eagersmt tune``) holds::

    {"format": "eagersmt-strategy", "version": 1,
     "features": [...],                     # FEATURES, in order, as when it was learnt
     "strategies": {"auto": {}, "z3": {"lazy": "z3"}, ...},   # name -> overrides
     "nodes": [{"feature": "linear_atoms", "threshold": 6.5, "le": 1, "gt": 2},
               {"strategy": "auto", "files": 7, "par2": {"auto": 3.1, ...}}, ...],
     "trained": {...}}                      # what it was learnt from (for people)

Node 0 is the root; an inner node sends a vector to ``le`` when its feature is at most the
threshold, else to ``gt`` (children come after their parent: no cycle); a leaf names a
strategy, with the training files that reached it and their PAR-2 per strategy (the "why"
``--stats`` shows).  Evaluating it needs no learning library: ``solve`` never imports one.

``resolve`` turns what ``--strategy`` / ``Config(strategy=...)`` / ``$EAGERSMT_STRATEGY``
names into a ``Selector``: a name of the space (``space.SPACE``) is that strategy for every
query; anything else is a strategy file, read once per process (a file that cannot be read,
is not JSON, is of another format or version, or is inconsistent is an ``InputError``).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

from ..config import STRATEGY_ENV, Config
from ..errors import InputError
from ..result import Stats
from .features import FEATURES, features
from .space import SPACE, check_overrides, configure

if TYPE_CHECKING:
    from ..ir.normalize import Normalized
    from ..ir.terms import Term

FORMAT, VERSION = "eagersmt-strategy", 1


@dataclass(frozen=True)
class Selector:
    """A decision tree over ``features`` whose leaves name ``strategies`` (module doc)."""

    features: tuple[str, ...]
    strategies: dict[str, dict[str, str]]
    nodes: list[dict[str, Any]]
    trained: dict[str, Any] = field(default_factory=dict)

    def pick(self, vector: Mapping[str, float]) -> tuple[str, str]:
        """The strategy for ``vector`` and why: the rule's tests, and what the training
        runs at its leaf measured."""
        i, tests = 0, []
        while "strategy" not in self.nodes[i]:
            n = self.nodes[i]
            le = vector[n["feature"]] <= n["threshold"]
            tests.append(f"{n['feature']} {'<=' if le else '>'} {n['threshold']:g}")
            i = n["le"] if le else n["gt"]
        leaf = self.nodes[i]
        name = leaf["strategy"]
        why = " and ".join(tests) or ("named" if len(self.nodes) == 1 else "always")
        par2 = leaf.get("par2") or {}
        if par2:
            runs = ", ".join(f"{k} {v:.3g}" for k, v in sorted(par2.items(), key=lambda kv:
                                                              kv[1])[:3])
            why += f" (training PAR-2 s over {leaf.get('files', 0)} files: {runs})"
        return name, why

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": VERSION, "features": list(self.features),
                "strategies": self.strategies, "nodes": self.nodes, "trained": self.trained}


def constant(name: str) -> Selector:
    """The selector that picks strategy ``name`` of the space for every vector."""
    return Selector(FEATURES, {name: SPACE[name]}, [{"strategy": name}])


def from_json(data: Any) -> Selector:
    """A selector from a strategy file's content (``ValueError`` saying what is wrong)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a strategy file (no \"format\": \"{FORMAT}\")")
    if data.get("version") != VERSION:
        raise ValueError(f"version {data.get('version')!r}, this eagersmt reads version "
                         f"{VERSION}: learn it again with 'eagersmt tune'")
    if tuple(data.get("features") or ()) != FEATURES:
        raise ValueError("learnt on other features than this eagersmt computes: learn it "
                         "again with 'eagersmt tune'")
    strategies = data.get("strategies")
    nodes = data.get("nodes")
    if not isinstance(strategies, dict) or not isinstance(nodes, list) or not nodes:
        raise ValueError("'strategies' must be an object and 'nodes' a non-empty list")
    checked = {str(k): check_overrides(v) for k, v in strategies.items()}
    for i, n in enumerate(nodes):
        if not isinstance(n, dict):
            raise ValueError(f"node {i} is not an object")
        if "strategy" in n:
            if n["strategy"] not in checked:
                raise ValueError(f"node {i} names strategy {n['strategy']!r}, not in "
                                 "'strategies'")
            continue
        ok = (n.get("feature") in FEATURES and isinstance(n.get("threshold"), (int, float))
              and all(isinstance(n.get(k), int) and i < n[k] < len(nodes)
                      for k in ("le", "gt")))
        if not ok:
            raise ValueError(f"node {i} is neither a leaf nor a test (feature, threshold, "
                             "le and gt: later nodes)")
    trained = data.get("trained") or {}
    return Selector(FEATURES, checked, nodes, trained if isinstance(trained, dict) else {})


_LOADED: dict[tuple[str, float], Selector] = {}


def load(path: str) -> Selector:
    """The selector in the strategy file ``path`` (``InputError`` naming it if unusable);
    read once per process and modification time."""
    try:
        key = (os.path.abspath(path), os.stat(path).st_mtime)
        if key not in _LOADED:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            _LOADED[key] = from_json(json.loads(text))
    except OSError as e:
        raise InputError(f"strategy file: {e.strerror} (nor is it a strategy of the space: "
                         f"{', '.join(SPACE)})", filename=path) from None
    except (ValueError, UnicodeDecodeError) as e:  # (json's errors are ValueErrors)
        raise InputError(f"strategy file: {e}", filename=path) from None
    return _LOADED[key]


def save(selector: Selector, path: str) -> None:
    """Write ``selector`` as a strategy file (to a temporary name, then renamed)."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(selector.to_json(), f, indent=1, sort_keys=False)
        f.write("\n")
    os.replace(tmp, path)


def resolve(source: str) -> Selector:
    """What ``--strategy`` names: a strategy of the space, else a strategy file."""
    return constant(source) if source in SPACE else load(source)


def select(config: Config, norm: "Normalized", assertions: Sequence["Term"],
           logic: Optional[str], stats: Stats, *,
           certified: bool = False) -> tuple[Config, Optional[str]]:
    """``config`` with the options of the strategy its ``strategy`` (else ``$EAGERSMT_STRATEGY``)
    picks for these assertions, and the lazy solver it hands them to (None: eager).  No
    strategy named: ``config`` unchanged.  A certificate (``certified``) is never asked of a
    lazy solver: the query then stays eager, with ``auto``'s options.  ``stats`` notes
    which strategy and why (``strategy``)."""
    source = config.strategy or os.environ.get(STRATEGY_ENV) or None
    if source is None:
        return config, None
    selector = resolve(source)
    t0 = time.perf_counter()
    one = len(selector.nodes) == 1  # (a single leaf needs no features)
    name, why = selector.pick({} if one else features(norm, assertions, logic))
    stats.add_time("features", time.perf_counter() - t0)
    overrides = selector.strategies[name]
    lazy = overrides.get("lazy")
    if lazy is not None and certified:
        stats.notes["strategy"] = f"auto, not {name}: a certificate is asked for ({why})"
        return config, None
    stats.notes["strategy"] = f"{name}: {why}"
    return configure(config, overrides), lazy


__all__ = ["FORMAT", "VERSION", "Selector", "constant", "from_json", "load", "resolve",
           "save", "select"]
