"""Translation-invariant fields on a ring or torus and the data models built on them.

docs/localization.md, section 2. A lattice has N sites per side: a ring (``dims=1``, D = N) or an N x N
torus (``dims=2``, D = N^2, flattened row-major). Every model here is a frozen, hashable
dataclass (safe to close over in ``jax.jit``) with

- ``sample(key, n) -> (x, y)``: a balanced two-class batch, x float32 (n, D), y float32 (n,);
  exactly n // 2 rows of class 0 and n - n // 2 of class 1, in an order permuted by the key;
- ``sample_class(key, n, c) -> x``: n rows of class c alone;
- ``kernel(c)`` / ``covariance(c)``: the exact covariance (float64) as the row of site 0 (lattice
  shape) or as the full circulant (D, D) matrix;
- ``marginal`` (a ``rflab.data.marginals.Marginal``), ``variance``, ``kurtosis``;
- ``base_labelled(key, y)``: base draws whose row i is of class y[i] (online SGD with random labels);
- ``base(key, n, c)`` and ``transform(z, args)``, with ``draw = transform(base, transform_args())``:
  the parameters named in ``shared`` (NLGP's gain, Kur's k) only enter the pointwise transform of
  the base Gaussian field, so models that differ in them can share one base draw (common random
  numbers across a sweep); ``args`` are float32 numbers computed on the host, exactly as ``draw``
  uses them.

Gaussian fields are sampled by FFT: a circulant C = F^H diag(lambda) F, lambda = DFT of its first
row, has the real symmetric square root C^(1/2) = F^H diag(sqrt lambda) F, so
z = irfftn(sqrt(lambda) * rfftn(w)) with w white noise has covariance exactly C, in O(D log D);
on at most ``DENSE_SITES`` sites the same map is applied as a dense (D, D) matrix, faster on a CPU.
The white noise is threefry-4x32's (``white_noise``).
The target kernel exp(-d^2 / xi^2) (circular distance d) is not positive semi-definite on a
finite ring when xi is large against N (e.g. N = 40, xi >= 5): its negative eigenvalues are
clipped to 0 and the kernel rescaled to unit variance, and every exact statistic here refers to
that clipped kernel. ``kernel_defect`` reports the largest change (below 1e-7 for xi <= 5 at
N = 40, ~1e-16 for xi <= 3).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cache, cached_property, partial
from typing import ClassVar

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp
import numpy as np

from rflab.data.marginals import (
    NORMAL_MAX,
    EllipticalMarginal,
    KurMarginal,
    Marginal,
    NLGPMarginal,
    NormalMarginal,
    kur_ratio_table,
)

DENSE_SITES = 400  # fields on at most this many sites are correlated by a dense product (``correlated``)
FIELD_NUMERICS = 4  # 4: threefry-4x32 white noise, dense product up to DENSE_SITES (was threefry-2x32, FFT)


@dataclass(frozen=True)
class Lattice:
    """N sites per side: a ring (dims=1) or an N x N torus (dims=2), flattened row-major."""

    n: int
    dims: int = 1

    def __post_init__(self) -> None:
        if self.n < 2 or self.dims not in (1, 2):
            raise ValueError(f"lattice needs N >= 2 and dims in (1, 2), got N={self.n}, dims={self.dims}")

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.n,) * self.dims

    @property
    def size(self) -> int:
        """D, the input dimension."""
        return self.n**self.dims

    def squared_distance(self) -> np.ndarray:
        """Squared circular (Euclidean on the torus) distance from site 0, lattice shape."""
        d2 = np.minimum(np.arange(self.n), self.n - np.arange(self.n)).astype(np.float64) ** 2
        return d2 if self.dims == 1 else d2[:, None] + d2[None, :]

    def distance(self) -> np.ndarray:
        """Circular distance from site 0 to every site, flattened to (D,)."""
        return np.sqrt(self.squared_distance()).ravel()


def circulant(kernel: np.ndarray) -> np.ndarray:
    """Full (D, D) matrix C_ij = kernel[(j - i) mod N] (per axis) of a translation-invariant kernel."""
    shape = kernel.shape
    idx = np.indices(shape).reshape(len(shape), -1)
    diff = (idx[:, None, :] - idx[:, :, None]) % np.array(shape)[:, None, None]
    return kernel[tuple(diff)]


def spectrum(kernel: np.ndarray) -> np.ndarray:
    """Eigenvalues of the circulant of a symmetric kernel: the real part of its DFT (lattice shape)."""
    return np.fft.fftn(kernel).real


def _half_root(kernel: np.ndarray) -> np.ndarray:
    """sqrt(max(lambda, 0)) on the rfftn half-grid (last axis N // 2 + 1), float64."""
    return np.sqrt(np.clip(spectrum(kernel), 0.0, None))[..., :kernel.shape[-1] // 2 + 1]


def root_spectrum(kernel: np.ndarray) -> np.ndarray:
    """sqrt(max(lambda, 0)) on the rfftn half-grid (last axis N // 2 + 1), float32."""
    return _half_root(kernel).astype(np.float32)


@cache
def gaussian_kernel(lattice: Lattice, xi: float) -> np.ndarray:
    """exp(-d^2 / xi^2) projected onto the PSD cone (negative eigenvalues -> 0), unit diagonal."""
    target = np.exp(-lattice.squared_distance() / xi**2)
    lam = np.clip(spectrum(target), 0.0, None)
    kernel = np.fft.ifftn(lam).real
    return kernel / kernel.flat[0]


def kernel_defect(lattice: Lattice, xi: float) -> float:
    """Largest |clipped - target| entry of the Gaussian kernel (0 up to rounding when PSD)."""
    return float(np.max(np.abs(gaussian_kernel(lattice, xi) - np.exp(-lattice.squared_distance() / xi**2))))


def correlate(white: jax.Array, root: np.ndarray) -> jax.Array:
    """C^(1/2) w for each row of white (n, *shape), given root = ``root_spectrum`` of C."""
    axes = tuple(range(1, white.ndim))
    spec = jnp.fft.rfftn(white, axes=axes) * jnp.asarray(root)
    return jnp.fft.irfftn(spec, s=white.shape[1:], axes=axes)


def root_matrix(kernel: np.ndarray) -> np.ndarray:
    """C^(1/2) as a dense symmetric (D, D) float32 matrix: the FFT's linear map (``correlate``) applied
    to every unit vector, in float64."""
    d, axes = kernel.size, tuple(range(1, kernel.ndim + 1))
    eye = np.eye(d).reshape(d, *kernel.shape)
    return np.fft.irfftn(np.fft.rfftn(eye, axes=axes) * _half_root(kernel), s=kernel.shape, axes=axes).reshape(
        d, d).astype(np.float32)


def correlated(white: jax.Array, kernels: tuple[np.ndarray, ...], y: jax.Array | None = None) -> jax.Array:
    """C^(1/2) w for each row w of ``white`` (n, *lattice shape), flattened to (n, D): C = kernels[0], or
    kernels[y[i]] for row i. Up to ``DENSE_SITES`` sites by a dense product with ``root_matrix`` (on a
    CPU a few times faster than the FFT there, ``rflab bench step``), else by FFT (one pair of
    transforms whatever the rows' classes)."""
    n, d = white.shape[0], math.prod(white.shape[1:])
    if d > DENSE_SITES:
        root = root_spectrum(kernels[0]) if y is None else labelled_roots(kernels, y)
        return correlate(white, root).reshape(n, d)
    flat = white.reshape(n, d)
    if y is None:
        return flat @ root_matrix(kernels[0])
    return jnp.where(y[:, None], flat @ root_matrix(kernels[1]), flat @ root_matrix(kernels[0]))


def white_noise(key: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """Standard normals (float32) for the fields: threefry-4x32 (Salmon et al. 2011), keyed by four
    words drawn from ``key``, then the inverse error function as ``jax.random.normal``. On a CPU a
    third of the time of the default threefry-2x32 for the bits (``rflab bench step``)."""
    words = jax.random.bits(key, (4,), jnp.uint32)
    return jax.random.normal(jax.random.wrap_key_data(words, impl="threefry4x32"), shape, jnp.float32)


def gaussian_field(key: jax.Array, n: int, lattice: Lattice, kernel: np.ndarray) -> jax.Array:
    """n samples (n, D) float32 of the centred Gaussian field with covariance ``kernel``."""
    return correlated(white_noise(key, (n, *lattice.shape)), (kernel,))


def labelled_roots(kernels: tuple[np.ndarray, ...], y: jax.Array) -> jax.Array:
    """Each row's ``root_spectrum``, of the kernel of its class y[i] in {0, 1}: (n, *half-grid)."""
    root0, root1 = (root_spectrum(k) for k in kernels)
    return jnp.where(y.reshape(-1, *(1,) * root0.ndim), root1, root0)


def labelled_field(key: jax.Array, y: jax.Array, lattice: Lattice, kernels: tuple[np.ndarray, np.ndarray]) -> jax.Array:
    """Gaussian fields (n, D) whose row i has covariance ``kernels[y[i]]``: one white draw for the batch
    whatever its classes, half the work of drawing both classes and keeping one."""
    return correlated(white_noise(key, (len(y), *lattice.shape)), kernels, y)


def empirical_kernel(x: np.ndarray, lattice: Lattice) -> np.ndarray:
    """Translation-averaged second moment mean_{samples, i} x_i x_{i+delta}, lattice shape (FFT)."""
    f = np.fft.fftn(np.asarray(x, np.float64).reshape(-1, *lattice.shape), axes=tuple(range(1, lattice.dims + 1)))
    power = np.mean(np.abs(f) ** 2, axis=0)
    return np.fft.ifftn(power).real / lattice.size


def copula_kernel(marginal: Marginal, base: np.ndarray) -> np.ndarray:
    """E[T(z_0) T(z_j)] on the lattice for latent correlations ``base`` (each distinct value once)."""
    values, inverse = np.unique(base, return_inverse=True)
    return marginal.copula_correlation(values)[inverse].reshape(base.shape)


@partial(jax.jit, static_argnums=(0, 2, 3))
def _draw(model: DataModel, key: jax.Array, n: int, c: int) -> jax.Array:
    return model.draw(key, n, c)


@partial(jax.jit, static_argnums=(0, 2))
def _pair(model: DataModel, key: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
    k0, k1, kp = jax.random.split(key, 3)
    n0 = n // 2
    x = jnp.concatenate([model.draw(k0, n0, 0), model.draw(k1, n - n0, 1)])
    y = jnp.concatenate([jnp.zeros(n0, jnp.float32), jnp.ones(n - n0, jnp.float32)])
    perm = jax.random.permutation(kp, n)
    return x[perm], y[perm]


@dataclass(frozen=True)
class DataModel(ABC):
    """A two-class, translation-invariant data model on a lattice (see the module docstring)."""

    lattice: Lattice
    name: ClassVar[str] = "model"
    shared: ClassVar[tuple[str, ...]] = ()  # parameters of ``transform`` alone
    numerics: ClassVar[int] = 1  # version of the sampler's numbers (runs on it are keyed by it)

    @abstractmethod
    def kernel(self, c: int) -> np.ndarray:
        """Exact covariance between site 0 and every site for class c, float64, lattice shape."""

    @abstractmethod
    def draw(self, key: jax.Array, n: int, c: int) -> jax.Array:
        """n samples (n, D) float32 of class c; traceable (``sample_class`` is its jitted form)."""

    @property
    @abstractmethod
    def marginal(self) -> Marginal:
        """The single-site law (the same for both classes)."""

    def base(self, key: jax.Array, n: int, c: int) -> jax.Array:
        """The draw that models differing only in ``shared`` parameters have in common (n, D)."""
        return self.draw(key, n, c)

    def base_labelled(self, key: jax.Array, y: jax.Array) -> jax.Array:
        """Base draws (n, D) whose row i is of class y[i] in {0, 1}, each row independent: here both
        classes are drawn for every row and one kept; models that can do better override it."""
        k0, k1 = jax.random.split(key)
        n = len(y)
        return jnp.where(y[:, None], self.base(k1, n, 1), self.base(k0, n, 0))

    def transform_args(self) -> dict[str, np.ndarray]:
        """The float32 numbers ``transform`` takes (host-computed from the ``shared`` parameters)."""
        return {}

    def transform(self, z: jax.Array, args: dict[str, jax.Array]) -> jax.Array:
        """The samples from the base draw (identity unless the model has ``shared`` parameters)."""
        return z

    @property
    def dim(self) -> int:
        """D, the input dimension."""
        return self.lattice.size

    @property
    def label(self) -> str:
        """Registry name of the model (``nlgp``, ``kur-clone``, ...)."""
        return self.name

    def covariance(self, c: int) -> np.ndarray:
        """Exact (D, D) covariance of class c (all models have zero mean)."""
        return circulant(self.kernel(c))

    @property
    def variance(self) -> float:
        """Exact marginal variance."""
        return self.marginal.variance

    @property
    def kurtosis(self) -> float:
        """Exact marginal kurtosis E x^4 / (E x^2)^2 (inf where the fourth moment diverges)."""
        return self.marginal.kurtosis

    @property
    def excess_kurtosis(self) -> float:
        return self.kurtosis - 3.0

    def sample_class(self, key: jax.Array, n: int, c: int) -> jax.Array:
        """n samples (n, D) float32 of class c in {0, 1} (jitted)."""
        if c not in (0, 1):
            raise ValueError(f"class c={c!r}: expected 0 or 1")
        return _draw(self, key, n, c)

    def sample(self, key: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
        """Balanced two-class batch (x (n, D), y (n,)) in a key-dependent order (jitted)."""
        return _pair(self, key, n)


@dataclass(frozen=True)
class Gaussian(DataModel):
    """x = z ~ N(0, C_c), C_c = exp(-d^2 / xi_c^2) (section 2)."""

    xi: tuple[float, float] = (1.0, 3.0)
    name: ClassVar[str] = "gaussian"
    numerics: ClassVar[int] = FIELD_NUMERICS

    def kernel(self, c: int) -> np.ndarray:
        return gaussian_kernel(self.lattice, self.xi[c])

    def latent(self, key: jax.Array, n: int, c: int) -> jax.Array:
        """The base Gaussian field of class c, (n, D) float32."""
        return gaussian_field(key, n, self.lattice, gaussian_kernel(self.lattice, self.xi[c]))

    def latent_kernels(self) -> tuple[np.ndarray, np.ndarray]:
        """The covariances of the base Gaussian field of the two classes."""
        return gaussian_kernel(self.lattice, self.xi[0]), gaussian_kernel(self.lattice, self.xi[1])

    def base_labelled(self, key: jax.Array, y: jax.Array) -> jax.Array:
        """The base fields of the rows' classes in one draw (``labelled_field``); NLGP and Kur share it,
        as their base is this field."""
        return labelled_field(key, y, self.lattice, self.latent_kernels())

    def draw(self, key: jax.Array, n: int, c: int) -> jax.Array:
        return self.latent(key, n, c)

    @cached_property
    def marginal(self) -> Marginal:
        return NormalMarginal()


@dataclass(frozen=True)
class NLGP(Gaussian):
    """x = erf(g z) / Z(g), Z(g)^2 = (2/pi) arcsin(2 g^2 / (1 + 2 g^2)) (section 2).

    Exact covariance (2 / (pi Z^2)) arcsin(2 g^2 C / (1 + 2 g^2)); kurtosis E erf(g z)^4 / Z^4
    by quadrature, from 3 (g -> 0) to 1 (g -> inf). Ingrosso & Goldt (2022) write
    erf(g z / sqrt 2): their g is this g times sqrt 2.
    """

    g: float = 3.0
    name: ClassVar[str] = "nlgp"
    shared: ClassVar[tuple[str, ...]] = ("g",)

    def kernel(self, c: int) -> np.ndarray:
        return self.marginal.copula_correlation(gaussian_kernel(self.lattice, self.xi[c]))

    def base(self, key: jax.Array, n: int, c: int) -> jax.Array:
        return self.latent(key, n, c)

    def transform_args(self) -> dict[str, np.ndarray]:
        return {"g": np.float32(self.g), "scale": np.float32(1.0 / self.marginal.norm)}

    def transform(self, z: jax.Array, args: dict[str, jax.Array]) -> jax.Array:
        return jsp.erf(args["g"] * z) * args["scale"]

    def draw(self, key: jax.Array, n: int, c: int) -> jax.Array:
        return self.transform(self.base(key, n, c), self.transform_args())

    @cached_property
    def marginal(self) -> NLGPMarginal:
        return NLGPMarginal(self.g)


@dataclass(frozen=True)
class Kur(Gaussian):
    """x_i = Q_k(Phi(z_i)) / s_k through a Gaussian copula (section 2; the authors' "NORTA").

    Q_k(p) = (2p - 1) / (1 - |2p - 1|^k)^(1/k); s_k^2 and the kurtosis are Beta functions
    (``KurMarginal``). Exact covariance E[x_i x_j] = h(C_ij) with h(rho) = sum_n a_n^2 rho^n
    (Mehler), a_n the Hermite coefficients of z -> Q_k(Phi(z)) / s_k by 1-D quadrature. Samples
    evaluate the transform by a table of 2^15 points, several times cheaper than the exact form
    (``rflab bench step``) and no less accurate than that form evaluated in float32 (a
    relative error near 1e-6 for |z| < 6; tested against the exact form in float64).
    """

    k: float = 5.0
    name: ClassVar[str] = "kur"
    shared: ClassVar[tuple[str, ...]] = ("k",)
    numerics: ClassVar[int] = FIELD_NUMERICS  # 2: the quantile by a table of its log; 4: every field's, a ratio table

    def kernel(self, c: int) -> np.ndarray:
        return copula_kernel(self.marginal, gaussian_kernel(self.lattice, self.xi[c]))

    def base(self, key: jax.Array, n: int, c: int) -> jax.Array:
        return self.latent(key, n, c)

    @cached_property
    def z_max(self) -> float:
        """A bound on |z| of the base draws: the largest float32 normal times the L1 norm of the field's
        square-root kernel (the larger class), with a margin of a half for the FFT's rounding."""
        shape = self.lattice.shape
        roots = [np.fft.irfftn(root_spectrum(gaussian_kernel(self.lattice, xi)).astype(np.float64), s=shape,
                               axes=tuple(range(len(shape)))) for xi in self.xi]
        return 1.5 * NORMAL_MAX * max(float(np.abs(r).sum()) for r in roots)

    def transform_args(self) -> dict[str, np.ndarray]:
        table = kur_ratio_table(self.k, self.z_max)
        return {"table": table, "inv_step": np.float32((len(table) - 1) / self.z_max)}

    def transform(self, z: jax.Array, args: dict[str, jax.Array]) -> jax.Array:
        """sign(z) Q_k(Phi(|z|)) / s_k = z ratio(|z|), the ratio interpolated linearly in the table
        (``kur_ratio_table``; past its end, the last segment extended)."""
        table = jnp.asarray(args["table"])
        pos = jnp.abs(z) * args["inv_step"]
        i = jnp.clip(pos.astype(jnp.int32), 0, table.shape[0] - 2)  # in bounds, so the gathers skip their checks
        lo = table.at[i].get(mode="promise_in_bounds")
        return z * (lo + (pos - i) * (table.at[i + 1].get(mode="promise_in_bounds") - lo))

    def draw(self, key: jax.Array, n: int, c: int) -> jax.Array:
        return self.transform(self.base(key, n, c), self.transform_args())

    @cached_property
    def marginal(self) -> KurMarginal:
        return KurMarginal(self.k)


@dataclass(frozen=True)
class Elliptical(Gaussian):
    """x = c r C^(1/2) u, u uniform on the sphere, scaled to unit marginal variance (section 2).

    u = w / |w| for white w, so C^(1/2) u is one FFT. Radial laws: ``shell`` (r = 1), ``custom``
    (r = 2 + artanh U, U ~ U(0, 1); float32 U caps artanh U at 8.7, a tail of probability 6e-8),
    ``t``: x = sqrt((nu - 2) / nu) C^(1/2) w / sqrt(chi2_nu / nu). Covariance exactly C.
    """

    radial: str = "shell"
    nu: float = 3.0
    name: ClassVar[str] = "elliptical"

    def draw(self, key: jax.Array, n: int, c: int) -> jax.Array:
        return self._shaped(key, n, (gaussian_kernel(self.lattice, self.xi[c]),))

    def base_labelled(self, key: jax.Array, y: jax.Array) -> jax.Array:
        return self._shaped(key, len(y), self.latent_kernels(), y)

    def _shaped(self, key: jax.Array, n: int, kernels: tuple[np.ndarray, ...], y: jax.Array | None = None
                ) -> jax.Array:
        """n samples from white noise correlated as ``correlated`` does (one kernel, or one per class y)."""
        k_white, k_radius = jax.random.split(key)
        white = white_noise(k_white, (n, *self.lattice.shape))
        field = correlated(white, kernels, y)
        if self.radial == "t":
            chi2 = jax.random.chisquare(k_radius, self.nu, (n, 1), dtype=jnp.float32)
            return np.float32(math.sqrt((self.nu - 2) / self.nu)) * field * jax.lax.rsqrt(chi2 / self.nu)
        norm = jnp.sqrt(jnp.sum(white.reshape(n, self.dim) ** 2, axis=1, keepdims=True))
        radius = np.float32(self.marginal.scale)
        if self.radial == "custom":
            u = jax.random.uniform(k_radius, (n, 1), dtype=jnp.float32)
            radius = radius * (2.0 + jnp.arctanh(u))
        return radius * field / norm

    @cached_property
    def marginal(self) -> EllipticalMarginal:
        return EllipticalMarginal(self.radial, self.dim, self.nu)


@dataclass(frozen=True)
class GaussianClone(DataModel):
    """A Gaussian with exactly the covariance of ``of`` (circulant too, so sampled by FFT)."""

    of: DataModel
    numerics: ClassVar[int] = FIELD_NUMERICS

    @property
    def label(self) -> str:
        return f"{self.of.label}-clone"

    def kernel(self, c: int) -> np.ndarray:
        return self.of.kernel(c)

    def draw(self, key: jax.Array, n: int, c: int) -> jax.Array:
        return gaussian_field(key, n, self.lattice, self.kernel(c))

    def base_labelled(self, key: jax.Array, y: jax.Array) -> jax.Array:
        return labelled_field(key, y, self.lattice, (self.kernel(0), self.kernel(1)))

    @cached_property
    def marginal(self) -> NormalMarginal:
        return NormalMarginal()


def clone(model: DataModel) -> GaussianClone:
    """The Gaussian clone of ``model``: same (exact) covariance, Gaussian marginals."""
    return GaussianClone(model.lattice, model)
