"""The model-cost study (Zemel & Hinton's third term): its points, its measures and its table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rflab.figures import get_figure, render
from rflab.figures.population_studies import ModelCostRow, model_cost_scale, units_in_use
from rflab.results.store import Store
from rflab.schema import check


def test_units_in_use_counts_equally_used_units_and_one_unit_alone() -> None:
    assert units_in_use(np.full((5, 8), 1 / 8)) == pytest.approx(8)
    assert units_in_use(np.eye(8)[[3, 3, 3]]) == pytest.approx(1)
    assert units_in_use(np.array([[0.5, 0.5, 0.0, 0.0]])) == pytest.approx(2)


def test_each_point_is_measured_and_only_a_costed_one_pays_for_its_weights(tmp_path: Path) -> None:
    """A tiny study (two points: no model cost, V_w = 1): the rows fit their schema, the costed point's
    total is the total without the model plus the model's share, and the free point has neither."""
    tiny = model_cost_scale((None, 1.0), (200,), range(1),
                            {"epochs": 2, "n_test": 100, "snapshots": 2, "encoder_init": "random"}, "tiny")
    files = render(get_figure("model-cost"), "quick", tmp_path / "figures", Store(tmp_path / "store"), declared=tiny)
    rows = json.loads(next(f for f in files if f.suffix == ".json").read_text())
    assert check(list[ModelCostRow], rows) == [] and len(rows) == 2
    free, costed = sorted(rows, key=lambda r: r["weight_var"] is not None)
    assert free["bits_with_model"] is None and free["model_bits"] == [0.0]
    assert costed["model_bits"][0] > 0
    assert costed["bits_with_model"][0] == pytest.approx(costed["bits"][0] + costed["model_bits"][0])
    assert all(1 <= r["units_in_use"][0] <= 225 for r in rows)


def test_the_studies_page_tabulates_the_model_cost_rows(tmp_path: Path) -> None:
    from rflab.report.evidence import Evidence
    from rflab.report.markdown import studies_page

    row = {"weight_var": 10.0, "n_train": 2000, "weight_resolution": 2**-10, "units_in_use": [80.0, 90.0],
           "participation": [2.5, 2.7], "twonn": [2.6, 2.8], "test_mse": [0.003, 0.005], "bits": [580.0, 600.0],
           "bits_with_model": [700.0, 720.0], "model_bits": [120.0, 120.0], "mean_image": [450.0, 452.0]}
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "model-cost-quick.json").write_text(json.dumps([row]))
    page = studies_page(Evidence(tmp_path, "quick"))
    assert "| 2000 | 10.0 | 85.0 | 2.60 | 2.70 | 0.0040 | 590.0 | 710.0 | 451.0 |" in page
