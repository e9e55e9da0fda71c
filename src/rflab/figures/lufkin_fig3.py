"""Figure 3 of Lufkin, Saxe & Grant (2024): one ReLU neuron (N = 40) on Ising, Gaussian and Kur(5) data.

Per data model: the receptive field's evolution (seed 0), the single-site marginal (sampled, with
the exact density) and the IPR over training for every seed. ``paper`` scale: the authors' settings
(docs/provenance.md: batch 10^4, Ising 500; lr 0.05; 2000 steps; init scale 1e-3; seeds 0-4), i.e. the
runs of ``rflab run rf-neuron --preset {ising,gaussian,kur5} --seeds 0-4``, reused from the store
when they are there. ``quick``: batch 2000 (Ising 500), 1000 steps, seeds 0-2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jax
import numpy as np

from rflab.experiments.receptive_fields import data_model, stored_units
from rflab.figures.base import Figure, Inputs, Scale
from rflab.plots.receptive_fields import figure3
from rflab.results.cache import RunSpec

ROWS = (("Ising, J = (0.3, 0.7)", "ising"), ("Gaussian", "gaussian"), ("Kur(5)", "kur5"))
MARGINAL_SAMPLES = 10_000


def scale(overrides: Mapping[str, Any], seeds: Sequence[int], note: str) -> Scale[None]:
    """The rf-neuron preset of each row with ``overrides`` (Ising keeps its own batch of 500)."""
    return Scale({preset: RunSpec("rf-neuron", preset, {k: v for k, v in overrides.items()
                                                        if not (preset == "ising" and k == "batch_size")}, tuple(seeds))
                  for _, preset in ROWS}, note)


def make(inputs: Inputs[None]) -> list[Path]:
    """Write ``fig3-SCALE.png``: per data model the fields of seed 0, the marginal and every seed's IPR."""
    rows = []
    for title, preset in ROWS:
        runs = inputs.runs[preset]
        model = data_model(inputs.config(preset))
        arrays = [r.arrays() for r in runs]
        rows.append({"title": title, "model": model, "fields": np.stack([a["fields"][:, 0] for a in arrays], axis=1),
                     "steps": arrays[0]["snapshot_steps"], "units": stored_units(arrays[0]),
                     "fields_ipr": np.stack([a["ipr_curve"][:, 0] for a in arrays], axis=1),
                     "samples": np.asarray(model.sample_class(jax.random.PRNGKey(0), MARGINAL_SAMPLES, 1))})
    return [figure3(rows, inputs.file(".png"), inputs.scale.note)]


FIGURES = (Figure(
    "fig3", "Lufkin et al. Fig. 3: one ReLU neuron on Ising, Gaussian, Kur(5): RF evolution, marginals, IPR",
    {"paper": scale({}, range(5), "paper scale: batch 10^4 (Ising 500), 2000 steps, lr 0.05, seeds 0-4"),
     "quick": scale({"steps": 1000, "batch_size": 2000}, range(3), "quick scale: batch 2000 (Ising 500), 1000 steps, "
                    "lr 0.05, seeds 0-2")},
    make),)
