"""Figures of a learned population code on dipole images, and the GIF of its training."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

LATENT_NAMES = ("x", "y", "theta")
IMAGE_CMAP = "RdBu_r"
ANGLE_CMAP = "twilight"


def save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as ``path`` at 110 dpi, cropped to what it draws."""
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


def subplots(*grid: int, figsize: tuple[float, float], **kwargs: Any) -> tuple[Figure, Any]:
    """``pyplot.subplots`` on a figure of its own: no pyplot state, and the caller's backend is left alone."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(*grid, **kwargs)


def _latent_title(latent: np.ndarray) -> str:
    return f"({latent[0]:.1f}, {latent[1]:.1f})\n{np.degrees(latent[2]):.0f}°"


def _image(ax: Axes, image: np.ndarray, vmax: float) -> None:
    side = round(np.sqrt(image.size))
    ax.imshow(image.reshape(side, side), cmap=IMAGE_CMAP, vmin=-vmax, vmax=vmax)
    ax.set_xticks([])
    ax.set_yticks([])


def examples(images: np.ndarray, latents: np.ndarray, path: Path, n: int = 8) -> Path:
    """A row of example inputs titled with their (x, y) and orientation."""
    fig, axes = subplots(1, n, figsize=(1.6 * n, 2.0))
    for ax, image, latent in zip(axes, images[:n], latents[:n], strict=True):
        _image(ax, image, 1.0)
        ax.set_title(_latent_title(latent), fontsize=8)
    fig.suptitle("Example dipole inputs (x, y, orientation)", fontsize=10)
    return save(fig, path)


def reconstructions(images: np.ndarray, recons: np.ndarray, latents: np.ndarray, path: Path, n: int = 8) -> Path:
    """Held-out inputs (top) against their reconstructions through the code (bottom)."""
    fig, axes = subplots(2, n, figsize=(1.6 * n, 3.6))
    vmax = float(max(np.abs(images[:n]).max(), np.abs(recons[:n]).max()))
    for k in range(n):
        _image(axes[0, k], images[k], vmax)
        _image(axes[1, k], recons[k], vmax)
        axes[0, k].set_title(_latent_title(latents[k]), fontsize=8)
        err = np.mean((images[k] - recons[k]) ** 2)
        axes[1, k].set_title(f"mse {err:.4f}", fontsize=8)
    axes[0, 0].set_ylabel("input")
    axes[1, 0].set_ylabel("reconstruction")
    fig.suptitle("Held-out inputs and their reconstructions", fontsize=10)
    return save(fig, path)


def _colour(latents: np.ndarray, j: int) -> tuple[np.ndarray, str]:
    return (latents[:, j], ANGLE_CMAP) if j == 2 else (latents[:, j], "viridis")


def _varying(latents: np.ndarray) -> list[int]:
    """The latents that vary across the images (orientation is constant in the position-only problem)."""
    return [j for j in range(latents.shape[1]) if np.ptp(latents[:, j]) > 0]


def code_projections(code: np.ndarray, latents: np.ndarray, path: Path) -> Path:
    """Every pair of code dimensions (columns), coloured by each varying latent (rows)."""
    pairs = list(combinations(range(min(code.shape[1], 3)), 2))
    rows = _varying(latents)
    fig, axes = subplots(len(rows), len(pairs), figsize=(3.3 * len(pairs) + 0.8, 3.2 * len(rows)), squeeze=False)
    for row, j in enumerate(rows):
        values, cmap = _colour(latents, j)
        for col, (a, b) in enumerate(pairs):
            ax = axes[row, col]
            sc = ax.scatter(code[:, a], code[:, b], c=values, cmap=cmap, s=6, alpha=0.8, linewidths=0)
            ax.set_xlabel(f"code {a}")
            ax.set_ylabel(f"code {b}")
            ax.set_aspect("equal", adjustable="datalim")
        fig.colorbar(sc, ax=axes[row, -1], label=LATENT_NAMES[j])
    names = ", ".join(LATENT_NAMES[j] for j in rows)
    fig.suptitle(f"Held-out codes, pairs of dimensions, coloured by {names}", fontsize=10)
    return save(fig, path)


def unit_positions(mu: np.ndarray, code: np.ndarray, path: Path) -> Path:
    """The units' learned positions (red) over the held-out codes (grey), every pair of the first
    three implicit dimensions: how the population tiles the part of the space the code uses."""
    pairs = list(combinations(range(min(code.shape[1], 3)), 2))
    fig, axes = subplots(1, len(pairs), figsize=(3.6 * len(pairs), 3.6), squeeze=False)
    for ax, (a, b) in zip(axes[0], pairs, strict=True):
        ax.scatter(code[:, a], code[:, b], c="0.75", s=5, linewidths=0, label="held-out codes")
        ax.scatter(mu[:, a], mu[:, b], c="tab:red", s=10, linewidths=0, label="unit positions")
        ax.set(xlabel=f"implicit dim {a}", ylabel=f"implicit dim {b}")
        ax.set_aspect("equal", adjustable="datalim")
    axes[0, 0].legend(fontsize=7, loc="upper left")
    fig.suptitle(f"{len(mu)} units in the implicit space", fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def _scatter3d(ax: Axes, code: np.ndarray, theta: np.ndarray) -> object:
    sc = ax.scatter(code[:, 0], code[:, 1], code[:, 2], c=theta, cmap=ANGLE_CMAP, s=8, alpha=0.9,
                    linewidths=0, vmin=0, vmax=2 * np.pi)
    ax.set_xlabel("code 0")
    ax.set_ylabel("code 1")
    ax.set_zlabel("code 2")
    ax.set_box_aspect(None, zoom=0.85)
    return sc


def code_3d(code: np.ndarray, latents: np.ndarray, path: Path) -> Path:
    """The held-out codes in 3-D, coloured by orientation."""
    fig = Figure(figsize=(6.4, 5.6))
    ax = fig.add_subplot(projection="3d")
    sc = _scatter3d(ax, code, latents[:, 2])
    fig.colorbar(sc, ax=ax, shrink=0.7, label="orientation theta (rad)")
    ax.set_title("Held-out codes coloured by orientation", fontsize=10)
    return save(fig, path)


def training(
    losses: np.ndarray,
    steps_per_epoch: int,
    snap_epochs: Sequence[float],
    test_mse: Sequence[float],
    naive_mse: float,
    knn: dict[str, Sequence[float]],
    path: Path,
) -> Path:
    """Training loss per epoch, held-out MSE against the naive baseline, held-out kNN R^2."""
    fig, axes = subplots(1, 3, figsize=(14, 3.8))
    n_epochs = len(losses) // steps_per_epoch
    per_epoch = losses[: n_epochs * steps_per_epoch].reshape(n_epochs, steps_per_epoch).mean(axis=1)
    axes[0].semilogy(np.arange(1, n_epochs + 1), per_epoch)
    axes[0].set(xlabel="epoch", ylabel="training loss (mean per batch)", title="Training loss")
    axes[1].semilogy(snap_epochs, test_mse, marker=".", label="held-out")
    axes[1].axhline(naive_mse, color="grey", ls="--", label="predict the mean image")
    axes[1].set(xlabel="epoch", ylabel="MSE per pixel", title="Held-out reconstruction error")
    axes[1].legend()
    for name, values in knn.items():
        axes[2].plot(snap_epochs, values, marker=".", label=name)
    axes[2].set(xlabel="epoch", ylabel="R^2", ylim=(-0.05, 1.02), title="Latents from the code (held-out kNN)")
    axes[2].legend(fontsize=8)
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return save(fig, path)


def _frames(code: np.ndarray, latents: np.ndarray, images: np.ndarray) -> Callable[..., np.ndarray]:
    """The function that draws one frame of the training GIF. One figure serves every frame: what
    stays is drawn once and restored, and only the code cloud, the reconstructions and the title are
    redrawn (blitting), which gives the same pixels as a figure built per frame at a fifth of the cost.
    A planar cloud is drawn over the axes' frame and ticks, so that they stay in what is restored."""
    fig = Figure(figsize=(9.0, 4.2), dpi=70)
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2, 8, wspace=0.15, hspace=0.25)
    planar = code.shape[1] < 3
    ax = fig.add_subplot(grid[:, :4], projection=None if planar else "3d")
    if planar:
        j = _varying(latents)[-1]
        values, cmap = _colour(latents, j)
        cloud = ax.scatter(code[:, 0], code[:, 1], c=values, cmap=cmap, s=8, zorder=3)  # over the frame
        ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="code 0", ylabel="code 1")
        ax.set_title(f"held-out codes, coloured by {LATENT_NAMES[j]}", fontsize=9)
    else:
        cloud = _scatter3d(ax, code, latents[:, 2])
        ax.set(xlim=(0, 1), ylim=(0, 1), zlim=(0, 1))
        ax.set_title("held-out codes, coloured by orientation", fontsize=9)
    vmax = float(np.abs(images).max())
    below = []
    for k in range(3):
        top, bottom = fig.add_subplot(grid[0, 5 + k]), fig.add_subplot(grid[1, 5 + k])
        _image(top, images[k], vmax)
        _image(bottom, images[k], vmax)
        below.append(bottom)
        if k == 0:
            top.set_ylabel("input", fontsize=9)
            bottom.set_ylabel("reconstruction", fontsize=9)
    title = fig.suptitle("", fontsize=11)
    side = round(np.sqrt(images[0].size))
    moving = [cloud, *below, title]
    for artist in moving:
        artist.set_animated(True)
    fig.canvas.draw()
    still = fig.canvas.copy_from_bbox(fig.bbox)

    def draw(code: np.ndarray, recons: np.ndarray, text: str) -> np.ndarray:
        if planar:
            cloud.set_offsets(code[:, :2])
        else:
            cloud._offsets3d = (code[:, 0], code[:, 1], code[:, 2])
            cloud.do_3d_projection()
        for panel, recon in zip(below, recons, strict=True):
            panel.get_images()[0].set_data(recon.reshape(side, side))
        title.set_text(text)
        fig.canvas.restore_region(still)
        for artist in moving:
            fig.draw_artist(artist)
        return np.array(fig.canvas.buffer_rgba())[..., :3]

    return draw


def animation(
    codes: Sequence[np.ndarray],
    recons: Sequence[np.ndarray],
    latents: np.ndarray,
    images: np.ndarray,
    titles: Sequence[str],
    path: Path,
    fps: int = 6,
) -> Path:
    """GIF of training: the held-out code cloud and three reconstructions at each snapshot."""
    draw = _frames(codes[0], latents, images[:3])
    frames = [draw(c, r[:3], t) for c, r, t in zip(codes, recons, titles, strict=True)]
    return write_gif(frames, path, fps)


def write_gif(frames: Sequence[np.ndarray], path: Path, fps: int, palette_frames: int = 8) -> Path:
    """A looping GIF of RGB frames on one 256-colour palette, taken from ``palette_frames`` evenly spaced
    frames: the frames share their axes, text and colour maps, so one palette serves them all, and
    mapping onto it costs under half of a palette computed per frame (imageio's default). Maximum
    coverage keeps the white background exactly white, which median cut and octrees shade grey."""
    step = max(1, len(frames) // palette_frames)
    palette = Image.fromarray(np.concatenate(frames[::step])).quantize(
        256, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE)
    images = [Image.fromarray(f).quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    images[0].save(path, save_all=True, append_images=images[1:], duration=1000 // fps, loop=0)
    return path


def dimension_study(rows: Sequence[dict], path: Path, note: str) -> Path:
    """Effective dimensionality of the code against the implicit space's K (left: participation
    ratio and TwoNN, mean and spread over seeds), and the code's spectrum at the largest K (right)."""
    fig, (ax, ax_spec) = subplots(1, 2, figsize=(11.5, 4.4))
    problems = list(dict.fromkeys(r["problem"] for r in rows))
    colours = dict(zip(problems, ("tab:blue", "tab:orange", "tab:green"), strict=False))
    for problem in problems:
        mine = [r for r in rows if r["problem"] == problem]
        dims = [r["dim"] for r in mine]
        for key, marker, style in (("participation", "o", "-"), ("twonn", "s", "--")):
            mean = [np.mean(r[key]) for r in mine]
            spread = [np.std(r[key]) for r in mine]
            label = f"{problem}: {'participation ratio' if key == 'participation' else 'TwoNN'}"
            ax.errorbar(dims, mean, spread, marker=marker, ls=style, color=colours[problem], capsize=3, label=label)
        ax.axhline(mine[0]["latents"], color=colours[problem], lw=0.8, ls=":")
        widest = max(mine, key=lambda r: r["dim"])
        spectrum = np.mean(widest["spectrum"], axis=0)
        ax_spec.semilogy(np.arange(1, len(spectrum) + 1), spectrum, "o-", color=colours[problem],
                         label=f"{problem}, K = {widest['dim']}")
    top = max(r["dim"] for r in rows)
    ax.plot([1, top], [1, top], color="0.6", lw=0.8, label="K (every dimension used)")
    ax.set(xlabel="implicit-space dimension K", ylabel="effective dimensionality of the centre",
           title="MDL code from random weights; dotted: number of latents")
    ax.legend(fontsize=7)
    ax_spec.set(xlabel="principal component", ylabel="share of the code's variance",
                title="spectrum of the centre at the largest K (mean over seeds)")
    ax_spec.legend(fontsize=7)
    for a in (ax, ax_spec):
        a.grid(alpha=0.3)
    fig.suptitle(f"mdl-dimension ({note})", fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def topology_study(rows: Sequence[dict], path: Path, note: str) -> Path:
    """Per model (columns, first seed): the ten longest loop lifetimes of the whole code (top), and
    the code of the central orientation fibre coloured by orientation with its two longest (bottom)."""
    models = list(dict.fromkeys(r["model"] for r in rows))
    fig = Figure(figsize=(3.6 * len(models), 7.4))
    for col, model in enumerate(models):
        first = next(r for r in rows if r["model"] == model)
        mine = [r for r in rows if r["model"] == model]
        ax = fig.add_subplot(2, len(models), col + 1)
        top = first["lifetimes"][:10]
        ax.bar(np.arange(1, len(top) + 1), top, color=["tab:red"] + ["0.6"] * (len(top) - 1))
        loops = sum(r["one_loop"] for r in mine)
        ax.set(xlabel="loop (H1 class), longest first", ylabel="lifetime",
               title=f"{model}\none dominant loop in {loops}/{len(mine)} seeds", xticks=range(1, len(top) + 1))
        ax.title.set_fontsize(8)
        ax3 = fig.add_subplot(2, len(models), len(models) + col + 1, projection="3d")
        code, theta = first["fibre_code"], first["fibre_theta"]
        ax3.scatter(code[:, 0], code[:, 1], code[:, 2], c=theta, cmap=ANGLE_CMAP, s=8, vmin=0, vmax=2 * np.pi)
        life = first["fibre_lifetimes"][4]
        shown = ", ".join(f"{v:.3f}" for v in life[:2]) or "none"
        share = np.mean([r["fibres_one_loop"] for r in mine])
        ax3.set_title(f"fibre x = y = 3.5: loops {shown}\n{share:.0%} of fibres one loop", fontsize=8)
        ax3.set(xlabel="code 0", ylabel="code 1", zlabel="code 2")
    fig.suptitle(f"code-topology ({note}): persistent homology (ripser) of the 3-D dipole codes", fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def cost_study(summary: dict, silenced: Sequence[float], noise: Sequence[float], path: Path, note: str) -> Path:
    """Accuracy against data movement (words, LRU distance; open markers: population decoders that
    read only their active units), and accuracy under silenced units and under noise on the code."""
    fig, axes = subplots(1, 4, figsize=(17, 4.2))
    colours = colormaps["tab10"](np.arange(len(summary)))
    for colour, (model, s) in zip(colours, summary.items(), strict=True):
        for ax, key in zip(axes[:2], ("words", "lru"), strict=True):
            ax.loglog(s["full"][key], s["test_mse"], "o", color=colour, label=model)
            if s["sparse"] is not None:
                ax.loglog(s["sparse"][key], s["sparse"]["test_mse"], "o", mfc="none", color=colour,
                          label=f"{model}, active units only ({s['sparse']['active_units']:.0f})")
        axes[2].plot(silenced, list(s["silenced"].values()), "o-", color=colour, label=model)
        axes[3].plot(noise, list(s["code_noise"].values()), "o-", color=colour, label=model)
    axes[0].set(xlabel="words read and written per reconstruction", ylabel="held-out MSE")
    axes[1].set(xlabel="LRU data-movement distance per reconstruction (sum of sqrt depth)", ylabel="held-out MSE")
    axes[2].set(xlabel="fraction of units silenced", ylabel="held-out MSE", yscale="log",
                title="units: RBF bumps, MDL activities, dense last hidden layer")
    axes[3].set(xlabel="std of Gaussian noise on the 3-D code (MDL: its centre)", ylabel="held-out MSE", yscale="log")
    axes[2].title.set_fontsize(8)
    axes[0].legend(fontsize=6)
    for ax in axes:
        ax.grid(alpha=0.3, which="both")
    fig.suptitle(f"code-cost ({note}): what reading a population costs, and what it buys", fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def model_cost_study(rows: Sequence[dict], path: Path, note: str) -> Path:
    """The MDL code against the weight variance V_w of the model's cost (log axis), one colour per
    training set size; the runs without a model cost as horizontal lines: units in use, the centre's
    dimension, the description length per image (with and without the model's share, against the mean
    image) and the held-out MSE, each the mean over seeds with its spread."""
    fig, axes = subplots(1, 4, figsize=(18, 4.2))
    sizes = sorted({r["n_train"] for r in rows})
    colours = dict(zip(sizes, colormaps["viridis"](np.linspace(0.1, 0.8, len(sizes))), strict=True))
    panels = ((axes[0], (("units_in_use", "-", ""),), "effective units in use"),
              (axes[1], (("participation", "-", "participation ratio"), ("twonn", "--", "TwoNN")),
               "dimension of the centre"),
              (axes[2], (("bits", "-", "code + reconstruction"), ("bits_with_model", "--", "+ the model's share"),
                         ("mean_image", ":", "mean image")), "bits per image (constants included)"),
              (axes[3], (("test_mse", "-", ""),), "held-out MSE"))
    for n in sizes:
        mine = [r for r in rows if r["n_train"] == n]
        costed = sorted((r for r in mine if r["weight_var"] is not None), key=lambda r: r["weight_var"])
        free = next((r for r in mine if r["weight_var"] is None), None)
        v = [r["weight_var"] for r in costed]
        for ax, series, _ in panels:
            for key, style, label in series:
                name = f"n_train {n}" + (f", {label}" if label else "")
                if costed:
                    ax.errorbar(v, [np.mean(r[key]) for r in costed], [np.std(r[key]) for r in costed],
                                color=colours[n], ls=style, marker="o", capsize=3, label=name)
                if free is not None and free[key] is not None:
                    ax.axhline(np.mean(free[key]), color=colours[n], ls=style, lw=0.8, alpha=0.6)
    for ax, _, ylabel in panels:
        ax.set_xscale("log")
        ax.set(xlabel="V_w, variance of the weights' prior", ylabel=ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=6)
    for ax, key in ((axes[0], "units_in_use"), (axes[1], "participation")):
        ax.set_ylim(0, 1.25 * max(max(np.max(r[key]), np.max(r["twonn"])) for r in rows))
    mse = [v for r in rows for v in r["test_mse"]]
    axes[3].set(yscale="log", ylim=(min(mse) / 3, max(mse) * 3))
    fig.suptitle(f"model-cost ({note}): thin lines, no model cost", fontsize=10)
    fig.tight_layout()
    return save(fig, path)
