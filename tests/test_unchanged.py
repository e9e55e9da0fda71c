"""Nothing changes numerically when the code around the science moves: the run ids of every run that ``rflab
reproduce`` and every figure ask for, at both scales, and the metrics and figure numbers of a small
quick-style store are those the code gave at commit 0818c4c, before figures declared their runs
(``tests/data/unchanged-0818c4c.json``; the figure run ids were then checked against a complete quick store
written by ``rflab reproduce`` at that commit), except the ids of runs on Kur data, whose sampler is
numerics version 2 since its quantile is read from a table (their numbers are as before, to rounding). Runs
that start from Isomap have numerics version 2 too (their ids changed, their numbers did not beyond
rounding); every dipole run has numerics version 3 since its held-out regressions are fitted in float64.
Runs on every field model but the Ising ring have numerics version 4 (other random draws of the
same law: their ids and numbers were recomputed, with the tiny theory figures built on them). Every seed
is trained in a call of its own, as there, so the program each device runs does not depend on how many CPU
devices JAX has."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jax
import numpy as np
import pytest
from test_theory_figures import tiny_scales

import rflab
from rflab.config import digest
from rflab.figures import FIGURES, get_figure, render
from rflab.metrics.codes import flatten
from rflab.report import reproduce as rp

PINNED = json.loads((Path(__file__).parent / "data" / "unchanged-0818c4c.json").read_text())


def ids_of(specs: list[Any]) -> dict[str, Any]:
    ids = [rid for spec in specs for rid in spec.run_ids()]
    return {"n": len(ids), "digest": digest({"ids": sorted(ids)})}


NEWER_STEPS = {"ig-two-layer/torus", "ig-conv/torus", "objects-what-where/layout"}  # added to the plan after 0818c4c
NEWER_FIGURES = {"ig-two-layer", "many-neurons", "model-cost", "objects-layout"}


@pytest.mark.parametrize("scale", rp.SCALES)
def test_the_run_ids_of_every_planned_and_declared_run_are_unchanged(scale: str) -> None:
    """Every step and figure pinned at 0818c4c declares the same runs; the only new ones are those named."""
    pinned = PINNED["ids"][scale]
    plan = {s.key: ids_of([s.runs]) for s in rp.run_steps(scale)}
    figures = {name: ids_of(list(f.scale(scale).runs.values())) for name, f in FIGURES.items()}
    assert set(plan) - set(pinned["plan"]) == NEWER_STEPS and set(figures) - set(pinned["figures"]) == NEWER_FIGURES
    assert {k: plan[k] for k in pinned["plan"]} == pinned["plan"]
    assert {k: figures[k] for k in pinned["figures"]} == pinned["figures"]


# Scores of the form 1 - residual / total, compared on their own scale of 1: a tiny run's barely trained code
# differs by about 5e-6 of itself from one CPU to another (as its test MSE and singular values do), and a
# held-out cubic fit on a code that spread turns that into up to 1.7e-3 of R^2 (measured by perturbing the
# code, in float64), or 1.7e-4 of a variance explained of 0.036.
SCORES, SCORE_ATOL = re.compile(r"\.(r2_linear|r2_cubic|knn_r2)\.|\.variance_explained$"), 5e-3


def same(got: Any, want: Any, where: str = "") -> None:
    """Equal structure and keys; numbers equal to rounding (another CPU may round differently; the
    ``SCORES`` to ``SCORE_ATOL``), everything else exactly."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(want), where
        for k in want:
            same(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for i, (a, b) in enumerate(zip(got, want, strict=True)):
            same(a, b, f"{where}[{i}]")
    elif isinstance(want, float) and not isinstance(got, bool):
        assert isinstance(got, (int, float)), where
        atol = SCORE_ATOL if SCORES.search(where) else 1e-7
        assert np.isclose(got, want, rtol=1e-4, atol=atol, equal_nan=True), f"{where}: {got} != {want}"
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"


@pytest.fixture
def on_a_cpu() -> None:
    """Skip off a CPU backend: the pinned numbers are a CPU's, and a GPU reduces in other orders and has its own
    transcendental functions, so a tiny run's barely trained code moves there by more than one CPU's rounding
    from another's. Asked when the test runs, not at collection, where it would start JAX's backend before a
    test could choose its devices."""
    if jax.default_backend() != "cpu":
        pytest.skip("numbers pinned from CPU runs")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> rflab.Store:
    return rflab.Store(tmp_path_factory.mktemp("unchanged") / "store")


@pytest.mark.usefixtures("on_a_cpu")
@pytest.mark.parametrize("pinned", PINNED["runs"], ids=[f"{r['experiment']}-{r['preset']}" for r in PINNED["runs"]])
def test_tiny_runs_give_the_same_ids_and_metrics(pinned: dict[str, Any], store: rflab.Store) -> None:
    runs = [rflab.run(pinned["experiment"], seed, preset=pinned["preset"], overrides=pinned["overrides"],
                      store=store).runs[0] for seed in pinned["seeds"]]
    assert [r.run_id for r in runs] == pinned["run_ids"]
    same([r.metrics for r in runs], pinned["metrics"], pinned["experiment"])
    for got, want in zip(runs, pinned["metrics"], strict=True):  # tables and exports list them in this order
        assert list(flatten(got.metrics)) == list(flatten(want))


@pytest.mark.usefixtures("on_a_cpu")
def test_tiny_theory_figures_give_the_same_numbers(monkeypatch: pytest.MonkeyPatch, store: rflab.Store,
                                                    tmp_path: Path) -> None:
    tiny_scales(monkeypatch)  # the scales the pinned numbers were made at
    for name, want in PINNED["figures"].items():
        for spec in get_figure(name).scale("quick").runs.values():
            for seed in spec.seeds:
                rflab.run(spec.experiment, seed, preset=spec.preset, overrides=spec.overrides, store=store)
        _, numbers = render(get_figure(name), "quick", tmp_path, store)
        got = json.loads(numbers.read_text())
        got.pop("wall_seconds")
        if name == "claim32":  # the training time of the stored runs, not a number the runs give
            got.pop("sgd_seconds")
            want = {k: v for k, v in want.items() if k != "sgd_seconds"}
            for point in got["points"] + want["points"]:
                point.pop("sgd_seconds")
        same(got, want, name)
