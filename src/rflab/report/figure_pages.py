"""One page per figure, written by ``rflab report --markdown DIR`` into ``DIR/figures``: what the
figure shows (its ``make``'s docstring), the commands that make it, the runs it declares at every
scale, and its image at each scale whose report was written into the same folder (copied there from
the store by that report, and labelled with its scale)."""

from __future__ import annotations

import inspect
import shutil
from collections.abc import Mapping
from pathlib import Path

from rflab.figures import FIGURES, Figure, output
from rflab.files import replacing
from rflab.report.markdown import cell

FOLDER = "figures"


def figure_page(figure: Figure, images: Mapping[str, str]) -> str:
    """The page of ``figure``; ``images`` maps a scale to its image file beside the page."""
    lines = [f"# {figure.name}: {figure.summary}", "",
             "Written by `rflab report --markdown` from the figure's declaration (`rflab.figures`) and the "
             "images of the stores it was run on.", "", "## What it shows", "",
             inspect.cleandoc(figure.make.__doc__ or figure.summary), "", "## Make it", "", "```bash",
             *(f"rflab figure {figure.name} --scale {name}" for name in figure.scales), "```", "",
             f"Each writes `STORE/figures/{figure.name}-SCALE.png`"
             + (" and `.json` (every number plotted, with the settings)" if figure.numbers is not None else "")
             + ", taking the runs below from the store or training and storing them."]
    for name, scale in figure.scales.items():
        lines += ["", f"## At the {name} scale", ""]
        lines += [" ".join(scale.note.split()), ""] if scale.note else []
        lines += ["| runs | made by | seeds |", "|---|---|---:|"]
        lines += [f"| {cell(key)} | `rflab run {cell(spec.label)}` | {len(spec.seeds)} |"
                  for key, spec in scale.runs.items()]
        lines += ["", f"![{figure.name} at the {name} scale]({images[name]})" if name in images else
                  f"No image at this scale in these pages yet: `rflab report --scale {name} --markdown DIR` "
                  "copies it from a store that has it."]
    return "\n".join(lines) + "\n"


def index_page(pages: Mapping[str, Figure]) -> str:
    """The list of every figure's page."""
    return "\n".join(["# Figures", "", "Every figure and study of the registry, one page each (written by "
                      "`rflab report --markdown`).", "", "| figure | what |", "|---|---|",
                      *(f"| [{figure.name}]({page}) | {cell(figure.summary)} |" for page, figure in pages.items()),
                      ""])


def write(store_figures: Path, scale: str, out_dir: Path) -> list[Path]:
    """Copy every figure's image at ``scale`` from the store's figures folder into ``out_dir/figures`` and
    write each figure's page and the index there; the files written."""
    folder = out_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for figure in FIGURES.values():
        image = output(store_figures, figure.name, scale, ".png")
        if image.exists():
            shutil.copyfile(image, folder / image.name)
            written.append(folder / image.name)
    pages = {f"{figure.name}.md": figure for figure in FIGURES.values()}
    texts = {page: figure_page(figure, {name: output(folder, figure.name, name, ".png").name
                                        for name in figure.scales
                                        if output(folder, figure.name, name, ".png").exists()})
             for page, figure in pages.items()} | {"index.md": index_page(pages)}
    for page, text in texts.items():
        with replacing(folder / page) as tmp:
            tmp.write_text(text, encoding="utf-8")
        written.append(folder / page)
    return written
