"""Grids of runs: the product of ``--grid key=v1,v2,...`` values, each point's missing seeds trained
together in one vmapped call, in-process or on Dask workers.

Points of one family (``Experiment.family``: e.g. NLGP gains or learning rates of ``rf-neuron``)
that miss the same seeds train in one call on the same draws (common random numbers): each batch
is drawn once and every point's update is the operations of a lone run, so each stored run is
bit for bit what ``rflab run`` gives for that point. Other points train one call each.

Every call goes through ``results.cache.ensure_many``, the same "load from the store or run and
store" as ``rflab run`` and the figures, so its runs are in the store as soon as it returns, and a
sweep started again (after any kind of interruption, ``kill -9`` included) computes only the runs
that are missing.

On Dask each task trains and stores one call's points inside the worker; the store must be on a
filesystem every worker reaches (a local folder for a LocalCluster, a shared one on a cluster).
"""

from __future__ import annotations

import itertools
import math
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rflab import resources
from rflab.config import ConfigError, digest
from rflab.experiments import Experiment, get_experiment
from rflab.paths import check_store
from rflab.results.cache import RunSpec, by_experiment, ensure_many, families, run_ids
from rflab.results.store import Store
from rflab.results.watch import Watch

EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class Point:
    """One grid point: its overrides, the validated config and the run id of every seed."""

    overrides: dict[str, Any]
    config: dict[str, Any]
    run_ids: dict[int, str]


@dataclass(frozen=True)
class Task:
    """The seeds of one point that the store does not hold yet."""

    point: Point
    seeds: list[int]


@dataclass(frozen=True)
class Outcome:
    """What one finished call did: its points, the seeds each trained, the wall time and the number of
    training calls it took (more than one when memory split its seeds)."""

    points: list[Point]
    computed: list[list[int]]
    seconds: float
    calls: int


def parse_grid(items: Sequence[str]) -> dict[str, list[str]]:
    """``["lr=0.1,0.2", "xi=1,3;1,2"]`` -> ``{"lr": ["0.1", "0.2"], "xi": ["1,3", "1,2"]}``: values
    are split on ``;`` when the list has one (for values that hold commas), else on ``,``."""
    grid: dict[str, list[str]] = {}
    for item in items:
        key, sep, values = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"--grid {item!r}: expected key=v1,v2,...")
        if key in grid:
            raise ConfigError(f"--grid {key}: given twice; put all its values in one --grid")
        parts = [v.strip() for v in values.split(";" if ";" in values else ",")]
        if not parts or any(not v for v in parts):
            raise ConfigError(f"--grid {item!r}: expected one or more non-empty values separated by , (or ;)")
        grid[key] = parts
    return grid


def grid_points(experiment: Experiment, preset: str | None, base: Mapping[str, Any], grid: Mapping[str, list[str]],
                seeds: Sequence[int]) -> list[Point]:
    """Every point of the grid's product, validated (a bad value raises before anything runs);
    points whose configs coincide are kept once."""
    clash = sorted(set(base) & set(grid))
    if clash:
        raise ConfigError(f"--grid {clash[0]}: also given with --set; give it in one place")
    points: dict[str, Point] = {}
    keys = list(grid)
    for values in itertools.product(*(grid[k] for k in keys)):
        overrides = dict(zip(keys, values, strict=True))
        config = experiment.configure(preset, {**base, **overrides}).model_dump()
        key = digest(config)
        if key not in points:
            points[key] = Point(overrides, config, run_ids(experiment, config, seeds))
    return list(points.values())


def check_size(name: str, grid: Mapping[str, list[str]], n_seeds: int) -> None:
    """Refuse a grid before its points are built when the records of its runs alone would not fit in
    memory (a product of long grids grows fast)."""
    total = math.prod(len(v) for v in grid.values()) * n_seeds
    resources.check_records(f"sweep {name} ({total} runs)", total, "use shorter grids or fewer seeds")


def worker_share(executor: str, scheduler: str | None, workers: int | None) -> int | None:
    """The memory each of our own Dask workers may plan for (the limit split between them, after the
    worker processes themselves); None in this process or on another scheduler's workers, which plan
    against their own machine. Refused when the worker processes alone do not fit."""
    if executor != "dask" or scheduler:
        return None
    n = workers or os.cpu_count() or 1
    resources.check_total(f"sweep on {n} Dask workers", n * resources.PROCESS,
                          f"a Python process with JAX for each worker: {resources.size(resources.PROCESS)}",
                          "use fewer --workers")
    limit, _ = resources.current_limit()
    return limit // n - resources.PROCESS


def check_memory(experiment: Experiment, preset: str | None, base: Mapping[str, Any], points: Sequence[Point],
                 n_seeds: int, share: int | None) -> None:
    """Refuse, before anything runs, a point of which not even one seed fits: in this process under
    the limit, or in one of our Dask workers under its share."""
    total = len(points) * n_seeds
    for point in points:
        footprint = experiment.footprint(experiment.configure(preset, {**base, **point.overrides}))
        label = f"sweep {experiment.name} at {' '.join(f'{k}={v}' for k, v in point.overrides.items())}"
        if share is None:
            resources.seeds_per_call(label, footprint, n_seeds, total)
            continue
        with resources.memory_limit(share, "one Dask worker's share of the limit"):
            resources.seeds_per_call(label, footprint, n_seeds, n_seeds)


def missing(points: Sequence[Point], store: Store) -> list[Task]:
    """The tasks left: each point with the seeds the store does not hold."""
    tasks = []
    for point in points:
        seeds = [s for s, rid in point.run_ids.items() if store.get(rid) is None]
        if seeds:
            tasks.append(Task(point, seeds))
    return tasks


def worker_limit(memory: int | None) -> AbstractContextManager[None]:
    """A Dask worker's share of the memory limit, when given (None: the limit in force here)."""
    if memory is None:
        return nullcontext()
    return resources.memory_limit(memory, "one Dask worker's share of the limit")


def run_points(name: str, preset: str | None, overrides: list[dict[str, Any]], seeds: list[int], root: str,
               watch: Watch | None = None, memory: int | None = None) -> tuple[list[list[int]], float, int]:
    """Train and store the seeds of points that train together (skipping any stored meanwhile); the
    seeds computed for each point, the wall time and the number of training calls. ``memory`` is a
    Dask worker's share of the limit (None: the limit in force here). Top-level and picklable: this
    is what a Dask worker runs."""
    start = time.perf_counter()
    experiment = get_experiment(name)
    cfgs = [experiment.configure(preset, o) for o in overrides]
    with worker_limit(memory):
        _, computed, calls = ensure_many(experiment, cfgs, seeds, Store(root), watch)
    return computed, time.perf_counter() - start, calls


def run_local(name: str, preset: str | None, base: Mapping[str, Any], calls: Sequence[list[Task]], root: Path,
              watch: Callable[[list[Task]], Watch] | None = None) -> Iterator[Outcome]:
    """Run the calls one after the other in this process, yielding each as it is stored."""
    for tasks in calls:
        computed, seconds, n = run_points(name, preset, [{**base, **t.point.overrides} for t in tasks],
                                          tasks[0].seeds, str(root), watch(tasks) if watch else None)
        yield Outcome([t.point for t in tasks], computed, seconds, n)


def on_dask(jobs: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]], scheduler: str | None = None,
            workers: int | None = None) -> Iterator[tuple[int, Any]]:
    """Run each job ``(fn, args)`` on Dask (a LocalCluster of ``workers`` single-threaded processes
    unless a scheduler address is given), yielding (index, result) as each finishes."""
    import logging

    from distributed import Client, LocalCluster, as_completed

    if not scheduler:  # our own cluster: its shutdown chatter ("still alive, killing") is noise
        logging.getLogger("distributed").setLevel(logging.ERROR)
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                  dashboard_address=None)
    client = Client(scheduler or cluster)
    try:
        futures = {client.submit(fn, *args, pure=False): i for i, (fn, args) in enumerate(jobs)}
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_dask(name: str, preset: str | None, base: Mapping[str, Any], calls: Sequence[list[Task]], root: Path,
             scheduler: str | None = None, workers: int | None = None, share: int | None = None
             ) -> Iterator[Outcome]:
    """Run the calls on Dask (``on_dask``), yielding each as its worker has stored it."""
    jobs = [(run_points, (name, preset, [{**base, **t.point.overrides} for t in tasks], tasks[0].seeds,
                          str(root.resolve()), None, share)) for tasks in calls]
    for i, (computed, seconds, n) in on_dask(jobs, scheduler, workers):
        yield Outcome([t.point for t in calls[i]], computed, seconds, n)


def run_specs(specs: list[RunSpec], root: str, memory: int | None = None) -> int:
    """Load or train and store the runs of RunSpecs of one experiment on the same seeds (a family
    trains in one call), under a Dask worker's share of the memory limit when given; the runs
    trained. Top-level and picklable: what a Dask worker runs for ``rflab reproduce``."""
    experiment = get_experiment(specs[0].experiment)
    with worker_limit(memory):
        _, computed, _ = ensure_many(experiment, [s.config() for s in specs], specs[0].seeds, Store(root))
    return sum(map(len, computed))


def spec_calls(specs: Sequence[RunSpec], store: Store) -> list[list[RunSpec]]:
    """The specs with runs the store lacks, grouped into the calls that train them: one experiment and
    seeds, then one family missing the same seeds (a spec without a family, alone)."""
    calls = []
    for (name, seeds), members in by_experiment(specs).items():
        experiment = get_experiment(name)
        cfgs = [specs[i].config() for i in members]
        lacking = [[s for s, rid in run_ids(experiment, c.model_dump(), seeds).items() if store.get(rid) is None]
                   for c in cfgs]
        calls += [[specs[members[i]] for i in group] for group in families(experiment, cfgs, lacking)]
    return calls


def train_specs(calls: Sequence[list[RunSpec]], store: Store, scheduler: str | None = None,
                workers: int | None = None) -> Iterator[tuple[list[RunSpec], int]]:
    """Train ``calls`` (``spec_calls``) on Dask, one task per call, each run stored by its worker;
    yields each call's specs and the runs it trained as it finishes."""
    share = worker_share("dask", scheduler, workers)
    for i, trained in on_dask([(run_specs, (c, str(store.root.resolve()), share)) for c in calls], scheduler, workers):
        yield calls[i], trained


def call_label(tasks: Sequence[Task]) -> str:
    """``g=10`` for a call of one point, ``g=10 | g=100`` for a family's call."""
    return " | ".join(" ".join(f"{k}={v}" for k, v in t.point.overrides.items()) for t in tasks)


def check_executor(executor: str, scheduler: str | None, workers: int | None) -> None:
    """One-line errors for an unknown executor or options that do not fit it."""
    if executor not in EXECUTORS:
        raise ConfigError(f"--executor {executor!r}: allowed {', '.join(EXECUTORS)}")
    if executor == "local" and (scheduler is not None or workers is not None):
        raise ConfigError("--scheduler and --workers need --executor dask")
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers {workers}: must be at least 1")
    if scheduler is not None and workers is not None:
        raise ConfigError("--workers sizes a LocalCluster; with --scheduler the cluster decides")


@dataclass(frozen=True)
class Plan:
    """A checked sweep: its points, the tasks the store still lacks, where it runs and each of our
    Dask workers' share of the memory limit (None in this process)."""

    experiment: Experiment
    preset: str | None
    base: Mapping[str, Any]
    points: list[Point]
    tasks: list[Task]
    store: Store
    executor: str = "local"
    scheduler: str | None = None
    workers: int | None = None
    share: int | None = None

    @property
    def todo(self) -> int:
        """The runs to compute."""
        return sum(len(t.seeds) for t in self.tasks)

    @property
    def calls(self) -> list[list[Task]]:
        """The tasks grouped into calls: a family's points missing the same seeds train together."""
        cfgs = [self.experiment.configure(self.preset, {**self.base, **t.point.overrides}) for t in self.tasks]
        return [[self.tasks[i] for i in group] for group in families(self.experiment, cfgs,
                                                                        [t.seeds for t in self.tasks])]


def plan(experiment: Experiment, preset: str | None, base: Mapping[str, Any], grid: Mapping[str, list[Any]],
         seeds: Sequence[int], store: Store, executor: str = "local", scheduler: str | None = None,
         workers: int | None = None) -> Plan:
    """Check a sweep before anything runs (executor, size, every point's config and memory, the store)
    and find the tasks left: a one-line ConfigError for the first problem."""
    check_executor(executor, scheduler, workers)
    check_size(experiment.name, grid, len(seeds))
    points = grid_points(experiment, preset, base, grid, seeds)
    share = worker_share(executor, scheduler, workers)
    check_memory(experiment, preset, base, points, len(seeds), share)
    check_store(store.root)
    return Plan(experiment, preset, base, points, missing(points, store), store, executor, scheduler, workers, share)


def execute(sweep: Plan, watch: Callable[[list[Task]], Watch] | None = None) -> Iterator[Outcome]:
    """Run a plan's calls in this process or on Dask, yielding each as it is stored."""
    name, root, calls = sweep.experiment.name, sweep.store.root, sweep.calls
    if sweep.executor == "local":
        return run_local(name, sweep.preset, sweep.base, calls, root, watch)
    return run_dask(name, sweep.preset, sweep.base, calls, root, sweep.scheduler, sweep.workers, sweep.share)
