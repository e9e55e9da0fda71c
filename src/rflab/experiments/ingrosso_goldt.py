"""``ig-two-layer``: Ingrosso & Goldt's experiment, a fully connected two-layer network trained online.

docs/experiments/ig-two-layer.md. K erf units in the mean-field mode of ``rflab.models.mean_field``
(fixed readout 1/K, biases fixed at +b for half the units and -b for the rest, pre-activations
scaled by 1/sqrt(D)), trained by plain SGD with batch 1 and each sample's class drawn at random, at
their learning rate times K (their ``mf`` scaling), for ``time`` units of D steps (their ``--time``).
All seeds train in one vmapped call of the shared engine. The units of each bias sign form a group;
the run measures each unit's field (``rflab.metrics.receptive_fields``) at log-spaced times.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from pydantic import Field

from rflab import train
from rflab.data import registry
from rflab.experiments.base import SeedResult, per_seed
from rflab.experiments.receptive_fields import (
    LABELLED_NUMERICS,
    DataChoice,
    FieldExperiment,
    class_blocks,
    data_model,
    describe,
    gallery_bytes,
    sites,
    unit_arrays,
    write_gallery,
)
from rflab.metrics import receptive_fields as rf
from rflab.models import mean_field
from rflab.resources import DOUBLE, FLOAT, Footprint
from rflab.schema import Schema
from rflab.train import ProgressFn

TEST_SAMPLES = 20_000  # their NUM_TESTSAMPLES


class IGConfig(DataChoice):
    """Ingrosso & Goldt's two-layer network, mean-field mode (defaults: see docs/experiments/ig-two-layer.md)."""

    units: int = Field(8, ge=2, description="hidden units K (their -K); the first K // 2 have bias +b")
    bias: float = Field(1.0, ge=0, allow_inf_nan=False,
                        description="b: the fixed biases are +b and -b (their --bias b)")
    lr: float = Field(0.05, gt=0, description="their --lr; the first layer learns at lr x K (mean-field scaling)")
    init_std: float = Field(0.1, gt=0, description="standard deviation of the initial weights (their std0)")
    batch_size: int = Field(1, gt=0, description="samples per SGD step, each of a class drawn at random (their --bs)")
    time: int = Field(1000, ge=1, description="training time in the papers' units, SGD steps / D (their --time)")
    snapshots: int = Field(40, ge=2, description="snapshots of the fields, log-spaced in whole units of time "
                                                 "from 1 to the end, and the start")


class IGMetrics(Schema):
    """Each seed's fields at the end, by bias group: mean IPR and localized units; held-out error and
    accuracy of the sign of phi; the training loss over the last unit of time."""

    ipr_plus: float
    ipr_minus: float
    ipr_random: float
    n_localized_plus: int
    n_localized_minus: int
    verdicts: list[str]
    steps: int
    test_mse: float
    test_accuracy: float
    train_loss: float


def steps(cfg: IGConfig) -> int:
    """SGD steps of a run: ``time`` x D."""
    return cfg.time * sites(cfg)


def snapshot_steps(cfg: IGConfig) -> list[int]:
    """Step 0 and up to ``snapshots`` whole times log-spaced from 1 to ``time`` (as their ``times_to_print``,
    which start at 0.1), in steps: whole units of time, because the draws come one unit at a time."""
    times = np.logspace(0, math.log10(cfg.time), cfg.snapshots).round().astype(int)
    return sorted({0} | {int(t) * sites(cfg) for t in times})


def learner(cfg: IGConfig) -> train.Learner:
    """The network of a config, on the data model's base draws (the transform is applied in the loss)."""
    model = data_model(cfg)
    bias = jnp.asarray(mean_field.biases(cfg.units, cfg.bias))
    args = model.transform_args()

    def loss(params: mean_field.Params, batch: tuple[jax.Array, jax.Array]) -> jax.Array:
        z, y = batch
        return mean_field.loss(params, (model.transform(z, args), y), bias)

    return train.Learner(init=partial(mean_field.init, dim=model.dim, units=cfg.units, std=cfg.init_std), loss=loss)


def stream(cfg: IGConfig) -> train.Blocks:
    """Batches of per-sample random classes, drawn one unit of time (D steps) at a time."""
    model = data_model(cfg)
    return train.Blocks(class_blocks(model, "random"), cfg.batch_size, model.dim)


def fit(cfg: IGConfig, seeds: Sequence[int], progress: ProgressFn | None = None) -> train.Fit:
    """Train every seed's network in one call, online, at lr x K (their mean-field scaling)."""
    n = steps(cfg)
    return train.fit(learner(cfg), train.optimizer("sgd", cfg.lr * cfg.units, n), stream(cfg), n,
                     train.seed_keys(seeds), snapshot_steps=snapshot_steps(cfg), progress=progress)


def held_out(cfg: IGConfig, params: mean_field.Params, seed: int) -> dict[str, float]:
    """Squared error of the heads and accuracy of sign(phi) (their argmax of the two heads) on fresh samples."""
    key = jax.random.fold_in(jax.random.PRNGKey(seed), 7919)
    x, y = data_model(cfg).sample(key, TEST_SAMPLES)
    phi = np.asarray(_apply(params, x, jnp.asarray(mean_field.biases(cfg.units, cfg.bias))))
    t = np.asarray(mean_field.targets(y))
    return {"test_mse": float(np.mean((phi - t) ** 2)), "test_accuracy": float(np.mean(np.sign(phi) == t))}


_apply = jax.jit(mean_field.apply)


def loss_per_time(losses: np.ndarray, d: int) -> np.ndarray:
    """The training loss averaged over each unit of time (D steps)."""
    return losses.reshape(-1, d).mean(axis=1)


def group_metrics(units: list[dict[str, Any]], k: int) -> dict[str, Any]:
    """Mean IPR and localized units of each bias group."""
    out: dict[str, Any] = {}
    for group, slot in mean_field.groups(k).items():
        members = units[slot]
        out[f"ipr_{group}"] = float(np.mean([u["ipr"] for u in members]))
        out[f"n_localized_{group}"] = sum(u["verdict"] == "localized" for u in members)
    return out


def run(cfg: IGConfig, seeds: Sequence[int], progress: ProgressFn | None = None) -> list[SeedResult]:
    """Train every seed together, then measure each seed's final fields and prepare its gallery."""
    result = fit(cfg, seeds, progress)
    shape, d = data_model(cfg).lattice.shape, sites(cfg)
    snap_steps = np.array(result.snapshot_steps)
    title = f"two-layer mean-field net, {describe(cfg)}"
    out = []
    for seed, params, snapshots, losses in per_seed(seeds, result.params, result.snapshots, result.losses):
        units = rf.measure_units(params["w"], shape)
        curve = loss_per_time(losses, d)
        metrics = group_metrics(units, cfg.units) | held_out(cfg, params, seed) | {
            "ipr_random": 3.0 / d, "verdicts": [u["verdict"] for u in units], "steps": steps(cfg),
            "train_loss": float(curve[-1])}
        arrays = {"snapshot_steps": snap_steps, "snapshot_times": snap_steps / d, "fields": snapshots["w"],
                  "ipr_curve": rf.ipr(snapshots["w"]), "loss_per_time": curve,
                  "bias": mean_field.biases(cfg.units, cfg.bias), "param_w": params["w"]} | unit_arrays(units)
        out.append(SeedResult(seed, metrics, arrays, result.seconds / len(seeds),
                              partial(write_gallery, shape, arrays, f"{title}, seed {seed}")))
    return out


def footprint(cfg: IGConfig) -> Footprint:
    """Memory of one run: per seed the weights with every snapshot, every step's loss and a unit of
    time's batches (both classes, as the generic labelled draw makes them); once, the held-out samples,
    the measured snapshots and the gallery."""
    d, n = sites(cfg), steps(cfg)
    snaps = len(snapshot_steps(cfg))
    per_seed = FLOAT * (cfg.units * d * (snaps + 4) + 2 * n + 16 * cfg.batch_size * d * d)
    once = FLOAT * 8 * TEST_SAMPLES * d + DOUBLE * (16 * d + 2 * snaps * cfg.units * d) + gallery_bytes(cfg)
    return Footprint(per_seed, once, f"{n} steps of batch {cfg.batch_size} x {d} sites, {snaps} snapshots",
                     n * cfg.batch_size * d)


TORUS = {"N": 20, "dims": 2, "xi": (1.0, 2.0)}
GAIN = {"g": 100.0}  # Lufkin et al.'s high gain (erf(g z)); the gain of Ingrosso & Goldt's figure is not in their code
DATA_DEFAULTS = {name: TORUS | (GAIN if name.startswith("nlgp") else {})
                 for name in registry.names() if not name.startswith("ising")}
PRESETS: dict[str, dict[str, Any]] = {
    "ring": {"N": 400, "dims": 1},
}

IG_TWO_LAYER = FieldExperiment(
    name="ig-two-layer",
    summary="two-layer mean-field erf network trained online with batch 1 (Ingrosso & Goldt 2022)",
    config=IGConfig, run=run, presets=PRESETS, data_defaults=DATA_DEFAULTS, footprint=footprint,
    numerics=LABELLED_NUMERICS,
    metrics=IGMetrics, dims={"fields": ("snapshot", "unit", "site"), "ipr_curve": ("snapshot", "unit"),
                             "loss_per_time": ("time",)})
