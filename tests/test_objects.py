"""objects-what-where and the objects-layout figure at a tiny size: three objects measured by both coders,
the numbers fit their schemas, the figure and its claim are made from stored runs, bad input refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rflab.config import ConfigError, build
from rflab.data import bars
from rflab.experiments import EXPERIMENTS
from rflab.experiments import objects as experiment
from rflab.figures import get_figure, render
from rflab.figures import objects as figure
from rflab.figures.base import Scale
from rflab.report.claims import CLAIMS
from rflab.report.evidence import Evidence
from rflab.report.judging import DIFFERS, NOT_REPRODUCED, REPRODUCED
from rflab.results.store import Store
from rflab.schema import check

TINY = {"n_train": 300, "n_test": 150, "n_units": 16, "epochs": 3, "snapshots": 2, "som_side": 4, "som_epochs": 2,
        "som_sigma": 1.0}
PAIRS = {"horizontal/vertical", "horizontal/diagonal", "vertical/diagonal"}


def test_tiny_run_measures_three_objects_for_both_coders_and_writes_every_figure(tmp_path: Path) -> None:
    cfg = build(experiment.ObjectsConfig, TINY)
    assert cfg.objects() == bars.CLASSES and len(bars.CLASSES) == 3
    (result,) = experiment.run(cfg, [0])
    assert check(experiment.ObjectsMetrics, result.metrics) == []
    assert np.bincount(result.arrays["lat_test"][:, 0].astype(int)).tolist() == [50, 50, 50]
    for coder in ("mdl", "som"):
        m = result.metrics[coder]
        assert set(m["accuracy_by_object"]) == set(bars.CLASSES) and "mixed_units" not in m
        assert set(m["position_r2"]) == {*bars.CLASSES, "mean"}
        assert m["class_accuracy"] == pytest.approx(np.mean(list(m["accuracy_by_object"].values())))
        for kind, gaps in (("topography", "pair_gaps"), ("topography_winner", "pair_gaps_winner")):
            top = m[kind]
            assert sum(top[f"units_{n}"] for n in bars.CLASSES) == top["active_units"] <= 16
            assert set(m[gaps]) == PAIRS
            if np.isfinite(top["gap_ratio"]):
                assert top["gap_ratio"] == min(m[gaps].values())
    assert result.arrays["mdl_preference"].max() <= 2 and result.arrays["som_class_means"].shape == (3, 16)
    result.write_figures(tmp_path)
    for name in ("examples.png", "reconstructions.png", "codes.png", "units.png", "training.png"):
        assert (tmp_path / name).stat().st_size > 10_000, name


def test_registered_and_listed_with_its_figure() -> None:
    assert EXPERIMENTS["objects-what-where"] is experiment.OBJECTS_WHAT_WHERE
    assert get_figure("objects-layout") is figure.FIGURES[0]
    listed = subprocess.run([sys.executable, "-m", "rflab", "list"], capture_output=True, text=True,
                            env=os.environ | {"COLUMNS": "250"})
    assert listed.returncode == 0 and "objects-what-where" in listed.stdout and "objects-layout" in listed.stdout


def test_each_object_needs_its_knn_share_of_the_training_images() -> None:
    with pytest.raises(ConfigError, match="3 x knn_k = 30"):
        build(experiment.ObjectsConfig, {"n_train": 29})
    build(experiment.ObjectsConfig, {"n_train": 30})


def test_the_scales_state_their_runs() -> None:
    quick, paper = (get_figure("objects-layout").scale(s).runs["objects"] for s in ("quick", "paper"))
    assert quick.experiment == paper.experiment == "objects-what-where"
    assert quick.seeds == (0, 1) and dict(quick.overrides) == {"n_train": 1500}
    assert paper.seeds == tuple(range(5)) and dict(paper.overrides) == {}


def test_pairs_are_apart_above_the_threshold_and_nan_is_not_apart() -> None:
    assert figure.separated({"a/b": [1.3, 1.2], "a/c": [1.0, 1.3], "b/c": [float("nan"), 3.0]}) == {
        "a/b": True, "a/c": False, "b/c": False}


def test_the_figure_from_stored_runs_writes_numbers_its_claim_judges(tmp_path: Path) -> None:
    """At a tiny scale the figure trains its runs once, writes a real image and numbers that fit its schema
    and agree with the runs, and the report's claim reads them to a verdict (not 'not run')."""
    from test_theory_figures import distinct_colours

    root = tmp_path / "store"
    store = Store(root)
    tiny = Scale(figure.specs(TINY, range(2)), "tiny")
    files = render(get_figure("objects-layout"), "quick", root / "figures", store, declared=tiny)
    assert sorted(p.name for p in files) == ["objects-layout-quick.json", "objects-layout-quick.png"]
    assert distinct_colours(root / "figures" / "objects-layout-quick.png") > 50
    numbers = Evidence(root, "quick").figure_json("objects-layout")
    assert check(figure.ObjectsNumbers, numbers.to_dict()) == []
    runs = [store.get(rid) for rid in tiny.runs["objects"].run_ids()]
    assert numbers.seeds == [0, 1] and list(numbers.objects) == list(bars.CLASSES)
    assert numbers.coders["mdl"].pair_gaps["vertical/diagonal"] == [r.metrics["mdl"]["pair_gaps"]["vertical/diagonal"]
                                                                    for r in runs]
    (judged,) = [c for c in CLAIMS if c.text.startswith("Separate population codes")]
    found = judged.finding(Evidence(root, "quick"))
    assert found.verdict in (REPRODUCED, DIFFERS, NOT_REPRODUCED) and "seeds 0-1" in found.measured
