"""Dipole images of Zemel & Hinton (1995): a positive and a negative Gaussian blob on an 8x8 canvas.

A dipole with midpoint (x, y), angle theta and half-separation r is
``blob(x + r cos theta, y + r sin theta) - blob(x - r cos theta, y - r sin theta)``; pixel centres
sit at integer coordinates, images are flattened row-major (row = y, column = x). A half-turn of
theta swaps the blobs and negates the image, so the full orientation range is [0, 2 pi).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

SIZE = 8
BLOB_WIDTH = 0.55
HALF_SEPARATION = 1.0
POSITION_RANGE = (1.5, 5.5)
THETA_RANGES = {"2pi": 2 * jnp.pi, "pi": jnp.pi, "fixed": 0.0}


class Dipoles(NamedTuple):
    """Images (n, SIZE*SIZE) and their latents (n, 3) = (x, y, theta)."""

    images: jax.Array
    latents: jax.Array


def blob(cx: jax.Array, cy: jax.Array, width: float = BLOB_WIDTH, size: int = SIZE) -> jax.Array:
    """Unit-peak isotropic Gaussian sampled at the pixel centres, shape (..., size, size)."""
    grid = jnp.arange(size, dtype=jnp.float32)
    dx = grid[None, :] - cx[..., None, None]
    dy = grid[:, None] - cy[..., None, None]
    return jnp.exp(-(dx**2 + dy**2) / (2.0 * width**2))


def render(latents: jax.Array, width: float = BLOB_WIDTH, size: int = SIZE) -> jax.Array:
    """Render dipoles with latents (..., 3) = (x, y, theta) to flat images (..., size * size)."""
    x, y, theta = latents[..., 0], latents[..., 1], latents[..., 2]
    ox, oy = HALF_SEPARATION * jnp.cos(theta), HALF_SEPARATION * jnp.sin(theta)
    image = blob(x + ox, y + oy, width, size) - blob(x - ox, y - oy, width, size)
    return image.reshape(*latents.shape[:-1], size * size)


def sample_latents(key: jax.Array, n: int, theta_range: str = "2pi") -> jax.Array:
    """Latents (n, 3): x, y ~ U[1.5, 5.5] independently, theta ~ U[0, 2 pi), U[0, pi) or 0 ("fixed")."""
    k_pos, k_theta = jax.random.split(key)
    lo, hi = POSITION_RANGE
    pos = jax.random.uniform(k_pos, (n, 2), minval=lo, maxval=hi)
    theta = jax.random.uniform(k_theta, (n, 1), maxval=THETA_RANGES[theta_range])
    return jnp.concatenate([pos, theta], axis=1)


def sample(key: jax.Array, n: int, theta_range: str = "2pi") -> Dipoles:
    """Draw n dipole images and their latents."""
    latents = sample_latents(key, n, theta_range)
    return Dipoles(render(latents), latents)


def orientation_targets(theta: np.ndarray, theta_range: str = "2pi") -> np.ndarray:
    """Regression targets for orientation: (cos, sin) of theta, or of 2 theta for the range [0, pi).

    On the host (NumPy): the targets feed scikit-learn regressions, not compiled code.
    """
    angle = np.asarray(theta) if theta_range == "2pi" else 2.0 * np.asarray(theta)
    return np.stack([np.cos(angle), np.sin(angle)], axis=-1)
