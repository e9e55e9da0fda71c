"""Figure 2 of Lufkin, Saxe & Grant (2024): samples, covariance and marginal of three data models.

Rows: Ising ring J = 0.3 (class 0 of the default couplings), Gaussian field and Kur(5), both
with xi = 1 (class 0 of the default lengths, as the authors' notebook draws them; docs/provenance.md),
on a ring of N = 100 sites; 10^4 samples each at the paper scale (2000 at the quick scale), seed 0.
The marginal panels overlay the exact density (exact atoms for the spins) on the sample histogram.
No run is trained: the samples are drawn here.
"""

from __future__ import annotations

from pathlib import Path

import jax
import numpy as np

from rflab.data.fields import Gaussian, Kur, Lattice
from rflab.data.ising import Ising
from rflab.figures.base import Figure, Inputs, Scale
from rflab.plots.fields import figure2

N = 100
XI = 1.0
J = 0.3
K = 5.0


def make(inputs: Inputs[int]) -> list[Path]:
    """Draw ``inputs.scale.settings`` samples of each model and write ``fig2-SCALE.png``."""
    lattice = Lattice(N)
    rows = [
        (f"Ising, J = {J}", Ising(lattice, (J, 0.7)), 0),
        (f"Gaussian, xi = {XI:g}", Gaussian(lattice, (XI, 3.0)), 0),
        (f"Kur({K:g}), xi = {XI:g}", Kur(lattice, (XI, 3.0), K), 0),
    ]
    keys = jax.random.split(jax.random.PRNGKey(0), len(rows))
    drawn = [(title, model, np.asarray(model.sample_class(key, inputs.scale.settings, c)), c)
             for key, (title, model, c) in zip(keys, rows, strict=True)]
    return [figure2(drawn, inputs.file(".png"))]


FIGURES = (Figure(
    "fig2", "Lufkin et al. Fig. 2: samples, covariance and marginal of Ising, Gaussian and Kur(5)",
    {"paper": Scale({}, "10^4 samples", 10_000), "quick": Scale({}, "2000 samples", 2_000)}, make),)
