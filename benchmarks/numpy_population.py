"""Plain NumPy SGD for the RBF-bottleneck population coder: the baseline of ``bench_dipole_3d``.

Written for the benchmark, independently of rflab's JAX code: the seed script's model, loss,
initialisation law, random streams and training loop (one Python iteration per SGD step, a
hand-written backward pass), in float32 so that both sides do the same arithmetic. ``script`` is the
seed script's whole procedure as its command line runs it, for the whole-command comparison: float64
throughout, the training set evaluated after every epoch, the held-out measurements at the end
(``python numpy_population.py SEED [EPOCHS]`` runs it in a process of its own, as a user runs the script).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import numpy as np

SIGMA = 0.18


def render(latents: np.ndarray, width: float = 0.55, size: int = 8, dtype: type = np.float32) -> np.ndarray:
    """Dipole images (n, size * size) for latents (n, 3) = (x, y, theta)."""
    grid = np.arange(size, dtype=np.float64)

    def blob(cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
        d2 = (grid[None, None, :] - cx[:, None, None]) ** 2 + (grid[None, :, None] - cy[:, None, None]) ** 2
        return np.exp(-d2 / (2 * width**2))

    x, y, t = latents.T
    img = blob(x + np.cos(t), y + np.sin(t)) - blob(x - np.cos(t), y - np.sin(t))
    return img.reshape(len(latents), -1).astype(dtype)


def dipoles(seed: int, n: int, theta_max: float = np.pi, dtype: type = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """The seed script's draw: x, y, then theta, each a block of n from default_rng(seed)."""
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(1.5, 5.5, n), rng.uniform(1.5, 5.5, n)
    lat = np.column_stack([x, y, rng.uniform(0.0, theta_max, n)]).astype(dtype)
    return render(lat, dtype=dtype), lat


def grid(n_per_axis: tuple[int, ...] = (9, 5, 5)) -> np.ndarray:
    """Unit positions on a grid over [0.05, 0.95]^K, first axis slowest."""
    axes = [np.linspace(0.05, 0.95, n) for n in n_per_axis]
    return np.stack([m.ravel() for m in np.meshgrid(*axes, indexing="ij")], axis=1)


def init(seed: int, n_in: int = 64, n_hid: int = 64, dim: int = 3, dtype: type = np.float32) -> dict[str, np.ndarray]:
    """The seed script's initialisation: grid + N(0, 0.01^2) jitter, then Glorot-normal W1, W2, W_dec."""
    rng = np.random.default_rng(seed)
    mu = grid() + rng.normal(0.0, 0.01, (225, dim))

    def glorot(a: int, b: int) -> np.ndarray:
        return rng.normal(0.0, np.sqrt(2.0 / (a + b)), (a, b))

    w1, w2, wd = glorot(n_in, n_hid), glorot(n_hid, dim), glorot(len(mu), n_in)
    params = {"w1": w1, "b1": np.zeros(n_hid), "w2": w2, "b2": np.zeros(dim), "mu": mu,
              "wd": wd, "bd": np.zeros(n_in)}
    return {k: v.astype(dtype) for k, v in params.items()}


def forward(p: dict, x: np.ndarray, sigma: float = SIGMA) -> tuple[np.ndarray, ...]:
    """Hidden layer, code, code-minus-centres, bumps and reconstruction."""
    h = np.tanh(x @ p["w1"] + p["b1"])
    m = 1.0 / (1.0 + np.exp(-(h @ p["w2"] + p["b2"])))
    d = m[:, None, :] - p["mu"][None]
    b = np.exp(-(d**2).sum(-1) / (2 * sigma**2))
    return h, m, d, b, b @ p["wd"] + p["bd"]


def sgd_step(p: dict, x: np.ndarray, lr: float, sigma: float = SIGMA) -> None:
    """One SGD step on 0.5 * ||x_hat - x||^2 averaged over the batch."""
    h, m, d, b, xh = forward(p, x, sigma)
    err = (xh - x) / len(x)
    g_r2 = -(err @ p["wd"].T) * b / (2 * sigma**2)
    g_d = 2 * d * g_r2[:, :, None]
    g_m = g_d.sum(1) * m * (1 - m)
    g_h = (g_m @ p["w2"].T) * (1 - h**2)
    grads = {"wd": b.T @ err, "bd": err.sum(0), "mu": -g_d.sum(0),
             "w2": h.T @ g_m, "b2": g_m.sum(0), "w1": x.T @ g_h, "b1": g_h.sum(0)}
    for k, g in grads.items():
        p[k] -= lr * g


def train(seed: int, epochs: int = 200, n_train: int = 2000, n_test: int = 500, batch: int = 64,
          lr: float = 0.1) -> dict:
    """Train one seed exactly as the seed script does; returns the parameters and held-out MSE."""
    x, _ = dipoles(seed, n_train)
    xt, _ = dipoles(seed + 1000, n_test)
    p = init(seed)
    for _ in passes(p, x, seed, epochs, batch, lr):
        pass
    return {"params": p, "test_mse": float(((forward(p, xt)[-1] - xt) ** 2).mean())}


def passes(p: dict, x: np.ndarray, seed: int, epochs: int, batch: int, lr: float) -> Iterator[int]:
    """Train ``p`` in place, epoch after epoch on the seed script's shuffles (``default_rng(seed)``),
    yielding each epoch's index once it is done."""
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        for i in range(0, len(x), batch):
            sgd_step(p, x[order[i:i + batch]], lr)
        yield epoch


def r2(code: np.ndarray, lat: np.ndarray, degree: int) -> np.ndarray:
    """R^2 of x, y, cos 2 theta and sin 2 theta regressed on the code's monomials up to ``degree``."""
    target = np.column_stack([lat[:, :2], np.cos(2 * lat[:, 2]), np.sin(2 * lat[:, 2])])
    cols = [np.ones(len(code))]
    for d in range(1, degree + 1):
        cols += [np.prod(code[:, list(c)], axis=1) for c in _combinations(code.shape[1], d)]
    features = np.column_stack(cols)
    fit = features @ np.linalg.lstsq(features, target, rcond=None)[0]
    return 1 - ((target - fit) ** 2).sum(0) / np.maximum(((target - target.mean(0)) ** 2).sum(0), 1e-12)


def _combinations(k: int, d: int) -> list[tuple[int, ...]]:
    """Index tuples i1 <= ... <= id over k columns: the monomials of degree d."""
    if d == 0:
        return [()]
    return [(i, *rest) for i in range(k) for rest in _combinations(k, d - 1) if not rest or i <= rest[0]]


def bits(p: dict, x: np.ndarray, noise: float = 0.15) -> float:
    """The script's description-length proxy: residuals under N(0, noise^2) plus K log2(1 / sigma) bits."""
    err = ((forward(p, x)[-1] - x) ** 2).sum(1)
    residual = err / (2 * noise**2 * np.log(2)) + 0.5 * x.shape[1] * np.log2(2 * np.pi * noise**2)
    return float((residual + p["mu"].shape[1] * np.log2(1 / SIGMA)).mean())


def script(seed: int, epochs: int = 200, n_train: int = 2000, n_test: int = 500, batch: int = 64,
           lr: float = 0.1) -> dict:
    """The seed script's run as its command line makes it: ``train`` in float64, and after every epoch
    the training set's reconstruction MSE, description-length proxy and linear R^2 (a forward pass
    each, as the script makes them); at the end the held-out MSE, description length, linear and
    cubic R^2 and the code's singular values."""
    x, lat = dipoles(seed, n_train, dtype=np.float64)
    xt, lat_t = dipoles(seed + 1000, n_test, dtype=np.float64)
    p = init(seed, dtype=np.float64)
    history = []
    for _ in passes(p, x, seed, epochs, batch, lr):
        mse = float(((forward(p, x)[-1] - x) ** 2).mean())
        history.append((mse, bits(p, x), float(r2(forward(p, x)[1], lat, 1).mean())))
    _, code, _, _, recon = forward(p, xt)
    return {"test_mse": float(((recon - xt) ** 2).mean()), "test_bits": bits(p, xt),
            "r2_linear": r2(code, lat_t, 1).tolist(), "r2_cubic": r2(code, lat_t, 3).tolist(),
            "singular_values": np.linalg.svd(code - code.mean(0), compute_uv=False).tolist(),
            "history": history}


if __name__ == "__main__":
    print(script(int(sys.argv[1]), *map(int, sys.argv[2:3]))["test_mse"])
