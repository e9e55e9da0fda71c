"""Figure 1 of Lufkin, Saxe & Grant (2024): two-dimensional receptive fields.

Left: a soft committee machine (K = 20 ReLU units, no bias, init scale 0.01, lr 3) trained online
on NLGP g = 100 inputs on a 30 x 30 torus with xi = (1, 2). Right: FastICA filters (64 components)
of pooled 12 x 12 NLGP samples with xi = (0.7, 0.1). ``paper`` scale: batch 10^4, 10^4 steps,
seed 0 (``rflab run rf-committee --preset fig1``; about 25 minutes on a 2-core CPU), ICA on 10^5
samples (``rflab run rf-ica --preset fig1``). ``quick``: batch 1000, 2000 steps; ICA on 2 x 10^4.
Twenty of the 64 ICA filters are shown: those with the highest IPR.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from rflab.experiments.receptive_fields import stored_units
from rflab.figures.base import Figure, Inputs, Scale
from rflab.plots.receptive_fields import figure1
from rflab.results.cache import RunSpec

SHOWN = 20
GROUPS = (("committee", "committee machine, K = 20 ReLU, NLGP g = 100, 30 x 30"),
          ("ica", "ICA, 12 x 12 NLGP, 64 components (20 highest IPR)"))


def scale(committee: Mapping[str, Any], ica: Mapping[str, Any], note: str) -> Scale[None]:
    """Seed 0 of the committee and of ICA, their ``fig1`` presets with these overrides."""
    return Scale({"committee": RunSpec("rf-committee", "fig1", committee), "ica": RunSpec("rf-ica", "fig1", ica)},
                 note)


def make(inputs: Inputs[None]) -> list[Path]:
    """Write ``fig1-SCALE.png``: every committee unit's field and the ICA filters of highest IPR."""
    groups = []
    for key, title in GROUPS:
        (run,) = inputs.runs[key]
        cfg = inputs.config(key)
        units = stored_units(run.arrays())
        fields = run.arrays()["fields"][-1]
        order = np.arange(len(units)) if key == "committee" else np.argsort([-u["ipr"] for u in units],
                                                                            kind="stable")[:SHOWN]
        groups.append({"title": title, "fields": fields[order], "units": [units[j] for j in order],
                       "shape": (cfg.N, cfg.N)})
    return [figure1(groups, inputs.file(".png"), inputs.scale.note)]


FIGURES = (Figure(
    "fig1", "Lufkin et al. Fig. 1: 2-D fields of a committee machine on a 30x30 NLGP torus and of ICA",
    {"paper": scale({}, {}, "paper scale: batch 10^4, 10^4 steps; ICA on 10^5 samples; seed 0"),
     "quick": scale({"batch_size": 1000, "steps": 2000}, {"samples": 20_000},
                    "quick scale: batch 1000, 2000 steps; ICA on 2 x 10^4 samples; seed 0")},
    make),)
