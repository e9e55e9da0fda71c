"""Figures of the data models: the ``rflab data describe`` figure and the paper's Figure 2.

Each row shows a model three ways: a few samples (lines on a ring, images on a torus), the
covariance, and the marginal histogram with the exact density (exact atoms for Ising spins).
Figures are built with ``matplotlib.figure.Figure`` (Agg, no pyplot state) and saved as PNG.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.gridspec import SubplotSpec

from rflab.data.fields import DataModel, empirical_kernel

EXACT = "black"
EMPIRICAL = "tab:orange"
SAMPLE_COLORS = ("tab:blue", "tab:red", "tab:green")


def plot_samples(fig: Figure, spec: SubplotSpec, model: DataModel, x: np.ndarray, count: int = 3) -> None:
    """The first ``count`` samples: offset lines on a ring, side-by-side images on a torus."""
    if model.lattice.dims == 2:
        grid = spec.subgridspec(1, count, wspace=0.05)
        side = model.lattice.n
        lim = float(np.quantile(np.abs(x[:count]), 0.99)) or 1.0
        for i in range(count):
            ax = fig.add_subplot(grid[0, i])
            ax.imshow(x[i].reshape(side, side), cmap="RdBu_r", vmin=-lim, vmax=lim)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == count // 2:
                ax.set_title(f"{count} samples ({side} x {side} torus)")
        return
    ax = fig.add_subplot(spec)
    sites = np.arange(model.dim)
    step = "steps-mid" if model.marginal.discrete else "default"
    for i in range(count):
        ax.plot(sites, x[i] + 5.0 * i, color=SAMPLE_COLORS[i % 3], lw=1.0, drawstyle=step)
        ax.axhline(5.0 * i, color="0.8", lw=0.5, zorder=0)
    ax.set_yticks(5.0 * np.arange(count), [f"#{i + 1}" for i in range(count)])
    ax.set_xlabel("site")
    ax.set_xlim(0, model.dim - 1)
    ax.set_title(f"{count} samples (offset by 5)")


def plot_kernel(ax: Axes, model: DataModel, x: np.ndarray, c: int) -> None:
    """Covariance against circular distance: exact, and the translation-averaged sample estimate."""
    d = model.lattice.distance()
    exact = model.kernel(c).ravel()
    empirical = empirical_kernel(x, model.lattice).ravel()
    order = np.argsort(d, kind="stable")
    ax.plot(d[order], exact[order], color=EXACT, lw=1.2, label="exact", zorder=2)
    ax.plot(d, empirical, "o", ms=3, color=EMPIRICAL, alpha=0.7, label="sampled", zorder=3)
    ax.axhline(0.0, color="0.8", lw=0.5, zorder=0)
    small = d[np.abs(exact) < 0.01]
    ax.set_xlim(-0.5, min(float(d.max()), max(10.0, 3.0 * float(small.min()) if small.size else np.inf)) + 0.5)
    ax.set_xlabel("circular distance d")
    ax.set_ylabel("E[x_0 x_d]")
    ax.set_title("covariance vs distance")
    ax.legend(frameon=False)


def plot_matrix(ax: Axes, model: DataModel, c: int) -> None:
    """The exact covariance matrix."""
    image = ax.imshow(model.covariance(c), cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_title("exact covariance")
    ax.set_xlabel("site j")
    ax.set_ylabel("site i")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)


def plot_marginal(ax: Axes, model: DataModel, x: np.ndarray) -> None:
    """Histogram of all entries of x with the exact density (or the exact atoms for spins)."""
    marginal = model.marginal
    values = np.asarray(x, np.float64).ravel()
    if marginal.discrete:
        atoms = np.asarray(marginal.atoms)
        freq = [np.mean(values == a) for a in atoms]
        ax.bar(atoms, freq, width=0.4, color=EMPIRICAL, alpha=0.7, label="sampled")
        ax.plot(atoms, marginal.weights, "_", ms=30, mew=2, color=EXACT, label="exact")
        ax.set_xticks(atoms)
        ax.set_ylim(0, 0.75)
        ax.set_ylabel("probability")
    else:
        lo, hi = (float(v) for v in marginal.quantile(np.array([5e-4, 1 - 5e-4])))
        counts, edges = np.histogram(values, bins=np.linspace(lo, hi, 81))
        sampled = counts / (values.size * np.diff(edges))
        ax.stairs(sampled, edges, fill=True, color=EMPIRICAL, alpha=0.6, label="sampled")
        grid = np.linspace(lo, hi, 801)
        ax.plot(grid, marginal.density(grid), color=EXACT, lw=1.2, label="exact density")
        ax.set_ylim(0, 1.25 * float(np.max(sampled)))
        ax.set_xlim(lo, hi)
        ax.set_ylabel("density")
    ax.set_xlabel("x_i")
    ax.set_title(f"marginal (kurtosis {marginal.kurtosis:.3g})")
    ax.legend(frameon=False, loc="upper right")


def describe_figure(model: DataModel, x: np.ndarray, c: int, path: Path, title: str) -> Path:
    """Samples, covariance against distance and the marginal of class c in one row; saved to path."""
    fig = Figure(figsize=(15, 4.2), layout="constrained")
    grid = fig.add_gridspec(1, 3)
    plot_samples(fig, grid[0, 0], model, x)
    plot_kernel(fig.add_subplot(grid[0, 1]), model, x, c)
    plot_marginal(fig.add_subplot(grid[0, 2]), model, x)
    fig.suptitle(title)
    fig.savefig(path, dpi=110)
    return path


def figure2(rows: list[tuple[str, DataModel, np.ndarray, int]], path: Path) -> Path:
    """Figure 2: per (title, model, samples, class): samples, covariance matrix and against
    distance (exact and sampled), marginal with the exact density."""
    fig = Figure(figsize=(19, 3.9 * len(rows)), layout="constrained")
    grid = fig.add_gridspec(len(rows), 4, width_ratios=(1.5, 1.0, 1.1, 1.1))
    for r, (title, model, x, c) in enumerate(rows):
        plot_samples(fig, grid[r, 0], model, x)
        plot_matrix(fig.add_subplot(grid[r, 1]), model, c)
        plot_kernel(fig.add_subplot(grid[r, 2]), model, x, c)
        plot_marginal(fig.add_subplot(grid[r, 3]), model, x)
        fig.text(0.0, 1 - (r + 0.5) / len(rows), title, rotation=90, va="center", ha="left",
                 fontsize=13, fontweight="bold")
    fig.get_layout_engine().set(rect=(0.02, 0, 0.98, 1))
    fig.savefig(path, dpi=100)
    return path
