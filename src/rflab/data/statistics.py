"""A data model's exact statistics against those of samples drawn from it (``rflab data describe``):
marginal variance and kurtosis, the covariance, and what clipping the kernel changed."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rflab.resources import DOUBLE, FLOAT

COV_SITES = 2048


def statistics(model: Any, x: np.ndarray, c: int) -> dict[str, Any]:
    """Exact against sampled marginal variance, kurtosis and covariance of class-c samples x (n, D).

    Zero means are known, so second moments are raw: var = mean x^2, kurtosis = mean x^4 / var^2
    (pooled over sites), covariance X^T X / n over the first ``COV_SITES`` sites; ``max_cov_z`` is
    the largest |error| over its standard error sqrt((mean x_i^2 x_j^2 - m_ij^2) / n).
    ``kurtosis_se`` is the delta-method standard error from per-sample site averages; it is nan
    when E x^8 is infinite (Kur k <= 8, t nu <= 8), where the sample kurtosis converges slowly
    and from below.
    """
    x = np.asarray(x, np.float64)
    n = x.shape[0]
    sites = min(model.dim, COV_SITES)
    sub = x[:, :sites]
    second = sub.T @ sub / n
    error = np.abs(second - model.covariance(c)[:sites, :sites])
    sq = sub**2
    se = np.sqrt(np.clip(sq.T @ sq / n - second**2, 0.0, None) / n)
    z = np.divide(error, se, out=np.zeros_like(error), where=se > 0)
    m2, m4 = float(np.mean(x**2)), float(np.mean(x**4))
    a, b = np.mean(x**4, axis=1), np.mean(x**2, axis=1)
    grad = np.array([1 / m2**2, -2 * m4 / m2**3])
    kurtosis_se = float(np.sqrt(max(grad @ np.cov(a, b) @ grad, 0.0) / n))
    eighth_finite = math.isfinite(model.marginal.moment(8))
    return {
        "kurtosis_exact": model.kurtosis,
        "kurtosis_empirical": m4 / m2**2,
        "excess_kurtosis_exact": model.kurtosis - 3.0,
        "excess_kurtosis_empirical": m4 / m2**2 - 3.0,
        "kurtosis_se": kurtosis_se if eighth_finite else math.nan,
        "eighth_moment_finite": eighth_finite,
        "variance_exact": model.variance,
        "variance_empirical": m2,
        "max_cov_error": float(error.max()),
        "max_cov_z": float(z.max()),
        "cov_sites": sites,
        "n_samples": n,
    }


def describe_bytes(sites: int, samples: int) -> int:
    """Memory of ``rflab data describe``: the samples through the sampler's FFTs, their float64 copies
    and powers, the exact (D, D) covariance built whole and the compared block of COV_SITES sites."""
    block = min(sites, COV_SITES)
    return samples * sites * (8 * FLOAT + 6 * DOUBLE) + 5 * DOUBLE * sites**2 + 4 * DOUBLE * block**2


def kernel_clip(model: Any) -> float:
    """Largest change made to exp(-d^2/xi^2) by clipping its negative eigenvalues (0: none)."""
    from rflab.data.fields import kernel_defect

    xi = getattr(getattr(model, "of", model), "xi", ())
    return max((kernel_defect(model.lattice, v) for v in xi), default=0.0)
