"""What a figure is: per scale, the runs it declares (``Scale``), and ``make`` turning those runs,
loaded from the store or trained, into files. ``render`` does the loading and writes the files whole
or not at all; reproduce, the report and ``rflab figure`` all read the same declarations.

Adding a figure: a module in this package with a ``FIGURES`` tuple (docs/extending.md); nothing else
names it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from rflab.config import Config, ConfigError
from rflab.files import staged
from rflab.results.cache import RunSpec, load_all
from rflab.results.store import Store, StoredRun
from rflab.results.watch import Watcher, quiet
from rflab.train import ProgressFn

S = TypeVar("S")


@dataclass(frozen=True)
class Scale(Generic[S]):
    """A figure at one scale: the runs it needs by name, the note its files carry, and whatever else
    the figure needs at this scale (its own settings: sample counts, grids)."""

    runs: Mapping[str, RunSpec]
    note: str = ""
    settings: S = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Inputs(Generic[S]):
    """What ``make`` gets: the figure's name, the declared runs loaded (by name), the scale's name and
    declaration, the folder to write into and a progress callback for long computations that are not runs."""

    name: str
    runs: Mapping[str, list[StoredRun]]
    scale_name: str
    scale: Scale[S]
    folder: Path
    progress: Callable[[str], ProgressFn]

    def file(self, suffix: str) -> Path:
        """The figure's file with this suffix (``.png``, ``.json``) in the output folder."""
        return output(self.folder, self.name, self.scale_name, suffix)

    def config(self, key: str) -> Config:
        """The validated config of the runs declared under ``key``."""
        return self.scale.runs[key].config()


@dataclass(frozen=True)
class Figure:
    """A paper figure or study: its name, a summary, its scales (the runs each declares), the schema
    of the numbers it writes (``NAME-SCALE.json``, None when it writes only images) and ``make``."""

    name: str
    summary: str
    scales: dict[str, Scale[Any]]
    make: Callable[[Inputs[Any]], list[Path]]
    numbers: Any = None

    def scale(self, scale: str) -> Scale[Any]:
        """The declaration at ``scale``, or a one-line ConfigError naming the scales."""
        if scale not in self.scales:
            raise ConfigError(f"scale={scale!r}: expected one of {', '.join(self.scales)}")
        return self.scales[scale]


def output(folder: Path, name: str, scale: str, suffix: str) -> Path:
    """The file ``folder/NAME-SCALE.SUFFIX`` that figure (or check) ``name`` writes at ``scale``: the one
    place these names are made, for what writes them and for what reads them."""
    return folder / f"{name}-{scale}{suffix}"


def render(figure: Figure, scale: str, folder: Path, store: Store, watch: Watcher = quiet,
           declared: Scale[Any] | None = None) -> list[Path]:
    """Load (or train and store) the runs ``figure`` declares at ``scale`` (or ``declared``), then make it
    into ``folder``: its files are written aside and moved in only when all of them are done, so an
    error or Ctrl-C leaves no partial figure (the runs it stored are kept)."""
    at = declared if declared is not None else figure.scale(scale)
    runs = load_all(at.runs, store, lambda keys: watch(f"{figure.name}: {keys}"))
    with staged(folder) as tmp:
        files = figure.make(Inputs(figure.name, runs, scale, at, tmp, lambda label: watch(label).step))
    return [folder / Path(f).relative_to(tmp) for f in files]
