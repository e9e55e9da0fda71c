"""``rflab runs``: query stored runs by config, seed and metrics; export them to CSV and Parquet."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from conftest import Cli

from rflab.config import ConfigError
from rflab.results import query as q
from rflab.results.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Path:
    s = Store(tmp_path / "s")
    for seed in (0, 1):
        for lr in (0.1, 0.2):
            s.put(f"d-{seed}-{lr}", "dipole-3d", seed, {"lr": lr, "optimizer": "adam", "xi": [1.0, 3.0]},
                  {"test_mse": 0.01 * (seed + 1) * lr, "knn_r2": {"x": 0.9, "y": 0.8}, "verdict": "ok"}, 1.0,
                  {"w": np.zeros(2)})
    s.put("n-0", "rf-neuron", 0, {"lr": 0.05, "data": "nlgp"}, {"ipr": 0.5, "verdicts": ["localized"]}, 2.0,
          {"w": np.zeros(2)})
    return tmp_path / "s"


def test_rows_are_flat_and_filters_compare_numbers_text_and_lists(store: Path) -> None:
    rows = [q.row(r) for r in Store(store).runs()]
    assert len(rows) == 5
    first = next(r for r in rows if r["run_id"] == "d-0-0.1")
    assert first["config.lr"] == 0.1 and first["metrics.knn_r2.x"] == 0.9 and first["config.xi.1"] == 3.0
    assert first["metrics.verdict"] == "ok" and first["experiment"] == "dipole-3d"
    select = lambda *w: {r["run_id"] for r in q.select(rows, q.parse_where(w))}  # noqa: E731
    assert select("lr=0.1") == {"d-0-0.1", "d-1-0.1"}
    assert select("lr=0.10", "seed=1") == {"d-1-0.1"}
    assert select("metrics.test_mse>0.003") == {"d-1-0.2"}
    assert select("optimizer=adam", "lr!=0.1") == {"d-0-0.2", "d-1-0.2"}
    assert select("xi=1,3") == {"d-0-0.1", "d-1-0.1", "d-0-0.2", "d-1-0.2"}
    assert select("data=nlgp") == {"n-0"}
    with pytest.raises(ConfigError, match="no stored run has this key"):
        select("colour=red")
    with pytest.raises(ConfigError, match="expected key=value"):
        q.parse_where(["lr"])
    with pytest.raises(ConfigError, match="needs numbers"):
        select("optimizer<3")


def test_export_csv_and_parquet_round_trip(store: Path, tmp_path: Path, cli: Cli) -> None:
    code, _, err = cli(["runs", "--store", str(store), "--experiment", "dipole-3d", "--where", "lr=0.2",
                        "--export", str(tmp_path / "out.csv")])
    assert code == 0 and "2 runs" in err
    with open(tmp_path / "out.csv") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["run_id"] for r in rows) == ["d-0-0.2", "d-1-0.2"]
    assert rows[0]["config.lr"] == "0.2" and "metrics.knn_r2.y" in rows[0]
    code, _, _ = cli(["runs", "--store", str(store), "--export", str(tmp_path / "all.parquet")])
    table = pq.read_table(tmp_path / "all.parquet").to_pylist()
    assert code == 0 and len(table) == 5
    assert {r["run_id"]: r["metrics.ipr"] for r in table}["n-0"] == 0.5
    assert {r["run_id"]: r["config.lr"] for r in table}["d-1-0.1"] == 0.1


def test_json_listing(store: Path, cli: Cli) -> None:
    code, out, _ = cli(["runs", "--store", str(store), "--experiment", "rf-neuron", "--json"])
    assert code == 0 and [r["run_id"] for r in json.loads(out)] == ["n-0"]


@pytest.mark.parametrize(("args", "says"), [
    (["--export", "out.xlsx"], "must end in .csv or .parquet"),
    (["--where", "colour=red"], "colour"),
    (["--experiment", "nope"], "unknown experiment 'nope'"),
    (["--where", "lr"], "expected key=value"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(store: Path, tmp_path: Path, args: list[str], says: str,
                                                         monkeypatch: pytest.MonkeyPatch, cli: Cli) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(["runs", "--store", str(store), *args])
    assert code == 2 and err.count("\n") == 1 and says in err and out == ""
    assert not (tmp_path / "out.xlsx").exists()
