"""What every experiment provides, and how a validated run request is built from the command line."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rflab import resources
from rflab.config import Config, ConfigError, build
from rflab.resources import Footprint
from rflab.store import Store, StoredRun, run_id
from rflab.train import ProgressFn


@dataclass(frozen=True)
class SeedResult:
    """One trained seed: its metrics, arrays to store, and a writer for its figures."""

    seed: int
    metrics: dict[str, Any]
    arrays: dict[str, np.ndarray]
    train_seconds: float
    write_figures: Callable[[Path], None]


@dataclass(frozen=True)
class Experiment:
    """A named experiment: a config model, named presets, ``run(config, seeds, progress)``, and the
    memory one run of a config needs (``footprint(config)``, see ``rflab.resources``)."""

    name: str
    summary: str
    config: type[Config]
    run: Callable[[Config, Sequence[int], ProgressFn | None], list[SeedResult]]
    presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    footprint: Callable[[Any], Footprint] = lambda cfg: Footprint(0)

    def configure(self, preset: str | None = None, overrides: Mapping[str, Any] | None = None) -> Config:
        """Defaults, then the preset, then the user's overrides, validated as one config."""
        if preset is not None and preset not in self.presets:
            allowed = ", ".join(sorted(self.presets)) or "none"
            raise ConfigError(f"unknown preset {preset!r} for {self.name}; allowed presets: {allowed}")
        return build(self.config, self.presets.get(preset or "", {}), overrides or {})


SEED_MAX = 2**32 - 1  # a JAX PRNG key is built from a 32-bit seed
_NUMBER = re.compile(r"\s*[0-9]+\s*")


def _seed(text: str) -> int | None:
    """A seed written in ASCII digits and within SEED_MAX, else None."""
    if not _NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if value <= SEED_MAX else None


def parse_seeds(seed: str | None, seeds: str | None) -> range:
    """Seeds from ``--seed N`` or ``--seeds A-B`` (inclusive); 0 when neither is given. A range, not a
    list: a request for a billion seeds is refused by the memory check, not built here."""
    if seed is not None and seeds is not None:
        raise ConfigError("--seed and --seeds are exclusive; give one")
    if seeds is not None:
        lo_text, sep, hi_text = seeds.partition("-")
        lo, hi = _seed(lo_text), _seed(hi_text)
        if not sep or lo is None or hi is None or lo > hi:
            raise ConfigError(f"--seeds {seeds!r}: expected A-B with integers 0 <= A <= B <= {SEED_MAX}, e.g. 0-4")
        return range(lo, hi + 1)
    if seed is None:
        return range(1)
    value = _seed(seed)
    if value is None:
        raise ConfigError(f"--seed {seed!r}: expected a non-negative integer up to {SEED_MAX}")
    return range(value, value + 1)


def at_scale(scales: Mapping[str, Any], scale: str) -> Any:
    """The settings of a figure at ``scale``, or a one-line ConfigError naming the scales."""
    if scale not in scales:
        raise ConfigError(f"scale={scale!r}: expected one of {', '.join(scales)}")
    return scales[scale]


def ensure_runs(experiment: Experiment, cfg: Config, seeds: Sequence[int], store: Store | None = None,
                progress: ProgressFn | None = None, force: bool = False) -> tuple[list[StoredRun], list[int]]:
    """Each seed's stored run, training the missing seeds together in one call (in chunks when they do
    not fit in memory together, see ``rflab.resources``) and storing each as soon as its call returns
    (the keys of ``rflab run``); also the seeds that were computed."""
    store = store or Store()
    resources.check_records(f"{experiment.name} on {resources.seed_count(len(seeds))}", len(seeds))
    config = cfg.model_dump()
    ids = {s: run_id(experiment.name, config, s) for s in seeds}
    found = {} if force else {s: r for s in seeds if (r := store.get(ids[s])) is not None}
    missing = [s for s in seeds if s not in found]
    if missing:
        label = f"{experiment.name} on {resources.seed_count(len(missing))}"
        per_call = resources.seeds_per_call(label, experiment.footprint(cfg), len(missing), len(seeds))
        for chunk in resources.chunks(missing, per_call):
            for r in experiment.run(cfg, chunk, progress):
                found[r.seed] = store.put(ids[r.seed], experiment.name, r.seed, config, r.metrics, r.train_seconds,
                                          r.arrays, r.write_figures)
    return [found[s] for s in seeds], missing


def stored_runs(experiment: Experiment, cfg: Config, seeds: Sequence[int], store: Store | None = None,
                progress: ProgressFn | None = None) -> list[dict[str, Any]]:
    """Each seed's metrics, arrays, folder and training time, from the store when the run is there,
    else run and stored."""
    runs, _ = ensure_runs(experiment, cfg, seeds, store, progress)
    return [{"metrics": r.metrics, "arrays": r.arrays(), "path": r.path, "train_seconds": r.train_seconds}
            for r in runs]
