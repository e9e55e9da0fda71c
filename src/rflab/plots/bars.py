"""Figures of the what/where problem: bar inputs, reconstructions, codes and the units' class territories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from rflab.plots.codes import save, subplots

CLASS_NAMES = ("horizontal", "vertical", "diagonal")
CLASS_COLOURS = ("tab:blue", "tab:orange", "tab:green")
CLASS_MARKERS = ("_", "|", "x")
TWO = CLASS_NAMES[:2]  # the what/where problem's classes
POSITION_CMAP = "viridis"


def _image(ax: Axes, image: np.ndarray) -> None:
    ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0.0, vmax=1.0)
    ax.set_xticks([])
    ax.set_yticks([])


def _title(latent: np.ndarray) -> str:
    return f"{CLASS_NAMES[int(latent[0])]}\np = {latent[1]:.2f}"


def examples(images: np.ndarray, latents: np.ndarray, path: Path, n: int = 8,
             across: str = "the rows or the columns") -> Path:
    """A row of example inputs titled with their class and position; ``across`` says where the bars lie."""
    fig, axes = subplots(1, n, figsize=(1.5 * n, 2.0))
    for ax, image, latent in zip(axes, images[:n], latents[:n], strict=True):
        _image(ax, image)
        ax.set_title(_title(latent), fontsize=8)
    fig.suptitle(f"Example inputs: a Gaussian bar (width 0.7 px) across {across}", fontsize=10)
    return save(fig, path)


def reconstructions(images: np.ndarray, recons: Mapping[str, np.ndarray], latents: np.ndarray, path: Path) -> Path:
    """Held-out inputs (top row) and each coder's reconstructions of them (one row per coder)."""
    n = min(len(r) for r in recons.values())
    fig, axes = subplots(1 + len(recons), n, figsize=(1.5 * n, 1.8 * (1 + len(recons))), squeeze=False)
    for k in range(n):
        _image(axes[0, k], images[k])
        axes[0, k].set_title(_title(latents[k]), fontsize=8)
        for row, recon in enumerate(recons.values(), start=1):
            _image(axes[row, k], recon[k])
            axes[row, k].set_title(f"mse {np.mean((recon[k] - images[k]) ** 2):.1e}", fontsize=8)
    for row, name in enumerate(["input", *recons], start=0):
        axes[row, 0].set_ylabel(name, fontsize=8)
    fig.suptitle("Held-out inputs and their reconstructions (grey scale 0 to 1)", fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def codes(codes_by_coder: Mapping[str, np.ndarray], latents: np.ndarray, path: Path,
          jitter: Mapping[str, float] | None = None, names: Sequence[str] = TWO) -> Path:
    """Each coder's held-out codes (rows) coloured by class (left) and by position (right, the marker
    showing the class); ``jitter`` spreads a coder's discrete codes uniformly by that half-width."""
    rng = np.random.default_rng(0)
    classes, position = latents[:, 0].astype(int), latents[:, 1]
    fig, axes = subplots(len(codes_by_coder), 2, figsize=(9.0, 4.2 * len(codes_by_coder)), squeeze=False)
    for row, (name, code) in enumerate(codes_by_coder.items()):
        half = (jitter or {}).get(name, 0.0)
        shown = code[:, :2] + rng.uniform(-half, half, (len(code), 2))
        for c in range(len(names)):
            sel = classes == c
            axes[row, 0].scatter(shown[sel, 0], shown[sel, 1], s=9, c=CLASS_COLOURS[c], label=CLASS_NAMES[c],
                                 alpha=0.7, linewidths=0)
            sc = axes[row, 1].scatter(shown[sel, 0], shown[sel, 1], s=22, c=position[sel], cmap=POSITION_CMAP,
                                      marker=CLASS_MARKERS[c], vmin=1.5, vmax=5.5)
        axes[row, 0].legend(fontsize=8, markerscale=2)
        axes[row, 0].set_title(f"{name}\ncoloured by class", fontsize=9)
        axes[row, 1].set_title(f"{name}\ncoloured by position (marker: class)", fontsize=9)
        fig.colorbar(sc, ax=axes[row, 1], label="bar position p")
        for ax in axes[row]:
            ax.set(xlabel="implicit dim 0", ylabel="implicit dim 1", xlim=(-0.05, 1.05), ylim=(-0.05, 1.05))
            ax.set_aspect("equal")
    fig.suptitle("Held-out codes in the implicit space", fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def _layout_panel(ax: Axes, pos: np.ndarray, pref: np.ndarray, active: np.ndarray, names: Sequence[str],
                  title: str) -> None:
    """One coder's units in its implicit space, coloured by preferred object; inactive units hollow grey."""
    ax.scatter(pos[~active, 0], pos[~active, 1], s=26, facecolors="none", edgecolors="0.6", linewidths=0.8)
    for c in range(len(names)):
        sel = active & (pref == c)
        ax.scatter(pos[sel, 0], pos[sel, 1], s=30, c=CLASS_COLOURS[c], linewidths=0, label=f"prefers {names[c]}")
    ax.set(xlabel="implicit dim 0", ylabel="implicit dim 1", xlim=(-0.05, 1.05), ylim=(-0.05, 1.05))
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=9)


def units(layouts: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray, dict]], path: Path, columns: int = 2,
          names: Sequence[str] = TWO) -> Path:
    """Each layout's units in its implicit space, coloured by class preference; inactive units hollow grey.
    ``layouts`` maps a title to (positions, preference, active, discontinuity measures), ``columns`` per row."""
    rows = -(-len(layouts) // columns)
    fig, axes = subplots(rows, columns, figsize=(4.6 * columns, 4.9 * rows), squeeze=False)
    for ax, (name, (pos, pref, active, measured)) in zip(axes.ravel(), layouts.items(), strict=False):
        _layout_panel(ax, pos, pref, active, names,
                      f"{name}\ncross-class nearest neighbours {measured['cross_neighbour_fraction']:.2f}, "
                      f"gap ratio {measured['gap_ratio']:.2f}\nactive units {measured['active_units']} of {len(pos)}")
    handles = [Line2D([], [], ls="", marker="o", color=CLASS_COLOURS[c], label=f"prefers {CLASS_NAMES[c]}")
               for c in range(len(names))]
    handles.append(Line2D([], [], ls="", marker="o", mfc="none", mec="0.6", label="inactive"))
    axes[0, -1].legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fig.suptitle("Units coloured by the class that drives them more (held-out mean response)", fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def training(losses: np.ndarray, steps_per_epoch: int, snap_epochs: Sequence[int], arrays: Mapping[str, np.ndarray],
             naive_mse: float, path: Path) -> Path:
    """The MDL code's training loss per epoch, held-out MSE, and both discontinuity measures over training."""
    fig, axes = subplots(1, 3, figsize=(14, 3.8))
    n_epochs = len(losses) // steps_per_epoch
    per_epoch = losses[: n_epochs * steps_per_epoch].reshape(n_epochs, steps_per_epoch).mean(axis=1)
    axes[0].semilogy(np.arange(1, n_epochs + 1), per_epoch)
    axes[0].set(xlabel="epoch", ylabel="bits per image", title="Training description length (recon + deviation)")
    axes[1].semilogy(snap_epochs, arrays["snap_test_mse"], marker=".", label="held-out")
    axes[1].axhline(naive_mse, color="grey", ls="--", label="predict the mean image")
    axes[1].set(xlabel="epoch", ylabel="MSE per pixel", title="Held-out reconstruction error")
    axes[1].legend()
    axes[2].plot(snap_epochs, arrays["snap_cross_neighbour"], marker=".", label="cross-class nearest neighbours")
    axes[2].plot(snap_epochs, arrays["snap_gap_ratio"], marker=".", label="gap ratio")
    axes[2].axhline(1.0, color="grey", lw=0.8, ls=":")
    axes[2].set(xlabel="epoch", title="MDL unit layout over training (active units)")
    axes[2].legend(fontsize=8)
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return save(fig, path)


def object_layout(layouts: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray, str]],
                  accuracy: Mapping[str, Mapping[str, Sequence[float]]],
                  gaps: Mapping[str, Mapping[str, Sequence[float]]], names: Sequence[str], gap_line: float,
                  path: Path, title: str) -> Path:
    """The learned implicit-space layouts (``layouts``: a title to positions, preference, active and a
    subtitle), then per coder each object's held-out class accuracy and each pair of objects' gap ratio
    (mean over seeds as a bar, each seed a dot; ``gap_line`` marks the claim's threshold)."""
    fig, axes = subplots(1, len(layouts) + 2, figsize=(4.4 * (len(layouts) + 2), 4.6))
    for ax, (name, (pos, pref, active, sub)) in zip(axes, layouts.items(), strict=False):
        _layout_panel(ax, pos, pref, active, names, f"{name}\n{sub}")
    axes[0].legend(fontsize=8, loc="upper left", bbox_to_anchor=(0.0, -0.14), ncol=len(names))
    for ax, table, label in ((axes[-2], accuracy, "held-out class accuracy (10-NN from the code)"),
                             (axes[-1], gaps, "gap ratio between a pair of objects' units (log scale)")):
        coders = list(table)
        keys = list(next(iter(table.values())))
        width = 0.8 / len(coders)
        for i, coder in enumerate(coders):
            x = np.arange(len(keys)) + (i - (len(coders) - 1) / 2) * width
            values = [np.asarray(table[coder][k], float) for k in keys]
            ax.bar(x, [np.nanmean(v) for v in values], width, color=("tab:purple", "0.55")[i % 2], alpha=0.8,
                   label=coder)
            for xi, v in zip(x, values, strict=True):
                ax.scatter(np.full(len(v), xi), v, s=10, c="k", zorder=3)
        ax.set_xticks(np.arange(len(keys)), keys, fontsize=8, rotation=15)
        ax.set_title(label, fontsize=9)
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=len(coders))
        ax.grid(alpha=0.3, axis="y")
    lowest = min(float(np.nanmin(v)) for row in accuracy.values() for v in row.values())
    axes[-2].set_ylim(min(0.9, lowest - 0.02), 1.005)
    axes[-1].set_yscale("log")  # one seed's gap can be tens of times another's; the threshold stays readable
    axes[-1].axhline(gap_line, color="tab:red", ls="--", lw=0.9)
    axes[-1].axhline(1.0, color="grey", ls=":", lw=0.8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return save(fig, path)
