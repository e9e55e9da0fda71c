"""bars-what-where end to end at a tiny size: both coders measured, figures written, bad input refused."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rflab.config import ConfigError, build
from rflab.experiments import EXPERIMENTS
from rflab.experiments import bars as experiment

TINY = {"n_train": 200, "n_test": 100, "n_units": 16, "epochs": 3, "snapshots": 2, "som_side": 4, "som_epochs": 2,
        "som_sigma": 1.0}
FIGURES = ("examples.png", "reconstructions.png", "codes.png", "units.png", "training.png")


def test_tiny_run_measures_both_coders_and_writes_every_figure(tmp_path: Path) -> None:
    cfg = build(experiment.BarsConfig, TINY)
    (result,) = experiment.run(cfg, [0])
    for coder in ("mdl", "som"):
        m = result.metrics[coder]
        assert 0 < m["test_mse"] and m["naive_mse"] > 0.05
        assert 0.0 <= m["class_accuracy"] <= 1.0 and set(m["position_r2"]) == {"horizontal", "vertical", "mean"}
        assert 0 <= m["mixed_units"] <= 16
        for kind in ("topography", "topography_winner"):
            top = m[kind]
            assert top["units_horizontal"] + top["units_vertical"] == top["active_units"] <= 16
    assert result.metrics["som"]["test_mse"] < 0.5 * result.metrics["som"]["naive_mse"]
    assert math.isfinite(result.metrics["mdl"]["mdl_bits"]["total"])
    assert result.arrays["mdl_positions"].shape == (16, 2) and result.arrays["som_weights"].shape == (16, 64)
    assert len(result.arrays["snap_test_mse"]) == len(experiment.snapshot_epochs(cfg))
    result.write_figures(tmp_path)
    for name in FIGURES:
        assert (tmp_path / name).stat().st_size > 10_000, name


def test_same_config_and_seed_give_the_same_numbers() -> None:
    cfg = build(experiment.BarsConfig, TINY | {"epochs": 1, "snapshots": 1})
    first, again = experiment.run(cfg, [3]), experiment.run(cfg, [3])
    assert json.dumps(first[0].metrics, sort_keys=True) == json.dumps(again[0].metrics, sort_keys=True)
    np.testing.assert_array_equal(first[0].arrays["som_weights"], again[0].arrays["som_weights"])


def test_registered_under_its_name() -> None:
    assert EXPERIMENTS["bars-what-where"] is experiment.BARS_WHAT_WHERE


@pytest.mark.parametrize(("overrides", "field"), [
    ({"dim": 1}, "dim=1"), ({"som_sigma": 0.5}, "som_sigma=0.5"), ({"active_share": 1.5}, "active_share=1.5"),
    ({"n_test": 1}, "n_test=1"), ({"colour": "red"}, "unknown key 'colour'"),
])
def test_bad_settings_name_the_field(overrides: dict, field: str) -> None:
    with pytest.raises(ConfigError, match=field):
        build(experiment.BarsConfig, overrides)


def test_cli_refuses_bad_input_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = subprocess.run([sys.executable, "-m", "rflab", "run", "bars-what-where", "--set", "som_side=1",
                             "--store", str(store)], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "som_side=1" in result.stderr
    assert not store.exists()
