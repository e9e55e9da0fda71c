"""Data models: FFT sampling is exact, sampled statistics match the exact ones, labels are honest.

Statistical tests use fixed seeds and a family-wise level alpha = 1e-3: a statistic fails when its
z-score (error over a standard error estimated from the same samples) exceeds the Bonferroni
bound for the number of statistics compared. Kurtosis is tested only where the eighth moment is
finite (its standard error needs it), so Kur(5) is tested for covariance and variance only.
"""

from __future__ import annotations

from functools import cache

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from rflab.config import ConfigError
from rflab.data import registry as models
from rflab.data.fields import (
    DENSE_SITES,
    Elliptical,
    Gaussian,
    Kur,
    Lattice,
    circulant,
    clone,
    correlate,
    correlated,
    gaussian_kernel,
    kernel_defect,
    root_matrix,
    root_spectrum,
    spectrum,
    white_noise,
)
from rflab.data.marginals import KurMarginal, kur_abs_quantile

ALPHA = 1e-3
N_SAMPLES = 40_000

RING = {"N": "40"}
TORUS = {"N": "8", "dims": "2", "xi": "1,2"}
CASES = {
    "gaussian": ("gaussian", RING),
    "gaussian-torus": ("gaussian", TORUS),
    "nlgp": ("nlgp", RING | {"g": "3"}),
    "nlgp-torus": ("nlgp", TORUS | {"g": "100"}),
    "kur5": ("kur", RING | {"k": "5"}),
    "kur10-torus": ("kur", TORUS | {"k": "10"}),
    "shell": ("elliptical", RING | {"radial": "shell"}),
    "custom": ("elliptical", RING | {"radial": "custom"}),
    "t10": ("elliptical", RING | {"radial": "t", "nu": "10"}),
    "ising": ("ising", RING),
    "nlgp-clone": ("nlgp-clone", RING | {"g": "3"}),
    "kur-clone": ("kur-clone", RING | {"k": "5"}),
    "ising-clone": ("ising-clone", RING),
}
FINITE_EIGHTH_MOMENT = [c for c in CASES if c != "kur5"]


def zcrit(m: int) -> float:
    """Two-sided Bonferroni critical z for m statistics at family-wise level ALPHA."""
    return float(stats.norm.isf(ALPHA / (2 * m)))


@cache
def batch(case: str):
    """The model of ``case`` and a two-class batch of N_SAMPLES (seed 0), drawn once per session."""
    name, overrides = CASES[case]
    model = models.create(name, overrides)
    x, y = model.sample(jax.random.PRNGKey(0), N_SAMPLES)
    return model, np.asarray(x), np.asarray(y)


def draw(case: str):
    """``batch(case)`` with x in float64."""
    model, x, y = batch(case)
    return model, x.astype(np.float64), y


@pytest.mark.parametrize("case", list(CASES))
def test_class_covariances_match_exact(case):
    model, x, y = draw(case)
    assert x.shape == (N_SAMPLES, model.dim)
    iu = np.triu_indices(model.dim)
    for c in (0, 1):
        xc = x[y == c]
        n = len(xc)
        second = (xc.T @ xc / n)[iu]
        sq = xc**2
        se = np.sqrt(np.clip((sq.T @ sq / n)[iu] - second**2, 0, None) / n)
        error = np.abs(second - model.covariance(c)[iu])
        random = se > 1e-6
        np.testing.assert_allclose(error[~random], 0, atol=1e-5)
        assert np.max(error[random] / se[random]) < zcrit(2 * random.sum())


@pytest.mark.parametrize("case", FINITE_EIGHTH_MOMENT)
def test_marginal_variance_and_kurtosis_match_exact(case):
    model, x, _ = draw(case)
    a, b = np.mean(x**4, axis=1), np.mean(x**2, axis=1)
    n = len(x)
    kurt = a.mean() / b.mean() ** 2
    grad = np.array([1 / b.mean() ** 2, -2 * a.mean() / b.mean() ** 3])
    se_kurt = np.sqrt(grad @ np.cov(a, b) @ grad / n)
    se_var = b.std(ddof=1) / np.sqrt(n)
    for value, exact, se in ((kurt, model.kurtosis, se_kurt), (b.mean(), model.variance, se_var)):
        if se < 1e-9:
            assert value == pytest.approx(exact, abs=1e-6)
        else:
            assert abs(value - exact) / se < zcrit(2)


def test_kur5_variance_matches_exact():
    model, x, _ = draw("kur5")
    b = np.mean(x**2, axis=1)
    assert abs(b.mean() - 1.0) / (b.std(ddof=1) / np.sqrt(len(b))) < zcrit(1)
    assert model.kurtosis == pytest.approx(4.2853, abs=1e-4)


def test_nlgp_has_unit_variance_for_every_gain():
    for g in (0.01, 1.0, 100.0):
        model = models.create("nlgp", {"N": "40", "g": str(g)})
        assert model.variance == 1.0
        assert np.allclose(np.diag(model.covariance(0)), 1.0, atol=1e-12)


ROOT_CASES = [
    (Lattice(40), gaussian_kernel(Lattice(40), 3.0)),
    (Lattice(9, 2), gaussian_kernel(Lattice(9, 2), 1.5)),
    (Lattice(8, 2), Kur(Lattice(8, 2), (1.0, 2.0), 5.0).kernel(1)),
]


@pytest.mark.parametrize(("lattice", "kernel"), ROOT_CASES)
def test_fft_square_root_has_exactly_the_covariance(lattice, kernel):
    basis = jnp.eye(lattice.size, dtype=jnp.float32).reshape(lattice.size, *lattice.shape)
    root = np.asarray(correlate(basis, root_spectrum(kernel)), np.float64).reshape(lattice.size, -1)
    np.testing.assert_allclose(root, root.T, atol=1e-6)
    np.testing.assert_allclose(root @ root.T, circulant(kernel), atol=2e-6)


@pytest.mark.parametrize(("lattice", "kernel"), ROOT_CASES)
def test_the_dense_root_is_the_ffts_map_and_squares_to_the_covariance(lattice, kernel):
    dense = root_matrix(kernel).astype(np.float64)
    basis = jnp.eye(lattice.size, dtype=jnp.float32).reshape(lattice.size, *lattice.shape)
    np.testing.assert_allclose(dense, np.asarray(correlate(basis, root_spectrum(kernel))).reshape(lattice.size, -1),
                               atol=1e-6)
    np.testing.assert_array_equal(dense, dense.T)
    np.testing.assert_allclose(dense @ dense, circulant(kernel), atol=1e-6)


@pytest.mark.parametrize("lattice", [Lattice(40), Lattice(20, 2), Lattice(21, 2)])
def test_correlated_gives_the_ffts_fields_by_either_branch(lattice):
    """At most DENSE_SITES sites by the dense root, past it by the FFT: the same fields to float32
    rounding, with one kernel or a kernel per row's class."""
    kernels = (gaussian_kernel(lattice, 1.0), gaussian_kernel(lattice, 2.0))
    white = jax.random.normal(jax.random.PRNGKey(0), (64, *lattice.shape), jnp.float32)
    y = jnp.arange(64) % 3 == 0
    fft = [np.asarray(correlate(white, root_spectrum(k))).reshape(64, -1) for k in kernels]
    np.testing.assert_allclose(correlated(white, kernels[:1]), fft[0], atol=1e-5)
    np.testing.assert_allclose(correlated(white, kernels, y), np.where(np.asarray(y)[:, None], fft[1], fft[0]),
                               atol=1e-5)
    dense = lattice.size <= DENSE_SITES
    assert dense == (lattice != Lattice(21, 2))
    exact = np.array_equal(np.asarray(correlated(white, kernels[:1])), fft[0])
    assert exact != dense  # the FFT branch is the FFT itself; the dense product rounds otherwise


def test_white_noise_is_standard_normal_independent_and_reproducible():
    key = jax.random.PRNGKey(3)
    drawn = white_noise(key, (2000, 500))
    assert drawn.dtype == jnp.float32 and np.array_equal(drawn, white_noise(key, (2000, 500)))
    z = np.asarray(drawn, np.float64)
    assert stats.kstest(z.ravel()[:200_000], "norm").pvalue > 1e-3
    flat = z.ravel()
    assert abs(flat.mean()) < 5 / 1000 and abs(flat.var() - 1) < 5e-3 and abs(stats.kurtosis(flat)) < 0.02
    assert abs(np.corrcoef(flat[:-1], flat[1:])[0, 1]) < 5e-3  # neighbours uncorrelated
    other = np.asarray(white_noise(jax.random.PRNGKey(4), (2000, 500)), np.float64).ravel()
    assert abs(np.corrcoef(flat, other)[0, 1]) < 5e-3
    assert not np.array_equal(np.asarray(white_noise(key, (4,))), np.asarray(jax.random.normal(key, (4,))))


def test_gaussian_kernel_is_the_target_when_psd_and_clipped_otherwise():
    ring = Lattice(40)
    target = np.exp(-ring.squared_distance() / 9.0)
    np.testing.assert_allclose(gaussian_kernel(ring, 3.0), target, atol=1e-14)
    small = Lattice(12)
    assert spectrum(np.exp(-small.squared_distance() / 25.0)).min() < -0.1
    clipped = gaussian_kernel(small, 5.0)
    assert spectrum(clipped).min() > -1e-12
    assert clipped[0] == 1.0
    assert 1e-3 < kernel_defect(small, 5.0) < 0.1


def test_circulant_layout_on_the_torus():
    kernel = np.arange(9.0).reshape(3, 3)
    full = circulant(kernel)
    assert full[0].tolist() == kernel.ravel().tolist()
    assert full[4, 5] == kernel[0, 1] and full[4, 7] == kernel[1, 0] and full[5, 3] == kernel[0, 1]


def test_shell_samples_lie_on_the_ellipsoid():
    model = Elliptical(Lattice(40), (1.0, 3.0), "shell")
    x = np.asarray(model.sample_class(jax.random.PRNGKey(3), 500, 0), np.float64)
    mahalanobis = np.einsum("ni,ij,nj->n", x, np.linalg.inv(model.covariance(0)), x)
    np.testing.assert_allclose(mahalanobis, model.dim, rtol=2e-4)


def test_labels_are_balanced_and_reshuffled_every_batch():
    model = Gaussian(Lattice(16))
    _, y1 = model.sample(jax.random.PRNGKey(0), 101)
    _, y2 = model.sample(jax.random.PRNGKey(1), 101)
    x3, y3 = model.sample(jax.random.PRNGKey(0), 101)
    assert y1.dtype == jnp.float32 and x3.dtype == jnp.float32
    assert int(jnp.sum(y1 == 0)) == 50 and int(jnp.sum(y1 == 1)) == 51
    assert not np.array_equal(y1, y2)
    np.testing.assert_array_equal(y1, y3)


def test_sampler_can_be_closed_over_in_jit():
    model = models.create("kur", {"N": "16"})
    fn = jax.jit(lambda key: model.sample(key, 32))
    x, y = fn(jax.random.PRNGKey(0))
    assert x.shape == (32, 16) and y.shape == (32,)
    assert hash(model) == hash(models.create("kur", {"N": "16"}))


def test_kur_float32_transform_is_finite_and_accurate():
    """Finite far beyond any float32 normal draw (|z| < 6): Q_k only overflows float32 past |z| ~ 21."""
    z = np.array([0.0, 1e-30, 1e-3, 0.5, 1.0, 1.0001, 3.0, 6.0, 9.0, 13.0, 20.0])
    for k in (2.5, 5.0, 30.0):
        x32 = np.asarray(kur_abs_quantile(jnp.asarray(z, jnp.float32), k, jnp))
        assert np.all(np.isfinite(x32)) and np.all(np.diff(x32) >= 0)
        x64 = KurMarginal(k).transform(z) * KurMarginal(k).scale
        np.testing.assert_allclose(x32, x64, rtol=2e-5, atol=1e-30)


def test_clone_has_the_covariance_of_its_original():
    original = Kur(Lattice(8, 2), (1.0, 2.0), 5.0)
    twin = clone(original)
    for c in (0, 1):
        np.testing.assert_array_equal(twin.kernel(c), original.kernel(c))
    assert twin.kurtosis == pytest.approx(3.0) and twin.label == "kur-clone"
    assert not np.allclose(original.kernel(1), gaussian_kernel(Lattice(8, 2), 2.0), atol=1e-3)


@pytest.mark.parametrize(
    ("name", "overrides", "field"),
    [
        ("nlgp", {"g": "0"}, "g="),
        ("nlgp", {"g": "-1"}, "g="),
        ("kur", {"k": "2"}, "k="),
        ("elliptical", {"radial": "t", "nu": "1.5"}, "nu="),
        ("gaussian", {"xi": "0,3"}, "xi["),
        ("gaussian", {"xi": "1"}, "xi="),
        ("kur", {"N": "1"}, "N="),
        ("elliptical", {"radial": "cube"}, "radial="),
        ("ising", {"dims": "2"}, "dims="),
        ("gaussian", {"g": "1"}, "'g'"),
        ("sphere", {}, "'sphere'"),
    ],
)
def test_bad_parameters_give_one_line_errors(name, overrides, field):
    with pytest.raises(ConfigError) as err:
        models.create(name, overrides)
    message = str(err.value)
    assert "\n" not in message and field in message
