"""Figure 2 of Lufkin, Saxe & Grant (2024): samples, covariance and marginal of three data models.

Rows: Ising ring J = 0.3 (class 0 of the default couplings), Gaussian field and Kur(5), both
with xi = 1 (class 0 of the default lengths, as the authors' notebook draws them; docs/provenance.md),
on a ring of N = 100 sites; 10^4 samples each at
the paper scale (2000 at ``scale="quick"``), seed 0. The marginal panels overlay the exact density
(exact atoms for the spins) on the sample histogram.
"""

from __future__ import annotations

from pathlib import Path

import jax
import numpy as np

from rflab.config import ConfigError
from rflab.data.fields import Gaussian, Kur, Lattice
from rflab.data.ising import Ising
from rflab.plots.fields import figure2

N = 100
XI = 1.0
J = 0.3
K = 5.0
SAMPLES = {"paper": 10_000, "quick": 2_000}


def make(out_dir: Path, scale: str = "paper") -> list[Path]:
    """Draw the samples and write ``fig2.png`` into ``out_dir``; returns the written paths."""
    if scale not in SAMPLES:
        raise ConfigError(f"scale={scale!r}: expected one of {', '.join(SAMPLES)}")
    n = SAMPLES[scale]
    lattice = Lattice(N)
    rows = [
        (f"Ising, J = {J}", Ising(lattice, (J, 0.7)), 0),
        (f"Gaussian, xi = {XI:g}", Gaussian(lattice, (XI, 3.0)), 0),
        (f"Kur({K:g}), xi = {XI:g}", Kur(lattice, (XI, 3.0), K), 0),
    ]
    keys = jax.random.split(jax.random.PRNGKey(0), len(rows))
    drawn = [(title, model, np.asarray(model.sample_class(key, n, c)), c)
             for key, (title, model, c) in zip(keys, rows, strict=True)]
    out_dir.mkdir(parents=True, exist_ok=True)
    return [figure2(drawn, out_dir / "fig2.png")]
