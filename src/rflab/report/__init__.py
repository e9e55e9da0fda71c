"""``rflab report``: one self-contained HTML page from a results store, for one scale: every claim of
the source documents against what was measured (``claims``), every figure, and the runs' own images.
It reads only; what is not in the store is shown as not run, with the command that makes it."""

from __future__ import annotations

import time
from pathlib import Path

import rflab
from rflab.report.claims import CLAIMS, CROSS_CHECKS
from rflab.report.evidence import Evidence, Missing
from rflab.report.page import Image, Section, render
from rflab.store import replacing

GALLERY: dict[str, tuple[str, ...]] = {
    "dipole-3d/seed": ("reconstructions.png", "code_projections.png", "training.png"),
    "dipole-3d/default": ("code_3d.png", "code_projections.png", "reconstructions.png", "training.png",
                          "training.gif"),
    "dipole-3d/mdl": ("code_3d.png", "unit_positions.png", "training.gif"),
    "dipole-2d/default": ("unit_positions.png", "code_projections.png", "training.gif"),
    "bars-what-where/default": ("units.png", "codes.png", "reconstructions.png"),
    "rf-neuron/nlgp": ("receptive_fields.png", "training.png"),
    "rf-neuron/nlgp-clone": ("receptive_fields.png",),
    "rf-committee/kur10": ("receptive_fields.png",),
    "rf-ica/kur3": ("receptive_fields.png",),
}


def figure_sections(ev: Evidence) -> list[Section]:
    """Every registered figure at the report's scale, with its summary."""
    from rflab.experiments import FIGURES

    return [Section(f"{name}: {fig.summary}", f"`rflab figure {name} --scale {ev.scale}`",
                    tuple(Image(p, p.name) for p in ev.figure_files(name))) for name, fig in FIGURES.items()]


def run_sections(ev: Evidence) -> list[Section]:
    """The first seed's images of every reproduce run step listed in GALLERY."""
    from rflab.reproduce import run_steps

    out = []
    for step in run_steps(ev.scale):
        names = GALLERY.get(step.key)
        if not names:
            continue
        try:
            (run,) = ev.config_runs(step.experiment, step.preset, step.overrides, step.seeds[:1])
        except Missing:
            out.append(Section(f"rflab run {step.label}", "", ()))
            continue
        out.append(Section(f"rflab run {step.label}", "", tuple(
            Image(run.path / n, f"{n} (seed {step.seeds[0]}, run {run.run_id})") for n in names
            if (run.path / n).exists())))
    return out


def meta_lines(ev: Evidence) -> list[str]:
    """Scale, store, version, and the last reproduce's wall time and peak memory."""
    lines = [f"scale `{ev.scale}`, store `{ev.root}`, rflab {rflab.__version__}, written "
             f"{time.strftime('%Y-%m-%d %H:%M:%S')}"]
    history = ev.manifest.get("history", [])
    if history:
        first, last = history[0], history[-1]
        lines.append(f"`rflab reproduce --scale {ev.scale}`: first run {first['seconds']:.0f} s wall, peak memory "
                     f"{first['peak_rss_mib']:.0f} MiB; latest run {last['seconds']:.1f} s, {last['computed']} steps "
                     f"computed, {last['from_store']} from the store, peak memory {last['peak_rss_mib']:.0f} MiB")
    return lines


def build(root: Path, scale: str, out: Path | None = None, markdown: Path | None = None) -> Path:
    """Write the report of the store at ``root`` for ``scale`` to ``out`` (default ``root/report.html``),
    and its results pages into the folder ``markdown`` when one is given."""
    from rflab.report import markdown as md
    from rflab.reproduce import check_scale

    check_scale(scale)
    ev = Evidence(Path(root), scale)
    rows = [(c, c.finding(ev)) for c in CLAIMS]
    checks = [(c, c.finding(ev)) for c in CROSS_CHECKS]
    if markdown is not None:
        md.write(ev, rows, checks, Path(markdown))
    page = render(f"rflab: claims, measurements and figures ({scale} scale)", meta_lines(ev), rows, checks,
                  figure_sections(ev), run_sections(ev))
    out = Path(out) if out is not None else Path(root) / "report.html"
    with replacing(out) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return out
