"""Sweeps: grids validated before anything runs; killed with SIGKILL and restarted, nothing finished is
recomputed or lost; a Dask LocalCluster gives the in-process numbers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Cli

from rflab.config import ConfigError
from rflab.experiments import get_experiment
from rflab.results import sweep as sw
from rflab.results.store import Store

TINY = {"N": "16", "steps": "30", "batch_size": "64", "snapshots": "2"}
TINY_ARGS = [a for k, v in TINY.items() for a in ("--set", f"{k}={v}")]
LRS = ["0.01", "0.02", "0.03", "0.04", "0.05", "0.06"]


def rflab(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rflab", *args], capture_output=True, text=True, env=env)


def expected_ids(lrs: list[str], seeds: list[int]) -> set[str]:
    points = sw.grid_points(get_experiment("rf-neuron"), None, TINY, {"lr": lrs}, seeds)
    return {rid for p in points for rid in p.run_ids.values()}


def indexed(store: Path) -> dict[str, float]:
    """run id -> creation time of every indexed run."""
    return {r.run_id: r.created for r in Store(store).runs()}


def test_grid_values_split_on_commas_or_semicolons() -> None:
    assert sw.parse_grid(["lr=0.1, 0.2", "xi=1,3;1,2"]) == {"lr": ["0.1", "0.2"], "xi": ["1,3", "1,2"]}


@pytest.mark.parametrize(("grid", "says"), [(["lr"], "expected key=v1,v2"), (["lr=0.1,"], "non-empty"),
                                            (["lr=0.1", "lr=0.2"], "given twice")])
def test_bad_grids_are_one_line_errors(grid: list[str], says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        sw.parse_grid(grid)


def test_every_point_is_validated_and_duplicates_kept_once() -> None:
    exp = get_experiment("rf-neuron")
    points = sw.grid_points(exp, None, TINY, {"lr": ["0.1", "0.10", "0.2"]}, [0, 1])
    assert [p.config["lr"] for p in points] == [0.1, 0.2]
    assert all(len(p.run_ids) == 2 for p in points)
    with pytest.raises(ConfigError, match="lr=-1"):
        sw.grid_points(exp, None, TINY, {"lr": ["0.1", "-1"]}, [0])
    with pytest.raises(ConfigError, match="also given with --set"):
        sw.grid_points(exp, None, TINY, {"N": ["8"]}, [0])


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--grid", "colour=red"], "unknown key 'colour'"),
        (["--grid", "lr=0.1,-2"], "lr=-2"),
        (["--grid", "lr=0.1", "--executor", "spark"], "--executor 'spark'"),
        (["--grid", "lr=0.1", "--workers", "2"], "need --executor dask"),
        (["--grid", "lr=0.1", "--executor", "dask", "--workers", "0"], "--workers 0"),
        (["--grid", "lr=0.1", "--seeds", "2-1"], "--seeds '2-1'"),
    ],
)
def test_bad_sweep_input_is_one_line_exit_2_and_writes_nothing(tmp_path: Path, args: list[str], says: str,
                                                                   cli: Cli) -> None:
    code, out, err = cli(["sweep", "rf-neuron", *args, "--store", str(tmp_path / "s")])
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("error: ") and says in err
    assert out == "" and not (tmp_path / "s").exists()


def test_a_sweep_killed_with_sigkill_and_restarted_computes_only_what_is_missing(tmp_path: Path) -> None:
    """The sweep is killed (SIGKILL) once some but not all points are stored; the restart computes the
    rest, leaves every finished run untouched, and the store ends with exactly the grid's runs."""
    store = tmp_path / "s"
    args = ["sweep", "rf-neuron", "--grid", "lr=" + ",".join(LRS), "--seeds", "0-1", *TINY_ARGS,
            "--store", str(store), "--json"]
    env = os.environ | {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    want = expected_ids(LRS, [0, 1])
    proc = subprocess.Popen([sys.executable, "-m", "rflab", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 600
    while len(indexed(store)) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the sweep finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = indexed(store)
    assert 2 <= len(before) < len(want) and set(before) <= want
    folders = {rid: (store / "runs" / rid / "arrays.npz").stat().st_mtime_ns for rid in before}

    again = rflab(*args, env=env)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    after = indexed(store)
    assert set(after) == want
    assert report["computed"] == len(want) - len(before)
    assert {rid: after[rid] for rid in before} == before
    assert {rid: (store / "runs" / rid / "arrays.npz").stat().st_mtime_ns for rid in before} == folders
    assert sorted(p.name for p in (store / "runs").iterdir()) == sorted(want)

    third = rflab(*args, env=env)
    assert json.loads(third.stdout)["computed"] == 0 and indexed(store) == after


def test_dask_local_cluster_with_two_workers_gives_the_in_process_numbers(tmp_path: Path) -> None:
    env = os.environ | {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    common = ["sweep", "rf-neuron", "--grid", "lr=0.01,0.05", "--seeds", "0-1", *TINY_ARGS, "--json"]
    local = rflab(*common, "--store", str(tmp_path / "local"), env=env)
    dask = rflab(*common, "--executor", "dask", "--workers", "2", "--store", str(tmp_path / "dask"), env=env)
    assert local.returncode == 0, local.stderr
    assert dask.returncode == 0, dask.stderr
    a, b = json.loads(local.stdout), json.loads(dask.stdout)
    assert a["computed"] == b["computed"] == 4
    assert [p["run_ids"] for p in a["points"]] == [p["run_ids"] for p in b["points"]]
    for pa, pb in zip(a["points"], b["points"], strict=True):
        for seed in pa["metrics"]:
            assert pa["metrics"][seed]["ipr"] == pytest.approx(pb["metrics"][seed]["ipr"], rel=1e-6)
            assert pa["metrics"][seed]["train_loss"] == pytest.approx(pb["metrics"][seed]["train_loss"], rel=1e-6)


GAINS = ["1", "10", "100"]


def test_a_sweep_over_nlgp_gains_at_one_seed_is_one_call_equal_to_lone_runs(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Common random numbers: the gains share each step's draw in one training call, and every stored
    run is bit for bit what ``rflab.run`` gives for that gain alone."""
    import numpy as np

    import rflab
    from rflab import train

    calls = []
    real = train.fit_points
    monkeypatch.setattr(train, "fit_points", lambda *a, **k: calls.append(len(a[1]["lr"])) or real(*a, **k))
    swept = rflab.sweep("rf-neuron", {"g": GAINS}, seeds=0, store=tmp_path / "sweep", **TINY)
    assert calls == [3]
    for result, g in zip(swept, GAINS, strict=True):
        alone = rflab.run("rf-neuron", seeds=0, store=tmp_path / "alone", g=g, **TINY)
        assert result.run_ids == alone.run_ids and result.runs[0].metrics == alone.runs[0].metrics
        for name, value in alone.runs[0].arrays().items():
            np.testing.assert_array_equal(result.runs[0].arrays()[name], value, err_msg=f"g={g}: {name}")
    assert calls == [3, 1, 1, 1]


def test_only_points_of_one_family_missing_the_same_seeds_share_a_call(tmp_path: Path) -> None:
    exp = get_experiment("rf-neuron")
    store = Store(tmp_path / "s")
    family = sw.plan(exp, None, TINY, {"g": GAINS, "lr": ["0.01", "0.02"]}, [0, 1], store)
    assert [len(call) for call in family.calls] == [6]
    data = sw.plan(exp, None, TINY, {"xi": ["1,3", "1,2"], "g": GAINS}, [0], store)
    assert sorted(len(call) for call in data.calls) == [3, 3]  # xi changes the base draws: two families
    kur = sw.plan(get_experiment("rf-committee"), None, TINY, {"data": ["kur", "kur-clone"], "k": ["4", "10"]}, [0],
                  store)
    assert sorted(len(call) for call in kur.calls) == [1, 1, 2]  # each clone draws its own Gaussian field
    ica = sw.plan(get_experiment("rf-ica"), None, {"N": "16", "samples": "500", "components": "4"},
                  {"k": ["3", "4"]}, [0], store)
    assert [len(call) for call in ica.calls] == [1, 1]


def test_sweep_reports_its_training_calls(tmp_path: Path, cli: Cli) -> None:
    code, out, err = cli(["sweep", "rf-neuron", "--grid", "g=1,100", "--grid", "N=12,16", "--set", "steps=20",
                          "--set", "batch_size=64", "--set", "snapshots=2", "--store", str(tmp_path / "s"), "--json"])
    assert code == 0, err
    report = json.loads(out)
    assert (report["computed"], report["calls"]) == (4, 2)
    assert "4 runs computed in 2 training calls" in err


@pytest.mark.slow  # a LocalCluster start; .ci/run runs it in its slow subset
def test_runs_trained_on_two_dask_workers_equal_the_in_process_ones(tmp_path: Path) -> None:
    """``rflab reproduce --executor dask`` trains the plan's runs with ``train_specs``: one task per
    call (a family's gains together, another N alone), each stored by its worker, the same runs and
    numbers as in this process; a second pass finds everything stored."""
    from rflab.results.cache import RunSpec, load_all

    tiny = {"N": 16, "steps": 30, "batch_size": 64, "snapshots": 2}
    specs = {f"g={g}": RunSpec("rf-neuron", None, tiny | {"g": g}, (0, 1)) for g in (1.0, 100.0)}
    specs["N=12"] = RunSpec("rf-neuron", None, tiny | {"N": 12}, (0,))
    dask = Store(tmp_path / "dask")
    done = list(sw.train_specs(sw.spec_calls(list(specs.values()), dask), dask, workers=2))
    assert sorted((len(call), trained) for call, trained in done) == [(1, 1), (2, 4)]
    local = load_all(specs, Store(tmp_path / "local"))
    for key, runs in local.items():
        for run in runs:
            theirs = dask.get(run.run_id)
            assert theirs is not None, key
            assert theirs.metrics["ipr"] == pytest.approx(run.metrics["ipr"], rel=1e-6)
            assert theirs.metrics["train_loss"] == pytest.approx(run.metrics["train_loss"], rel=1e-6)
    assert list(sw.train_specs(sw.spec_calls(list(specs.values()), dask), dask, workers=2)) == []


def test_the_reproduce_plan_lists_each_run_it_reads_once() -> None:
    from rflab.report import reproduce as rp

    specs = rp.plan_runs("quick")
    ids = [rid for spec in specs for rid in spec.run_ids()]
    assert len(ids) == len(set(ids))
    assert {s.runs.run_ids()[0] for s in rp.run_steps("quick")} <= set(ids)
    assert set(rp.get_figure("claim32").scale("quick").runs["k=4.1"].run_ids()) <= set(ids)


@pytest.mark.parametrize("second_fails", [False, True])
def test_a_calls_runs_are_stored_on_the_writer_thread_while_the_next_trains(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second_fails: bool) -> None:
    """Two configs of different families train in two calls; the first call's runs are stored on the
    store's writer thread, every run is stored when ensure_many returns, and a second call that fails
    leaves the first call's runs stored."""
    import threading
    from dataclasses import replace

    from rflab.results.cache import ensure_many

    experiment = get_experiment("rf-neuron")
    cfgs = [experiment.configure(None, TINY | {"N": n}) for n in ("16", "20")]
    threads: list[str] = []
    real_put = Store.put

    def put(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return real_put(self, *args, **kwargs)

    def run(cfg, seeds, progress=None):  # type: ignore[no-untyped-def]
        if second_fails and cfg.N == 20:
            raise RuntimeError("the second call fails")
        return experiment.run(cfg, seeds, progress)

    monkeypatch.setattr(Store, "put", put)
    store = Store(tmp_path / "s")
    if second_fails:
        with pytest.raises(RuntimeError, match="second call"):
            ensure_many(replace(experiment, run=run), cfgs, [0, 1], store)
        assert len(list(store.runs())) == 2 and {r.config["N"] for r in store.runs()} == {16}
    else:
        runs, computed, calls = ensure_many(replace(experiment, run=run), cfgs, [0, 1], store)
        assert calls == 2 and computed == [[0, 1], [0, 1]] and len(list(store.runs())) == 4
        assert [[r.run_id for r in rs] for rs in runs] == [[r.run_id for r in rs] for rs in
                                                            ensure_many(experiment, cfgs, [0, 1], store)[0]]
    assert threads and all(name.startswith("rflab-store") for name in threads)


def test_a_run_the_writer_fails_to_store_is_raised_and_every_stored_run_told_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three calls; storing the first call's second run fails, which ensure_many finds after the second
    call: it raises that failure, the runs stored are told to the watch once each, and nothing else."""
    from rflab.results.cache import ensure_many
    from rflab.results.watch import Watch

    experiment = get_experiment("rf-neuron")
    cfgs = [experiment.configure(None, TINY | {"N": n}) for n in ("16", "20", "24")]
    real_put = Store.put

    def put(self, rid, name, seed, config, *args, **kwargs):  # type: ignore[no-untyped-def]
        if config["N"] == 16 and seed == 1:
            raise OSError("disk full")
        return real_put(self, rid, name, seed, config, *args, **kwargs)

    class Counting(Watch):
        def __init__(self) -> None:
            self.told: list[str] = []

        def stored(self, run):  # type: ignore[no-untyped-def]
            self.told.append(run.run_id)

    monkeypatch.setattr(Store, "put", put)
    store, watch = Store(tmp_path / "s"), Counting()
    with pytest.raises(OSError, match="disk full"):
        ensure_many(experiment, cfgs, [0, 1], store, watch)
    kept = sorted(r.run_id for r in store.runs())
    assert len(watch.told) == len(set(watch.told)) and sorted(watch.told) == kept
    assert {(r.config["N"], r.seed) for r in store.runs()} == {(16, 0), (20, 0), (20, 1)}
