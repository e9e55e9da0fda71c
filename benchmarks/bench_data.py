"""Data samplers against the authors' methods, measured in the same run.

1. 2-D NLGP (30 x 30 torus, xi = (1, 2), g = 100, Figure 1), two-class batches of 10^4: rflab's
   FFT sampler against dense-matrix samplers (L the Cholesky factor of the 900 x 900 covariance
   of the base field): the authors' procedure (a matrix-vector product per sample, twice the
   samples drawn, NumPy), and two stronger baselines that draw only what they keep, one batched
   product in NumPy and the same jitted in JAX. All get their factors for free (outside the timing).
2. Ising ring N = 40, J = (0.3, 0.7), two-class batches of 10^4: rflab's exact sampler against a
   single-site Metropolis chain of 2000 proposals per sample from a random start (the authors'
   sampler, which is not exact), jitted and vectorised over the batch.
3. (full run only) how the gap grows with D: NLGP on a 64 x 64 torus, batch 10^3, against the
   jitted dense sampler.

JAX code is compiled once before timing (compile time is reported in the note, not in the time);
times are the best of ``repeat`` calls that block until the arrays are ready.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from scipy import special

from rflab.bench import Row, best_of
from rflab.data.fields import NLGP, Lattice, circulant, gaussian_kernel
from rflab.data.ising import Ising
from rflab.data.marginals import nlgp_norm

BATCH = 10_000
PROPOSALS = 2000


def compile_seconds(fn: Callable[[], object]) -> float:
    """Wall time of the first (compiling) call."""
    start = time.perf_counter()
    jax.block_until_ready(fn())
    return time.perf_counter() - start


def base_cholesky(model: NLGP, c: int) -> np.ndarray:
    """Cholesky factor of the base Gaussian field's covariance C_c (before the erf), with 1e-6 jitter."""
    return np.linalg.cholesky(circulant(gaussian_kernel(model.lattice, model.xi[c])) + 1e-6 * np.eye(model.dim))


def numpy_dense_nlgp(model: NLGP, n: int) -> Callable[[np.random.Generator], tuple[np.ndarray, np.ndarray]]:
    """The authors' method in NumPy: a dense product with a Cholesky factor per class, then erf."""
    factors = [base_cholesky(model, c).astype(np.float32) for c in (0, 1)]
    scale = np.float32(1 / nlgp_norm(model.g))

    def sample(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        n0 = n // 2
        parts = [rng.standard_normal((m, model.dim), dtype=np.float32) @ L.T
                 for m, L in ((n0, factors[0]), (n - n0, factors[1]))]
        x = special.erf(model.g * np.concatenate(parts)) * scale
        y = np.repeat(np.float32([0, 1]), [n0, n - n0])
        perm = rng.permutation(n)
        return x[perm], y[perm]

    return sample


def numpy_per_sample_nlgp(model: NLGP, n: int) -> Callable[[np.random.Generator], tuple[np.ndarray, np.ndarray]]:
    """The authors' procedure as the science notes describe it: a dense matrix-vector product per
    sample, twice the samples drawn (n of each class, half kept), the same label order every batch."""
    factors = [base_cholesky(model, c).astype(np.float32) for c in (0, 1)]
    scale = np.float32(1 / nlgp_norm(model.g))

    def sample(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        drawn = [[factors[c] @ rng.standard_normal(model.dim, dtype=np.float32) for _ in range(n)] for c in (0, 1)]
        x = special.erf(model.g * np.concatenate([np.stack(d[: n // 2]) for d in drawn])) * scale
        return x, np.repeat(np.float32([0, 1]), n // 2)

    return sample


def jax_dense_nlgp(model: NLGP, n: int) -> Callable[[jax.Array], tuple[jax.Array, jax.Array]]:
    """The same dense-matrix sampler, jitted in JAX."""
    factors = [jnp.asarray(base_cholesky(model, c), jnp.float32)
               for c in (0, 1)]
    scale = np.float32(1 / nlgp_norm(model.g))

    @jax.jit
    def sample(key: jax.Array) -> tuple[jax.Array, jax.Array]:
        k0, k1, kp = jax.random.split(key, 3)
        n0 = n // 2
        z = jnp.concatenate([jax.random.normal(k0, (n0, model.dim)) @ factors[0].T,
                             jax.random.normal(k1, (n - n0, model.dim)) @ factors[1].T])
        y = jnp.concatenate([jnp.zeros(n0), jnp.ones(n - n0)])
        perm = jax.random.permutation(kp, n)
        return (jax.scipy.special.erf(model.g * z) * scale)[perm], y[perm]

    return sample


def metropolis_ising(N: int, couplings: tuple[float, float], n: int, proposals: int) -> Callable:
    """Single-site Metropolis on the ring: ``proposals`` proposals per sample from a random start."""
    n0 = n // 2
    J = jnp.concatenate([jnp.full(n0, couplings[0]), jnp.full(n - n0, couplings[1])])
    rows = jnp.arange(n)

    @jax.jit
    def sample(key: jax.Array) -> tuple[jax.Array, jax.Array]:
        k_init, k_chain, kp = jax.random.split(key, 3)
        s = jnp.where(jax.random.bernoulli(k_init, 0.5, (n, N)), 1.0, -1.0)

        def step(t: int, s: jax.Array) -> jax.Array:
            k_site, k_accept = jax.random.split(jax.random.fold_in(k_chain, t))
            site = jax.random.randint(k_site, (n,), 0, N)
            field = s[rows, (site - 1) % N] + s[rows, (site + 1) % N]
            delta = 2.0 * J * s[rows, site] * field
            flip = jax.random.uniform(k_accept, (n,)) < jnp.exp(-delta)
            return s.at[rows, site].multiply(jnp.where(flip, -1.0, 1.0))

        s = jax.lax.fori_loop(0, proposals, step, s)
        y = jnp.concatenate([jnp.zeros(n0), jnp.ones(n - n0)])
        perm = jax.random.permutation(kp, n)
        return s[perm], y[perm]

    return sample


def nlgp_rows(repeat: int, baseline_repeat: int) -> list[Row]:
    """FFT NLGP against the dense sampler in NumPy and in JAX."""
    model = NLGP(Lattice(30, 2), (1.0, 2.0), 100.0)
    key = jax.random.PRNGKey(0)
    ours_compile = compile_seconds(lambda: model.sample(key, BATCH))
    ours = best_of(lambda: jax.block_until_ready(model.sample(key, BATCH)), repeat)
    dense_jax = jax_dense_nlgp(model, BATCH)
    jax_compile = compile_seconds(lambda: dense_jax(key))
    theirs_jax = best_of(lambda: jax.block_until_ready(dense_jax(key)), repeat)
    dense_np, rng = numpy_dense_nlgp(model, BATCH), np.random.default_rng(0)
    theirs_np = best_of(lambda: dense_np(rng), baseline_repeat)
    per_sample = numpy_per_sample_nlgp(model, BATCH)
    theirs_loop = best_of(lambda: per_sample(rng), 1)
    normals = jax.jit(lambda k: jax.random.normal(k, (BATCH, *model.lattice.shape)))
    jax.block_until_ready(normals(key))
    drawing = best_of(lambda: jax.block_until_ready(normals(key)), repeat)
    case = "NLGP 30x30 torus, batch 1e4 (FFT, jit)"
    rate = f"{BATCH / ours:,.0f} samples/s (compile {ours_compile:.2f} s; the normals alone {drawing:.3f} s)"
    return [
        Row(case, ours, "per-sample dense product, 2x drawn, NumPy (authors' procedure)", theirs_loop,
            f"{rate}; baseline {BATCH / theirs_loop:,.0f} samples/s"),
        Row(case, ours, "batched dense Cholesky product, NumPy", theirs_np,
            f"{rate}; baseline {BATCH / theirs_np:,.0f} samples/s"),
        Row(case, ours, "dense Cholesky product, jitted JAX", theirs_jax,
            f"{rate}; baseline {BATCH / theirs_jax:,.0f} samples/s (compile {jax_compile:.2f} s)"),
    ]


def scaling_row(repeat: int) -> Row:
    """Where the FFT pays: a 64 x 64 torus (D = 4096), batch 10^3, against jitted dense JAX."""
    model, n, key = NLGP(Lattice(64, 2), (1.0, 2.0), 100.0), 1000, jax.random.PRNGKey(0)
    ours_compile = compile_seconds(lambda: model.sample(key, n))
    ours = best_of(lambda: jax.block_until_ready(model.sample(key, n)), repeat)
    dense = jax_dense_nlgp(model, n)
    dense_compile = compile_seconds(lambda: dense(key))
    theirs = best_of(lambda: jax.block_until_ready(dense(key)), repeat)
    return Row("NLGP 64x64 torus, batch 1e3 (FFT, jit)", ours, "dense Cholesky product, jitted JAX",
               theirs, f"{n / ours:,.0f} samples/s (compile {ours_compile:.2f} s); baseline "
               f"{n / theirs:,.0f} samples/s (compile {dense_compile:.2f} s)")


def ising_rows(repeat: int) -> list[Row]:
    """Exact ring sampler against a 2000-proposal Metropolis chain, N = 40."""
    model = Ising(Lattice(40), (0.3, 0.7))
    key = jax.random.PRNGKey(0)
    ours_compile = compile_seconds(lambda: model.sample(key, BATCH))
    ours = best_of(lambda: jax.block_until_ready(model.sample(key, BATCH)), repeat)
    chain = metropolis_ising(40, model.J, BATCH, PROPOSALS)
    chain_compile = compile_seconds(lambda: chain(key))
    theirs = best_of(lambda: jax.block_until_ready(chain(key)), max(1, repeat // 2))
    return [Row(
        "Ising ring N=40, batch 1e4 (exact, jit)", ours,
        f"Metropolis, {PROPOSALS} proposals/sample, jitted JAX", theirs,
        f"{BATCH / ours:,.0f} samples/s (compile {ours_compile:.2f} s); baseline "
        f"{BATCH / theirs:,.0f} samples/s (compile {chain_compile:.2f} s)",
    )]


def run(quick: bool = False) -> list[Row]:
    """Both comparisons; ``quick`` times fewer repeats (same batch sizes)."""
    jax.block_until_ready(jax.jit(lambda v: v + 1)(0.0))
    repeat = 2 if quick else 5
    rows = nlgp_rows(repeat, baseline_repeat=1 if quick else 3) + ising_rows(repeat)
    if not quick:
        rows.append(scaling_row(repeat))
    assert all(math.isfinite(r.seconds) for r in rows)
    return rows
