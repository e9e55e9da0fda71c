"""Several processes writing one store at once (a sweep on Dask workers): every run indexed, every
folder whole, no writer failing, also when two write the same run id."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import numpy as np

from rflab.results.store import Store

WRITERS, RUNS = 4, 12


def write(root: str, writer: int) -> None:
    store = Store(root)
    for i in range(RUNS):
        rid = f"shared-{i}" if i % 3 == 0 else f"w{writer}-{i}"
        store.put(rid, "e", i, {"i": i}, {"writer": writer}, 0.1, {"w": np.full(1000, i, np.float32)},
                  lambda folder, i=i: (folder / "fig.png").write_bytes(bytes(10_000 + i)))


def test_concurrent_writers_leave_a_whole_store(tmp_path: Path) -> None:
    root = tmp_path / "s"
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=write, args=(str(root), w)) for w in range(WRITERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * WRITERS
    store = Store(root)
    runs = {r.run_id: r for r in store.runs()}
    shared = {f"shared-{i}" for i in range(0, RUNS, 3)}
    own = {f"w{w}-{i}" for w in range(WRITERS) for i in range(RUNS) if i % 3}
    assert set(runs) == shared | own
    for run in runs.values():
        np.testing.assert_array_equal(run.arrays()["w"], np.full(1000, run.seed, np.float32))
        assert (run.path / "fig.png").stat().st_size == 10_000 + run.seed
        assert run.metrics["writer"] in range(WRITERS)
    assert sorted(p.name for p in (root / "runs").iterdir()) == sorted(runs)
    assert not [p for p in (root / "tmp").iterdir() if not p.name.startswith("stale-")]
