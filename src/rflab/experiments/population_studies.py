"""The open questions the seed leaves about its population code, one study each (Zemel & Hinton 1995).

- ``mdl-dimension``: with the description-length pressure and a wide implicit space, does the
  code's effective dimensionality settle at the number of latents (3 for dipoles, 2 for dipoles of
  fixed orientation) whatever K is?
- ``code-topology``: is the orientation code one persistent loop (persistent homology, ripser)?
- ``code-cost``: what does reading the population cost, against a dense 3-D autoencoder of
  similar accuracy, and what does it buy in robustness?

Every run behind a study goes through the results store, so a study run twice trains nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rflab.config import ConfigError
from rflab.experiments.base import Experiment
from rflab.experiments.dipole import DIPOLE_2D, DIPOLE_3D
from rflab.experiments.receptive_fields import ConsoleProgress, stored_runs
from rflab.plots import codes as plots

DIMENSION_SCALES = {
    "paper": {"dims": (1, 2, 3, 4, 6, 10), "seeds": range(5), "overrides": {}},
    "quick": {"dims": (2, 3, 10), "seeds": range(2), "overrides": {"epochs": 150, "snapshots": 5}},
}


def _scale(scales: dict[str, Any], scale: str) -> dict[str, Any]:
    if scale not in scales:
        raise ConfigError(f"scale={scale!r}: expected one of {', '.join(scales)}")
    return scales[scale]


def _runs(experiment: Experiment, preset: str | None, overrides: dict[str, Any], seeds: Sequence[int]) -> list[dict]:
    """The stored (or freshly trained) seeds of one configuration."""
    cfg = experiment.configure(preset, overrides)
    label = f"{experiment.name} " + " ".join(f"{k}={v}" for k, v in overrides.items())
    return stored_runs(experiment, cfg, list(seeds), progress=ConsoleProgress(label))


def dimension_rows(scale: str) -> list[dict[str, Any]]:
    """Per data set and K: participation ratio, TwoNN dimension and the code's normalised spectrum,
    one entry per seed. MDL codes from random weights; units start uniform (no grid exists for
    every K)."""
    s = _scale(DIMENSION_SCALES, scale)
    problems = (("dipoles: x, y, orientation (3 latents)", DIPOLE_3D, "mdl", 3),
                ("dipoles: x, y only (2 latents)", DIPOLE_2D, None, 2))
    rows = []
    for title, experiment, preset, latents in problems:
        for k in s["dims"]:
            overrides = {"dim": k, "encoder_init": "random", "mu_init": "uniform"} | s["overrides"]
            runs = _runs(experiment, preset, overrides, s["seeds"])
            sv = [np.asarray(r["metrics"]["singular_values"]) for r in runs]
            rows.append({
                "problem": title, "latents": latents, "dim": k,
                "participation": [r["metrics"]["effective_dim"] for r in runs],
                "twonn": [r["metrics"]["intrinsic_dim"] for r in runs],
                "knn_r2": [r["metrics"]["knn_r2"]["mean"] for r in runs],
                "test_mse": [r["metrics"]["test_mse"] for r in runs],
                "spectrum": [v**2 / np.sum(v**2) for v in sv],
            })
    return rows


def make_dimension(out_dir: Path, scale: str = "paper") -> list[Path]:
    """``mdl-dimension``: effective dimensionality of the MDL code's centre against K."""
    rows = dimension_rows(scale)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [plots.dimension_study(rows, out_dir / f"mdl-dimension-{scale}.png", f"{scale} scale")]
