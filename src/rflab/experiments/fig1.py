"""Figure 1 of Lufkin, Saxe & Grant (2024): two-dimensional receptive fields.

Left: a soft committee machine (K = 20 ReLU units, no bias, init scale 0.01, lr 3) trained online
on NLGP g = 100 inputs on a 30 x 30 torus with xi = (1, 2). Right: FastICA filters (64 components)
of pooled 12 x 12 NLGP samples with xi = (0.7, 0.1). ``paper`` scale: batch 10^4, 10^4 steps,
seed 0 (``rflab run rf-committee --preset fig1``; about 25 minutes on a 2-core CPU), ICA on 10^5
samples (``rflab run rf-ica --preset fig1``). ``quick``: batch 1000, 2000 steps; ICA on 2 x 10^4.
Twenty of the 64 ICA filters are shown: those with the highest IPR.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from rflab.experiments.base import at_scale
from rflab.experiments.receptive_fields import RF_COMMITTEE, RF_ICA, figure_runs, stored_units
from rflab.plots.receptive_fields import figure1

SHOWN = 20
SCALES: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    "paper": ({}, {}, "paper scale: batch 10^4, 10^4 steps; ICA on 10^5 samples; seed 0"),
    "quick": ({"batch_size": 1000, "steps": 2000}, {"samples": 20_000},
              "quick scale: batch 1000, 2000 steps; ICA on 2 x 10^4 samples; seed 0"),
}


def make(out_dir: Path, scale: str = "paper") -> list[Path]:
    """Train (or load) the committee and ICA and write ``fig1-{scale}.png`` into ``out_dir``."""
    trained, ica, note = at_scale(SCALES, scale)
    groups = []
    for title, experiment, layer in (("committee machine, K = 20 ReLU, NLGP g = 100, 30 x 30", RF_COMMITTEE, trained),
                                     ("ICA, 12 x 12 NLGP, 64 components (20 highest IPR)", RF_ICA, ica)):
        cfg, (run,) = figure_runs(experiment, "fig1", layer, [0])
        units = stored_units(run["arrays"])
        fields = run["arrays"]["fields"][-1]
        order = np.argsort([-u["ipr"] for u in units], kind="stable")[:SHOWN]
        if experiment is RF_COMMITTEE:
            order = np.arange(len(units))
        groups.append({"title": title, "fields": fields[order], "units": [units[j] for j in order],
                       "shape": (cfg.N, cfg.N)})
    out_dir.mkdir(parents=True, exist_ok=True)
    return [figure1(groups, out_dir / f"fig1-{scale}.png", note)]
