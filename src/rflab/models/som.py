"""A Kohonen self-organising map (MiniSom) as the fixed-topography baseline of the what/where problem.

The map is a side x side grid of units with fixed positions (i, j) / (side - 1) in the unit square
and learned weight vectors in image space. Training is MiniSom's online rule, one image at a time
in random order: the best-matching unit (nearest weight vector) and its grid neighbours move
towards the image, weighted by a Gaussian of the grid distance whose radius shrinks linearly from
``sigma`` to 1 while the learning rate falls linearly from ``lr`` towards 0 (both per epoch).
The weights start at training images drawn at random. A map's reconstruction of an image is its
best-matching unit's weight vector. Its graded response is how strongly the image drives each unit
in the learning rule at the end of training: the Gaussian neighbourhood of the best-matching unit
at the last epoch's radius, normalised over the units (its winner-take-all response is one-hot on
the best-matching unit, the largest of them).
"""

from __future__ import annotations

import numpy as np
from minisom import MiniSom


def grid(side: int) -> np.ndarray:
    """The units' fixed positions (side * side, 2) in [0, 1]^2, unit i * side + j at (i, j) / (side - 1)."""
    i, j = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    return (np.stack([i.ravel(), j.ravel()], axis=1) / (side - 1)).astype(np.float32)


def make(images: np.ndarray, side: int, sigma: float, lr: float, seed: int) -> MiniSom:
    """A map with weights at randomly drawn training images (MiniSom's ``random_weights_init``)."""
    som = MiniSom(side, side, images.shape[1], sigma=sigma, learning_rate=lr, decay_function="linear_decay_to_zero",
                  neighborhood_function="gaussian", random_seed=seed, sigma_decay_function="linear_decay_to_one")
    som.random_weights_init(images)
    return som


def weights(som: MiniSom) -> np.ndarray:
    """The weight vectors (side * side, D), float32, in the order of ``grid``."""
    w = som.get_weights()
    return w.reshape(-1, w.shape[-1]).astype(np.float32)


def fit(images: np.ndarray, side: int, sigma: float, lr: float, epochs: int, seed: int
        ) -> tuple[np.ndarray, np.ndarray]:
    """Train a map on the images for ``epochs`` passes in random order; its starting and trained
    weights, each (side * side, D)."""
    som = make(images, side, sigma, lr, seed)
    initial = weights(som)
    som.train(images, epochs, random_order=True, use_epochs=True)
    return initial, weights(som)


def best_matching(w: np.ndarray, images: np.ndarray) -> np.ndarray:
    """Index of each image's best-matching unit (nearest weight vector), shape (n,)."""
    d = np.sum(images**2, axis=1, keepdims=True) - 2.0 * images @ w.T + np.sum(w**2, axis=1)
    return np.argmin(d, axis=1)


def final_radius(sigma: float, epochs: int) -> float:
    """The neighbourhood radius of the last epoch (MiniSom's linear decay from sigma towards 1)."""
    return sigma + (epochs - 1) * (1.0 - sigma) / epochs


def responses(w: np.ndarray, images: np.ndarray, radius: float) -> np.ndarray:
    """Graded responses (n, units): the neighbourhood of radius ``radius`` grid steps around each
    image's best-matching unit, normalised to sum to 1 over the units."""
    side = round(np.sqrt(len(w)))
    steps = grid(side) * (side - 1)
    d2 = np.sum((steps[best_matching(w, images)][:, None, :] - steps[None, :, :]) ** 2, axis=-1)
    h = np.exp(-d2 / (2.0 * radius**2))
    return (h / h.sum(axis=1, keepdims=True)).astype(np.float32)


def quantisation_mse(w: np.ndarray, images: np.ndarray) -> float:
    """Mean squared error per pixel of replacing each image by its best-matching unit's weights."""
    return float(np.mean((w[best_matching(w, images)] - images) ** 2))
