"""A dense autoencoder with a 3-D code: the baseline the population code is measured against.

The encoder is the RBF coder's (64 -> He tanh -> K logistic, ``population.encode``), so the two
differ only in how the code is read: here a dense MLP decoder K -> Hd -> Hd -> 64 with ReLU units
instead of H Gaussian bumps and a linear readout. One hidden tanh layer, the seed-like choice,
stays near the mean image (held-out MSE 0.027 from the true torus code with 128 units); two ReLU
layers of 256 reach 0.0031, the population decoder's accuracy. Same loss as the RBF coder: half
the squared reconstruction error per image.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from rflab.models import population as pop

Params = dict
DECODER = ("dec1", "dec2", "dec3")


def init(key: jax.Array, n_in: int = 64, n_enc_hidden: int = 64, n_dec_hidden: int = 256, dim: int = 3,
         init_gain: float = 1.0) -> Params:
    """Glorot-normal encoder (as the RBF coder's), He-normal ReLU decoder, zero biases."""
    shapes = {"enc1": (n_in, n_enc_hidden), "enc2": (n_enc_hidden, dim), "dec1": (dim, n_dec_hidden),
              "dec2": (n_dec_hidden, n_dec_hidden), "dec3": (n_dec_hidden, n_in)}
    keys = jax.random.split(key, len(shapes))

    def std(name: str, shape: tuple[int, int]) -> float:
        return math.sqrt(2.0 / shape[0]) if name in DECODER[:2] else math.sqrt(2.0 / sum(shape))

    return {
        name: {"w": init_gain * std(name, shape) * jax.random.normal(k, shape), "b": jnp.zeros(shape[1])}
        for k, (name, shape) in zip(keys, shapes.items(), strict=True)
    }


def hidden(params: Params, code: jax.Array) -> jax.Array:
    """The decoder's last hidden layer (its units), (n, Hd)."""
    h = jax.nn.relu(code @ params["dec1"]["w"] + params["dec1"]["b"])
    return jax.nn.relu(h @ params["dec2"]["w"] + params["dec2"]["b"])


def decode(params: Params, code: jax.Array, sigma: float | None = None) -> jax.Array:
    """The image a code stands for (``sigma`` is unused: the signature matches the population coders)."""
    return hidden(params, code) @ params["dec3"]["w"] + params["dec3"]["b"]


def apply(params: Params, x: jax.Array, sigma: float | None = None) -> pop.Forward:
    """Encode and decode; ``bumps`` holds the decoder's last hidden layer."""
    code = pop.encode(params, x)
    h = hidden(params, code)
    return pop.Forward(code, h, h @ params["dec3"]["w"] + params["dec3"]["b"])


def loss(params: Params, x: jax.Array, sigma: float | None = None, fixed_code: bool = False) -> jax.Array:
    """Per-image half squared reconstruction error, shape (n,); with ``fixed_code`` no gradient
    reaches the encoder (to fit the decoder to a given code)."""
    code = pop.encode(params, x)
    recon = decode(params, jax.lax.stop_gradient(code) if fixed_code else code)
    return 0.5 * jnp.sum((recon - x) ** 2, axis=-1)
