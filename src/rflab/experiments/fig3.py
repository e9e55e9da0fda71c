"""Figure 3 of Lufkin, Saxe & Grant (2024): one ReLU neuron (N = 40) on Ising, Gaussian and Kur(5) data.

Per data model: the receptive field's evolution (seed 0), the single-site marginal (sampled, with
the exact density) and the IPR over training for every seed. ``paper`` scale: the authors' settings
(docs/provenance.md: batch 10^4, Ising 500; lr 0.05; 2000 steps; init scale 1e-3; seeds 0-4), i.e. the
runs of ``rflab run rf-neuron --preset {ising,gaussian,kur5} --seeds 0-4``, reused from the store
when they are there. ``quick``: batch 2000 (Ising 500), 1000 steps, seeds 0-2.
"""

from __future__ import annotations

from pathlib import Path

import jax
import numpy as np

from rflab.experiments.base import at_scale
from rflab.experiments.receptive_fields import RF_NEURON, data_model, figure_runs, stored_units
from rflab.plots.receptive_fields import figure3

ROWS = (("Ising, J = (0.3, 0.7)", "ising"), ("Gaussian", "gaussian"), ("Kur(5)", "kur5"))
SCALES = {
    "paper": ({}, range(5), "paper scale: batch 10^4 (Ising 500), 2000 steps, lr 0.05, seeds 0-4"),
    "quick": ({"steps": 1000, "batch_size": 2000}, range(3), "quick scale: batch 2000 (Ising 500), 1000 steps, "
              "lr 0.05, seeds 0-2"),
}
MARGINAL_SAMPLES = 10_000


def make(out_dir: Path, scale: str = "paper") -> list[Path]:
    """Train (or load) the three data models and write ``fig3-{scale}.png`` into ``out_dir``."""
    overrides, seeds, note = at_scale(SCALES, scale)
    rows = []
    for title, preset in ROWS:
        layer = {k: v for k, v in overrides.items() if not (preset == "ising" and k == "batch_size")}
        cfg, runs = figure_runs(RF_NEURON, preset, layer, list(seeds))
        model = data_model(cfg)
        fields = np.stack([r["arrays"]["fields"][:, 0] for r in runs], axis=1)
        rows.append({"title": title, "model": model, "fields": fields, "steps": runs[0]["arrays"]["snapshot_steps"],
                     "units": stored_units(runs[0]["arrays"]), "fields_ipr": np.stack(
                         [r["arrays"]["ipr_curve"][:, 0] for r in runs], axis=1),
                     "samples": np.asarray(model.sample_class(jax.random.PRNGKey(0), MARGINAL_SAMPLES, 1))})
    out_dir.mkdir(parents=True, exist_ok=True)
    return [figure3(rows, out_dir / f"fig3-{scale}.png", note)]
