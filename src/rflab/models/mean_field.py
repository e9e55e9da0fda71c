"""Ingrosso & Goldt's fully connected two-layer network in its mean-field mode (their ``TwoLayer`` with
``model="mf"``, ``sgoldt/conv_emerge`` commit 58a6e99, ``network.py``), as ``init``/``apply``/``loss``.

    phi(x) = (1/K) sum_k erf((w_k . x / sqrt(D) + b_k) / sqrt(2))

Only the first layer ``w`` (K, D) learns. The biases are fixed: the first K // 2 units at +b, the rest at
-b (their ``--bias b``). The network has two output heads, (phi, -phi) (their second head's readout is
negated), trained on one-hot targets mapped to +-1, so class 0 asks for (1, -1) and class 1 for (-1, 1).
Both heads then make the same squared error, and the per-example loss, averaged over the heads as
their ``mse_loss`` does, is (phi - t)^2 with t = 1 - 2y.

Why the biases matter: phi is odd in x when b = 0, and both classes are symmetric under x -> -x, so
E[phi t] = 0 for every w and the loss E[phi^2] + 1 is least at phi = 0: without biases the network
cannot learn the task at all (``tests/test_ingrosso_goldt.py`` checks this).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp
import numpy as np

Params = dict[str, jax.Array]


def init(key: jax.Array, dim: int, units: int, std: float) -> Params:
    """First-layer weights (K, D), i.i.d. N(0, std^2) (their ``std0``)."""
    return {"w": jnp.float32(std) * jax.random.normal(key, (units, dim), jnp.float32)}


GROUPS = ("plus", "minus")


def groups(units: int) -> dict[str, slice]:
    """The units of each bias sign: the first K // 2 (``plus``, bias +b), then the rest (``minus``, -b)."""
    half = units // 2
    return {"plus": slice(0, half), "minus": slice(half, units)}


def group_labels(units: int) -> list[str]:
    """Each unit's group, in unit order."""
    return [group for group, members in groups(units).items() for _ in range(units)[members]]


def biases(units: int, b: float) -> np.ndarray:
    """The fixed biases: +b for the ``plus`` group, -b for the ``minus`` group."""
    bias = np.full(units, -b, np.float32)
    bias[groups(units)["plus"]] = b
    return bias


def apply(params: Params, x: jax.Array, bias: jax.Array) -> jax.Array:
    """phi for a batch x (B, D): the first head's output, shape (B,)."""
    d = x.shape[-1]
    h = x @ params["w"].T / jnp.sqrt(jnp.float32(d)) + bias
    return jnp.mean(jsp.erf(h / jnp.sqrt(jnp.float32(2.0))), axis=-1)


def targets(y: jax.Array) -> jax.Array:
    """The first head's target: +1 for class 0, -1 for class 1."""
    return 1.0 - 2.0 * y


def loss(params: Params, batch: tuple[jax.Array, jax.Array], bias: jax.Array) -> jax.Array:
    """Per-example squared error of the two heads, averaged over them: (phi - t)^2, shape (B,)."""
    x, y = batch
    return (apply(params, x, bias) - targets(y)) ** 2
