"""Label-free starting codes: the circle is found as the hollow pair of Isomap coordinates."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from rflab.data import dipoles
from rflab.models import initial_codes as ic


def test_hollowness_tells_an_annulus_from_a_filled_square() -> None:
    rng = np.random.default_rng(0)
    phi, r = rng.uniform(0, 2 * np.pi, 5000), rng.uniform(0.8, 1.0, 5000)
    square = rng.uniform(-1, 1, (5000, 2))
    assert ic.hollowness(r * np.cos(phi), r * np.sin(phi)) == 0.0
    assert ic.hollowness(square[:, 0], square[:, 1]) == pytest.approx(1 / 8, abs=0.02)  # any filled disc or square


def test_circle_pair_finds_a_planted_circle_among_intervals() -> None:
    rng = np.random.default_rng(1)
    phi = rng.uniform(0, 2 * np.pi, 3000)
    columns = [rng.uniform(0, 1, 3000), 3 * np.cos(phi), rng.uniform(0, 5, 3000), 3 * np.sin(phi)]
    assert ic.circle_pair(np.column_stack(columns)) == (1, 3)


def test_solid_torus_stays_inside_the_cube_and_inverts() -> None:
    rng = np.random.default_rng(2)
    angle, radial, height = rng.uniform(-np.pi, np.pi, 1000), rng.uniform(0, 1, 1000), rng.uniform(0, 1, 1000)
    code = ic.solid_torus(angle, radial, height)
    assert code.min() > 0 and code.max() < 1
    np.testing.assert_allclose(np.arctan2(code[:, 1] - 0.5, code[:, 0] - 0.5), angle, atol=1e-12)
    radius = np.hypot(code[:, 0] - 0.5, code[:, 1] - 0.5)
    np.testing.assert_allclose((radius - ic.INNER_RADIUS) / (ic.OUTER_RADIUS - ic.INNER_RADIUS), radial, atol=1e-12)


def test_isomap_torus_of_dipoles_recovers_orientation_and_position_without_labels() -> None:
    """The code's angle follows theta (up to direction and offset); radius and height together give
    x and y (Isomap may rotate the position square, so each is a linear mix of the two)."""
    d = dipoles.sample(jax.random.PRNGKey(3), 1500)
    images, lat = np.asarray(d.images), np.asarray(d.latents)
    code = ic.isomap_torus(images)
    assert code.dtype == np.float32 and code.min() > 0 and code.max() < 1
    angle = np.arctan2(code[:, 1] - 0.5, code[:, 0] - 0.5)
    circular = max(abs(np.mean(np.exp(1j * (angle - s * lat[:, 2])))) for s in (1, -1))
    assert circular > 0.9
    radial = np.hypot(code[:, 0] - 0.5, code[:, 1] - 0.5)
    position = np.column_stack([radial, code[:, 2]])
    for k in (0, 1):
        assert LinearRegression().fit(position, lat[:, k]).score(position, lat[:, k]) > 0.9


def test_the_isomap_start_is_the_same_on_every_call() -> None:
    """The same images give the same start bit for bit (ARPACK's random start vector moved it by about
    1e-4, and training amplified that into different runs of one config and seed); every dipole run
    carries the numerics version that came after it (3: the held-out regressions in float64)."""
    from rflab.experiments import get_experiment

    images = np.asarray(dipoles.sample(jax.random.PRNGKey(4), 600).images)
    np.testing.assert_array_equal(ic.isomap_torus(images), ic.isomap_torus(images))
    dipole = get_experiment("dipole-3d")
    assert dipole.numerics_of(dipole.configure(None, {}).model_dump()) == 3  # the default starts from Isomap
    assert dipole.numerics_of(dipole.configure("hinton-problems", {}).model_dump()) == 3
