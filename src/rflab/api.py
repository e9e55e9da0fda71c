"""The Python API: run an experiment, sweep a grid, query the store, load a run, make a figure.

Every function takes the store explicitly (a ``Store``, or a folder; ``./rflab-results`` when none is
given) and reads no environment variable. Progress is reported to a ``Watch`` when one is given
(``rflab.results.cache``); nothing is drawn.

    import rflab
    store = rflab.Store("my-results")
    result = rflab.run("rf-neuron", seeds=range(3), preset="nlgp", steps=500, store=store)
    result.metrics[0].ipr, result.fields()        # typed metrics; fields as an xarray (seed, step, unit, site)
    rflab.runs(experiment="rf-neuron", store=store)   # a pandas DataFrame of every stored run
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rflab import resources
from rflab.config import Config, ConfigError, digest
from rflab.experiments import get_experiment
from rflab.experiments.base import SEED_MAX
from rflab.paths import check_store
from rflab.results import query
from rflab.results import sweep as sweeps
from rflab.results.cache import ensure
from rflab.results.store import DEFAULT_ROOT, Store, StoredRun
from rflab.results.watch import Watch, Watcher, quiet
from rflab.schema import Schema, view

StoreLike = Store | str | Path | None


def as_store(store: StoreLike) -> Store:
    """``store`` as a Store: a folder becomes one, None the default folder ``./rflab-results``."""
    return store if isinstance(store, Store) else Store(DEFAULT_ROOT if store is None else store)


def as_seeds(seeds: int | Iterable[int]) -> Sequence[int]:
    """One seed or several (a range stays a range, so a huge one is refused before it is built)."""
    if isinstance(seeds, int):
        seeds = range(seeds, seeds + 1)
    elif not isinstance(seeds, Sequence):
        seeds = list(seeds)
    if not len(seeds):
        raise ConfigError("seeds: give at least one")
    ends = (seeds[0], seeds[-1]) if isinstance(seeds, range) else (min(seeds), max(seeds))
    if min(ends) < 0 or max(ends) > SEED_MAX:
        raise ConfigError(f"seeds: each must be from 0 to {SEED_MAX}")
    return seeds


@dataclass(frozen=True)
class Result:
    """What ``run`` returns: the experiment, its validated config, one stored run per seed (``runs``)
    and the seeds computed by this call (the others came from the store)."""

    experiment: str
    config: Config
    runs: list[StoredRun]
    computed: list[int]

    @property
    def seeds(self) -> list[int]:
        return [r.seed for r in self.runs]

    @property
    def run_ids(self) -> list[str]:
        return [r.run_id for r in self.runs]

    @property
    def run_id(self) -> str:
        """The run's id, or for several seeds one id for them all (as ``rflab run --json`` prints it)."""
        return self.run_ids[0] if len(self.runs) == 1 else digest({"runs": self.run_ids})

    @property
    def metrics(self) -> list[Schema]:
        """Each seed's metrics, read by attribute through the experiment's schema (``result.metrics[0].ipr``)."""
        schema = get_experiment(self.experiment).metrics
        return [view(schema, r.metrics, "rerun with force=True") for r in self.runs]

    @property
    def train_seconds(self) -> float:
        return sum(r.train_seconds for r in self.runs)

    def summary(self) -> dict[str, Any]:
        """One seed's metrics, or over several seeds each seed's and the mean, std, min and max of every number."""
        from rflab.metrics.codes import summarise

        return self.runs[0].metrics if len(self.runs) == 1 else summarise({r.seed: r.metrics for r in self.runs})

    def arrays(self) -> list[dict[str, Any]]:
        """Each seed's stored arrays."""
        return [r.arrays() for r in self.runs]

    def figures(self) -> list[list[Path]]:
        """Each seed's images (figures and the training animation) in its run folder."""
        return [r.files() for r in self.runs]

    def xarray(self, name: str) -> Any:
        """The array ``name`` of every seed as an xarray DataArray labelled with the dimensions the
        experiment declares, ``seed`` first (and the training step of each snapshot where stored)."""
        import numpy as np
        import xarray as xr

        dims = get_experiment(self.experiment).dims
        if name not in dims:
            raise ConfigError(f"{name!r}: no labelled array of {self.experiment}; allowed: {', '.join(dims)}")
        arrays = self.arrays()
        coords: dict[str, Any] = {"seed": self.seeds}
        if "step" in dims[name] and "snapshot_steps" in arrays[0]:
            coords["step"] = arrays[0]["snapshot_steps"]
        return xr.DataArray(np.stack([a[name] for a in arrays]), dims=("seed", *dims[name]), coords=coords,
                            name=name)

    def fields(self) -> Any:
        """The receptive fields over training, an xarray DataArray (seed, step, unit, site)."""
        return self.xarray("fields")

    def frame(self) -> Any:
        """The runs as a pandas DataFrame, one flat row each (``config.*``, ``metrics.*``)."""
        return query.frame([query.row(r) for r in self.runs])


def run(experiment: str, seeds: int | Iterable[int] = 0, *, preset: str | None = None,
        overrides: Mapping[str, Any] | None = None, store: StoreLike = None, force: bool = False,
        watch: Watch | None = None, **settings: Any) -> Result:
    """Run ``experiment`` for ``seeds`` (trained together) with a preset and settings, or take the runs
    from ``store`` when it holds them; bad settings, a store that cannot be written and a request that
    cannot fit in memory are refused (ConfigError) before anything is written.

    Args:
        experiment: an experiment's name (``rflab.experiments.EXPERIMENTS``).
        seeds: one seed or several.
        preset: one of the experiment's presets.
        overrides: settings as a mapping (for keys that are not identifiers); ``settings`` win over them.
        store: where runs are kept.
        force: compute every seed again.
        watch: told about the training as it goes.
        **settings: settings by name.

    Returns:
        The Result: the validated config and one stored run per seed.

    Raises:
        ConfigError: a bad setting, a store that cannot be written, or more seeds than memory holds.
    """
    exp = get_experiment(experiment)
    seeds = as_seeds(seeds)
    cfg = exp.configure(preset, {**(overrides or {}), **settings})
    resources.seeds_per_call(f"{exp.name} on {resources.seed_count(len(seeds))}", exp.footprint(cfg), len(seeds))
    results = as_store(store)
    check_store(results.root)
    runs, computed = ensure(exp, cfg, seeds, results, watch, force)
    return Result(exp.name, cfg, runs, computed)


def sweep(experiment: str, grid: Mapping[str, Iterable[Any]], seeds: int | Iterable[int] = 0, *,
          preset: str | None = None, overrides: Mapping[str, Any] | None = None, store: StoreLike = None,
          executor: str = "local", scheduler: str | None = None, workers: int | None = None,
          watch: Watcher = quiet, **settings: Any) -> list[Result]:
    """Run every point of the product of ``grid``'s values (each on ``seeds``), skipping the runs the
    store holds, in this process or on Dask. Points of one family train in one call on the same draws
    (``rflab.results.sweep``).

    Args:
        experiment: an experiment's name (``rflab.experiments.EXPERIMENTS``).
        grid: each varied setting and its values (``{"g": [0.1, 1, 10]}``).
        seeds: one seed or several, for every point.
        preset: one of the experiment's presets.
        overrides: fixed settings as a mapping; ``settings`` win over them.
        store: where runs are kept.
        executor: ``"local"`` (this process) or ``"dask"``.
        scheduler: a Dask scheduler's address (default: a LocalCluster).
        workers: the LocalCluster's worker processes (default: one per core).
        watch: told about each training call as it goes.
        **settings: fixed settings by name.

    Returns:
        One Result per distinct point, in the grid's order.
    """
    exp = get_experiment(experiment)
    base = {**(overrides or {}), **settings}
    plan = sweeps.plan(exp, preset, base, {k: list(v) for k, v in grid.items()}, as_seeds(seeds), as_store(store),
                       executor, scheduler, workers)
    outcomes = sweeps.execute(plan, lambda tasks: watch(sweeps.call_label(tasks)))
    computed = {id(p): c for o in outcomes for p, c in zip(o.points, o.computed, strict=True)}
    out = []
    for point in plan.points:
        runs = [plan.store.get(rid) for rid in point.run_ids.values()]
        out.append(Result(exp.name, exp.configure(preset, {**base, **point.overrides}),
                          [r for r in runs if r is not None], computed.get(id(point), [])))
    return out


def runs(experiment: str | None = None, where: Mapping[str, Any] | Sequence[str] = (), *,
         store: StoreLike = None) -> Any:
    """The stored runs meeting every condition.

    Args:
        experiment: only this experiment's runs (default: every experiment's).
        where: keys and the values they must equal, or conditions as the command line writes them
            (``"metrics.ipr>0.1"``, ``"lr!=0.1"``).
        store: where runs are kept.

    Returns:
        A pandas DataFrame, one flat row per run (``config.*``, ``metrics.*``, the seed, the run id).
    """
    if experiment is not None:
        get_experiment(experiment)
    items = [f"{k}={v}" for k, v in where.items()] if isinstance(where, Mapping) else list(where)
    conditions = query.parse_where(items)
    results = as_store(store)
    check_store(results.root, write=False)
    return query.frame(query.stored_rows(results, experiment, conditions))


def load(run_id: str, store: StoreLike = None) -> StoredRun:
    """The stored run with this id, verified against its checksums.

    Args:
        run_id: the run's id (``rflab runs`` lists them).
        store: where runs are kept.

    Returns:
        The StoredRun: its config, metrics, ``arrays()`` and folder.

    Raises:
        ConfigError: the store does not hold the run.
    """
    found = as_store(store).get(run_id)
    if found is None:
        raise ConfigError(f"run {run_id!r} is not in the store {as_store(store).root}")
    return found


def figure(name: str, scale: str = "quick", *, store: StoreLike = None, out: Path | str | None = None,
           watch: Watcher = quiet) -> list[Path]:
    """Make a figure, taking the runs it declares from the store or training and storing them.

    Args:
        name: a figure's name (``rflab.figures.FIGURES``).
        scale: one of the figure's scales (``quick``, ``paper``, ...).
        store: where runs are kept.
        out: the folder to write into (default: the store's ``figures`` folder).
        watch: told about the training of the runs it needs.

    Returns:
        The files written (``NAME-SCALE.png``, and ``.json`` where the figure writes its numbers).
    """
    from rflab.figures import get_figure, render  # every figure module and the theory behind them: only here

    fig = get_figure(name)
    fig.scale(scale)
    results = as_store(store)
    check_store(results.root)
    return render(fig, scale, Path(out) if out is not None else results.root / "figures", results, watch)
