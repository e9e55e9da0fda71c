"""The command line: errors are one line with exit 2 and write nothing; runs are stored and cached."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

TINY = ["--set", "epochs=2", "--set", "n_train=128", "--set", "n_test=64", "--set", "snapshots=2"]


def rflab(*args: str, store: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rflab", *args, "--store", str(store)] if args[0] == "run"
                          else [sys.executable, "-m", "rflab", *args], capture_output=True, text=True)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["run", "nope"], "unknown experiment 'nope'"),
        (["run", "dipole-3d", "--preset", "best"], "unknown preset 'best'"),
        (["run", "dipole-3d", "--set", "colour=red"], "unknown key 'colour'"),
        (["run", "dipole-3d", "--set", "sigma=0"], "sigma=0: input should be greater than 0"),
        (["run", "dipole-3d", "--set", "lr=-0.1"], "lr=-0.1: input should be greater than 0"),
        (["run", "dipole-3d", "--set", "n_train=-5"], "n_train=-5:"),
        (["run", "dipole-3d", "--set", "n_units=0"], "n_units=0:"),
        (["run", "dipole-3d", "--set", "batch_size=1.5"], "batch_size=1.5:"),
        (["run", "dipole-3d", "--set", "optimizer=lbfgs"], "optimizer=lbfgs:"),
        (["run", "dipole-3d", "--set", "lr"], "expected key=value"),
        (["run", "dipole-3d", "--seeds", "0-x"], "--seeds '0-x'"),
        (["run", "dipole-3d", "--seeds", "3-1"], "--seeds '3-1'"),
        (["run", "dipole-3d", "--seed", "1.5"], "--seed '1.5'"),
        (["run", "dipole-3d", "--seed", "1", "--seeds", "0-2"], "exclusive"),
        (["run", "dipole-3d", "--colour"], "No such option"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path: Path, args: list[str], says: str) -> None:
    result = rflab(*args, store=tmp_path / "store")
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert says in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize("writers", ["0", "two", "-1"])
def test_a_bad_writer_count_is_one_line_exit_2_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  writers: str) -> None:
    monkeypatch.setenv("RFLAB_WRITERS", writers)
    result = rflab("run", "dipole-3d", *TINY, store=tmp_path / "store")
    assert result.returncode == 2 and result.stderr == (
        f"error: RFLAB_WRITERS={writers}: must be a whole number of processes, at least 1\n")
    assert not (tmp_path / "store").exists()


def test_runs_stored_by_processes_are_the_runs_the_thread_stores(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Two storing processes draw the two seeds' figures side by side: every file but the record's
    times is the same as the thread's, byte for byte."""
    stores = {}
    for writers in ("1", "2"):
        monkeypatch.setenv("RFLAB_WRITERS", writers)
        stores[writers] = store = tmp_path / writers
        result = rflab("run", "dipole-3d", "--preset", "hinton-problems", "--seeds", "0-1", *TINY, store=store)
        assert result.returncode == 0, result.stderr
    folders = {w: sorted((store / "runs").iterdir()) for w, store in stores.items()}
    assert [f.name for f in folders["1"]] == [f.name for f in folders["2"]] and len(folders["1"]) == 2
    for thread, process in zip(folders["1"], folders["2"], strict=True):
        names = sorted(f.name for f in thread.iterdir())
        assert names == sorted(f.name for f in process.iterdir()) and "training.gif" in names
        for name in set(names) - {"run.json"}:
            assert (thread / name).read_bytes() == (process / name).read_bytes(), name
        records = [json.loads((folder / "run.json").read_text()) for folder in (thread, process)]
        assert records[0]["metrics"] == records[1]["metrics"] and records[0]["checksums"] == records[1]["checksums"]


def test_list_names_the_experiment() -> None:
    result = subprocess.run([sys.executable, "-m", "rflab", "list"], capture_output=True, text=True, check=True)
    assert "dipole-3d" in result.stdout and "hinton-problems" in result.stdout


def test_run_stores_then_returns_cached(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = rflab("run", "dipole-3d", "--preset", "hinton-problems", "--seeds", "0-1", "--json", *TINY, store=store)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert set(report) == {"experiment", "run_id", "config", "metrics", "train_seconds", "cached"}
    assert report["cached"] is False and report["config"]["epochs"] == 2
    assert set(report["metrics"]["seeds"]) == {"0", "1"}
    for key in ("mean", "std", "min", "max"):
        assert "test_mse" in report["metrics"][key]
    seed0 = report["metrics"]["seeds"]["0"]
    for name in ("test_mse", "naive_mse", "variance_explained", "singular_values", "effective_dim",
                 "r2_linear", "r2_cubic", "knn_r2", "dl_bits"):
        assert name in seed0
    assert set(seed0["knn_r2"]) == {"x", "y", "cos_2theta", "sin_2theta", "mean"}
    folders = [p for p in (store / "runs").iterdir()]
    assert len(folders) == 2
    for name in ("examples.png", "reconstructions.png", "code_projections.png", "code_3d.png",
                 "training.png", "training.gif", "arrays.npz", "run.json"):
        assert (folders[0] / name).exists(), name

    again = rflab("run", "dipole-3d", "--preset", "hinton-problems", "--seeds", "0-1", "--json", *TINY, store=store)
    cached = json.loads(again.stdout)
    assert cached["cached"] is True and cached["metrics"] == report["metrics"] and cached["run_id"] == report["run_id"]

    one = json.loads(rflab("run", "dipole-3d", "--preset", "hinton-problems", "--seed", "1", "--json", *TINY,
                           store=store).stdout)
    assert one["cached"] is True and one["metrics"] == report["metrics"]["seeds"]["1"]

    forced = json.loads(rflab("run", "dipole-3d", "--preset", "hinton-problems", "--seed", "1", "--json", "--force",
                              *TINY, store=store).stdout)
    assert forced["cached"] is False
    assert forced["metrics"]["test_mse"] == pytest.approx(one["metrics"]["test_mse"], rel=1e-6)
