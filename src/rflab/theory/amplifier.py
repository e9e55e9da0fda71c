"""The amplifier phi(a) of Lufkin, Saxe & Grant (2024), Theorem 3.1 (docs/localization.md, section 4).

For a single-site marginal X (symmetric, unit variance) and a in [-1, 1]

    phi(a) = E_X[ X erf( a X / sqrt(2 (1 - a^2)) ) ],      phi(+-1) = +-E|X|.

It is the class-1 sign moment E[sign(w . x) x_i] of the ReLU neuron under the conditional-Gaussian
approximation (w . x given x_i Gaussian with mean a_i s x_i and variance s^2 (1 - a_i^2),
s^2 = w^T Sigma_1 w, a = Sigma_1 w / s), see ``rflab.theory.dynamics``.

- Closed forms: Gaussian phi(a) = sqrt(2/pi) a (exactly linear); binary +-1 (Ising)
  phi(a) = erf(a / sqrt(2 (1 - a^2))).
- Otherwise by 1-D quadrature over the marginal's density. For X = T(Z) (NLGP, Kur) with the
  marginal's own rule (``Marginal.expect``): composite Gauss-Legendre over the latent normal, i.e.
  over the density after the substitution x = T(z), which removes NLGP's edge singularities.
  Elliptical marginals are mixtures, and the integrand is sharp (width sqrt(1 - a^2) around x = 0)
  as |a| -> 1, which the marginal's fixed 64-node Jacobi rule does not resolve, so they get their
  own rules: *shell/custom* X = S v, S = c r, v with density (1 - v^2)^m / B(1/2, m + 1),
  m = (dim - 3)/2: composite Gauss-Legendre in v on geometric panels (every scale down to 1e-7)
  times a Gauss-Legendre rule for r; *t(nu)* is a Gaussian scale mixture, X | s ~ N(0, sigma^2),
  sigma^2 = (nu - 2) / (2 s^2), s^2 ~ Gamma(nu/2), and for X ~ N(0, sigma^2)
  E[X erf(a X / sqrt(2(1 - a^2)))] = sqrt(2/pi) a sigma^2 / sqrt(1 - a^2 + a^2 sigma^2) exactly,
  leaving a smooth integral over s.
- Third order (expand erf and (1 - a^2)^(-1/2)): phi(a) = sqrt(2/pi) [a - (kappa - 3) a^3 / 6]
  + O(a^5), kappa the kurtosis. The sqrt(2/pi) multiplies the cubic term too (the authors'
  integration script drops it there; docs/localization.md, section 4).
- Derivative: phi'(a) = sqrt(2/pi) (1 - a^2)^(-3/2) E[X^2 exp(-a^2 X^2 / (2 (1 - a^2)))], which is
  sqrt(2/pi) for the Gaussian and tends to 2 p(0) (p the density) as |a| -> 1.
- ``chebyshev`` turns phi into a Chebyshev series on [-1, 1] (float64 coefficients, error checked
  against the quadrature) and ``evaluate`` sums it in JAX, so the effective ODE is jittable and
  vmaps over marginals (stacked coefficient arrays).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from numpy.polynomial import chebyshev as cheb
from scipy import special

from rflab.data.marginals import EllipticalMarginal, Marginal, NormalMarginal, SignMarginal, half_line_rule, sech2

SQRT_2_PI = math.sqrt(2 / math.pi)
DEGREE = 192  # Chebyshev degree of the tabulated amplifier (odd terms only are non-zero)
RADIAL_TMAX = 36.0  # custom radial law r = 2 + t: sech^2(36) < 1e-30

Array = np.ndarray


def _erf_argument(a: float, x: Array) -> Array:
    """a x / sqrt(2 (1 - a^2)) for |a| < 1."""
    return a * x / math.sqrt(2 * (1 - a * a))


def phi(marginal: Marginal, a: Array) -> Array:
    """phi(a) = E[X erf(a X / sqrt(2(1 - a^2)))] (Theorem 3.1), float64, elementwise over a:
    closed forms for the Gaussian and binary laws, ``phi_quadrature`` otherwise."""
    a = _check(a, closed=True)
    if isinstance(marginal, NormalMarginal):
        return SQRT_2_PI * a
    if isinstance(marginal, SignMarginal):
        with np.errstate(divide="ignore"):
            return special.erf(a / np.sqrt(2 * (1 - a * a)))
    return phi_quadrature(marginal, a)


def phi_quadrature(marginal: Marginal, a: Array) -> Array:
    """phi(a) by 1-D quadrature for any marginal (module docstring), closed forms not used."""
    a = _check(a, closed=True)
    if isinstance(marginal, EllipticalMarginal):
        return _elliptical(marginal, a, derivative=False)
    mean_abs = marginal.expect(np.abs)

    def one(v: float) -> float:
        if abs(v) == 1:
            return math.copysign(mean_abs, v)
        return marginal.expect(lambda x: x * special.erf(_erf_argument(v, x)))

    return np.vectorize(one, otypes=[np.float64])(a)


def phi_derivative(marginal: Marginal, a: Array) -> Array:
    """phi'(a) = sqrt(2/pi) (1 - a^2)^(-3/2) E[X^2 exp(-a^2 X^2 / (2(1 - a^2)))] for |a| < 1."""
    a = _check(a, closed=False)
    if isinstance(marginal, NormalMarginal):
        return np.full_like(a, SQRT_2_PI)
    if isinstance(marginal, SignMarginal):
        return SQRT_2_PI * (1 - a * a) ** -1.5 * np.exp(-a * a / (2 * (1 - a * a)))
    if isinstance(marginal, EllipticalMarginal):
        return _elliptical(marginal, a, derivative=True)

    def one(v: float) -> float:
        c = v * v / (2 * (1 - v * v))
        return SQRT_2_PI * (1 - v * v) ** -1.5 * marginal.expect(lambda x: x * x * np.exp(-c * x * x))

    return np.vectorize(one, otypes=[np.float64])(a)


def _check(a: Array, closed: bool) -> Array:
    """a as float64, checked to lie in [-1, 1] (closed) or (-1, 1)."""
    a = np.asarray(a, dtype=np.float64)
    if np.any(np.abs(a) > 1) or (not closed and np.any(np.abs(a) == 1)):
        raise ValueError(f"a must lie in {'[-1, 1]' if closed else '(-1, 1)'}")
    return a


@cache
def _geometric_unit_rule(order: int = 16, panels: int = 48) -> tuple[Array, Array]:
    """Gauss-Legendre nodes and weights on [0, 1], panels geometric from 1e-7 (and [0, 1e-7])."""
    edges = np.concatenate([[0.0], np.geomspace(1e-7, 1.0, panels)])
    t, w = np.polynomial.legendre.leggauss(order)
    lo, hi = edges[:-1, None], edges[1:, None]
    return ((lo + hi) / 2 + (hi - lo) / 2 * t).ravel(), ((hi - lo) / 2 * w).ravel()


@cache
def _radial_rule(radial: str) -> tuple[Array, Array]:
    """Nodes r and probability weights of the radial law: shell r = 1; custom r = 2 + t, density
    sech^2(t) on t >= 0, by Gauss-Legendre on 0.5-wide panels up to ``RADIAL_TMAX``."""
    if radial == "shell":
        return np.ones(1), np.ones(1)
    edges = np.arange(0.0, RADIAL_TMAX + 1e-9, 0.5)
    t, w = np.polynomial.legendre.leggauss(12)
    lo, hi = edges[:-1, None], edges[1:, None]
    nodes, weights = ((lo + hi) / 2 + (hi - lo) / 2 * t).ravel(), ((hi - lo) / 2 * w).ravel()
    return 2 + nodes, weights * sech2(nodes)


def _elliptical(marginal: EllipticalMarginal, a: Array, derivative: bool) -> Array:
    """phi or phi' of an elliptical marginal by the mixture rules of the module docstring."""
    if marginal.radial == "t":
        return _student(marginal.nu, a, derivative)
    v, wv = _geometric_unit_rule()
    m = (marginal.dim - 3) / 2
    density = 2 * np.exp(m * np.log1p(-v * v) - special.betaln(0.5, m + 1))  # both half-lines
    r, wr = _radial_rule(marginal.radial)
    x = marginal.scale * r[:, None] * v[None, :]  # (radii, nodes), x >= 0
    weight = wr[:, None] * (wv * density)[None, :]
    out = np.empty_like(a)
    for j, value in np.ndenumerate(a):
        if derivative:
            c = value * value / (2 * (1 - value * value))
            out[j] = SQRT_2_PI * (1 - value * value) ** -1.5 * np.sum(weight * x * x * np.exp(-c * x * x))
        elif abs(value) == 1:
            out[j] = math.copysign(np.sum(weight * x), value)
        else:
            out[j] = np.sum(weight * x * special.erf(_erf_argument(value, x)))
    return out


def _student(nu: float, a: Array, derivative: bool) -> Array:
    """phi or phi' of sqrt((nu - 2)/nu) t_nu as a Gaussian scale mixture (module docstring):
    phi = sqrt(2/pi) a E[sigma^2 / q^(1/2)], phi' = sqrt(2/pi) E[sigma^2 / q^(3/2)],
    q = 1 - a^2 + a^2 sigma^2, over s with density 2 s^(nu - 1) e^(-s^2) / Gamma(nu/2)."""
    s, ws = half_line_rule()
    keep = s < 12.0  # e^(-144): the rest of the mass is negligible
    s, ws = s[keep], ws[keep]
    log_density = math.log(2) + (nu - 1) * np.log(s) - s * s - special.gammaln(nu / 2)
    weight = ws * np.exp(log_density)
    # sigma^2 / q^p written without dividing by s^2: sigma^2 = h / s^2, h = (nu - 2) / 2
    h = (nu - 2) / 2
    out = np.empty_like(a)
    for j, value in np.ndenumerate(a):
        q_scaled = s * s * (1 - value * value) + value * value * h  # s^2 q
        if derivative:
            out[j] = SQRT_2_PI * np.sum(weight * h * s / q_scaled**1.5)
        else:
            out[j] = SQRT_2_PI * value * np.sum(weight * h / (s * np.sqrt(q_scaled)))
    return out


def cubic_coefficient(kurtosis: float) -> float:
    """The a^3 coefficient of phi: -sqrt(2/pi) (kappa - 3) / 6."""
    return -SQRT_2_PI * (kurtosis - 3.0) / 6.0


def phi_taylor(kurtosis: float, a: Array) -> Array:
    """Third-order form sqrt(2/pi) [a - (kappa - 3) a^3 / 6]."""
    a = np.asarray(a, dtype=np.float64)
    return SQRT_2_PI * a + cubic_coefficient(kurtosis) * a**3


def phi_monte_carlo(samples: Array, a: Array) -> tuple[Array, Array]:
    """Monte Carlo phi(a) and its standard error from samples (n, m) of the marginal.

    Rows are independent draws; entries within a row may be dependent (sites of one field), so the
    estimate is the mean of the row averages and the error their standard deviation / sqrt(n).
    """
    x = np.asarray(samples, dtype=np.float64)
    x = x.reshape(len(x), -1)
    a = np.atleast_1d(np.asarray(a, dtype=np.float64))
    est, se = np.empty_like(a), np.empty_like(a)
    for j, v in enumerate(a):
        vals = np.abs(x) * np.sign(v) if abs(v) == 1 else x * special.erf(_erf_argument(v, x))
        rows = vals.mean(axis=1)
        est[j], se[j] = rows.mean(), rows.std(ddof=1) / math.sqrt(len(rows))
    return est, se


def chebyshev(fn: Callable[[Array], Array], degree: int = DEGREE) -> Array:
    """Chebyshev coefficients (degree + 1,) of an odd function on [-1, 1], interpolated at the
    Chebyshev points of the first kind (even coefficients set to their exact value 0)."""
    coef = cheb.chebinterpolate(fn, degree)
    coef[::2] = 0.0
    return coef


def amplifier_coefficients(marginal: Marginal, degree: int = DEGREE) -> Array:
    """Chebyshev coefficients of phi for ``marginal`` (exact for the Gaussian: only c_1)."""
    if isinstance(marginal, NormalMarginal):
        return linear_coefficients(SQRT_2_PI, degree)
    return chebyshev(lambda a: phi(marginal, a), degree)


def linear_coefficients(slope: float, degree: int = DEGREE) -> Array:
    """Chebyshev coefficients of phi(a) = slope * a (Gaussian: slope sqrt(2/pi))."""
    coef = np.zeros(degree + 1)
    coef[1] = slope
    return coef


def taylor_coefficients(kurtosis: float, degree: int = DEGREE) -> Array:
    """Chebyshev coefficients of the third-order form (exact: a^3 = (3 T_1 + T_3) / 4)."""
    coef = np.zeros(degree + 1)
    coef[:4] = cheb.poly2cheb([0.0, SQRT_2_PI, 0.0, cubic_coefficient(kurtosis)])
    return coef


def evaluate(coef: jax.Array, a: jax.Array) -> jax.Array:
    """sum_n coef_n T_n(a) = sum_n coef_n cos(n arccos a) over the odd n (jittable, vmappable;
    a clipped to [-1, 1]): one fused product instead of a sequential recurrence."""
    a = jnp.clip(a, -1.0, 1.0)
    coef = jnp.asarray(coef, a.dtype)[1::2]
    orders = jnp.arange(1, 2 * coef.shape[-1], 2, dtype=a.dtype)
    return jnp.cos(jnp.arccos(a)[..., None] * orders) @ coef


def values(marginal: Marginal, a: Array) -> dict[str, Any]:
    """phi, its third-order form (None where the kurtosis is infinite), the Gaussian line and phi'
    (nan at |a| = 1) at every a, for ``rflab theory amplifier``."""
    inner = np.abs(a) < 1
    slope = np.full_like(a, np.nan)
    slope[inner] = phi_derivative(marginal, a[inner])
    return {
        "phi": phi(marginal, a),
        "phi_taylor": phi_taylor(marginal.kurtosis, a) if math.isfinite(marginal.kurtosis) else None,
        "phi_gaussian": SQRT_2_PI * a,
        "phi_derivative": slope,
    }
