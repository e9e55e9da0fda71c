"""Run ids and stored numbers must not move: a stored run is found again only under the same id.

The ids below were computed with the code as it was before configs gained up-front domain checks
(commit c60009f of this repository), so any change to a config's fields, defaults or dump shows up here.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rflab.config import added
from rflab.experiments import EXPERIMENTS, get_experiment
from rflab.results.store import Store, run_id

PINNED = [
    ("dipole-3d", None, {}, 0, "5747ce5878d584ff"),
    ("dipole-2d", None, {}, 0, "f268ded854a6abd9"),
    ("bars-what-where", None, {}, 0, "759c1bdb7009c926"),
    ("rf-neuron", None, {}, 0, "b683f78ad676c9e2"),
    ("rf-committee", None, {}, 0, "2124820b09406c41"),
    ("rf-ica", None, {}, 0, "700b82b37a03fbef"),
    ("dipole-3d", "hinton-problems", {"epochs": 3}, 1, "b08443ccb91de86a"),
    ("rf-neuron", "nlgp", {"steps": 10, "lr": "0.1"}, 2, "0f43d5eb07b113fe"),
    ("objects-what-where", None, {}, 0, "cc1a4a2304e4e672"),  # added after c60009f, pinned when it was
]


@pytest.mark.parametrize(("name", "preset", "overrides", "seed", "expected"), PINNED)
def test_run_id_of_a_fixed_config_is_unchanged(name: str, preset: str | None, overrides: dict, seed: int,
                                               expected: str) -> None:
    experiment = get_experiment(name)
    config = experiment.configure(preset, overrides).model_dump()
    assert run_id(experiment.name, config, seed) == expected


# The keys that enter each experiment's run ids at its defaults. A field added to a config changes
# the id of every run stored before it, unless it is declared with rflab.config.added.
HASHED_KEYS = {
    "dipole-3d": ["activity_resolution", "batch_size", "centre_resolution", "code_decay", "deviation_var", "dim",
                  "encoder_init", "epochs", "init_gain", "knn_k", "lr", "model", "mu_init", "mu_jitter",
                  "n_dec_hidden", "n_enc_hidden", "n_test", "n_train", "n_units", "optimizer", "pixel_resolution",
                  "recon_var", "rng", "schedule", "sigma", "snapshots", "theta_range", "warmup"],
    "bars-what-where": ["active_share", "activity_resolution", "batch_size", "centre_resolution", "code_decay",
                        "deviation_var", "dim", "epochs", "init_gain", "knn_k", "lr", "mu_init", "mu_jitter",
                        "n_enc_hidden", "n_test", "n_train", "n_units", "optimizer", "pixel_resolution", "recon_var",
                        "schedule", "sigma", "snapshots", "som_epochs", "som_lr", "som_side", "som_sigma", "warmup"],
    "rf-neuron": ["J", "N", "batch_size", "data", "dims", "g", "init_scale", "k", "lr", "nu", "radial", "snapshots",
                  "steps", "xi"],
    "rf-committee": ["J", "N", "activation", "batch_size", "bias", "data", "dims", "g", "init_scale", "k", "lr", "nu",
                     "radial", "snapshots", "steps", "train_readout", "units", "xi"],
    "rf-ica": ["J", "N", "components", "data", "dims", "g", "k", "max_iter", "nu", "radial", "samples", "tol", "xi"],
}
HASHED_KEYS["dipole-2d"] = HASHED_KEYS["dipole-3d"]
HASHED_KEYS["objects-what-where"] = HASHED_KEYS["bars-what-where"]
HASHED_KEYS["ig-two-layer"] = ["J", "N", "batch_size", "bias", "data", "dims", "g", "init_std", "k", "lr", "nu",
                               "radial", "snapshots", "time", "units", "xi"]
HASHED_KEYS["ig-conv"] = ["J", "N", "batch_size", "bias", "data", "dims", "g", "k", "kernel", "lr", "nu", "radial",
                          "snapshots", "time", "units", "xi"]


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_the_keys_of_every_stored_config_are_unchanged(name: str) -> None:
    keys = sorted(get_experiment(name).configure().model_dump())
    new = sorted(set(keys) - set(HASHED_KEYS[name]))
    assert not new, f"{name}: {new} would change the id of every stored run; declare them with rflab.config.added"
    assert keys == HASHED_KEYS[name]


def test_a_field_added_with_its_default_keeps_the_ids_and_set_makes_new_ones() -> None:
    neuron = get_experiment("rf-neuron")

    class Later(neuron.config):  # type: ignore[misc, valid-type]
        momentum: float = added(0.0, ge=0)

    before = neuron.configure(None, {"lr": 0.1}).model_dump()
    assert Later(**before).model_dump() == before
    assert run_id("rf-neuron", Later(**before, momentum=0.9).model_dump(), 0) != run_id("rf-neuron", before, 0)


def test_only_the_data_keys_of_stored_configs_enter_ids_while_unset() -> None:
    from rflab.experiments.receptive_fields import STORED_DATA_KEYS, DataChoice

    assert set(STORED_DATA_KEYS) == {"N", "dims", "xi", "g", "k", "radial", "nu", "J"}  # the keys stored configs hold
    assert {k for k, f in DataChoice.model_fields.items() if f.exclude_if is None} == {"data", *STORED_DATA_KEYS}


def test_the_numerics_version_keys_new_runs_and_version_1_adds_nothing() -> None:
    config = get_experiment("rf-neuron").configure().model_dump()
    assert run_id("rf-neuron", config, 0, numerics=1) == run_id("rf-neuron", config, 0) == "b683f78ad676c9e2"
    assert run_id("rf-neuron", config, 0, numerics=2) != run_id("rf-neuron", config, 0)


def test_a_bumped_numerics_version_recomputes_and_keeps_the_older_runs_listed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rflab

    tiny = {"steps": 20, "batch_size": 128, "snapshots": 2, "N": 16}
    store = rflab.Store(tmp_path / "s")
    first = rflab.run("rf-neuron", seeds=range(2), store=store, **tiny)
    old = first.runs[0].numerics
    monkeypatch.setitem(EXPERIMENTS, "rf-neuron", replace(EXPERIMENTS["rf-neuron"], numerics=old + 1))
    second = rflab.run("rf-neuron", seeds=range(2), store=store, **tiny)
    assert first.computed == second.computed == [0, 1] and set(first.run_ids).isdisjoint(second.run_ids)
    assert rflab.run("rf-neuron", seeds=range(2), store=store, **tiny).computed == []
    table = rflab.runs(experiment="rf-neuron", store=store)
    assert sorted(table["numerics"]) == [old, old, old + 1, old + 1]
    assert {r.numerics for r in second.runs} == {old + 1} and json.loads(
        (second.runs[0].path / "run.json").read_text())["numerics"] == old + 1


def test_an_index_written_before_numerics_reads_as_version_1_and_a_rebuild_keeps_versions(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    store.put("old", "e", 0, {"lr": 0.1}, {"m": 1.0}, 1.0, {"w": np.zeros(3)})
    store.put("new", "e", 0, {"lr": 0.2}, {"m": 2.0}, 1.0, {"w": np.zeros(3)}, numerics=3)
    with closing(sqlite3.connect(store.index)) as conn, conn:
        conn.execute("DELETE FROM runs WHERE run_id = 'new'")
        conn.execute("ALTER TABLE runs DROP COLUMN numerics")
    assert [(r.run_id, r.numerics) for r in Store(store.root).runs()] == [("old", 1)]
    Store(store.root).put("new", "e", 0, {"lr": 0.2}, {"m": 2.0}, 1.0, {"w": np.zeros(3)}, numerics=3)
    assert Store(store.root).rebuild_index()[0] == 2
    assert {r.run_id: r.numerics for r in Store(store.root).runs()} == {"old": 1, "new": 3}


@pytest.mark.parametrize("name", ["rf-neuron", "rf-committee", "rf-ica"])
def test_runs_on_kur_data_are_keyed_by_the_version_of_its_sampler(name: str) -> None:
    """Kur's quantile by table changed its samples' roundings (version 2), and threefry-4x32 white noise
    with a dense product on small lattices changed every field's draws (version 4, Kur's ratio table
    with it): runs on those models take version 4, so runs stored before stay stored and listed under
    their older ids; the Ising ring's sampler draws no normals and keeps version 1."""
    from rflab.results.cache import RunSpec

    experiment = get_experiment(name)
    models = ("kur", "kur-clone", "nlgp", "gaussian", "elliptical", "ising", "ising-clone")
    assert {data: experiment.numerics_of({"data": data}) for data in models} == {
        "kur": 4, "kur-clone": 4, "nlgp": 4, "gaussian": 4, "elliptical": 4, "ising": 1, "ising-clone": 4}
    config = experiment.configure(None, {"data": "kur"}).model_dump()
    ids = RunSpec(name, None, {"data": "kur"}, (0,)).run_ids()
    assert ids == [run_id(name, config, 0, numerics=4)] and ids != [run_id(name, config, 0, numerics=2)]


def test_runs_with_random_labels_are_keyed_by_the_version_of_the_labelled_draw() -> None:
    """Random labels draw each row of its own class in one draw since numerics version 3 (both classes
    were drawn before): those runs, and every Ingrosso & Goldt run, take version 3 at least, and their
    data model's version where it is later (every field's draws since 4); balanced runs keep their data
    model's version."""
    neuron, ig = get_experiment("rf-neuron"), get_experiment("ig-two-layer")
    assert {data: neuron.numerics_of({"data": data, "labels": "random"}) for data in ("kur", "nlgp", "ising")} == {
        "kur": 4, "nlgp": 4, "ising": 3}
    assert neuron.numerics_of({"data": "ising", "labels": "balanced"}) == 1
    assert neuron.numerics_of({"data": "nlgp", "labels": "balanced"}) == 4
    assert {data: ig.numerics_of({"data": data}) for data in ("kur", "nlgp-clone")} == {"kur": 4, "nlgp-clone": 4}
