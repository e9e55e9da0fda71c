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

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jax
import numpy as np

from rflab.config import ConfigError
from rflab.data import dipoles
from rflab.experiments.base import Experiment
from rflab.experiments.dipole import CODERS, DIPOLE_2D, DIPOLE_3D, stored_params, torus_code
from rflab.experiments.receptive_fields import ConsoleProgress, stored_runs
from rflab.metrics import codes as metrics
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


TOPOLOGY_MODELS = (
    ("RBF, Isomap start (default)", DIPOLE_3D, None, {}),
    ("MDL code, Isomap start", DIPOLE_3D, "mdl", {}),
    ("RBF, random start", DIPOLE_3D, None, {"encoder_init": "random"}),
    ("seed's recipe, theta in [0, pi)", DIPOLE_3D, "seed", {}),
)
TOPOLOGY_SCALES = {"paper": range(5), "quick": range(2)}
CLOUD, FIBRE, FIBRE_SITES = 3000, 150, (2.5, 3.5, 4.5)


def _probe_latents(theta_max: float) -> tuple[np.ndarray, np.ndarray]:
    """Fresh latents for the topology probes: a uniform cloud, and fibres of fixed (x, y) with the
    orientation on an even grid over the model's range (9 fibres of FIBRE points)."""
    cloud = np.array(dipoles.sample_latents(jax.random.PRNGKey(2024), CLOUD))
    cloud[:, 2] *= theta_max / (2 * np.pi)
    theta = np.linspace(0.0, theta_max, FIBRE, endpoint=False)
    fibres = np.array([[[x, y, t] for t in theta] for x in FIBRE_SITES for y in FIBRE_SITES], np.float32)
    return cloud.astype(np.float32), fibres


def _topology_row(model: str, seed: int, code: np.ndarray, fibre_codes: list[np.ndarray],
                  fibre_theta: np.ndarray) -> dict[str, Any]:
    whole = metrics.loop_lifetimes(code, landmarks=1000)
    per_fibre = [metrics.loop_lifetimes(c) for c in fibre_codes]
    return {"model": model, "seed": seed, "lifetimes": whole, "fibre_lifetimes": per_fibre,
            "one_loop": metrics.one_dominant_loop(whole),
            "fibres_one_loop": float(np.mean([metrics.one_dominant_loop(f) for f in per_fibre])),
            "fibre_code": fibre_codes[4], "fibre_theta": fibre_theta}


def topology_rows(scale: str) -> list[dict[str, Any]]:
    """Per model and seed: the loop lifetimes of the whole code and of each orientation fibre. The
    first row is the reference: the solid-torus code of the true latents, where the loop is known
    to be there, so a missing loop elsewhere is the code's and not the method's."""
    seeds = _scale(TOPOLOGY_SCALES, scale)
    cloud, fibres = _probe_latents(2 * np.pi)
    rows = [_topology_row("reference: torus of the true latents", 0, torus_code(cloud),
                          [torus_code(f) for f in fibres], fibres[4][:, 2])]
    for title, experiment, preset, overrides in TOPOLOGY_MODELS:
        cfg = experiment.configure(preset, overrides)
        cloud, fibres = _probe_latents(float(dipoles.THETA_RANGES[cfg.theta_range]))
        apply = CODERS[cfg.model].apply
        for seed, run in zip(seeds, _runs(experiment, preset, overrides, seeds), strict=True):
            params = stored_params(run["arrays"])
            codes = [np.asarray(apply(params, dipoles.render(lat), cfg.sigma).code) for lat in (cloud, *fibres)]
            rows.append(_topology_row(title, seed, codes[0], codes[1:], fibres[4][:, 2]))
    return rows


def make_topology(out_dir: Path, scale: str = "paper") -> list[Path]:
    """``code-topology``: persistent homology of the 3-D dipole codes, whole and fibre by fibre."""
    rows = topology_rows(scale)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = {
        model: {
            "one_loop_seeds": sum(r["one_loop"] for r in mine), "seeds": len(mine),
            "longest_over_second": [float(r["lifetimes"][0] / r["lifetimes"][1]) for r in mine],
            "longest": [float(r["lifetimes"][0]) for r in mine],
            "fibres_with_one_loop": float(np.mean([r["fibres_one_loop"] for r in mine])),
        }
        for model in dict.fromkeys(r["model"] for r in rows)
        if (mine := [r for r in rows if r["model"] == model])
    }
    table = out_dir / f"code-topology-{scale}.json"
    table.write_text(json.dumps(summary, indent=1))
    return [plots.topology_study(rows, out_dir / f"code-topology-{scale}.png", f"{scale} scale"), table]
