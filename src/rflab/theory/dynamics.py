"""Effective dynamics of the single ReLU neuron (Lufkin et al. Lemma 3.1 / Eq. 5; docs/localization.md, section 4).

Derivation of the constants (done once here; every prediction in rflab uses it)
-----------------------------------------------------------------------------
The learner is y_hat = ReLU(w . x), the per-example loss (y - y_hat)^2 with y in {0, 1}, averaged
over a balanced batch, and plain SGD w <- w - eta grad. Its small-step limit is the gradient flow
dw/dt = -grad L with **t = eta x (number of steps)**; that is how every ODE here is put on the
SGD run's time axis. With H the step function,

    grad L = -2 E[y H(w.x) x] + 2 E[ReLU(w.x) x]
           = -E_1[H(w.x) x] + E_0[ReLU(w.x) x] + E_1[ReLU(w.x) x]    (balanced: E = (E_0 + E_1)/2)

and for a symmetric law (x -> -x) ReLU(u) = (u + |u|)/2 gives E_c[ReLU(w.x) x] = Sigma_c w / 2,
while H(u) = (1 + sign u)/2 and E x = 0 give E_1[H(w.x) x] = E_1[sign(w.x) x] / 2. Hence

    dw/dt = (1/2) [ E_1[sign(w.x) x] - (Sigma_0 + Sigma_1) w ]                            (1)

exactly. Conditional-Gaussian closure (Lemma 3.1): if w.x given x_i is Gaussian with the linear
regression mean (Sigma_1 w)_i x_i and variance s^2 - (Sigma_1 w)_i^2, s^2 = w^T Sigma_1 w, then
E_1[sign(w.x) | x_i] = erf(a_i x_i / sqrt(2 (1 - a_i^2))) with a = Sigma_1 w / s, so

    E_1[sign(w.x) x_i] ~ phi(a_i),  phi(a) = E_X[X erf(a X / sqrt(2 (1 - a^2)))]          (2)

(``rflab.theory.amplifier``), and the effective ODE is

    dw/dt = (1/2) [ phi(Sigma_1 w / sqrt(w^T Sigma_1 w)) - (Sigma_0 + Sigma_1) w ].       (3)

Its third-order form uses phi(a) ~ sqrt(2/pi) [a - (kappa - 3) a^3 / 6]. Both the 1/2 in front
of the covariance term and the sqrt(2/pi) on the cubic term follow from (1)-(2); the authors' two
scripts disagree on the first (a factor 2) and one drops the second (docs/localization.md, section 4).
A factor 2 on the covariance term rescales w and t only (a is scale-free), so it shows up as a
wrong weight norm and a wrong clock against SGD, and that is what the tests check: (3) for
Gaussian data is the exact flow, because phi(a) = sqrt(2/pi) a is exact there (E[sign(u) x] =
sqrt(2/pi) Sigma_1 w / s for jointly Gaussian x and u = w.x), and it is checked against the
Monte Carlo gradient and against SGD at the same t = eta x steps.

Elliptical data (Proposition 3.3): x = c r L u gives E_1[sign(w.x) x] = E|X| Sigma_1 w / s
*exactly* (sign is scale-free, so r factors out, and the direction is the Gaussian one), i.e. (3)
with the linear amplifier phi(a) = E|X| a. With circulant Sigma_c = F^H diag(lambda_c) F every
Fourier mode then evolves on its own, d w_k/dt = (1/2) [E|X| lambda_1k / s - mu_k] w_k with
mu_k = lambda_0k + lambda_1k: only the mode with the largest lambda_1k / mu_k is a stable fixed
point, so the field becomes one sinusoid however non-Gaussian the data (``surviving_frequency``).

The solver is diffrax's Tsit5 (5th order, adaptive PID step control), jittable and vmappable over
initial weights and over systems (amplifier tables and covariances stacked on a leading axis).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal

import diffrax
import jax
import jax.numpy as jnp
import numpy as np

from rflab.data.fields import DataModel, Elliptical, spectrum
from rflab.data.marginals import NormalMarginal
from rflab.theory import amplifier as amp
from rflab.theory import pair_closure

Form = Literal["full", "taylor", "gaussian", "elliptical-exact"]
Field = Callable[[jax.Array, jax.Array, tuple[jax.Array, ...]], jax.Array]
FORMS: tuple[str, ...] = ("full", "taylor", "gaussian", "elliptical-exact")
RTOL = 1e-6
ATOL = 1e-9
MAX_STEPS = 200_000


@dataclass(frozen=True)
class Effective:
    """One effective ODE (3): the amplifier's Chebyshev coefficients and both class covariances."""

    coef: np.ndarray  # (DEGREE + 1,)
    sigma0: np.ndarray  # (D, D)
    sigma1: np.ndarray  # (D, D)

    def arrays(self, dtype: jnp.dtype = jnp.float32) -> tuple[jax.Array, jax.Array, jax.Array]:
        """(coef, Sigma_0 + Sigma_1, Sigma_1) as JAX arrays: the ``args`` of ``rhs``."""
        return (jnp.asarray(self.coef, dtype), jnp.asarray(self.sigma0 + self.sigma1, dtype),
                jnp.asarray(self.sigma1, dtype))


def amplifier_for(model: DataModel, form: Form) -> np.ndarray:
    """Chebyshev coefficients of the amplifier of ``model`` in the given form (module docstring):
    ``full`` phi by quadrature, ``taylor`` its cubic, ``gaussian`` sqrt(2/pi) a (the Gaussian
    clone's exact flow), ``elliptical-exact`` E|X| a (exact for elliptical data only)."""
    marginal = model.marginal
    if form == "full":
        return amp.amplifier_coefficients(marginal)
    if form == "taylor":
        return amp.taylor_coefficients(marginal.kurtosis)
    if form == "gaussian":
        return amp.amplifier_coefficients(NormalMarginal())
    if form == "elliptical-exact":
        if not isinstance(model, Elliptical):
            raise ValueError(f"form 'elliptical-exact' is exact for elliptical data only, not {model.label}")
        return amp.linear_coefficients(float(amp.phi(marginal, np.array([1.0]))[0]))
    raise ValueError(f"form={form!r}: allowed {', '.join(FORMS)}")


def effective(model: DataModel, form: Form = "full") -> Effective:
    """The effective ODE (3) of ``model`` with its exact class covariances."""
    return Effective(amplifier_for(model, form), model.covariance(0), model.covariance(1))


def system(model: DataModel, form: Form | Literal["pair"]) -> tuple[tuple[jax.Array, ...], Field]:
    """The ``args`` and vector field of the ODE of ``model``: equation (3) above (the paper's Eq. 5) in
    ``form``, or, for "pair", the closure conditioned on the peak site too (``rflab.theory.pair_closure``,
    beyond the paper)."""
    if form == "pair":
        return pair_closure.arrays(model), pair_closure.rhs
    return effective(model, form).arrays(), rhs


def rhs(t: jax.Array, w: jax.Array, args: tuple[jax.Array, jax.Array, jax.Array]) -> jax.Array:
    """dw/dt = (1/2) [phi(Sigma_1 w / sqrt(w^T Sigma_1 w)) - (Sigma_0 + Sigma_1) w]  (equation (3) above)."""
    coef, sigma_sum, sigma1 = args
    s1w = sigma1 @ w
    a = s1w * jax.lax.rsqrt(jnp.dot(w, s1w))
    return 0.5 * (amp.evaluate(coef, a) - sigma_sum @ w)


@partial(jax.jit, static_argnames=("field", "rtol", "atol", "max_steps"))
def solve(w0: jax.Array, times: jax.Array, args: tuple[jax.Array, ...], field: Field = rhs, rtol: float = RTOL,
          atol: float = ATOL, max_steps: int = MAX_STEPS) -> jax.Array:
    """w(t) at ``times`` (ascending, times[0] the start) from w(times[0]) = w0: shape (T, D).

    ``field(t, w, args)`` is the vector field (equation (3) by default; ``pair_closure.rhs`` takes its
    own args). Tsit5 with a PID step-size controller; jittable and vmappable (over w0 and/or args)."""
    term = diffrax.ODETerm(field)
    sol = diffrax.diffeqsolve(
        term, diffrax.Tsit5(), t0=times[0], t1=times[-1], dt0=None, y0=w0, args=args,
        saveat=diffrax.SaveAt(ts=times), stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
        max_steps=max_steps,
    )
    return sol.ys


def solve_many(w0: jax.Array, times: jax.Array, args: tuple[jax.Array, ...], batched_args: bool = False,
               field: Field = rhs) -> jax.Array:
    """``solve`` vmapped over the leading axis of w0 (S, D), and of every args array when
    ``batched_args``: shape (S, T, D)."""
    in_axes = (0, None, 0 if batched_args else None)
    return jax.vmap(partial(solve, field=field), in_axes=in_axes)(w0, times, args)


def monte_carlo_flow(model: DataModel, ws: np.ndarray, key: jax.Array, n: int = 1_000_000,
                     chunk: int = 200_000) -> tuple[np.ndarray, np.ndarray]:
    """The exact population flow (1) at each row of ``ws`` (F, D) by Monte Carlo over the same n class-1
    samples: (flows, standard errors), each (F, D).

    No closure: E_1[sign(w.x) x] is averaged over samples, the covariance term is exact. The samples
    are drawn once for all the fields (the draw is most of the cost)."""
    ws = np.asarray(ws, np.float64)
    sums, squares, done = np.zeros_like(ws), np.zeros_like(ws), 0
    for i in range(-(-n // chunk)):
        size = min(chunk, n - done)
        x = np.asarray(model.sample_class(jax.random.fold_in(key, i), size, 1), np.float64)
        for f, w in enumerate(ws):
            terms = np.sign(x @ w)[:, None] * x
            sums[f], squares[f] = sums[f] + terms.sum(0), squares[f] + (terms**2).sum(0)
        done += size
    mean = sums / done
    se = np.sqrt(np.maximum(squares / done - mean**2, 0.0) / done)
    sigma = model.covariance(0) + model.covariance(1)
    flows = 0.5 * (mean - np.stack([sigma @ w for w in ws]))
    return flows, 0.5 * se


def surviving_frequency(model: DataModel) -> tuple[int, np.ndarray]:
    """Prop. 3.3 on a ring: the Fourier mode k maximising lambda_1k / (lambda_0k + lambda_1k), the
    only stable fixed point of the decoupled modes, and that ratio for k = 0..N/2."""
    if model.lattice.dims != 1:
        raise ValueError("surviving_frequency is for rings (dims=1)")
    half = model.lattice.n // 2 + 1
    lam0, lam1 = spectrum(model.kernel(0))[:half], spectrum(model.kernel(1))[:half]
    ratio = lam1 / (lam0 + lam1)
    return int(np.argmax(ratio)), ratio
