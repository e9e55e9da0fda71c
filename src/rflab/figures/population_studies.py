"""The open questions the seed leaves about its population code, one study each (Zemel & Hinton 1995).

- ``mdl-dimension``: with the description-length pressure and a wide implicit space, does the
  code's effective dimensionality settle at the number of latents (3 for dipoles, 2 for dipoles of
  fixed orientation) whatever K is?
- ``code-topology``: is the orientation code one persistent loop (persistent homology, ripser)?
- ``code-cost``: what does reading the population cost, against a dense 3-D autoencoder of
  similar accuracy, and what does it buy in robustness?
- ``model-cost``: what does the third term of the description length, the cost of the decoder's
  weights, change in the MDL code: the units in use, the code's dimension, the totals?

Every run behind a study is one it declares, so a study made twice trains nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jax
import numpy as np

from rflab.data import dipoles
from rflab.experiments.dipole import make_data, torus_code
from rflab.experiments.population_code import stored_params
from rflab.figures.base import Figure, Inputs, Scale
from rflab.files import write_json
from rflab.metrics import codes as metrics
from rflab.metrics import data_movement as movement
from rflab.models import autoencoder
from rflab.models import population as pop
from rflab.models.coders import CODERS
from rflab.plots import codes as plots
from rflab.results.cache import RunSpec
from rflab.results.store import StoredRun
from rflab.schema import Schema


class MeanStd(Schema):
    """A measure's mean and standard deviation over seeds."""

    mean: float
    std: float


class DimensionSummary(Schema):
    """One row of ``mdl-dimension-SCALE.json``: a data set at one K, each measure over seeds."""

    problem: str
    latents: int
    dim: int
    participation: MeanStd
    twonn: MeanStd
    knn_r2: MeanStd
    test_mse: MeanStd
    spectrum: list[float]


class TopologySummary(Schema):
    """One model of ``code-topology-SCALE.json``: on how many seeds the whole code has one dominant loop,
    the lifetimes, and the share of fixed-(x, y) fibres with one loop."""

    one_loop_seeds: int
    seeds: int
    longest_over_second: list[float]
    longest: list[float]
    fibres_with_one_loop: float


class CostSummary(Schema):
    """One coder of ``code-cost-SCALE.json``: accuracy, data movement of full and sparse reads, and the
    error with units silenced or the code perturbed (keyed by the share or the noise)."""

    test_mse: float
    full: dict[str, float]
    sparse: dict[str, float] | None
    silenced: dict[str, float]
    code_noise: dict[str, float]


class ModelCostRow(Schema):
    """One row of ``model-cost-SCALE.json``: the MDL code at one weight variance V_w (None: no model cost)
    and training set size, each measure per seed: the effective number of units in use, the centre's
    participation ratio and TwoNN dimension, the held-out MSE, the description length per image with the
    code's and reconstruction's constants, the same with the model's cost (None without one), and the
    mean-image baseline."""

    weight_var: float | None
    n_train: int
    weight_resolution: float
    units_in_use: list[float]
    participation: list[float]
    twonn: list[float]
    test_mse: list[float]
    bits: list[float]
    bits_with_model: list[float] | None
    model_bits: list[float]
    mean_image: list[float]


PROBLEMS = (("dipoles: x, y, orientation (3 latents)", "dipole-3d", "mdl", 3),
            ("dipoles: x, y only (2 latents)", "dipole-2d", None, 2))


@dataclass(frozen=True)
class DimensionRow:
    """One row of the dimension study: the data set, its number of latents and the code's dimension K."""

    problem: str
    latents: int
    dim: int


def dimension_scale(dims: Sequence[int], seeds: Sequence[int], overrides: Mapping[str, Any]
                    ) -> Scale[dict[str, DimensionRow]]:
    """MDL codes from random weights with units starting uniform (no grid exists for every K), at each
    K of ``dims`` for both data sets; the settings name each row's data set, latents and K."""
    runs, rows = {}, {}
    for title, experiment, preset, latents in PROBLEMS:
        for k in dims:
            key = f"{title}, K = {k}"
            runs[key] = RunSpec(experiment, preset, {"dim": k, "encoder_init": "random", "mu_init": "uniform"}
                                | dict(overrides), tuple(seeds))
            rows[key] = DimensionRow(title, latents, k)
    return Scale(runs, "", rows)


def dimension_rows(inputs: Inputs[dict[str, DimensionRow]]) -> list[dict[str, Any]]:
    """Per data set and K: participation ratio, TwoNN dimension and the code's normalised spectrum,
    one entry per seed."""
    rows = []
    for key, row in inputs.scale.settings.items():
        runs = inputs.runs[key]
        sv = [np.asarray(r.metrics["singular_values"]) for r in runs]
        rows.append({
            "problem": row.problem, "latents": row.latents, "dim": row.dim,
            "participation": [r.metrics["effective_dim"] for r in runs],
            "twonn": [r.metrics["intrinsic_dim"] for r in runs],
            "knn_r2": [r.metrics["knn_r2"]["mean"] for r in runs],
            "test_mse": [r.metrics["test_mse"] for r in runs],
            "spectrum": [v**2 / np.sum(v**2) for v in sv],
        })
    return rows


def make_dimension(inputs: Inputs[dict[str, DimensionRow]]) -> list[Path]:
    """``mdl-dimension``: effective dimensionality of the MDL code's centre against K."""
    rows = dimension_rows(inputs)
    summary = [{"problem": r["problem"], "latents": r["latents"], "dim": r["dim"]}
               | {key: {"mean": float(np.mean(r[key])), "std": float(np.std(r[key]))}
                  for key in ("participation", "twonn", "knn_r2", "test_mse")}
               | {"spectrum": np.mean(r["spectrum"], axis=0).tolist()} for r in rows]
    table = write_json(inputs.file(".json"), summary)
    return [plots.dimension_study(rows, inputs.file(".png"), f"{inputs.scale_name} scale"), table]


TOPOLOGY_MODELS = (
    ("RBF, Isomap start (default)", None, {}),
    ("MDL code, Isomap start", "mdl", {}),
    ("RBF, random start", None, {"encoder_init": "random"}),
    ("seed's recipe, theta in [0, pi)", "hinton-problems", {}),
)


def topology_scale(seeds: Sequence[int]) -> Scale[None]:
    """The 3-D dipole codes of the topology study, by title, on ``seeds``."""
    return Scale({title: RunSpec("dipole-3d", preset, overrides, tuple(seeds))
                  for title, preset, overrides in TOPOLOGY_MODELS})
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


def topology_rows(inputs: Inputs[None]) -> list[dict[str, Any]]:
    """Per model and seed: the loop lifetimes of the whole code and of each orientation fibre. The
    first row is the reference: the solid-torus code of the true latents, where the loop is known
    to be there, so a missing loop elsewhere is the code's and not the method's."""
    cloud, fibres = _probe_latents(2 * np.pi)
    rows = [_topology_row("reference: torus of the true latents", 0, torus_code(cloud),
                          [torus_code(f) for f in fibres], fibres[4][:, 2])]
    for title, _, _ in TOPOLOGY_MODELS:
        cfg = inputs.config(title)
        cloud, fibres = _probe_latents(float(dipoles.THETA_RANGES[cfg.theta_range]))
        apply = CODERS[cfg.model].apply
        for run in inputs.runs[title]:
            params = stored_params(run.arrays())
            codes = [np.asarray(apply(params, dipoles.render(lat), cfg.sigma).code) for lat in (cloud, *fibres)]
            rows.append(_topology_row(title, run.seed, codes[0], codes[1:], fibres[4][:, 2]))
    return rows


def make_topology(inputs: Inputs[None]) -> list[Path]:
    """``code-topology``: persistent homology of the 3-D dipole codes, whole and fibre by fibre."""
    rows = topology_rows(inputs)
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
    table = write_json(inputs.file(".json"), summary)
    return [plots.topology_study(rows, inputs.file(".png"), f"{inputs.scale_name} scale"), table]


def cost_scale(seeds: Sequence[int], widths: Sequence[int]) -> Scale[None]:
    """Every coder of the cost study by title: RBF and MDL population codes, and dense autoencoders of
    the decoder ``widths`` (all from the same label-free Isomap start), on ``seeds``."""
    models = [("RBF population (default)", None, {}), ("MDL population", "mdl", {})] + [
        (f"dense, 2 x {w} ReLU", "dense", {"n_dec_hidden": w}) for w in widths]
    return Scale({title: RunSpec("dipole-3d", preset, overrides, tuple(seeds)) for title, preset, overrides in models})
ACTIVE_FRACTION = 0.01  # a unit is active when its activity exceeds 1% of the image's largest
SILENCED = (0.0, 0.1, 0.2, 0.3, 0.5)
CODE_NOISE = (0.0, 0.01, 0.02, 0.05, 0.1)
MASKS, COST_IMAGES = 5, 20


def _readout(model: str, params: dict, sigma: float):
    """(units(code-or-images) -> unit activities, readout(units) -> images, code(images)) of a coder.

    The units are what the decoder's last layer reads: the RBF bumps, the MDL activities, the dense
    decoder's last hidden layer. MDL units come from the images (its code is the activities); the
    others from the 3-D code.
    """
    if model == "mdl":
        units = lambda x: pop.mdl_apply(params, x, sigma).activity  # noqa: E731
        code = lambda x: pop.mdl_apply(params, x, sigma).code  # noqa: E731
        last = params["dec"]
    elif model == "rbf":
        units = lambda x: pop.bumps(params, pop.encode(params, x), sigma)  # noqa: E731
        code = lambda x: pop.encode(params, x)  # noqa: E731
        last = params["dec"]
    else:
        units = lambda x: autoencoder.hidden(params, pop.encode(params, x))  # noqa: E731
        code = lambda x: pop.encode(params, x)  # noqa: E731
        last = params["dec3"]
    return jax.jit(units), lambda u: u @ last["w"] + last["b"], jax.jit(code)


def cost_row(title: str, cfg: Any, run: StoredRun, x_test: np.ndarray) -> dict[str, Any]:
    """One trained coder's accuracy, data movement (full and sparse reads) and robustness."""
    params = stored_params(run.arrays())
    units, readout, code = _readout(cfg.model, params, cfg.sigma)
    u = np.asarray(units(x_test))
    mse = lambda recon: float(np.mean((np.asarray(recon) - x_test) ** 2))  # noqa: E731
    n_pixels = x_test.shape[1]
    if cfg.model == "dense":
        full = movement.cost(movement.dense_decoder(cfg.dim, cfg.n_dec_hidden, n_pixels))
        sparse = None
    else:
        trace = (lambda active=None: movement.rbf_decoder(cfg.n_units, cfg.dim, n_pixels, active)) \
            if cfg.model == "rbf" else (lambda active=None: movement.activity_decoder(cfg.n_units, n_pixels, active))
        full = movement.cost(trace())
        active = u > ACTIVE_FRACTION * u.max(axis=1, keepdims=True)
        per_image = [movement.cost(trace(np.flatnonzero(a))) for a in active[:COST_IMAGES]]
        sparse = {k: float(np.mean([c[k] for c in per_image])) for k in full} | {
            "active_units": float(active.sum(1).mean()), "test_mse": mse(readout(u * active))}
    rng = np.random.default_rng(0)
    silenced = [float(np.mean([mse(readout(u * (rng.uniform(size=u.shape[1]) >= f))) for _ in range(MASKS)]))
                for f in SILENCED]
    c = np.asarray(code(x_test))
    decode = CODERS[cfg.model].decode
    noisy = [float(np.mean([mse(decode(params, (c + s * rng.normal(size=c.shape)).astype(np.float32), cfg.sigma))
                            for _ in range(MASKS)])) for s in CODE_NOISE]
    return {"model": title, "test_mse": run.metrics["test_mse"],
            "full": full, "sparse": sparse, "silenced": silenced, "code_noise": noisy}


def cost_rows(inputs: Inputs[None]) -> list[dict[str, Any]]:
    """Every coder of the cost study over the scale's seeds."""
    rows = []
    for title, spec in inputs.scale.runs.items():
        cfg = inputs.config(title)
        data = make_data(cfg, list(spec.seeds))
        for i, run in enumerate(inputs.runs[title]):  # data index i = seed's
            rows.append(cost_row(title, cfg, run, data["x_test"][i]))
    return rows


def _mean_of(dicts: Any) -> dict[str, float]:
    """The mean of every key over a sequence of same-keyed dicts of numbers."""
    dicts = list(dicts)
    return {k: float(np.mean([d[k] for d in dicts])) for k in dicts[0]}


def make_cost(inputs: Inputs[None]) -> list[Path]:
    """``code-cost``: data movement per reconstruction against accuracy and robustness."""
    rows = cost_rows(inputs)
    summary = {}
    for model in dict.fromkeys(r["model"] for r in rows):
        mine = [r for r in rows if r["model"] == model]
        summary[model] = {
            "test_mse": float(np.mean([r["test_mse"] for r in mine])),
            "full": _mean_of(r["full"] for r in mine),
            "sparse": None if mine[0]["sparse"] is None else _mean_of(r["sparse"] for r in mine),
            "silenced": dict(zip(map(str, SILENCED), np.mean([r["silenced"] for r in mine], 0).tolist(), strict=True)),
            "code_noise": dict(zip(map(str, CODE_NOISE), np.mean([r["code_noise"] for r in mine], 0).tolist(),
                                   strict=True)),
        }
    table = write_json(inputs.file(".json"), summary)
    figure = plots.cost_study(summary, SILENCED, CODE_NOISE, inputs.file(".png"), f"{inputs.scale_name} scale")
    return [figure, table]


@dataclass(frozen=True)
class ModelCostPoint:
    """One point of the model-cost study: the weight variance (None: no model cost) and training set size."""

    weight_var: float | None
    n_train: int


def model_cost_scale(weight_vars: Sequence[float | None], n_trains: Sequence[int], seeds: Sequence[int],
                     overrides: Mapping[str, Any], note: str) -> Scale[dict[str, ModelCostPoint]]:
    """The ``mdl`` preset (with ``overrides``) at every weight variance and training set size."""
    runs, points = {}, {}
    for n in n_trains:
        for v in weight_vars:
            key = f"V_w = {v if v is not None else 'none'}, n_train = {n}"
            extra = {"n_train": n} | ({"weight_var": v} if v is not None else {})
            runs[key] = RunSpec("dipole-3d", "mdl", dict(overrides) | extra, tuple(seeds))
            points[key] = ModelCostPoint(v, n)
    return Scale(runs, note, points)


def units_in_use(activity: np.ndarray) -> float:
    """The effective number of units in use: the participation ratio (sum a)^2 / sum a^2 of the units'
    mean activities over the images (H when all are used alike, 1 when one unit carries everything)."""
    return metrics.participation_ratio(activity.mean(axis=0))


def make_model_cost(inputs: Inputs[dict[str, ModelCostPoint]]) -> list[Path]:
    """``model-cost``: the MDL code against the weight variance V_w of the model's cost, per training set size."""
    rows = []
    for key, point in inputs.scale.settings.items():
        cfg, runs = inputs.config(key), inputs.runs[key]
        data = make_data(cfg, [r.seed for r in runs])
        use = [units_in_use(np.asarray(pop.mdl_apply(stored_params(r.arrays()), data["x_test"][i], cfg.sigma).activity))
               for i, r in enumerate(runs)]
        bits = [r.metrics["mdl_bits"] for r in runs]
        model = [b.get("model") for b in bits]
        rows.append({
            "weight_var": point.weight_var, "n_train": point.n_train, "weight_resolution": cfg.weight_resolution,
            "units_in_use": use, "participation": [r.metrics["effective_dim"] for r in runs],
            "twonn": [r.metrics["intrinsic_dim"] for r in runs], "test_mse": [r.metrics["test_mse"] for r in runs],
            "bits": [b["total_with_constants"] for b in bits],
            "bits_with_model": [m["total_with_model"] for m in model] if point.weight_var is not None else None,
            "model_bits": [m["weights"] + m["constant"] if m else 0.0 for m in model],
            "mean_image": [b["mean_image"] for b in bits]})
    table = write_json(inputs.file(".json"), rows)
    return [plots.model_cost_study(rows, inputs.file(".png"), f"{inputs.scale_name} scale, {inputs.scale.note}"),
            table]


FIGURES = (
    Figure("mdl-dimension", "Open question 1: effective dimensionality of the MDL code against K",
           {"paper": dimension_scale((1, 2, 3, 4, 6, 10), range(5), {}),
            "quick": dimension_scale((2, 3, 10), range(2), {"epochs": 150, "snapshots": 5})}, make_dimension,
           list[DimensionSummary]),
    Figure("code-topology", "Open question 2: persistent homology of the 3-D dipole codes, whole and per fibre",
           {"paper": topology_scale(range(5)), "quick": topology_scale(range(2))}, make_topology,
           dict[str, TopologySummary]),
    Figure("code-cost", "Open question 3: data movement per reconstruction against accuracy and robustness",
           {"paper": cost_scale(range(5), (16, 32, 64, 128, 256)), "quick": cost_scale(range(1), (32, 64, 256))},
           make_cost, dict[str, CostSummary]),
    Figure("model-cost", "Open question 4: the cost of the model (the decoder's weights) in the MDL code's "
           "description length, against V_w and the training set size",
           {"paper": model_cost_scale((None, 1000.0, 100.0, 10.0, 1.0), (500, 2000, 8000), range(3), {},
                                      "the mdl preset, seeds 0-2"),
            "quick": model_cost_scale((None, 100.0, 1.0), (2000,), range(1), {}, "the mdl preset, seed 0")},
           make_model_cost, list[ModelCostRow]),
)
