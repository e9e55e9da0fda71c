"""The pair closure: the effective ODE conditioned on the field's peak site too (beyond the paper).

Lemma 3.1's closure (``rflab.theory.dynamics``) takes w.x given x_i to be Gaussian. Once the field
has localized, w.x is dominated by its peak site p, and given x_i it is far from Gaussian (for
+-1 spins it is bimodal), so the closure undercounts the drive that holds a localized field
together: its fixed points are broader than SGD's and are not fixed points of the exact flow
(README, fig3-theory). The pair closure conditions on the pair (x_i, x_p), p the site of largest
|a_p| (a = Sigma_1 w / s, the smoothed field), and takes only the remainder to be Gaussian:

    E_1[sign(w.x) x_i] ~ E[x_i erf((b_i x_i + b_p x_p) / sqrt(2 v_i))]        (i != p)
    (b_i, b_p) = R^{-1} (u_i, u_p),   v_i = s^2 - b_i u_i - b_p u_p,

with u = Sigma_1 w, s^2 = w^T Sigma_1 w and R the 2 x 2 correlation matrix of (x_i, x_p): the
linear regression of w.x on the pair and its residual variance. At i = p it is Lemma 3.1's
phi(a_p). For Gaussian data it is exact (and equals phi(a_i)); for +-1 spins the regression is
exact too (every odd function of two spins is linear in them) and only the remainder is
approximated. The expectation over the pair uses the pair's own law, tabulated per lattice offset
(translation invariance): four atoms with probabilities (1 + rho x_i x_p) / 4 for +-1 spins; for
x = T(z) (NLGP, Kur, Gaussian) a product rule on the latent pair (z_i, z_p), weighted by their
bivariate normal density with the latent correlation r.

The choice of p makes the vector field jump where two sites tie for the largest |a_p|. A localized
field has a clear peak, so this costs nothing on fig3-theory's clock (t = 100: 1-3 s per model);
a delocalized field whose broad maximum drifts keeps crossing ties, and the adaptive solver then
takes small steps (Kur(5) to t = 1000: ~15,000 steps, 75 s), which is why the Claim 3.2 sweep and
the phase diagram use Eq. 5 only.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import erf

from rflab.data.fields import DataModel, Elliptical, Gaussian, GaussianClone, circulant, gaussian_kernel
from rflab.theory import amplifier as amp

PANEL_EDGES = (0.0, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 0.6, 1.0, 1.5, 2.0, 3.0, 4.5, 6.5)
PANEL_ORDER = 4

Args = tuple[jax.Array, ...]


@dataclass(frozen=True)
class PairLaw:
    """The law of (x_i, x_p) for every lattice offset p - i, as atoms with probabilities.

    ``first`` (A,) are the values of x_i and ``second`` (C,) those of x_p (the same at every
    offset); ``weight`` (D, A, C) are their probabilities, indexed by the offset, and ``offset``
    (D, D) maps (i, p) to it."""

    first: np.ndarray
    second: np.ndarray
    weight: np.ndarray
    offset: np.ndarray


def latent_kernel(model: DataModel) -> np.ndarray:
    """Class 1's latent Gaussian correlation from site 0 (flattened) of a Gaussian-copula model."""
    if isinstance(model, GaussianClone):
        return np.asarray(model.kernel(1), np.float64).ravel()
    if isinstance(model, Gaussian) and not isinstance(model, Elliptical):
        return gaussian_kernel(model.lattice, model.xi[1]).ravel()
    raise ValueError(f"the pair closure needs a Gaussian-copula or +-1 model, not {model.label} "
                     "(for elliptical data Proposition 3.3's flow is exact: form 'elliptical-exact')")


def latent_rule() -> tuple[np.ndarray, np.ndarray]:
    """Nodes and Lebesgue weights on [-6.5, 6.5]: Gauss-Legendre panels that shrink geometrically
    towards 0, where NLGP's erf(g z) is a step of width 1/g."""
    edges = np.concatenate([-np.array(PANEL_EDGES[:0:-1]), PANEL_EDGES])
    t, v = np.polynomial.legendre.leggauss(PANEL_ORDER)
    lo, hi = edges[:-1, None], edges[1:, None]
    return ((lo + hi) / 2 + (hi - lo) / 2 * t).ravel(), ((hi - lo) / 2 * v).ravel()


def pair_law(model: DataModel) -> PairLaw:
    """The pair law of class 1 of ``model`` (module docstring)."""
    shape = model.lattice.shape
    offsets = circulant(np.arange(model.lattice.size).reshape(shape))  # [i, p]: flat index of p - i
    if model.marginal.discrete:
        rho = np.asarray(model.kernel(1), np.float64).ravel()
        spin = np.array([1.0, -1.0])
        weight = (1 + rho[:, None, None] * spin[None, :, None] * spin[None, None, :]) / 4
        return PairLaw(spin, spin, weight, offsets)
    r = np.clip(latent_kernel(model), -1 + 1e-6, 1 - 1e-6)  # offset 0 (r = 1) is never used: i = p takes phi
    z, w = latent_rule()
    spread = np.sqrt(1 - r**2)[:, None, None]
    density = np.exp(-(z[None, None, :] - r[:, None, None] * z[None, :, None]) ** 2 / (2 * spread**2)) / spread
    weight = w[None, :, None] * np.exp(-z[None, :, None] ** 2 / 2) * w[None, None, :] * density
    weight /= weight.sum(axis=(1, 2), keepdims=True)
    x = model.marginal.transform(z)
    return PairLaw(x, x, weight, offsets)


def arrays(model: DataModel, dtype: jnp.dtype = jnp.float32) -> Args:
    """(coef, Sigma_0 + Sigma_1, Sigma_1, first, second, weight, offset): the ``args`` of ``rhs``."""
    law = pair_law(model)
    sigma0, sigma1 = model.covariance(0), model.covariance(1)
    return (jnp.asarray(amp.amplifier_coefficients(model.marginal), dtype), jnp.asarray(sigma0 + sigma1, dtype),
            jnp.asarray(sigma1, dtype), jnp.asarray(law.first, dtype), jnp.asarray(law.second, dtype),
            jnp.asarray(law.weight, dtype), jnp.asarray(law.offset))


def drive(w: jax.Array, args: Args) -> jax.Array:
    """The pair closure of E_1[sign(w.x) x] (module docstring), shape (D,)."""
    coef, _, sigma1, first, second, weight, offset = args
    u = sigma1 @ w
    s2 = jnp.dot(w, u)
    p = jnp.argmax(jnp.abs(u))
    rho = sigma1[:, p]
    det = jnp.maximum(1 - rho**2, 1e-6)
    b_i = (u - rho * u[p]) / det
    b_p = (u[p] - rho * u) / det
    v = jnp.maximum(s2 - b_i * u - b_p * u[p], 1e-9 * s2)
    m = b_i[:, None, None] * first[None, :, None] + b_p[:, None, None] * second[None, None, :]
    paired = jnp.sum(weight[offset[:, p]] * first[None, :, None] * erf(m * jax.lax.rsqrt(2 * v)[:, None, None]),
                     axis=(1, 2))
    single = amp.evaluate(coef, u * jax.lax.rsqrt(s2))
    return jnp.where(jnp.arange(w.shape[0]) == p, single, paired)


def rhs(t: jax.Array, w: jax.Array, args: Args) -> jax.Array:
    """dw/dt = (1/2) [pair-closed E_1[sign(w.x) x] - (Sigma_0 + Sigma_1) w]  (Eq. 1 with this closure)."""
    return 0.5 * (drive(w, args) - args[1] @ w)
