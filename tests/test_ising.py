"""The exact Ising ring sampler against brute-force enumeration and the exact correlations.

Fixed seeds; level alpha = 1e-3 (Bonferroni over the statistics of a test).
"""

from __future__ import annotations

import jax
import numpy as np
import pytest
from scipy import stats

from rflab.data.fields import Lattice
from rflab.data.ising import Ising, bond_table, enumerate_ring, ring_correlation

ALPHA = 1e-3


def state_index(s: np.ndarray) -> np.ndarray:
    """Index of each +-1 row in the order of ``enumerate_ring`` (itertools.product((-1, 1)))."""
    bits = (np.asarray(s) > 0).astype(np.int64)
    return bits @ (1 << np.arange(s.shape[1])[::-1])


def chi_square_p(counts: np.ndarray, probs: np.ndarray, min_expected: float = 5.0) -> float:
    """Pearson goodness-of-fit p-value, pooling the states with fewer than ``min_expected`` counts."""
    expected = probs * counts.sum()
    small = expected < min_expected
    obs = np.append(counts[~small], counts[small].sum())
    exp = np.append(expected[~small], expected[small].sum())
    if exp[-1] == 0:
        obs, exp = obs[:-1], exp[:-1]
    return float(stats.chisquare(obs, exp).pvalue)


def test_bond_table_closes_the_ring():
    for J in (0.0, 0.3, 0.7, 5.0, 100.0):
        table = bond_table(12, J)
        assert np.all((table >= 0) & (table <= 1))
        assert table[-1].tolist() == [1.0, 0.0]
    np.testing.assert_allclose(bond_table(12, 0.0)[:-1], 0.5)


@pytest.mark.parametrize("N", [3, 7, 8])
@pytest.mark.parametrize("J", [0.0, 0.3, 0.7, 2.0])
def test_correlation_formula_matches_enumeration(N, J):
    states, probs = enumerate_ring(N, J)
    brute = probs @ (states[:, :1] * states)
    np.testing.assert_allclose(ring_correlation(N, J), brute, atol=1e-12)


def test_sampler_matches_the_exact_distribution_over_all_states():
    """Chi-square over all 2^8 states for both couplings; the same counts reject a 10% wrong J."""
    N, n = 8, 200_000
    model = Ising(Lattice(N), (0.3, 0.7))
    for c, J in enumerate(model.J):
        s = np.asarray(model.sample_class(jax.random.PRNGKey(10 + c), n, c))
        assert set(np.unique(s)) == {-1.0, 1.0}
        counts = np.bincount(state_index(s), minlength=2**N)
        assert chi_square_p(counts, enumerate_ring(N, J)[1]) > ALPHA / 2
        assert chi_square_p(counts, enumerate_ring(N, 1.1 * J)[1]) < ALPHA


def test_correlations_on_a_large_ring():
    """All pairs at N = 100; each s_i s_j is +-1, so its standard error is sqrt((1 - rho^2) / n)."""
    N, n = 100, 20_000
    model = Ising(Lattice(N), (0.3, 0.7))
    x, y = model.sample(jax.random.PRNGKey(0), 2 * n)
    x, y = np.asarray(x, np.float64), np.asarray(y)
    iu = np.triu_indices(N, k=1)
    for c in (0, 1):
        xc = x[y == c]
        exact = model.covariance(c)[iu]
        z = np.abs((xc.T @ xc / len(xc))[iu] - exact) / np.sqrt((1 - exact**2) / len(xc))
        assert z.max() < stats.norm.isf(ALPHA / (4 * len(exact)))


def test_strong_coupling_freezes_the_ring_without_nans():
    model = Ising(Lattice(40), (20.0, 100.0))
    for c in (0, 1):
        s = np.asarray(model.sample_class(jax.random.PRNGKey(c), 2000, c))
        assert np.all(np.abs(s) == 1.0)
        assert np.all(s == s[:, :1])
        assert 0.4 < np.mean(s[:, 0] > 0) < 0.6
        np.testing.assert_allclose(model.kernel(c), 1.0, atol=1e-12)


def test_torus_is_rejected():
    with pytest.raises(ValueError, match="dims=2"):
        Ising(Lattice(8, 2))
