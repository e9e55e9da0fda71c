"""The 1-D Ising ring, sampled exactly in O(N) (docs/localization.md, section 2).

Spins s_i = +-1 on a ring of N sites, P(s) proportional to exp(J sum_i s_i s_{i+1}). The bonds
b_i = s_i s_{i+1} (i = 0..N-1, b_{N-1} = s_{N-1} s_0) and s_0 are in bijection with the spins
once the bonds satisfy prod_i b_i = +1, and the energy depends on the bonds only, so: s_0 is a
fair coin, and the bonds are i.i.d. with P(b = +1) = e^J / (e^J + e^-J) = (1 + t) / 2,
t = tanh J, *conditioned on an even number of -1 bonds*.

Instead of rejecting odd draws, the conditioned law is sampled by the chain rule, which is exact
and costs the same for every draw. With pi the product of the bonds drawn so far and m bonds left
(this one included), the m remaining bonds must multiply to pi, which has weight proportional to
(1 + pi t^m) / 2, so

    P(b = +1 | pi, m) = (1 + t) / 2 * (1 + pi t^(m-1)) / (1 + pi t^m),

which is 1 or 0 for the last bond (m = 1): the parity constraint holds by construction. This
table (N x 2) is computed in float64; sampling is a ``lax.scan`` over the N sites, vectorised
over the batch. Exact correlations: E[s_0 s_d] = (t^d + t^(N-d)) / (1 + t^N); marginal +-1,
kurtosis 1. The 2-D Ising model has no such sampler: the torus is not supported.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import jax
import jax.numpy as jnp
import numpy as np

from rflab.data.fields import DataModel
from rflab.data.marginals import SignMarginal


def log_tanh(J: float) -> float:
    """log tanh J = log1p(-2 / (e^(2J) + 1)), accurate as tanh J -> 1."""
    return float(np.log1p(-2.0 / (np.exp(2.0 * J) + 1.0))) if J > 0 else -np.inf


def _one_plus(sign: float, J: float, m: np.ndarray) -> np.ndarray:
    """1 + sign * t^m for integer m >= 0, without cancellation when sign = -1 and t -> 1."""
    m = np.asarray(m, dtype=np.float64)
    if J == 0:
        return 1.0 + sign * (m == 0)
    lt = log_tanh(J)
    return -np.expm1(m * lt) if sign < 0 else 1.0 + np.exp(m * lt)


def bond_table(N: int, J: float) -> np.ndarray:
    """P(b_i = +1 | parity so far) for i = 0..N-1, columns: parity +1, parity -1 (float64)."""
    m = N - np.arange(N)
    p_plus = (1.0 + np.tanh(J)) / 2.0
    table = np.stack([p_plus * _one_plus(s, J, m - 1) / _one_plus(s, J, m) for s in (1.0, -1.0)], axis=1)
    table[-1] = (1.0, 0.0)
    return table


def ring_correlation(N: int, J: float) -> np.ndarray:
    """E[s_0 s_d] = (t^d + t^(N-d)) / (1 + t^N) for d = 0..N-1, t = tanh J (float64)."""
    d = np.arange(N)
    if J == 0:
        return (d == 0).astype(np.float64)
    lt = log_tanh(J)
    return (np.exp(d * lt) + np.exp((N - d) * lt)) / (1.0 + np.exp(N * lt))


def sample_ring(key: jax.Array, n: int, N: int, J: float) -> jax.Array:
    """n exact samples (n, N) float32 of the Ising ring with coupling J (traceable)."""
    table = jnp.asarray(bond_table(N, J), dtype=jnp.float32)
    k_bonds, k_first = jax.random.split(key)
    u = jax.random.uniform(k_bonds, (N, n), dtype=jnp.float32)

    def step(odd: jax.Array, inputs: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array]:
        u_i, p_i = inputs
        minus = u_i >= p_i[odd.astype(jnp.int32)]
        return odd ^ minus, minus

    _, minus = jax.lax.scan(step, jnp.zeros(n, bool), (u, table))
    flips = jnp.cumsum(minus, axis=0, dtype=jnp.int32) - minus
    first = jnp.where(jax.random.bernoulli(k_first, 0.5, (n,)), 1.0, -1.0).astype(jnp.float32)
    return (first[None, :] * (1 - 2 * (flips % 2))).T.astype(jnp.float32)


def enumerate_ring(N: int, J: float) -> tuple[np.ndarray, np.ndarray]:
    """All 2^N states (2^N, N) and their exact probabilities, by brute force (N <= 20)."""
    if N > 20:
        raise ValueError(f"N={N}: brute-force enumeration is for N <= 20")
    states = np.array(list(itertools.product((-1.0, 1.0), repeat=N)))
    log_w = J * np.sum(states * np.roll(states, -1, axis=1), axis=1)
    w = np.exp(log_w - log_w.max())
    return states, w / w.sum()


@dataclass(frozen=True)
class Ising(DataModel):
    """Ising ring, class c with coupling J_c, default (0.3, 0.7); exact sampler (module docstring)."""

    J: tuple[float, float] = (0.3, 0.7)
    name: ClassVar[str] = "ising"

    def __post_init__(self) -> None:
        if self.lattice.dims != 1:
            raise ValueError("ising: dims=2 is not supported (no exact torus sampler); use dims=1")

    def kernel(self, c: int) -> np.ndarray:
        return ring_correlation(self.lattice.n, self.J[c])

    def draw(self, key: jax.Array, n: int, c: int) -> jax.Array:
        return sample_ring(key, n, self.lattice.n, self.J[c])

    @cached_property
    def marginal(self) -> SignMarginal:
        return SignMarginal()
