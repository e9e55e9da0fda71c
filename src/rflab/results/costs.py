"""What runs will cost on this machine, measured rather than typed: a short probe of a configuration
(``probe``) and the cache of what probes measured (``Rates``, ``STORE/costs.json``).

A probe runs the experiment itself on one wave of seeds (as many as the machine trains together, one per
JAX device) with its length field (``steps``, ``epochs``, or an online run's ``time``) cut to about an
eighth, a multiple of its snapshot count, so measuring and drawing the snapshots cost what they will.
The progress the training reports gives the seconds per unit of length; what comes before it (set-up,
compilation, data) is paid once per call, and what comes after it (measuring), plus storing one run with
its figures in a throwaway store, once per seed. An experiment without a length field (``rf-ica``) is
probed whole on two seeds, one after the other: the progress after each seed tells the seconds per seed
from what the first paid once.

Configurations of one experiment with the same non-numeric settings and a per-seed memory footprint
(``rflab.resources``) within the same power of two share one probe, its training time scaled by
their work (``size``: the input values a unit of length samples): real-valued settings (rates, gains,
kurtoses) and seeds change the numbers, not the work. A family's configurations that train in one
call on shared draws (``Experiment.family``) are probed as that call, with as many points: sharing
the draws is what makes it cheaper than its points alone. A probe is kept per machine (CPU count,
JAX backend and devices) and rflab version.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from rflab import resources
from rflab.config import Config, ConfigError, build, digest
from rflab.experiments import Experiment
from rflab.files import write_json
from rflab.results.store import Store, StoreError
from rflab.version import __version__

LENGTH_FIELDS = ("steps", "epochs", "time")
PROBE_METHOD = 3  # 3: a rate's size is the values sampled where counted; 2: an online run's ``time`` is its length
PROBE_SHARE = 8  # a probe trains about 1/PROBE_SHARE of the real length
PROBE_BUDGET = 150.0  # seconds of probes after which a dry run probes no more than one per experiment,
MUST_PROBE = 0.1  # and those the plan spends at least this share of its estimated time on


@dataclass(frozen=True)
class Rate:
    """Measured seconds of a configuration: ``start`` once per call, ``per_length`` per unit of its
    length for each wave of ``wave`` seeds trained together, ``per_seed`` for every seed after training
    (measuring, drawing, storing); ``size`` is the per-seed work (``size``) of the configuration probed,
    ``probe_seconds`` what the probe took."""

    start: float
    per_length: float
    per_seed: float
    wave: int
    size: int
    probe_seconds: float


def length_field(cfg: Config) -> str | None:
    """The field that sets how long a configuration trains (``steps``, ``epochs`` or ``time``), if it has one."""
    return next((f for f in LENGTH_FIELDS if f in type(cfg).model_fields), None)


def with_length(cfg: Config, length: int) -> Config:
    """The configuration trained for ``length`` units of its length field instead (validated)."""
    field = length_field(cfg)
    return cfg if field is None else build(type(cfg), cfg.model_dump(), {field: length})


def probe_length(cfg: Config) -> int:
    """How long a probe trains: about an eighth of the configuration's length, rounded up to a multiple
    of its snapshot count, so the probe takes as many snapshots as the real run and measuring and drawing
    them cost the same (snapshots are spaced by length // snapshots)."""
    field = length_field(cfg)
    assert field is not None
    length, snapshots = int(getattr(cfg, field)), max(1, int(getattr(cfg, "snapshots", 1)))
    return min(length, snapshots * math.ceil(length / (PROBE_SHARE * snapshots)))


def size(experiment: Experiment, cfg: Config) -> int:
    """The work of one unit of the configuration's length per seed: the input values it samples where the
    footprint counts them, else its per-seed memory (what one training step touches). Training time
    follows the values sampled: a dipole code's epoch on 8000 images takes about four times one on 2000, though
    its memory is not even twice as large."""
    footprint = experiment.footprint(with_length(cfg, 1))
    return max(1, footprint.work_per_seed or footprint.per_seed)


def machine() -> dict[str, Any]:
    """What a measured rate depends on besides the configuration: CPUs, JAX backend and device count."""
    import jax

    return {"cpus": os.cpu_count(), "backend": jax.default_backend(), "devices": jax.local_device_count()}


def probe_seeds(experiment: Experiment, cfg: Config) -> int:
    """Seeds a probe runs: one per device (within the memory limit) for a configuration that trains, the
    seeds trained together; else two, one after the other, to tell what the first pays once from what
    each pays."""
    import jax

    if length_field(cfg) is None:
        return 2
    devices = jax.local_device_count()
    return resources.seeds_per_call(f"{experiment.name} probe", experiment.footprint(cfg), devices)


def family(experiment: Experiment, cfgs: Sequence[Config]) -> dict[str, Any]:
    """What configurations sharing one probe have in common: the experiment and its numerics, every
    non-numeric setting, the powers of two of the per-seed and once-only footprints, and how many
    points train together in one call (``cfgs``: the first, alone or with the rest of its call)."""
    cfg = cfgs[0]
    footprint = experiment.footprint(with_length(cfg, 1))
    settings = {k: v for k, v in cfg.model_dump().items() if isinstance(v, (str, bool))}
    return {"experiment": experiment.name, "numerics": experiment.numerics, "settings": settings,
            "per_seed": round(math.log2(max(1, footprint.per_seed))), "once": round(math.log2(max(1, footprint.once))),
            "points": len(cfgs)}


def rate_key(experiment: Experiment, cfgs: Sequence[Config]) -> str:
    """The cache key of a configuration's rate: its family, the rflab version, the machine and how it was probed."""
    return digest({"family": family(experiment, cfgs), "rflab": __version__, "machine": machine(),
                   "probe": PROBE_METHOD})


def probe(experiment: Experiment, cfgs: Sequence[Config]) -> Rate:
    """Measure a configuration on this machine (with the rest of its call, when it trains with others on
    shared draws): one wave of seeds, trained for ``probe_length`` (see the module's docstring), then
    one run stored with its figures in a throwaway store."""
    cfg = cfgs[0]
    seeds = list(range(probe_seeds(experiment, cfg)))
    trains = length_field(cfg) is not None
    group = [with_length(c, probe_length(c)) if trains else c for c in cfgs]
    short = group[0]
    marks: list[tuple[float, float]] = []
    began = time.perf_counter()
    progress = lambda done, total: marks.append((time.perf_counter() - began, done / total))  # noqa: E731
    results = experiment.run_together(group, seeds, progress)[0]
    wall = time.perf_counter() - began
    stored = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        r = results[0]
        Store(tmp).put("probe", experiment.name, r.seed, short.model_dump(), r.metrics, r.train_seconds, r.arrays,
                       r.write_figures, experiment.numerics)
    store_seconds = time.perf_counter() - stored
    spread = [(t, f) for t, f in marks if f > marks[0][1]] if marks else []
    if not spread:
        return Rate(0.0, 0.0, wall / len(seeds) + store_seconds, 1, size(experiment, cfg),
                    time.perf_counter() - began)
    (t0, f0), (t1, f1) = marks[0], spread[-1]
    if not trains:
        each = (t1 - t0) / ((f1 - f0) * len(seeds))
        return Rate(max(0.0, t0 - each), 0.0, each + store_seconds, 1, size(experiment, cfg),
                    time.perf_counter() - began)
    length = probe_length(cfg)
    per_length = max(0.0, (t1 - t0) / ((f1 - f0) * length))
    start = max(0.0, t0 - per_length * f0 * length)
    return Rate(start, per_length, (wall - t1) / len(seeds) + store_seconds, len(seeds), size(experiment, cfg),
                time.perf_counter() - began)


def seconds(rate: Rate, experiment: Experiment, cfgs: Sequence[Config], n_seeds: int) -> float:
    """Estimated seconds to compute ``n_seeds`` seeds of a configuration (``cfgs``: it, then the rest
    of its call) from its family's rate, in the calls ``ensure_many`` splits them into (memory and
    ``resources.WORK_PER_CALL``), each paying the start once."""
    if n_seeds == 0:
        return 0.0
    cfg = cfgs[0]
    field = length_field(cfg)
    length = int(getattr(cfg, field)) if field else 0
    scale = size(experiment, cfg) / rate.size
    try:
        per_call = resources.seeds_per_call(experiment.name, experiment.footprint_together(cfgs), n_seeds,
                                            wave=rate.wave)
    except ConfigError:  # not even one seed fits now: the run will say so; price it a seed per call
        per_call = 1
    calls = [len(c) for c in resources.chunks(range(n_seeds), per_call)]
    waves = sum(math.ceil(c / rate.wave) for c in calls)
    return rate.start * len(calls) + rate.per_length * scale * length * waves + rate.per_seed * n_seeds


def costs_path(root: Path) -> Path:
    return root / "costs.json"


@dataclass(frozen=True)
class Wanted:
    """A configuration a plan needs (``cfgs``: it, then the rest of its call on shared draws): its
    experiment, label and how many seeds it computes."""

    experiment: Experiment
    cfgs: tuple[Config, ...]
    label: str
    n_seeds: int

    @property
    def cfg(self) -> Config:
        return self.cfgs[0]


def difference(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[int, int, float]:
    """How far apart two families of one experiment are: the number of points trained together, then
    non-numeric settings that differ, then the distance of their footprints in powers of two."""
    settings = sum(a["settings"].get(k) != v for k, v in b["settings"].items())
    points = abs(a.get("points", 1) - b.get("points", 1))
    return points, settings, abs(a["per_seed"] - b["per_seed"]) + abs(a["once"] - b["once"])


class Rates:
    """The measured rates of a store (``STORE/costs.json``) and the probes that add to them.

    ``prepare`` measures what a plan needs: first one configuration of each experiment with no rate, then the
    others, those the plan spends most on first, while probing has taken less than ``budget`` seconds, and past
    the budget any the plan spends a tenth of its time on; a family left unprobed borrows the rate of the
    nearest probed family of its experiment (its training time scaled by the footprints), recorded as borrowed
    so the next estimate is the same and instant. With ``measure`` off nothing is probed and a configuration
    without a rate has none."""

    def __init__(self, root: Path, measure: bool = True, told: Callable[[str], None] | None = None,
                 budget: float = PROBE_BUDGET) -> None:
        self.root, self.measure, self.budget = root, measure, budget
        self.told = told or (lambda label: None)
        self.entries = dict(read_rates(costs_path(root)))
        self.probed: list[str] = []

    def rate(self, experiment: Experiment, cfgs: Sequence[Config]) -> Rate | None:
        """The rate of a configuration's family (``cfgs``: with the rest of its call), if there is one."""
        entry = self.entries.get(rate_key(experiment, cfgs))
        return None if entry is None else Rate(**entry["rate"])

    def borrowed(self, experiment: Experiment, cfgs: Sequence[Config]) -> bool:
        """Whether a configuration's rate was measured on another family."""
        entry = self.entries.get(rate_key(experiment, cfgs))
        return entry is not None and entry["from"] is not None

    def seconds(self, experiment: Experiment, cfgs: Sequence[Config], n_seeds: int) -> float | None:
        """Estimated seconds of ``n_seeds`` seeds of a configuration (with the rest of its call), or None
        without a rate."""
        if n_seeds == 0:
            return 0.0
        rate = self.rate(experiment, cfgs)
        return None if rate is None else seconds(rate, experiment, cfgs, n_seeds)

    def prepare(self, wanted: list[Wanted]) -> None:
        """Probe, within the budget, and borrow for the rest, so every wanted configuration has a rate."""
        if not self.measure:
            return
        todo: dict[str, Wanted] = {}
        for w in wanted:
            if w.n_seeds:
                todo.setdefault(rate_key(w.experiment, w.cfgs), w)
        todo = {k: w for k, w in todo.items() if k not in self.entries}
        spent = 0.0
        for key, w in todo.items():
            if not any(e["family"]["experiment"] == w.experiment.name for e in self.entries.values()):
                spent += self._probe(key, w)
        while True:  # a probe costs about 1/PROBE_SHARE of the run; one past what is left of the budget waits,
            spend = self._spend(wanted)  # unless the plan spends MUST_PROBE of its time on it
            total = sum(spend.values())
            left = [k for k, w in todo.items() if k not in self.entries
                    and (spend[k] >= MUST_PROBE * total or self._probe_guess(w) <= self.budget - spent)]
            if not left:
                break
            key = max(left, key=lambda k: spend[k])
            spent += self._probe(key, todo[key])
        for key, w in todo.items():
            if key not in self.entries:
                donor = self._nearest_key(w)
                self.entries[key] = {"family": family(w.experiment, w.cfgs), "label": w.label,
                                     "rate": asdict(self._borrow(self.entries[donor], len(w.cfgs))),
                                     "from": self.entries[donor]["label"]}
        if todo:
            self._write()

    def _spend(self, wanted: list[Wanted]) -> dict[str, float]:
        """The estimated seconds of each wanted family: by its own rate, else its nearest measured one's."""
        out: dict[str, float] = {}
        for w in wanted:
            key = rate_key(w.experiment, w.cfgs)
            own = self.entries.get(key)
            rate = Rate(**own["rate"]) if own is not None and own["from"] is None else self._nearest(w)
            out[key] = out.get(key, 0.0) + seconds(rate, w.experiment, w.cfgs, w.n_seeds)
        return out

    def _probe(self, key: str, w: Wanted) -> float:
        """Measure one configuration, keep its rate, and return the seconds the probe took. The first
        probe of an estimate runs twice and keeps the second: the first pays what a process pays once
        (JAX's start, the first figure's fonts), which a reproduce pays once, not per run."""
        self.told(w.label)
        spent = 0.0 if self.probed else probe(w.experiment, w.cfgs).probe_seconds
        rate = probe(w.experiment, w.cfgs)
        self.entries[key] = {"family": family(w.experiment, w.cfgs), "rate": asdict(rate), "label": w.label,
                             "from": None}
        self.probed.append(key)
        self._write()
        return spent + rate.probe_seconds

    def _nearest_key(self, w: Wanted) -> str:
        """The measured family of the same experiment nearest to a configuration's."""
        mine = family(w.experiment, w.cfgs)
        measured = {k: e for k, e in self.entries.items()
                    if e["from"] is None and e["family"]["experiment"] == w.experiment.name}
        return min(measured, key=lambda k: difference(measured[k]["family"], mine))

    def _nearest(self, w: Wanted) -> Rate:
        return self._borrow(self.entries[self._nearest_key(w)], len(w.cfgs))

    @staticmethod
    def _borrow(entry: Mapping[str, Any], points: int) -> Rate:
        """A measured rate for a call of ``points`` points: scaled by the points when the donor trained
        another number together (an upper bound, as shared draws only make a call cheaper)."""
        rate = Rate(**entry["rate"])
        scale = points / entry["family"].get("points", 1)
        return rate if scale == 1 else replace(rate, per_length=rate.per_length * scale, per_seed=rate.per_seed * scale)

    def _probe_guess(self, w: Wanted) -> float:
        """About what probing a configuration would take: its run on one wave of seeds, by the nearest
        measured rate, over PROBE_SHARE."""
        rate = self._nearest(w)
        return seconds(rate, w.experiment, w.cfgs, rate.wave) / PROBE_SHARE

    def _write(self) -> None:
        write_json(costs_path(self.root), {"rflab": __version__, "rates": self.entries})


def read_rates(path: Path) -> Mapping[str, Mapping[str, Any]]:
    """The rates recorded in a costs file (none when it does not exist); a damaged one is a StoreError."""
    if not path.exists():
        return {}
    try:
        rates = json.loads(path.read_text())["rates"]
        for entry in rates.values():
            Rate(**entry["rate"])
            if not isinstance(entry["family"]["experiment"], str) or not {"label", "from"} <= entry.keys():
                raise KeyError("family, label or from")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as e:
        raise StoreError(f"the measured rates {path} are damaged ({type(e).__name__}: {e}); remove the file "
                         "(the next dry run measures them again)") from None
    return rates
