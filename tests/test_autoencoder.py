"""The dense autoencoder baseline: shapes, the shared encoder, and a decoder-only fit."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from rflab.models import autoencoder as ae
from rflab.models import population as pop


def test_shapes_and_the_encoder_is_the_rbf_coders() -> None:
    params = ae.init(jax.random.PRNGKey(0), n_dec_hidden=32)
    x = jax.random.normal(jax.random.PRNGKey(1), (5, 64))
    out = ae.apply(params, x)
    assert out.code.shape == (5, 3) and out.bumps.shape == (5, 32) and out.recon.shape == (5, 64)
    np.testing.assert_allclose(out.code, pop.encode(params, x))
    np.testing.assert_allclose(ae.decode(params, out.code), out.recon, atol=1e-6)


def test_fixed_code_sends_no_gradient_to_the_encoder_and_the_same_loss() -> None:
    params = ae.init(jax.random.PRNGKey(0))
    x = jax.random.normal(jax.random.PRNGKey(1), (5, 64))
    free = jax.grad(lambda p: jnp.mean(ae.loss(p, x)))(params)
    fixed = jax.grad(lambda p: jnp.mean(ae.loss(p, x, fixed_code=True)))(params)
    assert float(jnp.abs(fixed["enc1"]["w"]).max()) == 0.0 and float(jnp.abs(free["enc1"]["w"]).max()) > 0.0
    np.testing.assert_allclose(fixed["dec3"]["w"], free["dec3"]["w"], rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(ae.loss(params, x, fixed_code=True), ae.loss(params, x))
