"""The MDL population code: standard bump, exact bump encoder, costs and their constants, noise."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from rflab import train
from rflab.config import ConfigError, build
from rflab.experiments import dipole, population_code
from rflab.models import population as pop


def _params(units: int = 64, dim: int = 2) -> pop.Params:
    return pop.mdl_init(jax.random.PRNGKey(0), n_units=units, dim=dim)


def test_standard_bump_is_normalised_and_peaks_at_the_nearest_unit() -> None:
    mu = jnp.asarray(pop.grid_positions(64, 2))
    centre = jnp.array([[0.31, 0.72], [0.9, 0.1]])
    bump = pop.standard_bump(mu, centre, 0.1)
    np.testing.assert_allclose(bump.sum(-1), 1.0, rtol=1e-6)
    nearest = jnp.argmin(jnp.sum((mu[None] - centre[:, None]) ** 2, -1), axis=1)
    np.testing.assert_array_equal(jnp.argmax(bump, -1), nearest)
    direct = jnp.exp(-jnp.sum((mu[None] - centre[:, None]) ** 2, -1) / (2 * 0.1**2))
    np.testing.assert_allclose(bump, direct / direct.sum(-1, keepdims=True), rtol=1e-4, atol=1e-7)


def test_positions_start_on_the_grid_inside_the_cube() -> None:
    mu = pop.positions(_params())
    assert float(mu.min()) > 0 and float(mu.max()) < 1
    np.testing.assert_allclose(mu, pop.grid_positions(64, 2), atol=0.05)


def test_bump_encoder_makes_the_activities_exactly_the_standard_bump() -> None:
    """With the analytic second layer, a = softmax(-|mu - m|^2 / 2 sigma^2) at m = h W + b."""
    params = _params()
    w = 0.3 * jax.random.normal(jax.random.PRNGKey(1), (64, 2))
    b = jnp.array([0.5, 0.5])
    fitted = pop.bump_encoder(params, w, b, 0.15)
    x = jax.random.normal(jax.random.PRNGKey(2), (20, 64))
    m = jnp.tanh(x @ params["enc1"]["w"] + params["enc1"]["b"]) @ w + b
    out = pop.mdl_apply(fitted, x, 0.15)
    np.testing.assert_allclose(out.activity, pop.standard_bump(pop.positions(params), m, 0.15), atol=1e-5)


def test_least_squares_decoder_is_the_projection_of_the_images_on_the_activities() -> None:
    params = _params()
    probe = jax.random.normal(jax.random.PRNGKey(3), (500, 64))
    a = pop.mdl_apply(params, probe, 0.15).activity
    fitted = pop.least_squares_decoder(params, probe, 0.15, ridge=1e-7)
    recon = a @ fitted["dec"]["w"] + fitted["dec"]["b"]
    design = np.column_stack([np.asarray(a, np.float64), np.ones(500)])
    best = np.linalg.lstsq(design, np.asarray(probe, np.float64), rcond=None)[0]
    assert float(jnp.mean((recon - design @ best) ** 2)) < 1e-3 * float(jnp.var(probe))


def test_costs_are_squared_errors_over_twice_the_variance_in_bits() -> None:
    params = _params()
    x = jax.random.normal(jax.random.PRNGKey(5), (7, 64))
    out = pop.mdl_apply(params, x, 0.15)
    recon, deviation = pop.mdl_costs(params, x, 0.15, 0.01, 1e-5)
    np.testing.assert_allclose(recon, jnp.sum((out.recon - x) ** 2, -1) / (0.02 * math.log(2)), rtol=1e-5)
    np.testing.assert_allclose(deviation, jnp.sum((out.activity - out.bump) ** 2, -1) / (2e-5 * math.log(2)),
                               rtol=1e-5)


def test_noise_on_the_activities_changes_only_the_reconstruction_cost_by_its_expected_amount() -> None:
    """E|r + e W|^2 = |r|^2 + V_a * trace(W W^T) for e ~ N(0, V_a I)."""
    params = _params()
    x = jax.random.normal(jax.random.PRNGKey(6), (20000, 64))
    clean, dev_clean = pop.mdl_costs(params, x, 0.15, 0.01, 1e-3)
    noisy, dev_noisy = pop.mdl_costs(params, x, 0.15, 0.01, 1e-3, jax.random.PRNGKey(7))
    np.testing.assert_array_equal(dev_clean, dev_noisy)
    expected = 1e-3 * float(jnp.sum(params["dec"]["w"] ** 2)) / (0.02 * math.log(2))
    extra = np.asarray(noisy - clean)
    assert abs(extra.mean() - expected) < 4 * extra.std() / math.sqrt(len(extra))  # 4 standard errors
    assert extra.std() / math.sqrt(len(extra)) < 0.15 * expected


def test_constants_follow_their_formulas() -> None:
    c = pop.mdl_constants(64, 225, 3, 0.01, 1e-5, 2 / 256, 2**-8, 2**-6)
    assert c["centre"] == pytest.approx(18.0)
    assert c["reconstruction"] == pytest.approx(64 * math.log2(math.sqrt(2 * math.pi * 0.01) * 128))
    assert c["deviation"] == pytest.approx(225 * math.log2(math.sqrt(2 * math.pi * 1e-5) * 256))


def test_keyed_stream_gives_a_fresh_key_per_step_whatever_the_chunking() -> None:
    stream = train.Keyed(train.Epochs(10, 4))
    data = jnp.arange(10.0)
    state = stream.init(jax.random.PRNGKey(0), data)
    batches = []
    for step in range(5):
        batch, _, state = stream.next(state, jnp.asarray(step), data)
        batches.append(batch)
    keys = [tuple(np.asarray(b["key"]).ravel()) for b in batches]
    assert len(set(keys)) == 5
    assert batches[0]["examples"].shape == (4,)
    again = stream.init(jax.random.PRNGKey(0), data)
    batch3, _, _ = stream.next(again, jnp.asarray(3), data)
    np.testing.assert_array_equal(batch3["key"], batches[3]["key"])


@pytest.mark.parametrize(("overrides", "message"), [
    ({"rng": "numpy", "model": "mdl"}, "model=mdl"),
    ({"dim": 2}, "encoder_init=isomap"),
    ({"theta_range": "fixed"}, "encoder_init=isomap"),
])
def test_impossible_combinations_are_one_line_errors(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build(dipole.DipoleConfig, overrides)


def test_mdl_start_is_a_bump_around_the_shrunk_isomap_torus() -> None:
    """After the label-free start the centre already tracks the torus code, and deviations are small."""
    cfg = build(dipole.DipoleConfig, dipole.MDL_PRESET, {"n_train": 600, "n_test": 100, "epochs": 1})
    data = dipole.make_data(cfg, [0])
    result = dipole.fit(cfg, [0], data, None)
    start = jax.tree.map(lambda a: a[0, 0], result.snapshots)
    out = pop.mdl_apply(start, data["x_train"][0], cfg.sigma)
    target = 0.5 + dipole.MDL_CODE_SHRINK * (dipole.starting_codes(cfg, data)[0] - 0.5)
    assert float(jnp.sqrt(jnp.mean((out.code - target) ** 2))) < 0.05
    deviation = jnp.mean(jnp.sum((out.activity - out.bump) ** 2, -1))
    assert float(deviation) < 0.01 * float(jnp.mean(jnp.sum(out.bump**2, -1)))


def test_stored_params_invert_the_flat_arrays() -> None:
    for params in (_params(), pop.init(jax.random.PRNGKey(1))):
        flat = population_code.flat_params(params)
        back = population_code.stored_params(flat | {"code_test": np.zeros(3)})
        assert jax.tree.structure(back) == jax.tree.structure(jax.tree.map(np.asarray, params))
        jax.tree.map(np.testing.assert_array_equal, back, jax.tree.map(np.asarray, params))
