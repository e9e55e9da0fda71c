"""What every population-code experiment shares: the coder's settings, the coders' learner and
optimiser (the coders themselves are ``models.coders``), the MDL code's description length and its
schema, and stored parameters.

Used by ``dipole`` (dipole-3d, dipole-2d), ``bars`` (bars-what-where) and the studies.
"""

from __future__ import annotations

import math
from typing import Literal, Self

import jax
import numpy as np
import optax
from pydantic import Field, model_validator

from rflab import train
from rflab.config import Config, added
from rflab.models import population as pop
from rflab.models.coders import CODERS
from rflab.resources import DOUBLE, FLOAT, Footprint, MiB
from rflab.schema import Schema

SHOWN_IMAGES = 8  # the examples and reconstructions figures show this many images
GIF_FRAME = 2 * MiB  # one frame of a training animation, drawn and stacked


class TwoPartBits(Schema):
    """The two-part description length of held-out images, bits per image (``metrics.codes.description_length``):
    the code at its resolution plus the residual, against the mean image (``baseline``)."""

    total: float
    code: float
    residual: float
    baseline: float
    saving: float
    constants: dict[str, float]


class MDLBits(Schema):
    """The MDL code's description length of held-out images, bits per image, term by term (``mdl_bits``)."""

    reconstruction: float
    deviation: float
    centre: float
    total: float
    deviation_share: float
    total_with_constants: float
    mean_image: float
    constants: dict[str, float]
    model: ModelBits  # only with weight_var (the model cost)


class ModelBits(Schema):
    """The cost of the model (the decoder's weights under N(0, V_w) at resolution delta_w), bits per
    training image: the weights' part, their constant, and the whole description length with it."""

    weights: float
    constant: float
    n_weights: int
    total_with_model: float


class PopulationCodeConfig(Config):
    """Settings of a population coder and its training (defaults: the dipole-3d RBF coder's)."""

    n_train: int = Field(2000, gt=0, description="training images")
    n_test: int = Field(500, gt=0, description="held-out images")
    n_units: int = Field(225, gt=0, description="bump units H")
    dim: int = Field(3, gt=0, description="implicit-space dimension K")
    n_enc_hidden: int = Field(64, gt=0, description="encoder hidden units He")
    sigma: float = Field(0.18, gt=0, description="bump width in the implicit space")
    mu_init: Literal["grid", "uniform"] = Field("grid", description="initial unit positions")
    mu_jitter: float = Field(0.01, ge=0, description="std of the jitter added to the initial positions")
    init_gain: float = Field(1.0, gt=0, description="scale of the Glorot-normal initial weights")
    optimizer: Literal["sgd", "momentum", "adam"] = "adam"
    lr: float = Field(0.01, gt=0, description="peak learning rate")
    schedule: Literal["constant", "cosine", "warmup-cosine"] = "warmup-cosine"
    warmup: float = Field(0.05, ge=0, lt=1, description="warmup fraction of the steps")
    code_decay: float = Field(1.0, ge=0, description="decoupled weight decay of the code layer only")
    epochs: int = Field(1000, gt=0)
    batch_size: int = Field(128, gt=0)
    knn_k: int = Field(10, gt=0, description="neighbours of the kNN latent regressions")
    snapshots: int = Field(40, gt=0, description="snapshots for the curves and the GIF")
    pixel_resolution: float = Field(2 / 256, gt=0, description="resolution pixels are coded at, for dl_bits")
    recon_var: float = Field(0.01, gt=0, description="mdl: variance V_r of the per-pixel reconstruction noise")
    deviation_var: float = Field(1e-4, gt=0, description="mdl: variance V_a of the activities' deviation from the bump")
    activity_resolution: float = Field(2**-8, gt=0, description="mdl: resolution activities are sent at")
    centre_resolution: float = Field(2**-6, gt=0, lt=1, description="mdl: resolution the centre is sent at")
    weight_var: float | None = added(None, gt=0, description="mdl: variance V_w of the decoder weights' prior; "
                                     "set, their cost (the model's, over the training images) is trained and "
                                     "measured too; unset, the code's and the reconstruction's alone")
    weight_resolution: float = added(2**-10, gt=0, description="mdl: resolution the decoder weights are sent at")

    def knn_train_size(self) -> tuple[int, str]:
        """The training images the kNN regressions need, and why (for the message)."""
        return self.knn_k, f"knn_k={self.knn_k} (the kNN regressions are fitted on the training images)"

    def uses_unit_grid(self) -> bool:
        """Whether the units start on a grid (``mu_init=grid``), which needs n_units to factor into dim factors."""
        return self.mu_init == "grid"

    def size_problems(self) -> list[str]:
        """Why these sizes cannot give every measurement and figure of the run (empty when they can)."""
        need, why = self.knn_train_size()
        problems = []
        if self.n_train < need:
            problems.append(f"n_train={self.n_train}: must be at least {why}")
        if self.n_train < SHOWN_IMAGES:
            problems.append(f"n_train={self.n_train}: must be at least {SHOWN_IMAGES} (the examples figure shows "
                            f"{SHOWN_IMAGES} training images)")
        if self.uses_unit_grid() and not pop.grid_exists(self.n_units, self.dim):
            problems.append(f"n_units={self.n_units}: mu_init=grid needs n_units to factor into dim={self.dim} "
                            "factors >= 2; use mu_init=uniform or another n_units")
        return problems

    @model_validator(mode="after")
    def _sizes_fit_the_measurements(self) -> Self:
        """Refuse sizes the metrics or figures cannot use before anything trains, not after."""
        problems = self.size_problems()
        if problems:
            raise ValueError(problems[0])
        return self


def n_params(cfg: PopulationCodeConfig, model: str, n_pixels: int) -> int:
    """The parameters of coder ``model`` (``population.init``, ``mdl_init``, ``autoencoder.init``)."""
    he, h, k = cfg.n_enc_hidden, cfg.n_units, cfg.dim
    encoder = he * (n_pixels + 1)
    if model == "dense":
        hd = getattr(cfg, "n_dec_hidden", 0)
        return encoder + (he + 1) * k + (k + 1) * hd + (hd + 1) * hd + (hd + 1) * n_pixels
    second = (he + 1) * (h if model == "mdl" else k)
    return encoder + second + h * k + (h + 1) * n_pixels


def coder_footprint(cfg: PopulationCodeConfig, model: str, n_pixels: int, latents: int) -> Footprint:
    """Memory of one run of a population coder (``rflab.resources``): per seed its images, the parameters
    with the optimiser state and every snapshot, the losses, a step's activations and the curves kept;
    once, the coder applied to every image, the description length's decodings, the cubic regression's
    features and the training animation. Its work: every training image's pixels, once an epoch."""
    params = n_params(cfg, model, n_pixels)
    snaps = min(cfg.epochs, 2 * cfg.snapshots) + 2
    steps = cfg.epochs * -(-cfg.n_train // cfg.batch_size)
    images = cfg.n_train + cfg.n_test
    width = n_pixels + cfg.n_enc_hidden + cfg.n_units * (cfg.dim + 2) + (
        getattr(cfg, "n_dec_hidden", 0) if model == "dense" else 0)
    per_seed = FLOAT * (2 * images * (n_pixels + latents) + params * (5 + snaps) + 2 * steps
                        + 4 * min(cfg.batch_size, cfg.n_train) * width + snaps * (cfg.n_test * cfg.dim + 8 * n_pixels))
    applied = 2 * images * (n_pixels + cfg.n_enc_hidden + 2 * cfg.n_units)
    once = (FLOAT * (applied + snaps * cfg.n_train * cfg.dim) + DOUBLE * 4 * images * n_pixels
            + DOUBLE * 3 * cfg.n_train * math.comb(cfg.dim + 3, 3) + GIF_FRAME * snaps)
    return Footprint(per_seed, once, f"{images} images, {snaps} snapshots of {params} parameters, {steps} steps",
                     cfg.epochs * cfg.n_train * n_pixels)


def snapshot_epochs(cfg: PopulationCodeConfig) -> list[int]:
    """About ``cfg.snapshots`` evenly spaced epochs from 0 to the last."""
    every = max(1, cfg.epochs // cfg.snapshots)
    return sorted(set(range(0, cfg.epochs + 1, every)) | {cfg.epochs})


def learner(cfg: PopulationCodeConfig, model: str, n_in: int) -> train.Learner:
    """The engine's learner for coder ``model`` with these settings."""
    return train.Learner(init=CODERS[model].init(cfg, n_in), loss=CODERS[model].loss(cfg))


def optimizer(cfg: PopulationCodeConfig, n_steps: int) -> optax.GradientTransformation:
    """The configured optimiser and schedule, with decay on the code layer only."""
    return train.optimizer(cfg.optimizer, cfg.lr, n_steps, cfg.schedule, cfg.warmup, cfg.code_decay,
                           decay_mask=pop.code_layer)


_mdl_costs = jax.jit(pop.mdl_costs, static_argnums=(2, 3, 4))


def mdl_bits(cfg: PopulationCodeConfig, params: pop.Params, x_test: np.ndarray, x_train: np.ndarray) -> dict:
    """The MDL code's description length of the held-out images, bits per image, term by term.

    ``reconstruction`` and ``deviation`` are the image-dependent parts that training minimises;
    ``centre`` is K log2(1 / centre_resolution); ``total`` is their sum and ``deviation_share`` the
    deviation's part of it. The image-independent constants of the Gaussian codes are reported
    apart under ``constants`` (they do not depend on the weights, only on the stated resolutions);
    ``total_with_constants`` adds them, and ``mean_image`` codes each image as the training mean
    image plus residuals under the same bookkeeping (pixels under N(., V_r) at the same resolution,
    no code), so the two are comparable. With ``weight_var``, ``model`` adds the model's cost: the
    decoder's weights sent once for the training images, so per image a 1/n_train share.
    """
    recon, deviation = (float(np.mean(c)) for c in _mdl_costs(params, x_test, cfg.sigma, cfg.recon_var,
                                                                  cfg.deviation_var))
    constants = pop.mdl_constants(x_test.shape[1], cfg.n_units, cfg.dim, cfg.recon_var, cfg.deviation_var,
                                  cfg.pixel_resolution, cfg.activity_resolution, cfg.centre_resolution)
    centre = constants.pop("centre")
    total = recon + deviation + centre
    residual = x_test - x_train.mean(axis=0)
    mean_image = constants["reconstruction"] + float(np.mean(np.sum(residual**2, axis=1))) / (
        2.0 * cfg.recon_var * math.log(2.0))
    bits = {
        "reconstruction": recon, "deviation": deviation, "centre": centre, "total": total,
        "deviation_share": deviation / total,
        "total_with_constants": total + constants["reconstruction"] + constants["deviation"],
        "mean_image": mean_image,
        "constants": constants | {"recon_var": cfg.recon_var, "deviation_var": cfg.deviation_var,
                                  "pixel_resolution": cfg.pixel_resolution,
                                  "activity_resolution": cfg.activity_resolution,
                                  "centre_resolution": cfg.centre_resolution},
    }
    if cfg.weight_var is not None:
        n = sum(int(np.size(w)) for w in jax.tree.leaves(params["dec"]))
        weights = float(pop.model_bits(params, cfg.weight_var)) / cfg.n_train
        constant = pop.gaussian_constant(n, cfg.weight_var, cfg.weight_resolution) / cfg.n_train
        bits["model"] = {"weights": weights, "constant": constant, "n_weights": n,
                         "total_with_model": bits["total_with_constants"] + weights + constant}
    return {"mdl_bits": bits}


def flat_params(params: pop.Params) -> dict[str, np.ndarray]:
    """Parameters as flat arrays ``param_<layer>_<leaf>`` (``param_mu``) for the store."""
    leaves = jax.tree_util.tree_flatten_with_path(params)[0]
    return {"param_" + "_".join(str(getattr(k, "key", k)) for k in path): np.asarray(v) for path, v in leaves}


def stored_params(arrays: dict[str, np.ndarray]) -> pop.Params:
    """The trained parameters back from a stored run's arrays (the inverse of ``flat_params``)."""
    params: dict = {}
    for name, value in arrays.items():
        if name.startswith("param_"):
            layer, _, leaf = name.removeprefix("param_").partition("_")
            if leaf:
                params.setdefault(layer, {})[leaf] = value
            else:
                params[layer] = value
    return params
