"""Where a receptive-field SGD step goes, and what each candidate cheaper step buys.

At Claim 3.2's settings (one ReLU neuron, N = 40 sites, xi = (0.3, 0.7); NLGP batch 5000, Kur(5)
batch 50,000), each row times one way of computing a part of the step (the row's own time) against
another (the baseline). A change that alters the numbers of a stored config needs a numerics version
bump (docs/extending.md); of these, the unpermuted batch (row 2), the dense product (row 3),
threefry-4x32 white noise (row 4) and Kur's ratio table (row 8) are what training does (numerics
version 4 of every field model). Rows:

1. the training's whole step (``receptive_fields.class_blocks``: a balanced two-class batch of base
   draws, unpermuted; the model's transform, the gradient of the ReLU neuron's loss, the update)
   against its draw alone, so the ratio is the share of the step spent drawing;
2. the two-class pair of ``DataModel.sample`` (permuted) against the training's unpermuted batch (the
   full-batch gradient does not depend on the order, up to rounding);
3. white noise correlated by a dense product with the 40 x 40 root (``fields.correlated``) against
   the FFT;
4. normals: ``fields.white_noise`` (threefry-4x32 bits, erfinv) against ``jax.random.normal``'s default
   threefry-2x32; then Box-Muller on the same threefry-4x32 bits, the philox-4x32 generator and the
   rbg generator, each against ``white_noise``;
5. Kur(5)'s quantile by the sampler's table of the ratio Q / z against the exact form, and against
   the table of its log (numerics version 2: 2^14 points, an exp per value).

JAX code is compiled once before timing; times are the best of ``repeat`` calls that block.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from rflab.bench import Row, best_of
from rflab.data.fields import (
    NLGP,
    Kur,
    Lattice,
    _pair,
    correlate,
    correlated,
    gaussian_kernel,
    root_spectrum,
    white_noise,
)
from rflab.data.marginals import kur_abs_quantile, kur_ratio_table
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
    """White noise correlated by the dense root (what training does at N = 40) against the FFT."""
    kernel = gaussian_kernel(Lattice(N), XI[0])
    root = root_spectrum(kernel)
    white = jax.random.normal(jax.random.PRNGKey(0), (BATCH["kur"], N), jnp.float32)
    fft = jax.jit(lambda z: correlate(z, root))
    dense = jax.jit(lambda z: correlated(z, (kernel,)))
    gap = float(jnp.max(jnp.abs(fft(white) - dense(white))))
    return [Row(f"correlate by the dense 40 x 40 root, batch {BATCH['kur']}", timed(lambda: dense(white), repeat),
                "the FFT", timed(lambda: fft(white), repeat), f"largest difference {gap:.1e}")]


def box_muller(key: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """Normals by Box-Muller from the key's uniform bits (two normals per pair of uniforms)."""
    half = (math.prod(shape) + 1) // 2
    u1, u2 = jax.random.uniform(key, (2, half), jnp.float32, minval=jnp.finfo(jnp.float32).tiny)
    r = jnp.sqrt(-2 * jnp.log(u1))
    return jnp.concatenate([r * jnp.cos(2 * jnp.pi * u2), r * jnp.sin(2 * jnp.pi * u2)])[:math.prod(shape)].reshape(
        shape)


def normal_rows(repeat: int) -> list[Row]:
    """The fields' white noise against JAX's default normals and against other generators or transforms."""
    shape, key = (BATCH["kur"], N), jax.random.PRNGKey(0)
    ours = timed(jax.jit(lambda: white_noise(key, shape)), repeat)
    four = jax.random.key(0, impl="threefry4x32")
    other = {"Box-Muller on the same threefry-4x32 bits": jax.jit(lambda: box_muller(four, shape)),
             "the philox-4x32 generator + erfinv": jax.jit(
                 lambda: jax.random.normal(jax.random.key(0, impl="philox4x32"), shape, jnp.float32)),
             "the rbg generator + erfinv": jax.jit(
                 lambda: jax.random.normal(jax.random.key(0, impl="rbg"), shape, jnp.float32))}
    return [Row(f"normals by threefry-4x32 + erfinv (white_noise), {shape[0]} x {shape[1]}", ours,
                "jax.random.normal (threefry-2x32 + erfinv)",
                timed(jax.jit(lambda: jax.random.normal(key, shape, jnp.float32)), repeat))] + [
        Row(f"normals by {name}, {shape[0]} x {shape[1]}", timed(fn, repeat), "white_noise", ours)
        for name, fn in other.items()]


def log_table_transform(model: Kur) -> Callable[[jax.Array], jax.Array]:
    """Kur's transform as numerics version 2 evaluated it: the log of the ratio on 2^14 points, an exp."""
    table = jnp.asarray(np.log(kur_ratio_table(model.k, model.z_max, 2**14)))
    inv_step = np.float32((table.shape[0] - 1) / model.z_max)

    def transform(z: jax.Array) -> jax.Array:
        pos = jnp.abs(z) * inv_step
        i = jnp.clip(pos.astype(jnp.int32), 0, table.shape[0] - 2)
        lo = table.at[i].get(mode="promise_in_bounds")
        return z * jnp.exp(lo + (pos - i) * (table.at[i + 1].get(mode="promise_in_bounds") - lo))

    return transform


def quantile_rows(repeat: int) -> list[Row]:
    """Kur(5)'s ratio table against the exact quantile and against the log table it replaced."""
    model = models()["kur"]
    assert isinstance(model, Kur)
    scale = np.float32(1.0 / model.marginal.scale)
    z = jax.random.normal(jax.random.PRNGKey(0), (BATCH["kur"], N), jnp.float32)
    exact = jax.jit(lambda z: jnp.sign(z) * kur_abs_quantile(jnp.abs(z), model.k, jnp) * scale)
    table = jax.jit(lambda z: model.transform(z, model.transform_args()))
    gap = float(jnp.max(jnp.abs(table(z) / exact(z) - 1)))
    logs = jax.jit(log_table_transform(model))
    seconds = timed(lambda: table(z), repeat)
    case = f"Kur(5) quantile by the sampler's ratio table, {BATCH['kur']} x {N}"
    return [Row(case, seconds, "the exact form", timed(lambda: exact(z), repeat),
                f"largest relative difference from the exact form on the batch: {gap:.1e}"),
            Row(case, seconds, "the log-ratio table (numerics 2)", timed(lambda: logs(z), repeat))]


def run(quick: bool = False) -> list[Row]:
    """Every row; ``quick`` times fewer repeats (same sizes)."""
    repeat = 3 if quick else 10
    rows = [step_row(f, m, repeat) for f, m in models().items()] + [pair_row(f, m, repeat) for f, m in models().items()]
    rows += correlate_rows(repeat) + normal_rows(repeat) + quantile_rows(repeat)
    assert all(math.isfinite(r.seconds) and r.seconds > 0 for r in rows)
    return rows
