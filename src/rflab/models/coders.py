"""The population coders by name (``rbf``, ``mdl``, ``dense``): what a config's ``model`` names, as
the training engine and the measurements need it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import jax

from rflab.models import autoencoder
from rflab.models import population as pop


class Coder(NamedTuple):
    """One coder: ``init(cfg, n_in)`` and ``loss(cfg)`` for the engine, and jitted ``apply(params, x,
    sigma)`` (an output with ``code`` and ``recon``) and ``decode(params, code, sigma)``."""

    init: Callable[[Any, int], Callable]
    loss: Callable[[Any], Callable]
    apply: Callable
    decode: Callable


def _population_init(make: Callable) -> Callable[[Any, int], Callable]:
    return lambda cfg, n_in: partial(make, n_in=n_in, n_enc_hidden=cfg.n_enc_hidden, n_units=cfg.n_units,
                                     dim=cfg.dim, mu_init=cfg.mu_init, mu_jitter=cfg.mu_jitter,
                                     init_gain=cfg.init_gain)


CODERS = {
    "rbf": Coder(_population_init(pop.init), lambda cfg: partial(pop.loss, sigma=cfg.sigma),
                 jax.jit(pop.apply, static_argnums=2), jax.jit(pop.decode, static_argnums=2)),
    "mdl": Coder(_population_init(pop.mdl_init),
                 lambda cfg: partial(pop.mdl_loss, sigma=cfg.sigma, recon_var=cfg.recon_var,
                                     deviation_var=cfg.deviation_var, weight_var=cfg.weight_var,
                                     n_train=cfg.n_train),
                 jax.jit(pop.mdl_apply, static_argnums=2), jax.jit(pop.mdl_decode, static_argnums=2)),
    "dense": Coder(lambda cfg, n_in: partial(autoencoder.init, n_in=n_in, n_enc_hidden=cfg.n_enc_hidden,
                                             n_dec_hidden=cfg.n_dec_hidden, dim=cfg.dim, init_gain=cfg.init_gain),
                   lambda cfg: autoencoder.loss, jax.jit(autoencoder.apply), jax.jit(autoencoder.decode)),
}
