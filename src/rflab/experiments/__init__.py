"""Experiments by name.

Adding an experiment: a module with its config, ``run`` and an ``Experiment``, and one line in
``EXPERIMENTS`` below (docs/extending.md).
"""

from __future__ import annotations

from rflab.config import ConfigError
from rflab.experiments.bars import BARS_WHAT_WHERE
from rflab.experiments.base import Experiment, SeedResult, parse_seeds, per_seed
from rflab.experiments.dipole import DIPOLE_2D, DIPOLE_3D
from rflab.experiments.ingrosso_goldt import IG_CONV, IG_TWO_LAYER
from rflab.experiments.objects import OBJECTS_WHAT_WHERE
from rflab.experiments.receptive_fields import RF_COMMITTEE, RF_ICA, RF_NEURON

EXPERIMENTS: dict[str, Experiment] = {
    e.name: e for e in (DIPOLE_3D, DIPOLE_2D, BARS_WHAT_WHERE, OBJECTS_WHAT_WHERE, RF_NEURON, RF_COMMITTEE, RF_ICA,
                                      IG_TWO_LAYER, IG_CONV)
}

__all__ = ["EXPERIMENTS", "Experiment", "SeedResult", "get_experiment", "parse_seeds", "per_seed"]


def get_experiment(name: str) -> Experiment:
    """The experiment called ``name``, or a one-line ConfigError listing the allowed names."""
    if name not in EXPERIMENTS:
        raise ConfigError(f"unknown experiment {name!r}; allowed: {', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[name]
