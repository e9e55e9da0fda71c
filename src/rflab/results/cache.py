"""The one load-or-run: the stored runs of a configuration, training only the seeds the store lacks.

``rflab run``, sweeps (in this process or on Dask workers), figures, ``reproduce`` and the Python API
all call ``ensure``; the store is always passed in. What happens meanwhile is told to a ``Watch``
(``results.watch``; the command line's draws progress bars on stderr), so nothing here or below
draws anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rflab import resources
from rflab.config import Config
from rflab.experiments import Experiment, get_experiment
from rflab.results.store import Store, StoredRun, run_id
from rflab.results.watch import Watch


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
    return {s: run_id(experiment.name, config, s, experiment.numerics) for s in seeds}


def ensure(experiment: Experiment, cfg: Config, seeds: Sequence[int], store: Store, watch: Watch | None = None,
           force: bool = False) -> tuple[list[StoredRun], list[int]]:
    """Each seed's stored run, training the missing seeds together in one call (in chunks when they do
    not fit in memory together, see ``rflab.resources``) and storing each as soon as its call returns;
    also the seeds that were computed. ``force`` computes every seed again."""
    watch = watch or Watch()
    resources.check_records(f"{experiment.name} on {resources.seed_count(len(seeds))}", len(seeds))
    config = cfg.model_dump()
    ids = run_ids(experiment, config, seeds)
    found = {} if force else {s: r for s in seeds if (r := store.get(ids[s])) is not None}
    missing = [s for s in seeds if s not in found]
    watch.planned(missing)
    if missing:
        label = f"{experiment.name} on {resources.seed_count(len(missing))}"
        per_call = resources.seeds_per_call(label, experiment.footprint(cfg), len(missing), len(seeds))
        for chunk in resources.chunks(missing, per_call):
            watch.training(chunk)
            for r in experiment.run(cfg, chunk, watch.step):
                found[r.seed] = store.put(ids[r.seed], experiment.name, r.seed, config, r.metrics, r.train_seconds,
                                          r.arrays, r.write_figures, experiment.numerics)
                watch.stored(found[r.seed])
    return [found[s] for s in seeds], missing


def load(spec: RunSpec, store: Store, watch: Watch | None = None, force: bool = False) -> list[StoredRun]:
    """The stored runs of a RunSpec, each seed from the store when it is there, else trained and stored."""
    return ensure(get_experiment(spec.experiment), spec.config(), spec.seeds, store, watch, force)[0]
