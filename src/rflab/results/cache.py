"""The one load-or-run: the stored runs of a configuration, training only the seeds the store lacks.

``rflab run``, sweeps (in this process or on Dask workers), figures, ``reproduce`` and the Python API
all call ``ensure``; the store is always passed in. What happens meanwhile is told to a ``Watch``
(``results.watch``; the command line's draws progress bars on stderr), so nothing here or below
draws anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from typing import Any

import jax

from rflab import resources
from rflab.config import Config, digest
from rflab.experiments import Experiment, get_experiment
from rflab.results import writers
from rflab.results.store import Store, StoredRun, run_id
from rflab.results.watch import Watch, Watcher, quiet


def _text(value: Any) -> str:
    return ",".join(f"{v:g}" for v in value) if isinstance(value, (tuple, list)) else str(value)


@dataclass(frozen=True)
class RunSpec:
    """Runs of one experiment configuration: the experiment's name, a preset, overrides on it and the
    seeds. Figures declare their runs as RunSpecs, and so does the report."""

    experiment: str
    preset: str | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)
    seeds: Sequence[int] = (0,)  # a range stays a range, so a huge one is refused before it is built

    def config(self) -> Config:
        """The validated config (defaults, then the preset, then the overrides)."""
        return get_experiment(self.experiment).configure(self.preset, self.overrides)

    def run_ids(self) -> list[str]:
        """The run id of every seed."""
        ids = run_ids(get_experiment(self.experiment), self.config().model_dump(), self.seeds)
        return [ids[s] for s in self.seeds]

    @property
    def label(self) -> str:
        """The ``rflab run`` arguments that make these runs."""
        parts = [self.experiment] + ([f"--preset {self.preset}"] if self.preset else [])
        parts += [f"--set {k}={_text(v)}" for k, v in self.overrides.items()]
        seeds = f"--seed {self.seeds[0]}" if len(self.seeds) == 1 else f"--seeds {self.seeds[0]}-{self.seeds[-1]}"
        return " ".join([*parts, seeds])


def run_ids(experiment: Experiment, config: dict[str, Any], seeds: Sequence[int]) -> dict[int, str]:
    """Each seed's run id for a dumped config of ``experiment``, keyed by its numerics version too."""
    return {s: run_id(experiment.name, config, s, experiment.numerics_of(config)) for s in seeds}


def ensure(experiment: Experiment, cfg: Config, seeds: Sequence[int], store: Store, watch: Watch | None = None,
           force: bool = False) -> tuple[list[StoredRun], list[int]]:
    """Each seed's stored run, training the missing seeds together in one call (in chunks when they do
    not fit in memory together, see ``rflab.resources``) and storing each while the next call trains;
    also the seeds that were computed. ``force`` computes every seed again."""
    runs, computed, _ = ensure_many(experiment, [cfg], seeds, store, watch, force)
    return runs[0], computed[0]


def ensure_many(experiment: Experiment, cfgs: Sequence[Config], seeds: Sequence[int], store: Store,
                watch: Watch | None = None, force: bool = False) -> tuple[list[list[StoredRun]], list[list[int]], int]:
    """``ensure`` for several configs of one experiment: configs of one family (``Experiment.family``)
    that miss the same seeds train in one call on shared draws (common random numbers), each stored
    run equal to what the config alone gives. A call's runs are stored (their figures drawn) by
    ``writers.executor()`` while the next call trains, one call behind at most; all are stored before it
    returns. Each config's runs and computed seeds, and the number of training calls made."""
    watch = watch or Watch()
    resources.check_records(f"{experiment.name} on {len(cfgs)} x {resources.seed_count(len(seeds))}",
                            len(cfgs) * len(seeds))
    configs = [cfg.model_dump() for cfg in cfgs]
    ids = [run_ids(experiment, config, seeds) for config in configs]
    first: dict[str, int] = {}
    owner = [first.setdefault(digest(config), i) for i, config in enumerate(configs)]  # a repeated config runs once
    unique = list(first.values())
    found: dict[int, dict[int, StoredRun]] = {
        i: {} if force else {s: r for s in seeds if (r := store.get(ids[i][s])) is not None} for i in unique}
    missing = {i: [s for s in seeds if s not in found[i]] for i in unique}
    watch.planned([s for i in unique for s in missing[i]])
    writer = writers.executor()
    calls = 0
    before: list[tuple[int, int, Future[StoredRun]]] = []
    behind: list[tuple[int, int, Future[StoredRun]]] = []
    try:
        for indices in families(experiment, [cfgs[i] for i in unique], [missing[i] for i in unique]):
            group = [unique[j] for j in indices]
            todo = missing[group[0]]
            label = f"{experiment.name} on {len(group)} x {resources.seed_count(len(todo))}"
            together = [cfgs[i] for i in group]
            per_call = resources.seeds_per_call(label, experiment.footprint_together(together), len(todo),
                                                len(cfgs) * len(seeds), jax.local_device_count())
            for chunk in resources.chunks(todo, per_call):
                watch.training(chunk)
                results = experiment.run_together(together, chunk, watch.step)
                calls += 1
                before, behind = behind, [
                    (i, r.seed, writer.submit(store.put, ids[i][r.seed], experiment.name, r.seed, configs[i],
                                              r.metrics, r.train_seconds, r.arrays, r.write_figures,
                                              experiment.numerics_of(configs[i])))
                    for i, seed_results in zip(group, results, strict=True) for r in seed_results]
                stored(before, found, watch)
    finally:  # a call or a run's storing that fails leaves every other run stored, and the watch told
        wait([future for _, _, future in before + behind])
        stored([p for p in before + behind if p[2].exception() is None], found, watch)
    for _, _, future in behind:
        future.result()  # a run that could not be stored
    return ([[found[owner[i]][s] for s in seeds] for i in range(len(cfgs))],
            [missing[owner[i]] for i in range(len(cfgs))], calls)


def stored(pending: list[tuple[int, int, Future[StoredRun]]], found: dict[int, dict[int, StoredRun]],
           watch: Watch) -> None:
    """Wait for the runs of a call handed to the store's writers (their figures drawn while the
    next call trained) and tell the watch of each, in order, taking it off ``pending``: a run that could
    not be stored raises and stays there with those after it, so none is told twice."""
    while pending:
        i, seed, future = pending[0]
        found[i][seed] = future.result()
        pending.pop(0)
        watch.stored(found[i][seed])


def families(experiment: Experiment, cfgs: Sequence[Config], missing: Sequence[Sequence[int]]) -> list[list[int]]:
    """The indices of the configs that train together: one family (``Experiment.family_key``) missing
    the same seeds; a config without a family, alone. Configs missing nothing are left out."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, cfg in enumerate(cfgs):
        if missing[i]:
            key = experiment.family_key(cfg)
            groups.setdefault((key if key is not None else ("alone", i), tuple(missing[i])), []).append(i)
    return list(groups.values())


def by_experiment(specs: Sequence[RunSpec]) -> dict[tuple[str, Sequence[int]], list[int]]:
    """The indices of the specs by experiment and seeds: the specs one ``ensure_many`` takes. A range
    of seeds stays a range (hashable as it is), so a huge request is refused, not built."""
    groups: dict[tuple[str, Sequence[int]], list[int]] = {}
    for i, spec in enumerate(specs):
        seeds = spec.seeds if isinstance(spec.seeds, range) else tuple(spec.seeds)
        groups.setdefault((spec.experiment, seeds), []).append(i)
    return groups


def load(spec: RunSpec, store: Store, watch: Watch | None = None, force: bool = False) -> list[StoredRun]:
    """The stored runs of a RunSpec, each seed from the store when it is there, else trained and stored."""
    return ensure(get_experiment(spec.experiment), spec.config(), spec.seeds, store, watch, force)[0]


def load_all(specs: Mapping[str, RunSpec], store: Store, watcher: Watcher = quiet) -> dict[str, list[StoredRun]]:
    """The stored runs of every RunSpec, the missing ones trained with their families (specs of one
    experiment on the same seeds go through one ``ensure_many``); ``watcher`` gets the keys' label."""
    keys = list(specs)
    out: dict[str, list[StoredRun]] = {}
    for (name, seeds), members in by_experiment([specs[k] for k in keys]).items():
        mine = [keys[i] for i in members]
        runs, _, _ = ensure_many(get_experiment(name), [specs[k].config() for k in mine], seeds, store,
                                 watcher(", ".join(mine)))
        out |= dict(zip(mine, runs, strict=True))
    return {key: out[key] for key in specs}
