"""dipole-3d ``seed`` preset: rflab's engine against plain NumPy SGD doing the same work.

Both sides draw the seed script's images, initial weights and shuffles, train 200 epochs of SGD
(batch 64) and evaluate the held-out MSE; both numbers are printed so the equality of the work is
visible. rflab's times include XLA compilation (a fresh process has no compiled code; the
persistent cache is off for benchmarks). The floor is the training FLOPs counted by XLA divided by
the float32 matmul rate measured here, in the same run. Beside it, the note times the step's three
batch x units x pixels products alone (the decoder's forward product and its two gradients), for the
same seeds on the same devices and as many steps: what the training would take if every other
operation of a step were free.

The last row times the whole command a user types, ``rflab run dipole-3d --preset hinton-problems
--seeds 0-4 --force`` in a fresh process (start-up, data, training, metrics, every figure and GIF,
the store; the persistent XLA cache as a user has it, best of two), against the seed script's whole
procedure run for each seed in a fresh process, one after another (``numpy_population.script``:
float64, the training set evaluated after every epoch, as its command line does); the NumPy
training alone, in float32, is in its note.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import numpy_population as ref
import optax

from rflab import train
from rflab.bench import Row, best_of
from rflab.config import build
from rflab.experiments import dipole
from rflab.models import population as pop


@partial(jax.jit, static_argnums=2)
def held_out_mse(params: pop.Params, x: jax.Array, sigma: float) -> jax.Array:
    """Each seed's mean squared reconstruction error on its held-out images, in one compiled call."""
    return jax.vmap(lambda p, x: jnp.mean((pop.apply(p, x, sigma).recon - x) ** 2))(params, x)


def rflab_run(cfg: dipole.DipoleConfig, seeds: list[int]) -> tuple[float, float, np.ndarray]:
    """Whole run (data, compile, train, held-out MSE) for all seeds in one vmapped call: its wall time,
    the training's (compilation included) and each seed's held-out MSE."""
    start = time.perf_counter()
    data = dipole.make_data(cfg, seeds)
    fit = dipole.fit(cfg, seeds, data, None)
    mse = np.asarray(held_out_mse(fit.params, data["x_test"], cfg.sigma))
    return time.perf_counter() - start, fit.seconds, mse


def numpy_run(cfg: dipole.DipoleConfig, seeds: list[int]) -> tuple[float, np.ndarray]:
    """The same work in NumPy, one seed after the other."""
    start = time.perf_counter()
    mse = np.array([ref.train(s, cfg.epochs, cfg.n_train, cfg.n_test, cfg.batch_size, cfg.lr)["test_mse"]
                    for s in seeds])
    return time.perf_counter() - start, mse


def command_seconds(seeds: int, epochs: int | None) -> float:
    """Best of two wall times of ``rflab run dipole-3d --preset hinton-problems`` on ``seeds`` seeds
    with ``--force``, each in a fresh process and a throwaway store."""
    extra = [] if epochs is None else ["--set", f"epochs={epochs}"]
    times = []
    for _ in range(2):
        with tempfile.TemporaryDirectory() as store:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "rflab", "run", "dipole-3d", "--preset", "hinton-problems",
                            "--seeds", f"0-{seeds - 1}", "--force", "--store", store, *extra],
                           check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return min(times)


def script_seconds(seeds: int, epochs: int) -> float:
    """Wall time of the seed script's procedure for seeds 0 to ``seeds - 1``, each in a fresh process."""
    here = Path(__file__).parent / "numpy_population.py"
    start = time.perf_counter()
    for seed in range(seeds):
        subprocess.run([sys.executable, str(here), str(seed), str(epochs)], check=True, capture_output=True)
    return time.perf_counter() - start


def training_flops(cfg: dipole.DipoleConfig) -> float:
    """FLOPs of one seed's training, from XLA's cost analysis of one SGD step times the steps."""
    params = pop.init(jax.random.PRNGKey(0))
    x = jnp.zeros((cfg.batch_size, 64))

    def step(p: pop.Params, x: jax.Array) -> pop.Params:
        grads = jax.grad(lambda q: jnp.mean(pop.loss(q, x, cfg.sigma)))(p)
        return optax.apply_updates(p, jax.tree.map(lambda g: -cfg.lr * g, grads))

    cost = jax.jit(step).lower(params, x).compile().cost_analysis()
    cost = cost[0] if isinstance(cost, list) else cost
    steps = cfg.epochs * train.Epochs(cfg.n_train, cfg.batch_size).steps_per_epoch
    return float(cost["flops"]) * steps


def products_seconds(cfg: dipole.DipoleConfig, n_seeds: int) -> float:
    """Best of three: the decoder's three products of every SGD step of ``n_seeds`` seeds, alone.

    Forward (batch x units) @ (units x pixels), the gradient to the bumps and the decoder's gradient,
    chained through the carried arrays so that XLA runs each step's; the seeds are spread over the
    devices as ``train.fit`` spreads them (padded to a multiple of the device count)."""
    sharding = train._seed_sharding(n_seeds)
    slots = -(-n_seeds // sharding.num_devices) * sharding.num_devices
    keys = jax.random.split(jax.random.PRNGKey(0), 3)
    bumps = jax.random.uniform(keys[0], (slots, cfg.batch_size, cfg.n_units))
    weights = 0.01 * jax.random.normal(keys[1], (slots, cfg.n_units, 64))
    residual = jax.random.normal(keys[2], (slots, cfg.batch_size, 64))
    bumps, weights, residual = jax.device_put((bumps, weights, residual), sharding)
    steps = cfg.epochs * train.Epochs(cfg.n_train, cfg.batch_size).steps_per_epoch

    def step(carry: tuple[jax.Array, jax.Array], _: None) -> tuple[tuple[jax.Array, jax.Array], None]:
        b, w = carry
        recon = jnp.einsum("sbh,shd->sbd", b, w)
        to_bumps = jnp.einsum("sbd,shd->sbh", residual + 1e-3 * recon, w)
        to_weights = jnp.einsum("sbh,sbd->shd", b, residual)
        return (b + 1e-3 * to_bumps, w - 1e-3 * to_weights), None

    run = jax.jit(lambda b, w: jax.lax.scan(step, (b, w), None, length=steps)[0], out_shardings=sharding)
    jax.block_until_ready(run(bumps, weights))
    return best_of(lambda: jax.block_until_ready(run(bumps, weights)))


def matmul_rate() -> float:
    """Float32 FLOP/s of a large XLA matrix product on this machine (all cores)."""
    n = 2048
    a = jax.random.normal(jax.random.PRNGKey(0), (n, n))
    f = jax.jit(lambda a: a @ a)
    f(a).block_until_ready()
    return 2 * n**3 / best_of(lambda: f(a).block_until_ready(), repeat=5)


def run(quick: bool = False) -> list[Row]:
    """1 seed and 5 seeds, rflab against NumPy, with the distance to the FLOP floor."""
    cfg = build(dipole.DipoleConfig, dipole.HINTON_PROBLEMS_PRESET, {"epochs": 20} if quick else {})
    jax.jit(lambda v: v + 1)(0.0).block_until_ready()  # start the runtime outside the timings
    peak, flops = matmul_rate(), training_flops(cfg)
    rows = []
    for seeds in ([0], [0, 1, 2, 3, 4]):
        ours, training, mse_ours = rflab_run(cfg, seeds)
        theirs, mse_np = numpy_run(cfg, seeds)
        floor, products = len(seeds) * flops / peak, products_seconds(cfg, len(seeds))
        agree = max(abs(a - b) / b for a, b in zip(mse_ours, mse_np, strict=True))
        rows.append(Row(
            case=f"hinton-problems preset, {cfg.epochs} epochs, {len(seeds)} seed{'s' * (len(seeds) > 1)}",
            seconds=ours, baseline="NumPy SGD, same streams", baseline_seconds=theirs,
            note=(f"floor {floor:.2f} s ({len(seeds) * flops / 1e9:.0f} GFLOP at {peak / 1e9:.0f} GFLOP/s measured), "
                  f"{floor / ours:.0%} of floor; training {training:.2f} s with its compilation, "
                  f"the three decoder products alone {products:.2f} s; "
                  f"test MSE {mse_ours.mean():.5f} vs {mse_np.mean():.5f} "
                  f"(max rel. diff {agree:.1e})"),
        ))
    whole, script = command_seconds(5, cfg.epochs if quick else None), script_seconds(5, cfg.epochs)
    rows.append(Row(
        case=f"the whole command, rflab run dipole-3d --preset hinton-problems --seeds 0-4 ({cfg.epochs} epochs)",
        seconds=whole, baseline="the seed script's procedure, a process per seed", baseline_seconds=script,
        note=(f"start-up, data, training, metrics, figures, GIFs and the store, in a fresh process, best of two; "
              f"the NumPy training alone (float32) {theirs:.1f} s, {theirs / whole:.1f}x")))
    return rows
