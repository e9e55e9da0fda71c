"""``ig-two-layer`` and ``ig-conv``: Ingrosso & Goldt's experiment, a two-layer network trained online,
fully connected or convolutional.

docs/experiments/ig-two-layer.md. ``ig-two-layer``: K erf units in the mean-field mode of
``rflab.models.mean_field`` (fixed readout 1/K, biases fixed at +b for half the units and -b for the
rest, pre-activations scaled by 1/sqrt(D)), at their learning rate times K (their ``mf`` scaling).
``ig-conv``: their convolutional student of K channels (``rflab.models.conv_student``), at their
learning rate. Both train by plain SGD with batch 1 and each sample's class drawn at random, for
``time`` units of D steps (their ``--time``), all seeds in one vmapped call of the shared engine, and
store the held-out accuracy at log-spaced times. The fully connected units of each bias sign form a
group; the run measures each unit's field (``rflab.metrics.receptive_fields``) at those times.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache, partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from pydantic import Field

from rflab import train
from rflab.config import ConfigError
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
from rflab.models import conv_student, mean_field
from rflab.resources import DOUBLE, FLOAT, Footprint
from rflab.schema import Schema
from rflab.train import ProgressFn

TEST_SAMPLES = 20_000  # their NUM_TESTSAMPLES
CURVE_SAMPLES = 2_000  # the accuracy at every snapshot


class OnlineConfig(DataChoice):
    """Online SGD as Ingrosso & Goldt run it: the batch, the training time in their units, the snapshots."""

    batch_size: int = Field(1, gt=0, description="samples per SGD step, each of a class drawn at random (their --bs)")
    time: int = Field(1000, ge=1, description="training time in the papers' units, SGD steps / D (their --time)")
    snapshots: int = Field(40, ge=2, description="snapshots of the fields, log-spaced in whole units of time "
                                                 "from 1 to the end, and the start")


class IGConfig(OnlineConfig):
    """Ingrosso & Goldt's two-layer network, mean-field mode (defaults: see docs/experiments/ig-two-layer.md)."""

    units: int = Field(8, ge=2, description="hidden units K (their -K); the first K // 2 have bias +b")
    bias: float = Field(1.0, ge=0, allow_inf_nan=False,
                        description="b: the fixed biases are +b and -b (their --bias b)")
    lr: float = Field(0.05, gt=0, description="their --lr; the first layer learns at lr x K (mean-field scaling)")
    init_std: float = Field(0.1, gt=0, description="standard deviation of the initial weights (their std0)")


class IGConvConfig(OnlineConfig):
    """Ingrosso & Goldt's convolutional student (defaults: see docs/experiments/ig-two-layer.md); its filters
    and biases start uniform in +-1/sqrt(fan_in), PyTorch's default, as theirs."""

    units: int = Field(8, ge=1, description="channels K (their -K), each one filter")
    kernel: int = Field(5, ge=1, description="filter width in sites, a side (their --kernel_size)")
    bias: bool = Field(True, description="a trained bias per channel (their --bias given without a value); "
                                         "without it sign(phi) cannot classify")
    lr: float = Field(0.05, gt=0, description="their --lr; filters and biases learn at it, unscaled (as theirs)")


class IGConvMetrics(Schema):
    """Each seed's held-out error and accuracy of the sign of phi, the training loss over the last unit
    of time, and the filters' mean IPR over their kernel against a random filter's."""

    test_mse: float
    test_accuracy: float
    train_loss: float
    steps: int
    filter_ipr: float
    filter_ipr_random: float


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


def steps(cfg: OnlineConfig) -> int:
    """SGD steps of a run: ``time`` x D."""
    return cfg.time * sites(cfg)


def snapshot_steps(cfg: OnlineConfig) -> list[int]:
    """Step 0 and up to ``snapshots`` whole times log-spaced from 1 to ``time`` (as their ``times_to_print``,
    which start at 0.1), in steps: whole units of time, because the draws come one unit at a time.
    Log-spaced points finer than the narrowest rounding interval, log10(1 + 1/time), hit every whole
    time, which is then taken without building a grid of ``snapshots`` points (2e9 of them took 21 GB)."""
    dense = (cfg.snapshots - 1) * math.log10(1 + 1 / cfg.time) > math.log10(cfg.time)
    times = range(1, cfg.time + 1) if dense else np.logspace(0, math.log10(cfg.time), cfg.snapshots).round()
    return sorted({0} | {int(t) * sites(cfg) for t in times})


def phi(cfg: OnlineConfig) -> Callable[[Any, jax.Array], jax.Array]:
    """The network's first head, phi(params, x), of a config's student."""
    if isinstance(cfg, IGConvConfig):
        return partial(conv_student.apply, shape=data_model(cfg).lattice.shape)
    return partial(mean_field.apply, bias=jnp.asarray(mean_field.biases(cfg.units, cfg.bias)))


def learner(cfg: OnlineConfig) -> train.Learner:
    """The network of a config, on the data model's base draws (the transform is applied in the loss)."""
    model = data_model(cfg)
    args = model.transform_args()
    if isinstance(cfg, IGConvConfig):
        shape = model.lattice.shape
        init = partial(conv_student.init, shape=shape, channels=cfg.units, kernel=cfg.kernel, bias=cfg.bias)
        network_loss = partial(conv_student.loss, shape=shape)
    else:
        init = partial(mean_field.init, dim=model.dim, units=cfg.units, std=cfg.init_std)
        network_loss = partial(mean_field.loss, bias=jnp.asarray(mean_field.biases(cfg.units, cfg.bias)))

    def loss(params: Any, batch: tuple[jax.Array, jax.Array]) -> jax.Array:
        z, y = batch
        return network_loss(params, (model.transform(z, args), y))

    return train.Learner(init=init, loss=loss)


def learning_rate(cfg: OnlineConfig) -> float:
    """Their learning rate as their code sets it: x K for the mean-field net, unscaled for the convolutional."""
    return cfg.lr if isinstance(cfg, IGConvConfig) else cfg.lr * cfg.units


def stream(cfg: OnlineConfig) -> train.Blocks:
    """Batches of per-sample random classes, drawn one unit of time (D steps) at a time."""
    model = data_model(cfg)
    return train.Blocks(class_blocks(model, "random"), cfg.batch_size, model.dim)


def fit(cfg: OnlineConfig, seeds: Sequence[int], progress: ProgressFn | None = None) -> train.Fit:
    """Train every seed's network in one call, online, at ``learning_rate``."""
    n = steps(cfg)
    return train.fit(learner(cfg), train.optimizer("sgd", learning_rate(cfg), n), stream(cfg), n,
                     train.seed_keys(seeds), snapshot_steps=snapshot_steps(cfg), progress=progress)


Heads = Callable[[Any, jax.Array], jax.Array]


@lru_cache(maxsize=16)
def evaluators(cfg: OnlineConfig) -> tuple[Heads, Heads]:
    """The jitted heads of a config's network on chunks of samples (final parameters) and on one chunk
    (every snapshot): compiled once per config, not once per seed, as the samples are arguments."""
    head = phi(cfg)
    final = jax.jit(lambda p, chunks: jax.lax.map(lambda xb: head(p, xb), chunks))
    curve = jax.jit(lambda s, x: jax.lax.map(lambda p: head(p, x), s))
    return final, curve


def held_out(cfg: OnlineConfig, snapshots: Any, seed: int) -> tuple[dict[str, float], np.ndarray]:
    """On fresh samples of the seed, the squared error of the heads and the accuracy of sign(phi) (their
    argmax of the two heads) of the final network on all of them, and the accuracy at every snapshot on
    the first ``CURVE_SAMPLES`` (a standard error of about 1%)."""
    key = jax.random.fold_in(jax.random.PRNGKey(seed), 7919)
    x, y = data_model(cfg).sample(key, TEST_SAMPLES)
    t = np.asarray(mean_field.targets(y))
    chunks = x.reshape(-1, CURVE_SAMPLES, x.shape[-1])  # in chunks: a convolutional student's hidden units are big
    final_heads, curve_heads = evaluators(cfg)
    final = np.asarray(final_heads(jax.tree.map(lambda a: a[-1], snapshots), chunks)).reshape(-1)
    curve = np.asarray(curve_heads(snapshots, chunks[0]))
    accuracy = np.mean(np.sign(curve) == t[:CURVE_SAMPLES], axis=1)
    metrics = {"test_mse": float(np.mean((final - t) ** 2)), "test_accuracy": float(np.mean(np.sign(final) == t))}
    return metrics, accuracy


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


def run(cfg: OnlineConfig, seeds: Sequence[int], progress: ProgressFn | None = None) -> list[SeedResult]:
    """Train every seed together, then measure each seed's final fields (a convolutional student's
    filters, over their kernel) and held-out accuracy, and prepare its gallery."""
    result = fit(cfg, seeds, progress)
    d = sites(cfg)
    conv = isinstance(cfg, IGConvConfig)
    shape = (cfg.kernel,) * int(cfg.dims) if conv else data_model(cfg).lattice.shape
    snap_steps = np.array(result.snapshot_steps)
    title = f"{'convolutional student' if conv else 'two-layer mean-field net'}, {describe(cfg)}"
    out = []
    for seed, params, snapshots, losses in per_seed(seeds, result.params, result.snapshots, result.losses):
        filters = params["w"].reshape(cfg.units, -1)
        units = rf.measure_units(filters, shape)
        curve = loss_per_time(losses, d)
        final, accuracy = held_out(cfg, snapshots, seed)
        metrics = final | {"train_loss": float(curve[-1]), "steps": steps(cfg)}
        if conv:
            metrics |= {"filter_ipr": float(np.mean(rf.ipr(filters))),
                        "filter_ipr_random": 3.0 / (filters.shape[1] + 2)}
        else:
            metrics |= group_metrics(units, cfg.units) | {"ipr_random": 3.0 / d,
                                                           "verdicts": [u["verdict"] for u in units]}
        fields = snapshots["w"].reshape(len(snap_steps), cfg.units, -1)
        arrays = {"snapshot_steps": snap_steps, "snapshot_times": snap_steps / d, "fields": fields,
                  "ipr_curve": rf.ipr(fields), "loss_per_time": curve, "accuracy_curve": accuracy,
                  "param_w": params["w"]} | unit_arrays(units)
        if not conv:
            arrays["bias"] = mean_field.biases(cfg.units, cfg.bias)
        out.append(SeedResult(seed, metrics, arrays, result.seconds / len(seeds),
                              partial(write_gallery, shape, arrays, f"{title}, seed {seed}")))
    return out


def check_kernel(cfg: IGConvConfig) -> None:
    """A ConfigError when the filters leave no window of 2 to pool (kernel above N - 1)."""
    if cfg.kernel > int(cfg.N) - 1:
        raise ConfigError(f"kernel={cfg.kernel}: the filters must leave at least 2 positions to pool a side, "
                          f"so at most N - 1 = {int(cfg.N) - 1}")


def footprint(cfg: OnlineConfig) -> Footprint:
    """Memory of one run: per seed the weights with every snapshot, every step's loss and a unit of
    time's batches (both classes, as the generic labelled draw makes them); once, the held-out samples,
    the measured snapshots and the gallery."""
    d, n = sites(cfg), steps(cfg)
    snaps = min(cfg.snapshots, cfg.time) + 1  # at most step 0 and each whole time, counted without building them
    per_seed = FLOAT * (cfg.units * d * (snaps + 4) + 2 * n + 16 * cfg.batch_size * d * d)
    once = FLOAT * 8 * TEST_SAMPLES * d + DOUBLE * (16 * d + 2 * snaps * cfg.units * d) + gallery_bytes(cfg)
    if isinstance(cfg, IGConvConfig):  # the held-out pass: each channel's map before pooling, its erf, the pooled
        once += FLOAT * 3 * TEST_SAMPLES * cfg.units * d
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
                             "loss_per_time": ("time",), "accuracy_curve": ("snapshot",)})
IG_CONV = FieldExperiment(
    name="ig-conv",
    summary="convolutional student of Ingrosso & Goldt (K channels, max pooling) trained online with batch 1",
    config=IGConvConfig, run=run, presets=PRESETS, data_defaults=DATA_DEFAULTS, footprint=footprint,
    numerics=LABELLED_NUMERICS, metrics=IGConvMetrics, check=check_kernel,
    dims={"fields": ("snapshot", "channel", "tap"), "ipr_curve": ("snapshot", "channel"),
          "loss_per_time": ("time",), "accuracy_curve": ("snapshot",)})
