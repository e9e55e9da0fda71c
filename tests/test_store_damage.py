"""A store that checks itself: every run's files carry checksums in its record and the index, verified
before a run is served; one test per damage class, the repairs (rebuild-index, recompute), and a store
whose files were truncated at random, every damaged run of which ``check`` finds."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import warnings
from pathlib import Path

import numpy as np
import pytest

from rflab.results.store import DamagedRunError, DamagedRunWarning, Store, StoreError


def figures(folder: Path) -> None:
    (folder / "fig.png").write_bytes(b"\x89PNG" + bytes(range(256)) * 8)
    (folder / "training.gif").write_bytes(b"GIF89a" + bytes(range(200)) * 5)


def fill(root: Path, n: int = 3) -> Store:
    """A store of ``n`` runs, each with arrays, two figure files and its record."""
    store = Store(root)
    for i in range(n):
        store.put(f"run{i}", "e", i, {"lr": 0.1 * (i + 1)}, {"m": float(i)}, 1.0 + i,
                  {"w": np.arange(500.0) * i, "v": np.ones((20, 7))}, figures)
    return store


def truncate(path: Path, keep: int | None = None) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 if keep is None else keep])


def test_each_run_records_the_checksums_of_its_files_in_its_record_and_the_index(tmp_path: Path) -> None:
    store = fill(tmp_path)
    run = store.get("run1")
    assert run is not None and set(run.checksums or {}) == {"arrays.npz", "fig.png", "training.gif"}
    assert json.loads((run.path / "run.json").read_text())["checksums"] == run.checksums


@pytest.mark.parametrize(("damage", "says"), [
    (lambda f: truncate(f / "arrays.npz"), "arrays.npz does not match its checksum"),
    (lambda f: truncate(f / "fig.png", 10), "fig.png does not match its checksum"),
    (lambda f: (f / "training.gif").unlink(), "training.gif is missing"),
    (lambda f: (f / "arrays.npz").unlink(), "arrays.npz is missing"),
    (lambda f: truncate(f / "run.json"), "run.json is damaged"),
    (lambda f: (f / "run.json").unlink(), "run.json is missing"),
    (lambda f: (f / "run.json").write_text(json.dumps({"run_id": "run9", "experiment": "e", "seed": 0,
                                                         "config": {}, "metrics": {}})), "names another run"),
])
def test_a_damaged_run_is_reported_and_not_served(tmp_path: Path, damage, says: str) -> None:
    store = fill(tmp_path)
    damage(store.folder("run1"))
    fresh = Store(tmp_path)
    with pytest.warns(DamagedRunWarning, match=f"run run1 at {fresh.folder('run1')} is damaged .*{says}"):
        assert fresh.get("run1") is None
    assert fresh.get("run0") is not None and fresh.get("run2") is not None
    report = fresh.check()
    assert [(d.run_id, d.path) for d in report.damaged] == [("run1", fresh.folder("run1"))]
    assert says in report.damaged[0].problem


def test_damaged_arrays_are_not_loaded(tmp_path: Path) -> None:
    store = fill(tmp_path)
    run = store.get("run2")
    assert run is not None
    truncate(run.path / "arrays.npz")
    with pytest.raises(DamagedRunError, match=r"run run2 at .* is damaged \(arrays.npz does not match its checksum\)"):
        run.arrays()


def test_a_damaged_run_is_recomputed_by_the_next_put(tmp_path: Path) -> None:
    store = fill(tmp_path)
    truncate(store.folder("run0") / "arrays.npz")
    with pytest.warns(DamagedRunWarning):
        assert Store(tmp_path).get("run0") is None
    fill(tmp_path, 1)
    run = Store(tmp_path).get("run0")
    assert run is not None and Store(tmp_path).check().damaged == []
    np.testing.assert_array_equal(run.arrays()["v"], np.ones((20, 7)))


def test_an_index_row_without_its_folder_is_listed(tmp_path: Path) -> None:
    store = fill(tmp_path)
    shutil.rmtree(store.folder("run2"))
    assert store.get("run2") is None
    assert [(d.run_id, d.problem) for d in store.check().damaged] == [("run2", "its folder is missing")]


@pytest.mark.parametrize("damage", [
    lambda p: p.write_bytes(b"this is not an SQLite database" * 100),
    lambda p: truncate(p, 1000),
])
def test_an_unreadable_index_is_one_line_naming_rebuild_index_and_rebuild_restores_every_run(
        tmp_path: Path, damage) -> None:
    store = fill(tmp_path)
    before = {r.run_id: r for r in store.runs()}
    damage(store.index)
    with pytest.raises(StoreError) as caught:
        Store(tmp_path).runs()
    assert "rflab store rebuild-index --store" in str(caught.value) and "\n" not in str(caught.value)
    report = Store(tmp_path).check()
    assert report.index_problem is not None and report.damaged == []
    assert sorted(p.name for p in report.not_indexed) == sorted(before)
    indexed, damaged = Store(tmp_path).rebuild_index()
    assert indexed == 3 and damaged == []
    after = {r.run_id: r for r in Store(tmp_path).runs()}
    assert after == before


def test_rebuild_index_recreates_a_lost_index_and_leaves_damaged_runs_out(tmp_path: Path) -> None:
    store = fill(tmp_path)
    before = {r.run_id: r for r in store.runs()}
    store.index.unlink()
    truncate(store.folder("run1") / "fig.png")
    indexed, damaged = Store(tmp_path).rebuild_index()
    assert indexed == 2 and [d.run_id for d in damaged] == ["run1"]
    after = {r.run_id: r for r in Store(tmp_path).runs()}
    assert after == {k: v for k, v in before.items() if k != "run1"}


def test_runs_made_before_checksums_are_served_and_checked_by_their_archive(tmp_path: Path) -> None:
    """A store written by an older rflab: no checksums column, records without checksums."""
    store = fill(tmp_path)
    with sqlite3.connect(store.index) as conn:
        conn.execute("CREATE TABLE old (run_id TEXT PRIMARY KEY, experiment TEXT NOT NULL, seed INTEGER NOT NULL, "
                     "config TEXT NOT NULL, metrics TEXT NOT NULL, train_seconds REAL NOT NULL, created REAL NOT NULL)")
        conn.execute("INSERT INTO old SELECT run_id, experiment, seed, config, metrics, train_seconds, created "
                     "FROM runs")
        conn.execute("DROP TABLE runs")
        conn.execute("ALTER TABLE old RENAME TO runs")
    for i in range(3):
        record = json.loads((store.folder(f"run{i}") / "run.json").read_text())
        del record["checksums"], record["created"]
        (store.folder(f"run{i}") / "run.json").write_text(json.dumps(record))
    legacy = Store(tmp_path)
    run = legacy.get("run0")
    assert run is not None and run.checksums is None
    np.testing.assert_array_equal(run.arrays()["v"], np.ones((20, 7)))
    truncate(legacy.folder("run1") / "arrays.npz")
    with pytest.warns(DamagedRunWarning, match="arrays.npz"):
        assert Store(tmp_path).get("run1") is None
    assert [d.run_id for d in Store(tmp_path).check().damaged] == ["run1"]
    fill(tmp_path, 1)
    assert Store(tmp_path).get("run0").checksums is not None  # type: ignore[union-attr]


@pytest.mark.parametrize("seed", range(12))
def test_check_finds_every_run_whose_files_were_truncated_at_random(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    fill(tmp_path, 8)
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    hit = rng.sample(files, rng.randint(1, len(files) // 2))
    for path in hit:
        truncate(path, rng.randrange(path.stat().st_size))
    damaged_runs = {p.parent.name for p in hit if p.parent.parent == tmp_path / "runs"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DamagedRunWarning)
        report = Store(tmp_path).check()
        assert {d.run_id for d in report.damaged} == damaged_runs
        served = {f"run{i}" for i in range(8) if Store(tmp_path).get(f"run{i}") is not None} \
            if report.index_problem is None else set()
    assert not served & damaged_runs


def test_a_damaged_figure_file_is_evidence_not_run_naming_the_command_that_remakes_it(tmp_path: Path) -> None:
    from rflab.report.evidence import Evidence, Missing

    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "prop33-quick.json").write_text('{"models": [{"name": "t", "sh')
    with pytest.raises(Missing, match=r"prop33-quick.json is damaged .*rflab figure prop33 --scale quick"):
        Evidence(tmp_path, "quick").figure_json("prop33")
