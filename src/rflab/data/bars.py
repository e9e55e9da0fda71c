"""Bar images of Zemel & Hinton's "what/where" problem: a horizontal or a vertical bar at a continuous position.

Same canvas as ``dipoles``: 8x8, pixel centres at integer coordinates 0..7, flattened row-major
(row = y, column = x). A horizontal bar at position p has the Gaussian row profile
exp(-(row - p)^2 / (2 s^2)), constant along the columns; a vertical bar is its transpose (the same
profile along the columns). Width s = 0.7 px, peak 1 on the bar's axis, values in (0, 1], no noise.
Latents (class, position): class 0 is horizontal, 1 vertical, half of each in a random order;
p ~ U[1.5, 5.5] as the dipoles' midpoints.

A third object, used only when asked for (``classes=3``; the default 2 draws exactly the images
above): class 2 is a diagonal bar, the same profile across the anti-diagonal line x + y = 2p through
the pixel (p, p), exp(-d^2 / (2 s^2)) with d = (x + y - 2p) / sqrt(2) the distance to that line.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

SIZE = 8
BAR_WIDTH = 0.7
POSITION_RANGE = (1.5, 5.5)
CLASSES = ("horizontal", "vertical", "diagonal")
TWO = 2  # the what/where problem's classes, the default


class Bars(NamedTuple):
    """Images (n, SIZE*SIZE) and their latents (n, 2) = (class, position), float32."""

    images: jax.Array
    latents: jax.Array


def profile(position: jax.Array, width: float = BAR_WIDTH, size: int = SIZE) -> jax.Array:
    """Unit-peak Gaussian profile of each position over the pixel centres, shape (..., size)."""
    grid = jnp.arange(size, dtype=jnp.float32)
    return jnp.exp(-((grid - position[..., None]) ** 2) / (2.0 * width**2))


def diagonal(position: jax.Array, width: float = BAR_WIDTH, size: int = SIZE) -> jax.Array:
    """Unit-peak Gaussian profile across the line x + y = 2 * position, images (..., size, size) (row = y)."""
    grid = jnp.arange(size, dtype=jnp.float32)
    distance = (grid[:, None] + grid[None, :] - 2.0 * position[..., None, None]) / jnp.sqrt(jnp.float32(2.0))
    return jnp.exp(-(distance**2) / (2.0 * width**2))


def render(latents: jax.Array, width: float = BAR_WIDTH, size: int = SIZE) -> jax.Array:
    """Render bars with latents (..., 2) = (class, position) to flat images (..., size * size): class 0
    horizontal, 1 vertical, 2 diagonal."""
    rows = profile(latents[..., 1], width, size)
    horizontal = jnp.broadcast_to(rows[..., :, None], (*rows.shape, size))
    image = jnp.where(latents[..., 0, None, None] > 0.5, jnp.swapaxes(horizontal, -1, -2), horizontal)
    image = jnp.where(latents[..., 0, None, None] > 1.5, diagonal(latents[..., 1], width, size), image)
    return image.reshape(*latents.shape[:-1], size * size)


def sample_latents(key: jax.Array, n: int, classes: int = TWO) -> jax.Array:
    """Latents (n, 2): classes 0, 1, ..., classes - 1, 0, 1, ... (balanced to one image) in a random
    order, positions U[1.5, 5.5]."""
    k_class, k_pos = jax.random.split(key)
    labels = jax.random.permutation(k_class, jnp.arange(n) % classes).astype(jnp.float32)
    lo, hi = POSITION_RANGE
    return jnp.stack([labels, jax.random.uniform(k_pos, (n,), minval=lo, maxval=hi)], axis=1)


def sample(key: jax.Array, n: int, classes: int = TWO) -> Bars:
    """Draw n bar images of ``classes`` objects (the first of ``CLASSES``) and their latents."""
    latents = sample_latents(key, n, classes)
    return Bars(render(latents), latents)
