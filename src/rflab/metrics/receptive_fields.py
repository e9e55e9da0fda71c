"""Measurements of receptive fields on a ring (N sites) or an N x N torus (docs/localization.md, sections 4-5).

Conventions (every constant stated):

- **IPR** (inverse participation ratio, the convention of Lufkin et al.; Ingrosso & Goldt's code
  calls the reciprocal "IPR"): sum_i w_i^4 / (sum_i w_i^2)^2. It is 1/D for a flat field, 1 for
  a field on one site, 3/(2D) for a pure cosine at a frequency other than 0 and D/2, and about
  3/D for i.i.d. Gaussian weights (D = N on a ring, N^2 on a torus).
- **Centre and width are circular.** The field's power p_i = w_i^2 / sum_j w_j^2 is a mass on the
  ring; with angles theta_i = 2 pi i / N its mean resultant R e^(i mu) = sum_i p_i e^(i theta_i)
  gives the centre mu N / (2 pi) (in [0, N)) and the width, the circular standard deviation
  sqrt(-2 ln R) N / (2 pi) in sites (exactly sigma for a wrapped normal mass of std sigma; R is
  floored at 1e-12, so a field with no preferred site has a width of about 1.2 N). On a torus
  each axis is measured on the marginal mass; the width is the root mean square over the axes.
- **Sinusoid**: w_i ~ c + A cos(2 pi f i / N + phi), A >= 0, phi in (-pi, pi], by least squares:
  a grid over f (step 1/20 on [1/2, N/2]), then a bounded refinement around the best grid point.
  R^2 = 1 - SS_res / sum_i (w_i - mean w)^2 (centred, the usual one), and the share of the field's
  power the fit explains, ``power_explained`` = 1 - SS_res / sum_i w_i^2 (uncentred: the offset is
  the k = 0 Fourier mode and counts). ``mean_power`` = D (mean w)^2 / sum w^2 is the k = 0 share
  alone. On a torus, the best plane wave c + A cos(2 pi k . r / N + phi) over integer wave vectors
  k, with f = |k|. A flat field (variance below 1e-6 of its mean square) is the k = 0 mode: f = 0,
  R^2 = 1.
- **Verdict** per unit: *localized* if IPR >= 4/D and width <= N/8 on a ring, N/4 on a torus
  (where the marginal masses of a random field are flatter: none of 2000 random 12 x 12 or
  30 x 30 fields, nor of 40-site rings at N/8, passes both); otherwise *oscillatory* if
  power_explained >= 0.8 (the field is one Fourier mode plus an offset, as Proposition 3.3 predicts;
  a nearly flat field, the k = 0 mode, counts); otherwise *unstructured*.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize

LOCALIZED_IPR = 4.0  # times 1/D
LOCALIZED_WIDTH = {1: 1 / 8, 2: 1 / 4}  # times N, by the number of axes
OSCILLATORY_POWER = 0.8
FREQUENCY_STEP = 0.05
MIN_FREQUENCY = 0.5
FLAT = 1e-6
VERDICTS = ("localized", "oscillatory", "unstructured")


def ipr(w: np.ndarray) -> np.ndarray:
    """sum w^4 / (sum w^2)^2 over the last axis (see the module docstring for the convention)."""
    w = np.asarray(w, np.float64)
    return np.sum(w**4, axis=-1) / np.sum(w**2, axis=-1) ** 2


def circular_centre_width(w: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray, float]:
    """Circular centre (one entry per axis, in sites) and width (sites) of one field's power."""
    p = np.asarray(w, np.float64).reshape(shape) ** 2
    p = p / p.sum()
    centres, variances = [], []
    for axis, n in enumerate(shape):
        mass = p.sum(axis=tuple(a for a in range(len(shape)) if a != axis))
        resultant = np.sum(mass * np.exp(2j * np.pi * np.arange(n) / n))
        radius = max(abs(resultant), 1e-12)
        centres.append((np.angle(resultant) % (2 * np.pi)) * n / (2 * np.pi))
        variances.append(-2 * math.log(min(radius, 1.0)) * (n / (2 * np.pi)) ** 2)
    return np.array(centres), float(np.sqrt(np.mean(variances)))


def _phases(shape: tuple[int, ...], wave: np.ndarray) -> np.ndarray:
    """2 pi k . r / N for each wave vector (rows of ``wave``, one column per axis) and site r."""
    grids = np.indices(shape).reshape(len(shape), -1).astype(np.float64)
    return 2 * np.pi * (wave @ grids) / shape[0]


def _least_squares(w: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fit w ~ c + a cos(theta_m) + b sin(theta_m) for every row m: coefficients (M, 3), SS_res (M,)."""
    design = np.stack([np.ones_like(theta), np.cos(theta), np.sin(theta)], axis=-1)  # (M, D, 3)
    gram = np.einsum("mdi,mdj->mij", design, design) + 1e-12 * np.eye(3)
    coef = np.linalg.solve(gram, np.einsum("mdi,d->mi", design, w)[..., None])[..., 0]
    residual = w - np.einsum("mdi,mi->md", design, coef)
    return coef, np.sum(residual**2, axis=-1)


def fit_sinusoid(w: np.ndarray, shape: tuple[int, ...]) -> dict[str, float]:
    """Best-fit sinusoid of one field: frequency, phase, amplitude, offset and R^2 (module docstring)."""
    w = np.asarray(w, np.float64).ravel()
    n = shape[0]
    total, power = float(np.sum((w - w.mean()) ** 2)), float(np.sum(w**2))
    shares = {"mean_power": w.size * float(w.mean()) ** 2 / power}
    if total <= FLAT * power:
        return {"frequency": 0.0, "phase": 0.0, "amplitude": 0.0, "offset": float(w.mean()), "r2": 1.0,
                "power_explained": 1.0} | shares
    if len(shape) == 1:
        grid = np.arange(MIN_FREQUENCY, n / 2 + 1e-9, FREQUENCY_STEP)[:, None]
    else:
        axes = np.meshgrid(np.arange(n // 2 + 1), np.arange(-(n // 2) + 1, n // 2 + 1), indexing="ij")
        k = np.stack(axes, -1).reshape(-1, 2)
        grid = k[(k[:, 0] > 0) | ((k[:, 0] == 0) & (k[:, 1] > 0))].astype(np.float64)
    coefs, ss = _least_squares(w, _phases(shape, grid))
    best = int(np.argmin(ss))
    wave, coef = grid[best], coefs[best]
    if len(shape) == 1:
        def ss_at(f: float) -> float:
            return float(_least_squares(w, _phases(shape, np.array([[f]])))[1][0])

        lo, hi = max(MIN_FREQUENCY, wave[0] - FREQUENCY_STEP), min(n / 2, wave[0] + FREQUENCY_STEP)
        refined = optimize.minimize_scalar(ss_at, bounds=(lo, hi), method="bounded", options={"xatol": 1e-8})
        if refined.fun < ss[best]:
            wave = np.array([refined.x])
            coef = _least_squares(w, _phases(shape, wave[None]))[0][0]
    res = float(_least_squares(w, _phases(shape, wave[None]))[1][0])
    c, a, b = (float(v) for v in coef)
    return {"frequency": float(np.linalg.norm(wave)), "phase": math.atan2(-b, a), "amplitude": math.hypot(a, b),
            "offset": c, "r2": 1.0 - res / total, "power_explained": 1.0 - res / power} | shares


def verdict(ipr_value: float, width: float, power_explained: float, shape: tuple[int, ...]) -> str:
    """localized / oscillatory / unstructured by the rule in the module docstring."""
    if ipr_value >= LOCALIZED_IPR / math.prod(shape) and width <= LOCALIZED_WIDTH[len(shape)] * shape[0]:
        return "localized"
    return "oscillatory" if power_explained >= OSCILLATORY_POWER else "unstructured"


def measure_field(w: np.ndarray, shape: tuple[int, ...]) -> dict[str, Any]:
    """Every measurement of one field and its verdict."""
    value = float(ipr(np.ravel(w)))
    centre, width = circular_centre_width(w, shape)
    fit = fit_sinusoid(w, shape)
    return {"ipr": value, "centre": [float(c) for c in centre], "width": width} | fit | {
        "verdict": verdict(value, width, fit["power_explained"], shape)}


def measure_units(fields: np.ndarray, shape: tuple[int, ...]) -> list[dict[str, Any]]:
    """``measure_field`` for each row of ``fields`` (K, D)."""
    return [measure_field(w, shape) for w in np.asarray(fields)]


def summarise_units(units: list[dict[str, Any]], shape: tuple[int, ...]) -> dict[str, Any]:
    """Across units: IPR mean, min and max, counts of each verdict and the majority verdict, with the
    reference IPRs of a random (3/D) and a sinusoidal (3/(2D)) field."""
    values = np.array([u["ipr"] for u in units])
    counts = {v: sum(u["verdict"] == v for u in units) for v in VERDICTS}
    d = math.prod(shape)
    return {
        "ipr": float(values.mean()), "ipr_min": float(values.min()), "ipr_max": float(values.max()),
        "ipr_times_D": float(values.mean() * d), "ipr_random": 3.0 / d, "ipr_sinusoid": 1.5 / d,
        "r2": float(np.mean([u["r2"] for u in units])),
        "power_explained": float(np.mean([u["power_explained"] for u in units])),
        "mean_power": float(np.mean([u["mean_power"] for u in units])),
        "width": float(np.mean([u["width"] for u in units])),
        **{f"n_{v}": counts[v] for v in VERDICTS},
        "verdict": max(VERDICTS, key=lambda v: counts[v]),
    }
