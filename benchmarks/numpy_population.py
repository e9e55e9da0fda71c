"""Plain NumPy SGD for the RBF-bottleneck population coder: the baseline of ``bench_dipole_3d``.

Written for the benchmark, independently of rflab's JAX code: the seed script's model, loss,
initialisation law, random streams and training loop (one Python iteration per SGD step, a
hand-written backward pass), in float32 so that both sides do the same arithmetic.
"""

from __future__ import annotations

import numpy as np

SIGMA = 0.18


def render(latents: np.ndarray, width: float = 0.55, size: int = 8) -> np.ndarray:
    """Dipole images (n, size * size) for latents (n, 3) = (x, y, theta)."""
    grid = np.arange(size, dtype=np.float64)

    def blob(cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
        d2 = (grid[None, None, :] - cx[:, None, None]) ** 2 + (grid[None, :, None] - cy[:, None, None]) ** 2
        return np.exp(-d2 / (2 * width**2))

    x, y, t = latents.T
    img = blob(x + np.cos(t), y + np.sin(t)) - blob(x - np.cos(t), y - np.sin(t))
    return img.reshape(len(latents), -1).astype(np.float32)


def dipoles(seed: int, n: int, theta_max: float = np.pi) -> tuple[np.ndarray, np.ndarray]:
    """The seed script's draw: x, y, then theta, each a block of n from default_rng(seed)."""
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(1.5, 5.5, n), rng.uniform(1.5, 5.5, n)
    lat = np.column_stack([x, y, rng.uniform(0.0, theta_max, n)]).astype(np.float32)
    return render(lat), lat


def grid(n_per_axis: tuple[int, ...] = (9, 5, 5)) -> np.ndarray:
    """Unit positions on a grid over [0.05, 0.95]^K, first axis slowest."""
    axes = [np.linspace(0.05, 0.95, n) for n in n_per_axis]
    return np.stack([m.ravel() for m in np.meshgrid(*axes, indexing="ij")], axis=1)


def init(seed: int, n_in: int = 64, n_hid: int = 64, dim: int = 3) -> dict[str, np.ndarray]:
    """The seed script's initialisation: grid + N(0, 0.01^2) jitter, then Glorot-normal W1, W2, W_dec."""
    rng = np.random.default_rng(seed)
    mu = grid() + rng.normal(0.0, 0.01, (225, dim))

    def glorot(a: int, b: int) -> np.ndarray:
        return rng.normal(0.0, np.sqrt(2.0 / (a + b)), (a, b))

    w1, w2, wd = glorot(n_in, n_hid), glorot(n_hid, dim), glorot(len(mu), n_in)
    params = {"w1": w1, "b1": np.zeros(n_hid), "w2": w2, "b2": np.zeros(dim), "mu": mu,
              "wd": wd, "bd": np.zeros(n_in)}
    return {k: v.astype(np.float32) for k, v in params.items()}


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
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(n_train)
        for i in range(0, n_train, batch):
            sgd_step(p, x[order[i:i + batch]], lr)
    return {"params": p, "test_mse": float(((forward(p, xt)[-1] - xt) ** 2).mean())}
