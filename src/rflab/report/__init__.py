"""``rflab report``: one self-contained HTML page from a results store, for one scale: every claim of
the source documents against what was measured (``claims``), every figure, and the runs' own images.
It reads only; what is not in the store is shown as not run, with the command that makes it."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from rflab.figures import FIGURES
from rflab.files import replacing, write_between_markers
from rflab.report import reproduce
from rflab.report.claims import CLAIMS, CROSS_CHECKS
from rflab.report.evidence import Evidence
from rflab.report.page import Image, Section, render
from rflab.schema import Missing
from rflab.version import __version__


def figure_sections(ev: Evidence) -> list[Section]:
    """Every registered figure at the report's scale, with its summary."""
    return [Section(f"{name}: {fig.summary}", f"`rflab figure {name} --scale {ev.scale}`",
                    tuple(Image(p, p.name) for p in ev.figure_files(name))) for name, fig in FIGURES.items()]


def run_sections(ev: Evidence) -> list[Section]:
    """The first seed's images of every reproduce run step that names a gallery."""
    out = []
    for step in reproduce.run_steps(ev.scale):
        if not step.gallery:
            continue
        seed = step.runs.seeds[0]
        try:
            (run,) = ev.spec_runs(replace(step.runs, seeds=(seed,)))
        except Missing:
            out.append(Section(f"rflab run {step.label}", "", ()))
            continue
        out.append(Section(f"rflab run {step.label}", "", tuple(
            Image(run.path / n, f"{n} (seed {seed}, run {run.run_id})") for n in step.gallery
            if (run.path / n).exists())))
    return out


def meta_lines(ev: Evidence) -> list[str]:
    """Scale, store, version, and the last reproduce's wall time and peak memory."""
    lines = [f"scale `{ev.scale}`, store `{ev.root}`, rflab {__version__}, written "
             f"{time.strftime('%Y-%m-%d %H:%M:%S')}"]
    history = ev.manifest.get("history", [])
    if history:
        first, last = history[0], history[-1]
        lines.append(f"`rflab reproduce --scale {ev.scale}`: first run {first['seconds']:.0f} s wall, peak memory "
                     f"{first['peak_rss_mib']:.0f} MiB; latest run {last['seconds']:.1f} s, {last['computed']} steps "
                     f"computed, {last['from_store']} from the store, peak memory {last['peak_rss_mib']:.0f} MiB")
    return lines


def build(root: Path, scale: str, out: Path | None = None, markdown: Path | None = None,
          readme: Path | None = None) -> Path:
    """Write the report of the store at ``root`` for ``scale`` to ``out`` (default ``root/report.html``),
    its results pages into the folder ``markdown`` and its headline block into the page ``readme``
    (between the ``report SCALE`` markers) when they are given."""
    from rflab.report import figure_pages
    from rflab.report import markdown as md

    reproduce.check_scale(scale)
    ev = Evidence(Path(root), scale)
    rows = [(c, c.finding(ev)) for c in CLAIMS]
    checks = [(c, c.finding(ev)) for c in CROSS_CHECKS]
    if markdown is not None:
        md.write(ev, rows, checks, Path(markdown))
        figure_pages.write(Path(root) / "figures", scale, Path(markdown))
    if readme is not None:
        write_between_markers(Path(readme), f"report {scale}", md.headline(ev, rows))
    page = render(f"rflab: claims, measurements and figures ({scale} scale)", meta_lines(ev), rows, checks,
                  figure_sections(ev), run_sections(ev))
    out = Path(out) if out is not None else Path(root) / "report.html"
    with replacing(out) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return out
