"""``bars-what-where``: does the MDL population code give two input classes separate regions of its
implicit space, where a Kohonen map cannot (Zemel & Hinton 1995)?

Images are horizontal or vertical bars at a continuous position (``data.bars``). The MDL population
code (``models.population``, unchanged: softmax activities over H units with learned positions in a
2-D implicit space, trained on the description length from random weights) is compared with a
Kohonen self-organising map of as many units on a fixed grid (``models.som``, MiniSom) trained on
the same images. Both are measured on held-out images the same way (``metrics.topography``): the
reconstruction error, the class and the position decoded from the code by k nearest neighbours,
each unit's class preference, and how far apart the two classes' units lie in the implicit space.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

import jax
import numpy as np
from pydantic import Field

from rflab import train
from rflab.data import bars
from rflab.experiments import population_code
from rflab.experiments.base import Experiment, SeedResult, per_seed, take
from rflab.experiments.population_code import (
    MDLBits,
    PopulationCodeConfig,
    coder_footprint,
    flat_params,
    mdl_bits,
    snapshot_epochs,
)
from rflab.metrics import codes as metrics
from rflab.metrics import topography
from rflab.models import population as pop
from rflab.models import som
from rflab.models.coders import CODERS
from rflab.plots import bars as plots
from rflab.resources import DOUBLE, Footprint
from rflab.schema import Schema
from rflab.train import ProgressFn

# The files every run writes into its folder (``write_figures``); the report shows some of them.
EXAMPLES, RECONSTRUCTIONS, CODES, UNITS, TRAINING = ("examples.png", "reconstructions.png", "codes.png", "units.png",
                                                     "training.png")


class Topography(Schema):
    """How a coder lays out its units by class preference (``metrics.topography.discontinuity``)."""

    cross_neighbour_fraction: float
    gap_ratio: float
    active_units: int
    units_horizontal: int
    units_vertical: int


class CoderScores(Schema):
    """One coder on held-out bars: reconstruction, class and position decoded from the code, and the
    layout of its units from graded and from winner-take-all responses."""

    test_mse: float
    naive_mse: float
    variance_explained: float
    class_accuracy: float
    position_r2: dict[str, float]
    topography: Topography
    topography_winner: Topography
    mixed_units: int


class MDLScores(CoderScores):
    """The MDL code's scores and its description length."""

    mdl_bits: MDLBits


class MapScores(CoderScores):
    """The Kohonen map's scores and the held-out error of its starting weights."""

    initial_mse: float


class BarsMetrics(Schema):
    """Both coders of a what/where run."""

    mdl: MDLScores
    som: MapScores


class BarsConfig(PopulationCodeConfig):
    """Settings of a what/where run: the MDL code (trained from random weights) and the Kohonen map."""

    n_test: int = Field(500, gt=1, description="held-out images")
    n_units: int = Field(100, gt=1, description="MDL units H")
    dim: int = Field(2, ge=2, description="implicit-space dimension K (the figures show the first two)")
    code_decay: float = Field(0.0, ge=0, description="decoupled weight decay of the encoder's last layer")
    epochs: int = Field(500, gt=0)
    deviation_var: float = Field(1e-5, gt=0, description="variance V_a of the activities' deviation from the bump")
    snapshots: int = Field(20, gt=0, description="snapshots of the MDL code during training")
    active_share: float = Field(0.1, gt=0, lt=1, description="a unit is active above this share of 1/H mean activity")
    som_side: int = Field(10, ge=2, description="the Kohonen map is a som_side x som_side grid")
    som_sigma: float = Field(3.0, ge=1, description="initial neighbourhood radius (grid steps), shrinking to 1")
    som_lr: float = Field(0.5, gt=0, description="initial learning rate of the map, falling linearly to 0")
    som_epochs: int = Field(50, gt=0, description="passes of the map over the training images")

    def knn_train_size(self) -> tuple[int, str]:
        """Each class's position regression is fitted on that class's share of the training images."""
        classes = len(self.objects())
        need = classes * self.knn_k
        return need, f"{classes} x knn_k = {need} (each class's kNN position regression is fitted on its 1/{classes} " \
                     "of the training images)"

    def objects(self) -> tuple[str, ...]:
        """The classes of the images (``data.bars.CLASSES``): the what/where problem's two bars."""
        return bars.CLASSES[:bars.TWO]


ACROSS = {2: "the rows or the columns", 3: "the rows, the columns or the anti-diagonal"}  # by number of objects
MIXED = 0.1  # a unit's image mixes the classes when the weaker class's structure is above 10% of the total


def make_data(cfg: BarsConfig, seeds: Sequence[int]) -> dict[str, np.ndarray]:
    """Training and held-out bar images and latents for each seed (independent streams)."""

    @jax.jit
    @jax.vmap
    def draw(key: jax.Array) -> dict[str, jax.Array]:
        k_train, k_test = jax.random.split(jax.random.fold_in(key, 1))
        n = len(cfg.objects())
        tr, te = bars.sample(k_train, cfg.n_train, n), bars.sample(k_test, cfg.n_test, n)
        return {"x_train": tr.images, "lat_train": tr.latents, "x_test": te.images, "lat_test": te.latents}

    return jax.tree.map(np.asarray, draw(train.seed_keys(seeds)))


def fit(cfg: BarsConfig, seeds: Sequence[int], data: dict[str, np.ndarray], progress: ProgressFn | None) -> train.Fit:
    """Train the MDL code of every seed at once from random weights, on the description length."""
    passes = train.Epochs(cfg.n_train, cfg.batch_size)
    n_steps = cfg.epochs * passes.steps_per_epoch
    learner = population_code.learner(cfg, "mdl", bars.SIZE**2)
    optimizer = population_code.optimizer(cfg, n_steps)
    snaps = [e * passes.steps_per_epoch for e in snapshot_epochs(cfg)]
    return train.fit(learner, optimizer, train.Keyed(passes), n_steps, train.seed_keys(seeds), data["x_train"],
                     snapshot_steps=snaps, progress=progress)


def score(cfg: BarsConfig, d: dict[str, np.ndarray], unit_positions: np.ndarray, codes: tuple[np.ndarray, np.ndarray],
          responses: np.ndarray, recon: np.ndarray) -> tuple[dict, dict[str, np.ndarray]]:
    """The measurements shared by both coders, and the units' preferences: ``codes`` are the training
    and held-out codes, ``responses`` the held-out graded unit responses, ``recon`` the held-out
    reconstructions. The unit layout is measured from the graded and the winner-take-all responses."""
    names, classes = cfg.objects(), d["lat_test"][:, 0]
    prefs = topography.unit_preferences(responses, classes, cfg.active_share, len(names))
    winner = topography.unit_preferences(topography.winner_take_all(responses), classes, cfg.active_share, len(names))
    measured = (metrics.reconstruction(d["x_test"], recon, d["x_train"])
                | topography.what_where(codes[0], d["lat_train"], codes[1], d["lat_test"], cfg.knn_k, names)
                | {"topography": topography.discontinuity(unit_positions, prefs, names),
                   "topography_winner": topography.discontinuity(unit_positions, winner, names)})
    return measured, prefs | {f"winner_{k}": v for k, v in winner.items()}


Extras = Callable[[BarsConfig, dict[str, np.ndarray], np.ndarray, tuple[np.ndarray, np.ndarray],
                   dict[str, np.ndarray], np.ndarray], dict]


def mixed_units(cfg: BarsConfig, d: dict[str, np.ndarray], unit_positions: np.ndarray,
                codes: tuple[np.ndarray, np.ndarray], prefs: dict[str, np.ndarray], unit_images: np.ndarray) -> dict:
    """The what/where extra: units whose image (``unit_images``) blends a horizontal and a vertical bar."""
    return {"mixed_units": int(np.sum(topography.class_mixture(unit_images) > MIXED))}


def measure_mdl(cfg: BarsConfig, params: pop.Params, d: dict[str, np.ndarray], extras: Extras = mixed_units
                ) -> tuple[dict, dict[str, np.ndarray]]:
    """Held-out measurements of one trained MDL code (the code is the activity-weighted centre) and
    ``extras``, given the units' images: what the code decodes a standard bump at each unit to."""
    apply = CODERS["mdl"].apply
    tr, te = apply(params, d["x_train"], cfg.sigma), apply(params, d["x_test"], cfg.sigma)
    mu = np.asarray(pop.positions(params))
    codes = (np.asarray(tr.code), np.asarray(te.code))
    measured, prefs = score(cfg, d, mu, codes, np.asarray(te.activity), np.asarray(te.recon))
    at_units = np.asarray(CODERS["mdl"].decode(params, mu, cfg.sigma))
    arrays = {"mdl_positions": mu, "mdl_code_test": np.asarray(te.code), "mdl_recons": np.asarray(te.recon[:8]),
              "mdl_unit_images": at_units}
    arrays |= {f"mdl_{k}": np.asarray(v) for k, v in prefs.items()}
    arrays |= {f"mdl_{k}": v for k, v in flat_params(params).items()}
    more = extras(cfg, d, mu, codes, prefs, at_units)
    return measured | more | mdl_bits(cfg, params, d["x_test"], d["x_train"]), arrays  # type: ignore[arg-type]


def measure_som(cfg: BarsConfig, w: np.ndarray, d: dict[str, np.ndarray], initial: np.ndarray,
                extras: Extras = mixed_units) -> tuple[dict, dict[str, np.ndarray]]:
    """Held-out measurements of one trained map (its code is the best-matching unit's grid position) and
    ``extras``, given its weight vectors as the units' images; ``initial_mse`` is the held-out error of its
    starting weights (training images drawn at random)."""
    grid = som.grid(cfg.som_side)
    win_train, win_test = som.best_matching(w, d["x_train"]), som.best_matching(w, d["x_test"])
    graded = som.responses(w, d["x_test"], som.final_radius(cfg.som_sigma, cfg.som_epochs))
    codes = (grid[win_train], grid[win_test])
    measured, prefs = score(cfg, d, grid, codes, graded, w[win_test])
    arrays = {"som_weights": w, "som_code_test": grid[win_test], "som_recons": w[win_test[:8]]}
    arrays |= {f"som_{k}": np.asarray(v) for k, v in prefs.items()}
    more = extras(cfg, d, grid, codes, prefs, w)
    return measured | more | {"initial_mse": som.quantisation_mse(initial, d["x_test"])}, arrays


def curves(cfg: BarsConfig, snapshots: pop.Params, d: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Held-out MSE and both discontinuity measures of the MDL code at every snapshot."""
    rows, names = [], cfg.objects()
    for i in range(len(snapshot_epochs(cfg))):
        params = take(snapshots, i)
        out = CODERS["mdl"].apply(params, d["x_test"], cfg.sigma)
        prefs = topography.unit_preferences(np.asarray(out.activity), d["lat_test"][:, 0], cfg.active_share,
                                            len(names))
        top = topography.discontinuity(np.asarray(pop.positions(params)), prefs, names)
        rows.append([float(np.mean((np.asarray(out.recon) - d["x_test"]) ** 2)), top["cross_neighbour_fraction"],
                     top["gap_ratio"], top["active_units"]])
    table = np.array(rows, dtype=np.float32)
    return {"snap_test_mse": table[:, 0], "snap_cross_neighbour": table[:, 1], "snap_gap_ratio": table[:, 2],
            "snap_active_units": table[:, 3]}


def run(cfg: BarsConfig, seeds: Sequence[int], progress: ProgressFn | None = None,
        extras: Extras = mixed_units) -> list[SeedResult]:
    """Train the MDL codes of every seed together and a map per seed, then measure both (with ``extras``)
    and prepare the figures."""
    data = make_data(cfg, seeds)
    result = fit(cfg, seeds, data, progress)
    out = []
    for seed, d, params, snaps, losses in per_seed(seeds, data, result.params, result.snapshots, result.losses):
        mdl, mdl_arrays = measure_mdl(cfg, params, d, extras)
        initial, weights = som.fit(d["x_train"], cfg.som_side, cfg.som_sigma, cfg.som_lr, cfg.som_epochs, seed)
        kohonen, som_arrays = measure_som(cfg, weights, d, initial, extras)
        arrays = ({"losses": losses} | curves(cfg, snaps, d) | mdl_arrays | som_arrays
                  | {"lat_test": d["lat_test"]})
        out.append(SeedResult(seed, {"mdl": mdl, "som": kohonen}, arrays, result.seconds / len(seeds),
                              partial(write_figures, cfg, d, arrays, {"mdl": mdl, "som": kohonen})))
    return out


def write_figures(cfg: BarsConfig, d: dict[str, np.ndarray], arrays: dict[str, np.ndarray], measured: dict,
                  folder: Path) -> None:
    """Every figure of one seed's run into ``folder``."""
    lat, names = d["lat_test"], cfg.objects()
    plots.examples(d["x_train"], d["lat_train"], folder / EXAMPLES, across=ACROSS[len(names)])
    plots.reconstructions(d["x_test"], {"MDL code": arrays["mdl_recons"], "Kohonen map": arrays["som_recons"]}, lat,
                          folder / RECONSTRUCTIONS)
    winner = "Kohonen map: best-matching unit (jittered)"
    plots.codes({"MDL code: centre": arrays["mdl_code_test"], winner: arrays["som_code_test"]}, lat,
                folder / CODES, jitter={winner: 0.3 / (cfg.som_side - 1)}, names=names)
    layouts = {
        f"{coder}, {kind}": (positions, arrays[f"{key}_{prefix}preference"], arrays[f"{key}_{prefix}active"],
                             measured[key][f"topography{suffix}"])
        for kind, prefix, suffix in (("graded response", "", ""), ("winner-take-all", "winner_", "_winner"))
        for coder, key, positions in (("MDL code: learned positions", "mdl", arrays["mdl_positions"]),
                                      ("Kohonen map: fixed grid", "som", som.grid(cfg.som_side)))
    }
    plots.units(layouts, folder / UNITS, names=names)
    spe = train.Epochs(cfg.n_train, cfg.batch_size).steps_per_epoch
    plots.training(arrays["losses"], spe, snapshot_epochs(cfg), arrays, measured["mdl"]["naive_mse"],
                   folder / TRAINING)


def footprint(cfg: BarsConfig) -> Footprint:
    """The MDL coder's memory (``population_code.coder_footprint``) and, once, the Kohonen map: its
    weights, every image's distance to every unit, and the distances between units (as between the
    MDL code's units) that the topography measures take."""
    base = coder_footprint(cfg, "mdl", bars.SIZE**2, 2)
    units = cfg.som_side**2
    som = DOUBLE * (3 * units * bars.SIZE**2 + 2 * (cfg.n_train + cfg.n_test) * units + 2 * units**2)
    return replace(base, once=base.once + som + DOUBLE * 2 * cfg.n_units**2,
                   drivers=f"{base.drivers}, a {cfg.som_side}x{cfg.som_side} map")


BARS_WHAT_WHERE = Experiment(
    name="bars-what-where",
    summary="what/where bars: MDL population code (learned unit positions) against a Kohonen map, 100 units each",
    config=BarsConfig,
    run=run,
    presets={"default": {}},
    footprint=footprint,
    metrics=BarsMetrics,
    dims={"losses": ("step",), "snap_test_mse": ("snapshot",), "mdl_positions": ("unit", "dim"),
          "mdl_code_test": ("image", "dim"), "som_code_test": ("image", "dim"), "lat_test": ("image", "latent")},
)
