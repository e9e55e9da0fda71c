"""The dipole renderer: geometry, symmetry, ranges and determinism."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from rflab.data import dipoles


def test_half_turn_negates_the_image() -> None:
    lat = dipoles.sample_latents(jax.random.PRNGKey(0), 50)
    turned = lat.at[:, 2].add(jnp.pi)
    np.testing.assert_allclose(dipoles.render(turned), -dipoles.render(lat), atol=1e-6)


def test_blob_centres_sit_at_the_poles() -> None:
    """A horizontal dipole at (3, 4): positive peak at pixel (row 4, col 4), negative at (4, 2)."""
    image = np.asarray(dipoles.render(jnp.array([[3.0, 4.0, 0.0]]))[0]).reshape(8, 8)
    assert np.unravel_index(image.argmax(), image.shape) == (4, 4)
    assert np.unravel_index(image.argmin(), image.shape) == (4, 2)
    assert image.max() == pytest.approx(1.0 - np.exp(-4 / (2 * 0.55**2)), abs=1e-6)


def test_vertical_dipole_points_down_the_rows() -> None:
    """theta = pi/2 puts the positive blob at larger y, i.e. a larger row index."""
    image = np.asarray(dipoles.render(jnp.array([[4.0, 3.0, np.pi / 2]]))[0]).reshape(8, 8)
    assert np.unravel_index(image.argmax(), image.shape) == (4, 4)
    assert np.unravel_index(image.argmin(), image.shape) == (2, 4)


def test_blob_is_a_unit_peak_gaussian_of_width_055() -> None:
    b = np.asarray(dipoles.blob(jnp.array(2.0), jnp.array(5.0)))
    assert b[5, 2] == pytest.approx(1.0)
    assert b[5, 3] == pytest.approx(np.exp(-1 / (2 * 0.55**2)), rel=1e-6)


@pytest.mark.parametrize(("theta_range", "top"), [("2pi", 2 * np.pi), ("pi", np.pi)])
def test_latent_ranges(theta_range: str, top: float) -> None:
    lat = np.asarray(dipoles.sample_latents(jax.random.PRNGKey(1), 20000, theta_range))
    assert lat[:, :2].min() >= 1.5 and lat[:, :2].max() <= 5.5
    assert lat[:, 2].min() >= 0 and lat[:, 2].max() < top
    assert lat[:, 2].max() > 0.99 * top
    np.testing.assert_allclose(lat[:, :2].mean(axis=0), 3.5, atol=0.05)


def test_images_are_bounded_and_flat() -> None:
    d = dipoles.sample(jax.random.PRNGKey(2), 100)
    assert d.images.shape == (100, 64) and d.latents.shape == (100, 3)
    assert float(jnp.abs(d.images).max()) <= 1.0


def test_same_key_same_images_and_jit_agrees() -> None:
    key = jax.random.PRNGKey(3)
    a, b = dipoles.sample(key, 64), jax.jit(dipoles.sample, static_argnums=1)(key, 64)
    np.testing.assert_array_equal(a.latents, b.latents)
    np.testing.assert_allclose(a.images, b.images, atol=1e-6)


def test_orientation_targets_glue_the_half_range() -> None:
    theta = jnp.array([0.0, np.pi - 1e-6])
    t = np.asarray(dipoles.orientation_targets(theta, "pi"))
    np.testing.assert_allclose(t[0], t[1], atol=1e-5)


def test_first_moments_are_linear_in_orientation() -> None:
    """sum_p I(p) p_x and sum_p I(p) p_y are 2 m (cos theta, sin theta): orientation is linear in pixels."""
    d = dipoles.sample(jax.random.PRNGKey(4), 4000)
    grid = np.arange(8.0)
    moments = np.asarray(d.images) @ np.column_stack([np.tile(grid, 8), np.repeat(grid, 8)])
    target = dipoles.orientation_targets(np.asarray(d.latents[:, 2]))
    coef, *_ = np.linalg.lstsq(moments, target, rcond=None)
    r2 = 1 - np.sum((moments @ coef - target) ** 2, axis=0) / np.sum((target - target.mean(0)) ** 2, axis=0)
    assert np.all(r2 > 0.999)
