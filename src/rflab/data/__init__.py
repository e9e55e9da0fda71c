"""Data models: pure, jittable samplers with their exact statistics where known.

- ``dipoles``: dipole images and their latents (Zemel & Hinton 1995); ``bars``: horizontal and
  vertical bars at a continuous position.
- ``fields``: translation-invariant fields on a ring (``dims=1``) or torus (``dims=2``), sampled
  by FFT: ``Gaussian``, ``NLGP``, ``Kur``, ``Elliptical`` and ``clone(model)``, the Gaussian with
  exactly a model's covariance. Each has ``sample(key, n) -> (x, y)``, ``sample_class``,
  ``kernel``/``covariance`` (exact), ``marginal``, ``variance`` and ``kurtosis``.
- ``ising``: the Ising ring with an exact O(N) sampler (no Markov chain).
- ``marginals``: the single-site laws (density, cdf, quantile, moments, ``expect``) in float64,
  and the Mehler series for covariances through a Gaussian copula.
- ``registry``: the models by name, ``create(name, overrides)`` with one-line ``ConfigError``s;
  ``register`` adds one's own (docs/tutorials/own-data-model.md).
- ``statistics``: a model's exact statistics against those of samples drawn from it.
"""

from rflab.data import bars, dipoles, fields, ising, marginals, registry, statistics
from rflab.data.fields import NLGP, DataModel, Elliptical, Gaussian, Kur, Lattice, clone
from rflab.data.ising import Ising
from rflab.data.registry import create, names, params, register

__all__ = ["NLGP", "DataModel", "Elliptical", "Gaussian", "Ising", "Kur", "Lattice", "bars", "clone", "create",
           "dipoles", "fields", "ising", "marginals", "names", "params", "register", "registry",
           "statistics"]
