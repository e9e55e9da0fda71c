"""Where runs are stored: the processes the command line forks, the thread everywhere else."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from rflab.results import writers

FORKED = """
import os, sys
import numpy as np
from rflab.results import writers
from rflab.results.store import Store
assert writers.use_processes(2) and writers.use_processes(2)
pool = writers.executor()
assert pool.submit(os.getpid).result() != os.getpid()
store = Store(sys.argv[1])
run = pool.submit(store.put, "r1", "exp", 0, {"a": 1}, {"m": 2.0}, 0.5, {"x": np.arange(3.0)}).result()
found = store.get("r1")
assert run.metrics == {"m": 2.0} and found.config == {"a": 1}
assert np.load(found.path / "arrays.npz")["x"].tolist() == [0.0, 1.0, 2.0]
"""

PEAKS = """
from rflab.results import writers
assert writers.peak_bytes() == 0  # no processes yet
assert writers.use_processes(2)
before = writers.peak_bytes()
pool = writers.executor()
assert pool.submit(eval, "float(__import__('numpy').ones(2**24).sum())").result() == 2**24  # 128 MiB in a child
after = writers.peak_bytes()
assert 0 < before and before + 2**27 <= after < before + 2**30, (before, after)
"""

LATE = """
import jax.numpy as jnp
from rflab.results import writers
float(jnp.ones(2).sum())
assert not writers.use_processes(2) and writers.executor() is writers.THREAD
"""


def test_processes_forked_before_jax_runs_store_runs_the_store_then_finds(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-c", FORKED, str(tmp_path / "store")], check=True)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the peaks are read from /proc")
def test_the_peaks_of_the_storing_processes_count_what_a_child_allocated() -> None:
    """What ``reproduce`` adds to its own peak for the processes that store its runs."""
    subprocess.run([sys.executable, "-c", PEAKS], check=True)


def test_once_jax_runs_runs_stay_on_the_thread() -> None:
    """A fork of JAX's threads could deadlock a child that computes."""
    subprocess.run([sys.executable, "-c", LATE], check=True)


def test_one_writer_and_a_daemonic_process_keep_the_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Dask worker's process is daemonic and may not start children."""
    monkeypatch.setattr(writers, "_jax_started", lambda: False)
    assert not writers.use_processes(1) and writers.executor() is writers.THREAD
    monkeypatch.setattr(multiprocessing, "current_process", lambda: SimpleNamespace(daemon=True))
    assert not writers.use_processes(2) and writers.executor() is writers.THREAD
