"""The amplifier phi(a) (Theorem 3.1): quadrature against Monte Carlo, closed forms, Taylor form,
derivative, and the Chebyshev table the effective ODE uses."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import special

from rflab.data.fields import NLGP, Elliptical, Gaussian, Kur, Lattice
from rflab.data.ising import Ising
from rflab.data.marginals import (
    EllipticalMarginal,
    KurMarginal,
    NLGPMarginal,
    NormalMarginal,
    SignMarginal,
)
from rflab.theory import amplifier as amp

LATTICE = Lattice(40)
MC_ROWS = 20_000
A_GRID = np.array([-0.95, -0.5, 0.1, 0.3, 0.6, 0.8, 0.95, 0.99, 1.0])
MODELS = {
    "gaussian": Gaussian(LATTICE),
    "nlgp-0.3": NLGP(LATTICE, g=0.3),
    "nlgp-3": NLGP(LATTICE, g=3.0),
    "nlgp-100": NLGP(LATTICE, g=100.0),
    "kur-4.5": Kur(LATTICE, k=4.5),
    "kur-5": Kur(LATTICE, k=5.0),
    "kur-10": Kur(LATTICE, k=10.0),
    "kur-30": Kur(LATTICE, k=30.0),
    "ising": Ising(LATTICE),
    "shell": Elliptical(LATTICE, radial="shell"),
    "custom": Elliptical(LATTICE, radial="custom"),
    "t3": Elliptical(LATTICE, radial="t", nu=3.0),
}
MARGINALS = {
    "normal": NormalMarginal(),
    "sign": SignMarginal(),
    "nlgp-0.1": NLGPMarginal(0.1),
    "nlgp-1": NLGPMarginal(1.0),
    "nlgp-100": NLGPMarginal(100.0),
    "kur-10": KurMarginal(10.0),
    "kur-30": KurMarginal(30.0),
    "shell": EllipticalMarginal("shell", 40),
    "custom": EllipticalMarginal("custom", 40),
    "t10": EllipticalMarginal("t", 40, 10.0),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_phi_matches_monte_carlo_within_its_error(name: str) -> None:
    """Quadrature against the mean of x erf(a x / sqrt(2(1 - a^2))) over the model's own samples."""
    model = MODELS[name]
    x = np.asarray(model.sample_class(jax.random.PRNGKey(11), MC_ROWS, 1))
    mc, se = amp.phi_monte_carlo(x, A_GRID)
    exact = amp.phi(model.marginal, A_GRID)
    # binary data: x erf(...) is the same for every sample (zero Monte Carlo error); allow rounding
    z = np.abs(mc - exact) / (se + 1e-12)
    assert np.all(z < 4.0), (name, z.max(), A_GRID[np.argmax(z)])
    assert np.all(se < 0.02)


def test_monte_carlo_tells_the_amplifiers_apart() -> None:
    """The check has power: binary-like NLGP data reject the Gaussian line at a = 0.8 by far."""
    x = np.asarray(MODELS["nlgp-100"].sample_class(jax.random.PRNGKey(3), MC_ROWS, 1))
    mc, se = amp.phi_monte_carlo(x, [0.8])
    assert abs(mc[0] - amp.SQRT_2_PI * 0.8) > 50 * se[0]


def test_gaussian_is_exactly_linear_and_binary_is_the_erf() -> None:
    a = np.linspace(-1, 1, 41)
    assert np.array_equal(amp.phi(NormalMarginal(), a), math.sqrt(2 / math.pi) * a)
    # the quadrature route (no closed form) agrees to rounding for both laws
    np.testing.assert_allclose(amp.phi_quadrature(NormalMarginal(), a), math.sqrt(2 / math.pi) * a, atol=1e-14)
    inner = a[1:-1]
    binary = special.erf(inner / np.sqrt(2 * (1 - inner**2)))
    np.testing.assert_allclose(amp.phi(SignMarginal(), inner), binary, rtol=0, atol=1e-15)
    np.testing.assert_allclose(amp.phi_quadrature(SignMarginal(), a), amp.phi(SignMarginal(), a), atol=1e-15)
    assert amp.phi(SignMarginal(), np.array([1.0, -1.0])).tolist() == [1.0, -1.0]


@pytest.mark.parametrize("name", list(MARGINALS))
def test_phi_at_one_is_the_mean_absolute_value(name: str) -> None:
    marginal = MARGINALS[name]
    mean_abs = {"normal": math.sqrt(2 / math.pi), "sign": 1.0}.get(name)
    if name == "shell":  # c E|v| = sqrt(D) Gamma(D/2) / (sqrt(pi) Gamma((D+1)/2))
        mean_abs = math.sqrt(40) * math.exp(special.gammaln(20) - special.gammaln(20.5)) / math.sqrt(math.pi)
    if mean_abs is None:
        mean_abs = amp.phi_quadrature(marginal, np.array([1 - 1e-12]))[0]
    assert amp.phi(marginal, np.array([1.0]))[0] == pytest.approx(mean_abs, rel=1e-9)


@pytest.mark.parametrize("name", list(MARGINALS))
def test_cubic_coefficient_is_minus_excess_kurtosis_over_six_times_sqrt_2_over_pi(name: str) -> None:
    """(phi(a) - sqrt(2/pi) a) / a^3 at small a against -sqrt(2/pi) (kappa - 3) / 6 (sixth moment finite)."""
    marginal = MARGINALS[name]
    a = 1e-3
    numeric = (amp.phi_quadrature(marginal, np.array([a]))[0] - amp.SQRT_2_PI * a) / a**3
    expected = -math.sqrt(2 / math.pi) * (marginal.kurtosis - 3) / 6
    assert numeric == pytest.approx(expected, rel=1e-4, abs=1e-8)
    assert amp.cubic_coefficient(marginal.kurtosis) == pytest.approx(expected)


def test_cubic_coefficient_with_an_infinite_sixth_moment_converges_as_a_shrinks() -> None:
    """Kur(5): E X^6 = inf, so the next term is O(a^4), not O(a^5); the estimate still converges."""
    marginal = KurMarginal(5.0)
    expected = amp.cubic_coefficient(marginal.kurtosis)
    errors = [abs((amp.phi_quadrature(marginal, np.array([a]))[0] - amp.SQRT_2_PI * a) / a**3 - expected)
              for a in (1e-2, 1e-3, 1e-4)]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1e-3 * abs(expected)


def test_taylor_form_is_the_cubic() -> None:
    a = np.linspace(-1, 1, 11)
    expected = math.sqrt(2 / math.pi) * (a - (4.285 - 3) * a**3 / 6)
    np.testing.assert_allclose(amp.phi_taylor(4.285, a), expected, rtol=1e-14)


@pytest.mark.parametrize("name", list(MARGINALS))
def test_derivative_matches_finite_differences(name: str) -> None:
    marginal = MARGINALS[name]
    a = np.array([-0.9, -0.3, 0.05, 0.5, 0.8, 0.95, 0.99])
    h = 1e-5
    fd = (amp.phi(marginal, a + h) - amp.phi(marginal, a - h)) / (2 * h)
    np.testing.assert_allclose(amp.phi_derivative(marginal, a), fd, rtol=1e-6, atol=1e-8)


def test_phi_rejects_a_outside_the_unit_interval() -> None:
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        amp.phi(KurMarginal(5.0), np.array([1.5]))
    with pytest.raises(ValueError, match=r"\(-1, 1\)"):
        amp.phi_derivative(KurMarginal(5.0), np.array([1.0]))


@pytest.mark.parametrize("name", ["sign", "nlgp-100", "kur-4.1", "kur-5", "shell", "t3"])
def test_chebyshev_table_reproduces_phi(name: str) -> None:
    """The table the ODE evaluates, in float64 and float32, against direct quadrature."""
    marginal = {"kur-4.1": KurMarginal(4.1), "kur-5": KurMarginal(5.0),
                "t3": EllipticalMarginal("t", 40, 3.0)}.get(name) or MARGINALS[name]
    coef = amp.amplifier_coefficients(marginal)
    a = np.linspace(-1, 1, 301)
    exact = amp.phi(marginal, a)
    assert np.max(np.abs(np.polynomial.chebyshev.chebval(a, coef) - exact)) < 2e-5
    got = np.asarray(amp.evaluate(jnp.asarray(coef, jnp.float32), jnp.asarray(a, jnp.float32)))
    assert np.max(np.abs(got - exact)) < 2e-5


def test_taylor_and_linear_tables_are_exact() -> None:
    a = np.linspace(-1, 1, 7)
    np.testing.assert_allclose(np.polynomial.chebyshev.chebval(a, amp.taylor_coefficients(2.0)),
                               amp.phi_taylor(2.0, a), atol=1e-15)
    np.testing.assert_allclose(np.polynomial.chebyshev.chebval(a, amp.linear_coefficients(0.7)), 0.7 * a,
                               atol=1e-15)
