"""The training engine: one jitted ``lax.scan`` over SGD steps, vmapped over seeds.

A learner is a pair of pure functions (``init(key) -> params``, ``loss(params, batch) -> (B,)``
per-example losses); a stream says where each step's batch comes from (a fresh sample, or a
shuffled pass over a fixed training set). ``fit`` runs any learner on any stream with an optax
optimiser for every seed at once, the seed axis spread over the local devices (on a CPU, one
device per core once ``use_cpu_cores`` has run). The host only sees chunk boundaries: there it
reports progress, keeps the snapshots asked for, and stops on the first non-finite loss.

``fit_points`` trains a family of models per seed on one stream: points that differ only in numbers
(a learning rate, the gain of a transform the loss applies to the same Gaussian draws) see the same
batches, drawn once per step (common random numbers), and each point's update is computed by
exactly the operations a lone run of it performs, so a family's runs equal lone runs bit for bit.
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


def uniform_weights(n: int) -> jax.Array:
    """Per-example weights of a fresh batch of n: the batch's loss is its mean."""
    return jnp.full((n,), 1.0 / n)


@dataclass(frozen=True)
class Online:
    """A fresh batch every step from ``sample(key, n)``: no example is ever reused."""

    sample: Callable[[jax.Array, int], Batch]
    batch_size: int

    def init(self, key: jax.Array, data: PyTree) -> PyTree:
        return key

    def next(self, state: PyTree, step: jax.Array, data: PyTree) -> tuple[Batch, jax.Array, PyTree]:
        batch = self.sample(jax.random.fold_in(state, step), self.batch_size)
        return batch, uniform_weights(self.batch_size), state


@dataclass(frozen=True)
class Blocks:
    """Like ``Online``, but the batches of ``block`` consecutive steps are drawn in one call of
    ``sample(key, block * batch_size)``: for online SGD with tiny batches (the papers' batch 1), where
    one draw per step costs several times its samples. The draws of block j come from the stream key
    folded with j, so the numbers do not depend on how a run is chunked. ``fit`` needs the run's length
    and snapshot steps to be multiples of ``block``."""

    sample: Callable[[jax.Array, int], Batch]
    batch_size: int
    block: int

    def init(self, key: jax.Array, data: PyTree) -> PyTree:
        return key

    def draw(self, state: PyTree, index: jax.Array) -> Batch:
        """The batches of block ``index``, stacked along a leading axis of length ``block``."""
        batch = self.sample(jax.random.fold_in(state, index), self.block * self.batch_size)
        return jax.tree.map(lambda a: a.reshape(self.block, self.batch_size, *a.shape[1:]), batch)



Build = Callable[[PyTree], tuple[Learner, optax.GradientTransformation]]


class Fit(NamedTuple):
    """What ``fit`` returns; every array has a leading seed axis (``fit_points``: seed, then point).

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
    return _fit(lambda _: (learner, optimizer), None, stream, n_steps, keys, data, params0, None, snapshot_steps,
                chunks, progress)


def fit_points(
    build: Build,
    points: PyTree,
    stream: Stream,
    n_steps: int,
    keys: jax.Array,
    stream_keys: jax.Array | None = None,
    snapshot_steps: Sequence[int] = (),
    chunks: int = 100,
    progress: ProgressFn | None = None,
) -> Fit:
    """Train, for every key, one model per point on one stream in one call: ``points`` is a pytree of
    arrays with a leading P axis and ``build(point)`` the point's learner and optimiser.

    Every batch is drawn once per seed and step and given to every point's learner; the points'
    updates run one after the other (``lax.map``), each by the operations of a lone run.
    ``stream_keys`` (S, ...) draws the data from other keys than the initial parameters (the same
    weights on an independent stream). Arrays of the result have leading axes (seed, point).
    """
    return _fit(build, points, stream, n_steps, keys, None, None, stream_keys, snapshot_steps, chunks, progress)


def _fit(build: Build, points: PyTree, stream: Stream, n_steps: int, keys: jax.Array, data: PyTree, params0: PyTree,
         stream_keys: jax.Array | None, snapshot_steps: Sequence[int], chunks: int,
         progress: ProgressFn | None) -> Fit:
    """``fit`` (``points`` None: no point axis) and ``fit_points``."""
    if n_steps < 1:
        raise ValueError(f"n_steps must be >= 1, got {n_steps}")
    steps = sorted({int(s) for s in snapshot_steps})
    if steps and not 0 <= steps[0] <= steps[-1] <= n_steps:
        raise ValueError(f"snapshot_steps must lie in [0, {n_steps}], got {steps}")
    n_seeds = len(keys)
    stream_keys = keys if stream_keys is None else stream_keys
    block = stream.block if isinstance(stream, Blocks) else 1
    if any(s % block for s in (n_steps, *steps)):
        raise ValueError(f"a stream of blocks of {block} steps needs the run's length ({n_steps}) and every "
                         f"snapshot step to be multiples of {block}")
    length = block * _chunk_length(n_steps // block, [s // block for s in steps], chunks)
    plan = _plan(n_steps, steps, length)
    shard = _seed_sharding(n_seeds)
    pad = partial(_pad_seeds, n_pad=-n_seeds % shard.num_devices)
    keys, stream_keys, data, params0 = jax.device_put((pad(keys), pad(stream_keys), pad(data), pad(params0)), shard)
    n_points = None if points is None else len(jax.tree.leaves(points)[0])
    if points is not None:  # at least two slots, and the count travels as data (see ``_each_point``)
        points = (jax.tree.map(lambda a: _pad_points(np.asarray(a)), points), np.int32(n_points))
    runners = {m: _chunk_runner(build, stream, length, m, shard, points is not None) for m in {m for _, m, _ in plan}}

    start = time.perf_counter()
    init = jax.jit(jax.vmap(_init_state(build, stream), in_axes=(0, 0, 0, 0, None)), out_shardings=shard)
    state = init(keys, stream_keys, data, params0, points)
    snaps = {0: state[0]} if 0 in steps else {}
    losses: list[np.ndarray] = []
    pending: tuple[int, int, jax.Array] | None = None
    for offset, masked, n_active in plan:
        state, chunk_losses = runners[masked](state, data, points, offset, n_active)
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
    loss, params = np.concatenate(losses, axis=1), unpad(params)
    if n_points is not None:  # (seed, step, point) -> (seed, point, step); snapshots (seed, snap, point) likewise
        loss = np.moveaxis(loss, 2, 1)[:, :n_points]
        stacked = None if stacked is None else jax.tree.map(lambda a: np.swapaxes(a, 1, 2)[:, :n_points], stacked)
        params = jax.tree.map(lambda a: a[:, :n_points], params)
    return Fit(params, loss, stacked, tuple(steps), seconds)


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


def _pad_points(a: np.ndarray) -> np.ndarray:
    """A lone point gets a second, never-run slot: an axis of length one would let XLA specialise the
    point loop (index known to be 0) and round a lone run differently from the same point in a family."""
    return np.concatenate([a, a]) if len(a) == 1 else a


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


def _each_point(fn: Callable[..., Any], points: PyTree, *args: PyTree) -> Any:
    """``fn(point, *args)`` for the lone model (``points`` None), else for every point in turn.

    ``points`` is ``(tree, count)`` with ``count`` a traced number of points: a loop whose length XLA
    does not know is never inlined (a one-point loop would be), so each point runs the operations of
    the loop body whatever the number of points; a vmap would batch them and change roundings."""
    if points is None:
        return fn(None, *args)
    tree, count = points
    take = lambda i, t: jax.tree.map(lambda a: a[i], t)  # noqa: E731
    shapes = jax.eval_shape(fn, take(0, tree), *(take(0, a) for a in args))
    slots = jax.tree.leaves(tree)[0].shape[0]
    out = jax.tree.map(lambda s: jnp.zeros((slots, *s.shape), s.dtype), shapes)

    def body(i: jax.Array, out: PyTree) -> PyTree:
        result = fn(take(i, tree), *(take(i, a) for a in args))
        return jax.tree.map(lambda o, r: o.at[i].set(r), out, result)

    return jax.lax.fori_loop(0, count, body, out)


def _init_state(build: Build, stream: Stream):
    def init(key: jax.Array, stream_key: jax.Array, data: PyTree, params0: PyTree, points: PyTree) -> PyTree:
        k_params, _ = _split(key)
        _, k_stream = _split(stream_key)

        def point_init(point: PyTree) -> tuple[PyTree, PyTree]:
            learner, optimizer = build(point)
            params = learner.init(k_params) if params0 is None else params0
            return params, optimizer.init(params)

        return (*_each_point(point_init, points), stream.init(k_stream, data))

    return init


def _chunk_runner(build: Build, stream: Stream, length: int, masked: bool, sharding: NamedSharding,
                  with_points: bool):
    """A jitted, seed-vmapped scan of ``length`` steps from step ``offset``; when ``masked``, only
    the first ``n_active`` are taken (the rest pass the state through and report NaN). Each step
    draws the seed's batch once and updates every point's model on it."""

    def run(state: PyTree, data: PyTree, points: PyTree, offset: jax.Array, n_active: jax.Array):
        def update(params: PyTree, opt_state: PyTree, batch: Batch,
                   weights: jax.Array) -> tuple[PyTree, PyTree, jax.Array]:
            def point_step(point: PyTree, params: PyTree, opt_state: PyTree) -> tuple[PyTree, PyTree, jax.Array]:
                learner, optimizer = build(point)

                def objective(p: PyTree) -> jax.Array:
                    return jnp.sum(weights * learner.loss(p, batch))

                value, grads = jax.value_and_grad(objective)(params)
                updates, opt_state = optimizer.update(grads, opt_state, params)
                return optax.apply_updates(params, updates), opt_state, value

            return _each_point(point_step, points, params, opt_state)

        def take_step(state: PyTree, step: jax.Array) -> tuple[PyTree, jax.Array]:
            params, opt_state, stream_state = state
            batch, weights, stream_state = stream.next(stream_state, step, data)
            params, opt_state, value = update(params, opt_state, batch, weights)
            return (params, opt_state, stream_state), value

        def take_block(state: PyTree, first: jax.Array) -> tuple[PyTree, jax.Array]:
            params, opt_state, stream_state = state
            drawn = stream.draw(stream_state, first // stream.block)

            def inner(carry: tuple[PyTree, PyTree], batch: Batch) -> tuple[tuple[PyTree, PyTree], jax.Array]:
                params, opt_state, value = update(*carry, batch, uniform_weights(stream.batch_size))
                return (params, opt_state), value

            (params, opt_state), values = jax.lax.scan(inner, (params, opt_state), drawn)
            return (params, opt_state, stream_state), values

        def masked_step(state: PyTree, i: jax.Array) -> tuple[PyTree, jax.Array]:
            nan = jnp.full(jax.tree.leaves(points[0])[0].shape[:1] if with_points else (), jnp.nan, jnp.float32)
            return jax.lax.cond(i < n_active, lambda s: take_step(s, offset + i), lambda s: (s, nan), state)

        if isinstance(stream, Blocks):  # the plan gives whole blocks only, so nothing is masked
            state, values = jax.lax.scan(take_block, state, offset + stream.block * jnp.arange(length // stream.block))
            return state, values.reshape(length, *values.shape[2:])
        body = masked_step if masked else (lambda s, i: take_step(s, offset + i))
        return jax.lax.scan(body, state, jnp.arange(length))

    return jax.jit(jax.vmap(run, in_axes=(0, 0, None, None, None)), out_shardings=sharding)


def _collect(offset: int, n_active: int, chunk_losses: jax.Array, n_seeds: int) -> np.ndarray:
    """Fetch a chunk's losses and raise on the first non-finite one, naming its step, seed (and point)."""
    losses = np.asarray(chunk_losses)[:n_seeds, :n_active]
    bad = np.argwhere(~np.isfinite(losses))
    if len(bad):
        first = bad[np.argmin(bad[:, 1])]
        point = f" and point index {first[2]}" if len(first) > 2 else ""
        raise DivergenceError(
            f"non-finite training loss at step {offset + first[1] + 1} of seed index {first[0]}{point}; "
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
