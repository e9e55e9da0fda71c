"""Paper figures and studies: analyses over stored runs, each declaring the runs it needs per scale.

Every module of this package that defines ``FIGURES`` (a tuple of ``Figure``) is registered, in the
order of the module names and of each tuple, so adding a figure touches its own module only.
"""

from __future__ import annotations

import importlib
import pkgutil

from rflab.config import ConfigError
from rflab.figures.base import Figure, Inputs, Scale, output, render


def _registered() -> dict[str, Figure]:
    """Every ``FIGURES`` entry of this package's modules, by name."""
    found: dict[str, Figure] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        for figure in getattr(importlib.import_module(f"{__name__}.{info.name}"), "FIGURES", ()):
            if figure.name in found:
                raise RuntimeError(f"two figures are called {figure.name!r}")
            found[figure.name] = figure
    return found


FIGURES: dict[str, Figure] = _registered()

__all__ = ["FIGURES", "Figure", "Inputs", "Scale", "get_figure", "output", "render"]


def get_figure(name: str) -> Figure:
    """The figure called ``name``, or a one-line ConfigError listing the allowed names."""
    if name not in FIGURES:
        raise ConfigError(f"unknown figure {name!r}; allowed: {', '.join(FIGURES) or 'none yet'}")
    return FIGURES[name]
