"""Receptive-field measurements on constructed fields, the learners, and the ReLU neuron's exact flow."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from rflab.data.fields import Gaussian, Lattice
from rflab.metrics import receptive_fields as rf
from rflab.models import neurons
from rflab.theory import relu_flow

N = 40
SITES = np.arange(N)


def ring_bump(centre: float, sigma: float, n: int = N) -> np.ndarray:
    """exp(-d^2 / (2 sigma^2)) with d the circular distance to ``centre``: its power w^2 is a
    wrapped normal of std sigma / sqrt 2."""
    d = np.abs(np.arange(n) - centre)
    d = np.minimum(d, n - d)
    return np.exp(-(d**2) / (2 * sigma**2))


def test_ipr_of_constructed_fields() -> None:
    assert rf.ipr(np.eye(N)[7]) == pytest.approx(1.0)
    assert rf.ipr(np.ones(N)) == pytest.approx(1 / N)
    assert rf.ipr(-3.0 * np.ones(N)) == pytest.approx(1 / N)
    for k in (1, 3, 7, N // 2 - 1):
        assert rf.ipr(np.cos(2 * np.pi * k * SITES / N + 0.3)) == pytest.approx(3 / (2 * N)), k
    assert rf.ipr(np.cos(np.pi * SITES)) == pytest.approx(1 / N)  # the Nyquist mode is +-1: flat power


def test_ipr_of_random_gaussian_fields_is_about_3_over_n() -> None:
    """E IPR = 3 / (N + 2) exactly for i.i.d. Gaussian weights (w / |w| is uniform on the sphere)."""
    w = np.random.default_rng(0).normal(size=(20_000, N))
    assert np.mean(rf.ipr(w)) == pytest.approx(3 / (N + 2), rel=0.01)


@pytest.mark.parametrize("centre", [1.0, 39.5, 20.0])
def test_circular_centre_and_width_of_a_bump_that_wraps(centre: float) -> None:
    sigma = 3.0
    got_centre, width = rf.circular_centre_width(ring_bump(centre, sigma), (N,))
    assert got_centre[0] == pytest.approx(centre, abs=1e-9)
    assert width == pytest.approx(sigma / np.sqrt(2), rel=1e-6)
    if centre != 20.0:  # a linear mean of the wrapped bump lands far from it
        p = ring_bump(centre, sigma) ** 2
        assert abs(np.sum(SITES * p) / p.sum() - centre) > 5


def test_circular_width_of_two_sites_across_the_seam_and_of_a_flat_field() -> None:
    w = np.zeros(N)
    w[[0, N - 1]] = 1.0
    centre, width = rf.circular_centre_width(w, (N,))
    assert centre[0] == pytest.approx(N - 0.5)
    assert width < 0.6
    assert rf.circular_centre_width(np.ones(N), (N,))[1] > N  # no preferred site


def test_torus_centre_is_circular_on_each_axis() -> None:
    L = 12
    w = np.outer(ring_bump(0.0, 1.5, L), ring_bump(6.0, 1.5, L)).ravel()
    centre, width = rf.circular_centre_width(w, (L, L))
    np.testing.assert_allclose(centre % L, [0.0, 6.0], atol=1e-9)
    assert width == pytest.approx(1.5 / np.sqrt(2), rel=1e-3)


@pytest.mark.parametrize(("frequency", "phase"), [(3.0, 0.7), (1.0, -2.5), (2.3, -1.2), (11.0, 3.0)])
def test_sinusoid_fit_recovers_a_planted_frequency_and_phase(frequency: float, phase: float) -> None:
    noise = 0.05 * np.random.default_rng(1).normal(size=N)
    w = 0.3 + 2.0 * np.cos(2 * np.pi * frequency * SITES / N + phase) + noise
    fit = rf.fit_sinusoid(w, (N,))
    assert fit["frequency"] == pytest.approx(frequency, abs=0.02)
    assert np.angle(np.exp(1j * (fit["phase"] - phase))) == pytest.approx(0.0, abs=0.05)
    assert fit["amplitude"] == pytest.approx(2.0, rel=0.03)
    assert fit["offset"] == pytest.approx(0.3, abs=0.03)
    assert fit["r2"] > 0.99 and fit["power_explained"] > 0.99


def test_plane_wave_fit_on_a_torus() -> None:
    L = 12
    r = np.indices((L, L))
    w = np.cos(2 * np.pi * (2 * r[0] - 3 * r[1]) / L + 0.4).ravel()
    fit = rf.fit_sinusoid(w, (L, L))
    assert fit["frequency"] == pytest.approx(np.sqrt(13))
    assert fit["r2"] == pytest.approx(1.0)


def test_verdicts() -> None:
    assert rf.measure_field(ring_bump(39.0, 2.0), (N,))["verdict"] == "localized"
    assert rf.measure_field(np.cos(2 * np.pi * 2 * SITES / N), (N,))["verdict"] == "oscillatory"
    assert rf.measure_field(np.ones(N), (N,))["verdict"] == "oscillatory"  # the k = 0 mode
    nearly_flat = 1.0 + 0.05 * np.random.default_rng(2).normal(size=N)
    measured = rf.measure_field(nearly_flat, (N,))
    assert measured["r2"] < 0.5 and measured["power_explained"] > 0.99 and measured["verdict"] == "oscillatory"
    assert measured["mean_power"] > 0.99
    noise = np.random.default_rng(3).normal(size=(50, N))
    verdicts = [u["verdict"] for u in rf.measure_units(noise, (N,))]
    assert verdicts.count("unstructured") >= 45 and "localized" not in verdicts
    L = 12
    blob = np.outer(ring_bump(3.0, 1.0, L), ring_bump(9.0, 1.0, L)).ravel()
    blob = blob + 0.08 * np.random.default_rng(4).normal(size=L * L)  # a 2-D bump in noise, as ICA gives
    assert rf.measure_field(blob, (L, L))["verdict"] == "localized"
    torus_noise = rf.measure_units(np.random.default_rng(5).normal(size=(20, L * L)), (L, L))
    assert all(u["verdict"] != "localized" for u in torus_noise)


def test_learners_apply_as_defined() -> None:
    key = jax.random.PRNGKey(0)
    x = jax.random.normal(key, (5, 8))
    single = neurons.init(key, 8)
    assert set(single) == {"w"} and single["w"].shape == (1, 8)
    np.testing.assert_allclose(neurons.apply(single, x), jax.nn.relu(x @ single["w"][0]), rtol=1e-6)
    committee = neurons.init(key, 8, units=3, scale=0.1, bias=True)
    committee["b"] = jnp.array([0.1, -0.2, 0.3])
    expected = jnp.mean(jax.nn.sigmoid(x @ committee["w"].T + committee["b"]), axis=1)
    np.testing.assert_allclose(neurons.apply(committee, x, "sigmoid"), expected, rtol=1e-6)
    two_layer = neurons.init(key, 8, units=3, readout=True) | {"a": jnp.array([1.0, 2.0, -1.0])}
    expected = jnp.mean(jnp.tanh(x @ two_layer["w"].T) * two_layer["a"], axis=1)
    np.testing.assert_allclose(neurons.apply(two_layer, x, "tanh"), expected, rtol=1e-6)


def test_the_mlp_readout_starts_at_one_plus_glorot_noise_of_the_exact_mean_and_variance() -> None:
    """Over 4000 seeds the readout of K = 9 units at scale 0.5 has mean 1 and variance 2 scale / (K + 1) = 0.1,
    JAX's truncated normal keeps it within two of its standard deviations, and the first layer is the
    committee's own draw."""
    units, scale = 9, 0.5
    keys = jax.random.split(jax.random.PRNGKey(3), 4000)
    a = np.asarray(jax.vmap(lambda k: neurons.init(k, 5, units, scale, readout=True, mlp=True)["a"])(keys), np.float64)
    variance = 2 * scale / (units + 1)
    assert a.mean() == pytest.approx(1.0, abs=4 * np.sqrt(variance / a.size))
    assert a.var() == pytest.approx(variance, rel=0.03)
    assert np.abs(a - 1).max() <= 2 * np.sqrt(variance) / 0.87962566103423978 + 1e-6
    assert abs(np.corrcoef(a[:, 0], a[:, 1])[0, 1]) < 0.05
    mlp, committee = neurons.init(keys[0], 5, units, scale, bias=True, mlp=True), neurons.init(keys[0], 5, units, scale)
    np.testing.assert_array_equal(mlp["w"], committee["w"])
    assert set(mlp) == {"w", "b", "a", "c"} and mlp["c"].shape == () and float(mlp["c"]) == 0.0
    assert set(neurons.init(keys[0], 5, units, scale, readout=True, mlp=True)) == {"w", "a"}


def authors_mlp(w: np.ndarray, b1: np.ndarray, a: np.ndarray, c: float, x: np.ndarray,
                act: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Their ``MLP.__call__`` for one example (LSG 320fde3 ``feedforward.py``): fc2(act(fc1(x))) / num_hiddens,
    each ``Linear`` weight @ x + bias, fc2's weight of shape (1, K) and bias of shape (1,)."""
    hidden = act(w @ x + b1)
    return (a[None, :] @ hidden + np.array([c])) / w.shape[0]


def test_the_mlp_forward_is_the_authors() -> None:
    rng = np.random.default_rng(0)
    w, b1, a = rng.normal(size=(4, 6)), rng.normal(size=4), rng.normal(1.0, 0.3, size=4)
    x, c = rng.normal(size=(7, 6)), -0.7
    params = {"w": jnp.asarray(w, jnp.float32), "b": jnp.asarray(b1, jnp.float32), "a": jnp.asarray(a, jnp.float32),
              "c": jnp.float32(c)}
    for name, act in (("relu", lambda h: np.maximum(h, 0)), ("sigmoid", lambda h: 1 / (1 + np.exp(-h)))):
        theirs = np.array([authors_mlp(w, b1, a, c, xi, act)[0] for xi in x])
        np.testing.assert_allclose(neurons.apply(params, jnp.asarray(x, jnp.float32), name), theirs, rtol=1e-5,
                                   atol=1e-6)


def test_init_scale_is_a_variance_scale() -> None:
    w = neurons.init(jax.random.PRNGKey(1), 400, units=400, scale=1e-2)["w"]
    assert float(jnp.std(w)) == pytest.approx(np.sqrt(1e-2 * 2 / 800), rel=0.02)


def test_relu_neuron_population_gradient_matches_the_gaussian_formula() -> None:
    """-grad E[(y - ReLU(w . x))^2] by autodiff over 4 million samples against
    (1/2)[sqrt(2/pi) Sigma_1 w / sqrt(w^T Sigma_1 w) - (Sigma_0 + Sigma_1) w] (docs/localization.md, section 4)."""
    n = 10
    model = Gaussian(Lattice(n), (1.0, 3.0))
    w = np.asarray(jax.random.normal(jax.random.PRNGKey(5), (n,))) / np.sqrt(n)
    grad = jax.jit(jax.grad(lambda p, x, y: jnp.mean(neurons.loss(p, (x, y)))))
    chunks = [grad({"w": jnp.asarray(w[None], jnp.float32)}, *model.sample(jax.random.PRNGKey(c), 500_000))["w"][0]
              for c in range(8)]
    empirical = -np.mean(np.asarray(chunks, np.float64), axis=0)
    sigma0, sigma1 = model.covariance(0), model.covariance(1)
    exact = relu_flow.gaussian_relu_flow(w, sigma0, sigma1)
    np.testing.assert_allclose(empirical, exact, atol=3e-3)
    assert np.max(np.abs(exact)) > 0.1
    # the constants matter: without sqrt(2/pi), or without the 1/2, the formula is far off
    no_constant = relu_flow.relu_flow(w, sigma0, sigma1, sigma1 @ w / np.sqrt(w @ sigma1 @ w))
    assert np.max(np.abs(empirical - no_constant)) > 0.05
    assert np.max(np.abs(empirical - 2 * exact)) > 0.05
