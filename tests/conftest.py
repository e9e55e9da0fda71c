"""Shared test helpers: the benchmarks folder on the path (for the NumPy reference), a quiet cache, the
CLI run in this process, and the memory Python allocates while a call runs."""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

Cli = Callable[[list[str]], tuple[int, str, str]]
T = TypeVar("T")
WORKER_MEMORY = 2 * 2**30  # a test worker with JAX, matplotlib and a tiny run loaded, with room


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` (pyproject's addopts): a worker per CPU this process may use (logical ones: a 2-vCPU
    machine may count one physical core), no more than the memory holds."""
    import os

    import psutil

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cpus, psutil.virtual_memory().available // WORKER_MEMORY))


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the CLI's XLA cache and default store out of the user's home and the checkout, and its runs
    stored on its own thread (``$RFLAB_WRITERS``), where this process's patches reach the drawing and
    the test workers already keep every core busy; ``test_cli`` checks the storing processes."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.setenv("RFLAB_WRITERS", "1")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """``rflab ARGS`` run in this process (fast for input errors): exit status, stdout, stderr."""
    from rflab.cli import main

    def run(args: list[str]) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["rflab", *args])
        with pytest.raises(SystemExit) as stop:
            main()
        captured = capsys.readouterr()
        return int(stop.value.code or 0), captured.out, captured.err

    return run


def traced_peak(call: Callable[[], T]) -> tuple[T, int]:
    """``call()`` and the most bytes Python's allocators held for it at once while it ran (tracemalloc)."""
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
