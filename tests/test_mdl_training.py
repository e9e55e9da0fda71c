"""MDL training itself (Zemel & Hinton 1995), not only its start: the deviation cost keeps the activities
a standard bump when they start as one, and makes them one from random weights.

Tiny dipole-3d runs with the MDL code (256 images, batch 32, 20 epochs, Adam at lr 0.01, two seeds).
The deviation is the mean over images of sum_i (a_i - a_hat_i)^2; it is compared with the bump's own
energy sum_i a_hat_i^2 (about 0.02 here), so "small" has a scale.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from rflab.config import build
from rflab.experiments import dipole
from rflab.models import population as pop

TINY = {"n_train": 256, "n_test": 64, "epochs": 20, "batch_size": 32, "lr": 0.01, "snapshots": 1}
SEEDS = [0, 1]
READOUT_SCALE = 0.1  # keeps the start's centres m = h W + 1/2 well inside the cube


def code_stats(params: pop.Params, x: np.ndarray, sigma: float) -> dict[str, float]:
    """Deviation from the standard bump, the bump's energy, reconstruction MSE and spread of the centres."""
    out = pop.mdl_apply(params, jnp.asarray(x), sigma)
    return {"deviation": float(jnp.mean(jnp.sum((out.activity - out.bump) ** 2, -1))),
            "bump": float(jnp.mean(jnp.sum(out.bump**2, -1))),
            "mse": float(jnp.mean((out.recon - x) ** 2)),
            "code_std": float(jnp.mean(jnp.std(out.code, axis=0)))}


def bump_start(cfg: dipole.DipoleConfig, init: Any, x: np.ndarray, code: np.ndarray, keys: np.ndarray,
               params0: Any) -> pop.Params:
    """In place of the Isomap fit: activities exactly the standard bump around m = h W + 1/2 for a random
    readout W (``bump_encoder``), and the least-squares decoder of those activities."""

    def one(key: jax.Array, images: jax.Array) -> pop.Params:
        w = READOUT_SCALE * jax.random.normal(jax.random.fold_in(key, 1), (cfg.n_enc_hidden, cfg.dim))
        params = pop.bump_encoder(init(key), w, jnp.full(cfg.dim, 0.5), cfg.sigma)
        return pop.least_squares_decoder(params, images, cfg.sigma)

    return jax.tree.map(np.asarray, jax.vmap(one)(keys, x))


def trained(cfg: dipole.DipoleConfig) -> list[tuple[dict[str, float], dict[str, float], dict[str, float]]]:
    """Per seed: the code's numbers at the start, after training (training images), after training (held out)."""
    data = dipole.make_data(cfg, SEEDS)
    result = dipole.fit(cfg, SEEDS, data, None)
    out = []
    for i in range(len(SEEDS)):
        start = jax.tree.map(lambda a, i=i: a[i, 0], result.snapshots)
        end = jax.tree.map(lambda a, i=i: a[i], result.params)
        out.append((code_stats(start, data["x_train"][i], cfg.sigma), code_stats(end, data["x_train"][i], cfg.sigma),
                    code_stats(end, data["x_test"][i], cfg.sigma)))
    return out


def test_training_from_the_bump_keeps_the_bump(monkeypatch: pytest.MonkeyPatch) -> None:
    """From activities that are the standard bump, training improves the reconstruction and moves the code,
    and the deviation ends no larger than it started (without the deviation cost it grows about 5-fold)."""
    monkeypatch.setattr(dipole, "_fit_encoder", bump_start)
    monkeypatch.setattr(dipole, "starting_codes",
                        lambda cfg, data: np.zeros((*data["x_train"].shape[:2], cfg.dim), np.float32))
    cfg = build(dipole.DipoleConfig, dipole.MDL_PRESET, TINY | {"encoder_init": "isomap"})
    runs = trained(cfg)
    for start, end, held_out in runs:
        assert 1e-5 < start["deviation"] < 0.02 * start["bump"]  # a bump, not trivially exact
        assert end["mse"] < 0.7 * start["mse"]  # training did something
        assert end["code_std"] > 0.03 and held_out["code_std"] > 0.03  # the centre still follows the image
        assert end["deviation"] < 1.1 * start["deviation"] and held_out["deviation"] < 0.01 * held_out["bump"]
    assert np.mean([e["deviation"] for _, e, _ in runs]) <= np.mean([s["deviation"] for s, _, _ in runs])


def test_training_from_random_weights_makes_the_bump() -> None:
    """From random weights (deviation near the bump's own energy) training cuts the deviation a hundredfold,
    on held-out images too, to a small fraction of the bump's energy."""
    cfg = build(dipole.DipoleConfig, dipole.MDL_PRESET, TINY | {"encoder_init": "random"})
    for start, end, held_out in trained(cfg):
        assert start["deviation"] > 0.5 * start["bump"]
        assert end["deviation"] < 0.01 * start["deviation"] and held_out["deviation"] < 0.01 * start["deviation"]
        assert held_out["deviation"] < 0.01 * held_out["bump"]

