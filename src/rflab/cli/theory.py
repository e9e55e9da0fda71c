"""``rflab theory ...``: analytical predictions of the localization theory for any data model."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from pydantic import Field
from rich.console import Console
from rich.table import Table

from rflab.cli.options import MemoryOption, StoreOption, memory_bytes, store_root
from rflab.config import Config, ConfigError, build, digest, parse_overrides
from rflab.paths import check_folder, check_store

app = typer.Typer(help="Theory: the amplifier phi(a) and its Taylor form for any data model.", no_args_is_help=True)


class AmplifierRequest(Config):
    """One value of a, or a grid of ``points`` values on [0, 1]."""

    a: float | None = Field(None, ge=-1, le=1, allow_inf_nan=False, description="one value of a in [-1, 1]")
    points: int = Field(21, ge=2, le=10_001, description="grid points on [0, 1] when a is not given")


def _cell(value: float) -> str:
    return f"{value:.6f}" if math.isfinite(value) else "-"


@app.command()
def amplifier(
    data: Annotated[str, typer.Option("--data", help="data model, e.g. nlgp, kur, ising, elliptical")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="model parameter key=value, repeatable")] = None,
    a: Annotated[float | None, typer.Option("--a", help="one value of a in [-1, 1] (default: a grid)")] = None,
    points: Annotated[int, typer.Option("--points", help="grid points on [0, 1] when --a is not given")] = 21,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="folder for amplifier.png and amplifier.json")] = None,
) -> None:
    """phi(a) by quadrature, its third-order form and the excess kurtosis; a figure of phi against
    the Gaussian line and the Taylor curve."""
    from rflab.data import registry
    from rflab.files import finite, write_json
    from rflab.plots.theory import amplifier_figure
    from rflab.theory.amplifier import values as amplifier_values

    params = registry.params(data, parse_overrides(set_ or []))
    request = build(AmplifierRequest, {"a": a, "points": points})
    record = {"data": data, "params": params.model_dump(mode="json")}
    folder = out if out is not None else store_root(None) / "theory" / f"amplifier-{data}-{digest(record)}"
    check_folder(folder, "--out")
    model = registry.spec(data).make(params)
    marginal = model.marginal

    grid = np.array([request.a]) if request.a is not None else np.linspace(0.0, 1.0, request.points)
    values = amplifier_values(marginal, grid)
    folder.mkdir(parents=True, exist_ok=True)
    plot_a = np.linspace(-1.0, 1.0, 201)
    plotted = amplifier_values(marginal, plot_a)
    setting = ", ".join(f"{k}={v}" for k, v in params.model_dump().items())
    kurt = marginal.kurtosis
    figure = amplifier_figure(plot_a, plotted["phi"], plotted["phi_taylor"],
                              f"amplifier of {data} ({setting}); kappa - 3 = {kurt - 3:.4g}", folder / "amplifier.png")
    single = request.a is not None
    result = record | {
        "a": float(grid[0]) if single else grid,
        **{k: (None if v is None else (float(v[0]) if single else v)) for k, v in values.items()},
        "excess_kurtosis": kurt - 3.0,
        "kurtosis": kurt,
        "cubic_coefficient": -math.sqrt(2 / math.pi) * (kurt - 3) / 6,
        "figure": str(figure),
    }
    result = finite(result)
    write_json(folder / "amplifier.json", result, indent=2)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    table = Table(title=f"phi(a) for {data} ({setting}); excess kurtosis {kurt - 3:.4g}")
    for col in ("a", "phi", "phi_taylor", "sqrt(2/pi) a", "phi'"):
        table.add_column(col, justify="right")
    for i, value in enumerate(grid):
        taylor = values["phi_taylor"]
        table.add_row(f"{value:.4g}", f"{values['phi'][i]:.6f}", "-" if taylor is None else f"{taylor[i]:.6f}",
                      f"{values['phi_gaussian'][i]:.6f}", _cell(values["phi_derivative"][i]))
    console = Console(stderr=True)
    Console().print(table)
    console.print(f"figure: {figure}")


@app.command()
def claim32(
    scale: Annotated[str, typer.Option(help="quick, paper (the authors' sweep) or fig3-xi (a variant at Fig. 3's "
                                             "correlation lengths)")] = "paper",
    seeds: Annotated[int | None, typer.Option(
        help="seeds 0..N-1 at every point instead of the scale's (paper: 30 NLGP, 100 Kur)")] = None,
    store: StoreOption = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="folder for the figure files (default STORE/figures)")
                       ] = None,
    memory_limit: MemoryOption = None,
) -> None:
    """The Claim 3.2 sweep (``rflab figure claim32``) with a chosen number of seeds."""
    from rflab import resources
    from rflab.cli import setup_jax
    from rflab.cli.progress import ConsoleWatch
    from rflab.experiments.base import SEED_MAX
    from rflab.figures import get_figure, lufkin_theory, render
    from rflab.results.store import Store

    get_figure("claim32").scale(scale)
    if seeds is not None and not 1 <= seeds <= SEED_MAX:
        raise ConfigError(f"--seeds={seeds}: must be from 1 to {SEED_MAX}")
    root = store_root(store)
    check_store(root)
    target = out_dir if out_dir is not None else root / "figures"
    check_folder(target, "--out")
    sweep = lufkin_theory.CLAIM32_SWEEPS[scale]
    setup_jax()
    with resources.memory_limit(memory_bytes(memory_limit)):
        files = render(get_figure("claim32"), scale, target, Store(root), ConsoleWatch,
                       lufkin_theory.claim32_scale(sweep if seeds is None else sweep.with_seeds(seeds)))
    for path in files:
        Console().print(str(path))
