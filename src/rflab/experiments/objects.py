"""``objects-what-where``: separate population codes for different objects in one network. Does the
MDL population code give each of three objects its own region of its implicit space, where a Kohonen
map on a fixed grid cannot (the multi-object case of Zemel & Hinton's what/where problem)?

The images are those of ``bars-what-where`` with a third object, a diagonal bar at a continuous
position (``data.bars``, ``classes=3``), the three exactly balanced. The coders, their training and
every measurement are ``bars-what-where``'s (``experiments.bars``), for three classes: the held-out
class accuracy and each object's share decoded right, the position's R^2 within each object, the
units' preferred objects and how far apart the objects' regions lie in the implicit space (the
layout's gap ratio, that of its closest pair of objects, and each pair's). The what/where problem's
mixed units (a blend of a horizontal and a vertical bar) have no three-object counterpart here: a
diagonal bar's rows and columns vary alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from pydantic import Field

from rflab.data import bars
from rflab.experiments import bars as what_where
from rflab.experiments.base import Experiment, SeedResult
from rflab.experiments.population_code import MDLBits
from rflab.metrics import topography
from rflab.resources import DOUBLE, Footprint
from rflab.schema import Schema
from rflab.train import ProgressFn


class ObjectTopography(Schema):
    """How a coder lays out its units by preferred object (``metrics.topography.discontinuity``)."""

    cross_neighbour_fraction: float
    gap_ratio: float
    active_units: int
    units_horizontal: int
    units_vertical: int
    units_diagonal: int


class ObjectScores(Schema):
    """One coder on held-out images of the three objects: reconstruction, the object and its position
    decoded from the code, and the layout of its units from graded and from winner-take-all responses,
    with each pair of objects' gap ratio (keyed "a/b")."""

    test_mse: float
    naive_mse: float
    variance_explained: float
    class_accuracy: float
    accuracy_by_object: dict[str, float]
    position_r2: dict[str, float]
    topography: ObjectTopography
    topography_winner: ObjectTopography
    pair_gaps: dict[str, float]
    pair_gaps_winner: dict[str, float]


class ObjectsMDL(ObjectScores):
    """The MDL code's scores and its description length."""

    mdl_bits: MDLBits


class ObjectsMap(ObjectScores):
    """The Kohonen map's scores and the held-out error of its starting weights."""

    initial_mse: float


class ObjectsMetrics(Schema):
    """Both coders of a three-object run."""

    mdl: ObjectsMDL
    som: ObjectsMap


class ObjectsConfig(what_where.BarsConfig):
    """Settings of a three-object run: ``bars-what-where``'s, with as many images per object."""

    n_train: int = Field(3000, gt=0, description="training images (1000 per object, as bars-what-where's per class)")
    n_test: int = Field(750, gt=1, description="held-out images (250 per object)")

    def objects(self) -> tuple[str, ...]:
        """The three objects: horizontal, vertical and diagonal bars."""
        return bars.CLASSES


def object_scores(cfg: what_where.BarsConfig, d: dict[str, np.ndarray], unit_positions: np.ndarray,
                  codes: tuple[np.ndarray, np.ndarray], prefs: dict[str, np.ndarray], unit_images: np.ndarray) -> dict:
    """The three-object extras: each object's held-out share decoded right and every pair's gap ratio,
    from graded and from winner-take-all responses."""
    names = cfg.objects()
    winner = {"preference": prefs["winner_preference"], "active": prefs["winner_active"]}
    return {"accuracy_by_object": topography.accuracy_by_class(codes[0], d["lat_train"], codes[1], d["lat_test"],
                                                               cfg.knn_k, names),
            "pair_gaps": topography.pair_gaps(unit_positions, prefs, names),
            "pair_gaps_winner": topography.pair_gaps(unit_positions, winner, names)}


def run(cfg: ObjectsConfig, seeds: Sequence[int], progress: ProgressFn | None = None) -> list[SeedResult]:
    """``bars-what-where``'s run on the three objects, with their extra measures (``object_scores``)."""
    return what_where.run(cfg, seeds, progress, object_scores)


def footprint(cfg: ObjectsConfig) -> Footprint:
    """``bars-what-where``'s footprint and the second kNN classifier's distances (held-out by training images)."""
    base = what_where.footprint(cfg)
    return replace(base, once=base.once + DOUBLE * cfg.n_test * cfg.n_train)


OBJECTS_WHAT_WHERE = Experiment(
    name="objects-what-where",
    summary="three objects (horizontal, vertical, diagonal bars): MDL population code against a Kohonen map, "
            "100 units each",
    config=ObjectsConfig,
    run=run,
    presets={"default": {}},
    footprint=footprint,
    metrics=ObjectsMetrics,
    dims=what_where.BARS_WHAT_WHERE.dims,
)
