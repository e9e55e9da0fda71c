"""Benchmark plumbing: timing helpers and the row format every file in ``benchmarks/`` returns.

A benchmark module ``benchmarks/bench_<name>.py`` defines ``run(quick: bool) -> list[Row]``;
``rflab bench <name>`` loads it from the checkout, runs it and prints the table. Speed is always a
ratio against a baseline measured in the same run, never an absolute number checked in a test.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any


@dataclass(frozen=True)
class Row:
    """One comparison: our time and the baseline's for the same work; ratio = baseline / ours."""

    case: str
    seconds: float
    baseline: str
    baseline_seconds: float
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.baseline_seconds / self.seconds

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"ratio": self.ratio}


def best_of(fn: Callable[[], Any], repeat: int = 3) -> float:
    """Smallest wall time of ``repeat`` calls of ``fn`` (which must block until done)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def find(root: Path) -> dict[str, Path]:
    """Benchmark files under ``root/benchmarks`` by name (``bench_dipole_3d.py`` -> dipole-3d)."""
    folder = root / "benchmarks"
    return {p.stem[len("bench_"):].replace("_", "-"): p for p in sorted(folder.glob("bench_*.py"))}


def load(path: Path) -> ModuleType:
    """Import a benchmark file by path (the benchmarks folder is not part of the package)."""
    import sys

    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
