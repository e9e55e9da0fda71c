"""Ingrosso & Goldt (2022), their cover figure: a two-layer network trained online on NLGP inputs grows
localized fields in one group of units, and on the Gaussian clone (same covariance) in neither.

``ig-two-layer`` runs (docs/experiments/ig-two-layer.md) on a 20 x 20 torus and on a ring of 400
sites, each on NLGP and on its clone. ``paper`` scale: time 10^4 (their figure's axis), seeds 0-4;
``quick``: the torus at time 2000, seeds 0-4. The numbers (each seed's final IPR by group, the mean
IPR curves) go to ``ig-two-layer-SCALE.json``.
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


class IGNumbers(Schema):
    """``ig-two-layer-SCALE.json``: a panel per input (``torus``, ``ring``) and data (``nlgp``, ``clone``)."""

    scale: str
    note: str
    seeds: list[int]
    wall_seconds: float
    panels: dict[str, dict[str, IGPanel]]


def specs(inputs: Sequence[str], time: int, seeds: Sequence[int]) -> dict[str, RunSpec]:
    """The runs: each input on NLGP and on its clone, at ``time``."""
    out = {}
    for name in inputs:
        preset = INPUTS[name][0]
        out[f"{name}/nlgp"] = RunSpec("ig-two-layer", preset, {"time": time}, tuple(seeds))
        out[f"{name}/clone"] = RunSpec("ig-two-layer", preset, {"data": "nlgp-clone", "time": time}, tuple(seeds))
    return out


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
    rows, numbers = [], {}
    for name in inputs.scale.settings:
        row: dict[str, Any] = {"title": INPUTS[name][1]}
        numbers[name] = {}
        for data, label in DATA.items():
            runs = inputs.runs[f"{name}/{data}"]
            numbers[name][data], row[data] = panel(runs)
            row[data]["label"] = label
        cfg = inputs.config(f"{name}/nlgp")
        row["shape"] = (cfg.N,) * cfg.dims
        row["threshold"] = numbers[name]["nlgp"]["localized_above"]
        rows.append(row)
    seeds = list(next(iter(inputs.scale.runs.values())).seeds)
    title = (f"Ingrosso & Goldt: two-layer mean-field network, K = {cfg.units} erf units, batch 1 "
             f"({inputs.scale.note})")
    png = plots.figure(rows, inputs.file(".png"), title)
    payload = {"scale": inputs.scale_name, "note": inputs.scale.note, "seeds": seeds,
               "wall_seconds": clock.perf_counter() - start, "panels": numbers}
    return [png, write_json(inputs.file(".json"), payload)]


FIGURES = (Figure(
    "ig-two-layer", "Ingrosso & Goldt: IPR over time of a two-layer network's bias groups, NLGP against its clone",
    {"paper": Scale(specs(("torus", "ring"), 10_000, range(5)), "paper scale: time 10^4, seeds 0-4",
                    ("torus", "ring")),
     "quick": Scale(specs(("torus",), 2000, range(5)), "quick scale: the torus only, time 2000, seeds 0-4",
                    ("torus",))},
    make, IGNumbers),)
