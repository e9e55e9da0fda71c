"""``objects-layout``: separate population codes for different objects in one network. The learned
implicit-space layout of the MDL population code trained on three objects (horizontal, vertical and
diagonal bars, ``objects-what-where``), each unit coloured by the object that drives it most, beside
the Kohonen map's fixed grid coloured the same way; then each object's held-out class accuracy and
each pair of objects' gap ratio for both coders, over seeds.

``paper`` scale: ``objects-what-where`` at its defaults (3000 training images, 500 epochs), seeds
0-4; ``quick``: 1500 training images (500 per object), seeds 0-1. Neither is the authors': their
companion work describes the multi-object case and gives no settings for it, so every setting is
rflab's (``bars-what-where``'s, with the third object). The numbers (per coder, every seed's
measures) go to ``objects-layout-SCALE.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rflab.figures.base import Figure, Inputs, Scale
from rflab.files import write_json
from rflab.models import som
from rflab.plots import bars as plots
from rflab.results.cache import RunSpec
from rflab.results.store import StoredRun
from rflab.schema import Schema

APART = 1.2  # a pair of objects' regions are apart when their gap ratio is above this (as bars-what-where's claim)
TOUCHING = 1.05  # and touch, as on a grid, at or below this
CODERS = {"mdl": "MDL code: learned positions", "som": "Kohonen map: fixed grid"}


class ObjectCoder(Schema):
    """One coder over seeds (one entry per seed): the layout's gap ratio (its closest pair of objects),
    each pair's, the cross-object nearest neighbours, the class accuracy overall and per object, the
    active units preferring each object, and the held-out MSE."""

    gap_ratio: list[float]
    pair_gaps: dict[str, list[float]]
    cross_neighbour_fraction: list[float]
    class_accuracy: list[float]
    accuracy_by_object: dict[str, list[float]]
    units: dict[str, list[int]]
    active_units: list[int]
    test_mse: list[float]


class ObjectsNumbers(Schema):
    """``objects-layout-SCALE.json``: the objects, the seeds and each coder's numbers (``mdl``, ``som``)."""

    scale: str
    note: str
    seeds: list[int]
    objects: list[str]
    coders: dict[str, ObjectCoder]


def specs(overrides: dict[str, Any], seeds: Sequence[int]) -> dict[str, RunSpec]:
    """The runs: ``objects-what-where`` with ``overrides`` on ``seeds``."""
    return {"objects": RunSpec("objects-what-where", None, overrides, tuple(seeds))}


def coder_numbers(runs: list[StoredRun], coder: str, names: Sequence[str]) -> dict[str, Any]:
    """One coder's numbers (``ObjectCoder``) from every seed's metrics."""
    scores = [r.metrics[coder] for r in runs]
    top = [s["topography"] for s in scores]
    pairs = list(scores[0]["pair_gaps"])
    return {"gap_ratio": [t["gap_ratio"] for t in top],
            "pair_gaps": {p: [s["pair_gaps"][p] for s in scores] for p in pairs},
            "cross_neighbour_fraction": [t["cross_neighbour_fraction"] for t in top],
            "class_accuracy": [s["class_accuracy"] for s in scores],
            "accuracy_by_object": {n: [s["accuracy_by_object"][n] for s in scores] for n in names},
            "units": {n: [t[f"units_{n}"] for t in top] for n in names},
            "active_units": [t["active_units"] for t in top],
            "test_mse": [s["test_mse"] for s in scores]}


def subtitle(numbers: dict[str, Any]) -> str:
    """A layout's caption: the first seed's gap ratio, cross-object neighbours and units per object."""
    units = ", ".join(f"{n[0]} {v[0]}" for n, v in numbers["units"].items())
    return (f"seed shown: gap ratio {numbers['gap_ratio'][0]:.2f}, cross-object neighbours "
            f"{numbers['cross_neighbour_fraction'][0]:.2f}\nactive units by object: {units}")


def make(inputs: Inputs[None]) -> list[Path]:
    """Write ``objects-layout-SCALE.png`` and its numbers."""
    runs = inputs.runs["objects"]
    cfg = inputs.config("objects")
    names = cfg.objects()
    numbers = {coder: coder_numbers(runs, coder, names) for coder in CODERS}
    first = runs[0].arrays()
    positions = {"mdl": first["mdl_positions"], "som": som.grid(cfg.som_side)}
    layouts = {title: (positions[coder][:, :2], first[f"{coder}_preference"], first[f"{coder}_active"],
                       subtitle(numbers[coder])) for coder, title in CODERS.items()}
    accuracy = {title: numbers[coder]["accuracy_by_object"] for coder, title in CODERS.items()}
    gaps = {title: numbers[coder]["pair_gaps"] for coder, title in CODERS.items()}
    seeds = [r.seed for r in runs]
    title = (f"Three objects in one network, {cfg.n_units} MDL units against a {cfg.som_side}x{cfg.som_side} "
             f"Kohonen map ({inputs.scale.note})\nlayouts: seed {seeds[0]}, each unit coloured by the object that "
             f"drives it most; bars: mean over seeds, dots: seeds; dashed line: gap ratio {APART}")
    png = plots.object_layout(layouts, accuracy, gaps, names, APART, inputs.file(".png"), title)
    payload = {"scale": inputs.scale_name, "note": inputs.scale.note, "seeds": seeds, "objects": list(names),
               "coders": numbers}
    return [png, write_json(inputs.file(".json"), payload)]


def separated(numbers: dict[str, list[float]]) -> dict[str, bool]:
    """Per pair of objects, whether the mean gap ratio over seeds is above ``APART`` (NaN: not)."""
    return {pair: bool(np.mean(v) > APART) for pair, v in numbers.items()}


FIGURES = (Figure(
    "objects-layout", "Three objects in one network: the MDL code's learned implicit-space layout by preferred "
    "object against a Kohonen map's, with each object's class accuracy and each pair's gap ratio",
    {"paper": Scale(specs({}, range(5)), "paper scale: objects-what-where defaults, 3000 training images, seeds 0-4"),
     "quick": Scale(specs({"n_train": 1500}, range(2)), "quick scale: 1500 training images, seeds 0-1")},
    make, ObjectsNumbers),)
