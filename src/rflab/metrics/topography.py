"""How a population code separates input classes (the what/where problem): what its centre tells
about the class and position, and how its units divide the implicit space between the classes.

``what_where``: held-out k-nearest-neighbour decoding from the code (the MDL centre, or a map's
best-matching grid position): the class accuracy, and the position's R^2 within each class (a
regressor per class, fitted on that class's training images and scored on its held-out ones);
``accuracy_by_class``, the share of each class's held-out images decoded as that class.

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

Both count any other class as "other", so they hold for k classes (``names``; two by default, the
what/where problem's, whose numbers are unchanged): with k, the gap ratio is that of the closest
pair of classes, and ``pair_gaps`` gives it for every pair (the same median spacing over all classes).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
from scipy.spatial.distance import cdist
from sklearn.metrics import r2_score
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

CLASS_NAMES = ("horizontal", "vertical")


def what_where(code_train: np.ndarray, lat_train: np.ndarray, code_test: np.ndarray, lat_test: np.ndarray,
               k: int = 10, names: Sequence[str] = CLASS_NAMES) -> dict:
    """Held-out kNN class accuracy from the code, and kNN position R^2 within each class (and their mean)."""
    c_train, c_test = lat_train[:, 0].astype(int), lat_test[:, 0].astype(int)
    accuracy = KNeighborsClassifier(n_neighbors=k).fit(code_train, c_train).score(code_test, c_test)
    r2 = {}
    for c, name in enumerate(names):
        fitted = KNeighborsRegressor(n_neighbors=k).fit(code_train[c_train == c], lat_train[c_train == c, 1])
        r2[name] = float(r2_score(lat_test[c_test == c, 1], fitted.predict(code_test[c_test == c])))
    return {"class_accuracy": float(accuracy), "position_r2": r2 | {"mean": float(np.mean(list(r2.values())))}}


def accuracy_by_class(code_train: np.ndarray, lat_train: np.ndarray, code_test: np.ndarray, lat_test: np.ndarray,
                      k: int = 10, names: Sequence[str] = CLASS_NAMES) -> dict[str, float]:
    """Per class, the share of its held-out images the kNN classifier from the code decodes as that class."""
    c_train, c_test = lat_train[:, 0].astype(int), lat_test[:, 0].astype(int)
    decoded = KNeighborsClassifier(n_neighbors=k).fit(code_train, c_train).predict(code_test)
    return {name: float(np.mean(decoded[c_test == c] == c)) for c, name in enumerate(names)}


def unit_preferences(responses: np.ndarray, classes: np.ndarray, active_share: float = 0.1,
                     n_classes: int = 2) -> dict[str, np.ndarray]:
    """Per unit: mean response to each class (n_classes, H), preferred class (H,), and whether it is active (H,)."""
    labels = np.asarray(classes).astype(int)
    by_class = np.stack([responses[labels == c].mean(axis=0) for c in range(n_classes)])
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


def pair_gap_ratios(positions: np.ndarray, labels: np.ndarray, names: Sequence[str]) -> dict[str, float]:
    """For every pair of classes ("a/b"), the closest distance between their units over the median nearest
    same-label distance (over all classes): the gap ratio of the layout is the smallest of them."""
    d = _distances(positions)
    same = labels[None, :] == labels[:, None]
    spacing = np.median(np.min(np.where(same, d, np.inf), axis=1))
    return {f"{names[a]}/{names[b]}": float(np.min(d[np.ix_(labels == a, labels == b)]) / spacing)
            for a, b in combinations(range(len(names)), 2)}


def _measurable(prefs: dict[str, np.ndarray], n_classes: int) -> tuple[np.ndarray, list[int], bool]:
    """The active units' labels, how many prefer each class, and whether every class has two or more."""
    labels = prefs["preference"][prefs["active"]]
    counts = [int(np.sum(labels == c)) for c in range(n_classes)]
    return labels, counts, min(counts) >= 2


def discontinuity(positions: np.ndarray, prefs: dict[str, np.ndarray],
                  names: Sequence[str] = CLASS_NAMES) -> dict[str, float]:
    """Both measures over the active units, with their count and how many prefer each class (``units_NAME``).

    NaN when a class has fewer than two active units (no spacing inside it, or no other class).
    """
    active = prefs["active"]
    pos = positions[active]
    labels, counts, measurable = _measurable(prefs, len(names))
    return {
        "cross_neighbour_fraction": cross_neighbour_fraction(pos, labels) if measurable else float("nan"),
        "gap_ratio": gap_ratio(pos, labels) if measurable else float("nan"),
        "active_units": int(active.sum()),
        **{f"units_{name}": count for name, count in zip(names, counts, strict=True)},
    }


def pair_gaps(positions: np.ndarray, prefs: dict[str, np.ndarray], names: Sequence[str]) -> dict[str, float]:
    """``pair_gap_ratios`` over the active units; every pair NaN when a class has fewer than two."""
    labels, _, measurable = _measurable(prefs, len(names))
    if not measurable:
        return {f"{names[a]}/{names[b]}": float("nan") for a, b in combinations(range(len(names)), 2)}
    return pair_gap_ratios(positions[prefs["active"]], labels, names)
