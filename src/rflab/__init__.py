"""rflab: how structured representations emerge from learning.

The public API (``rflab.api``): ``run``, ``sweep``, ``runs``, ``load``, ``figure``, ``Store``,
``Result`` and ``ConfigError`` (every refused request); and the layers by short paths:
``rflab.data``, ``rflab.models``, ``rflab.train``, ``rflab.theory``, ``rflab.metrics``,
``rflab.plots``, ``rflab.experiments``, ``rflab.results``, ``rflab.figures``, ``rflab.report``.
Everything is imported on first use, so ``import rflab`` is cheap. It asks JAX for float32 matrix
products and convolutions (``_float32_products``).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

from rflab.version import __version__


def _float32_products() -> None:
    """Matrix products and convolutions in float32 on every backend, unless the user chose otherwise.

    JAX's default on NVIDIA GPUs is TensorFloat-32 (a 10-bit mantissa): on an H200 the correlated
    fields' dense root then missed the FFT's fields and the MDL code its exact values, beyond the tests'
    float32 tolerances. On the CPU products are float32 either way. Before JAX is imported, the
    variable sets JAX's default."""
    jax = sys.modules.get("jax")
    if jax is None:
        os.environ.setdefault("JAX_DEFAULT_MATMUL_PRECISION", "highest")
    elif jax.config.jax_default_matmul_precision is None:
        jax.config.update("jax_default_matmul_precision", "highest")


_float32_products()

if TYPE_CHECKING:  # what __getattr__ gives, for type checkers and editors
    from rflab import data as data
    from rflab import experiments as experiments
    from rflab import figures as figures
    from rflab import metrics as metrics
    from rflab import models as models
    from rflab import plots as plots
    from rflab import report as report
    from rflab import results as results
    from rflab import theory as theory
    from rflab import train as train
    from rflab.api import Result as Result
    from rflab.api import figure as figure
    from rflab.api import load as load
    from rflab.api import run as run
    from rflab.api import runs as runs
    from rflab.api import sweep as sweep
    from rflab.config import ConfigError as ConfigError
    from rflab.results.store import Store as Store

API = ("Result", "figure", "load", "run", "runs", "sweep")
LAYERS = ("data", "experiments", "figures", "metrics", "models", "plots", "report", "results", "theory", "train")
__all__ = ["ConfigError", "Store", "__version__", *API, *LAYERS]


def __getattr__(name: str) -> Any:
    """The API and the layers, imported when first asked for."""
    if name in API:
        return getattr(importlib.import_module("rflab.api"), name)
    if name == "Store":
        return importlib.import_module("rflab.results.store").Store
    if name == "ConfigError":
        return importlib.import_module("rflab.config").ConfigError
    if name in LAYERS:
        return importlib.import_module(f"rflab.{name}")
    raise AttributeError(f"module 'rflab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
