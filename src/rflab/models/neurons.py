"""The learners of the localization papers (docs/localization.md, section 3) as ``init``/``apply`` pairs.

One family covers them all: K units with weights w_k and optional biases b_k, read out by the
mean over units, optionally weighted by a trained readout a_k:

    y_hat(x) = (1/K) sum_k a_k act(w_k . x + b_k)

- the single neuron (the paper's M2): K = 1, ReLU, no bias, no readout: y_hat = ReLU(w . x);
- the soft committee machine: fixed readout a_k = 1 (only the first layer learns; the 1/K is why
  its learning rates reach 100), any activation, optional bias;
- the two-layer network: the readout a is trained too (initialised at 1, so it starts as the
  committee machine);
- the authors' ``MLP`` (LSG ``localization/models/feedforward.py``): a two-layer network whose readout
  starts at 1 plus Glorot-normal noise times sqrt(scale), with a trained output bias c when it has
  biases: y_hat = ((sum_k a_k act(w_k . x + b_k)) + c) / K.

Parameters are a plain dict: ``w`` (K, D), ``b`` (K,) with a bias, ``a`` (K,) with a readout, ``c``
(a scalar) with the MLP's output bias.
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
         readout: bool = False, mlp: bool = False) -> Params:
    """Glorot-normal weights (K, D) times sqrt(scale), as the authors' ``xavier_normal_init``; zero
    biases; a unit readout, or with ``mlp`` the authors' ``MLP`` start (``mlp_readout``, and a zero
    output bias when there are biases)."""
    w = jax.nn.initializers.glorot_normal()(key, (units, dim), jnp.float32) * jnp.sqrt(jnp.float32(scale))
    params = {"w": w}
    if bias:
        params["b"] = jnp.zeros(units, jnp.float32)
    if mlp:
        params["a"] = mlp_readout(jax.random.fold_in(key, 1), units, scale)
        if bias:
            params["c"] = jnp.zeros((), jnp.float32)
    elif readout:
        params["a"] = jnp.ones(units, jnp.float32)
    return params


def mlp_readout(key: jax.Array, units: int, scale: float) -> jax.Array:
    """The authors' ``MLP`` readout at the start: 1 + Glorot-normal noise of shape (1, K) times sqrt(scale),
    mean 1 and variance 2 scale / (K + 1) (JAX's truncated normal, cut at two of its standard deviations)."""
    noise = jax.nn.initializers.glorot_normal()(key, (1, units), jnp.float32)[0]
    return 1.0 + noise * jnp.sqrt(jnp.float32(scale))


def preactivations(params: Params, x: jax.Array) -> jax.Array:
    """h_k = w_k . x + b_k for a batch x (B, D): shape (B, K)."""
    h = x @ params["w"].T
    return h + params["b"] if "b" in params else h


def apply(params: Params, x: jax.Array, activation: str = "relu") -> jax.Array:
    """y_hat for a batch x (B, D): (1/K) (sum_k a_k act(h_k) + c), shape (B,)."""
    out = ACTIVATIONS[activation](preactivations(params, x))
    if "a" in params:
        out = out * params["a"]
    y_hat = jnp.mean(out, axis=-1)
    return y_hat + params["c"] / out.shape[-1] if "c" in params else y_hat


def loss(params: Params, batch: tuple[jax.Array, jax.Array], activation: str = "relu") -> jax.Array:
    """Per-example squared error (y - y_hat)^2, shape (B,)."""
    x, y = batch
    return (y - apply(params, x, activation)) ** 2
