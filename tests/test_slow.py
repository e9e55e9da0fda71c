"""End-to-end runs at full scale (marked slow; CI runs this file as its bounded slow subset)."""

from __future__ import annotations

import numpy_population as ref
import pytest

from rflab.config import build
from rflab.experiments import dipole

pytestmark = pytest.mark.slow


def test_seed_preset_reproduces_the_seed_scripts_number_for_seed_0() -> None:
    """200 epochs on the seed's own streams: the held-out MSE of its NumPy algorithm (0.0113)."""
    cfg = build(dipole.DipoleConfig, dipole.HINTON_PROBLEMS_PRESET)
    results = dipole.run(cfg, [0])
    expected = ref.train(0)["test_mse"]
    assert results[0].metrics["test_mse"] == pytest.approx(expected, rel=1e-3)
    assert results[0].metrics["test_mse"] == pytest.approx(0.0113, abs=5e-5)


def test_default_preset_meets_the_targets_and_beats_the_seed_recipe_on_the_full_orientation_range() -> None:
    """Seed 0, theta in [0, 2 pi): the default recipe reaches the issue's targets (held-out MSE <= 0.006,
    kNN R^2 >= 0.9 for every latent) and beats the seed's SGD recipe on the same data."""
    default = dipole.run(build(dipole.DipoleConfig), [0])[0].metrics
    assert default["test_mse"] <= 0.006
    assert min(default["knn_r2"][k] for k in ("x", "y", "cos_theta", "sin_theta")) >= 0.9
    seed_recipe = build(dipole.DipoleConfig, dipole.HINTON_PROBLEMS_PRESET, {"theta_range": "2pi", "rng": "jax"})
    baseline = dipole.run(seed_recipe, [0])[0].metrics
    assert default["test_mse"] < 0.5 * baseline["test_mse"]
    assert default["knn_r2"]["mean"] > baseline["knn_r2"]["mean"] + 0.4
