"""Data models: pure, jittable samplers with their exact statistics where known.

- ``dipoles``: dipole images and their latents (Zemel & Hinton 1995).
- ``fields``: translation-invariant fields on a ring (``dims=1``) or torus (``dims=2``), sampled
  by FFT: ``Gaussian``, ``NLGP``, ``Kur``, ``Elliptical`` and ``clone(model)``, the Gaussian with
  exactly a model's covariance. Each has ``sample(key, n) -> (x, y)``, ``sample_class``,
  ``kernel``/``covariance`` (exact), ``marginal``, ``variance`` and ``kurtosis``.
- ``ising``: the Ising ring with an exact O(N) sampler (no Markov chain).
- ``marginals``: the single-site laws (density, cdf, quantile, moments, ``expect``) in float64,
  and the Mehler series for covariances through a Gaussian copula.
- ``models``: the registry, ``create(name, overrides)`` with one-line ``ConfigError``s.
"""
