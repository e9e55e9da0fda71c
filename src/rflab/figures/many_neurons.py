"""Beyond one neuron: the share of units that localize against the marginal's excess kurtosis, for a
wide soft committee (K = 100) and the authors' two-layer ``MLP`` of 100 units, beside one neuron.

Lufkin, Saxe & Grant's abstract says the single neuron's predictions "extend to the many-neuron
setting". Their wide committees (``figures/fig5.ipynb`` at LSG ``320fde3``, cells 25 and 27) are 100
ReLU units without bias, init scale 0.001, lr 5, batch 1000, on N = 100 sites with xi = (1, 3);
their 100-unit two-layer ReLU network (cell 13) is their ``MLP`` with both layers and every bias
trained (rflab's ``mlp=true``, ``bias=true``). rflab runs all three learners over the Claim 3.2 data
points (NLGP gains and Kur tails) on the same data, at the committee's lr, batch and N (cell 13 has
lr 2, batch 200, N = 40). The neuron learns at lr 0.05 = 5 / K, the per-unit rate of the committee's
1/K readout. ``paper``: 5000 steps (their notebook's), every point, seeds 0-1; ``quick``: 1000 steps,
four points, seed 0.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rflab.experiments.receptive_fields import data_model
from rflab.figures.base import Figure, Inputs, Scale
from rflab.figures.lufkin_theory import sweep_points
from rflab.files import write_json
from rflab.plots import theory as plots
from rflab.results.cache import RunSpec
from rflab.results.store import StoredRun
from rflab.schema import Schema

DATA = {"N": 100, "xi": (1.0, 3.0), "batch_size": 1000, "init_scale": 1e-3, "snapshots": 10}
WIDE = {"units": 100, "activation": "relu", "bias": False, "lr": 5.0}
LEARNERS = {
    "neuron": ("rf-neuron", {"lr": 0.05}),
    "committee": ("rf-committee", WIDE),
    "two-layer": ("rf-committee", WIDE | {"train_readout": True, "mlp": True, "bias": True}),
}
QUICK_POINTS = ("g=100", "k=4.1", "k=5", "k=10")


@dataclass(frozen=True)
class Sweep:
    """The points (by Claim 3.2 label) and the steps of one scale."""

    points: Sequence[str]
    steps: int


class ManyPoint(Schema):
    """One learner at one data point: the exact excess kurtosis, the share of units localized and the
    mean IPR x N, each over seeds."""

    family: str
    label: str
    excess_kurtosis: float
    localized_share: list[float]
    ipr_times_n: list[float]


class ManyNumbers(Schema):
    """``many-neurons-SCALE.json``: per learner (``neuron``, ``committee``, ``two-layer``), its points."""

    scale: str
    note: str
    seeds: list[int]
    wall_seconds: float
    learners: dict[str, list[ManyPoint]]


def scale(sweep: Sweep, seeds: Sequence[int], note: str) -> Scale[Sweep]:
    """Every learner at every point of the sweep."""
    runs = {}
    for _, label, data in sweep_points():
        if label not in sweep.points:
            continue
        for learner, (experiment, settings) in LEARNERS.items():
            runs[f"{learner}/{label}"] = RunSpec(experiment, None, DATA | settings | data | {"steps": sweep.steps},
                                                 tuple(seeds))
    return Scale(runs, note, sweep)


def point(family: str, label: str, runs: list[StoredRun], excess: float) -> dict[str, Any]:
    """A learner's numbers at one point."""
    n = int(runs[0].config["N"])
    shares = [float(np.mean([v == "localized" for v in r.metrics["verdicts"]])) for r in runs]
    return {"family": family, "label": label, "excess_kurtosis": excess, "localized_share": shares,
            "ipr_times_n": [r.metrics["ipr"] * n for r in runs]}


def make(inputs: Inputs[Sweep]) -> list[Path]:
    """Write ``many-neurons-SCALE.png`` and its numbers."""
    start = time.perf_counter()
    learners: dict[str, list[dict[str, Any]]] = {name: [] for name in LEARNERS}
    for family, label, _ in sweep_points():
        if label not in inputs.scale.settings.points:
            continue
        excess = data_model(inputs.config(f"neuron/{label}")).excess_kurtosis
        for name in LEARNERS:
            learners[name].append(point(family, label, inputs.runs[f"{name}/{label}"], excess))
    seeds = list(next(iter(inputs.scale.runs.values())).seeds)
    png = plots.many_neurons(learners, inputs.file(".png"),
                             "Units localized against excess kurtosis: one neuron, a committee of 100 ReLU units "
                             f"and the authors' two-layer MLP of 100\n({inputs.scale.note}; bars: range over seeds)")
    payload = {"scale": inputs.scale_name, "note": inputs.scale.note, "seeds": seeds,
               "wall_seconds": time.perf_counter() - start, "learners": learners}
    return [png, write_json(inputs.file(".json"), payload)]


ALL_POINTS = tuple(label for _, label, _ in sweep_points())
FIGURES = (Figure(
    "many-neurons", "Share of units localized against excess kurtosis: one neuron, a wide committee, the authors' "
    "two-layer MLP",
    {"paper": scale(Sweep(ALL_POINTS, 5000), range(2), "paper scale: 5000 steps, the Claim 3.2 points, seeds 0-1"),
     "quick": scale(Sweep(QUICK_POINTS, 1000), range(1), "quick scale: 1000 steps, four points, seed 0")},
    make, ManyNumbers),)
