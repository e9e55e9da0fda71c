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
    Marginal,
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


def sign_moment_monte_carlo(x: np.ndarray, a: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """E[sign(a X + sqrt(1 - a^2) G) X], G ~ N(0, 1) independent of X, with its standard error.

    The definition phi stands for (the class-1 sign moment under the conditional-Gaussian
    approximation), estimated without erf, so it shares no formula with ``amp.phi``.
    """
    g = np.random.default_rng(seed).standard_normal((len(a), len(x)))
    vals = np.sign(a[:, None] * x + np.sqrt(1 - a[:, None] ** 2) * g) * x
    return vals.mean(axis=1), vals.std(axis=1, ddof=1) / math.sqrt(len(x))


SIGN_MOMENT_A = np.array([-0.9, -0.5, 0.2, 0.5, 0.8, 0.95])
SIGN_MOMENT_ROWS = 400_000


def test_gaussian_closed_form_agrees_with_quadrature_and_monte_carlo() -> None:
    """sqrt(2/pi) a against the generic quadrature and two Monte Carlo estimates from normal samples."""
    a = np.linspace(-1, 1, 41)
    closed = amp.phi(NormalMarginal(), a)
    np.testing.assert_allclose(amp.phi_quadrature(NormalMarginal(), a), closed, atol=1e-14)
    x = np.random.default_rng(1).standard_normal(SIGN_MOMENT_ROWS)
    mc, se = sign_moment_monte_carlo(x, SIGN_MOMENT_A)
    assert np.all(np.abs(mc - amp.phi(NormalMarginal(), SIGN_MOMENT_A)) < 4.5 * se)
    # power: the slope without its sqrt(2/pi) (phi = a) is far outside the error
    assert np.all(np.abs(mc - SIGN_MOMENT_A) > 20 * se)
    erf_mc, erf_se = amp.phi_monte_carlo(x[:, None], SIGN_MOMENT_A)
    assert np.all(np.abs(erf_mc - amp.phi(NormalMarginal(), SIGN_MOMENT_A)) < 4.5 * erf_se)


def test_binary_closed_form_agrees_with_quadrature_and_monte_carlo() -> None:
    """erf(a / sqrt(2(1 - a^2))) for +-1 spins against the quadrature over the two atoms and the sign moment."""
    a = np.linspace(-1, 1, 41)
    np.testing.assert_allclose(amp.phi_quadrature(SignMarginal(), a), amp.phi(SignMarginal(), a), atol=1e-15)
    assert amp.phi(SignMarginal(), np.array([1.0, -1.0])).tolist() == [1.0, -1.0]
    x = np.random.default_rng(2).choice([-1.0, 1.0], SIGN_MOMENT_ROWS)
    mc, se = sign_moment_monte_carlo(x, SIGN_MOMENT_A)
    assert np.all(np.abs(mc - amp.phi(SignMarginal(), SIGN_MOMENT_A)) < 4.5 * se)
    # power: the Gaussian line is rejected wherever the cubic term is not small (|a| >= 1/2)
    far = np.abs(SIGN_MOMENT_A) >= 0.5
    assert np.all(np.abs(mc - amp.SQRT_2_PI * SIGN_MOMENT_A)[far] > 10 * se[far])


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
def test_cubic_coefficient_matches_the_quadrature_at_small_a(name: str) -> None:
    """(phi(a) - sqrt(2/pi) a) / a^3 by quadrature at small a against ``cubic_coefficient`` (sixth moment finite)."""
    marginal = MARGINALS[name]
    a = 1e-3
    numeric = (amp.phi_quadrature(marginal, np.array([a]))[0] - amp.SQRT_2_PI * a) / a**3
    assert numeric == pytest.approx(amp.cubic_coefficient(marginal.kurtosis), rel=1e-4, abs=1e-8)


def test_cubic_coefficient_with_an_infinite_sixth_moment_converges_as_a_shrinks() -> None:
    """Kur(5): E X^6 = inf, so the next term is O(a^4), not O(a^5); the estimate still converges."""
    marginal = KurMarginal(5.0)
    expected = amp.cubic_coefficient(marginal.kurtosis)
    errors = [abs((amp.phi_quadrature(marginal, np.array([a]))[0] - amp.SQRT_2_PI * a) / a**3 - expected)
              for a in (1e-2, 1e-3, 1e-4)]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1e-3 * abs(expected)


TAYLOR_MARGINALS = {
    "nlgp-0.3": NLGPMarginal(0.3),
    "nlgp-1": NLGPMarginal(1.0),
    "nlgp-3": NLGPMarginal(3.0),
    "nlgp-100": NLGPMarginal(100.0),
    "kur-10": KurMarginal(10.0),
    "kur-30": KurMarginal(30.0),
    "ising": SignMarginal(),
}
SMALL_A = np.array([0.01, 0.02, 0.04, 0.08])


def fitted_cubic(marginal: Marginal) -> float:
    """The a^3 coefficient of a least-squares fit c3 a^3 + c5 a^5 + c7 a^7 to phi - sqrt(2/pi) a at small a."""
    residual = amp.phi_quadrature(marginal, SMALL_A) - amp.SQRT_2_PI * SMALL_A
    design = np.stack([SMALL_A**3, SMALL_A**5, SMALL_A**7], axis=1)
    return float(np.linalg.lstsq(design, residual, rcond=None)[0][0])


def wrong_cubics(kurtosis: float) -> dict[str, float]:
    """Plausible mistakes in the a^3 coefficient: sqrt(2/pi) dropped, sign flipped, kurtosis not excess."""
    return {"no sqrt(2/pi)": -(kurtosis - 3) / 6, "sign": amp.SQRT_2_PI * (kurtosis - 3) / 6,
            "kurtosis": -amp.SQRT_2_PI * kurtosis / 6}


def residual_order(marginal: Marginal, cubic: float) -> np.ndarray:
    """log2 of |r(2a) / r(a)| for r = phi - sqrt(2/pi) a - cubic a^3: the order of the first term left."""
    r = amp.phi_quadrature(marginal, SMALL_A) - amp.SQRT_2_PI * SMALL_A - cubic * SMALL_A**3
    return np.log2(np.abs(r[1:] / r[:-1]))


@pytest.mark.parametrize("name", list(TAYLOR_MARGINALS))
def test_cubic_coefficient_is_the_a3_term_fitted_to_the_quadrature(name: str) -> None:
    """The fitted a^3 term of the quadrature phi is ``cubic_coefficient``; each wrong constant is 25 % or more off."""
    marginal = TAYLOR_MARGINALS[name]
    fitted = fitted_cubic(marginal)
    assert amp.cubic_coefficient(marginal.kurtosis) == pytest.approx(fitted, rel=1e-6)
    for label, wrong in wrong_cubics(marginal.kurtosis).items():
        assert abs(wrong - fitted) > 0.2 * abs(fitted), label


@pytest.mark.parametrize("name", list(TAYLOR_MARGINALS))
def test_phi_minus_its_taylor_form_is_fifth_order(name: str) -> None:
    """phi - phi_taylor shrinks as a^5 (32-fold per halving of a); with a wrong cubic only as a^3."""
    marginal = TAYLOR_MARGINALS[name]
    kurtosis = marginal.kurtosis
    r = amp.phi_quadrature(marginal, SMALL_A) - amp.phi_taylor(kurtosis, SMALL_A)
    np.testing.assert_allclose(np.log2(np.abs(r[1:] / r[:-1])), 5.0, atol=0.05)
    np.testing.assert_allclose(residual_order(marginal, amp.cubic_coefficient(kurtosis)), 5.0, atol=0.05)
    for label, wrong in wrong_cubics(kurtosis).items():
        assert np.all(np.abs(residual_order(marginal, wrong) - 3.0) < 0.05), label


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
