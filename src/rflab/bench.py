"""Benchmark plumbing: timing helpers and the row format every file in ``benchmarks/`` returns.

A benchmark module ``benchmarks/bench_<name>.py`` defines ``run(quick: bool) -> list[Row]``;
``rflab bench <name>`` loads it from the checkout, runs it and prints the table. Speed is always a
ratio against a baseline measured in the same run, never an absolute number checked in a test.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from rflab.files import import_file


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
    return import_file(path)


def child(path: str, quick: bool) -> None:
    """Run one benchmark file in this process and print its rows and this process's peak memory as JSON
    (what ``measure`` runs in a subprocess per benchmark)."""
    import json
    import resource
    import sys

    from rflab.train import use_cpu_cores

    use_cpu_cores()
    rows = [r.as_dict() for r in load(Path(path)).run(quick=quick)]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mib = peak / 2**20 if sys.platform == "darwin" else peak / 1024
    print(json.dumps({"rows": rows, "peak_rss_mib": peak_mib, "machine": machine()}))


def machine() -> str:
    """The processor, its core count, the JAX version and backend (with the accelerator's name off the
    CPU) and the NumPy version a benchmark ran on, in one line."""
    import os
    import platform

    import jax
    import numpy as np

    cpuinfo = Path("/proc/cpuinfo")
    names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
             if line.startswith("model name")] if cpuinfo.exists() else []
    cpu = names[0] if names else platform.processor() or platform.machine()
    backend = jax.default_backend()
    if backend != "cpu":
        backend += f" ({jax.local_device_count()} x {jax.local_devices()[0].device_kind})"
    return f"{cpu}, {os.cpu_count()} CPUs, JAX {jax.__version__} on {backend}, NumPy {np.__version__}"


def measure(path: Path, quick: bool) -> dict[str, Any]:
    """Run one benchmark file in a fresh Python process: its rows, peak resident memory and wall time
    (a subprocess, so each benchmark's peak is its own and XLA's memory is counted)."""
    import json
    import subprocess
    import sys

    start = time.perf_counter()
    code = f"from rflab.bench import child; child({str(path)!r}, {quick!r})"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"benchmark {path.name} failed (exit {done.returncode}): {tail[0]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result | {"seconds": time.perf_counter() - start}


def _figure(x: float, digits: int = 3) -> str:
    """``digits`` significant figures, without an exponent (1110, not 1.11e+03)."""
    return f"{x:.{digits}g}" if x < 10 ** digits else f"{x:.0f}"


def markdown(results: dict[str, dict[str, Any]], quick: bool) -> str:
    """One Markdown table over every benchmark: case, rflab's time, the baseline and its time, the
    ratio, and the benchmark process's peak memory; each row's note below the table."""
    lines = ["| # | benchmark | case | rflab | baseline | baseline time | ratio | peak memory |",
             "|---|---|---|---|---|---|---|---|"]
    notes = []
    for name, result in results.items():
        for r in result["rows"]:
            notes.append(r.get("note", ""))
            lines.append(f"| {len(notes)} | {name} | {r['case']} | {_figure(r['seconds'])} s | {r['baseline']} | "
                         f"{_figure(r['baseline_seconds'])} s | {_figure(r['ratio'], 2)}x | "
                         f"{result['peak_rss_mib']:.0f} MiB |")
    scale = " (`--quick` sizes)" if quick else ""
    lines.append("")
    lines += [f"{i}. {note}" for i, note in enumerate(notes, 1) if note]
    lines.append("")
    machines = sorted({result.get("machine", "not recorded") for result in results.values()})
    lines.append(f"Written by `rflab bench --readme docs/performance.md`{scale} on {'; '.join(machines)}; peak memory "
                 "is the resident peak of the process that ran the benchmark file (each in its own process).")
    return "\n".join(lines)
