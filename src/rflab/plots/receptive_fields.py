"""Figures of receptive fields: per-run galleries and training curves, and the paper's Figs. 1, 3-5.

A field on a ring is drawn as a line over the sites (its evolution as lines from light to dark),
with its best-fit sinusoid dashed; a field on a torus as an image. Titles carry the measurements of
``rflab.metrics.receptive_fields``. Built on ``matplotlib.figure.Figure`` (Agg, no pyplot state).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from rflab.data.fields import DataModel
from rflab.metrics.receptive_fields import VERDICTS
from rflab.plots.fields import plot_marginal

EVOLUTION = colormaps["viridis"]
FIT = "tab:red"
GRAY = "0.55"


def sinusoid(unit: dict[str, Any], n: int) -> np.ndarray:
    """The best-fit sinusoid of a ring field on a fine grid of sites (2000 points over [0, N - 1])."""
    s = np.linspace(0, n - 1, 2000)
    return unit["offset"] + unit["amplitude"] * np.cos(2 * np.pi * unit["frequency"] * s / n + unit["phase"])


def unit_title(unit: dict[str, Any], d: int) -> str:
    """Two lines: IPR (and in units of 1/D), centre, width; frequency, R^2 and the verdict."""
    centre = ", ".join(f"{c:.1f}" for c in np.atleast_1d(unit["centre"]))
    return (f"IPR {unit['ipr']:.3f} ({unit['ipr'] * d:.1f}/D), centre {centre}, width {unit['width']:.1f}\n"
            f"f {unit['frequency']:.2f}, R$^2$ {unit['r2']:.2f}, power explained {unit['power_explained']:.2f}: "
            f"{unit['verdict']}")


def plot_ring_field(ax: Axes, snapshots: np.ndarray, unit: dict[str, Any] | None, show_fit: bool = True) -> None:
    """A ring field's evolution (rows of ``snapshots``, light to dark), the last bold, the fit dashed."""
    n = snapshots.shape[-1]
    sites = np.arange(n)
    for j, w in enumerate(snapshots[:-1]):
        ax.plot(sites, w, color=EVOLUTION(j / max(1, len(snapshots) - 1)), lw=0.7, alpha=0.6)
    ax.plot(sites, snapshots[-1], color="black", lw=1.6, marker="o", ms=2.5)
    if unit is not None and show_fit:
        ax.plot(np.linspace(0, n - 1, 2000), sinusoid(unit, n), ls="--", color=FIT, lw=1.2)
    ax.axhline(0, color="0.85", lw=0.6, zorder=0)
    ax.set_xlim(0, n - 1)
    late = np.max(np.abs(snapshots[len(snapshots) // 4:]))  # early fields of a large init may dwarf the end
    if late > 0:
        ax.set_ylim(-1.15 * late, 1.15 * late)


def plot_torus_field(ax: Axes, w: np.ndarray, shape: tuple[int, ...]) -> None:
    """A torus field as an image, symmetric colour scale."""
    lim = float(np.max(np.abs(w))) or 1.0
    ax.imshow(np.reshape(w, shape), cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.set_xticks([])
    ax.set_yticks([])


GALLERY_COLUMNS, GALLERY_DPI = 5, 90
PIXELS_A_SIDE = 2**16  # Agg draws no image of this many pixels or more a side


def gallery_inches(units: int, ring: bool) -> tuple[float, float]:
    """The gallery's size in inches for ``units`` panels, GALLERY_COLUMNS to a row."""
    cols = min(units, GALLERY_COLUMNS)
    return max(6.5, 4.2 * cols), (3.2 if ring else 4.6) * math.ceil(units / cols) + 0.8


def gallery_max_units(ring: bool) -> int:
    """The most units a gallery can show: its height must stay below PIXELS_A_SIDE."""
    rows = int((PIXELS_A_SIDE / GALLERY_DPI - 0.8) / (3.2 if ring else 4.6))
    while (gallery_inches(rows * GALLERY_COLUMNS, ring)[1]) * GALLERY_DPI >= PIXELS_A_SIDE:
        rows -= 1
    return rows * GALLERY_COLUMNS


def gallery(fields: np.ndarray, steps: np.ndarray, units: list[dict[str, Any]], shape: tuple[int, ...], title: str,
            path: Path) -> Path:
    """Every unit's field: on a ring its evolution over ``steps`` with the fit (beyond STACKED_UNITS
    units, the final fields as one image, sorted by centre); on a torus the final image and, below it,
    four earlier snapshots. ``fields`` is (snapshots, units, D)."""
    k, d = len(units), math.prod(shape)
    cols = min(k, GALLERY_COLUMNS)
    ring = len(shape) == 1
    if ring and k > STACKED_UNITS:
        return stacked_gallery(fields[-1], units, title, path)
    width, height = gallery_inches(k, ring)
    fig = Figure(figsize=(width, height), layout=None if ring else "constrained")
    margins = {"left": 0.55 / width, "right": 1 - 0.15 / width, "top": 1 - 1.3 / height, "bottom": 0.45 / height,
               "wspace": 0.3, "hspace": 0.75} if ring else {}  # ring: fixed, a constrained layout costs the most
    grid = fig.add_gridspec(math.ceil(k / cols), cols, **margins)
    picks = np.unique(np.linspace(0, len(fields) - 1, 5).round().astype(int))[:-1]
    for j, unit in enumerate(units):
        spec = grid[j // cols, j % cols]
        if ring:
            ax = fig.add_subplot(spec)
            plot_ring_field(ax, fields[:, j], unit)
            ax.set_xlabel("site")
        else:
            sub = spec.subgridspec(2, max(1, len(picks)), height_ratios=(3, 1))
            ax = fig.add_subplot(sub[0, :])
            plot_torus_field(ax, fields[-1, j], shape)
            for c, p in enumerate(picks):
                small = fig.add_subplot(sub[1, c])
                plot_torus_field(small, fields[p, j], shape)
                small.set_title(f"step {int(steps[p])}", fontsize=7)
        ax.set_title(f"unit {j}: " + unit_title(unit, d), fontsize=8)
    legend = (f"lines from light to dark: steps 0 to {int(steps[-1])}, the final field in black;\n"
              "dashed: best-fit sinusoid") if ring else "final fields; below: earlier snapshots"
    fig.suptitle(f"{title}\n{legend}", fontsize=10)
    fig.savefig(path, dpi=GALLERY_DPI)
    return path


def training(losses: np.ndarray, steps: np.ndarray, ipr_curve: np.ndarray, shape: tuple[int, ...], title: str,
             path: Path) -> Path:
    """Training loss (smoothed over 1% of the steps) and every unit's IPR over training, with the
    IPRs of a random (3/D) and a sinusoidal (1.5/D) field. Fixed margins: a constrained layout of the
    log axis' tick labels costs more than the rest of the figure."""
    fig = Figure(figsize=(11, 3.8))
    ax_loss, ax_ipr = fig.subplots(1, 2, gridspec_kw={"left": 0.07, "right": 0.985, "bottom": 0.14, "top": 0.86,
                                                       "wspace": 0.22})
    window = max(1, len(losses) // 100)
    smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
    ax_loss.plot(np.arange(window, len(losses) + 1), smooth, color="black", lw=1)
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel(f"training loss (mean of {window} steps)")
    plot_ipr(ax_ipr, steps, ipr_curve[:, :, None] if ipr_curve.ndim == 2 else ipr_curve, math.prod(shape))
    fig.suptitle(title)
    fig.savefig(path, dpi=100)
    return path


def plot_ipr(ax: Axes, steps: np.ndarray, curves: np.ndarray, d: int, color: str = "black") -> None:
    """IPR over training: ``curves`` (snapshots, units, seeds); one line per unit and seed, reference lines."""
    flat = curves.reshape(len(steps), -1)
    for c in flat.T:
        ax.plot(steps, c, color=color, lw=0.9, alpha=max(0.25, 1 / math.sqrt(flat.shape[1])))
    ax.axhline(3 / d, color=GRAY, ls="--", lw=0.8, label="random field, 3/D")
    ax.axhline(1.5 / d, color=GRAY, ls=":", lw=0.8, label="sinusoid, 1.5/D")
    ax.set_yscale("log")
    ax.set_ylim(0.5 / d, 1.0)
    ax.set_xlabel("step")
    ax.set_ylabel("IPR")
    ax.legend(frameon=False, fontsize=7, loc="center right")


def figure3(rows: Sequence[dict[str, Any]], path: Path, note: str) -> Path:
    """Fig. 3: per data model (``title``, ``model``, ``samples``, ``fields`` (snapshots, seeds, D),
    ``steps``, ``units`` of seed 0): RF evolution of seed 0, the marginal, IPR over training (all seeds)."""
    fig = Figure(figsize=(15, 3.6 * len(rows) + 0.5), layout="constrained")
    axes = fig.subplots(len(rows), 3, squeeze=False)
    for r, row in enumerate(rows):
        model: DataModel = row["model"]
        ax_rf, ax_marginal, ax_ipr = axes[r]
        plot_ring_field(ax_rf, row["fields"][:, 0], row["units"][0], show_fit=False)
        unit = unit_title(row["units"][0], model.dim)
        ax_rf.set_title(f"{row['title']}: receptive field, seed 0\n{unit}", fontsize=9)
        ax_rf.set_xlabel("site")
        plot_marginal(ax_marginal, model, row["samples"])
        plot_ipr(ax_ipr, row["steps"], row["fields_ipr"][:, None, :], model.dim)
        ax_ipr.set_title(f"IPR over training, {row['fields_ipr'].shape[1]} seeds")
    fig.suptitle(f"Lufkin et al. Fig. 3: one ReLU neuron, N = 40 ({note}); lines from light to dark: training")
    fig.savefig(path, dpi=100)
    return path


def figure_fields(panels: Sequence[dict[str, Any]], path: Path, title: str, cols: int) -> Path:
    """A grid of panels (``title``, ``fields`` (snapshots, D) or (D,), ``unit``, ``shape``): ring fields
    with their evolution and fit, torus fields as images."""
    rows = math.ceil(len(panels) / cols)
    ring = len(panels[0]["shape"]) == 1
    fig = Figure(figsize=(4.4 * cols, (3.3 if ring else 3.9) * rows + 0.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax, panel in zip(axes, panels, strict=False):
        fields, shape = np.atleast_2d(panel["fields"]), panel["shape"]
        if len(shape) == 1:
            plot_ring_field(ax, fields, panel["unit"], panel.get("show_fit", True))
            ax.set_xlabel("site")
        else:
            plot_torus_field(ax, fields[-1], shape)
        ax.set_title(panel["title"] + "\n" + unit_title(panel["unit"], math.prod(shape)), fontsize=8)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    fig.suptitle(title)
    fig.savefig(path, dpi=100)
    return path


def sorted_by_centre(fields: np.ndarray, units: list[dict[str, Any]]) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Ring fields (K, N) and their measurements in the order of their circular centres."""
    order = np.argsort([np.atleast_1d(u["centre"])[0] for u in units], kind="stable")
    return fields[order], [units[j] for j in order]


def plot_field_stack(ax: Axes, fields: np.ndarray, units: list[dict[str, Any]]) -> None:
    """K ring fields as rows of an image (each scaled to max |w| = 1), sorted by centre, IPR x D on the right."""
    fields, units = sorted_by_centre(np.asarray(fields), units)
    scaled = fields / np.max(np.abs(fields), axis=1, keepdims=True)
    ax.imshow(scaled, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    n = fields.shape[1]
    if len(units) <= 20:
        ax.set_yticks(range(len(units)), [f"{u['ipr'] * n:.1f}, {u['verdict'][:3]}" for u in units], fontsize=7)
    else:
        ax.set_yticks([])
    ax.set_xlabel("site")


STACKED_UNITS = 20  # a ring gallery of more units draws them as one image


def stacked_gallery(fields: np.ndarray, units: list[dict[str, Any]], title: str, path: Path) -> Path:
    """Many ring fields (K, N): one image of them sorted by centre, and their IPR x N against the verdicts."""
    fig = Figure(figsize=(12, 6), layout="constrained")
    ax_stack, ax_ipr = fig.subplots(1, 2, width_ratios=(2, 1))
    plot_field_stack(ax_stack, fields, units)
    ax_stack.set_ylabel(f"{len(units)} units, sorted by centre")
    n = fields.shape[-1]
    for verdict in VERDICTS:
        values = [u["ipr"] * n for u in units if u["verdict"] == verdict]
        if values:
            ax_ipr.hist(values, bins=20, alpha=0.6, label=f"{verdict} ({len(values)})")
    ax_ipr.set_xlabel("IPR x N")
    ax_ipr.set_ylabel("units")
    ax_ipr.legend(frameon=False, fontsize=8)
    fig.suptitle(f"{title}\nfinal fields, each scaled to max |w| = 1", fontsize=10)
    fig.savefig(path, dpi=GALLERY_DPI)
    return path


def figure5(panels: Sequence[dict[str, Any]], path: Path, note: str) -> Path:
    """Fig. 5: per model (``title``, ``fields`` (K, N) of seed 0, ``units``, ``summary`` text) the
    fields as a stack sorted by centre (labels: IPR times N and the verdict)."""
    fig = Figure(figsize=(4.6 * len(panels), 5.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    for ax, panel in zip(axes, panels, strict=True):
        plot_field_stack(ax, panel["fields"], panel["units"])
        ax.set_title(f"{panel['title']}\n{panel['summary']}", fontsize=9)
    fig.suptitle(f"Lufkin et al. Fig. 5: committee machines and ICA ({note}); rows: units of seed 0, "
                 "sorted by centre, each scaled to max |w| = 1; labels: IPR x N, verdict", fontsize=10)
    fig.savefig(path, dpi=100)
    return path


def figure1(groups: Sequence[dict[str, Any]], path: Path, note: str, cols: int = 5) -> Path:
    """Fig. 1: per group (``title``, ``fields`` (K, L*L), ``units``, ``shape``) a grid of torus fields
    with their IPR (times D) and verdict."""
    rows = [math.ceil(len(g["fields"]) / cols) for g in groups]
    fig = Figure(figsize=(2.3 * cols * len(groups), 2.5 * max(rows) + 0.9), layout="constrained")
    outer = fig.add_gridspec(1, len(groups))
    for g, group in enumerate(groups):
        sub = fig.add_subfigure(outer[0, g])
        sub.suptitle(group["title"], fontsize=10)
        axes = sub.subplots(rows[g], cols, squeeze=False).ravel()
        d = math.prod(group["shape"])
        for ax, w, unit in zip(axes, group["fields"], group["units"], strict=False):
            plot_torus_field(ax, w, group["shape"])
            ax.set_title(f"IPR {unit['ipr'] * d:.0f}/D, {unit['verdict'][:3]}", fontsize=7)
        for ax in axes[len(group["fields"]):]:
            ax.set_visible(False)
    fig.suptitle(f"Lufkin et al. Fig. 1: two-dimensional receptive fields ({note})", fontsize=11)
    fig.savefig(path, dpi=100)
    return path
