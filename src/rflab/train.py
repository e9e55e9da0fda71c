"""The training engine: one jitted ``lax.scan`` over SGD steps, vmapped over seeds.

A learner is a pair of pure functions (``init(key) -> params``, ``loss(params, batch) -> (B,)``
per-example losses); a stream says where each step's batch comes from (a fresh sample, or a
shuffled pass over a fixed training set). ``fit`` runs any learner on any stream with an optax
optimiser for every seed at once, the seed axis spread over the local devices (on a CPU, one
device per core once ``use_cpu_cores`` has run). The host only sees chunk boundaries: there it
reports progress, keeps the snapshots asked for, and stops on the first non-finite loss.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple, Protocol

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.sharding import Mesh, NamedSharding, PartitionSpec

PyTree = Any
Batch = Any
ProgressFn = Callable[[int, int], None]


class DivergenceError(RuntimeError):
    """Training produced a non-finite loss."""


def use_cpu_cores(n: int | None = None) -> None:
    """Expose ``n`` (default: all) CPU cores as separate JAX devices, so seeds run in parallel.

    XLA runs the small matrix products of these models on one core; one device per core lets
    ``fit`` put different seeds on different cores. It only takes effect before JAX first computes
    anything; afterwards it leaves the devices as they are (numbers do not depend on the count).
    """
    try:
        jax.config.update("jax_num_cpu_devices", n or os.cpu_count() or 1)
    except RuntimeError:
        pass


@dataclass(frozen=True)
class Learner:
    """A model to fit: ``init(key) -> params`` and ``loss(params, batch) -> per-example losses``."""

    init: Callable[[jax.Array], PyTree]
    loss: Callable[[PyTree, Batch], jax.Array]


class Stream(Protocol):
    """Where batches come from: ``next`` returns the batch, per-example weights summing to 1,
    and the new stream state. ``data`` is this seed's slice of the arrays passed to ``fit``."""

    def init(self, key: jax.Array, data: PyTree) -> PyTree: ...

    def next(self, state: PyTree, step: jax.Array, data: PyTree) -> tuple[Batch, jax.Array, PyTree]: ...


@dataclass(frozen=True)
class Epochs:
    """Passes over a fixed training set (``data``), reshuffled every epoch; the last batch may be short.

    A short last batch keeps its true size: the padded slots get weight 0, so every step's loss is
    the mean over the examples it really holds, exactly as a NumPy loop over ``perm[i:i + B]``.
    """

    n: int
    batch_size: int

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(self.n / self.batch_size)

    def permutation(self, key: jax.Array, epoch: jax.Array, data: PyTree) -> jax.Array:
        return jax.random.permutation(jax.random.fold_in(key, epoch), self.n)

    def examples(self, data: PyTree) -> PyTree:
        return data

    def _order(self, key: jax.Array, epoch: jax.Array, data: PyTree) -> jax.Array:
        perm = self.permutation(key, epoch, data).astype(jnp.int32)
        pad = self.steps_per_epoch * self.batch_size - self.n
        return jnp.concatenate([perm, jnp.full((pad,), -1, jnp.int32)])

    def init(self, key: jax.Array, data: PyTree) -> PyTree:
        return key, self._order(key, jnp.asarray(0), data)

    def next(self, state: PyTree, step: jax.Array, data: PyTree) -> tuple[Batch, jax.Array, PyTree]:
        key, order = state
        epoch, within = jnp.divmod(step, self.steps_per_epoch)
        order = jax.lax.cond(
            (within == 0) & (epoch > 0), lambda: self._order(key, epoch, data), lambda: order
        )
        idx = jax.lax.dynamic_slice_in_dim(order, within * self.batch_size, self.batch_size)
        valid = idx >= 0
        batch = jax.tree.map(lambda a: a[jnp.where(valid, idx, 0)], self.examples(data))
        return batch, valid / jnp.sum(valid), (key, order)


@dataclass(frozen=True)
class Replay(Epochs):
    """Epochs whose shuffles are given: ``data = {"examples": ..., "orders": (epochs, n) ints}``.

    Lets a run replay another program's exact example order (e.g. a NumPy script's generator).
    """

    def permutation(self, key: jax.Array, epoch: jax.Array, data: PyTree) -> jax.Array:
        return data["orders"][epoch]

    def examples(self, data: PyTree) -> PyTree:
        return data["examples"]


@dataclass(frozen=True)
class Keyed:
    """Any stream whose batches also carry a fresh PRNG key: ``{"examples": batch, "key": key}``.

    For losses that sample noise: the key of step t is the same whatever the chunking of the run.
    """

    stream: Stream

    def init(self, key: jax.Array, data: PyTree) -> PyTree:
        k_noise, k_stream = jax.random.split(key)
        return k_noise, self.stream.init(k_stream, data)

    def next(self, state: PyTree, step: jax.Array, data: PyTree) -> tuple[Batch, jax.Array, PyTree]:
        key, inner = state
        batch, weights, inner = self.stream.next(inner, step, data)
        return {"examples": batch, "key": jax.random.fold_in(key, step)}, weights, (key, inner)


@dataclass(frozen=True)
class Online:
    """A fresh batch every step from ``sample(key, n)``: no example is ever reused."""

    sample: Callable[[jax.Array, int], Batch]
    batch_size: int

    def init(self, key: jax.Array, data: PyTree) -> PyTree:
        return key

    def next(self, state: PyTree, step: jax.Array, data: PyTree) -> tuple[Batch, jax.Array, PyTree]:
        batch = self.sample(jax.random.fold_in(state, step), self.batch_size)
        return batch, jnp.full((self.batch_size,), 1.0 / self.batch_size), state


class Fit(NamedTuple):
    """What ``fit`` returns; every array has a leading seed axis.

    ``losses[s, t]`` is the training loss of step t + 1; ``snapshots`` stacks the parameters after
    each of ``snapshot_steps`` updates along axis 1; ``seconds`` is wall time, compilation included.
    Arrays are NumPy, on the host.
    """

    params: PyTree
    losses: np.ndarray
    snapshots: PyTree
    snapshot_steps: tuple[int, ...]
    seconds: float


def fit(
    learner: Learner,
    optimizer: optax.GradientTransformation,
    stream: Stream,
    n_steps: int,
    keys: jax.Array,
    data: PyTree = None,
    params0: PyTree = None,
    snapshot_steps: Sequence[int] = (),
    chunks: int = 100,
    progress: ProgressFn | None = None,
) -> Fit:
    """Train one model per key (``keys`` has shape (S, ...)) for ``n_steps`` optimiser steps.

    ``data`` holds per-seed arrays with a leading S axis (or None); ``params0`` optionally gives
    the initial parameters (leading S axis) instead of ``learner.init``. Snapshots are taken after
    the given numbers of steps (0 is the initialisation). About ``chunks`` host round trips are
    made. Raises DivergenceError on the first non-finite loss, naming the step and seed.
    """
    if n_steps < 1:
        raise ValueError(f"n_steps must be >= 1, got {n_steps}")
    steps = sorted({int(s) for s in snapshot_steps})
    if steps and not 0 <= steps[0] <= steps[-1] <= n_steps:
        raise ValueError(f"snapshot_steps must lie in [0, {n_steps}], got {steps}")
    n_seeds = len(keys)
    length = _chunk_length(n_steps, steps, chunks)
    plan = _plan(n_steps, steps, length)
    shard = _seed_sharding(n_seeds)
    pad = partial(_pad_seeds, n_pad=-n_seeds % shard.num_devices)
    keys, data, params0 = jax.device_put((pad(keys), pad(data), pad(params0)), shard)
    runners = {m: _chunk_runner(learner, optimizer, stream, length, m, shard) for m in {m for _, m, _ in plan}}

    start = time.perf_counter()
    init = jax.jit(jax.vmap(_init_state(learner, optimizer, stream)), out_shardings=shard)
    state = init(keys, data, params0)
    snaps = {0: state[0]} if 0 in steps else {}
    losses: list[np.ndarray] = []
    pending: tuple[int, int, jax.Array] | None = None
    for offset, masked, n_active in plan:
        state, chunk_losses = runners[masked](state, data, offset, n_active)
        if pending is not None:
            losses.append(_collect(*pending, n_seeds))
            if progress is not None:
                progress(pending[0] + pending[1], n_steps)
        pending = (offset, n_active, chunk_losses)
        if offset + n_active in steps:
            snaps[offset + n_active] = state[0]
    assert pending is not None
    losses.append(_collect(*pending, n_seeds))
    params = jax.block_until_ready(state[0])
    seconds = time.perf_counter() - start
    if progress is not None:
        progress(n_steps, n_steps)
    unpad = partial(jax.tree.map, lambda a: np.asarray(a)[:n_seeds])
    stacked = jax.tree.map(lambda *xs: np.stack(xs, axis=1), *unpad(list(snaps.values()))) if snaps else None
    return Fit(unpad(params), np.concatenate(losses, axis=1), stacked, tuple(steps), seconds)


def _chunk_length(n_steps: int, boundaries: Sequence[int], chunks: int) -> int:
    """The scan length: a divisor of every boundary when that keeps about ``chunks`` round trips,
    so that no step needs masking; otherwise ceil(n_steps / chunks) with masked remainders."""
    target = max(1, math.ceil(n_steps / chunks))
    common = math.gcd(n_steps, *boundaries)
    divisor = max(d for d in range(1, min(common, target) + 1) if common % d == 0)
    return divisor if 4 * divisor >= target else target


def _plan(n_steps: int, boundaries: Sequence[int], length: int) -> list[tuple[int, bool, int]]:
    """Chunks as (first step, masked, steps taken): full chunks unmasked, remainders masked."""
    edges = sorted(set(boundaries) | {0, n_steps})
    plan = []
    for lo, hi in itertools.pairwise(edges):
        for offset in range(lo, hi, length):
            n_active = min(length, hi - offset)
            plan.append((offset, n_active < length, n_active))
    return plan


def _seed_sharding(n_seeds: int) -> NamedSharding:
    """Shard the seed axis over the local devices (all of them unless there are fewer seeds)."""
    devices = jax.local_devices()[: max(1, min(n_seeds, jax.local_device_count()))]
    return NamedSharding(Mesh(np.array(devices), ("seed",)), PartitionSpec("seed"))


def _pad_seeds(tree: PyTree, n_pad: int) -> PyTree:
    """Repeat the last seed ``n_pad`` times so the seed axis divides evenly over the devices.

    Done on the host: an eager JAX op here would cost a compilation of its own.
    """
    def pad(a: Any) -> np.ndarray:
        a = np.asarray(a)
        return np.concatenate([a, np.repeat(a[-1:], n_pad, axis=0)]) if n_pad else a

    return jax.tree.map(pad, tree)


def seed_keys(seeds: Sequence[int]) -> np.ndarray:
    """``jax.random.PRNGKey(s)`` for each seed, stacked (S, 2), built in one compiled call."""
    return np.asarray(_keys(np.asarray(seeds, dtype=np.uint32)))


@jax.jit
def _keys(seeds: jax.Array) -> jax.Array:
    return jax.vmap(jax.random.PRNGKey)(seeds)


def _split(key: jax.Array) -> jax.Array:
    """A seed's key as (key of the initial parameters, key of the data stream)."""
    return jax.random.split(key)


def initial_params(learner: Learner, keys: jax.Array) -> PyTree:
    """The initial parameters ``fit`` draws for each key (leading S axis), e.g. to start another
    data stream (``fit`` with other keys) from the same weights."""
    return jax.jit(jax.vmap(lambda key: learner.init(_split(key)[0])))(keys)


def _init_state(learner: Learner, optimizer: optax.GradientTransformation, stream: Stream):
    def init(key: jax.Array, data: PyTree, params0: PyTree) -> PyTree:
        k_params, k_stream = _split(key)
        params = learner.init(k_params) if params0 is None else params0
        return params, optimizer.init(params), stream.init(k_stream, data)

    return init


def _chunk_runner(
    learner: Learner,
    optimizer: optax.GradientTransformation,
    stream: Stream,
    length: int,
    masked: bool,
    sharding: NamedSharding,
):
    """A jitted, seed-vmapped scan of ``length`` steps from step ``offset``; when ``masked``, only
    the first ``n_active`` are taken (the rest pass the state through and report NaN)."""

    def objective(params: PyTree, batch: Batch, weights: jax.Array) -> jax.Array:
        return jnp.sum(weights * learner.loss(params, batch))

    def run(state: PyTree, data: PyTree, offset: jax.Array, n_active: jax.Array):
        def take_step(state: PyTree, step: jax.Array) -> tuple[PyTree, jax.Array]:
            params, opt_state, stream_state = state
            batch, weights, stream_state = stream.next(stream_state, step, data)
            value, grads = jax.value_and_grad(objective)(params, batch, weights)
            updates, opt_state = optimizer.update(grads, opt_state, params)
            return (optax.apply_updates(params, updates), opt_state, stream_state), value

        def masked_step(state: PyTree, i: jax.Array) -> tuple[PyTree, jax.Array]:
            skip = lambda s: (s, jnp.asarray(jnp.nan, jnp.float32))  # noqa: E731
            return jax.lax.cond(i < n_active, lambda s: take_step(s, offset + i), skip, state)

        body = masked_step if masked else (lambda s, i: take_step(s, offset + i))
        return jax.lax.scan(body, state, jnp.arange(length))

    return jax.jit(jax.vmap(run, in_axes=(0, 0, None, None)), out_shardings=sharding)


def _collect(offset: int, n_active: int, chunk_losses: jax.Array, n_seeds: int) -> np.ndarray:
    """Fetch a chunk's losses and raise on the first non-finite one, naming its step and seed."""
    losses = np.asarray(chunk_losses)[:n_seeds, :n_active]
    bad = np.argwhere(~np.isfinite(losses))
    if len(bad):
        seed, step = bad[np.argmin(bad[:, 1])]
        raise DivergenceError(
            f"non-finite training loss at step {offset + step + 1} of seed index {seed}; "
            "lower the learning rate or check the data"
        )
    return losses


def optimizer(
    name: str,
    lr: float,
    n_steps: int,
    schedule: str = "constant",
    warmup: float = 0.0,
    weight_decay: float = 0.0,
    decay_mask: Callable[[PyTree], PyTree] | None = None,
) -> optax.GradientTransformation:
    """An optax optimiser ``name`` (sgd, momentum, adam) with a learning-rate schedule.

    ``schedule`` is constant, cosine (to 0 over the run) or warmup-cosine (linear warmup over a
    fraction ``warmup`` of the steps, then cosine to 0). ``weight_decay`` is decoupled (AdamW
    style: scaled by the learning rate, not by the adaptive denominator) and applies to the leaves
    ``decay_mask(params)`` marks True (all leaves when None).
    """
    if schedule == "constant":
        rate: optax.ScalarOrSchedule = lr
    elif schedule == "cosine":
        rate = optax.cosine_decay_schedule(lr, n_steps)
    elif schedule == "warmup-cosine":
        rate = optax.warmup_cosine_decay_schedule(0.0, lr, max(1, int(warmup * n_steps)), n_steps)
    else:
        raise ValueError(f"schedule={schedule!r}: allowed constant, cosine, warmup-cosine")
    makers = {
        "sgd": lambda: optax.sgd(rate),
        "momentum": lambda: optax.sgd(rate, momentum=0.9),
        "adam": lambda: optax.adamw(rate, weight_decay=weight_decay, mask=decay_mask),
    }
    if name not in makers:
        raise ValueError(f"optimizer={name!r}: allowed {', '.join(makers)}")
    if name != "adam" and weight_decay > 0:
        return optax.chain(optax.add_decayed_weights(weight_decay, decay_mask), makers[name]())
    return makers[name]()
