"""Experiments (a validated config, a run function and its figures) and paper figures, by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rflab.config import ConfigError
from rflab.experiments import fig1, fig2, fig3, fig4, fig5, population_studies, theory_figures
from rflab.experiments.bars import BARS_WHAT_WHERE
from rflab.experiments.base import Experiment
from rflab.experiments.dipole import DIPOLE_2D, DIPOLE_3D
from rflab.experiments.receptive_fields import RF_COMMITTEE, RF_ICA, RF_NEURON
from rflab.store import staged

EXPERIMENTS: dict[str, Experiment] = {
    e.name: e for e in (DIPOLE_3D, DIPOLE_2D, BARS_WHAT_WHERE, RF_NEURON, RF_COMMITTEE, RF_ICA)
}


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
        Figure("fig1", "Lufkin et al. Fig. 1: 2-D fields of a committee machine on a 30x30 NLGP torus and of ICA",
               fig1.make),
        Figure("fig3", "Lufkin et al. Fig. 3: one ReLU neuron on Ising, Gaussian, Kur(5): RF evolution, marginals, IPR",
               fig3.make),
        Figure("fig4", "Lufkin et al. Fig. 4: one ReLU neuron on elliptical data: oscillatory fields, fitted sinusoids",
               fig4.make),
        Figure("fig5", "Lufkin et al. Fig. 5: committee machines on Kur(10), Kur(30), Kur(4); ICA on Kur(3)",
               fig5.make),
        Figure("fig3-theory", "Effective ODE against SGD from the same start: Ising, NLGP g = 100, Kur(5)",
               theory_figures.fig3_theory),
        Figure("claim32", "Claim 3.2: final IPR against excess kurtosis (NLGP and Kur sweeps), SGD and ODE",
               theory_figures.claim32),
        Figure("prop33", "Prop. 3.3: elliptical data, the frequency the theory keeps against SGD's",
               theory_figures.prop33),
        Figure("mdl-dimension", "Open question 1: effective dimensionality of the MDL code against K",
               population_studies.make_dimension),
        Figure("code-topology", "Open question 2: persistent homology of the 3-D dipole codes, whole and per fibre",
               population_studies.make_topology),
        Figure("code-cost", "Open question 3: data movement per reconstruction against accuracy and robustness",
               population_studies.make_cost),
        Figure("phase-diagram", "ODE localization phase diagram over (excess kurtosis, xi_1/xi_0), SGD spot checks",
               theory_figures.phase_diagram),
    )
}


def get_experiment(name: str) -> Experiment:
    """The experiment called ``name``, or a one-line ConfigError listing the allowed names."""
    if name not in EXPERIMENTS:
        raise ConfigError(f"unknown experiment {name!r}; allowed: {', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[name]


def make_figure(name: str, out_dir: Path, scale: str) -> list[Path]:
    """Make figure ``name`` into ``out_dir``: its files are written aside and moved in only when all of
    them are done, so an error or Ctrl-C leaves no partial figure (the runs it stored are kept)."""
    with staged(out_dir) as tmp:
        files = get_figure(name).make(tmp, scale)
    return [out_dir / Path(f).relative_to(tmp) for f in files]


def get_figure(name: str) -> Figure:
    """The figure called ``name``, or a one-line ConfigError listing the allowed names."""
    if name not in FIGURES:
        raise ConfigError(f"unknown figure {name!r}; allowed: {', '.join(FIGURES) or 'none yet'}")
    return FIGURES[name]
