"""Experiments (a validated config, a run function and its figures) and paper figures, by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rflab.config import ConfigError
from rflab.experiments import fig2
from rflab.experiments.base import Experiment
from rflab.experiments.dipole import DIPOLE_3D
from rflab.experiments.receptive_fields import RF_COMMITTEE, RF_ICA, RF_NEURON

EXPERIMENTS: dict[str, Experiment] = {e.name: e for e in (DIPOLE_3D, RF_NEURON, RF_COMMITTEE, RF_ICA)}


@dataclass(frozen=True)
class Figure:
    """A paper figure: ``make(out_dir, scale) -> files written``; scale is quick or paper."""

    name: str
    summary: str
    make: Callable[[Path, str], list[Path]]


FIGURES: dict[str, Figure] = {
    f.name: f
    for f in (
        Figure("fig2", "Lufkin et al. Fig. 2: samples, covariance and marginal of Ising, Gaussian and Kur(5)",
               fig2.make),
    )
}


def get_experiment(name: str) -> Experiment:
    """The experiment called ``name``, or a one-line ConfigError listing the allowed names."""
    if name not in EXPERIMENTS:
        raise ConfigError(f"unknown experiment {name!r}; allowed: {', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[name]


def get_figure(name: str) -> Figure:
    """The figure called ``name``, or a one-line ConfigError listing the allowed names."""
    if name not in FIGURES:
        raise ConfigError(f"unknown figure {name!r}; allowed: {', '.join(FIGURES) or 'none yet'}")
    return FIGURES[name]
