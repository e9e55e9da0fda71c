"""Population coders of Zemel & Hinton (1995): the seed's RBF bottleneck and the MDL population code.

**RBF bottleneck** (``init``, ``apply``, ``loss``): an encoder MLP 64 -> He (tanh) -> K (logistic)
gives the implicit position m_hat in (0, 1)^K; H units with learned positions mu_i respond with
unnormalised bumps b_i = exp(-||mu_i - m_hat||^2 / (2 sigma^2)); a linear decoder maps the bumps to
the image. The code is K-dimensional by construction: every reconstruction passes through m_hat.

**MDL population code** (``mdl_init``, ``mdl_apply``, ``mdl_costs``): the encoder gives H
activities a = softmax(MLP(x)), with no bottleneck; the units' positions mu_i = logistic(nu_i) in
(0, 1)^K are learned; the centre m_hat = sum_i a_i mu_i; the standard bump around it is
a_hat_i = softmax_i(-||mu_i - m_hat||^2 / (2 sigma^2)); the decoder reads the *actual* activities
linearly. The description length per image is the reconstruction cost ||x - x_hat||^2 / (2 V_r)
plus the cost of the activities' deviation from the standard bump ||a - a_hat||^2 / (2 V_a) (in
bits, constants apart), plus the centre's cost, uniform over the unit cube at a stated resolution
(the same for every image). Only the deviation cost makes the H-dimensional activity K-dimensional.
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

Params = dict


class Forward(NamedTuple):
    """Everything the forward pass computes: code (n, K), bumps (n, H), reconstruction (n, D)."""

    code: jax.Array
    bumps: jax.Array
    recon: jax.Array


def grid_positions(n_units: int, dim: int) -> np.ndarray:
    """Unit positions on the most nearly cubic grid of n_units points over [0.05, 0.95]^dim.

    For 225 units in 3-D this is the seed's 9 x 5 x 5 grid (largest factor on the first axis).
    A NumPy constant: inside ``init`` it is folded into the compiled program.
    """
    shape = balanced_factors(n_units, dim)
    mesh = np.meshgrid(*[np.linspace(0.05, 0.95, n) for n in shape], indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1).astype(np.float32)


def grid_exists(n: int, dim: int) -> bool:
    """Whether n factors into dim factors >= 2 (what ``balanced_factors`` needs): n must have at
    least dim prime factors counted with multiplicity; found by trial division, O(sqrt n)."""
    count, p = 0, 2
    while p * p <= n and count < dim:
        while n % p == 0 and count < dim:
            n, count = n // p, count + 1
        p += 1
    return count + (n > 1) >= dim


def balanced_factors(n: int, dim: int) -> tuple[int, ...]:
    """The factorisation of n into dim factors >= 2 with the smallest max/min ratio, largest first."""
    divisors = [d for d in range(2, n + 1) if n % d == 0]
    best: tuple[int, ...] | None = None
    for combo in itertools.combinations_with_replacement(divisors, dim):
        if math.prod(combo) == n and (best is None or combo[-1] / combo[0] < best[-1] / best[0]):
            best = combo
    if best is None:
        raise ValueError(f"n_units={n} has no factorisation into {dim} factors >= 2; use mu_init=uniform")
    return tuple(sorted(best, reverse=True))


def init(
    key: jax.Array,
    n_in: int = 64,
    n_enc_hidden: int = 64,
    n_units: int = 225,
    dim: int = 3,
    mu_init: str = "grid",
    mu_jitter: float = 0.01,
    init_gain: float = 1.0,
) -> Params:
    """Glorot-normal weights (std gain * sqrt(2 / (fan_in + fan_out))), zero biases, unit
    positions on a grid (or uniform) plus N(0, mu_jitter^2) jitter.

    All normal draws come from one call: each separate draw costs its own compilation.
    """
    k_normal, k_mu = jax.random.split(key)
    shapes = {"enc1": (n_in, n_enc_hidden), "enc2": (n_enc_hidden, dim), "dec": (n_units, n_in), "mu": (n_units, dim)}
    sizes = [math.prod(s) for s in shapes.values()]
    draws = jnp.split(jax.random.normal(k_normal, (sum(sizes),)), list(itertools.accumulate(sizes))[:-1])
    z = {name: d.reshape(shape) for (name, shape), d in zip(shapes.items(), draws, strict=True)}
    mu = grid_positions(n_units, dim) if mu_init == "grid" else jax.random.uniform(k_mu, (n_units, dim))
    layer = lambda name: {  # noqa: E731
        "w": init_gain * math.sqrt(2.0 / sum(shapes[name])) * z[name],
        "b": jnp.zeros(shapes[name][1]),
    }
    return {"enc1": layer("enc1"), "enc2": layer("enc2"), "mu": mu + mu_jitter * z["mu"], "dec": layer("dec")}


def code_layer(params: Params) -> Params:
    """A mask marking the weights of the encoder's last (pre-logistic) layer.

    Decaying only these keeps the code's pre-activations moderate, so codes stay off the
    saturated faces of the unit cube where the logistic's gradient vanishes.
    """
    mask = jax.tree.map(lambda _: False, params)
    mask["enc2"]["w"] = True
    return mask


def hidden(params: Params, x: jax.Array) -> jax.Array:
    """The encoder's hidden layer (tanh), shared by every coder: (n, He)."""
    return jnp.tanh(x @ params["enc1"]["w"] + params["enc1"]["b"])


def encode(params: Params, x: jax.Array) -> jax.Array:
    """Implicit position m_hat in (0, 1)^K of each image."""
    return jax.nn.sigmoid(hidden(params, x) @ params["enc2"]["w"] + params["enc2"]["b"])


def squared_distances(code: jax.Array, mu: jax.Array) -> jax.Array:
    """||m - mu_i||^2 for every code and unit, shape (n, H).

    Expanded as |m|^2 + |mu|^2 - 2 m.mu: one small matrix product instead of an (n, H, K)
    difference tensor and its gradient (28% faster training on a CPU, 5 seeds).
    """
    return jnp.sum(code**2, axis=-1, keepdims=True) + jnp.sum(mu**2, axis=-1) - 2.0 * code @ mu.T


def bumps(params: Params, code: jax.Array, sigma: float) -> jax.Array:
    """Unnormalised Gaussian bump of every unit around the implicit position."""
    return jnp.exp(-squared_distances(code, params["mu"]) / (2.0 * sigma**2))


def decode(params: Params, code: jax.Array, sigma: float) -> jax.Array:
    """The image a code stands for: the bumps around it, read out linearly."""
    return bumps(params, code, sigma) @ params["dec"]["w"] + params["dec"]["b"]


def apply(params: Params, x: jax.Array, sigma: float) -> Forward:
    """Encode, respond with bumps, decode linearly."""
    code = encode(params, x)
    b = bumps(params, code, sigma)
    return Forward(code, b, b @ params["dec"]["w"] + params["dec"]["b"])


def loss(params: Params, x: jax.Array, sigma: float) -> jax.Array:
    """Per-image half squared reconstruction error (the seed's loss), shape (n,)."""
    return 0.5 * jnp.sum((apply(params, x, sigma).recon - x) ** 2, axis=-1)


class MDLForward(NamedTuple):
    """The MDL code's forward pass: centre (n, K), activities and standard bump (n, H), reconstruction (n, D)."""

    code: jax.Array
    activity: jax.Array
    bump: jax.Array
    recon: jax.Array


LN2 = math.log(2.0)


def mdl_init(
    key: jax.Array,
    n_in: int = 64,
    n_enc_hidden: int = 64,
    n_units: int = 225,
    dim: int = 3,
    mu_init: str = "grid",
    mu_jitter: float = 0.01,
    init_gain: float = 1.0,
) -> Params:
    """As ``init``, but the encoder's second layer gives H logits and positions are stored as
    logits nu (mu = logistic(nu) stays inside the unit cube, where the centre's cost is defined)."""
    k_rbf, k_enc2 = jax.random.split(key)
    params = init(k_rbf, n_in, n_enc_hidden, n_units, dim, mu_init, mu_jitter, init_gain)
    scale = init_gain * math.sqrt(2.0 / (n_enc_hidden + n_units))
    mu = jnp.clip(params.pop("mu"), 1e-3, 1 - 1e-3)
    return params | {
        "enc2": {"w": scale * jax.random.normal(k_enc2, (n_enc_hidden, n_units)), "b": jnp.zeros(n_units)},
        "nu": jnp.log(mu / (1.0 - mu)),
    }


def positions(params: Params) -> jax.Array:
    """The units' positions mu (H, K) in the implicit space (0, 1)^K."""
    return jax.nn.sigmoid(params["nu"])


def standard_bump(mu: jax.Array, centre: jax.Array, sigma: float) -> jax.Array:
    """The normalised Gaussian bump of width sigma around each centre, over the units (n, H)."""
    return jax.nn.softmax(-squared_distances(centre, mu) / (2.0 * sigma**2), axis=-1)


def mdl_apply(params: Params, x: jax.Array, sigma: float) -> MDLForward:
    """Activities, their centre, the standard bump there, and the reconstruction from the activities."""
    activity = jax.nn.softmax(hidden(params, x) @ params["enc2"]["w"] + params["enc2"]["b"], axis=-1)
    mu = positions(params)
    centre = activity @ mu
    recon = activity @ params["dec"]["w"] + params["dec"]["b"]
    return MDLForward(centre, activity, standard_bump(mu, centre, sigma), recon)


def mdl_decode(params: Params, code: jax.Array, sigma: float) -> jax.Array:
    """The image a centre stands for on its own: the standard bump there, read out linearly."""
    return standard_bump(positions(params), code, sigma) @ params["dec"]["w"] + params["dec"]["b"]


def mdl_costs(params: Params, x: jax.Array, sigma: float, recon_var: float, deviation_var: float,
              key: jax.Array | None = None) -> tuple[jax.Array, jax.Array]:
    """Per-image reconstruction and deviation costs in bits, without their constants (n,), (n,).

    -log2 of a Gaussian density N(r; 0, V) is |r|^2 / (2 V ln 2) plus a constant that depends only
    on V, the dimension and the resolution the values are sent at (see ``mdl_constants``). With a
    ``key``, the decoder reads the activities plus N(0, V_a) noise: the receiver knows them only to
    the precision the deviation cost pays for, so no information hides in deviations far below
    sqrt(V_a) (without it, a large decoder gain reads them for almost no bits).
    """
    out = mdl_apply(params, x, sigma)
    recon = out.recon
    if key is not None:
        noise = math.sqrt(deviation_var) * jax.random.normal(key, out.activity.shape)
        recon = recon + noise @ params["dec"]["w"]
    recon_bits = jnp.sum((recon - x) ** 2, axis=-1) / (2.0 * recon_var * LN2)
    deviation = jnp.sum((out.activity - out.bump) ** 2, axis=-1) / (2.0 * deviation_var * LN2)
    return recon_bits, deviation


def mdl_loss(params: Params, batch: dict, sigma: float, recon_var: float, deviation_var: float,
             weight_var: float | None = None, n_train: int = 1) -> jax.Array:
    """Per-image description length in bits that training minimises (reconstruction + deviation, and with
    ``weight_var`` the model's share: ``model_bits`` over the ``n_train`` images it is sent for once),
    on ``batch = {"examples": images, "key": noise key}`` (a ``train.Keyed`` stream's batches)."""
    recon, deviation = mdl_costs(params, batch["examples"], sigma, recon_var, deviation_var, batch["key"])
    if weight_var is None:
        return recon + deviation
    return recon + deviation + model_bits(params, weight_var) / n_train


def model_bits(params: Params, weight_var: float) -> jax.Array:
    """The cost of the model (Zemel & Hinton's third term) without its constant: the hidden-to-output
    weights and biases sent under N(0, V_w), sum w^2 / (2 V_w ln 2) bits; the constant, which depends
    only on their number, V_w and the resolution, is ``gaussian_constant``."""
    return sum(jnp.sum(w**2) for w in jax.tree.leaves(params["dec"])) / (2.0 * weight_var * LN2)


def gaussian_constant(n: int, var: float, resolution: float) -> float:
    """The bits of n values sent at ``resolution`` under N(., var) that do not depend on the values,
    n log2(sqrt(2 pi var) / resolution): the constant of the pixels', the activities' and the weights' codes."""
    return n * math.log2(math.sqrt(2 * math.pi * var) / resolution)


def mdl_constants(n_pixels: int, n_units: int, dim: int, recon_var: float, deviation_var: float,
                  pixel_resolution: float, activity_resolution: float, centre_resolution: float) -> dict:
    """The description length's image-independent terms, in bits per image, each with its formula's inputs.

    Pixels sent at ``pixel_resolution`` under N(., V_r): D log2(sqrt(2 pi V_r) / delta_x); activities
    at ``activity_resolution`` under N(., V_a): H log2(sqrt(2 pi V_a) / delta_a); the centre uniform
    over the unit cube at ``centre_resolution``: K log2(1 / delta_m).
    """
    return {
        "reconstruction": gaussian_constant(n_pixels, recon_var, pixel_resolution),
        "deviation": gaussian_constant(n_units, deviation_var, activity_resolution),
        "centre": dim * math.log2(1.0 / centre_resolution),
    }


def bump_encoder(params: Params, readout_w: jax.Array, readout_b: jax.Array, sigma: float) -> Params:
    """MDL parameters whose activities are exactly the standard bump around m = h W + b (h the hidden layer).

    softmax_i(-||mu_i - m||^2 / 2 sigma^2) = softmax_i((mu_i . m - ||mu_i||^2 / 2) / sigma^2): the
    ||m||^2 term is common to all units, so the bump's logits are linear in m and a linear
    second layer computes them exactly.
    """
    mu = positions(params)
    w = readout_w @ mu.T / sigma**2
    b = (readout_b @ mu.T - 0.5 * jnp.sum(mu**2, axis=-1)) / sigma**2
    return params | {"enc2": {"w": w, "b": b}}


def least_squares_decoder(params: Params, x: jax.Array, sigma: float, ridge: float = 1e-4) -> Params:
    """MDL parameters with the decoder set to the ridge regression of the images on the activities."""
    activity = mdl_apply(params, x, sigma).activity
    design = jnp.concatenate([activity, jnp.ones((activity.shape[0], 1))], axis=1)
    gram = design.T @ design + ridge * jnp.eye(design.shape[1])
    weights = jnp.linalg.solve(gram, design.T @ x)
    return params | {"dec": {"w": weights[:-1], "b": weights[-1]}}
