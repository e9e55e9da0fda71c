"""``rf-neuron``, ``rf-committee`` and ``rf-ica``: receptive fields learned on the localization data.

docs/localization.md, sections 3-5. Every learner trains online (a fresh two-class batch every step, never
reused) with plain SGD on the squared error, all seeds in one vmapped call of the shared engine.
ICA (scikit-learn FastICA) runs on pooled samples of both classes. Each unit's field is measured
by ``rflab.metrics.receptive_fields`` (IPR, circular centre and width, best-fit sinusoid, verdict).

The data model is chosen with ``--set data=NAME`` and its parameters with the registry's own keys
(``--set g=100``, ``--set k=5``, ``--set xi=1,3``, ``--set J=0.3,0.7``, ``--set radial=t``, ...).
A key the chosen model does not take is an error; an unset key takes the experiment's default
for that model (``nlgp``: the paper's high gain g = 100; ``rf-committee`` on ``kur``: N = 100,
k = 10; ``rf-ica`` on ``kur``: k = 3), else the registry's. The stored config holds the resolved
values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

import jax
import jax.numpy as jnp
import numpy as np
from pydantic import ConfigDict, Field, create_model, model_validator

from rflab import train
from rflab.config import Config, ConfigError, added, digest
from rflab.data import registry
from rflab.data.fields import DataModel
from rflab.experiments.base import Experiment, Family, SeedResult, per_seed
from rflab.metrics import receptive_fields as rf
from rflab.models import neurons
from rflab.plots import receptive_fields as plots
from rflab.resources import DOUBLE, FLOAT, Footprint
from rflab.schema import Schema
from rflab.train import ProgressFn

DATA_KEYS = tuple(registry.keys())  # declared once, by the data models' own parameters
STORED_DATA_KEYS = ("N", "dims", "xi", "g", "k", "radial", "nu", "J")  # in stored configs; one added since is ``added``
HIGH_GAIN: dict[str, dict[str, Any]] = {"nlgp": {"g": 100.0}, "nlgp-clone": {"g": 100.0}}
TEST_SAMPLES = 10_000
LOSS_WINDOW = 100
LABELLED_NUMERICS = 3  # random labels: since 3, one draw of the rows' own classes (was both classes, one kept)
GALLERY, TRAINING = "receptive_fields.png", "training.png"  # the files every run writes into its folder


class DataSettings(Config):
    """A data model by registry name; its parameters are the registry's keys (``DataChoice``). Keys of a
    model registered after this module was imported (``registry.register``) are taken as extra fields,
    checked against the registry when a config is validated."""

    model_config = ConfigDict(extra="allow", frozen=True, allow_inf_nan=False)
    data: str = Field("nlgp", description="data model: gaussian, nlgp, kur, elliptical, ising or a -clone")

    @model_validator(mode="before")
    @classmethod
    def _registered_keys(cls, values: Any) -> Any:
        """Refuse a key that is neither a setting of this config nor a parameter of a registered model,
        and a registered model's parameter that a setting of this config would shadow."""
        if isinstance(values, Mapping):
            models = registry.keys()
            clash = sorted(set(models) & set(cls.model_fields) - set(DATA_KEYS))
            if clash:
                raise ValueError(f"a registered data model takes {clash[0]!r}, a setting of {cls.__name__}: "
                                 "give the model's parameter another name")
            unknown = sorted(set(values) - set(cls.model_fields) - set(models))
            if unknown:
                allowed = ", ".join(sorted(set(cls.model_fields) | set(models)))
                raise ValueError(f"unknown key {unknown[0]!r}; allowed keys: {allowed}")
        return values

    def given(self) -> dict[str, Any]:
        """The data keys that are set (those of models registered later included)."""
        return {key: value for key in registry.keys() if (value := getattr(self, key, None)) is not None}


# Each key any data model takes, None unless set (then the model's or the experiment's default); the
# values are validated by the chosen model's own parameters (``resolve_data``), which know its ranges.
# A key a data model added later is left out of the stored config while unset, so older runs keep their ids.
DataChoice = create_model(
    "DataChoice", __base__=DataSettings, __doc__="A data model by registry name and its parameters (None: the "
    "model's default).", **{key: (Any, Field(None, description=text) if key in STORED_DATA_KEYS else
                                  added(None, description=text)) for key, text in registry.keys().items()})


class FieldMetrics(Schema):
    """Each seed's receptive fields measured (``metrics.receptive_fields.summarise_units``): the IPR and
    the other measures over units, the verdict counts and every unit's verdict; a single unit's own
    centre and sinusoid; held-out error and accuracy and the final training loss of a trained learner."""

    ipr: float
    ipr_min: float
    ipr_max: float
    ipr_times_D: float
    ipr_random: float
    ipr_sinusoid: float
    r2: float
    power_explained: float
    mean_power: float
    width: float
    n_localized: int
    n_oscillatory: int
    n_unstructured: int
    verdict: str
    verdicts: list[str]
    centre: list[float]
    frequency: float
    phase: float
    amplitude: float
    offset: float
    test_mse: float
    test_accuracy: float
    train_loss: float


def resolve_data(cfg: DataChoice, defaults: dict[str, dict[str, Any]]) -> DataChoice:
    """Validate the data keys against the chosen model and fill in ``defaults[model]``, then the
    registry's defaults (ConfigError if a key does not fit the model)."""
    params = registry.params(cfg.data, defaults.get(cfg.data, {}), cfg.given())
    values = params.model_dump()
    return cfg.model_copy(update={key: values.get(key) for key in DATA_KEYS}
                          | {key: value for key, value in values.items() if key not in DATA_KEYS})


def data_model(cfg: DataChoice) -> DataModel:
    """The data model a resolved config names."""
    return registry.create(cfg.data, cfg.given())


def describe(cfg: DataChoice) -> str:
    """A short label of the data: name and parameters."""
    parts = [f"{key}={_fmt(v)}" for key, v in cfg.given().items() if key not in ("dims",)]
    return f"{cfg.data} " + " ".join(parts)


def _fmt(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return ",".join(f"{v:g}" for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


class NeuronConfig(DataChoice):
    """One ReLU neuron without bias, y_hat = ReLU(w . x) (defaults: Fig. 3 settings, NLGP g = 100)."""

    init_scale: float = Field(1e-3, gt=0, description="variance scale of the Glorot-normal weights")
    lr: float = Field(0.05, gt=0, description="SGD learning rate")
    batch_size: int = Field(10_000, gt=0, description="fresh samples per step")
    steps: int = Field(2000, gt=0, description="SGD steps")
    snapshots: int = Field(40, gt=0, description="snapshots of the fields over training")
    replicate: int = added(0, ge=0,
                           description="0: the seed's own data stream; r > 0: an independent stream from the "
                                       "same initial weights (SGD noise alone)")
    labels: Literal["balanced", "random"] = added(
        "balanced", description="balanced: each batch half class 0, half class 1; random: each sample's class "
                                "drawn with probability 1/2 (online SGD as the papers run it, any batch size)")

    @model_validator(mode="after")
    def _balanced_needs_two(self) -> NeuronConfig:
        """A balanced batch holds both classes, so it has at least two samples."""
        if self.labels == "balanced" and self.batch_size < 2:
            raise ValueError(f"batch_size={self.batch_size}: a balanced batch holds both classes, so at least 2; "
                             "labels=random draws each sample's class (batch 1, as the papers' online SGD)")
        return self


class CommitteeConfig(NeuronConfig):
    """A soft committee machine (or, with train_readout, a two-layer network, and with mlp the authors' MLP);
    defaults: Fig. 5, Kur(10)."""

    @model_validator(mode="after")
    def _one_kind_of_bias(self) -> CommitteeConfig:
        """Trained biases and fixed ones exclude each other."""
        if self.bias and self.bias_value is not None:
            raise ValueError(f"bias_value={self.bias_value}: fixed biases are not trained, so set bias=false too")
        return self

    @model_validator(mode="after")
    def _mlp_is_two_layer(self) -> CommitteeConfig:
        """The authors' MLP trains its readout, and its biases are trained or absent."""
        if self.mlp and not self.train_readout:
            raise ValueError("mlp=true: the authors' MLP trains its readout, so set train_readout=true too")
        if self.mlp and self.bias_value is not None:
            raise ValueError(f"bias_value={self.bias_value}: rflab's MLP has trained biases or none (bias=true "
                             "or false), not fixed ones")
        return self

    data: str = "kur"
    units: int = Field(10, gt=0, description="hidden units K")
    activation: Literal["relu", "sigmoid", "tanh", "erf", "linear"] = Field("sigmoid", description="unit nonlinearity")
    bias: bool = Field(True, description="trainable biases")
    bias_value: float | None = added(None, allow_inf_nan=False,
                                     description="biases fixed at this value and not trained (the authors' "
                                                 "bias_trainable=False); unset: as `bias` says")
    train_readout: bool = Field(False, description="train the readout too (two-layer network)")
    mlp: bool = added(False, description="the authors' MLP: the readout starts at 1 plus Glorot-normal noise times "
                                         "sqrt(init_scale), and with bias=true an output bias is trained too "
                                         "(needs train_readout=true)")
    init_scale: float = Field(0.1, gt=0)
    lr: float = Field(100.0, gt=0)
    batch_size: int = Field(1000, gt=0)
    steps: int = Field(5000, gt=0)


class ICAConfig(DataChoice):
    """FastICA on pooled samples of both classes (defaults: Fig. 5, Kur(3) at N = 40)."""

    data: str = "kur"
    samples: int = Field(100_000, gt=1, description="pooled samples, both classes")
    components: int = Field(40, gt=0, description="independent components")
    max_iter: int = Field(1000, gt=0, description="FastICA iterations at most")
    tol: float = Field(1e-4, gt=0, description="FastICA tolerance")


@dataclass(frozen=True)
class FieldExperiment(Experiment):
    """An experiment whose config names a data model: its keys are checked against that model and
    unset ones filled from ``data_defaults[model]``, then from the registry."""

    data_defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    check: Callable[[Any], None] | None = None  # a resolved config's own check (ConfigError), after the data's

    def numerics_of(self, config: Mapping[str, Any]) -> int:
        """The experiment's version, or the data model's when that is later (Kur's table: 2), or that of
        random labels' draws (``LABELLED_NUMERICS``) for a config with random labels."""
        labelled = LABELLED_NUMERICS if config.get("labels") == "random" else 1
        return max(self.numerics, registry.numerics(config["data"]), labelled)

    def configure(self, preset: str | None = None, overrides: Mapping[str, Any] | None = None) -> Config:
        cfg = resolve_data(super().configure(preset, overrides), self.data_defaults)  # type: ignore[arg-type]
        check_gallery(cfg)
        if self.check is not None:
            self.check(cfg)
        return cfg


def gallery_units(cfg: DataChoice) -> tuple[str, int]:
    """The setting that counts the fields a run's gallery draws, and that count (ICA: at most D)."""
    if isinstance(cfg, ICAConfig):
        return "components", min(cfg.components, int(cfg.N) ** int(cfg.dims))
    return "units", getattr(cfg, "units", 1)


def check_gallery(cfg: DataChoice) -> None:
    """A ConfigError when the gallery of every unit's field could not be drawn (after the training)."""
    key, units = gallery_units(cfg)
    ring = cfg.dims == 1
    most = plots.gallery_max_units(ring)
    if units > most:
        raise ConfigError(f"{key}={units}: the receptive-field gallery draws at most {most} fields on a "
                          f"{'ring' if ring else 'torus'} ({plots.PIXELS_A_SIDE} pixels a side)")


def class_blocks(model: DataModel, labels: str = "balanced") -> Callable[[jax.Array, int], tuple[jax.Array, jax.Array]]:
    """Training batches of the model's base draws (``transform`` is applied by the learner's loss,
    so runs differing in the transform share them), without the shuffle of ``model.sample``.

    ``balanced``: n // 2 rows of class 0, then class 1 (a batch-mean loss does not see the order, and
    the shuffle costs a third of the step). ``random``: each row's class is a fair coin, as in the
    papers' online SGD (batch 1 included), and the rows are drawn by ``DataModel.base_labelled``
    (numerics version ``LABELLED_NUMERICS``)."""

    def balanced(key: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
        k0, k1 = jax.random.split(key)
        n0 = n // 2
        z = jnp.concatenate([model.base(k0, n0, 0), model.base(k1, n - n0, 1)])
        return z, jnp.concatenate([jnp.zeros(n0, jnp.float32), jnp.ones(n - n0, jnp.float32)])

    def random(key: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
        k_draw, k_y = jax.random.split(key)
        y = jax.random.bernoulli(k_y, 0.5, (n,))
        return model.base_labelled(k_draw, y), y.astype(jnp.float32)

    return {"balanced": balanced, "random": random}[labels]


def transformed_loss(model: DataModel, args: Mapping[str, Any], arch: dict[str, Any]) -> Callable[..., jax.Array]:
    """The squared error of a learner on the model's samples made from a batch of base draws."""

    def loss(params: neurons.Params, batch: tuple[jax.Array, jax.Array]) -> jax.Array:
        z, y = batch
        return neurons.loss(with_fixed_bias(arch, params), (model.transform(z, args), y), activation=arch["activation"])

    return loss


def architecture(cfg: NeuronConfig) -> dict[str, Any]:
    """Units, activation, bias, fixed bias (None: none), readout and MLP start of the learner a config describes."""
    return {"units": getattr(cfg, "units", 1), "activation": getattr(cfg, "activation", "relu"),
            "bias": getattr(cfg, "bias", False), "fixed_bias": getattr(cfg, "bias_value", None),
            "readout": getattr(cfg, "train_readout", False), "mlp": getattr(cfg, "mlp", False)}


def with_fixed_bias(arch: dict[str, Any], params: neurons.Params) -> neurons.Params:
    """The parameters the learner applies: the trained ones, and the fixed biases where there are some."""
    if arch["fixed_bias"] is None:
        return params
    return params | {"b": jnp.full(arch["units"], arch["fixed_bias"], jnp.float32)}


def snapshot_steps(cfg: NeuronConfig) -> list[int]:
    """About ``cfg.snapshots`` + 1 evenly spaced steps from 0 to the last; every step when the grid is
    at least that fine, taken without building a grid of ``snapshots`` points (2e9 of them need 16 GB)."""
    if cfg.snapshots >= cfg.steps:
        return list(range(cfg.steps + 1))
    return sorted({round(float(s)) for s in np.linspace(0, cfg.steps, cfg.snapshots + 1)})


POINT_KEYS = ("lr", "init_scale")  # learner numbers that runs sharing their data draws may differ in


def family(cfg: DataChoice) -> str | None:
    """Configs with the same family train together in one call on the same draws: they differ only in
    the learning rate, the initial weights' scale and the data model's ``shared`` parameters (NLGP's
    gain, Kur's k), so every point sees the same base Gaussian fields (common random numbers). None
    for FastICA, which runs one config at a time."""
    if isinstance(cfg, ICAConfig):
        return None
    free = set(POINT_KEYS) | set(data_model(cfg).shared)
    return digest({k: v for k, v in cfg.model_dump().items() if k not in free})


def point(cfg: NeuronConfig) -> dict[str, Any]:
    """The numbers one point of a family trains with (float32, as a lone run uses them)."""
    return {"lr": np.float32(cfg.lr), "init_scale": np.float32(cfg.init_scale),
            "data": data_model(cfg).transform_args()}


def fit(cfgs: Sequence[NeuronConfig], seeds: Sequence[int], progress: ProgressFn | None = None) -> train.Fit:
    """Train the learner of every config of one family and every seed in one call, online, with
    snapshots at ``snapshot_steps``; each step draws a seed's batch once for all configs."""
    cfg = cfgs[0]
    model, arch = data_model(cfg), architecture(cfg)
    points = jax.tree.map(lambda *v: np.stack(v), *(point(c) for c in cfgs))

    def build(p: dict[str, Any]) -> tuple[train.Learner, Any]:
        learner = train.Learner(
            init=partial(neurons.init, dim=model.dim, units=arch["units"], scale=p["init_scale"], bias=arch["bias"],
                         readout=arch["readout"], mlp=arch["mlp"]),
            loss=transformed_loss(model, p["data"], arch),
        )
        return learner, train.optimizer("sgd", p["lr"], cfg.steps)

    stream = train.Online(class_blocks(model, cfg.labels), cfg.batch_size)
    keys = train.seed_keys(seeds)
    stream_keys = np.asarray(jax.vmap(jax.random.fold_in, (0, None))(keys, cfg.replicate)) if cfg.replicate else None
    return train.fit_points(build, points, stream, cfg.steps, keys, stream_keys, snapshot_steps(cfg),
                            progress=progress)


def held_out(cfg: NeuronConfig, params: neurons.Params, seed: int) -> dict[str, float]:
    """Squared error and accuracy (y_hat > 1/2) on TEST_SAMPLES fresh samples."""
    model = data_model(cfg)
    key = jax.random.fold_in(jax.random.PRNGKey(seed), 7919)
    x, y = model.sample(key, TEST_SAMPLES)
    arch = architecture(cfg)
    y_hat = np.asarray(_apply(with_fixed_bias(arch, params), x, arch["activation"]))
    y = np.asarray(y)
    return {"test_mse": float(np.mean((y - y_hat) ** 2)), "test_accuracy": float(np.mean((y_hat > 0.5) == (y > 0.5)))}


_apply = jax.jit(neurons.apply, static_argnums=2)


def unit_arrays(units: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Per-unit measurements as arrays for the store (centres padded to the lattice's axes)."""
    keys = ("ipr", "width", "frequency", "phase", "amplitude", "offset", "r2", "power_explained", "mean_power")
    out = {f"unit_{k}": np.array([u[k] for u in units]) for k in keys}
    out["unit_centre"] = np.array([u["centre"] for u in units])
    out["unit_verdict"] = np.array([u["verdict"] for u in units])
    return out


def seed_metrics(units: list[dict[str, Any]], shape: tuple[int, ...]) -> dict[str, Any]:
    """The summary over units, plus the unit itself when there is one."""
    summary = rf.summarise_units(units, shape) | {"verdicts": [u["verdict"] for u in units]}
    if len(units) == 1:
        only = units[0]
        summary |= {k: only[k] for k in ("centre", "frequency", "phase", "amplitude", "offset")}
    return summary


def run_family(cfgs: Sequence[NeuronConfig], seeds: Sequence[int],
               progress: ProgressFn | None = None) -> list[list[SeedResult]]:
    """Train every config of one family and every seed together (``fit``), then measure each run's
    fields and prepare its gallery: one list of seed results per config."""
    result = fit(cfgs, seeds, progress)
    seconds = result.seconds / (len(seeds) * len(cfgs))
    return [measure_point(cfg, seeds, result, j, seconds) for j, cfg in enumerate(cfgs)]


def measure_point(cfg: NeuronConfig, seeds: Sequence[int], result: train.Fit, j: int,
                  seconds: float) -> list[SeedResult]:
    """The seed results of point ``j`` of a family's fit."""
    at = partial(jax.tree.map, lambda a: a[:, j])
    shape = data_model(cfg).lattice.shape
    title = describe(cfg)
    out = []
    for seed, params, snapshots, losses in per_seed(seeds, at(result.params), at(result.snapshots),
                                                    result.losses[:, j]):
        snaps = snapshots["w"]
        units = rf.measure_units(params["w"], shape)
        metrics = seed_metrics(units, shape) | held_out(cfg, params, seed) | {
            "train_loss": float(np.mean(losses[-LOSS_WINDOW:]))}
        arrays = {"losses": losses, "snapshot_steps": np.array(result.snapshot_steps),
                  "snapshot_times": np.array(result.snapshot_steps) / math.prod(shape), "fields": snaps,
                  "ipr_curve": rf.ipr(snaps)} | {f"param_{k}": np.asarray(v) for k, v in params.items()}
        arrays |= unit_arrays(units)
        out.append(SeedResult(seed, metrics, arrays, seconds,
                              partial(write_gallery, shape, arrays, f"{title}, seed {seed}")))
    return out


def run_trained(cfg: NeuronConfig, seeds: Sequence[int], progress: ProgressFn | None = None) -> list[SeedResult]:
    """One config: a family of one (so a lone run and a sweep's point take the same path)."""
    return run_family([cfg], seeds, progress)[0]


def write_gallery(shape: tuple[int, ...], arrays: dict[str, np.ndarray], title: str, folder: Path) -> None:
    """Every unit's final field and its evolution, with the measurements in the titles; training curves."""
    units = stored_units(arrays)
    plots.gallery(arrays["fields"], arrays["snapshot_steps"], units, shape, title, folder / GALLERY)
    if "losses" in arrays:
        plots.training(arrays["losses"], arrays["snapshot_steps"], arrays["ipr_curve"], shape, title,
                       folder / TRAINING)


def stored_units(arrays: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """Per-unit measurements back from ``unit_arrays``."""
    n = len(arrays["unit_ipr"])
    keys = [k.removeprefix("unit_") for k in arrays if k.startswith("unit_")]
    return [{k: arrays[f"unit_{k}"][j].tolist() for k in keys} for j in range(n)]


def ica_fields(cfg: ICAConfig, seed: int) -> tuple[np.ndarray, float]:
    """FastICA (parallel, unit-variance whitening, random_state = seed) on ``cfg.samples`` pooled
    samples drawn with the seed's key; the unmixing filters, unit norm, largest entry positive."""
    import time

    from sklearn.decomposition import FastICA

    start = time.perf_counter()
    x, _ = data_model(cfg).sample(jax.random.PRNGKey(seed), cfg.samples)
    ica = FastICA(n_components=cfg.components, algorithm="parallel", whiten="unit-variance", max_iter=cfg.max_iter,
                  tol=cfg.tol, random_state=seed)
    ica.fit(np.asarray(x, np.float64))
    w = ica.components_ / np.linalg.norm(ica.components_, axis=1, keepdims=True)
    sign = np.sign(w[np.arange(len(w)), np.argmax(np.abs(w), axis=1)])
    return w * sign[:, None], time.perf_counter() - start


def run_ica(cfg: ICAConfig, seeds: Sequence[int], progress: ProgressFn | None = None) -> list[SeedResult]:
    """FastICA for each seed (a fresh pooled sample and a fresh FastICA start each)."""
    shape = data_model(cfg).lattice.shape
    out = []
    for done, seed in enumerate(seeds):
        fields, seconds = ica_fields(cfg, seed)
        units = rf.measure_units(fields, shape)
        arrays = {"fields": fields[None], "snapshot_steps": np.array([0])} | unit_arrays(units)
        out.append(SeedResult(seed, seed_metrics(units, shape), arrays, seconds,
                              partial(write_gallery, shape, arrays, f"ICA, {describe(cfg)}, seed {seed}")))
        if progress is not None:
            progress(done + 1, len(seeds))
    return out


def sites(cfg: DataChoice) -> int:
    """D, the input dimension of a resolved config (N sites per side, ``dims`` sides)."""
    return int(cfg.N) ** int(cfg.dims)


def gallery_bytes(cfg: DataChoice) -> int:
    """The gallery's raster (RGBA, drawn and encoded)."""
    width, height = plots.gallery_inches(max(gallery_units(cfg)[1], 1), cfg.dims == 1)
    return 2 * 4 * int(width * height * plots.GALLERY_DPI**2)


def trained_footprint(cfg: NeuronConfig) -> Footprint:
    """Memory of one online-trained run (``rflab.resources``): per seed the weights with the optimiser
    state and every snapshot, the losses, and a step's fresh batch through the sampler's FFTs; once,
    the held-out samples, every unit's snapshots measured and the gallery."""
    d, units = sites(cfg), architecture(cfg)["units"]
    params = units * (d + 3)
    snaps = min(cfg.steps, cfg.snapshots) + 2
    draws = 8 * cfg.batch_size * d * (2 if cfg.labels == "random" else 1)  # a generic labelled draw makes both
    per_seed = FLOAT * (params * (6 + snaps) + 2 * cfg.steps + draws + 4 * cfg.batch_size * units)
    once = FLOAT * 8 * TEST_SAMPLES * d + DOUBLE * (16 * d + 2 * snaps * units * d) + gallery_bytes(cfg)
    return Footprint(per_seed, once, f"batch {cfg.batch_size} x {d} sites, {snaps} snapshots of {params} weights, "
                                     f"{cfg.steps} steps", cfg.steps * cfg.batch_size * d)


def family_footprint(cfgs: Sequence[NeuronConfig]) -> Footprint:
    """Memory of a family trained together: each point's weights, snapshots and losses, one shared
    batch of base draws and one point's transformed batch at a time (``lax.map``)."""
    one = trained_footprint(cfgs[0])
    d, units, batch = sites(cfgs[0]), architecture(cfgs[0])["units"], cfgs[0].batch_size
    weights = one.per_seed - FLOAT * (8 * batch * d + 4 * batch * units)
    per_seed = len(cfgs) * weights + FLOAT * (10 * batch * d + 4 * batch * units)
    return Footprint(per_seed, one.once * len(cfgs), f"{len(cfgs)} configs on shared batches of {batch} x {d} sites",
                     one.work_per_seed * len(cfgs))


def ica_footprint(cfg: ICAConfig) -> Footprint:
    """Memory of one FastICA run: the pooled samples, their float64 copies through whitening and the
    iterations (one seed at a time), and the filters kept per seed."""
    d = sites(cfg)
    comps = min(cfg.components, d)
    once = FLOAT * cfg.samples * d + DOUBLE * (5 * cfg.samples * d + 4 * cfg.samples * comps + 3 * d * d)
    return Footprint(DOUBLE * 4 * comps * d, once + gallery_bytes(cfg),
                     f"{cfg.samples} samples x {d} sites, {comps} components")


FIG3 = {"batch_size": 10_000, "lr": 0.05, "steps": 2000, "init_scale": 1e-3}
NEURON_PRESETS: dict[str, dict[str, Any]] = {
    "nlgp": {"data": "nlgp", "g": 100.0},
    "gaussian": {"data": "gaussian"},
    "ising": {"data": "ising", "batch_size": 500},
    "kur5": {"data": "kur", "k": 5.0},
    "shell": {"data": "elliptical", "radial": "shell", "steps": 5000},
    "custom": {"data": "elliptical", "radial": "custom", "steps": 5000},
    "t3": {"data": "elliptical", "radial": "t", "nu": 3.0, "batch_size": 1000, "lr": 0.01, "steps": 10_000,
           "init_scale": 1.0},
}
COMMITTEE_PRESETS: dict[str, dict[str, Any]] = {
    "kur10": {"k": 10.0},
    "kur30": {"k": 30.0},
    "kur4": {"k": 4.0},
    "wide-nlgp": {"data": "nlgp", "g": 100.0, "N": 100, "units": 100, "bias": False, "bias_value": -1.0,
                  "init_scale": 1e-3, "lr": 5.0},
    "wide-kur5": {"k": 5.0, "units": 100, "activation": "relu", "bias": False, "init_scale": 1e-3, "lr": 5.0},
    "wide-kur6": {"k": 6.0, "units": 100, "activation": "relu", "bias": False, "init_scale": 0.1, "lr": 5.0},
    "fig1": {"data": "nlgp", "g": 100.0, "N": 30, "dims": 2, "xi": (1.0, 2.0), "units": 20,
             "activation": "relu", "bias": False, "init_scale": 0.01, "lr": 3.0, "batch_size": 10_000,
             "steps": 10_000},
}
MLP = {"N": 40, "train_readout": True, "mlp": True, "init_scale": 1e-3}  # fig5.ipynb cells 12-20 (LSG 320fde3)
MLP_NLGP = MLP | {"data": "nlgp", "g": 100.0, "units": 10, "activation": "relu", "lr": 1.0, "steps": 2000}
MLP_KUR30 = MLP | {"k": 30.0, "units": 100, "batch_size": 200}
COMMITTEE_PRESETS |= {
    "mlp-kur4": MLP | {"k": 4.0, "units": 10, "lr": 10.0},
    "mlp-kur30-relu": MLP_KUR30 | {"activation": "relu", "lr": 2.0},
    "mlp-kur30-b5000": MLP_KUR30 | {"activation": "relu", "lr": 0.5, "batch_size": 5000, "steps": 2000},
    "mlp-kur30-sigmoid": MLP_KUR30 | {"lr": 50.0},
    "mlp-nlgp-nobias": MLP_NLGP | {"bias": False},
    "mlp-nlgp": MLP_NLGP,
    "mlp-nlgp-sigmoid": MLP_NLGP | {"activation": "sigmoid", "init_scale": 1.0, "lr": 10.0},
}
ICA_PRESETS: dict[str, dict[str, Any]] = {
    "kur3": {},
    "fig1": {"data": "nlgp", "g": 100.0, "N": 12, "dims": 2, "xi": (0.7, 0.1), "components": 64},
}

FIELD_DIMS = {"fields": ("step", "unit", "site"), "ipr_curve": ("step", "unit"), "losses": ("sgd_step",)}
TRAINED_FAMILY = Family(family, run_family, family_footprint)
RF_NEURON = FieldExperiment(
    name="rf-neuron",
    summary="one ReLU neuron trained online on a localization data model (Lufkin et al. Figs. 3-4)",
    config=NeuronConfig, run=run_trained, presets=NEURON_PRESETS, data_defaults=HIGH_GAIN, footprint=trained_footprint,
    metrics=FieldMetrics, dims=FIELD_DIMS, family=TRAINED_FAMILY)
RF_COMMITTEE = FieldExperiment(
    name="rf-committee",
    summary="soft committee machine (or two-layer net, or the authors' MLP) trained online (Lufkin et al. Figs. 1, 5)",
    config=CommitteeConfig, run=run_trained, presets=COMMITTEE_PRESETS,
    data_defaults=HIGH_GAIN | {"kur": {"N": 100, "k": 10.0}}, footprint=trained_footprint, metrics=FieldMetrics,
    dims=FIELD_DIMS, family=TRAINED_FAMILY)
RF_ICA = FieldExperiment(
    name="rf-ica", summary="FastICA filters on pooled samples (Lufkin et al. Figs. 1, 5)",
    config=ICAConfig, run=run_ica, presets=ICA_PRESETS, data_defaults=HIGH_GAIN | {"kur": {"k": 3.0}},
    footprint=ica_footprint, metrics=FieldMetrics, dims=FIELD_DIMS)
