"""The bar renderer of the what/where problem: geometry, transpose symmetry, balance and determinism."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from rflab.data import bars


@pytest.mark.parametrize("p", [1.6, 2.4, 3.6, 5.4])
def test_horizontal_bar_is_constant_along_rows_and_peaks_at_the_nearest_row(p: float) -> None:
    image = np.asarray(bars.render(jnp.array([[0.0, p]]))[0]).reshape(8, 8)
    np.testing.assert_array_equal(image, np.repeat(image[:, :1], 8, axis=1))
    assert int(np.argmax(image[:, 0])) == round(p)
    row = round(p)
    assert image[row, 3] == pytest.approx(np.exp(-((row - p) ** 2) / (2 * bars.BAR_WIDTH**2)), rel=1e-6)


def test_transposing_a_horizontal_bar_gives_the_vertical_bar_at_the_same_position() -> None:
    positions = bars.sample_latents(jax.random.PRNGKey(0), 40)[:, 1]
    horizontal = bars.render(jnp.stack([jnp.zeros(40), positions], 1)).reshape(40, 8, 8)
    vertical = bars.render(jnp.stack([jnp.ones(40), positions], 1)).reshape(40, 8, 8)
    np.testing.assert_array_equal(np.swapaxes(np.asarray(horizontal), 1, 2), np.asarray(vertical))
    assert not np.allclose(horizontal, vertical)


def test_classes_are_balanced_positions_in_range() -> None:
    lat = np.asarray(bars.sample_latents(jax.random.PRNGKey(1), 20001))
    assert set(np.unique(lat[:, 0])) == {0.0, 1.0}
    assert int(lat[:, 0].sum()) == 10000
    assert 0.2 < np.mean(lat[:100, 0]) < 0.8  # shuffled, not in blocks
    assert lat[:, 1].min() >= 1.5 and lat[:, 1].max() <= 5.5
    assert abs(lat[:, 1].mean() - 3.5) < 0.05


def test_sample_renders_its_latents_deterministically_and_jit_agrees() -> None:
    key = jax.random.PRNGKey(2)
    a = bars.sample(key, 64)
    b = jax.jit(bars.sample, static_argnums=1)(key, 64)
    assert a.images.shape == (64, 64) and a.latents.shape == (64, 2)
    assert a.images.dtype == jnp.float32
    np.testing.assert_array_equal(a.latents, b.latents)
    np.testing.assert_allclose(a.images, b.images, atol=1e-6)
    np.testing.assert_allclose(a.images, bars.render(a.latents), atol=1e-6)
    assert 0.0 < float(a.images.min()) and float(a.images.max()) <= 1.0


def diagonal_mean(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Exact mean over p ~ U[1.5, 5.5] of the diagonal bar at pixel (x, y): exp(-(m - p)^2 / s^2), m = (x + y) / 2."""
    from scipy.special import erf

    lo, hi = bars.POSITION_RANGE
    s, m = bars.BAR_WIDTH, (x + y) / 2
    return s * np.sqrt(np.pi) / 2 * (erf((hi - m) / s) - erf((lo - m) / s)) / (hi - lo)


def test_the_default_draws_two_classes_and_three_are_balanced_to_one_image() -> None:
    key = jax.random.PRNGKey(4)
    np.testing.assert_array_equal(bars.sample_latents(key, 50), bars.sample_latents(key, 50, bars.TWO))
    for n in (300, 301, 302):
        counts = np.bincount(np.asarray(bars.sample_latents(key, n, 3)[:, 0]).astype(int))
        assert counts.tolist() == [n // 3 + (c < n % 3) for c in range(3)]
    assert len(set(np.asarray(bars.sample_latents(key, 30, 3)[:6, 0]).tolist())) > 1  # shuffled, not in blocks


@pytest.mark.parametrize("p", [1.5, 2.3, 3.5, 5.5])
def test_the_diagonal_bar_is_the_stated_profile_across_its_line(p: float) -> None:
    image = np.asarray(bars.render(jnp.array([[2.0, p]]))[0]).reshape(8, 8)
    y, x = np.mgrid[0:8, 0:8]
    want = np.exp(-((x + y - 2 * p) / np.sqrt(2)) ** 2 / (2 * bars.BAR_WIDTH**2))
    np.testing.assert_allclose(image, want, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(image, image.T)  # symmetric about the main diagonal
    mirrored = np.asarray(bars.render(jnp.array([[2.0, 7 - p]]))[0]).reshape(8, 8)[::-1, ::-1]
    np.testing.assert_allclose(image, mirrored, rtol=1e-5, atol=1e-7)  # p and 7 - p: a half-turn apart


def test_three_object_pixel_means_are_the_exact_averages_of_each_profile() -> None:
    n = 30000
    sample = bars.sample(jax.random.PRNGKey(5), n, 3)
    images, classes = np.asarray(sample.images).reshape(n, 8, 8), np.asarray(sample.latents[:, 0])
    y, x = np.mgrid[0:8, 0:8]
    from scipy.special import erf

    lo, hi, s = *bars.POSITION_RANGE, bars.BAR_WIDTH
    row = s * np.sqrt(np.pi / 2) * (erf((hi - y) / (s * np.sqrt(2))) - erf((lo - y) / (s * np.sqrt(2)))) / (hi - lo)
    for c, want in enumerate((row, row.T, diagonal_mean(x, y))):
        got = images[classes == c].mean(axis=0)
        assert np.max(np.abs(got - want)) < 0.015, c  # 10^4 images a class: standard error below 0.005
