"""A researcher's notebook, as a test: only ``import rflab`` and its public API. Train a neuron, run a
small sweep, query the runs into a DataFrame, load one, make a figure, all in a store of the notebook's
own choosing; ``$RFLAB_STORE`` is read by the command line only, so the API never goes there."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import rflab

TINY = {"steps": 40, "batch_size": 256, "snapshots": 4, "N": 16}


def test_a_notebook_uses_the_public_api_in_a_store_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    elsewhere = tmp_path / "the environment's store"
    monkeypatch.setenv("RFLAB_STORE", str(elsewhere))
    monkeypatch.chdir(tmp_path)
    store = rflab.Store(tmp_path / "notebook")

    # one ReLU neuron on NLGP data, two seeds trained together
    neuron = rflab.run("rf-neuron", seeds=range(2), preset="nlgp", store=store, **TINY)
    assert neuron.computed == [0, 1] and neuron.seeds == [0, 1] and len(set(neuron.run_ids)) == 2
    assert neuron.config.data == "nlgp" and neuron.config.g == 100.0 and neuron.config.steps == 40
    assert 1 / 16 <= neuron.metrics[0].ipr <= 1 and neuron.metrics[1].verdicts[0] in ("localized", "oscillatory",
                                                                                      "unstructured")
    fields = neuron.fields()
    assert fields.dims == ("seed", "step", "unit", "site") and fields.shape == (2, 5, 1, 16)
    assert list(fields.coords["step"].values) == [0, 10, 20, 30, 40]
    np.testing.assert_array_equal(fields.sel(seed=1).values, neuron.arrays()[1]["fields"])
    assert all(p.suffix == ".png" and p.exists() for seed in neuron.figures() for p in seed)
    assert rflab.run("rf-neuron", seeds=range(2), preset="nlgp", store=store, **TINY).computed == []

    # a sweep over the learning rate; lr 0.05 is the preset's, so that point comes from the store
    points = rflab.sweep("rf-neuron", {"lr": [0.05, 0.1]}, seeds=0, store=store, **TINY)
    assert [p.config.lr for p in points] == [0.05, 0.1] and [p.computed for p in points] == [[], [0]]
    assert points[0].run_ids == neuron.run_ids[:1]

    # every stored run as a DataFrame, and a query
    table = rflab.runs(experiment="rf-neuron", store=store)
    assert len(table) == 3 and {"run_id", "seed", "config.lr", "metrics.ipr"} <= set(table.columns)
    fast = rflab.runs(experiment="rf-neuron", where={"lr": 0.1}, store=store)
    assert list(fast["run_id"]) == points[1].run_ids
    assert len(rflab.runs(where=["metrics.ipr>=0", "seed=1"], store=store)) == 1

    # one run back by its id
    run = rflab.load(points[1].run_ids[0], store=store)
    assert run.config["lr"] == 0.1 and run.arrays()["fields"].shape == (5, 1, 16)

    # a figure, into the store's figures folder
    (png,) = rflab.figure("fig2", "quick", store=store)
    assert png == store.root / "figures" / "fig2-quick.png" and png.stat().st_size > 10_000

    # the layers by their short paths
    kur = rflab.data.create("kur", {"k": 5.0})
    assert kur.excess_kurtosis > 0 > rflab.data.create("nlgp", {"g": 100.0}).excess_kurtosis
    ising = rflab.data.create("ising", {})
    assert float(rflab.theory.phi(ising.marginal, 0.8)) > np.sqrt(2 / np.pi) * 0.8  # super-linear for spins
    assert rflab.metrics.ipr(np.eye(4)[0]) == 1.0

    assert os.environ["RFLAB_STORE"] == str(elsewhere) and not elsewhere.exists()
    assert not (tmp_path / "rflab-results").exists()


def test_bad_requests_are_one_line_errors_before_anything_is_written(tmp_path: Path) -> None:
    store = rflab.Store(tmp_path / "s")
    with pytest.raises(rflab.ConfigError, match="unknown experiment 'nope'"):
        rflab.run("nope", store=store)
    with pytest.raises(rflab.ConfigError, match="lr=-1"):
        rflab.run("rf-neuron", store=store, lr=-1)
    with pytest.raises(rflab.ConfigError, match="scale='huge'"):
        rflab.figure("fig2", "huge", store=store)
    with pytest.raises(rflab.ConfigError, match="not in the store"):
        rflab.load("0123456789abcdef", store=store)
    assert not store.root.exists()


@pytest.mark.parametrize("function", [rflab.run, rflab.sweep, rflab.runs, rflab.load, rflab.figure,
                                      rflab.data.register], ids=lambda f: f.__name__)
def test_every_public_function_documents_each_argument_and_what_it_returns(function) -> None:
    """The API reference is generated from these docstrings (Google style): an argument added without
    its line in ``Args`` would be missing from the docs."""
    import inspect

    doc = inspect.getdoc(function) or ""
    assert "\nArgs:\n" in doc and ("\nReturns:\n" in doc or function is rflab.data.register)
    documented = {line.split(":")[0].strip().lstrip("*") for line in doc.split("\nArgs:\n")[1].split("\n\n")[0]
                  .splitlines() if line.startswith("    ") and not line.startswith("        ")}
    assert documented == set(inspect.signature(function).parameters)
