"""Bar images of Zemel & Hinton's "what/where" problem: a horizontal or a vertical bar at a continuous position.

Same canvas as ``dipoles``: 8x8, pixel centres at integer coordinates 0..7, flattened row-major
(row = y, column = x). A horizontal bar at position p has the Gaussian row profile
exp(-(row - p)^2 / (2 s^2)), constant along the columns; a vertical bar is its transpose (the same
profile along the columns). Width s = 0.7 px, peak 1 on the bar's axis, values in (0, 1], no noise.
Latents (class, position): class 0 is horizontal, 1 vertical, half of each in a random order;
p ~ U[1.5, 5.5] as the dipoles' midpoints.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

SIZE = 8
BAR_WIDTH = 0.7
POSITION_RANGE = (1.5, 5.5)
CLASSES = ("horizontal", "vertical")


class Bars(NamedTuple):
    """Images (n, SIZE*SIZE) and their latents (n, 2) = (class, position), float32."""

    images: jax.Array
    latents: jax.Array


def profile(position: jax.Array, width: float = BAR_WIDTH, size: int = SIZE) -> jax.Array:
    """Unit-peak Gaussian profile of each position over the pixel centres, shape (..., size)."""
    grid = jnp.arange(size, dtype=jnp.float32)
    return jnp.exp(-((grid - position[..., None]) ** 2) / (2.0 * width**2))


def render(latents: jax.Array, width: float = BAR_WIDTH, size: int = SIZE) -> jax.Array:
    """Render bars with latents (..., 2) = (class, position) to flat images (..., size * size)."""
    rows = profile(latents[..., 1], width, size)
    horizontal = jnp.broadcast_to(rows[..., :, None], (*rows.shape, size))
    image = jnp.where(latents[..., 0, None, None] > 0.5, jnp.swapaxes(horizontal, -1, -2), horizontal)
    return image.reshape(*latents.shape[:-1], size * size)


def sample_latents(key: jax.Array, n: int) -> jax.Array:
    """Latents (n, 2): classes 0, 1, 0, 1, ... (exactly balanced) in a random order, positions U[1.5, 5.5]."""
    k_class, k_pos = jax.random.split(key)
    classes = jax.random.permutation(k_class, jnp.arange(n) % 2).astype(jnp.float32)
    lo, hi = POSITION_RANGE
    return jnp.stack([classes, jax.random.uniform(k_pos, (n,), minval=lo, maxval=hi)], axis=1)


def sample(key: jax.Array, n: int) -> Bars:
    """Draw n bar images and their latents."""
    latents = sample_latents(key, n)
    return Bars(render(latents), latents)
