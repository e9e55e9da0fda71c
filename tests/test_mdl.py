"""The MDL population code: standard bump, exact bump encoder, costs and their constants, noise."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

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


def constant_decoder(params: pop.Params, bias: jax.Array) -> pop.Params:
    """The same parameters with the decoder reading nothing: every reconstruction is ``bias``."""
    return params | {"dec": {"w": jnp.zeros_like(params["dec"]["w"]), "b": jnp.asarray(bias, jnp.float32)}}


def cell_bits(residual: np.ndarray, var: float, resolution: float) -> np.ndarray:
    """-log2 of the N(0, var) mass of each value's resolution cell [r - delta/2, r + delta/2], summed over the
    last axis: the exact code length of values sent at that resolution (float64, no density approximation)."""
    s = math.sqrt(var)
    r = np.abs(np.asarray(residual, np.float64))  # symmetric law: the upper tail keeps precision far out
    mass = stats.norm.sf((r - resolution / 2) / s) - stats.norm.sf((r + resolution / 2) / s)
    return -np.log2(mass).sum(axis=-1)


def residual_images(n: int, scale: float, seed: int = 8) -> tuple[jax.Array, np.ndarray]:
    """Images x = c + r with a fixed c and residuals r ~ N(0, scale^2) per pixel (float64 r kept exactly)."""
    c = np.linspace(-0.5, 0.5, 64)
    x = (c + scale * np.random.default_rng(seed).standard_normal((n, 64))).astype(np.float32)
    return jnp.asarray(x), x.astype(np.float64) - c.astype(np.float32)


def test_reconstruction_bits_are_the_mass_of_the_pixel_resolution_cells() -> None:
    """mdl_costs + the reconstruction constant = -log2 of the cells' probability mass under N(0, V_r), to the
    density approximation's error, which shrinks with the cell; a wrong constant or variance misses by bits."""
    var, resolution = 0.01, 2 / 256
    x, r = residual_images(50, 1.5 * math.sqrt(var))
    params = constant_decoder(_params(), jnp.linspace(-0.5, 0.5, 64))
    recon, _ = pop.mdl_costs(params, x, 0.15, var, 1e-5)
    errors = []
    for cell in (resolution, resolution / 4):
        constant = pop.mdl_constants(64, 64, 2, var, 1e-5, cell, 2**-8, 2**-6)["reconstruction"]
        errors.append(np.abs(np.asarray(recon, np.float64) + constant - cell_bits(r, var, cell)))
    # per image: 64 pixels, each off by about delta^2 (r^2 / V - 1) / (24 V ln 2), a few 1e-3 bits
    assert errors[0].max() < 0.1 and errors[1].max() < errors[0].max() / 8
    exact = cell_bits(r, var, resolution)
    assert exact.min() > 100  # the quadratic and the constant part both matter: neither is near zero
    wrong_variance, _ = pop.mdl_costs(params, x, 0.15, 2 * var, 1e-5)
    constant = pop.mdl_constants(64, 64, 2, var, 1e-5, resolution, 2**-8, 2**-6)["reconstruction"]
    assert np.abs(np.asarray(wrong_variance) + constant - exact).min() > 10


def test_deviation_bits_are_the_mass_of_the_activity_resolution_cells() -> None:
    """The deviation cost + its constant = -log2 of the cells' mass under N(0, V_a) for fine cells."""
    var, resolution = 1e-4, 2**-12
    params = _params()
    x = jax.random.normal(jax.random.PRNGKey(9), (20, 64))
    out = pop.mdl_apply(params, x, 0.15)
    deviation = np.asarray(out.activity, np.float64) - np.asarray(out.bump, np.float64)
    _, bits = pop.mdl_costs(params, x, 0.15, 0.01, var)
    constant = pop.mdl_constants(64, 64, 2, 0.01, var, 2 / 256, resolution, 2**-6)["deviation"]
    exact = cell_bits(deviation, var, resolution)
    assert np.asarray(bits).min() > 100  # a random encoder's activities are far from the bump
    np.testing.assert_allclose(np.asarray(bits, np.float64) + constant, exact, rtol=1e-4, atol=0.05)


def test_a_known_residual_costs_its_bits_and_costs_add_over_pixels_and_images() -> None:
    """|r|^2 = 2 V ln(2) b costs b bits; disjoint residuals add; each image's cost is its own."""
    var = 0.01
    c = jnp.linspace(-0.5, 0.5, 64)
    params = constant_decoder(_params(), c)
    one = np.zeros(64)
    one[3] = math.sqrt(2 * var * math.log(2) * 5)  # 5 bits in one pixel
    spread = np.zeros(64)
    spread[10:14] = math.sqrt(2 * var * math.log(2) * 3 / 4)  # 3 bits over four pixels
    x = jnp.asarray(np.stack([one, spread, one + spread, np.zeros(64)]), jnp.float32) + c
    recon, _ = pop.mdl_costs(params, x, 0.15, var, 1e-5)
    np.testing.assert_allclose(recon, [5.0, 3.0, 8.0, 0.0], rtol=1e-4, atol=1e-4)
    for i in range(4):
        alone, _ = pop.mdl_costs(params, x[i:i + 1], 0.15, var, 1e-5)
        np.testing.assert_allclose(alone, recon[i:i + 1], rtol=1e-6)
    doubled, _ = pop.mdl_costs(params, x, 0.15, 2 * var, 1e-5)
    np.testing.assert_allclose(doubled, np.asarray(recon) / 2, rtol=1e-5, atol=1e-6)


def test_doubling_a_variance_or_halving_a_resolution_moves_the_constants_by_the_expected_bits() -> None:
    """Doubling V adds half a bit per value sent; halving a resolution adds one bit per value; the cube's
    centre at resolution 2^-6 in 3-D is 18 bits."""
    base = {"n_pixels": 64, "n_units": 225, "dim": 3, "recon_var": 0.01, "deviation_var": 1e-5,
            "pixel_resolution": 2 / 256, "activity_resolution": 2**-8, "centre_resolution": 2**-6}
    c = pop.mdl_constants(**base)
    assert c["centre"] == pytest.approx(18.0)

    def moved(change: dict, term: str) -> float:
        return pop.mdl_constants(**(base | change))[term] - c[term]

    assert moved({"recon_var": 0.02}, "reconstruction") == pytest.approx(64 / 2)
    assert moved({"deviation_var": 2e-5}, "deviation") == pytest.approx(225 / 2)
    assert moved({"pixel_resolution": 1 / 256}, "reconstruction") == pytest.approx(64)
    assert moved({"activity_resolution": 2**-9}, "deviation") == pytest.approx(225)
    assert moved({"centre_resolution": 2**-7}, "centre") == pytest.approx(3)
    assert moved({"recon_var": 0.02}, "deviation") == 0 and moved({"deviation_var": 2e-5}, "reconstruction") == 0


def test_activities_that_are_their_own_standard_bump_cost_no_deviation() -> None:
    """A bump at the centre of a symmetric grid has its centre of mass there: deviation 0; off-centre the
    cube's edge pulls the centre of mass inward and a deviation appears; a random encoder is far off."""
    params = pop.mdl_init(jax.random.PRNGKey(0), n_units=64, dim=2, mu_jitter=0.0)
    x = jax.random.normal(jax.random.PRNGKey(2), (5, 64))
    zero = jnp.zeros((64, 2))
    centred = pop.bump_encoder(params, zero, jnp.array([0.5, 0.5]), 0.15)
    off_centre = pop.bump_encoder(params, zero, jnp.array([0.2, 0.7]), 0.15)
    bits = {name: np.asarray(pop.mdl_costs(p, x, 0.15, 0.01, 1e-4)[1])
            for name, p in (("centred", centred), ("off", off_centre), ("random", params))}
    assert bits["centred"].max() < 1e-3
    assert bits["off"].min() > 1.0
    assert bits["random"].min() > 20 * bits["off"].max()


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


def test_the_model_cost_is_the_mass_of_the_weights_resolution_cells() -> None:
    """model_bits + gaussian_constant = -log2 of the cells' probability mass of every decoder weight and bias
    under N(0, V_w), to the density approximation's error (Zemel & Hinton's third term)."""
    params = _params()
    var, resolution = 0.02, 2**-10
    leaves = np.concatenate([np.ravel(np.asarray(w, np.float64)) for w in jax.tree.leaves(params["dec"])])
    exact = float(np.sum(cell_bits(leaves, var, resolution)))
    ours = float(pop.model_bits(params, var)) + pop.gaussian_constant(leaves.size, var, resolution)
    # each value is off by about delta^2 (r^2 / V - 1) / (24 V ln 2): bound the sum by its largest term
    bound = leaves.size * resolution**2 * (np.max(leaves**2) / var + 1) / (24 * var * math.log(2))
    assert abs(ours - exact) < 2 * bound < 1 and exact > 1000
    wrong = float(pop.model_bits(params, 2 * var)) + pop.gaussian_constant(leaves.size, var, resolution)
    assert abs(wrong - exact) > 100


def test_the_model_cost_adds_its_share_to_the_loss_and_unset_leaves_the_loss_as_it_was() -> None:
    params, x = _params(), jax.random.uniform(jax.random.PRNGKey(1), (8, 64))
    batch = {"examples": x, "key": jax.random.PRNGKey(2)}
    before = pop.mdl_loss(params, batch, 0.15, 0.01, 1e-4)
    assert np.array_equal(pop.mdl_loss(params, batch, 0.15, 0.01, 1e-4, None, 2000), before)
    with_model = pop.mdl_loss(params, batch, 0.15, 0.01, 1e-4, 0.02, 2000)
    np.testing.assert_allclose(with_model - before, float(pop.model_bits(params, 0.02)) / 2000, rtol=1e-5)


def test_a_run_with_the_model_cost_measures_it_and_keeps_smaller_decoder_weights() -> None:
    tiny = {"epochs": 30, "n_train": 256, "n_test": 64, "snapshots": 2, "batch_size": 64}
    plain_cfg = dipole.DIPOLE_3D.configure("mdl", tiny)
    costed_cfg = dipole.DIPOLE_3D.configure("mdl", tiny | {"weight_var": 1e-3})
    assert "weight_var" not in plain_cfg.model_dump() and costed_cfg.model_dump()["weight_var"] == 1e-3
    (plain,), (costed,) = dipole.DIPOLE_3D.run(plain_cfg, [0]), dipole.DIPOLE_3D.run(costed_cfg, [0])
    assert "model" not in plain.metrics["mdl_bits"]
    model = costed.metrics["mdl_bits"]["model"]
    assert model["total_with_model"] == pytest.approx(costed.metrics["mdl_bits"]["total_with_constants"]
                                                      + model["weights"] + model["constant"])
    assert model["n_weights"] == 64 * plain_cfg.n_units + 64
    norm = lambda r: float(np.sum(r.arrays["param_dec_w"] ** 2))  # noqa: E731
    assert norm(costed) < 0.99 * norm(plain)  # Adam moves a weight by about lr a step: 120 steps shrink it a little
