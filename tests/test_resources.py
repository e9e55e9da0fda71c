"""Memory is estimated from the config before anything is allocated: seeds that do not fit together
train in chunks, a run of which not even one seed fits is refused in one line naming the estimate
and --memory-limit, and no typo can make the machine swap."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import Cli, traced_peak

from rflab import resources
from rflab.config import ConfigError
from rflab.experiments import EXPERIMENTS, get_experiment
from rflab.experiments.base import SeedResult
from rflab.report import reproduce as rp
from rflab.resources import Footprint, GiB, MiB
from rflab.results.cache import ensure
from rflab.results.store import Store


@pytest.mark.parametrize(("text", "expected"), [("8G", 8 * GiB), ("512M", 512 * MiB), ("1.5T", int(1.5 * 2**40)),
                                                ("2GiB", 2 * GiB), ("100mb", 100 * MiB), ("4096", 4096)])
def test_sizes_parse(text: str, expected: int) -> None:
    assert resources.parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "x", "-1G", "0", "1e9", "nan", "inf", "8 gigs"])
def test_bad_sizes_are_one_line_errors(text: str) -> None:
    with pytest.raises(ConfigError, match="--memory-limit"):
        resources.parse_size(text)


def test_seeds_that_do_not_fit_together_run_in_chunks() -> None:
    footprint = Footprint(per_seed=100 * MiB, once=50 * MiB)
    with resources.memory_limit(1 * GiB):
        assert resources.seeds_per_call("x", footprint, 3) == 3
        assert resources.seeds_per_call("x", footprint, 100) == 9
    with resources.memory_limit(160 * MiB):
        assert resources.seeds_per_call("x", footprint, 100) == 1


def test_a_run_of_which_one_seed_does_not_fit_is_refused_with_the_estimate_and_the_flag() -> None:
    footprint = Footprint(per_seed=3 * GiB, once=GiB, drivers="batch 1000 x 40 sites")
    with resources.memory_limit(2 * GiB), pytest.raises(ConfigError) as caught:
        resources.seeds_per_call("rf-neuron on 1 seed", footprint, 1)
    message = str(caught.value)
    assert "rf-neuron on 1 seed needs about 4.0 GiB" in message and "batch 1000 x 40 sites" in message
    assert "limit of 2.0 GiB (set by --memory-limit)" in message and "--memory-limit SIZE" in message
    assert "\n" not in message


def test_the_records_of_many_seeds_count_too() -> None:
    with resources.memory_limit(GiB), pytest.raises(ConfigError, match="the records of 100000000 runs"):
        resources.seeds_per_call("x", Footprint(MiB), 100_000_000)


def test_the_default_limit_is_a_share_of_the_available_memory() -> None:
    limit, source = resources.current_limit()
    assert 0 < limit <= resources.available_memory() and "available now" in source


@pytest.mark.parametrize("scale", rp.SCALES)
def test_every_planned_run_fits_in_two_gib(scale: str) -> None:
    """The estimates are upper bounds, but not so loose that a laptop would refuse the project's own runs."""
    for step in rp.run_steps(scale):
        experiment = get_experiment(step.runs.experiment)
        footprint = experiment.footprint(step.runs.config())
        seeds = step.runs.seeds
        with resources.memory_limit(2 * GiB):
            assert resources.seeds_per_call(step.label, footprint, len(seeds)) == len(seeds), step.label


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_footprints_grow_with_the_sizes_that_drive_them(name: str) -> None:
    experiment = get_experiment(name)
    key = {"rf-ica": "samples"}.get(name, "batch_size" if name.startswith(("rf-", "ig-")) else "n_train")
    small, large = (experiment.footprint(experiment.configure(None, {key: str(n)})) for n in (1000, 100_000))
    assert large.per_seed + large.once > small.per_seed + small.once


@pytest.mark.parametrize("args", [
    ["run", "dipole-3d", "--seeds", "0-100000000"],
    ["run", "dipole-3d", "--set", "n_train=100000000"],
    ["run", "rf-neuron", "--set", "batch_size=2000000000"],
    ["run", "rf-committee", "--set", "N=2000000", "--set", "dims=2"],
    ["run", "dipole-3d", "--seeds", "0-4", "--memory-limit", "10M"],
    ["sweep", "rf-neuron", "--grid", "lr=1,2,3,4,5,6,7,8,9,10", "--grid", "steps=1,2,3,4,5,6,7,8,9,10",
     "--grid", "batch_size=2,3,4,5,6,7,8,9,10,11", "--seeds", "0-100000"],
    ["sweep", "rf-neuron", "--grid", "batch_size=10,2000000000"],
    ["sweep", "rf-neuron", "--grid", "lr=0.1,0.2", "--executor", "dask", "--workers", "100000"],
    ["data", "describe", "nlgp", "--set", "N=300000"],  # 3.5 TiB, past any one machine (N=30000's 56 GiB is not)
])
def test_requests_that_would_exhaust_the_machine_are_refused_before_allocating(
        args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli) -> None:
    monkeypatch.setenv("RFLAB_STORE", str(tmp_path / "store"))
    (code, out, err), peak = traced_peak(lambda: cli([*args, "--store", str(tmp_path / "store")]
                                                    if args[0] != "data" else args))
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("error: ") and "needs about" in err and "--memory-limit" in err
    assert out == "" and not (tmp_path / "store").exists()
    assert peak < 64 * MiB


def fake(experiment_name: str, per_seed: int, calls: list[list[int]]):
    """The experiment with a run that records its seeds and returns tiny results, and a given footprint."""

    def run(cfg, seeds, progress=None):
        calls.append(list(seeds))
        return [SeedResult(s, {"m": float(s)}, {"w": np.zeros(2)}, 0.0, lambda folder: None) for s in seeds]

    return dataclasses.replace(get_experiment(experiment_name), run=run, footprint=lambda cfg: Footprint(per_seed))


def test_ensure_trains_missing_seeds_in_chunks_that_fit(tmp_path: Path) -> None:
    calls: list[list[int]] = []
    experiment = fake("rf-neuron", 100 * MiB, calls)
    cfg = experiment.configure(None, {})
    with resources.memory_limit(250 * MiB):
        runs, computed = ensure(experiment, cfg, list(range(5)), Store(tmp_path / "s"))
    assert calls == [[0, 1], [2, 3], [4]] and computed == [0, 1, 2, 3, 4]
    assert [r.metrics["m"] for r in runs] == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_a_call_samples_at_most_work_per_call_values_in_even_chunks() -> None:
    """A long family call is split so a kill loses a few minutes, not an hour: Claim 3.2's Kur family
    (10 tails, 1000 steps, batch 50,000, 40 sites) trains 5 of its 100 seeds per call, 4 on two devices
    (a call of 5 would leave one device idle for a third of it)."""
    one = 1000 * 50_000 * 40
    with resources.memory_limit(64 * GiB):
        assert resources.seeds_per_call("x", Footprint(MiB, work_per_seed=10 * one), 100) == 5
        assert resources.seeds_per_call("x", Footprint(MiB, work_per_seed=10 * one), 100, wave=2) == 4
        assert resources.seeds_per_call("x", Footprint(MiB, work_per_seed=one), 30, wave=2) == 30
        assert resources.seeds_per_call("x", Footprint(MiB, work_per_seed=one), 30) == 30
        assert resources.seeds_per_call("x", Footprint(MiB, work_per_seed=10 * one), 7) == 4
        assert resources.seeds_per_call("x", Footprint(MiB, work_per_seed=10**12), 3) == 1
        assert resources.seeds_per_call("x", Footprint(MiB), 1000) == 1000


CHURN = """
import json, threading, psutil
from rflab import resources
rss = lambda: psutil.Process().memory_info().rss
kept = []
def churn():
    blocks = [bytearray(64 * 1024) for _ in range(5000)]  # 320 MiB from the thread's arena, below mmap's threshold
    kept.extend(blocks[::64])  # what stays in use pins the heap, so free() alone gives little back
    del blocks
start = rss()
worker = threading.Thread(target=churn)
worker.start()
worker.join()
freed = rss()
released = resources.release_freed_memory()
print(json.dumps({"resident_after_free": (freed - start) / 2**20, "released": released,
                  "given_back": (freed - rss()) / 2**20}))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's malloc_trim")
def test_freed_memory_a_thread_left_in_its_arena_goes_back_to_the_system() -> None:
    """What a step's threads freed stays resident under glibc until ``release_freed_memory``, which
    ``rflab reproduce`` calls after every step, so a long reproduce's peak does not pile up."""
    out = subprocess.run([sys.executable, "-c", CHURN], capture_output=True, text=True, check=True)
    measured = json.loads(out.stdout)
    assert measured["resident_after_free"] > 250, measured  # 315 MiB freed, still resident
    assert measured["released"] is True
    assert measured["given_back"] > 250, measured
