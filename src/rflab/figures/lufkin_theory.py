"""Theory beside simulation: ``fig3-theory``, ``claim32``, ``prop33`` and ``phase-diagram``.

Every SGD run is an ``rf-neuron`` run the figure declares (so a figure reuses ``rflab run rf-neuron ...``
runs with the same config and seed from the store, and a second call trains nothing);
every prediction comes from ``rflab.theory`` (the effective ODE of ``theory/dynamics.py``, Eq. 5),
started from the SGD run's own initial weights and read on the SGD clock t = lr x steps. Each
figure writes ``NAME-SCALE.png`` and ``NAME-SCALE.json`` (every number in the figure, the settings
and the wall time).

- ``fig3-theory``: Ising J = (0.3, 0.7), NLGP g = 100 and Kur(5), N = 40, xi = (1, 3), and the
  Gaussian control (where Eq. 5 is the exact flow): the rf-neuron presets ``ising``, ``nlgp``,
  ``kur5``, ``gaussian`` (paper: lr 0.05, 2000 steps, batch 10^4, Ising 500, seeds
  0-4; quick: 1000 steps, batch 2000, Ising 500, seeds 0-2, the runs of ``rflab figure fig3``).
  Cosine similarity of the ODE and SGD fields at every snapshot, for the full amplifier and its
  Taylor form; also the best cosine over circular shifts (same shape, another place on the ring),
  and SGD's agreement with its own replicates (``replicate`` 1-3, paper; 1, quick: the same initial
  weights on independent data streams), the most any deterministic prediction can expect.
- ``claim32``: final IPR against excess kurtosis for NLGP g in logspace(-2, 2, 10) and Kur k in
  (4.1, 4.3, 4.5, 4.74, 5, 5.4, 6.1, 7.7, 10, 50); one ReLU neuron without bias, N = 40, lr 0.1,
  init scale 1e-3. ``paper``: the authors' sweep (xi = (0.3, 0.7), 1000 steps, batch 5000 and 30
  seeds for NLGP, 50,000 and 100 seeds for Kur; docs/provenance.md); ``fig3-xi``: a variant at
  Fig. 3's xi = (1, 3), 10^4 steps, batch 5000, 30 seeds; ``quick``: the authors' xi and steps,
  batch 1000 / 5000, 2 seeds. Per point: the exact excess kurtosis and the authors' estimate of it
  (their x-axis), the final IPR of every seed, the share localized, and the ODE's final IPR (full
  and Taylor amplifier) from each seed's initial weights; at the paper scale the authors'
  published points beside ours.
- ``prop33``: the elliptical presets ``shell``, ``custom``, ``t3`` (paper: their settings, seeds 0-4;
  quick: 1/5 of the steps, batch <= 2000, seeds 0-2, the runs of ``rflab figure fig4``): the exact
  elliptical flow (linear amplifier E|X| a) from the same start, the sinusoid frequency fitted to
  both final fields (offset free, so the flat mode k = 0 goes into the offset), their dominant
  Fourier mode (k = 0 the flat field) and strongest oscillating mode (k >= 1), the share of power in
  k = 0 and in k <= 1, and the t -> inf survivor of Prop. 3.3.
- ``phase-diagram``: final ODE IPR over (excess kurtosis, xi_1 / xi_0) with xi_0 = 1, for the Kur(k)
  family (k chosen to put the points at given excess kurtosis) and the NLGP(g) family, one initial
  weight vector (seed 0) for every grid point, vmapped over xi_1 / xi_0; the criterion's boundary
  kappa = 3; SGD spot checks (lr 0.1, batch 1000, the same t), among them Kur(k) at small positive
  excess kurtosis (+0.18, +0.36) with close correlation lengths (xi_1 / xi_0 = 1.1), where the ODE
  puts the localization boundary above zero.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from rflab.data.fields import DataModel
from rflab.experiments.receptive_fields import data_model
from rflab.figures.base import Figure, Inputs, Scale
from rflab.figures.lufkin_fig4 import elliptical_runs
from rflab.files import write_json
from rflab.metrics import receptive_fields as rf
from rflab.models import neurons
from rflab.plots import theory as plots
from rflab.results.cache import RunSpec
from rflab.results.store import StoredRun
from rflab.schema import Schema
from rflab.theory import dynamics as dyn


class Fig3Model(Schema):
    """``fig3-theory`` for one data model: per seed, the ODE's (full, Taylor, pair) agreement with SGD, the
    final IPRs and norms, and the agreement of SGD with its own replicates."""

    config: dict[str, Any]
    excess_kurtosis: float
    t_final: float
    final_cos_full: list[float]
    final_cos_taylor: list[float]
    final_cos_pair: list[float]
    aligned_cos_full: list[float]
    aligned_cos_taylor: list[float]
    aligned_cos_pair: list[float]
    ipr_sgd: list[float]
    ipr_ode_full: list[float]
    ipr_ode_taylor: list[float]
    ipr_ode_pair: list[float]
    exact_flow_norm_seed0: dict[str, float]
    peak_site: dict[str, list[int]]
    norm_sgd: list[float]
    norm_ode_full: list[float]
    replicates: int
    replicate_cos: list[float]
    replicate_best_cos: list[float]
    replicate_peak_site: list[list[int]]
    replicate_mean_cos_full: list[float]
    replicate_mean_cos_taylor: list[float]
    replicate_mean_cos_pair: list[float]


class Fig3Numbers(Schema):
    """``fig3-theory-SCALE.json``."""

    scale: str
    note: str
    seeds: list[int]
    wall_seconds: float
    models: dict[str, Fig3Model]


class Claim32Point(Schema):
    """One point of the Claim 3.2 sweep: its kurtosis (exact and as the authors estimate it), SGD's final
    IPR over seeds and the share localized, and the ODE's from the same starts."""

    family: str
    label: str
    param: float
    config: dict[str, Any]
    seeds: int
    excess_kurtosis: float
    excess_kurtosis_estimated: float
    ipr_sgd: list[float]
    sgd_mean: float
    sgd_std: float
    localized_share: float
    sgd_seconds: float
    ode_full: list[float]
    ode_taylor: list[float]
    ode_localized_share: float


class Claim32Settings(Schema):
    """The settings of a Claim 3.2 sweep, per family where they differ."""

    xi: list[float]
    steps: int
    batch_size: dict[str, int]
    seeds: dict[str, int]
    lr: float
    init_scale: float
    N: int


class Claim32Numbers(Schema):
    """``claim32-SCALE.json``."""

    scale: str
    note: str
    settings: Claim32Settings
    threshold: float
    sgd_seconds: float
    wall_seconds: float
    points: list[Claim32Point]


class Prop33Model(Schema):
    """``prop33`` for one elliptical model: the frequencies and Fourier modes of SGD's and the exact flow's
    final fields, their fits and IPRs, and the survivor of Prop. 3.3."""

    config: dict[str, Any]
    t_final: float
    survivor_t_inf: int
    ratio_top3: list[float]
    freq_sgd: list[float]
    freq_ode: list[float]
    mode_sgd: list[int]
    mode_ode: list[int]
    oscillation_sgd: list[int]
    oscillation_ode: list[int]
    r2_sgd: list[float]
    r2_ode: list[float]
    verdict_sgd: list[str]
    cos_exact_vs_sgd: list[float]
    cos_closure_vs_sgd: list[float]
    ipr_sgd: list[float]
    ipr_exact: list[float]
    ipr_closure: list[float]
    power_sgd_k0123: list[float]
    power_exact_k0123: list[float]
    share_k0_sgd: list[float]
    share_k0_exact: list[float]
    share_k01_sgd: list[float]
    share_k01_exact: list[float]


class Prop33Numbers(Schema):
    """``prop33-SCALE.json``."""

    scale: str
    note: str
    seeds: list[int]
    wall_seconds: float
    models: dict[str, Prop33Model]


class PhaseSpot(Schema):
    """An SGD spot check of the phase diagram."""

    family: str
    param: float
    ratio: float
    kurtosis: float
    ipr: float
    ipr_sgd: list[float]
    ipr_ode_same_starts: list[float]


class PhaseFamily(Schema):
    """The phase diagram of one family: the ODE's final IPR over (parameter, xi ratio) and the spot checks."""

    params: list[float]
    excess_kurtosis: list[float]
    ratios: list[float]
    ipr: list[list[float]]
    spots: list[PhaseSpot]


class PhaseNumbers(Schema):
    """``phase-diagram-SCALE.json``."""

    scale: str
    note: str
    t_final: float
    threshold: float
    wall_seconds: float
    families: dict[str, PhaseFamily]


# The authors' gains, np.logspace(-2, 2, 10), as the literals NumPy gave where the stored runs were made: its
# power is CPU-dependent (AVX-512 kernels round 10^(2/9) one ulp below what libm gives), and run ids hash
# the config, so a computed tuple would give other ids on another CPU.
NLGP_GAINS = (0.01, 0.027825594022071243, 0.0774263682681127, 0.21544346900318834, 0.5994842503189409,
              1.668100537200059, 4.6415888336127775, 12.915496650148826, 35.93813663804626, 100.0)
KUR_TAILS = (4.1, 4.3, 4.5, 4.74, 5.0, 5.4, 6.1, 7.7, 10.0, 50.0)


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity along the last axis."""
    return np.sum(a * b, -1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


def peak_site(w: np.ndarray) -> np.ndarray:
    """Signed site of the largest |w| along the last axis (+30: a positive peak at site 30; a peak
    at site 0 reads 0 whatever its sign)."""
    i = np.argmax(np.abs(w), axis=-1)
    return np.sign(np.take_along_axis(w, i[..., None], -1)[..., 0]).astype(int) * i


def aligned_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """The largest cosine similarity of a with any circular shift of b (a ring field's shape)."""
    return float(max(cosine(a, np.roll(b, k)) for k in range(b.shape[-1])))


def finish(inputs: Inputs[Any], draw: Callable[[Path], Path], start: float, meta: dict[str, Any],
           numbers: dict[str, Any]) -> list[Path]:
    """Draw ``NAME-SCALE.png`` and write ``NAME-SCALE.json`` (meta, wall time since ``start``, numbers)."""
    png = draw(inputs.file(".png"))
    return [png, write_json(inputs.file(".json"), meta | {"wall_seconds": time.perf_counter() - start} | numbers)]


def ode_from_runs(model: DataModel, runs: Sequence[StoredRun], lr: float, form: str) -> np.ndarray:
    """The ODE (``dyn.system`` form) from each run's initial weights, at its snapshot steps x lr: (S, T, D)."""
    w0 = jnp.asarray(np.stack([r.arrays()["fields"][0, 0] for r in runs]), jnp.float32)
    times = jnp.asarray(runs[0].arrays()["snapshot_steps"] * lr, jnp.float32)
    args, field = dyn.system(model, form)
    return np.asarray(dyn.solve_many(w0, times, args, field=field))


def sgd_fields(runs: Sequence[StoredRun]) -> np.ndarray:
    """The single unit's snapshots of each run: (S, T, D)."""
    return np.stack([r.arrays()["fields"][:, 0] for r in runs])


# ----------------------------------------------------------------------------------------------
# fig3-theory

FIG3_ROWS = (  # title, key, preset, overrides that win over the scale's
    ("Ising, J = (0.3, 0.7), batch 500", "ising", "ising", {"batch_size": 500}),
    ("Ising, batch 10^4 (less SGD noise)", "ising-batch10k", "ising", {"batch_size": 10_000}),
    ("NLGP, g = 100", "nlgp", "nlgp", {}), ("Kur(5)", "kur5", "kur5", {}),
    ("Gaussian (control: the ODE is exact)", "gaussian", "gaussian", {}),
)


def replica(key: str, r: int) -> str:
    """The name of a row's SGD replicate ``r`` (same initial weights, an independent data stream)."""
    return f"{key}/replicate-{r}"


def fig3_scale(overrides: Mapping[str, Any], seeds: Sequence[int], replicates: int, note: str) -> Scale[int]:
    """Each row's preset with ``overrides`` (the row's own win) on ``seeds``, and ``replicates`` replicates
    of it; the settings are the number of replicates."""
    runs = {}
    for _, key, preset, fixed in FIG3_ROWS:
        runs[key] = RunSpec("rf-neuron", preset, {**overrides, **fixed}, tuple(seeds))
        runs |= {replica(key, r): RunSpec("rf-neuron", preset, {**overrides, **fixed, "replicate": r}, tuple(seeds))
                 for r in range(1, replicates + 1)}
    return Scale(runs, note, replicates)


def replicate_agreement(final: np.ndarray, ode: dict[str, np.ndarray]) -> dict[str, Any]:
    """How far SGD noise alone moves the final field, against how well each ODE predicts it.

    ``final`` holds the final SGD fields of R + 1 replicates (same initial weights, independent data
    streams; replicate 0 is the seed's own run), shape (R + 1, S, D). Per seed: the mean cosine over
    replicate pairs; the best mean cosine any one field p can have with these runs,
    max_p mean_r cos(p, w_r) = |mean_r w_r / |w_r|| (attained by p along that mean), the ceiling of a
    deterministic prediction; and each ODE's mean cosine with the same runs."""
    r = len(final)
    pairs = [(i, j) for i in range(r) for j in range(i + 1, r)]
    unit = final / np.linalg.norm(final, axis=-1, keepdims=True)
    return {
        "replicates": r - 1,
        "replicate_cos": np.mean([cosine(final[i], final[j]) for i, j in pairs], axis=0),
        "replicate_best_cos": np.linalg.norm(unit.mean(axis=0), axis=-1),
        "replicate_peak_site": peak_site(final).T,
        **{f"replicate_mean_cos_{form}": np.mean(cosine(w[None, :, -1], final), axis=0) for form, w in ode.items()},
    }


def exact_flow_norms(model: DataModel, fields: dict[str, np.ndarray]) -> dict[str, float]:
    """|exact population flow| (Monte Carlo, 10^6 class-1 samples, no closure) at each final field
    ("at_NAME"), with the Monte Carlo error of a component: which of them is a fixed point."""
    flows, se = dyn.monte_carlo_flow(model, np.stack(list(fields.values())), jax.random.PRNGKey(2024))
    norms = {f"at_{name}": float(np.linalg.norm(flow)) for name, flow in zip(fields, flows, strict=True)}
    return norms | {"noise_level": float(np.linalg.norm(se[-1]))}


def fig3_theory(inputs: Inputs[int]) -> list[Path]:
    """ODE against SGD from the same initial weights for Ising, NLGP g = 100 and Kur(5): the paper's
    closure with the full and the Taylor amplifier, and the pair closure (``theory.pair_closure``)."""
    start = time.perf_counter()
    replicates, note = inputs.scale.settings, inputs.scale.note
    seeds = list(inputs.scale.runs[FIG3_ROWS[0][1]].seeds)
    rows, numbers = [], {}
    for title, key, _, _ in FIG3_ROWS:
        cfg, runs = inputs.config(key), inputs.runs[key]
        twins = [sgd_fields(inputs.runs[replica(key, r)]) for r in range(1, replicates + 1)]
        model = data_model(cfg)
        sgd = sgd_fields(runs)
        ode = {form: ode_from_runs(model, runs, cfg.lr, form) for form in ("full", "taylor", "pair")}
        cos = {form: cosine(w, sgd) for form, w in ode.items()}
        times = runs[0].arrays()["snapshot_steps"] * cfg.lr
        agreement = replicate_agreement(np.stack([sgd[:, -1]] + [w[:, -1] for w in twins]), ode)
        rows.append({"title": title, "times": times, "sgd": sgd, "ode": ode["full"], "cos": cos, "seeds": list(seeds),
                     "ipr_sgd": rf.ipr(sgd), "ipr_ode": rf.ipr(ode["full"]), "pair": ode["pair"],
                     "ipr_pair": rf.ipr(ode["pair"]), "replicate_cos": np.stack([cosine(w, sgd) for w in twins]),
                     "replicate_pairs": agreement["replicate_cos"], "best_cos": agreement["replicate_best_cos"]})
        numbers[key] = {
            "config": cfg.model_dump(), "excess_kurtosis": model.excess_kurtosis, "t_final": float(times[-1]),
            **{f"final_cos_{form}": c[:, -1] for form, c in cos.items()},
            **{f"aligned_cos_{form}": [aligned_cosine(w[s, -1], sgd[s, -1]) for s in range(len(sgd))]
               for form, w in ode.items()},
            "ipr_sgd": rf.ipr(sgd[:, -1]), "ipr_ode_full": rf.ipr(ode["full"][:, -1]),
            "ipr_ode_taylor": rf.ipr(ode["taylor"][:, -1]), "ipr_ode_pair": rf.ipr(ode["pair"][:, -1]),
            "exact_flow_norm_seed0": exact_flow_norms(
                model, {"sgd": sgd[0, -1], "ode": ode["full"][0, -1], "pair": ode["pair"][0, -1]}),
            "peak_site": {"sgd": peak_site(sgd[:, -1])} | {form: peak_site(w[:, -1]) for form, w in ode.items()},
            "norm_sgd": np.linalg.norm(sgd[:, -1], axis=-1),
            "norm_ode_full": np.linalg.norm(ode["full"][:, -1], axis=-1),
            **agreement,
        }
    return finish(inputs, lambda path: plots.ode_vs_sgd_figure(rows, path, note), start,
                  {"scale": inputs.scale_name, "note": note, "seeds": seeds}, {"models": numbers})


# ----------------------------------------------------------------------------------------------
# claim32


@dataclass(frozen=True)
class SweepScale:
    """Settings of a Claim 3.2 sweep: the two classes' correlation lengths, SGD steps, and per
    family (``nlgp``, ``kur``) the batch size and the number of seeds."""

    xi: tuple[float, float]
    steps: int
    batch: dict[str, int]
    seeds: dict[str, int]
    note: str

    def with_seeds(self, seeds: int) -> SweepScale:
        """The same sweep on ``seeds`` seeds (0 .. seeds - 1) at every point."""
        return SweepScale(self.xi, self.steps, self.batch, dict.fromkeys(self.seeds, seeds),
                          f"{self.note}; {seeds} seeds per point")


# The authors' sweep (leonlufkin/Localization, model_sweep.py at 393d50c; docs/provenance.md).
AUTHORS_SWEEP = SweepScale((0.3, 0.7), 1000, {"nlgp": 5000, "kur": 50_000}, {"nlgp": 30, "kur": 100},
                           "the authors' settings: xi = (0.3, 0.7), lr 0.1, 1000 steps, batch 5000 (NLGP) and "
                           "50,000 (Kur)")
CLAIM32_SWEEPS = {
    "paper": AUTHORS_SWEEP,
    # Fig. 3's correlation lengths, run longer: a variant, not the paper's Claim 3.2.
    "fig3-xi": SweepScale((1.0, 3.0), 10_000, {"nlgp": 5000, "kur": 5000}, {"nlgp": 30, "kur": 30},
                          "variant at Fig. 3's xi = (1, 3): lr 0.1, 10^4 steps, batch 5000"),
    "quick": SweepScale((0.3, 0.7), 1000, {"nlgp": 1000, "kur": 5000}, {"nlgp": 2, "kur": 2},
                        "quick: xi = (0.3, 0.7), lr 0.1, 1000 steps, batch 1000 (NLGP) and 5000 (Kur)"),
}
KURTOSIS_SAMPLES = 10_000  # the authors' x-axis: kurtosis of one coordinate from 10^4 samples
CLAIM32_N = 40


def sweep_points() -> list[tuple[str, str, dict[str, Any]]]:
    """(family, label, data overrides) for every point of the Claim 3.2 sweep."""
    return ([("nlgp", f"g={g:.3g}", {"data": "nlgp", "g": g}) for g in NLGP_GAINS]
            + [("kur", f"k={k:g}", {"data": "kur", "k": k}) for k in KUR_TAILS])


def claim32_scale(s: SweepScale) -> Scale[SweepScale]:
    """Every point of a Claim 3.2 sweep, by label: rf-neuron on its defaults with the point's overrides."""
    base = {"N": CLAIM32_N, "xi": s.xi, "lr": 0.1, "steps": s.steps, "init_scale": 1e-3, "snapshots": 10}
    return Scale({label: RunSpec("rf-neuron", None, base | data | {"batch_size": s.batch[family]},
                                 range(s.seeds[family]))
                  for family, label, data in sweep_points()}, s.note, s)


def estimated_kurtosis(model: DataModel, n: int = KURTOSIS_SAMPLES) -> float:
    """Kurtosis E x^4 / (E x^2)^2 of site 0 over n samples of both classes (key 0): the authors' x-axis,
    which undershoots the exact value where the tails are heavy."""
    x = np.asarray(model.sample(jax.random.PRNGKey(0), n)[0][:, 0], np.float64)
    return float(np.mean(x**4) / np.mean(x**2) ** 2)


def authors_points(family: str) -> dict[str, Any]:
    """The authors' published Claim 3.2 sweep for one family: their estimated excess kurtosis and the
    mean and standard deviation of the final IPR over their stored seeds (``rflab.sources``)."""
    from rflab.sources import lufkin_claim32, published_ipr

    pts = [p for p in lufkin_claim32()["points"] if p["family"] == family]
    ipr = [published_ipr(p) for p in pts]
    return {"excess_kurtosis_estimated": np.array([p["kurtosis_estimated"] - 3.0 for p in pts]),
            "mean": np.array([v.mean() for v in ipr]), "std": np.array([v.std(ddof=1) for v in ipr]),
            "seeds": "/".join(sorted({str(len(v)) for v in ipr}))}


def ode_final_ipr(model: DataModel, runs: Sequence[StoredRun], t_final: float, form: str) -> np.ndarray:
    """Final IPR of the ODE (``dyn.system`` form) from each run's initial weights at t_final: (S,)."""
    w0 = jnp.asarray(np.stack([r.arrays()["fields"][0, 0] for r in runs]), jnp.float32)
    args, field = dyn.system(model, form)
    ws = dyn.solve_many(w0, jnp.asarray([0.0, t_final], jnp.float32), args, field=field)
    return rf.ipr(np.asarray(ws)[:, -1])


def claim32(inputs: Inputs[SweepScale]) -> list[Path]:
    """Final IPR against excess kurtosis: SGD over seeds and the ODE's prediction (Claim 3.2).

    Per point: the exact excess kurtosis and the authors' estimate of it, the final IPR of every
    seed, its mean and standard deviation, the share of seeds localized (IPR >= 4/N), and the ODE
    from the same initial weights. ``wall_seconds`` is this call's time; ``sgd_seconds`` sums the
    stored runs' training times, so it is the sweep's SGD cost however many calls (resumed after a
    kill) it took. The JSON gives each point's count of seeds."""
    start = time.perf_counter()
    s = inputs.scale.settings
    threshold = rf.LOCALIZED_IPR / CLAIM32_N
    points = []
    for family, label, _ in sweep_points():
        cfg, runs, overrides = inputs.config(label), inputs.runs[label], inputs.scale.runs[label].overrides
        model = data_model(cfg)
        t_final = cfg.lr * cfg.steps
        sgd = np.array([r.metrics["ipr"] for r in runs])
        ode = {form: ode_final_ipr(model, runs, t_final, form) for form in ("full", "taylor")}
        points.append({"family": family, "label": label, "param": overrides.get("g", overrides.get("k")),
                       "config": cfg.model_dump(), "seeds": len(runs),
                       "excess_kurtosis": model.excess_kurtosis,
                       "excess_kurtosis_estimated": estimated_kurtosis(model) - 3.0, "ipr_sgd": sgd,
                       "sgd_mean": float(sgd.mean()), "sgd_std": float(sgd.std(ddof=1)) if len(sgd) > 1 else 0.0,
                       "localized_share": float(np.mean(sgd >= threshold)),
                       "sgd_seconds": sum(r.train_seconds for r in runs),
                       "ode_full": ode["full"], "ode_taylor": ode["taylor"],
                       "ode_localized_share": float(np.mean(ode["full"] >= threshold))})
    at_authors = (s.xi, s.steps, s.batch) == (AUTHORS_SWEEP.xi, AUTHORS_SWEEP.steps, AUTHORS_SWEEP.batch)
    families = []
    for family, title in (("nlgp", "NLGP(g), g = 0.01 ... 100"), ("kur", "Kur(k), k = 4.1 ... 50")):
        pts = [p for p in points if p["family"] == family]
        families.append({"title": title, "seeds": s.seeds[family], "labels": [p["label"] for p in pts],
                         "excess_kurtosis": np.array([p["excess_kurtosis"] for p in pts]),
                         "excess_kurtosis_estimated": np.array([p["excess_kurtosis_estimated"] for p in pts]),
                         "sgd_mean": np.array([p["sgd_mean"] for p in pts]),
                         "sgd_std": np.array([p["sgd_std"] for p in pts]),
                         "ode_full": np.array([p["ode_full"].mean() for p in pts]),
                         "ode_taylor": np.array([p["ode_taylor"].mean() for p in pts]), "log_x": family == "kur",
                         "authors": authors_points(family) if at_authors else None})
    settings = {"xi": s.xi, "steps": s.steps, "batch_size": s.batch, "seeds": s.seeds, "lr": 0.1,
                "init_scale": 1e-3, "N": CLAIM32_N}
    return finish(inputs, lambda path: plots.claim32_figure(families, CLAIM32_N, path, s.note), start,
                  {"scale": inputs.scale_name, "note": s.note, "settings": settings, "threshold": threshold,
                   "sgd_seconds": sum(p["sgd_seconds"] for p in points)}, {"points": points})


# ----------------------------------------------------------------------------------------------
# prop33

PROP33_ROWS = (("custom r = 2 + artanh U", "custom"), ("shell r = 1", "shell"), ("multivariate t, nu = 3", "t3"))


def power_share(w: np.ndarray) -> np.ndarray:
    """Share of a ring field's power in each Fourier mode k = 0..N/2 (last axis)."""
    p = np.abs(np.fft.rfft(w, axis=-1)) ** 2
    return p / p.sum(-1, keepdims=True)


def prop33(inputs: Inputs[None]) -> list[Path]:
    """Per elliptical model: the frequency the exact theory keeps against the one fitted to SGD."""
    start = time.perf_counter()
    note = inputs.scale.note
    seeds = list(inputs.scale.runs[PROP33_ROWS[0][1]].seeds)
    rows, numbers = [], {}
    for title, preset in PROP33_ROWS:
        cfg, runs = inputs.config(preset), inputs.runs[preset]
        model = data_model(cfg)
        sgd = sgd_fields(runs)[:, -1]
        exact = ode_from_runs(model, runs, cfg.lr, "elliptical-exact")[:, -1]
        closure = ode_from_runs(model, runs, cfg.lr, "full")[:, -1]
        survivor, ratio = dyn.surviving_frequency(model)
        fit_sgd = [rf.fit_sinusoid(w, (cfg.N,)) for w in sgd]
        fit_ode = [rf.fit_sinusoid(w, (cfg.N,)) for w in exact]
        row = {"title": title, "seeds": list(seeds), "sgd": sgd, "ode": exact, "ode_full": closure, "ratio": ratio,
               "survivor": survivor, "power_sgd": power_share(sgd).mean(0), "power_ode": power_share(exact).mean(0),
               "freq_sgd": np.array([f["frequency"] for f in fit_sgd]),
               "freq_ode": np.array([f["frequency"] for f in fit_ode]),
               "mode_sgd": np.argmax(power_share(sgd), -1), "mode_ode": np.argmax(power_share(exact), -1),
               "oscillation_sgd": 1 + np.argmax(power_share(sgd)[:, 1:], -1),
               "oscillation_ode": 1 + np.argmax(power_share(exact)[:, 1:], -1)}
        rows.append(row)
        numbers[preset] = {
            "config": cfg.model_dump(), "t_final": cfg.lr * cfg.steps, "survivor_t_inf": survivor,
            "ratio_top3": ratio[:3],
            **{k: row[k] for k in ("freq_sgd", "freq_ode", "mode_sgd", "mode_ode", "oscillation_sgd",
                                   "oscillation_ode")},
            "r2_sgd": [f["r2"] for f in fit_sgd], "r2_ode": [f["r2"] for f in fit_ode],
            "verdict_sgd": [r.metrics["verdicts"][0] for r in runs],
            "cos_exact_vs_sgd": cosine(exact, sgd), "cos_closure_vs_sgd": cosine(closure, sgd),
            "ipr_sgd": rf.ipr(sgd), "ipr_exact": rf.ipr(exact), "ipr_closure": rf.ipr(closure),
            "power_sgd_k0123": row["power_sgd"][:4], "power_exact_k0123": row["power_ode"][:4],
            "share_k0_sgd": power_share(sgd)[:, 0], "share_k0_exact": power_share(exact)[:, 0],
            "share_k01_sgd": power_share(sgd)[:, :2].sum(-1), "share_k01_exact": power_share(exact)[:, :2].sum(-1),
        }
    return finish(inputs, lambda path: plots.prop33_figure(rows, path, note), start,
                  {"scale": inputs.scale_name, "note": note, "seeds": seeds}, {"models": numbers})


# ----------------------------------------------------------------------------------------------
# phase diagram


@dataclass(frozen=True)
class PhaseScale:
    kur_excess: tuple[float, ...]  # Kur(k) points, given by their excess kurtosis
    gains: tuple[float, ...]
    ratios: tuple[float, ...]
    t_final: float
    spot_seeds: int
    spots: tuple[tuple[str, float, float], ...]  # (family, parameter, xi ratio)
    note: str


def kur_tail_for(excess: float) -> float:
    """The Kur tail exponent k > 4 whose marginal has the given excess kurtosis (> -1.2), by root finding."""
    from scipy import optimize

    from rflab.data.marginals import KurMarginal

    return float(optimize.brentq(lambda k: KurMarginal(k).kurtosis - 3.0 - excess, 4.0 + 1e-9, 1e5, xtol=1e-10))


PHASE_SCALES = {
    "quick": PhaseScale((-1.15, -1.0, -0.8, -0.6, -0.4, -0.2, 0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0),
                        tuple(np.round(np.geomspace(0.05, 100, 10), 4)),
                        tuple(np.round(np.linspace(1.25, 5.0, 8), 3)), 200.0, 2,
                        (("kur", 5.0, 3.0), ("kur", 30.0, 3.0), ("kur", 5.6784, 1.1), ("nlgp", 100.0, 1.5),
                         ("nlgp", 1.0, 3.0)),
                        "quick scale: 13 x 8 and 10 x 8 grid points, t = 200; SGD: lr 0.1, batch 1000, 2 seeds"),
    "paper": PhaseScale(tuple(np.round(np.concatenate([np.linspace(-1.18, -0.1, 12), np.linspace(0.0, 0.9, 6),
                                                       np.geomspace(1.0, 20.0, 8)]), 3)),
                        tuple(np.round(np.geomspace(0.02, 100, 24), 4)),
                        tuple(np.round(np.linspace(1.1, 5.0, 16), 3)), 1000.0, 3,
                        (("kur", 5.0, 3.0), ("kur", 7.7, 1.5), ("kur", 30.0, 3.0), ("kur", 5.6784, 1.1),
                         ("kur", 5.5102, 1.1), ("nlgp", 100.0, 1.5), ("nlgp", 1.0, 3.0), ("nlgp", 0.3, 3.0)),
                        "paper scale: 26 x 16 and 24 x 16 grid points, t = 1000; SGD: lr 0.1, batch 1000, 3 seeds"),
}
PHASE_N = 40
PHASE_LR = 0.1
PHASE_BATCH = 1000


def phase_model(family: str, param: float, ratio: float) -> DataModel:
    """The data model at one grid point: xi = (1, ratio), N = 40."""
    from rflab.data import registry

    key = "k" if family == "kur" else "g"
    return registry.create(family, {"N": PHASE_N, "xi": (1.0, float(ratio)), key: float(param)})


def spot_label(family: str, param: float, ratio: float) -> str:
    """The name of an SGD spot check of the phase diagram."""
    return f"{family} {'k' if family == 'kur' else 'g'}={param:g} xi=1,{ratio:g}"


def phase_scale(s: PhaseScale) -> Scale[PhaseScale]:
    """The SGD spot checks of a phase diagram (rf-neuron on its defaults, at the grid's clock t_final)."""
    runs = {}
    for family, param, ratio in s.spots:
        data = {"data": family, "k" if family == "kur" else "g": param, "xi": (1.0, ratio), "N": PHASE_N}
        runs[spot_label(family, param, ratio)] = RunSpec(
            "rf-neuron", None, data | {"lr": PHASE_LR, "batch_size": PHASE_BATCH, "steps": round(s.t_final / PHASE_LR),
                                       "init_scale": 1e-3, "snapshots": 10}, tuple(range(s.spot_seeds)))
    return Scale(runs, s.note, s)


def phase_grid(family: str, params: Sequence[float], ratios: Sequence[float], t_final: float, w0: jax.Array,
               progress: Callable[[int, int], None]) -> tuple[np.ndarray, np.ndarray]:
    """Excess kurtosis per parameter and the final ODE IPR (params x ratios), vmapped over the ratios."""
    from rflab.theory import amplifier as amp

    kurt, ipr = [], []
    times = jnp.asarray([0.0, t_final], jnp.float32)
    for i, param in enumerate(params):
        models = [phase_model(family, param, r) for r in ratios]
        coef = amp.amplifier_coefficients(models[0].marginal)
        parts = [dyn.Effective(coef, m.covariance(0), m.covariance(1)).arrays() for m in models]
        stacked = tuple(jnp.stack(p) for p in zip(*parts, strict=True))
        starts = jnp.broadcast_to(w0, (len(ratios), w0.shape[0]))
        ws = np.asarray(dyn.solve_many(starts, times, stacked, batched_args=True))[:, -1]
        kurt.append(models[0].excess_kurtosis)
        ipr.append(rf.ipr(ws))
        progress(i + 1, len(params))
    return np.array(kurt), np.array(ipr)


def phase_diagram(inputs: Inputs[PhaseScale]) -> list[Path]:
    """Final ODE IPR over (excess kurtosis, xi_1 / xi_0), the criterion's boundary, SGD spot checks."""
    start = time.perf_counter()
    s = inputs.scale.settings
    w0 = neurons.init(jax.random.split(jax.random.PRNGKey(0))[0], PHASE_N, scale=1e-3)["w"][0]
    panels, numbers = [], {}
    tails = tuple(round(kur_tail_for(e), 4) for e in s.kur_excess)
    for family, params in (("kur", tails), ("nlgp", s.gains)):
        kurt, ipr = phase_grid(family, params, s.ratios, s.t_final, w0,
                               inputs.progress(f"phase diagram, {family}"))
        spots = []
        for fam, param, ratio in s.spots:
            if fam != family:
                continue
            label = spot_label(fam, param, ratio)
            cfg, runs = inputs.config(label), inputs.runs[label]
            model = data_model(cfg)
            sgd = np.array([r.metrics["ipr"] for r in runs])
            ode = ode_final_ipr(model, runs, s.t_final, "full")
            spots.append({"family": fam, "param": param, "ratio": ratio, "kurtosis": model.excess_kurtosis,
                          "ipr": float(sgd.mean()), "ipr_sgd": sgd, "ipr_ode_same_starts": ode})
        panels.append({"family": family, "kurtosis": kurt, "params": np.array(params), "ipr": ipr, "spots": spots})
        numbers[family] = {"params": params, "excess_kurtosis": kurt, "ratios": s.ratios, "ipr": ipr, "spots": spots}
    threshold = rf.LOCALIZED_IPR / PHASE_N
    return finish(inputs, lambda path: plots.phase_figure(panels, np.array(s.ratios), threshold, path, s.note), start,
                  {"scale": inputs.scale_name, "note": s.note, "t_final": s.t_final, "threshold": threshold},
                  {"families": numbers})


FIGURES = (
    Figure("fig3-theory", "Effective ODE against SGD from the same start: Ising, NLGP g = 100, Kur(5)",
           {"paper": fig3_scale({}, range(5), 3, "paper scale: lr 0.05, 2000 steps, batch 10^4 (Ising 500), seeds 0-4"),
            "quick": fig3_scale({"steps": 1000, "batch_size": 2000}, range(3), 1,
                                "quick scale: lr 0.05, 1000 steps, batch 2000 (Ising 500), seeds 0-2")},
           fig3_theory, Fig3Numbers),
    Figure("claim32", "Claim 3.2: final IPR against excess kurtosis (NLGP and Kur sweeps), SGD and ODE",
           {name: claim32_scale(sweep) for name, sweep in CLAIM32_SWEEPS.items()}, claim32, Claim32Numbers),
    Figure("prop33", "Prop. 3.3: elliptical data, the frequency the theory keeps against SGD's",
           {"paper": Scale(elliptical_runs(1, range(5)), "paper scale: the presets' settings, seeds 0-4"),
            "quick": Scale(elliptical_runs(5, range(3)), "quick scale: 1/5 of the steps, batch <= 2000, seeds 0-2")},
           prop33, Prop33Numbers),
    Figure("phase-diagram", "ODE localization phase diagram over (excess kurtosis, xi_1/xi_0), SGD spot checks",
           {name: phase_scale(s) for name, s in PHASE_SCALES.items()}, phase_diagram, PhaseNumbers),
)
