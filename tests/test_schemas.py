"""The schemas describe what is stored: every experiment's metrics and every figure's and the checks'
numbers fit the schema the report reads them through, and a view reads by attribute, converts nested
objects and turns a key that data lack into Missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rflab.experiments import EXPERIMENTS
from rflab.figures import FIGURES
from rflab.figures.checks import Checks
from rflab.schema import Missing, Numbers, Schema, check, view

DATA = Path(__file__).parent / "data"
RUNS = json.loads((DATA / "unchanged-0818c4c.json").read_text())["runs"]
QUICK = json.loads((DATA / "quick-figures-0818c4c.json").read_text())  # written by rflab reproduce at 0818c4c


NEWER_EXPERIMENTS = {"ig-two-layer", "ig-conv", "objects-what-where"}  # after 0818c4c: own tests
NEWER_FIGURES = {"ig-two-layer", "many-neurons", "model-cost", "objects-layout"}


def test_every_experiment_has_a_schema() -> None:
    assert all(e.metrics is not Schema for e in EXPERIMENTS.values())
    assert {r["experiment"] for r in RUNS} | NEWER_EXPERIMENTS == set(EXPERIMENTS)


@pytest.mark.parametrize("pinned", RUNS, ids=[f"{r['experiment']}-{r['preset']}" for r in RUNS])
def test_stored_metrics_fit_their_experiments_schema(pinned: dict) -> None:
    for metrics in pinned["metrics"]:
        assert check(EXPERIMENTS[pinned["experiment"]].metrics, metrics) == []


@pytest.mark.parametrize("name", [n for n, f in FIGURES.items() if f.numbers is not None and n not in NEWER_FIGURES])
def test_figure_numbers_fit_the_figures_schema(name: str) -> None:
    assert check(FIGURES[name].numbers, QUICK[name]) == []


def test_the_checks_fit_their_schema() -> None:
    assert check(Checks, QUICK["checks"]) == []


def test_check_names_what_does_not_fit() -> None:
    metrics = EXPERIMENTS["rf-neuron"].metrics
    assert check(metrics, {"ipr": "high"}) == ["ipr: expected float, got str"]
    assert check(metrics, {"ipr": 0.5, "ipr_pct": 50.0}) == ["ipr_pct: not declared by FieldMetrics"]
    assert check(FIGURES["claim32"].numbers, {"points": [{"label": 3}]}) == ["points[0].label: expected str, got int"]


def test_a_view_reads_by_attribute_and_a_missing_key_is_missing() -> None:
    numbers = view(FIGURES["fig3-theory"].numbers, {"models": {"nlgp": {"ipr_sgd": [0.5], "config": {"N": 40}}}},
                   "remake it")
    nlgp = numbers.models["nlgp"]
    assert nlgp.ipr_sgd == [0.5] and nlgp.config["N"] == 40 and isinstance(numbers.models, Numbers)
    with pytest.raises(Missing, match="remake it: it has no 'final_cos_full'"):
        _ = nlgp.final_cos_full
    with pytest.raises(Missing, match="it has no 'ising'"):
        _ = numbers.models["ising"]
    with pytest.raises(AttributeError):
        _ = nlgp.not_a_field
