"""Ingrosso & Goldt's convolutional student (their ``ConvTwoLayer`` as ``conv_emerge_online.py`` builds it
for ``--model convolutional``, ``sgoldt/conv_emerge`` commit 58a6e99, ``network.py``), as ``init``/``apply``/``loss``.

    phi(x) = mean over channels k and pooled positions p of maxpool_2(erf((w_k * x) / sqrt(2)))_p

K channels of one ``kernel`` x ``kernel`` filter (``kernel`` sites on a ring), slid over the input without
padding (their ``nn.Conv2d`` default: a valid cross-correlation, no wrap-around), a trained bias per
channel or none (their ``--bias`` flag without a value, or no flag), erf units,
max pooling over windows of 2 (a side) with stride 2, and a fixed readout: the two heads are (phi, -phi),
the mean of the pooled units and its negative (their ``fc2`` of ones, second column negated, divided by
the number of hidden units). Filters and biases learn at their learning rate, unscaled. As for the fully
connected net, the per-example loss averaged over the heads is (phi - t)^2 with t = 1 - 2y.

Without a bias the network is not odd (max pooling is not), but it cannot classify by the sign of
phi: the mean of maxima of zero-mean responses is positive for both classes, so the accuracy of
sign(phi) stays near chance (``tests/test_ingrosso_goldt.py``). A bias per channel moves the threshold.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp
import numpy as np

from rflab.models.mean_field import targets

Params = dict[str, jax.Array]


def init(key: jax.Array, shape: tuple[int, ...], channels: int, kernel: int, bias: bool) -> Params:
    """Filters (K, kernel, ...) and, with ``bias``, biases (K,), all uniform in +-1/sqrt(fan_in),
    fan_in = kernel^dims: PyTorch's default initialisation of a convolution (Kaiming uniform with
    a = sqrt 5 for the weights), which theirs keeps."""
    size = (kernel,) * len(shape)
    bound = 1.0 / math.sqrt(math.prod(size))
    k_w, k_b = jax.random.split(key)
    params = {"w": jax.random.uniform(k_w, (channels, *size), jnp.float32, -bound, bound)}
    if bias:
        params["b"] = jax.random.uniform(k_b, (channels,), jnp.float32, -bound, bound)
    return params


def patch_sites(shape: tuple[int, ...], kernel: int) -> np.ndarray:
    """For every position of a valid filter (row-major), the flattened sites it covers: (positions, taps).
    A NumPy constant: the convolution is a gather and a small product, which on a CPU at batch 1 costs a
    third of XLA's convolution and its two gradient convolutions (49 against 159 us a step, 2 seeds)."""
    out = [n - kernel + 1 for n in shape]
    starts = np.stack(np.meshgrid(*[np.arange(m) for m in out], indexing="ij"), -1).reshape(-1, len(shape))
    taps = np.stack(np.meshgrid(*[np.arange(kernel)] * len(shape), indexing="ij"), -1).reshape(-1, len(shape))
    return np.ravel_multi_index(tuple((starts[:, None, :] + taps[None, :, :]).transpose(2, 0, 1)), shape)


def hidden(params: Params, x: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """The pooled hidden units of a batch x (B, D): (B, pooled positions..., K)."""
    kernel = params["w"].shape[1]
    out = [n - kernel + 1 for n in shape]
    h = x[:, patch_sites(shape, kernel)] @ params["w"].reshape(len(params["w"]), -1).T
    if "b" in params:
        h = h + params["b"]
    g = jsp.erf(h / jnp.sqrt(jnp.float32(2.0))).reshape(len(x), *out, -1)
    even = g[(slice(None), *(slice(0, 2 * (m // 2)) for m in out))]
    windows = even.reshape(len(x), *[v for m in out for v in (m // 2, 2)], -1)
    return jnp.max(windows, axis=tuple(2 + 2 * i for i in range(len(shape))))


def apply(params: Params, x: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """phi for a batch x (B, D): the first head's output, the mean of the pooled units, shape (B,)."""
    pooled = hidden(params, x, shape)
    return jnp.mean(pooled.reshape(pooled.shape[0], -1), axis=-1)


def loss(params: Params, batch: tuple[jax.Array, jax.Array], shape: tuple[int, ...]) -> jax.Array:
    """Per-example squared error of the two heads, averaged over them: (phi - t)^2, shape (B,)."""
    x, y = batch
    return (apply(params, x, shape) - targets(y)) ** 2

