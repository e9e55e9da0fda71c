"""The Ingrosso & Goldt figure: IPR over time by bias group, the students' held-out accuracy, and every
unit's final field."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure

from rflab.plots.receptive_fields import GRAY, plot_torus_field

GROUP_COLOURS = {"plus": "tab:orange", "minus": "tab:blue"}
GROUP_LABELS = {"plus": "units with bias +b", "minus": "units with bias -b"}
STUDENT_STYLES = {"fully_connected": ("black", "fully connected"), "convolutional": ("tab:green", "convolutional")}
DATA_STYLES = {"nlgp": ("-", "NLGP"), "clone": ("--", "clone")}


def plot_group_ipr(ax: Axes, times: np.ndarray, curves: dict[str, np.ndarray], d: int, threshold: float) -> None:
    """IPR against time (steps / D, log axis): one thin line per unit and seed, the group mean bold.
    ``curves[group]`` is (snapshots, units x seeds)."""
    shown = times > 0
    for group, curve in curves.items():
        colour = GROUP_COLOURS[group]
        for c in curve.T:
            ax.plot(times[shown], c[shown], color=colour, lw=0.5, alpha=0.3)
        ax.plot(times[shown], curve.mean(axis=1)[shown], color=colour, lw=2.2, label=GROUP_LABELS[group])
    ax.axhline(3 / d, color=GRAY, ls="--", lw=0.8, label="random field, 3/D")
    ax.axhline(threshold, color=GRAY, ls=":", lw=0.8, label="localized above")
    ax.set_xscale("log")
    ax.set_xlabel("time (SGD steps / D)")
    ax.set_ylabel("IPR")
    ax.legend(frameon=False, fontsize=7, loc="upper left")


def plot_accuracy(ax: Axes, accuracy: dict[str, dict[str, Any]]) -> None:
    """Held-out accuracy against time (log axis) of each student (colour) on each data model (line style),
    mean over seeds; ``accuracy[data][student]`` holds ``times`` and ``accuracy``."""
    for data, (style, data_label) in DATA_STYLES.items():
        for name, (colour, label) in STUDENT_STYLES.items():
            times, curve = (np.asarray(accuracy[data][name][key]) for key in ("times", "accuracy"))
            shown = times > 0
            ax.plot(times[shown], curve[shown], color=colour, ls=style, lw=1.6, label=f"{label}, {data_label}")
    ax.axhline(0.5, color=GRAY, ls=":", lw=0.8, label="chance")
    ax.set_xscale("log")
    ax.set_ylim(0.4, 1.02)
    ax.set_xlabel("time (SGD steps / D)")
    ax.set_ylabel("held-out accuracy")
    ax.legend(frameon=False, fontsize=7, loc="lower right")


def plot_unit_fields(fig: SubFigure, fields: np.ndarray, unit_groups: Sequence[str], shape: tuple[int, ...],
                     title: str) -> None:
    """Every unit's final field (rows: the bias groups, ``unit_groups`` naming each unit's): torus fields
    as images, ring fields as lines."""
    k = len(fields)
    cols = math.ceil(k / 2)
    axes = fig.subplots(2, cols, squeeze=False)
    for j, ax in enumerate(axes.flat):
        if j >= k:
            ax.set_axis_off()
            continue
        group = unit_groups[j]
        if len(shape) == 2:
            plot_torus_field(ax, fields[j], shape)
        else:
            ax.plot(fields[j], color=GROUP_COLOURS[group], lw=0.8)
            ax.set_xticks([])
            ax.set_yticks([])
        for side in ax.spines.values():
            side.set_edgecolor(GROUP_COLOURS[group])
            side.set_linewidth(2)
    fig.suptitle(title, fontsize=9)


def figure(rows: Sequence[dict[str, Any]], path: Path, title: str) -> Path:
    """Per input (``title``, ``shape``, ``threshold``, and per data ``nlgp``/``clone``: ``times``,
    ``curves``, ``fields`` of seed 0, ``label``; ``accuracy`` as ``plot_accuracy`` takes it): IPR over time on
    NLGP and on its clone, the students' accuracy, then the fields."""
    fig = Figure(figsize=(25, 4.2 * len(rows) + 0.6), layout="constrained")
    subs = fig.subfigures(len(rows), 1, squeeze=False)[:, 0]
    for sub, row in zip(subs, rows, strict=True):
        cells = sub.subfigures(1, 5, width_ratios=(1, 1, 1, 1.1, 1.1))
        d = math.prod(row["shape"])
        top = max(np.max(c) for data in ("nlgp", "clone") for c in row[data]["curves"].values())
        for cell, data in zip(cells[:2], ("nlgp", "clone"), strict=True):
            ax = cell.subplots()
            plot_group_ipr(ax, row[data]["times"], row[data]["curves"], d, row["threshold"])
            ax.set_ylim(0, 1.1 * max(top, row["threshold"]))
            ax.set_title(f"{row['title']}: {row[data]['label']}", fontsize=9)
        ax = cells[2].subplots()
        plot_accuracy(ax, row["accuracy"])
        ax.set_title(f"{row['title']}: held-out accuracy, both students of width K = {row['units']}", fontsize=9)
        for cell, data in zip(cells[3:], ("nlgp", "clone"), strict=True):
            plot_unit_fields(cell, row[data]["fields"], row[data]["groups"], row["shape"],
                             f"final fields, seed 0, {row[data]['label']} (orange: +b, blue: -b)")
    fig.suptitle(title)
    fig.savefig(path, dpi=90)
    return path
