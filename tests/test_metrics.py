"""Every code metric on synthetic cases with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rflab.metrics import codes


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def test_reconstruction_against_known_errors(rng: np.random.Generator) -> None:
    x_train = rng.normal(size=(1000, 16)) + 2.0
    x_test = rng.normal(size=(500, 16)) + 2.0
    out = codes.reconstruction(x_test, x_test + 0.1, x_train)
    assert out["test_mse"] == pytest.approx(0.01)
    assert out["naive_mse"] == pytest.approx(np.mean((x_test - x_train.mean(0)) ** 2))
    assert out["naive_mse"] == pytest.approx(1.0, rel=0.05)
    assert out["variance_explained"] == pytest.approx(1 - 0.01 / out["naive_mse"])


def test_spectrum_counts_used_dimensions(rng: np.random.Generator) -> None:
    iso = codes.spectrum(rng.normal(size=(20000, 3)))
    assert iso["effective_dim"] == pytest.approx(3.0, rel=0.01)
    line = codes.spectrum(np.outer(rng.normal(size=5000), [1.0, 2.0, -1.0]))
    assert line["effective_dim"] == pytest.approx(1.0, abs=1e-6)
    scaled = codes.spectrum(rng.normal(size=(20000, 2)) * [1.0, 2.0])
    assert scaled["effective_dim"] == pytest.approx(25 / 17, rel=0.02)  # (1 + 4)^2 / (1 + 16)
    two_points = codes.spectrum(np.array([[1.0, 0.0], [-1.0, 0.0]]))["singular_values"]
    np.testing.assert_allclose(two_points, [math.sqrt(2), 0.0], atol=1e-12)


def _split(rng: np.random.Generator, f, n: int = 3000):
    z = rng.uniform(-1, 1, size=(n, 2))
    t = f(z)
    return z[: n // 2], t[: n // 2], z[n // 2:], t[n // 2:]


def test_polynomial_r2_is_held_out(rng: np.random.Generator) -> None:
    cubic = lambda z: np.column_stack([z[:, 0] ** 3 - z[:, 1], z[:, 0] * z[:, 1]])  # noqa: E731
    zt, tt, zs, ts = _split(rng, cubic)
    assert codes.held_out_r2(codes.polynomial(3), zt, tt, zs, ts, ["a", "b"])["mean"] == pytest.approx(1.0)
    lin = codes.held_out_r2(codes.polynomial(1), zt, tt, zs, ts, ["a", "b"])
    assert abs(lin["b"]) < 0.02  # z0 z1 has no linear part
    assert lin["a"] == pytest.approx(1 - (4 / 175) / (1 / 7 + 1 / 3), abs=0.02)  # all but z0^3's cubic remainder


def test_polynomial_r2_of_a_barely_spread_float32_code_is_that_of_the_spread_one(rng: np.random.Generator) -> None:
    """A float32 code near 0.5 with spread 0.003 (a barely trained dipole code) scores as the same code
    spread to unit scale: the fit is in float64 on the standardised code, which leaves a polynomial's span
    unchanged (in float32 without standardising, the first target's cubic R^2 here was 0.72)."""
    cubic = lambda z: np.column_stack([z[:, 0] ** 3 - z[:, 1], z[:, 0] * z[:, 1]])  # noqa: E731
    zt, tt, zs, ts = _split(rng, cubic)
    narrow = [(0.5 + 0.003 * z).astype(np.float32) for z in (zt, zs)]
    spread = [(np.asarray(z, np.float64) - 0.5) / 0.003 for z in narrow]
    got = codes.held_out_r2(codes.polynomial(3), narrow[0], tt, narrow[1], ts, ["a", "b"])
    want = codes.held_out_r2(codes.polynomial(3), spread[0], tt, spread[1], ts, ["a", "b"])
    assert want["mean"] > 0.999 and got == pytest.approx(want, abs=1e-9)


def test_r2_of_an_unrelated_target_is_about_zero(rng: np.random.Generator) -> None:
    zt, _, zs, _ = _split(rng, lambda z: z)
    noise_t, noise_s = rng.normal(size=(len(zt), 1)), rng.normal(size=(len(zs), 1))
    assert abs(codes.held_out_r2(codes.polynomial(1), zt, noise_t, zs, noise_s, ["n"])["n"]) < 0.02


def test_knn_recovers_a_curved_map_that_polynomials_miss(rng: np.random.Generator) -> None:
    wiggly = lambda z: np.column_stack([np.sin(6 * z[:, 0]), np.cos(5 * z[:, 1])])  # noqa: E731
    zt, tt, zs, ts = _split(rng, wiggly, 6000)
    assert codes.held_out_r2(codes.knn(10), zt, tt, zs, ts, ["s", "c"])["mean"] > 0.97
    assert codes.held_out_r2(codes.polynomial(1), zt, tt, zs, ts, ["s", "c"])["mean"] < 0.3


def test_description_length_of_a_known_gaussian_residual(rng: np.random.Generator) -> None:
    """Residuals N(0, s^2) at resolution t cost log2(s sqrt(2 pi)/t) + 1/(2 ln 2) bits per pixel."""
    d, s, t = 16, 0.1, 0.01
    x_train, x_test = rng.normal(size=(20000, d)), rng.normal(size=(20000, d))
    recon_train, recon_test = x_train + s * rng.normal(size=x_train.shape), x_test + s * rng.normal(size=x_test.shape)
    out = codes.description_length(x_train, x_test, lambda delta: recon_train, lambda delta: recon_test,
                                   code_dim=2, pixel_resolution=t, max_bits=8)
    per_pixel = math.log2(s * math.sqrt(2 * math.pi) / t) + 1 / (2 * math.log(2))
    assert out["residual"] == pytest.approx(d * per_pixel, rel=2e-3)
    assert out["constants"]["residual_std"] == pytest.approx(s, rel=2e-3)
    assert out["code"] == 2 and out["constants"]["bits_per_dim"] == 1  # the code does not help: 1 bit
    assert out["total"] == pytest.approx(out["code"] + out["residual"])
    baseline_pp = math.log2(1.0 * math.sqrt(2 * math.pi) / t) + 1 / (2 * math.log(2))
    assert out["baseline"] == pytest.approx(d * baseline_pp, rel=2e-3)
    assert out["saving"] == pytest.approx(out["baseline"] - out["total"])


def test_description_length_buys_the_resolution_that_pays(rng: np.random.Generator) -> None:
    """Codes coarser than 2^-4 ruin the reconstruction; finer ones cost bits and gain nothing."""
    x_train, x_test = rng.normal(size=(2000, 8)), rng.normal(size=(2000, 8))
    noise = 0.1 * rng.normal(size=x_test.shape)

    def decoder(x: np.ndarray):
        return lambda delta: x + noise + (1.0 if delta > 2.0**-4 else 0.0)

    out = codes.description_length(x_train, x_test, decoder(x_train), decoder(x_test), 3, 0.01)
    assert out["constants"]["bits_per_dim"] == 4 and out["code"] == 12


def test_summarise_gives_mean_and_spread() -> None:
    per_seed = {0: {"a": 1.0, "b": {"c": 2.0}, "v": [1.0, 2.0]}, 1: {"a": 3.0, "b": {"c": 4.0}, "v": [3.0, 2.0]}}
    out = codes.summarise(per_seed)
    assert out["seeds"]["1"]["a"] == 3.0
    assert out["mean"] == {"a": 2.0, "b.c": 3.0, "v.0": 2.0, "v.1": 2.0}
    assert out["std"]["a"] == pytest.approx(math.sqrt(2))
    assert out["min"]["a"] == 1.0 and out["max"]["b.c"] == 4.0


@pytest.mark.parametrize("d", [1, 2, 3, 5])
def test_twonn_finds_the_dimension_of_a_flat_cloud_whatever_its_embedding(rng: np.random.Generator, d: int) -> None:
    rotation = np.linalg.qr(rng.normal(size=(10, 10)))[0]
    cloud = rng.uniform(size=(3000, d)) @ rotation[:d]
    assert codes.twonn_dimension(cloud) == pytest.approx(d, rel=0.08)


def test_twonn_sees_a_curved_circle_as_one_dimension_where_the_participation_ratio_sees_two(
        rng: np.random.Generator) -> None:
    angle = rng.uniform(0, 2 * np.pi, 3000)
    circle = np.column_stack([np.cos(angle), np.sin(angle)])
    assert codes.twonn_dimension(circle) == pytest.approx(1.0, abs=0.1)
    assert codes.spectrum(circle)["effective_dim"] == pytest.approx(2.0, abs=0.05)


def test_one_long_lived_loop_in_a_circle_none_in_a_disc_two_in_two_circles(rng: np.random.Generator) -> None:
    angle = rng.uniform(0, 2 * np.pi, 300)
    circle = np.column_stack([np.cos(angle), np.sin(angle)])
    disc = circle * np.sqrt(rng.uniform(size=(300, 1)))
    two = np.concatenate([circle[:150], circle[150:] + np.array([4.0, 0.0])])
    assert codes.one_dominant_loop(codes.loop_lifetimes(circle))
    # a Rips loop on the unit circle dies at sqrt(3) (the inscribed triangle) and is born at the widest gap
    assert np.sqrt(3) - 0.3 < codes.loop_lifetimes(circle)[0] < np.sqrt(3)
    assert not codes.one_dominant_loop(codes.loop_lifetimes(disc))
    lifetimes = codes.loop_lifetimes(two)
    assert lifetimes[1] > 0.5 * lifetimes[0] and not codes.one_dominant_loop(lifetimes)
