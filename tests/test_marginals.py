"""Exact marginal statistics: closed forms checked against independent quadrature (no sampling)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from rflab.data.marginals import (
    EllipticalMarginal,
    KurMarginal,
    NLGPMarginal,
    NormalMarginal,
    SignMarginal,
    custom_radial_moment,
    mehler_correlation,
    odd_hermite_coefficients,
)


def quad_moment(density, m: int) -> float:
    """int x^m density(x) dx over the real line by adaptive quadrature, split at 0."""
    f = lambda x: x**m * density(np.array([x]))[0]  # noqa: E731
    return sum(integrate.quad(f, a, b, limit=400, epsabs=1e-13, epsrel=1e-12)[0]
               for a, b in ((-np.inf, 0.0), (0.0, np.inf)))


@pytest.mark.parametrize(
    ("k", "kurtosis"), [(5, 4.285), (6, 2.922), (8, 2.270), (10, 2.070), (30, 1.826), (1e7, 1.800)]
)
def test_kur_kurtosis_matches_the_science_page(k, kurtosis):
    assert KurMarginal(float(k)).kurtosis == pytest.approx(kurtosis, abs=6e-4)


@pytest.mark.parametrize("k", [2.5, 4.1, 5.0, 10.0])
def test_kur_standardisation_is_exact(k):
    m = KurMarginal(k)
    assert m.variance == pytest.approx(1.0, abs=1e-14)
    assert quad_moment(m.density, 0) == pytest.approx(1.0, abs=1e-9)
    assert quad_moment(m.density, 2) == pytest.approx(1.0, abs=1e-8)
    assert m.expect(lambda x: x**2) == pytest.approx(1.0, abs=1e-9)
    if k > 4:
        assert quad_moment(m.density, 4) == pytest.approx(m.kurtosis, rel=1e-7)


def test_kur_fourth_moment_diverges_for_k_at_most_4():
    assert KurMarginal(4.0).kurtosis == math.inf
    assert KurMarginal(3.0).kurtosis == math.inf
    assert math.isfinite(KurMarginal(4.1).kurtosis)


def test_kur_quantile_cdf_transform_agree():
    m = KurMarginal(5.0)
    p = np.array([1e-12, 1e-4, 0.1, 0.37, 0.5, 0.9, 1 - 1e-9])
    x = m.quantile(p)
    np.testing.assert_allclose(m.cdf(x), p, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(m.transform(stats.norm.ppf(p)), x, rtol=1e-8)
    np.testing.assert_allclose(m.transform(m.inverse(x)), x, rtol=1e-8)
    assert np.all(np.diff(x) > 0)


def test_kur_transform_is_finite_and_monotone_to_the_edge_of_float64():
    z = np.linspace(-40, 40, 4001)
    x = KurMarginal(5.0).transform(z)
    assert np.all(np.isfinite(x))
    assert np.all(np.diff(x) > 0)


@pytest.mark.parametrize("g", [0.01, 1.0, 3.0, 100.0])
def test_nlgp_unit_variance_and_kurtosis(g):
    m = NLGPMarginal(g)
    assert m.expect(lambda x: x**2) == pytest.approx(1.0, abs=1e-10)
    fourth = 2 * sum(integrate.quad(lambda z: math.erf(g * z) ** 4 * stats.norm.pdf(z), a, b,
                                    epsabs=1e-14, limit=400)[0]
                     for a, b in ((0, 5 / g), (5 / g, np.inf)))
    assert m.kurtosis == pytest.approx(fourth / m.norm**4, rel=1e-9)
    assert 1.0 < m.kurtosis < 3.0


def test_nlgp_kurtosis_falls_from_3_to_1():
    kurt = [NLGPMarginal(g).kurtosis for g in np.logspace(-2, 2, 10)]
    assert np.all(np.diff(kurt) < 0)
    assert kurt[0] == pytest.approx(3.0, abs=1e-3)
    assert kurt[-1] == pytest.approx(1.0, abs=1e-2)


def test_nlgp_density_and_quantile():
    m = NLGPMarginal(0.5)
    p = np.array([0.01, 0.2, 0.5, 0.8, 0.99])
    for a, b in ((0.5, 0.99), (0.2, 0.8), (0.01, 0.5)):
        mass = integrate.quad(lambda x: m.density(np.array([x]))[0], *m.quantile(np.array([a, b])))[0]
        assert mass == pytest.approx(b - a, abs=1e-9)
    np.testing.assert_allclose(m.cdf(m.quantile(p)), p, rtol=1e-10)


@pytest.mark.parametrize("g", [0.5, 3.0, 100.0])
def test_mehler_series_reproduces_the_nlgp_arcsine_law(g):
    m = NLGPMarginal(g)
    rho = np.array([-0.95, -0.3, 0.0, 0.2, 0.6, 0.9, 0.99])
    coef = odd_hermite_coefficients(m.transform, 2000)
    np.testing.assert_allclose(mehler_correlation(coef, rho), m.copula_correlation(rho), atol=1e-9)


def test_kur_copula_correlation_against_direct_2d_quadrature():
    m = KurMarginal(5.0)
    rho = 0.8953
    s = math.sqrt(1 - rho**2)

    def f(w: float, z: float) -> float:
        pair = m.transform(np.array([z, rho * z + s * w]))
        return pair[0] * pair[1] * stats.norm.pdf(z) * stats.norm.pdf(w)

    direct = 2 * integrate.dblquad(f, 0, 12, -12, 12, epsabs=1e-10, epsrel=1e-9)[0]
    assert m.copula_correlation(np.array([rho]))[0] == pytest.approx(direct, abs=1e-8)
    assert m.copula_correlation(np.array([1.0, 0.0]))[0] == 1.0


def test_gaussian_and_sign_marginals():
    assert NormalMarginal().kurtosis == pytest.approx(3.0, abs=1e-14)
    assert NormalMarginal().expect(lambda x: x**4) == pytest.approx(3.0, abs=1e-12)
    spin = SignMarginal()
    assert spin.variance == 1.0 and spin.kurtosis == 1.0
    np.testing.assert_array_equal(spin.quantile([0.2, 0.7]), [-1.0, 1.0])


@pytest.mark.parametrize("dim", [2, 3, 40, 900])
def test_shell_kurtosis_is_3N_over_N_plus_2(dim):
    m = EllipticalMarginal("shell", dim)
    assert m.kurtosis == pytest.approx(3 * dim / (dim + 2), rel=1e-12)
    assert m.expect(lambda x: x**4) == pytest.approx(3 * dim / (dim + 2), rel=1e-10)
    if dim > 2:
        assert quad_moment(m.density, 2) == pytest.approx(1.0, abs=1e-7)


def test_custom_radial_moments_by_a_second_parametrisation():
    for m in (2, 4):
        direct = integrate.quad(lambda u, m=m: (2 + np.arctanh(u)) ** m, 0, 1, limit=400)[0]
        assert custom_radial_moment(m) == pytest.approx(direct, rel=1e-9)
    marginal = EllipticalMarginal("custom", 40)
    expected = 3 * 40 * custom_radial_moment(4) / (42 * custom_radial_moment(2) ** 2)
    assert marginal.kurtosis == pytest.approx(expected, rel=1e-12)
    assert marginal.expect(lambda x: x**4) == pytest.approx(expected, rel=1e-8)
    assert quad_moment(marginal.density, 0) == pytest.approx(1.0, abs=1e-7)
    p = np.array([0.05, 0.5, 0.9])
    np.testing.assert_allclose(marginal.cdf(marginal.quantile(p)), p, atol=1e-10)


@pytest.mark.parametrize(("nu", "kurtosis"), [(3.0, math.inf), (4.0, math.inf), (5.0, 9.0), (10.0, 4.0)])
def test_t_marginal(nu, kurtosis):
    m = EllipticalMarginal("t", 40, nu)
    assert m.kurtosis == pytest.approx(kurtosis)
    assert m.variance == pytest.approx(1.0, abs=1e-12)
    assert quad_moment(m.density, 2) == pytest.approx(1.0, abs=1e-7)


def test_unknown_radial_law_is_rejected():
    with pytest.raises(ValueError, match="radial='ring'"):
        EllipticalMarginal("ring", 10)


@pytest.mark.parametrize("k", [2.1, 4.1, 10.0, 50.0])
@pytest.mark.parametrize("xi", [(0.3, 0.7), (1.0, 3.0)])
def test_kur_table_is_as_accurate_as_the_exact_form_in_float32(k: float, xi: tuple[float, float]) -> None:
    """The sampler's table against the exact quantile in float64 over every |z| the base draws reach:
    never worse than the exact form evaluated in float32 (the sampler before the table), and within
    1.5e-6 relative where the samples lie (|z| < 6); past the table's end it keeps growing (up to
    float32's overflow, where the exact form overflows too)."""
    import jax.numpy as jnp

    from rflab.data.fields import Kur, Lattice
    from rflab.data.marginals import KurMarginal, kur_abs_quantile

    model = Kur(Lattice(40), xi, k)
    z = np.asarray(jnp.linspace(-model.z_max, model.z_max, 100_001, dtype=jnp.float32), np.float64)
    z = z[z != 0]
    scale = KurMarginal(k).scale
    with np.errstate(divide="ignore"):
        exact = np.sign(z) * kur_abs_quantile(np.abs(z), k, np) / scale
        old = np.asarray(jnp.sign(z) * kur_abs_quantile(jnp.abs(jnp.asarray(z, jnp.float32)), k, jnp) / scale)
    table = np.asarray(model.transform(jnp.asarray(z, jnp.float32), model.transform_args()), np.float64)
    error = np.abs(table - exact) / np.abs(exact)
    assert error.max() <= np.max(np.abs(old - exact) / np.abs(exact))
    assert error[np.abs(z) < 6].max() < 1.5e-6
    beyond = np.asarray(model.transform(jnp.asarray([model.z_max, 1.5 * model.z_max], jnp.float32),
                                        model.transform_args()))
    assert not np.any(np.isnan(beyond)) and beyond[1] > beyond[0] > 0
