"""Figures of the theory beside simulation: the amplifier, ODE against SGD, Claim 3.2, Prop. 3.3 and
the localization phase diagram. Built on ``matplotlib.figure.Figure`` (Agg, no pyplot state)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import PowerNorm
from matplotlib.figure import Figure

SQRT_2_PI = math.sqrt(2 / math.pi)
THEORY = "black"
SGD = "tab:orange"
TAYLOR = "tab:blue"
PAIR = "tab:purple"
GAUSS = "0.6"
EVOLUTION = colormaps["viridis"]


def amplifier_figure(a: np.ndarray, phi: np.ndarray, taylor: np.ndarray | None, title: str, path: Path) -> Path:
    """phi(a) with the Gaussian line sqrt(2/pi) a and the Taylor cubic; right: phi - sqrt(2/pi) a."""
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    for ax, shift in ((left, 0.0), (right, 1.0)):
        base = shift * SQRT_2_PI * a
        ax.plot(a, SQRT_2_PI * a - base, color=GAUSS, lw=1.2, ls="--", label="Gaussian: sqrt(2/pi) a")
        if taylor is not None:
            ax.plot(a, taylor - base, color=TAYLOR, lw=1.2, label="Taylor: sqrt(2/pi) [a - (kappa-3) a^3/6]")
        ax.plot(a, phi - base, color=THEORY, lw=1.8, label="phi(a), quadrature")
        ax.axhline(0, color="0.85", lw=0.6, zorder=0)
        ax.set_xlabel("a")
        ax.set_xlim(a.min(), a.max())
    left.set_ylabel("phi(a)")
    right.set_ylabel("phi(a) - sqrt(2/pi) a")
    lim = 1.3 * float(np.max(np.abs(phi - SQRT_2_PI * a))) or 0.1
    right.set_ylim(-lim, lim)
    left.legend(fontsize=8, loc="upper left")
    right.set_title("above 0 for a > 0: super-linear (localizing)", fontsize=9)
    fig.suptitle(title)
    fig.savefig(path, dpi=120)
    return path


def ode_vs_sgd_figure(rows: Sequence[dict[str, Any]], path: Path, note: str) -> Path:
    """Per model: SGD field evolution, ODE field evolution (seed 0, same start and clock), the cosine
    similarity over time (every seed; full, Taylor and pair closure; SGD against its replicates) and
    IPR over time."""
    fig = Figure(figsize=(16, 3.3 * len(rows)), layout="constrained")
    axes = fig.subplots(len(rows), 4, squeeze=False)
    for row, (ax_sgd, ax_ode, ax_cos, ax_ipr) in zip(rows, axes, strict=True):
        t = row["times"]
        for ax, fields, label in ((ax_sgd, row["sgd"][0], "SGD"), (ax_ode, row["ode"][0], "ODE (full phi)")):
            sites = np.arange(fields.shape[-1])
            for j, w in enumerate(fields[:-1]):
                ax.plot(sites, w, color=EVOLUTION(j / max(1, len(fields) - 1)), lw=0.7, alpha=0.6)
            ax.plot(sites, fields[-1], color="black", lw=1.6, marker="o", ms=2.5)
            ax.axhline(0, color="0.85", lw=0.6, zorder=0)
            ax.set_title(f"{row['title']}: {label}, seed {row['seeds'][0]}", fontsize=9)
            ax.set_xlabel("site")
        ax_ode.plot(sites, row["pair"][0, -1], color=PAIR, lw=1.4, ls="-.", label="pair closure, final")
        ax_ode.legend(fontsize=8, loc="upper right")
        lim = 1.1 * max(np.abs(row[k][0]).max() for k in ("sgd", "ode", "pair"))
        ax_sgd.set_ylim(-lim, lim)
        ax_ode.set_ylim(-lim, lim)
        for form, cos in row["cos"].items():
            style = {"full": "-", "taylor": ":", "pair": "-."}[form]
            for s, c in enumerate(cos):
                ax_cos.plot(t, c, color=EVOLUTION(s / max(1, len(cos) - 1)), ls=style, lw=1.0,
                            label=f"{form}" if s == 0 else None)
        twin = row["replicate_cos"].mean(axis=0)
        for s, c in enumerate(twin):
            ax_cos.plot(t, c, color=GAUSS, lw=2.2, alpha=0.35, label="SGD vs SGD replicate" if s == 0 else None)
        ax_cos.axhline(0.9, color="tab:red", lw=0.8, ls="--", label="0.9")
        ax_cos.set_ylim(-1.05, 1.05)
        ax_cos.set_xlabel("t = lr x steps")
        ax_cos.set_ylabel("cos(ODE, SGD)")
        final, pair = row["cos"]["full"][:, -1], row["cos"]["pair"][:, -1]
        ax_cos.set_title(f"final cos: full {np.mean(final):.2f}, pair {np.mean(pair):.2f}; SGD replicate pairs "
                         f"{np.mean(row['replicate_pairs']):.2f}, best field {np.mean(row['best_cos']):.2f}",
                         fontsize=9)
        ax_cos.legend(fontsize=8, loc="lower left")
        ax_ipr.plot(t, row["ipr_sgd"].T, color=SGD, lw=1.0, alpha=0.8)
        ax_ipr.plot(t, row["ipr_ode"].T, color=THEORY, lw=1.0, alpha=0.8)
        ax_ipr.plot(t, row["ipr_pair"].T, color=PAIR, lw=1.0, ls="-.", alpha=0.8)
        ax_ipr.plot([], [], color=SGD, label="SGD")
        ax_ipr.plot([], [], color=THEORY, label="ODE (full phi)")
        ax_ipr.plot([], [], color=PAIR, ls="-.", label="ODE (pair closure)")
        ax_ipr.set_xlabel("t = lr x steps")
        ax_ipr.set_ylabel("IPR")
        ax_ipr.set_ylim(0, 1)
        ax_ipr.legend(fontsize=8)
    fig.suptitle(f"Effective ODE against SGD from the same initial weights ({note})")
    fig.savefig(path, dpi=110)
    return path


AUTHORS = "tab:green"


def _symlog_kurtosis(ax: Any) -> None:
    """A symmetric-log excess-kurtosis axis (heavy tails reach far to the right)."""
    ax.set_xscale("symlog", linthresh=1.0, linscale=1.5)
    ticks = [-2, -1, -0.5, 0, 0.5, 1, 3, 10, 30]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])


def _label_points(ax: Any, x: np.ndarray, y: np.ndarray, labels: Sequence[str]) -> None:
    """Each point's parameter above it, skipping labels that would overlap on the canvas."""
    last = -np.inf
    for i in np.argsort(x):
        position = ax.transData.transform((x[i], 0))[0]
        if position - last > 14:
            ax.annotate(labels[i], (x[i], y[i]), textcoords="offset points", xytext=(0, 5), fontsize=7,
                        rotation=90, ha="center", color="0.35")
            last = position


def claim32_figure(families: Sequence[dict[str, Any]], dim: int, path: Path, note: str) -> Path:
    """Final IPR against excess kurtosis. Top: the exact excess kurtosis, SGD mean +- std over seeds and
    the ODE (full and Taylor). Bottom: the authors' x-axis (kurtosis of one coordinate estimated from
    10^4 samples), SGD beside the authors' published points where a family carries ``authors``."""
    fig = Figure(figsize=(11, 8.4), layout="constrained")
    axes = fig.subplots(2, len(families), sharey=True, squeeze=False)
    for (top, bottom), fam in zip(axes.T, families, strict=True):
        x, est = fam["excess_kurtosis"], fam["excess_kurtosis_estimated"]
        order = np.argsort(x)
        top.errorbar(x[order], fam["sgd_mean"][order], yerr=fam["sgd_std"][order], color=SGD, marker="o", ms=4,
                     capsize=3, label=f"SGD (mean +- std, {fam['seeds']} seeds)")
        top.plot(x[order], fam["ode_full"][order], color=THEORY, marker="s", ms=4, label="ODE, full phi")
        top.plot(x[order], fam["ode_taylor"][order], color=TAYLOR, marker="^", ms=4, ls=":", label="ODE, Taylor phi")
        top.set_xlabel("exact excess kurtosis kappa - 3")
        _label_points(top, x, fam["sgd_mean"] + fam["sgd_std"], fam["labels"])
        bottom.errorbar(est, fam["sgd_mean"], yerr=fam["sgd_std"], color=SGD, marker="o", ms=4, capsize=3, ls="none",
                        label="SGD, rflab")
        if fam.get("authors") is not None:
            a = fam["authors"]
            bottom.errorbar(a["excess_kurtosis_estimated"], a["mean"], yerr=a["std"], color=AUTHORS, marker="D",
                            ms=4, capsize=3, ls="none", alpha=0.8, label=f"the authors' sweep ({a['seeds']} seeds)")
        bottom.set_xlabel("excess kurtosis estimated from 10^4 samples (the authors' axis)")
        for ax in (top, bottom):
            ax.axvline(0, color="tab:red", lw=0.8, ls="--")
            ax.axhline(3 / (dim + 2), color=GAUSS, lw=0.8, ls=":", label="random field 3/(N+2)")
            ax.axhline(4 / dim, color="tab:red", lw=0.6, ls="-.", label="localized: 4/N")
            if fam.get("log_x"):
                _symlog_kurtosis(ax)
        top.set_title(fam["title"], fontsize=10)
    for ax in axes[:, 0]:
        ax.set_ylabel("final IPR")
        ax.legend(fontsize=7, loc="upper right")
    axes[1, -1].legend(fontsize=7, loc="upper right")
    axes[0, 0].set_ylim(0, 1.05)
    fig.suptitle(f"Claim 3.2: localization against excess kurtosis\n{note}")
    fig.savefig(path, dpi=110)
    return path


def prop33_figure(rows: Sequence[dict[str, Any]], path: Path, note: str) -> Path:
    """Per elliptical model: SGD field and exact-theory field (seed 0), and the per-seed frequencies."""
    fig = Figure(figsize=(15, 3.4 * len(rows)), layout="constrained")
    axes = fig.subplots(len(rows), 3, squeeze=False)
    for row, (ax_f, ax_s, ax_q) in zip(rows, axes, strict=True):
        sites = np.arange(row["sgd"].shape[-1])
        ax_f.plot(sites, row["sgd"][0], color=SGD, marker="o", ms=2.5, lw=1.4, label="SGD")
        ax_f.plot(sites, row["ode"][0], color=THEORY, lw=1.4, label="exact elliptical flow")
        ax_f.plot(sites, row["ode_full"][0], color=TAYLOR, lw=1.0, ls=":", label="conditional-Gaussian ODE")
        ax_f.axhline(0, color="0.85", lw=0.6, zorder=0)
        ax_f.set_title(f"{row['title']}: final fields, seed {row['seeds'][0]}", fontsize=10)
        ax_f.set_xlabel("site")
        ax_f.legend(fontsize=7)
        k = np.arange(len(row["ratio"]))
        ax_s.bar(k, row["power_sgd"], width=0.4, color=SGD, label="SGD power (seed mean)", align="edge")
        ax_s.bar(k - 0.4, row["power_ode"], width=0.4, color=THEORY, label="exact flow power", align="edge")
        ax_s.set_xlabel("Fourier mode k")
        ax_s.set_ylabel("share of power")
        ax_s.set_xlim(-1, min(len(k), 12))
        twin = ax_s.twinx()
        twin.plot(k, row["ratio"], color="tab:red", marker=".", lw=0.8)
        twin.set_ylabel("lambda_1 / (lambda_0 + lambda_1)", color="tab:red", fontsize=8)
        ax_s.set_title(f"power by mode; t -> inf survivor (largest ratio): k = {row['survivor']}", fontsize=10)
        ax_s.legend(fontsize=7, loc="upper right")
        seeds = np.arange(len(row["freq_sgd"]))
        ax_q.plot(seeds - 0.08, row["mode_sgd"], "o", color=SGD, ms=8, label="SGD: dominant mode")
        ax_q.plot(seeds + 0.08, row["mode_ode"], "s", mfc="none", mec=THEORY, ms=9, mew=1.5,
                  label="exact flow: dominant mode")
        ax_q.plot(seeds - 0.08, row["freq_sgd"], "x", color=SGD, ms=6, label="SGD: fitted sinusoid frequency")
        ax_q.plot(seeds + 0.08, row["freq_ode"], "+", color=THEORY, ms=8, label="exact flow: fitted frequency")
        ax_q.axhline(row["survivor"], color="tab:red", lw=0.8, ls="--", label="t -> inf survivor")
        ax_q.set_xticks(seeds)
        ax_q.set_xlabel("seed index")
        ax_q.set_ylabel("mode k / frequency (cycles per ring)")
        ax_q.set_title("per seed (k = 0: the flat field)", fontsize=10)
        ax_q.legend(fontsize=7)
    fig.suptitle(f"Proposition 3.3: elliptical data give one Fourier mode ({note})")
    fig.savefig(path, dpi=110)
    return path


def crowded(ax: Axes, points: Sequence[tuple[float, float]], width: float = 50.0) -> list[bool]:
    """Whether a label of ``width`` points drawn to the right of each point would cover another point
    (at the axes' current limits and scales): those labels go to its left."""
    xy = ax.transData.transform(np.asarray(points, dtype=float).reshape(-1, 2))
    span = width * ax.figure.dpi / 72
    return [bool(np.any((xy[:, 0] - x > 0) & (xy[:, 0] - x < span) & (np.abs(xy[:, 1] - y) < span / 2)))
            for x, y in xy]


def phase_figure(panels: Sequence[dict[str, Any]], ratio: np.ndarray, threshold: float, path: Path,
                 note: str) -> Path:
    """Per family: final ODE IPR over (excess kurtosis, xi_1 / xi_0), the ODE's IPR = threshold contour
    (white), the criterion's boundary kappa = 3 (cyan, dashed), SGD spot checks (green, mean IPR)."""
    fig = Figure(figsize=(7 * len(panels), 5.5), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    top = max(0.5, max(float(p["ipr"].max()) for p in panels))
    for ax, panel in zip(axes, panels, strict=True):
        kurt = panel["kurtosis"]
        order = np.argsort(kurt)
        ipr = panel["ipr"][order]
        mesh = ax.pcolormesh(kurt[order], ratio, ipr.T, shading="nearest", cmap="magma",
                             norm=PowerNorm(0.5, vmin=0, vmax=top))
        if ipr.min() < threshold < ipr.max():
            ax.contour(kurt[order], ratio, ipr.T, levels=[threshold], colors="white", linewidths=1.4)
        ax.axvline(0, color="tab:cyan", lw=1.5, ls="--")
        ax.plot([], [], color="white", label=f"ODE: IPR = {threshold:.2f} (localized above)")
        ax.plot([], [], color="tab:cyan", ls="--", label="Claim 3.2 boundary: kappa = 3")
        if panel["family"] == "kur":
            ax.set_xscale("symlog", linthresh=1.0, linscale=1.5)
        spots = panel["spots"]
        for spot, left in zip(spots, crowded(ax, [(s["kurtosis"], s["ratio"]) for s in spots]), strict=True):
            ax.plot(spot["kurtosis"], spot["ratio"], "o", mfc="none", mec="lime", ms=10, mew=1.8)
            ax.annotate(f"SGD {spot['ipr']:.2f}\nODE {np.mean(spot['ipr_ode_same_starts']):.2f}",
                        (spot["kurtosis"], spot["ratio"]), textcoords="offset points", xytext=(-7 if left else 7, 3),
                        ha="right" if left else "left", color="lime", fontsize=7, fontweight="bold")
        ax.plot([], [], "o", mfc="none", mec="lime", label="SGD spot check (mean final IPR)")
        if panel["family"] == "kur":
            ticks = [t for t in (-1, -0.5, 0, 0.5, 1, 3, 10, 30) if kurt.min() - 0.1 <= t <= kurt.max() * 1.5]
            ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.set_xlabel("excess kurtosis kappa - 3")
        ax.set_ylabel("xi_1 / xi_0 (xi_0 = 1)")
        ax.set_title(f"{'Kur(k)' if panel['family'] == 'kur' else 'NLGP(g)'} family", fontsize=10)
        ax.legend(fontsize=7, loc="upper right", facecolor="0.35", labelcolor="white", framealpha=0.7)
    fig.colorbar(mesh, ax=axes, label="final IPR (effective ODE, full amplifier; square-root colour scale)")
    fig.suptitle(f"Localization phase diagram of the effective ODE ({note})", fontsize=11)
    fig.savefig(path, dpi=120)
    return path


LEARNER_COLOURS = {"neuron": THEORY, "committee": SGD, "two-layer": TAYLOR}
FAMILY_STYLES = {"nlgp": ("o", ":"), "kur": ("s", "-")}  # marker and line: the two families' ranges overlap


def many_neurons(learners: dict[str, list[dict[str, Any]]], path: Path, title: str) -> Path:
    """The share of units localized (mean over seeds, the seeds' range as a bar) against the exact
    excess kurtosis, a colour per learner and a line per data family (dotted with circles: NLGP;
    solid with squares: Kur), so that where the families overlap (excess kurtosis from -1.2 to 0)
    no line seems to join one family's points to the other's."""
    fig = Figure(figsize=(10, 5.5), layout="constrained")
    ax = fig.subplots()
    for name, points in learners.items():
        colour = LEARNER_COLOURS[name]
        for family, (marker, line) in FAMILY_STYLES.items():
            mine = sorted((p for p in points if p["family"] == family), key=lambda p: p["excess_kurtosis"])
            if not mine:
                continue
            x = np.array([p["excess_kurtosis"] for p in mine])
            shares = [np.asarray(p["localized_share"]) for p in mine]
            low = [s.mean() - s.min() for s in shares]
            high = [s.max() - s.mean() for s in shares]
            ax.errorbar(x, [s.mean() for s in shares], yerr=[low, high], color=colour, marker=marker, ms=6,
                        capsize=2, lw=1, ls=line)
        ax.plot([], [], color=colour, lw=3, label=name)
    for family, (marker, line) in FAMILY_STYLES.items():
        ax.plot([], [], ls=line, marker=marker, color="0.4", label=family.upper() if family == "nlgp" else "Kur(k)")
    ax.axvline(0, color=GAUSS, ls="--", lw=0.8)
    _symlog_kurtosis(ax)
    ax.set_xlabel("excess kurtosis of the marginal (exact)")
    ax.set_ylabel("share of units localized")
    ax.set_ylim(-0.03, 1.03)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(title, fontsize=10)
    fig.savefig(path, dpi=100)
    return path
