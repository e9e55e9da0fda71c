"""Direct checks behind the report's claims that need no training: data statistics (Fig. 2 and the
science page's numbers), the amplifier's closed forms and Taylor coefficient, the dipole's half-turn,
the label order of batches, the IPR of random weights, Kur's quantile transform in float32, and
the speed of NLGP sampling against the authors' procedure. Seeded; seconds on a CPU."""

from __future__ import annotations

import math
from typing import Any

import jax
import numpy as np

FIG2_SAMPLES = 10_000
KUR_TAILS = (5.0, 6.0, 8.0, 10.0, 30.0)
AMPLIFIER_AT = 0.8
SMALL_A = (0.05, 0.1)


def moments(x: np.ndarray) -> dict[str, float]:
    """Pooled mean, variance and kurtosis E x^4 / (E x^2)^2 of every site."""
    x = np.asarray(x, np.float64)
    m2 = float(np.mean(x**2))
    return {"mean": float(x.mean()), "variance": m2, "kurtosis": float(np.mean(x**4) / m2**2)}


def fig2_statistics() -> dict[str, Any]:
    """Fig. 2's models (N = 100, 10^4 samples, seed 0): exact against sampled kurtosis and the
    largest gap between the exact and the sampled covariance at distances 0-5 (averaged over sites)."""
    from rflab.data.fields import Gaussian, Kur, Lattice
    from rflab.data.ising import Ising

    lattice = Lattice(100)
    models = {"ising J=0.3": (Ising(lattice, (0.3, 0.7)), 0), "gaussian xi=3": (Gaussian(lattice, (1.0, 3.0)), 1),
              "kur(5) xi=3": (Kur(lattice, (1.0, 3.0), 5.0), 1)}
    out = {}
    for (name, (model, c)), key in zip(models.items(), jax.random.split(jax.random.PRNGKey(0), 3), strict=True):
        x = np.asarray(model.sample_class(key, FIG2_SAMPLES, c), np.float64)
        exact = np.asarray(model.covariance(c))[0, :6]
        sampled = np.array([np.mean(x * np.roll(x, -d, axis=1)) for d in range(6)])
        out[name] = {"kurtosis_exact": float(model.kurtosis), "kurtosis_sampled": moments(x)["kurtosis"],
                     "covariance_exact": exact.tolist(), "covariance_sampled": sampled.tolist(),
                     "covariance_max_gap": float(np.max(np.abs(exact - sampled)))}
    return out


def marginal_kurtosis() -> dict[str, Any]:
    """Kur(k) kurtosis by quadrature at the science page's k, and NLGP's at small and large gain."""
    from rflab.data.marginals import KurMarginal, NLGPMarginal

    return {"kur": {f"{k:g}": float(KurMarginal(k).kurtosis) for k in KUR_TAILS},
            "nlgp": {f"{g:g}": float(NLGPMarginal(g).kurtosis) for g in (0.01, 100.0)}}


def amplifier() -> dict[str, Any]:
    """phi(0.8) for four laws against the Gaussian line and the Taylor form; the a^3 coefficient of
    phi read off quadrature at small a against -sqrt(2/pi) (kappa - 3) / 6 (with and without the
    sqrt(2/pi)); quadrature against Monte Carlo for Kur(5) and NLGP g = 100."""
    from rflab.data import models
    from rflab.theory import amplifier as amp

    laws = {"gaussian": models.create("gaussian", {}), "ising": models.create("ising", {}),
            "nlgp g=100": models.create("nlgp", {"g": 100.0}), "kur(5)": models.create("kur", {"k": 5.0}),
            "kur(10)": models.create("kur", {"k": 10.0}), "nlgp g=1": models.create("nlgp", {"g": 1.0})}
    at = {name: {"phi": float(amp.phi(m.marginal, AMPLIFIER_AT)), "taylor": float(amp.phi_taylor(m.kurtosis,
                 AMPLIFIER_AT)), "excess_kurtosis": float(m.excess_kurtosis)} for name, m in laws.items()}
    cubic = {}
    a = np.array(SMALL_A)
    for name in ("kur(10)", "nlgp g=1", "nlgp g=100"):
        m = laws[name]
        values = amp.phi_quadrature(m.marginal, a)
        slope, c3 = np.linalg.solve(np.column_stack([a, a**3]), values)
        cubic[name] = {"numerical": float(c3), "formula": amp.cubic_coefficient(m.kurtosis),
                       "without_sqrt_2_pi": -(m.kurtosis - 3.0) / 6.0, "slope": float(slope)}
    monte_carlo = {}
    for i, name in enumerate(("kur(5)", "nlgp g=100")):
        x = np.asarray(laws[name].sample_class(jax.random.PRNGKey(i + 1), 20_000, 1))
        mc, se = amp.phi_monte_carlo(x, np.array([AMPLIFIER_AT]))
        monte_carlo[name] = {"phi": float(mc[0]), "se": float(se[0]), "quadrature": at[name]["phi"]}
    return {"a": AMPLIFIER_AT, "gaussian_line": math.sqrt(2 / math.pi) * AMPLIFIER_AT, "phi": at, "cubic": cubic,
            "monte_carlo": monte_carlo}


def half_turn() -> dict[str, float]:
    """A dipole turned by pi against the same dipole: the largest |x(theta + pi) + x(theta)| (zero if a
    half-turn negates the image) and |x(theta + pi) - x(theta)| (zero if it left the image unchanged)."""
    import jax.numpy as jnp

    from rflab.data import dipoles

    lat = dipoles.sample_latents(jax.random.PRNGKey(0), 200)
    turned = lat.at[:, 2].add(jnp.pi)
    a, b = np.asarray(dipoles.render(lat)), np.asarray(dipoles.render(turned))
    return {"max_sum": float(np.max(np.abs(a + b))), "max_difference": float(np.max(np.abs(a - b)))}


def label_order() -> dict[str, float]:
    """Share of positions where two batches of 1000 (different keys) carry different labels, and the
    share of class 1 in the first: the authors' batches all carry one label sequence (share 0)."""
    from rflab.data import models

    model = models.create("nlgp", {})
    _, y1 = model.sample(jax.random.PRNGKey(1), 1000)
    _, y2 = model.sample(jax.random.PRNGKey(2), 1000)
    return {"differ": float(np.mean(np.asarray(y1) != np.asarray(y2))), "class1": float(np.mean(np.asarray(y1)))}


def random_ipr(n: int = 40, draws: int = 20_000) -> dict[str, float]:
    """Mean IPR of Gaussian random weight vectors of n sites, against 3 / (n + 2) and 3 / n."""
    from rflab.metrics.receptive_fields import ipr

    w = np.random.default_rng(0).normal(size=(draws, n))
    return {"N": n, "mean": float(np.mean(ipr(w))), "three_over_n_plus_2": 3 / (n + 2), "three_over_n": 3 / n}


def kur_tail(k: float = 5.0, z: tuple[float, ...] = (5.0, 5.2, 5.4, 5.6, 6.0, 8.0)) -> dict[str, Any]:
    """Kur(k)'s quantile transform in float32 at large |z|: the naive (2p - 1) / (1 - |2p - 1|^k)^(1/k)
    with p = (1 + erf(z / sqrt 2)) / 2 (the authors' form) against rflab's ``kur_abs_quantile``."""
    import jax.numpy as jnp
    from jax.scipy.special import erf

    from rflab.data.marginals import kur_abs_quantile

    zz = jnp.asarray(z, jnp.float32)
    q = 2 * ((1 + erf(zz / jnp.sqrt(jnp.float32(2)))) / 2) - 1
    with np.errstate(all="ignore"):
        naive = np.asarray(q / (1 - jnp.abs(q) ** k) ** (1 / k), np.float64)
    ours = np.asarray(kur_abs_quantile(zz, k, jnp), np.float64)
    return {"k": k, "z": list(z), "naive_float32": [float(v) for v in naive], "rflab_float32": ours.tolist()}


def sampling_speed(n: int = 2000, repeat: int = 3) -> dict[str, Any]:
    """A two-class NLGP batch of ``n`` on Fig. 1's 30 x 30 torus (g = 100, xi = (1, 2)): rflab's FFT
    sampler against the authors' procedure (a dense product with the 900 x 900 Cholesky factor for
    each sample, vectorised, both classes drawn for every index and half kept), both jitted and
    compiled first, best of ``repeat``. ``rflab bench data`` is the full benchmark."""
    import jax.numpy as jnp

    from rflab.bench import best_of
    from rflab.data.fields import NLGP, Lattice, circulant, gaussian_kernel
    from rflab.data.marginals import nlgp_norm

    model = NLGP(Lattice(30, 2), (1.0, 2.0), 100.0)
    factors = jnp.asarray(np.stack([np.linalg.cholesky(circulant(gaussian_kernel(model.lattice, xi))
                                                       + 1e-6 * np.eye(model.dim)) for xi in model.xi]), jnp.float32)
    scale = np.float32(1 / nlgp_norm(model.g))

    @jax.jit
    def dense(key: jax.Array) -> jax.Array:
        z = jax.random.normal(key, (2, n, model.dim))
        x = jax.scipy.special.erf(model.g * jnp.einsum("cij,cnj->cni", factors, z)) * scale
        return jnp.concatenate([x[0, : n // 2], x[1, : n // 2]])

    fft = jax.jit(lambda key: model.sample(key, n)[0])

    def best(fn: Any) -> float:
        key = jax.random.PRNGKey(0)
        jax.block_until_ready(fn(key))  # compile first
        return best_of(lambda: jax.block_until_ready(fn(key)), repeat)

    ours, theirs = best(fft), best(dense)
    return {"batch": n, "sites": model.dim, "fft_seconds": ours, "dense_seconds": theirs, "ratio": theirs / ours}


def measure() -> dict[str, Any]:
    """Every direct check, as one JSON-able dict."""
    return {"fig2": fig2_statistics(), "marginals": marginal_kurtosis(), "amplifier": amplifier(),
            "dipole_half_turn": half_turn(), "label_order": label_order(), "random_ipr": random_ipr(),
            "kur_tail": kur_tail(), "sampling_speed": sampling_speed()}
