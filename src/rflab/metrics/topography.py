"""How a population code separates input classes (the what/where problem): what its centre tells
about the class and position, and how its units divide the implicit space between the classes.

``what_where``: held-out k-nearest-neighbour decoding from the code (the MDL centre, or a map's
best-matching grid position): the class accuracy, and the position's R^2 within each class (a
regressor per class, fitted on that class's training images and scored on its held-out ones).

A unit's *response* to an image is its share of the population's activity (rows sum to 1: the MDL
code's softmax activities, a Kohonen map's normalised neighbourhood of the best-matching unit, or
either one's winner-take-all response, one-hot on its most responsive unit). A unit is *active* when
its mean held-out response is at least ``active_share / H`` (a tenth of its fair share by default);
its *class preference* is the class whose images drive it more on average.

What a unit stands for is an image (a map's weight vector; the MDL code's decoding of a bump at
the unit's position): ``class_mixture`` says how far that image blends a horizontal and a vertical bar.

Two measures of a discontinuous topography, over the active units only (an inactive unit codes
nothing and its position is arbitrary):
- ``cross_neighbour_fraction``: the fraction of units whose nearest other unit prefers the other
  class (units at exactly the same nearest distance share the vote). About 1/2 for interleaved
  classes, the boundary's share of units for two touching regions, 0 for two separate clouds.
- ``gap_ratio``: the distance between the two classes' unit clouds at their closest (the nearest
  pair of units preferring different classes) over the typical spacing inside a class (the median
  distance from a unit to its nearest unit of the same class). At most about 1 for a continuous
  map, where the classes' regions touch; well above 1 when an empty gap separates them.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist
from sklearn.metrics import r2_score
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

CLASS_NAMES = ("horizontal", "vertical")


def what_where(code_train: np.ndarray, lat_train: np.ndarray, code_test: np.ndarray, lat_test: np.ndarray,
               k: int = 10) -> dict:
    """Held-out kNN class accuracy from the code, and kNN position R^2 within each class (and their mean)."""
    c_train, c_test = lat_train[:, 0].astype(int), lat_test[:, 0].astype(int)
    accuracy = KNeighborsClassifier(n_neighbors=k).fit(code_train, c_train).score(code_test, c_test)
    r2 = {}
    for c, name in enumerate(CLASS_NAMES):
        fitted = KNeighborsRegressor(n_neighbors=k).fit(code_train[c_train == c], lat_train[c_train == c, 1])
        r2[name] = float(r2_score(lat_test[c_test == c, 1], fitted.predict(code_test[c_test == c])))
    return {"class_accuracy": float(accuracy), "position_r2": r2 | {"mean": float(np.mean(list(r2.values())))}}


def unit_preferences(responses: np.ndarray, classes: np.ndarray, active_share: float = 0.1) -> dict[str, np.ndarray]:
    """Per unit: mean response to each class (2, H), preferred class (H,), and whether it is active (H,)."""
    labels = np.asarray(classes).astype(int)
    by_class = np.stack([responses[labels == c].mean(axis=0) for c in (0, 1)])
    active = responses.mean(axis=0) >= active_share / responses.shape[1]
    return {"class_means": by_class, "preference": np.argmax(by_class, axis=0), "active": active}


def winner_take_all(responses: np.ndarray) -> np.ndarray:
    """One-hot responses on each image's most responsive unit."""
    return np.eye(responses.shape[1], dtype=np.float32)[np.argmax(responses, axis=1)]


def class_mixture(images: np.ndarray) -> np.ndarray:
    """How much each 8x8 image mixes the two classes, in [0, 1/2]: min(h, v) / (h + v), where h is the
    variance of its row means (a horizontal bar's structure) and v that of its column means (a vertical
    bar's). 0 for a pure bar of either class (and for a flat image), 1/2 for an equal blend such as a cross."""
    side = round(np.sqrt(images.shape[-1]))
    square = images.reshape(-1, side, side)
    h, v = square.mean(axis=2).var(axis=1), square.mean(axis=1).var(axis=1)
    return np.minimum(h, v) / np.maximum(h + v, 1e-12)


def _distances(positions: np.ndarray) -> np.ndarray:
    d = cdist(positions, positions)
    np.fill_diagonal(d, np.inf)
    return d


def cross_neighbour_fraction(positions: np.ndarray, labels: np.ndarray, rtol: float = 1e-6) -> float:
    """Fraction of units whose nearest other unit has the other label; ties within ``rtol`` share the vote."""
    d = _distances(positions)
    nearest = d <= d.min(axis=1, keepdims=True) * (1 + rtol)
    other = labels[None, :] != labels[:, None]
    return float(np.mean(np.sum(nearest & other, axis=1) / np.sum(nearest, axis=1)))


def gap_ratio(positions: np.ndarray, labels: np.ndarray) -> float:
    """Closest distance between units of different labels over the median nearest same-label distance."""
    d = _distances(positions)
    same = labels[None, :] == labels[:, None]
    gap = np.min(np.where(same, np.inf, d))
    spacing = np.median(np.min(np.where(same, d, np.inf), axis=1))
    return float(gap / spacing)


def discontinuity(positions: np.ndarray, prefs: dict[str, np.ndarray]) -> dict[str, float]:
    """Both measures over the active units, with their count and how many prefer each class.

    NaN when one class has fewer than two active units (no spacing inside it, or no other class).
    """
    active = prefs["active"]
    pos, labels = positions[active], prefs["preference"][active]
    counts = [int(np.sum(labels == c)) for c in (0, 1)]
    measurable = min(counts) >= 2
    return {
        "cross_neighbour_fraction": cross_neighbour_fraction(pos, labels) if measurable else float("nan"),
        "gap_ratio": gap_ratio(pos, labels) if measurable else float("nan"),
        "active_units": int(active.sum()),
        "units_horizontal": counts[0],
        "units_vertical": counts[1],
    }
