"""Direct checks behind the report's claims that need no training: data statistics (Fig. 2 and the
exact values of docs/localization.md), the amplifier by quadrature and Monte Carlo against its closed
forms, its Taylor coefficient, the dipole's half-turn, the IPR of random weights, the speed of NLGP
sampling against the authors' procedure, and the authors' procedure itself as reconstructed in
``rflab.lufkin_code`` (their label order, their Kur quantile in float32). Seeded;
seconds on a CPU."""

from __future__ import annotations

import math
from typing import Any

import jax
import numpy as np
from scipy import special

from rflab.schema import Schema

FIG2_SAMPLES = 10_000
KUR_TAILS = (5.0, 6.0, 8.0, 10.0, 30.0)
AMPLIFIER_AT = 0.8
AMPLIFIER_GRID = (0.1, 0.3, 0.5, 0.7, 0.9)
SMALL_A = (0.05, 0.1)


class SampledField(Schema):
    """One of Fig. 2's models: exact against sampled kurtosis and covariance at distances 0-5."""

    kurtosis_exact: float
    kurtosis_sampled: float
    covariance_exact: list[float]
    covariance_sampled: list[float]
    covariance_max_gap: float


class Kurtosis(Schema):
    """Exact kurtosis of Kur(k) and NLGP(g), keyed by k and g."""

    kur: dict[str, float]
    nlgp: dict[str, float]


class PhiAt(Schema):
    """phi(a) at the check's a, its Taylor form and the law's excess kurtosis."""

    phi: float
    taylor: float
    excess_kurtosis: float


class Cubic(Schema):
    """The a^3 coefficient of phi from quadrature, the formula with sqrt(2/pi), and without it."""

    numerical: float
    formula: float
    without_sqrt_2_pi: float
    slope: float


class MonteCarlo(Schema):
    """phi(a) by Monte Carlo with its standard error, and by quadrature."""

    phi: float
    se: float
    quadrature: float


class GaussianPhi(Schema):
    """The Gaussian amplifier on a grid: the line sqrt(2/pi) a, quadrature and Monte Carlo."""

    a: list[float]
    line: list[float]
    quadrature: list[float]
    monte_carlo: list[float]
    se: list[float]
    samples: int


class BinaryPhi(Schema):
    """The binary (Ising) amplifier on a grid: quadrature against its closed form."""

    a: list[float]
    quadrature: list[float]
    closed_form: list[float]


class Amplifier(Schema):
    """The amplifier's checks (``amplifier``)."""

    a: float
    gaussian_line: float
    phi: dict[str, PhiAt]
    cubic: dict[str, Cubic]
    monte_carlo: dict[str, MonteCarlo]
    gaussian: GaussianPhi
    binary: BinaryPhi


class HalfTurn(Schema):
    """A dipole against itself turned by pi: the largest |sum| and |difference| of the images."""

    max_sum: float
    max_difference: float


class RandomIPR(Schema):
    """The mean IPR of Gaussian random vectors against 3 / (N + 2) and 3 / N."""

    N: int
    draws: int
    mean: float
    three_over_n_plus_2: float
    three_over_n: float


class SamplingSpeed(Schema):
    """rflab's FFT sampler against the authors' dense procedure."""

    batch: int
    sites: int
    fft_seconds: float
    dense_seconds: float
    ratio: float


class LabelOrder(Schema):
    """Labels of two consecutive batches of the authors' indexed dataset."""

    batch: int
    differ: float
    class1: float


class KurFloat32(Schema):
    """The authors' float32 Kur quantile: where it is infinite, how often a run meets that, and what one
    SGD step on such an input does."""

    k: float
    z_infinite: float
    tail: float
    draws: float
    expected_infinite: float
    step_nan: bool
    rflab_finite: bool


class AuthorsCode(Schema):
    """The authors' procedure as reconstructed in ``rflab.lufkin_code``."""

    label_order: LabelOrder
    kur_float32: KurFloat32


class Checks(Schema):
    """Every direct check (``measure``), as ``checks-SCALE.json`` holds them."""

    fig2: dict[str, SampledField]
    marginals: Kurtosis
    amplifier: Amplifier
    dipole_half_turn: HalfTurn
    random_ipr: RandomIPR
    sampling_speed: SamplingSpeed
    authors_code: AuthorsCode


def moments(x: np.ndarray) -> dict[str, float]:
    """Pooled mean, variance and kurtosis E x^4 / (E x^2)^2 of every site."""
    x = np.asarray(x, np.float64)
    m2 = float(np.mean(x**2))
    return {"mean": float(x.mean()), "variance": m2, "kurtosis": float(np.mean(x**4) / m2**2)}


def fig2_statistics() -> dict[str, Any]:
    """Fig. 2's models (N = 100, J = 0.3, xi = 1, 10^4 samples, seed 0; ``figures.lufkin_fig2``): exact
    against sampled kurtosis and the largest gap between the exact and the sampled covariance at
    distances 0-5 (averaged over sites)."""
    from rflab.data.fields import Gaussian, Kur, Lattice
    from rflab.data.ising import Ising
    from rflab.figures.lufkin_fig2 import XI

    lattice = Lattice(100)
    models = {"ising J=0.3": (Ising(lattice, (0.3, 0.7)), 0), f"gaussian xi={XI:g}": (Gaussian(lattice, (XI, 3.0)), 0),
              f"kur(5) xi={XI:g}": (Kur(lattice, (XI, 3.0), 5.0), 0)}
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
    """Exact Kur(k) kurtosis (Beta functions) at the k of docs/localization.md section 2, and NLGP's (quadrature)
    at small and large gain."""
    from rflab.data.marginals import KurMarginal, NLGPMarginal

    return {"kur": {f"{k:g}": float(KurMarginal(k).kurtosis) for k in KUR_TAILS},
            "nlgp": {f"{g:g}": float(NLGPMarginal(g).kurtosis) for g in (0.01, 100.0)}}


def amplifier() -> dict[str, Any]:
    """phi(0.8) for four laws against the Gaussian line and the Taylor form; the a^3 coefficient of
    phi read off quadrature at small a against -sqrt(2/pi) (kappa - 3) / 6 (with and without the
    sqrt(2/pi)); quadrature against Monte Carlo for Kur(5) and NLGP g = 100."""
    from rflab.data.registry import create
    from rflab.theory import amplifier as amp

    laws = {"gaussian": create("gaussian", {}), "ising": create("ising", {}),
            "nlgp g=100": create("nlgp", {"g": 100.0}), "kur(5)": create("kur", {"k": 5.0}),
            "kur(10)": create("kur", {"k": 10.0}), "nlgp g=1": create("nlgp", {"g": 1.0})}
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
    grid = np.array(AMPLIFIER_GRID)
    white = np.asarray(laws["gaussian"].sample_class(jax.random.PRNGKey(3), 20_000, 1))
    mc, se = amp.phi_monte_carlo(white, grid)
    gaussian = {"a": grid.tolist(), "line": (math.sqrt(2 / math.pi) * grid).tolist(),
                "quadrature": amp.phi_quadrature(laws["gaussian"].marginal, grid).tolist(),
                "monte_carlo": np.asarray(mc).tolist(), "se": np.asarray(se).tolist(), "samples": white.size}
    binary = {"a": grid.tolist(), "quadrature": amp.phi_quadrature(laws["ising"].marginal, grid).tolist(),
              "closed_form": special.erf(grid / np.sqrt(2 * (1 - grid**2))).tolist()}
    return {"a": AMPLIFIER_AT, "gaussian_line": math.sqrt(2 / math.pi) * AMPLIFIER_AT, "phi": at, "cubic": cubic,
            "monte_carlo": monte_carlo, "gaussian": gaussian, "binary": binary}


def half_turn() -> dict[str, float]:
    """A dipole turned by pi against the same dipole: the largest |x(theta + pi) + x(theta)| (zero if a
    half-turn negates the image) and |x(theta + pi) - x(theta)| (zero if it left the image unchanged)."""
    import jax.numpy as jnp

    from rflab.data import dipoles

    lat = dipoles.sample_latents(jax.random.PRNGKey(0), 200)
    turned = lat.at[:, 2].add(jnp.pi)
    a, b = np.asarray(dipoles.render(lat)), np.asarray(dipoles.render(turned))
    return {"max_sum": float(np.max(np.abs(a + b))), "max_difference": float(np.max(np.abs(a - b)))}


def random_ipr(n: int = 40, draws: int = 20_000) -> dict[str, float]:
    """Mean IPR of Gaussian random weight vectors of n sites, against 3 / (n + 2) and 3 / n."""
    from rflab.metrics.receptive_fields import ipr

    w = np.random.default_rng(0).normal(size=(draws, n))
    return {"N": n, "draws": draws, "mean": float(np.mean(ipr(w))), "three_over_n_plus_2": 3 / (n + 2),
            "three_over_n": 3 / n}


def authors_code() -> dict[str, Any]:
    """The authors' procedure as reconstructed in ``rflab.lufkin_code``: the labels of two consecutive
    batches of their indexed dataset, and their float32 Kur(5) quantile: where it becomes infinite, how
    many such inputs their Fig. 3 run (2000 steps of batch 10^4, both classes drawn for every index,
    N = 40) meets in expectation, and what one SGD step of their loss does with one of them in the batch."""
    import jax.numpy as jnp

    from rflab import lufkin_code as proc
    from rflab.data.marginals import kur_abs_quantile

    n, batch = 40, 1000
    data = proc.IndexedDataset(jax.random.PRNGKey(0), proc.nlgp_sampler(n, (1.0, 3.0), 100.0))
    y0, y1 = (np.asarray(data.batch(start, batch)[1]) for start in (0, batch))
    k, steps, draws_per_step = 5.0, 2000, 2 * 10_000 * n
    z = jnp.arange(4.0, 8.0, 1e-3, dtype=jnp.float32)
    infinite = z[~np.isfinite(np.asarray(proc.kur_quantile_float32(z, k)))]
    z_inf = float(infinite[0])
    tail = float(special.erfc(z_inf / math.sqrt(2)))
    x = jax.random.normal(jax.random.PRNGKey(1), (64, n)).at[0, 0].set(z_inf)
    x = proc.kur_quantile_float32(x, k)
    w = 1e-2 * jax.random.normal(jax.random.PRNGKey(2), (1, n))
    grads = jax.grad(proc.neuron_loss)(w, x, jnp.arange(64) % 2)
    ours = np.asarray(kur_abs_quantile(jnp.asarray([z_inf, 8.0], jnp.float32), k, jnp))
    return {"label_order": {"batch": batch, "differ": float(np.mean(y0 != y1)), "class1": float(np.mean(y0))},
            "kur_float32": {"k": k, "z_infinite": z_inf, "tail": tail, "draws": steps * draws_per_step,
                            "expected_infinite": steps * draws_per_step * tail,
                            "step_nan": not bool(np.all(np.isfinite(np.asarray(w - 0.05 * grads)))),
                            "rflab_finite": bool(np.all(np.isfinite(ours)))}}


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
            "dipole_half_turn": half_turn(), "random_ipr": random_ipr(), "sampling_speed": sampling_speed(),
            "authors_code": authors_code()}
