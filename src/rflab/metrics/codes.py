"""Measurements of a learned code: reconstruction, dimensionality, latent recovery, description length.

All functions take NumPy arrays and score on held-out data: regressions from the code to the
latents are fitted on the training images and scored on the test images.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.neighbors import KNeighborsRegressor, NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler


def reconstruction(x_test: np.ndarray, recon_test: np.ndarray, x_train: np.ndarray) -> dict[str, float]:
    """Test MSE (mean over pixels and images), the naive MSE of predicting the training mean image,
    and the variance explained 1 - test_mse / naive_mse."""
    test_mse = float(np.mean((recon_test - x_test) ** 2))
    naive_mse = float(np.mean((x_train.mean(axis=0) - x_test) ** 2))
    return {"test_mse": test_mse, "naive_mse": naive_mse, "variance_explained": 1.0 - test_mse / naive_mse}


def seed_proxy_bits(mse: float, pixels: int, dim: int, sigma: float, sigma_recon: float = 0.15) -> float:
    """The seed re-implementation's "relative MDL proxy", bits per image: K log2(1 / sigma) for the
    implicit position plus a Gaussian residual code of std ``sigma_recon`` without a resolution,
    D/2 log2(2 pi sigma_recon^2) + D mse / (2 sigma_recon^2 ln 2); a differential entropy, so it can
    be negative (``description_length_loss`` in yaroslavvb/hinton-problems,
    dipole-3d-constraint/dipole_3d_constraint.py at 32474b0)."""
    residual = pixels * mse / (2.0 * sigma_recon**2 * math.log(2.0))
    return dim * math.log2(1.0 / sigma) + 0.5 * pixels * math.log2(2.0 * math.pi * sigma_recon**2) + residual


def participation_ratio(weights: np.ndarray) -> float:
    """(sum w)^2 / sum w^2 of non-negative weights: n for n equal ones, 1 when one carries everything."""
    return float(weights.sum() ** 2 / np.sum(weights**2))


def spectrum(code: np.ndarray) -> dict[str, list[float] | float]:
    """Singular values of the centred code and its effective dimensionality.

    The effective dimensionality is the participation ratio (sum l)^2 / sum l^2 of the eigenvalues
    l of the code's covariance: K for K equally used directions, 1 for a single one.
    """
    centred = code - code.mean(axis=0)
    sv = np.linalg.svd(centred, compute_uv=False)
    eig = sv**2 / max(len(code) - 1, 1)
    return {"singular_values": sv.tolist(), "effective_dim": participation_ratio(eig)}


def twonn_dimension(code: np.ndarray, keep: float = 0.9) -> float:
    """Intrinsic dimension of a point cloud by the two-nearest-neighbour estimator (Facco et al. 2017).

    With mu = r2 / r1 (distances to the second and first neighbour), mu is Pareto(d) on a
    d-dimensional manifold of locally uniform density whatever its embedding. The fit is theirs:
    the line through the origin of -log(1 - F(mu)) against log mu over the smallest ``keep``
    fraction of mu (the largest are distorted by curvature and the boundary). Unlike the
    participation ratio it does not count the dimensions a curved manifold bends into.
    """
    distances, _ = NearestNeighbors(n_neighbors=3).fit(code).kneighbors(code)
    r1, r2 = distances[:, 1], distances[:, 2]
    mu = np.sort(r2[r1 > 0] / r1[r1 > 0])
    n = int(keep * len(mu))
    x = np.log(mu[:n])
    y = -np.log(1.0 - np.arange(1, n + 1) / len(mu))
    return float(np.dot(x, y) / np.dot(x, x))


def loop_lifetimes(points: np.ndarray, landmarks: int = 400) -> np.ndarray:
    """Lifetimes (death - birth) of the 1-dimensional homology classes (loops) of the Vietoris-Rips
    filtration of ``points``, longest first (ripser; Bauer 2021). Above ``landmarks`` points, a
    greedy max-min subsample of that size stands in for the cloud (ripser's ``n_perm``).
    """
    from ripser import ripser

    h1 = ripser(points, maxdim=1, n_perm=min(landmarks, len(points)))["dgms"][1]
    return np.sort(h1[:, 1] - h1[:, 0])[::-1] if len(h1) else np.zeros(0)


def one_dominant_loop(lifetimes: np.ndarray, ratio: float = 3.0) -> bool:
    """The rule for "exactly one long-lived loop": the longest lifetime is at least ``ratio`` times
    the second longest (and there is one)."""
    if len(lifetimes) == 0:
        return False
    second = lifetimes[1] if len(lifetimes) > 1 else 0.0
    return bool(lifetimes[0] >= ratio * second)


Regressor = Callable[[], object]


def held_out_r2(
    make: Regressor,
    code_train: np.ndarray,
    targets_train: np.ndarray,
    code_test: np.ndarray,
    targets_test: np.ndarray,
    names: list[str],
) -> dict[str, float]:
    """R^2 per target (and their mean) of a regressor fitted on train and scored on test, in float64: a
    float32 cubic fit on a barely spread code (std 0.003) moved its R^2 by up to 0.8 under a 1e-6 change."""
    code_train, targets_train, code_test, targets_test = (
        np.asarray(a, np.float64) for a in (code_train, targets_train, code_test, targets_test))
    model = make().fit(code_train, targets_train)  # type: ignore[attr-defined]
    scores = r2_score(targets_test, model.predict(code_test), multioutput="raw_values")  # type: ignore[attr-defined]
    out = {name: float(s) for name, s in zip(names, scores, strict=True)}
    return out | {"mean": float(np.mean(scores))}


def polynomial(degree: int) -> Regressor:
    """Least-squares polynomial regression of the given degree (all cross terms), on the code standardised
    first: the same fit (a polynomial's span is unchanged by scaling each coordinate), better conditioned."""
    return lambda: make_pipeline(StandardScaler(), PolynomialFeatures(degree), LinearRegression())


def knn(k: int) -> Regressor:
    """k-nearest-neighbour regression (uniform weights, Euclidean distance in code space)."""
    return lambda: KNeighborsRegressor(n_neighbors=k)


def description_length(
    x_train: np.ndarray,
    x_test: np.ndarray,
    decode_train: Callable[[float | None], np.ndarray],
    decode_test: Callable[[float | None], np.ndarray],
    code_dim: int,
    pixel_resolution: float,
    max_bits: int = 16,
) -> dict:
    """Two-part description length, in bits per held-out image, of coding images by the code.

    The sender quantises each code coordinate in [0, 1] to a grid of resolution delta = 2^-b
    (uniform prior: ``code_dim * b`` bits), the receiver decodes the quantised code, and each
    pixel's residual is sent at resolution ``pixel_resolution`` under N(0, s^2) with s fitted on
    the training images (-log2(t * N(r; 0, s^2)) bits per pixel). ``decode_*(delta)`` returns the
    reconstruction from the code quantised at delta (None: unquantised). b runs over 1..max_bits
    and the best total is reported; the baseline codes each image as the training mean image
    plus residuals, with no code. The cost of the weights, the same for every image, is not
    included.
    """
    d = x_test.shape[1]

    def residual_bits(resid_train: np.ndarray, resid_test: np.ndarray) -> tuple[float, float]:
        s = float(np.sqrt(np.mean(resid_train**2)))
        per_pixel_const = math.log2(s * math.sqrt(2 * math.pi) / pixel_resolution)
        bits = d * per_pixel_const + np.sum(resid_test**2, axis=1) / (2 * s**2 * math.log(2))
        return float(np.mean(bits)), s

    options = []
    for b in range(1, max_bits + 1):
        delta = 2.0**-b
        bits, s = residual_bits(decode_train(delta) - x_train, decode_test(delta) - x_test)
        options.append({"bits_per_dim": b, "code": code_dim * b, "residual": bits, "residual_std": s})
    best = min(options, key=lambda o: o["code"] + o["residual"])
    mean = x_train.mean(axis=0)
    baseline, baseline_std = residual_bits(x_train - mean, x_test - mean)
    return {
        "total": best["code"] + best["residual"],
        "code": float(best["code"]),
        "residual": best["residual"],
        "baseline": baseline,
        "saving": baseline - (best["code"] + best["residual"]),
        "constants": {
            "bits_per_dim": best["bits_per_dim"],
            "code_resolution": 2.0 ** -best["bits_per_dim"],
            "code_dim": code_dim,
            "residual_std": best["residual_std"],
            "baseline_residual_std": baseline_std,
            "pixel_resolution": pixel_resolution,
            "pixels": d,
        },
    }


def flatten(metrics: dict, prefix: str = "") -> dict[str, float]:
    """Numeric leaves of nested metrics as {"a.b": value}; lists become "a.0", "a.1", ..."""
    out: dict[str, float] = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= flatten(value, f"{name}.")
        elif isinstance(value, (list, tuple)):
            out |= flatten({str(i): v for i, v in enumerate(value)}, f"{name}.")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = float(value)
    return out


def summarise(per_seed: dict[int, dict]) -> dict:
    """Per-seed metrics plus the mean, standard deviation (ddof=1), min and max of every leaf."""
    flat = [flatten(m) for m in per_seed.values()]
    keys = [k for k in flat[0] if all(k in f for f in flat)]
    values = {k: np.array([f[k] for f in flat]) for k in keys}
    spread = {
        "mean": {k: float(v.mean()) for k, v in values.items()},
        "std": {k: float(v.std(ddof=1)) if len(v) > 1 else 0.0 for k, v in values.items()},
        "min": {k: float(v.min()) for k, v in values.items()},
        "max": {k: float(v.max()) for k, v in values.items()},
    }
    return {"seeds": {str(s): m for s, m in per_seed.items()}} | spread
