"""What every experiment provides (a validated config, ``run(config, seeds, progress)`` returning one
result per seed, its memory footprint and the schema of its metrics), the one helper that splits a
result batched over seeds into seeds, and how seeds are read from the command line."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jax
import numpy as np

from rflab.config import Config, ConfigError, build
from rflab.resources import Footprint
from rflab.schema import Schema
from rflab.train import ProgressFn, PyTree


@dataclass(frozen=True)
class SeedResult:
    """One trained seed: its metrics, arrays to store, and a writer for its figures."""

    seed: int
    metrics: dict[str, Any]
    arrays: dict[str, np.ndarray]
    train_seconds: float
    write_figures: Callable[[Path], None]


@dataclass(frozen=True)
class Family:
    """How an experiment trains several configs in one call on shared draws (common random numbers):
    configs whose ``key`` is equal (and not None) may train together by ``run`` (one list of seed
    results per config, each equal to what the experiment's ``run`` gives for that config alone), in
    the memory ``footprint`` gives for the group."""

    key: Callable[[Any], str | None]
    run: Callable[[Sequence[Any], Sequence[int], ProgressFn | None], list[list[SeedResult]]]
    footprint: Callable[[Sequence[Any]], Footprint]


@dataclass(frozen=True)
class Experiment:
    """A named experiment: a config model, named presets, ``run(config, seeds, progress)``, the memory
    one run of a config needs (``footprint(config)``, see ``rflab.resources``), the schema of each
    seed's metrics, the dimensions of the arrays a researcher plots (the seed axis comes first), the
    numerics version (bump it with a change that alters the numbers of a stored config, so those runs
    are computed again under new ids while the older ones stay stored and listed) and, optionally, how
    configs of one ``Family`` train together."""

    name: str
    summary: str
    config: type[Config]
    run: Callable[[Config, Sequence[int], ProgressFn | None], list[SeedResult]]
    presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    footprint: Callable[[Any], Footprint] = lambda cfg: Footprint(0)
    metrics: type[Schema] = Schema
    dims: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    numerics: int = 1
    family: Family | None = None

    def numerics_of(self, config: Mapping[str, Any]) -> int:
        """The numerics version of a dumped config's runs (the experiment's own, unless a part such as
        its data model has its own)."""
        return self.numerics

    def family_key(self, cfg: Config) -> str | None:
        """The family a config trains in (None: alone)."""
        return None if self.family is None else self.family.key(cfg)

    def run_together(self, cfgs: Sequence[Config], seeds: Sequence[int],
                     progress: ProgressFn | None = None) -> list[list[SeedResult]]:
        """One training call for ``cfgs``: a config alone by ``run``, several of one family by
        ``Family.run`` on shared draws; one list of seed results per config."""
        if len(cfgs) == 1:
            return [self.run(cfgs[0], seeds, progress)]
        return self._family_of(cfgs).run(cfgs, seeds, progress)

    def footprint_together(self, cfgs: Sequence[Config]) -> Footprint:
        """The memory of the call ``run_together`` makes for ``cfgs``."""
        return self.footprint(cfgs[0]) if len(cfgs) == 1 else self._family_of(cfgs).footprint(cfgs)

    def _family_of(self, cfgs: Sequence[Config]) -> Family:
        keys = {self.family_key(c) for c in cfgs}
        if self.family is None or None in keys or len(keys) != 1:
            raise ValueError(f"{self.name}: only configs of one family train together")
        return self.family

    def configure(self, preset: str | None = None, overrides: Mapping[str, Any] | None = None) -> Config:
        """Defaults, then the preset, then the user's overrides, validated as one config."""
        if preset is not None and preset not in self.presets:
            allowed = ", ".join(sorted(self.presets)) or "none"
            raise ConfigError(f"unknown preset {preset!r} for {self.name}; allowed presets: {allowed}")
        return build(self.config, self.presets.get(preset or "", {}), overrides or {})


SEED_MAX = 2**32 - 1  # a JAX PRNG key is built from a 32-bit seed
_NUMBER = re.compile(r"\s*[0-9]+\s*", re.ASCII)  # int() refuses Unicode-only spaces such as \x1f


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


def take(tree: PyTree, i: int) -> PyTree:
    """Entry i of every leaf (one seed of a batched result, or one snapshot)."""
    return jax.tree.map(lambda a: a[i], tree)


def per_seed(seeds: Sequence[int], *batched: PyTree) -> Iterator[tuple[Any, ...]]:
    """Each seed with its entry of every tree batched over seeds (leading axis): the one place a
    result trained for all seeds at once is split into seeds."""
    for i, seed in enumerate(seeds):
        yield (seed, *(take(tree, i) for tree in batched))
