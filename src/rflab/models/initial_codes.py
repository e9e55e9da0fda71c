"""Starting codes for a 3-D bottleneck whose latent manifold is two intervals times a circle.

A solid torus is the way such a manifold sits in the unit cube without tangling: the circle is
the angle around the cube's vertical axis, one interval the distance from that axis, the other
the height. ``isomap_torus`` finds the three coordinates from the images alone (no labels): an
Isomap embedding (Tenenbaum, de Silva & Langford 2000) of the training images into four
dimensions, in which the circle shows up as the pair of coordinates whose joint projection has an
empty centre (an annulus), and the two remaining coordinates are the intervals. The encoder is
then fitted to this code before the population coder trains; see ``experiments.dipole``.
"""

from __future__ import annotations

import itertools

import numpy as np
from sklearn.manifold import Isomap

INNER_RADIUS, OUTER_RADIUS = 0.15, 0.45
HEIGHT = (0.05, 0.95)
ISOMAP_NEIGHBOURS = 10


def solid_torus(angle: np.ndarray, radial: np.ndarray, height: np.ndarray) -> np.ndarray:
    """Points (n, 3) in the unit cube: ``angle`` around the axis (0.5, 0.5, .), ``radial`` in [0, 1]
    mapped to a radius from INNER_RADIUS to OUTER_RADIUS, ``height`` in [0, 1] mapped into HEIGHT."""
    radius = INNER_RADIUS + (OUTER_RADIUS - INNER_RADIUS) * radial
    lo, hi = HEIGHT
    return np.stack([0.5 + radius * np.cos(angle), 0.5 + radius * np.sin(angle), lo + (hi - lo) * height], -1)


def hollowness(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of points closer to the centre of the (a, b) cloud than half the median distance:
    0 for an annulus (the image of a circle), 1/8 for a uniformly filled disc or square."""
    r = np.hypot(a - a.mean(), b - b.mean())
    return float(np.mean(r < 0.5 * np.median(r)))


def circle_pair(embedding: np.ndarray) -> tuple[int, int]:
    """The two columns of ``embedding`` (standardised) whose joint projection is the most hollow."""
    z = (embedding - embedding.mean(0)) / embedding.std(0)
    pairs = itertools.combinations(range(z.shape[1]), 2)
    return min(pairs, key=lambda p: hollowness(z[:, p[0]], z[:, p[1]]))


def ranks(v: np.ndarray) -> np.ndarray:
    """Values replaced by their ranks, scaled into (0, 1): a monotone, outlier-proof normalisation."""
    return (np.argsort(np.argsort(v)) + 0.5) / len(v)


def isomap_torus(images: np.ndarray, n_neighbors: int = ISOMAP_NEIGHBOURS) -> np.ndarray:
    """A solid-torus code (n, 3) of ``images`` (n, D) from their 4-D Isomap embedding, float32.

    The most hollow pair of coordinates gives the angle; the other two, rank-normalised, the
    radius and the height (in the order Isomap returns them). The eigenvectors come from the dense
    solver: ARPACK, sklearn's choice here, starts from a random vector and moves them by about 1e-4
    from one call to the next, which training can amplify.
    """
    embedding = Isomap(n_components=4, n_neighbors=n_neighbors, eigen_solver="dense").fit_transform(images)
    i, j = circle_pair(embedding)
    radial, height = (embedding[:, k] for k in range(4) if k not in (i, j))
    z = (embedding - embedding.mean(0)) / embedding.std(0)
    angle = np.arctan2(z[:, j], z[:, i])
    return solid_torus(angle, ranks(radial), ranks(height)).astype(np.float32)
