"""Figure 4 of Lufkin, Saxe & Grant (2024): one ReLU neuron (N = 40) on elliptical data.

Elliptical inputs (custom radial law r = 2 + artanh U, the shell r = 1, multivariate t with nu = 3)
are non-Gaussian, yet by Proposition 3.3 their fields are single Fourier modes, not localized. Each
panel: the field's evolution (seed 0) with its best-fit sinusoid dashed, and the IPR and R^2 over
all seeds. ``paper`` scale: the authors' settings (docs/provenance.md; custom and shell: batch 10^4,
lr 0.05, 5000 steps; t: batch 1000, lr 0.01, 10^4 steps, init scale 1; seeds 0-4), the runs of
``rflab run rf-neuron --preset {custom,shell,t3} --seeds 0-4``. ``quick``: a fifth of the steps,
batch 2000 (t: 1000), seeds 0-2. ``prop33`` reads the same runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rflab.experiments.receptive_fields import RF_NEURON, stored_units
from rflab.figures.base import Figure, Inputs, Scale
from rflab.plots.receptive_fields import figure_fields
from rflab.results.cache import RunSpec

PANELS = (("custom radial law r = 2 + artanh U", "custom"), ("shell, r = 1", "shell"),
          ("multivariate t, nu = 3", "t3"))


def elliptical_runs(shrink: int, seeds: Sequence[int]) -> dict[str, RunSpec]:
    """The rf-neuron elliptical presets, with 1/shrink of their steps and a batch of at most 2000 when
    shrink > 1."""
    runs = {}
    for _, preset in PANELS:
        base = RF_NEURON.configure(preset)
        layer = {} if shrink == 1 else {"steps": base.steps // shrink, "batch_size": min(base.batch_size, 2000)}
        runs[preset] = RunSpec("rf-neuron", preset, layer, tuple(seeds))
    return runs


def make(inputs: Inputs[None]) -> list[Path]:
    """Write ``fig4-SCALE.png``: each model's field over training, its sinusoid, IPR and R^2 over seeds."""
    panels = []
    for title, preset in PANELS:
        runs = inputs.runs[preset]
        n = inputs.config(preset).N
        ipr = np.array([r.metrics["ipr"] for r in runs]) * n
        r2 = np.array([r.metrics["r2"] for r in runs])
        spread = ipr.std(ddof=1) if len(ipr) > 1 else 0.0
        panels.append({"title": f"{title}: {len(runs)} seeds, IPR x N {ipr.mean():.2f} +- {spread:.2f}, "
                                f"R$^2$ {r2.mean():.2f}\nseed 0:", "fields": runs[0].arrays()["fields"][:, 0],
                       "unit": stored_units(runs[0].arrays())[0], "shape": (n,)})
    return [figure_fields(panels, inputs.file(".png"), "Lufkin et al. Fig. 4: elliptical data give oscillatory "
                          f"fields ({inputs.scale.note}); lines light to dark: training; dashed: best-fit sinusoid",
                          cols=3)]


FIGURES = (Figure(
    "fig4", "Lufkin et al. Fig. 4: one ReLU neuron on elliptical data: oscillatory fields, fitted sinusoids",
    {"paper": Scale(elliptical_runs(1, range(5)), "paper scale: seeds 0-4"),
     "quick": Scale(elliptical_runs(5, range(3)), "quick scale: 1/5 of the steps, batch <= 2000, seeds 0-2")},
    make),)
