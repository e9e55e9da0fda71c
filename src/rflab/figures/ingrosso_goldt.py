"""Ingrosso & Goldt (2022), their cover figure: a two-layer network trained online on NLGP inputs grows
localized fields in one group of units, and on the Gaussian clone (same covariance) in neither; beside
it, the held-out accuracy of the fully connected net against their convolutional student of the same
width.

``ig-two-layer`` and ``ig-conv`` runs (docs/experiments/ig-two-layer.md) on a 20 x 20 torus and on a
ring of 400 sites, each on NLGP and on its clone. ``paper`` scale: time 10^4 (their figure's axis),
seeds 0-4; ``quick``: the torus at time 2000, seeds 0-4. The convolutional student's accuracy is at
its top by time 10, so it trains to time 10^3 (paper) and 50 on seeds 0-1 (quick). The
numbers (each seed's final IPR by group, the mean IPR curves, the accuracy curves) go to
``ig-two-layer-SCALE.json``.
"""

from __future__ import annotations

import time as clock
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rflab.figures.base import Figure, Inputs, Scale
from rflab.files import write_json
from rflab.metrics.receptive_fields import LOCALIZED_IPR
from rflab.models.mean_field import GROUPS, group_labels, groups
from rflab.plots import two_layer as plots
from rflab.results.cache import RunSpec
from rflab.results.store import StoredRun
from rflab.schema import Schema

INPUTS = {"torus": (None, "20 x 20 torus"), "ring": ("ring", "ring of 400 sites")}
DATA = {"nlgp": "NLGP", "clone": "Gaussian clone"}


class IGPanel(Schema):
    """One input and data model: per seed, each group's mean final IPR and localized units; the group
    means over units and seeds at each snapshot time."""

    config: dict[str, Any]
    sites: int
    ipr_random: float
    localized_above: float
    ipr_plus: list[float]
    ipr_minus: list[float]
    n_localized_plus: list[int]
    n_localized_minus: list[int]
    units_per_group: int
    test_accuracy: list[float]
    times: list[float]
    curve_plus: list[float]
    curve_minus: list[float]


class IGStudent(Schema):
    """One student's held-out accuracy at every snapshot time (mean over its seeds) and each seed's final one."""

    times: list[float]
    accuracy: list[float]
    final: list[float]


class IGAccuracy(Schema):
    """One input and data model: both students' accuracy; the convolutional filters' mean IPR per seed,
    over their kernel, and that of a Gaussian random filter."""

    fully_connected: IGStudent
    convolutional: IGStudent
    filter_ipr: list[float]
    filter_ipr_random: float


class IGNumbers(Schema):
    """``ig-two-layer-SCALE.json``: a panel per input (``torus``, ``ring``) and data (``nlgp``, ``clone``), and
    the students' accuracy likewise."""

    scale: str
    note: str
    seeds: list[int]
    wall_seconds: float
    panels: dict[str, dict[str, IGPanel]]
    accuracy: dict[str, dict[str, IGAccuracy]]


STUDENTS = {"": "ig-two-layer", "conv-": "ig-conv"}


def specs(inputs: Sequence[str], time: int, seeds: Sequence[int],
          conv: tuple[int, Sequence[int]]) -> dict[str, RunSpec]:
    """The runs: each input on NLGP and on its clone, the fully connected net at ``time`` on ``seeds``,
    the convolutional student at ``conv`` = (its time, its seeds)."""
    out = {}
    for name in inputs:
        preset = INPUTS[name][0]
        for prefix, experiment in STUDENTS.items():
            length, chosen = conv if prefix else (time, seeds)
            for data, extra in (("nlgp", {}), ("clone", {"data": "nlgp-clone"})):
                out[f"{name}/{prefix}{data}"] = RunSpec(experiment, preset, {"time": length} | extra, tuple(chosen))
    return out


def student(runs: list[StoredRun]) -> dict[str, Any]:
    """One student's accuracy (``IGStudent``)."""
    return {"times": runs[0].arrays()["snapshot_times"].tolist(),
            "accuracy": np.mean([r.arrays()["accuracy_curve"] for r in runs], axis=0).tolist(),
            "final": [r.metrics["test_accuracy"] for r in runs]}


def accuracy(fc: list[StoredRun], conv: list[StoredRun]) -> dict[str, Any]:
    """The numbers of one input and data model's accuracy (``IGAccuracy``)."""
    return {"fully_connected": student(fc), "convolutional": student(conv),
            "filter_ipr": [r.metrics["filter_ipr"] for r in conv],
            "filter_ipr_random": conv[0].metrics["filter_ipr_random"]}


def group_curves(runs: list[StoredRun]) -> dict[str, np.ndarray]:
    """Each group's IPR at every snapshot, one column per unit and seed: (snapshots, units x seeds)."""
    curves = np.stack([r.arrays()["ipr_curve"] for r in runs], axis=-1)  # (snapshots, units, seeds)
    return {group: curves[:, members].reshape(len(curves), -1) for group, members in groups(curves.shape[1]).items()}


def panel(runs: list[StoredRun]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The numbers of one panel (``IGPanel``), and what its plot needs."""
    cfg, first = runs[0].config, runs[0].arrays()
    d = int(cfg["N"]) ** int(cfg["dims"])
    curves = group_curves(runs)
    labels = group_labels(int(cfg["units"]))
    times = first["snapshot_times"]
    numbers = dict(
        config=cfg, sites=d, ipr_random=runs[0].metrics["ipr_random"], localized_above=LOCALIZED_IPR / d,
        **{f"ipr_{g}": [r.metrics[f"ipr_{g}"] for r in runs] for g in GROUPS},
        **{f"n_localized_{g}": [r.metrics[f"n_localized_{g}"] for r in runs] for g in GROUPS},
        units_per_group=labels.count("plus"), test_accuracy=[r.metrics["test_accuracy"] for r in runs],
        times=times.tolist(), **{f"curve_{g}": curves[g].mean(axis=1).tolist() for g in GROUPS})
    return numbers, {"times": times, "curves": curves, "fields": first["fields"][-1],
                     "groups": labels}


def make(inputs: Inputs[Sequence[str]]) -> list[Path]:
    """Write ``ig-two-layer-SCALE.png`` and its numbers."""
    start = clock.perf_counter()
    rows, numbers, correct = [], {}, {}
    for name in inputs.scale.settings:
        row: dict[str, Any] = {"title": INPUTS[name][1]}
        numbers[name], correct[name] = {}, {}
        for data, label in DATA.items():
            runs = inputs.runs[f"{name}/{data}"]
            numbers[name][data], row[data] = panel(runs)
            correct[name][data] = accuracy(runs, inputs.runs[f"{name}/conv-{data}"])
            row[data]["label"] = label
        row["accuracy"], row["units"] = correct[name], inputs.config(f"{name}/nlgp").units
        cfg = inputs.config(f"{name}/nlgp")
        row["shape"] = (cfg.N,) * cfg.dims
        row["threshold"] = numbers[name]["nlgp"]["localized_above"]
        rows.append(row)
    seeds = list(next(iter(inputs.scale.runs.values())).seeds)
    title = (f"Ingrosso & Goldt: two-layer mean-field network, K = {cfg.units} erf units, batch 1 "
             f"({inputs.scale.note})")
    png = plots.figure(rows, inputs.file(".png"), title)
    payload = {"scale": inputs.scale_name, "note": inputs.scale.note, "seeds": seeds,
               "wall_seconds": clock.perf_counter() - start, "panels": numbers, "accuracy": correct}
    return [png, write_json(inputs.file(".json"), payload)]


FIGURES = (Figure(
    "ig-two-layer", "Ingrosso & Goldt: IPR over time of a two-layer network's bias groups, NLGP against its clone, "
    "and the accuracy of a convolutional student beside it",
    {"paper": Scale(specs(("torus", "ring"), 10_000, range(5), (1000, range(5))),
                    "paper scale: time 10^4, seeds 0-4 (convolutional student: time 10^3)", ("torus", "ring")),
     "quick": Scale(specs(("torus",), 2000, range(5), (50, range(2))),
                    "quick scale: the torus only, time 2000, seeds 0-4 (convolutional student: time 50, "
                    "seeds 0-1)", ("torus",))},
    make, IGNumbers),)
