"""``rflab data ...``: inspect the data models."""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from rflab.cli.options import MemoryOption, memory_bytes, store_root
from rflab.config import ConfigError, digest, parse_overrides
from rflab.paths import check_folder

app = typer.Typer(help="Inspect data models: the registry, and exact against sampled statistics.",
                  no_args_is_help=True)


@app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False) -> None:
    """Every registered data model (those of $RFLAB_PLUGINS included): its summary and its settings."""
    from rflab.data import registry

    models = {name: {"summary": entry.summary, "settings": list(entry.params.model_fields),
                     "numerics": entry.numerics} for name, entry in registry.MODELS.items()}
    if as_json:
        print(json.dumps({"models": models}))
        return
    table = Table(title="Data models (rflab data describe NAME; data=NAME in rf-* experiments)")
    for col in ("name", "settings", "what"):
        table.add_column(col)
    for name, model in models.items():
        table.add_row(name, ", ".join(model["settings"]), model["summary"])
    Console().print(table)


def print_table(title: str, stats: dict[str, Any], path: Path) -> None:
    """Exact against sampled, as a Rich table on stderr."""
    table = Table(title=title)
    table.add_column("statistic")
    table.add_column("exact", justify="right")
    table.add_column("sampled", justify="right")
    se = stats["kurtosis_se"]
    spread = f" ± {se:.4f}" if math.isfinite(se) else " (s.e. undefined: E x^8 = inf)"
    for label, key in (("variance", "variance"), ("kurtosis", "kurtosis"), ("excess kurtosis", "excess_kurtosis")):
        note = spread if "kurtosis" in key else ""
        table.add_row(label, f"{stats[key + '_exact']:.4f}", f"{stats[key + '_empirical']:.4f}{note}")
    table.add_row("max |cov error|", "", f"{stats['max_cov_error']:.4f}")
    table.add_row("max |cov error| / s.e.", "", f"{stats['max_cov_z']:.2f}")
    table.add_row("samples", "", str(stats["n_samples"]))
    console = Console(stderr=True)
    console.print(table)
    console.print(f"figure: {path}")


@app.command()
def describe(
    name: Annotated[str, typer.Argument(help="data model, e.g. nlgp, kur, ising, elliptical, kur-clone")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="key=value, repeatable (pairs: xi=1,3)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
    samples: Annotated[int, typer.Option("--samples", help="number of samples")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="PRNG seed")] = 0,
    cls: Annotated[int, typer.Option("--class", help="class to sample (0 or 1)")] = 1,
    out: Annotated[Path | None, typer.Option("--out", help="output folder")] = None,
    memory_limit: MemoryOption = None,
) -> None:
    """Exact against sampled statistics of a data model, and a figure of samples and marginal."""
    from rflab import resources
    from rflab.data import registry
    from rflab.data.statistics import describe_bytes, kernel_clip, statistics
    from rflab.experiments.base import SEED_MAX
    from rflab.files import finite, write_json

    overrides = parse_overrides(set_ or [])
    params = registry.params(name, overrides)
    if samples < 2:
        raise ConfigError(f"--samples={samples}: must be at least 2")
    if cls not in (0, 1):
        raise ConfigError(f"--class={cls}: must be 0 or 1")
    if not 0 <= seed <= SEED_MAX:
        raise ConfigError(f"--seed={seed}: must be from 0 to {SEED_MAX}")
    sites = params.N ** params.dims  # type: ignore[attr-defined]
    with resources.memory_limit(memory_bytes(memory_limit)):
        resources.check_total(f"data describe {name}", describe_bytes(sites, samples),
                              f"{samples} samples x {sites} sites and their exact covariance", "lower --samples or N")
    record = {"model": name, "params": params.model_dump(mode="json"), "class": cls, "seed": seed}
    folder = out if out is not None else store_root(None) / "data" / f"{name}-{digest(record | {'samples': samples})}"
    check_folder(folder, "--out")
    model = registry.spec(name).make(params)

    import jax

    from rflab.cli import setup_jax
    from rflab.plots.fields import describe_figure

    setup_jax()

    start = time.perf_counter()
    x = np.asarray(model.sample_class(jax.random.PRNGKey(seed), samples, cls))
    seconds = time.perf_counter() - start
    stats = statistics(model, x, cls)
    folder.mkdir(parents=True, exist_ok=True)
    setting = ", ".join(f"{k}={v}" for k, v in params.model_dump().items())
    figure = describe_figure(model, x, cls, folder / "describe.png", f"{name} ({setting}), class {cls}")
    result = record | finite(stats) | {"kernel_clip": kernel_clip(model), "sample_seconds": seconds,
                                       "figure": str(figure)}
    write_json(folder / "describe.json", result, indent=2)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        print_table(f"{name}, class {cls}", stats, figure)
        if result["kernel_clip"] > 1e-6:
            Console(stderr=True).print(
                f"note: exp(-d^2/xi^2) is not positive definite here; clipping its negative "
                f"eigenvalues changed it by up to {result['kernel_clip']:.1e} (exact values use the clipped kernel)")
