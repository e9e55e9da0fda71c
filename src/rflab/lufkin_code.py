"""The authors' Fig. 3 single-neuron procedure (leonlufkin/Localization), reconstructed for rflab (not their
code): the baseline of ``rflab bench`` and the subject of the report's checks on their code.

What the authors' pipeline does per SGD step (docs/localization.md, section 6; leonlufkin/Localization):
- a Python loop over steps, one jitted train step per batch (their ``supervise.simulate``);
- each batch is indexed from a dataset of ``steps * batch`` virtual samples; for every index and
  each class a key is folded in and one sample drawn: NLGP by a dense product of a 40 x 40 square
  root of the covariance with a normal vector, per sample (vmapped); Ising by a single-site
  Metropolis chain of 2000 proposals from a random start, each proposal evaluating the ring's
  energy before and after the flip and accepting with min(1, exp(-E') / exp(-E)) (vmapped);
- both classes are drawn for every index (2 x batch samples), permuted with one fixed key and
  the first ``batch`` kept (so every batch has the same label order);
- every 10 steps the model is evaluated on 1000 samples of a second dataset, regenerated each time.
Everything is float32 and jitted; only the loop over steps runs in Python, as theirs does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax

from rflab.data.fields import Lattice, circulant, gaussian_kernel
from rflab.data.marginals import nlgp_norm

EVAL_EVERY = 10
EVAL_SAMPLES = 1000


def dense_root(n: int, xi: float) -> np.ndarray:
    """The symmetric square root of the circulant Gaussian covariance (eigenvalues clipped at 0)."""
    lam, vec = np.linalg.eigh(circulant(gaussian_kernel(Lattice(n), xi)))
    return ((vec * np.sqrt(np.clip(lam, 0, None))) @ vec.T).astype(np.float32)


def nlgp_sampler(n: int, xi: tuple[float, float], g: float) -> Callable[[jax.Array], jax.Array]:
    """Per-sample NLGP: one key per sample -> erf(g C^(1/2) z) / Z(g), vmapped over the keys."""
    roots = [jnp.asarray(dense_root(n, x)) for x in xi]
    scale = np.float32(1 / nlgp_norm(g))

    def one(key: jax.Array, c: int) -> jax.Array:
        return jax.scipy.special.erf(g * roots[c] @ jax.random.normal(key, (n,))) * scale

    return [jax.jit(jax.vmap(partial(one, c=c))) for c in (0, 1)]


def ising_sampler(n: int, couplings: tuple[float, float], proposals: int) -> list[Callable]:
    """Per-sample single-site Metropolis with full energy evaluations, vmapped over the keys."""

    def energy(s: jax.Array, J: float) -> jax.Array:
        return -J * jnp.sum(s * jnp.roll(s, 1))

    def one(key: jax.Array, c: int) -> jax.Array:
        J = couplings[c]
        k_init, k_chain = jax.random.split(key)
        s = jnp.where(jax.random.bernoulli(k_init, 0.5, (n,)), 1.0, -1.0)

        def propose(_: int, carry: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array]:
            s, k = carry
            k, k_site, k_accept = jax.random.split(k, 3)
            flipped = s.at[jax.random.randint(k_site, (), 0, n)].multiply(-1.0)
            ratio = jnp.exp(-energy(flipped, J)) / jnp.exp(-energy(s, J))
            return jnp.where(jax.random.uniform(k_accept) < jnp.minimum(1.0, ratio), flipped, s), k

        return jax.lax.fori_loop(0, proposals, propose, (s, k_chain))[0]

    return [jax.jit(jax.vmap(partial(one, c=c))) for c in (0, 1)]


def kur_quantile_float32(z: jax.Array, k: float) -> jax.Array:
    """Their Kur(k) ("AlgQDF") transform of a normal z, unstandardised, as their code computes it in
    float32: p = (1 + erf(z / sqrt 2)) / 2, then (2p - 1) / (1 - |2p - 1|^k)^(1/k). For large |z|,
    p rounds to 1 and the result is infinite."""
    q = 2 * ((1 + jax.scipy.special.erf(z / jnp.sqrt(jnp.float32(2)))) / 2) - 1
    return q / (1 - jnp.abs(q) ** k) ** (1 / k)


def neuron_loss(w: jax.Array, x: jax.Array, y: jax.Array) -> jax.Array:
    """Their single-neuron loss: mean squared error of mean_units ReLU(x w^T) against the label."""
    return jnp.mean((jnp.mean(jax.nn.relu(x @ w.T), axis=1) - y) ** 2)


class IndexedDataset:
    """Virtual samples by index: both classes drawn per index, permuted by one fixed key, half kept."""

    def __init__(self, key: jax.Array, samplers: list[Callable]) -> None:
        self.class_keys = jax.random.split(key, 2)
        self.samplers = samplers
        self.fold = jax.jit(jax.vmap(jax.random.fold_in, in_axes=(None, 0)))

    def batch(self, start: int, size: int) -> tuple[jax.Array, jax.Array]:
        index = jnp.arange(start, start + size)
        x = jnp.concatenate([s(self.fold(k, index)) for s, k in zip(self.samplers, self.class_keys, strict=True)])
        y = jnp.concatenate([jnp.zeros(size), jnp.ones(size)])
        perm = jax.random.permutation(self.class_keys[0], 2 * size)[:size]
        return x[perm], y[perm]


def run(samplers: list[Callable], n: int, batch: int, steps: int, lr: float = 0.05, seed: int = 0,
        init_scale: float = 1e-3) -> tuple[float, float, np.ndarray]:
    """The whole run (datasets, init, compile, the Python loop over steps, evaluations): its seconds,
    the mean seconds of a step after the first ten (evaluations included), and the final weights."""
    start = time.perf_counter()
    key = jax.random.PRNGKey(seed)
    k_train, k_eval, k_model = jax.random.split(key, 3)
    train, held_out = IndexedDataset(k_train, samplers), IndexedDataset(k_eval, samplers)
    w = jax.nn.initializers.glorot_normal()(k_model, (1, n)) * np.sqrt(init_scale)

    loss = neuron_loss
    opt = optax.sgd(lr)
    state = opt.init(w)

    @jax.jit
    def step(w: jax.Array, state: optax.OptState, x: jax.Array, y: jax.Array):
        value, grads = jax.value_and_grad(loss)(w, x, y)
        updates, state = opt.update(grads, state)
        return optax.apply_updates(w, updates), state, value

    evaluate = jax.jit(loss)
    warm = None
    for t in range(steps):
        if t == EVAL_EVERY:
            jax.block_until_ready(w)
            warm = time.perf_counter()
        x, y = train.batch(t * batch, batch)
        w, state, _ = step(w, state, x, y)
        if (t + 1) % EVAL_EVERY == 0:
            float(evaluate(w, *held_out.batch(0, EVAL_SAMPLES)))
    w = np.asarray(jax.block_until_ready(w))
    end = time.perf_counter()
    per_step = (end - warm) / (steps - EVAL_EVERY) if warm is not None else (end - start) / steps
    return end - start, per_step, w
