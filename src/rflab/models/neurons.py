"""The learners of the localization papers (docs/localization.md, section 3) as ``init``/``apply`` pairs.

One family covers all three: K units with weights w_k and optional biases b_k, read out by the
mean over units, optionally weighted by a trained readout a_k:

    y_hat(x) = (1/K) sum_k a_k act(w_k . x + b_k)

- the single neuron (the paper's M2): K = 1, ReLU, no bias, no readout: y_hat = ReLU(w . x);
- the soft committee machine: fixed readout a_k = 1 (only the first layer learns; the 1/K is why
  its learning rates reach 100), any activation, optional bias;
- the two-layer network: the readout a is trained too (initialised at 1, so it starts as the
  committee machine).

Parameters are a plain dict: ``w`` (K, D), ``b`` (K,) with a bias, ``a`` (K,) with a readout.
The loss is the squared error (y - y_hat)^2 on labels y in {0, 1}, per example.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp

Params = dict[str, jax.Array]

ACTIVATIONS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "relu": jax.nn.relu,
    "sigmoid": jax.nn.sigmoid,
    "tanh": jnp.tanh,
    "erf": jsp.erf,
    "linear": lambda h: h,
}


def init(key: jax.Array, dim: int, units: int = 1, scale: float = 1e-3, bias: bool = False,
         readout: bool = False) -> Params:
    """Glorot-normal weights (K, D) times sqrt(scale), as the authors' ``xavier_normal_init``;
    zero biases, unit readout."""
    w = jax.nn.initializers.glorot_normal()(key, (units, dim), jnp.float32) * jnp.sqrt(jnp.float32(scale))
    params = {"w": w}
    if bias:
        params["b"] = jnp.zeros(units, jnp.float32)
    if readout:
        params["a"] = jnp.ones(units, jnp.float32)
    return params


def preactivations(params: Params, x: jax.Array) -> jax.Array:
    """h_k = w_k . x + b_k for a batch x (B, D): shape (B, K)."""
    h = x @ params["w"].T
    return h + params["b"] if "b" in params else h


def apply(params: Params, x: jax.Array, activation: str = "relu") -> jax.Array:
    """y_hat for a batch x (B, D): (1/K) sum_k a_k act(h_k), shape (B,)."""
    out = ACTIVATIONS[activation](preactivations(params, x))
    if "a" in params:
        out = out * params["a"]
    return jnp.mean(out, axis=-1)


def loss(params: Params, batch: tuple[jax.Array, jax.Array], activation: str = "relu") -> jax.Array:
    """Per-example squared error (y - y_hat)^2, shape (B,)."""
    x, y = batch
    return (y - apply(params, x, activation)) ** 2
