"""``rflab data ...``: inspect the data models."""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from rflab.cli.options import MemoryOption, memory_bytes
from rflab.config import ConfigError, digest, parse_overrides
from rflab.paths import check_folder

app = typer.Typer(help="Inspect data models: exact against sampled statistics.", no_args_is_help=True)

COV_SITES = 2048


def statistics(model: Any, x: np.ndarray, c: int) -> dict[str, Any]:
    """Exact against sampled marginal variance, kurtosis and covariance of class-c samples x (n, D).

    Zero means are known, so second moments are raw: var = mean x^2, kurtosis = mean x^4 / var^2
    (pooled over sites), covariance X^T X / n over the first ``COV_SITES`` sites; ``max_cov_z`` is
    the largest |error| over its standard error sqrt((mean x_i^2 x_j^2 - m_ij^2) / n).
    ``kurtosis_se`` is the delta-method standard error from per-sample site averages; it is nan
    when E x^8 is infinite (Kur k <= 8, t nu <= 8), where the sample kurtosis converges slowly
    and from below.
    """
    x = np.asarray(x, np.float64)
    n = x.shape[0]
    sites = min(model.dim, COV_SITES)
    sub = x[:, :sites]
    second = sub.T @ sub / n
    error = np.abs(second - model.covariance(c)[:sites, :sites])
    sq = sub**2
    se = np.sqrt(np.clip(sq.T @ sq / n - second**2, 0.0, None) / n)
    z = np.divide(error, se, out=np.zeros_like(error), where=se > 0)
    m2, m4 = float(np.mean(x**2)), float(np.mean(x**4))
    a, b = np.mean(x**4, axis=1), np.mean(x**2, axis=1)
    grad = np.array([1 / m2**2, -2 * m4 / m2**3])
    kurtosis_se = float(np.sqrt(max(grad @ np.cov(a, b) @ grad, 0.0) / n))
    eighth_finite = math.isfinite(model.marginal.moment(8))
    return {
        "kurtosis_exact": model.kurtosis,
        "kurtosis_empirical": m4 / m2**2,
        "excess_kurtosis_exact": model.kurtosis - 3.0,
        "excess_kurtosis_empirical": m4 / m2**2 - 3.0,
        "kurtosis_se": kurtosis_se if eighth_finite else math.nan,
        "eighth_moment_finite": eighth_finite,
        "variance_exact": model.variance,
        "variance_empirical": m2,
        "max_cov_error": float(error.max()),
        "max_cov_z": float(z.max()),
        "cov_sites": sites,
        "n_samples": n,
    }


def describe_bytes(sites: int, samples: int) -> int:
    """Memory of ``rflab data describe``: the samples through the sampler's FFTs, their float64 copies
    and powers, the exact (D, D) covariance built whole and the compared block of COV_SITES sites."""
    from rflab.resources import DOUBLE, FLOAT

    block = min(sites, COV_SITES)
    return samples * sites * (8 * FLOAT + 6 * DOUBLE) + 5 * DOUBLE * sites**2 + 4 * DOUBLE * block**2


def kernel_clip(model: Any) -> float:
    """Largest change made to exp(-d^2/xi^2) by clipping its negative eigenvalues (0: none)."""
    from rflab.data.fields import kernel_defect

    xi = getattr(getattr(model, "of", model), "xi", ())
    return max((kernel_defect(model.lattice, v) for v in xi), default=0.0)


def finite_or_none(value: Any) -> Any:
    """JSON has no inf or nan: such floats become null."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def default_out(name: str, key: str) -> Path:
    """``$RFLAB_STORE/data/<name>-<hash>`` (the store defaults to ``./rflab-results``)."""
    return Path(os.environ.get("RFLAB_STORE", "rflab-results")) / "data" / f"{name}-{key}"


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
    from rflab.data import models
    from rflab.experiments.base import SEED_MAX

    overrides = parse_overrides(set_ or [])
    params = models.params(name, overrides)
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
    folder = out if out is not None else default_out(name, digest(record | {"samples": samples}))
    check_folder(folder, "--out")
    model = models.spec(name).make(params)

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
    result = record | {k: finite_or_none(v) for k, v in stats.items()}
    result |= {"kernel_clip": kernel_clip(model), "sample_seconds": seconds, "figure": str(figure)}
    (folder / "describe.json").write_text(json.dumps(result, indent=2) + "\n")
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        print_table(f"{name}, class {cls}", stats, figure)
        if result["kernel_clip"] > 1e-6:
            Console(stderr=True).print(
                f"note: exp(-d^2/xi^2) is not positive definite here; clipping its negative "
                f"eigenvalues changed it by up to {result['kernel_clip']:.1e} (exact values use the clipped kernel)")
