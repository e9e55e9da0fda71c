"""Where a receptive-field SGD step goes, and what each candidate cheaper step would buy.

At Claim 3.2's settings (one ReLU neuron, N = 40 sites, xi = (0.3, 0.7); NLGP batch 5000, Kur(5)
batch 50,000), each row times one part of today's step (the baseline) against a candidate that
computes the same thing another way (the row's own time). A candidate that changes the numbers of a
stored config needs a numerics version bump (docs/extending.md); of these, the unpermuted batch
(row 2, what training draws) and Kur's table (row 5, Kur's sampler numerics version 2) are adopted.
Rows:

1. the training's whole step (``receptive_fields.class_blocks``: a balanced two-class batch of base
   draws, unpermuted; the model's transform, the gradient of the ReLU neuron's loss, the update)
   against its draw alone, so the ratio is the share of the step spent drawing;
2. the two-class pair of ``DataModel.sample`` (permuted) against the training's unpermuted batch (the
   full-batch gradient does not depend on the order, up to rounding);
3. the correlation of white noise by FFT against a dense product with the 40 x 40 root;
4. normals by threefry and erfinv (``jax.random.normal``) against Box-Muller on the same threefry
   bits, and against the ``rbg`` generator;
5. Kur(5)'s exact quantile against the sampler's table (``Kur.transform``: the log of Q(z) / z
   interpolated linearly on 2^14 points over every |z| the base draws reach; the note gives its
   largest relative difference from the exact form in float32 on the batch).

JAX code is compiled once before timing; times are the best of ``repeat`` calls that block.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from rflab.bench import Row, best_of
from rflab.data.fields import NLGP, Kur, Lattice, _pair, correlate, gaussian_kernel, root_spectrum
from rflab.data.marginals import kur_abs_quantile
from rflab.experiments.receptive_fields import class_blocks

N, XI, LR = 40, (0.3, 0.7), 0.1
BATCH = {"nlgp": 5000, "kur": 50_000}


def models() -> dict[str, NLGP | Kur]:
    lattice = Lattice(N)
    return {"nlgp": NLGP(lattice, XI, 100.0), "kur": Kur(lattice, XI, 5.0)}


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Best wall time of ``repeat`` calls after one compiling call."""
    jax.block_until_ready(fn())
    return best_of(lambda: jax.block_until_ready(fn()), repeat)


def loss(w: jax.Array, x: jax.Array, y: jax.Array) -> jax.Array:
    """The ReLU neuron's squared error, as rf-neuron trains it."""
    return jnp.mean((jax.nn.relu(x @ w) - y) ** 2) / 2


def step_row(family: str, model: NLGP | Kur, repeat: int) -> Row:
    """The training's whole step against its draw."""
    n, w, key = BATCH[family], 1e-3 * jnp.ones(N), jax.random.PRNGKey(0)
    blocks, args = class_blocks(model), model.transform_args()

    @jax.jit
    def step(w: jax.Array, key: jax.Array) -> jax.Array:
        z, y = blocks(key, n)
        return w - LR * jax.grad(loss)(w, model.transform(z, args), y)

    whole = timed(lambda: step(w, key), repeat)
    draw = timed(jax.jit(lambda: blocks(key, n)), repeat)
    return Row(f"{family}: the draw alone, batch {n}", draw, "training's whole step (draw, transform, gradient, "
               "update)", whole,
               f"drawing is {draw / whole:.0%} of the step; {n * N / whole / 1e6:.0f} M values/s")


def pair_row(family: str, model: NLGP | Kur, repeat: int) -> Row:
    """``DataModel.sample``'s permuted pair against the training's unpermuted batch, both transformed."""
    n, key = BATCH[family], jax.random.PRNGKey(0)
    blocks, args = class_blocks(model), model.transform_args()

    @jax.jit
    def unpermuted(key: jax.Array) -> tuple[jax.Array, jax.Array]:
        z, y = blocks(key, n)
        return model.transform(z, args), y

    return Row(f"{family}: the training's batch, no permutation, batch {n}", timed(lambda: unpermuted(key), repeat),
               "DataModel.sample's pair (permuted)", timed(lambda: _pair(model, key, n), repeat))


def correlate_rows(repeat: int) -> list[Row]:
    """White noise correlated by FFT against a dense product with the symmetric root of C."""
    kernel = gaussian_kernel(Lattice(N), XI[0])
    root = root_spectrum(kernel)
    c = np.array([np.roll(kernel, i) for i in range(N)])
    vals, vecs = np.linalg.eigh(c)
    dense = jnp.asarray((vecs * np.sqrt(np.clip(vals, 0, None))) @ vecs.T, jnp.float32)
    white = jax.random.normal(jax.random.PRNGKey(0), (BATCH["kur"], N), jnp.float32)
    fft = jax.jit(lambda z: correlate(z, root))
    product = jax.jit(lambda z: z @ dense)
    gap = float(jnp.max(jnp.abs(fft(white) - product(white))))
    return [Row(f"correlate by a dense 40 x 40 product, batch {BATCH['kur']}", timed(lambda: product(white), repeat),
                "today's FFT", timed(lambda: fft(white), repeat), f"largest difference {gap:.1e}")]


def box_muller(key: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """Normals by Box-Muller from threefry's uniform bits (two normals per pair of uniforms)."""
    half = (math.prod(shape) + 1) // 2
    u1, u2 = jax.random.uniform(key, (2, half), jnp.float32, minval=jnp.finfo(jnp.float32).tiny)
    r = jnp.sqrt(-2 * jnp.log(u1))
    return jnp.concatenate([r * jnp.cos(2 * jnp.pi * u2), r * jnp.sin(2 * jnp.pi * u2)])[:math.prod(shape)].reshape(
        shape)


def normal_rows(repeat: int) -> list[Row]:
    """Threefry + erfinv against Box-Muller and against the rbg generator."""
    shape = (BATCH["kur"], N)
    key = jax.random.PRNGKey(0)
    today = timed(jax.jit(lambda: jax.random.normal(key, shape, jnp.float32)), repeat)
    rbg = jax.random.key(0, impl="rbg")
    return [Row(f"normals by Box-Muller on threefry bits, {shape[0]} x {shape[1]}",
                timed(jax.jit(lambda: box_muller(key, shape)), repeat), "today's threefry + erfinv", today),
            Row(f"normals by the rbg generator + erfinv, {shape[0]} x {shape[1]}",
                timed(jax.jit(lambda: jax.random.normal(rbg, shape, jnp.float32)), repeat),
                "today's threefry + erfinv", today)]


def quantile_rows(repeat: int) -> list[Row]:
    """Kur(5)'s exact quantile against the sampler's table, on one batch of base draws."""
    model = models()["kur"]
    scale = np.float32(1.0 / model.marginal.scale)
    z = jax.random.normal(jax.random.PRNGKey(0), (BATCH["kur"], N), jnp.float32)
    exact = jax.jit(lambda z: jnp.sign(z) * kur_abs_quantile(jnp.abs(z), model.k, jnp) * scale)
    table = jax.jit(lambda z: model.transform(z, model.transform_args()))
    gap = float(jnp.max(jnp.abs(table(z) / exact(z) - 1)))
    return [Row(f"Kur(5) quantile by the sampler's table, {BATCH['kur']} x {N}", timed(lambda: table(z), repeat),
                "the exact form", timed(lambda: exact(z), repeat),
                f"largest relative difference from the exact form on the batch: {gap:.1e}")]


def run(quick: bool = False) -> list[Row]:
    """Every row; ``quick`` times fewer repeats (same sizes)."""
    repeat = 3 if quick else 10
    rows = [step_row(f, m, repeat) for f, m in models().items()] + [pair_row(f, m, repeat) for f, m in models().items()]
    rows += correlate_rows(repeat) + normal_rows(repeat) + quantile_rows(repeat)
    assert all(math.isfinite(r.seconds) and r.seconds > 0 for r in rows)
    return rows
