"""The receptive-field experiments: data keys checked against the model, seeds in one vmapped call,
same config and seed give the same numbers, divergence stops the run, ICA, the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import traced_peak
from PIL import Image

from rflab import train
from rflab.config import ConfigError
from rflab.experiments import get_experiment
from rflab.experiments import receptive_fields as exp
from rflab.metrics import receptive_fields as rf

TINY = {"N": 16, "steps": 30, "batch_size": 256, "snapshots": 3}


def test_data_keys_are_resolved_per_model() -> None:
    neuron = get_experiment("rf-neuron")
    cfg = neuron.configure()
    assert (cfg.data, cfg.g, cfg.N, tuple(cfg.xi), cfg.k) == ("nlgp", 100.0, 40, (1.0, 3.0), None)
    kur = neuron.configure("kur5")
    assert (kur.data, kur.k, kur.g) == ("kur", 5.0, None)
    assert neuron.configure(overrides={"data": "ising", "J": "0.2,0.6"}).J == (0.2, 0.6)
    committee = get_experiment("rf-committee").configure()
    assert (committee.data, committee.N, committee.k, committee.units) == ("kur", 100, 10.0, 10)
    assert get_experiment("rf-committee").configure(overrides={"data": "nlgp"}).g == 100.0
    assert get_experiment("rf-ica").configure().k == 3.0


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"data": "kur", "g": "3"}, "unknown key 'g'"),
        ({"data": "nope"}, "unknown data model 'nope'"),
        ({"data": "ising", "dims": "2"}, "ising is ring-only"),
        ({"k": "1.5", "data": "kur"}, "k=1.5"),
        ({"lr": "0"}, "lr=0"),
        ({"batch_size": "1"}, "batch_size=1"),
    ],
)
def test_bad_settings_are_one_line_config_errors(overrides: dict, says: str) -> None:
    with pytest.raises(ConfigError, match=None) as err:
        get_experiment("rf-neuron").configure(overrides=overrides)
    assert says in str(err.value) and "\n" not in str(err.value)


def test_seeds_train_in_one_vmapped_call_and_match_a_single_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real_fit = train.fit_points

    def spy(*args, **kwargs):
        calls.append(len(args[4]))
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(train, "fit_points", spy)
    cfg = get_experiment("rf-neuron").configure(overrides=TINY)
    together = exp.run_trained(cfg, [0, 1, 2])
    assert calls == [3]
    alone = exp.run_trained(cfg, [1])
    np.testing.assert_allclose(alone[0].arrays["param_w"], together[1].arrays["param_w"], rtol=1e-5, atol=1e-7)
    again = exp.run_trained(cfg, [1])
    np.testing.assert_array_equal(again[0].arrays["param_w"], alone[0].arrays["param_w"])
    assert not np.allclose(together[0].arrays["param_w"], together[1].arrays["param_w"])
    for result in together:  # each seed's metrics measure its own final weights
        w = result.arrays["param_w"][0].astype(np.float64)
        assert result.metrics["ipr"] == pytest.approx(np.sum(w**4) / np.sum(w**2) ** 2, rel=1e-9)
        assert result.metrics["verdict"] == rf.measure_field(w, (16,))["verdict"]
        np.testing.assert_array_equal(result.arrays["fields"][-1], result.arrays["param_w"])
    assert together[0].metrics["ipr_random"] == 3 / 16
    assert together[0].arrays["fields"].shape == (4, 1, 16)


def planted_fields(n: int) -> np.ndarray:
    """Three fields whose verdicts are known: a narrow bump, a pure cosine (frequency 3), i.i.d. noise."""
    sites = np.arange(n)
    d = np.minimum(np.abs(sites - 5), n - np.abs(sites - 5))
    bump = np.exp(-(d**2) / 2.0)
    cosine = np.cos(2 * np.pi * 3 * sites / n + 0.4)
    noise = np.random.default_rng(0).standard_normal(n)
    return np.stack([bump, cosine, noise]).astype(np.float32)


def test_each_seed_reports_the_verdict_of_its_own_final_field(monkeypatch: pytest.MonkeyPatch) -> None:
    """With training replaced by planted final fields (bump, cosine, noise), the three seeds are
    localized, oscillatory and unstructured, in seed order, with the fields' own IPRs."""
    cfg = get_experiment("rf-neuron").configure(overrides=TINY)
    final = planted_fields(16)
    start = np.full_like(final, 0.01)  # a flat start, oscillatory (k = 0): only the final field may count

    def planted(cfgs: list[exp.NeuronConfig], seeds: list[int], progress: object = None) -> train.Fit:
        snaps = np.stack([start, final], axis=1)[:, None, :, None, :]  # (seed, point, snapshot, unit, site)
        return train.Fit({"w": final[:, None, None, :]}, np.zeros((len(seeds), 1, cfgs[0].steps)), {"w": snaps},
                         (0, cfgs[0].steps), 0.0)

    monkeypatch.setattr(exp, "fit", planted)
    results = exp.run_trained(cfg, [0, 1, 2])
    assert [r.metrics["verdict"] for r in results] == ["localized", "oscillatory", "unstructured"]
    assert [r.arrays["unit_verdict"].tolist() for r in results] == [["localized"], ["oscillatory"], ["unstructured"]]
    expected_ipr = [float(np.sum(w.astype(np.float64) ** 4) / np.sum(w.astype(np.float64) ** 2) ** 2) for w in final]
    np.testing.assert_allclose([r.metrics["ipr"] for r in results], expected_ipr, rtol=1e-6)
    assert results[1].metrics["frequency"] == pytest.approx(3.0, abs=1e-3)
    assert results[0].metrics["centre"][0] == pytest.approx(5.0, abs=1e-3)


def test_a_replicate_starts_from_the_same_weights_on_another_data_stream() -> None:
    neuron = get_experiment("rf-neuron")
    own, twin = (exp.run_trained(neuron.configure(overrides=TINY | {"replicate": r}), [0, 1]) for r in (0, 1))
    for a, b in zip(own, twin, strict=True):
        np.testing.assert_array_equal(a.arrays["fields"][0], b.arrays["fields"][0])
        assert not np.allclose(a.arrays["fields"][-1], b.arrays["fields"][-1])
    assert "replicate" not in neuron.configure().model_dump()  # runs stored before the field keep their keys
    assert neuron.configure(overrides={"replicate": "2"}).model_dump()["replicate"] == 2
    with pytest.raises(ConfigError, match="replicate=-1"):
        neuron.configure(overrides={"replicate": "-1"})


def test_committee_and_two_layer_run() -> None:
    overrides = TINY | {"units": 3, "k": "10", "lr": "1"}
    cfg = get_experiment("rf-committee").configure(overrides=overrides)
    result = exp.run_trained(cfg, [0])[0]
    assert set(result.arrays) >= {"param_w", "param_b", "unit_ipr", "unit_verdict"}
    np.testing.assert_allclose(result.arrays["snapshot_times"], result.arrays["snapshot_steps"] / 16)  # steps / D
    assert result.arrays["param_w"].shape == (3, 16) and result.metrics["n_localized"] + result.metrics[
        "n_oscillatory"] + result.metrics["n_unstructured"] == 3
    measured = [rf.measure_field(w, (16,))["verdict"] for w in result.arrays["param_w"]]
    assert result.arrays["unit_verdict"].tolist() == measured == result.metrics["verdicts"]
    assert all(result.metrics[f"n_{v}"] == measured.count(v) for v in rf.VERDICTS)
    two_layer = get_experiment("rf-committee").configure(overrides=overrides | {"train_readout": "true"})
    assert "param_a" in exp.run_trained(two_layer, [0])[0].arrays


def test_the_authors_mlp_trains_its_readout_and_output_bias_and_leaves_the_default_alone() -> None:
    """``mlp=true`` starts the readout off 1 and trains an output bias; its first layer starts as the
    two-layer network's; the option needs a trained readout and refuses fixed biases."""
    committee = get_experiment("rf-committee")
    overrides = TINY | {"units": 3, "k": "10", "lr": "1", "init_scale": "0.5", "train_readout": "true"}
    plain = exp.run_trained(committee.configure(overrides=overrides), [0])[0].arrays
    mlp = exp.run_trained(committee.configure(overrides=overrides | {"mlp": "true"}), [0])[0].arrays
    np.testing.assert_array_equal(mlp["fields"][0], plain["fields"][0])
    assert "param_c" in mlp and "param_c" not in plain and float(mlp["param_c"]) != 0.0
    assert not np.array_equal(mlp["param_a"], plain["param_a"])
    with pytest.raises(ConfigError, match="mlp=true: the authors' MLP trains its readout"):
        committee.configure(overrides={"mlp": "true"})
    with pytest.raises(ConfigError, match="trained biases or none"):
        committee.configure(overrides={"mlp": "true", "train_readout": "true", "bias": "false", "bias_value": "-1"})
    assert "mlp" not in committee.configure(overrides=overrides).model_dump()


def test_fixed_biases_act_in_training_and_held_out_and_are_not_trained() -> None:
    """Sigmoid units with biases fixed at -50 output 0 whatever w: the weights cannot move, the held-out
    error is that of predicting 0 (labels 0 and 1, half each), and no bias is stored as trained."""
    overrides = TINY | {"units": 3, "k": "10", "lr": "1", "bias": "false"}
    fixed = exp.run_trained(get_experiment("rf-committee").configure(overrides=overrides | {"bias_value": "-50"}),
                            [0])[0]
    free = exp.run_trained(get_experiment("rf-committee").configure(overrides=overrides), [0])[0]
    assert "param_b" not in fixed.arrays
    np.testing.assert_array_equal(fixed.arrays["fields"][-1], fixed.arrays["fields"][0])
    assert not np.array_equal(free.arrays["fields"][-1], free.arrays["fields"][0])
    assert fixed.metrics["test_mse"] == pytest.approx(0.5, abs=1e-6)
    with pytest.raises(ConfigError, match=r"bias_value=-1\.0: fixed biases are not trained"):
        get_experiment("rf-committee").configure(overrides={"bias_value": "-1"})


def test_divergence_names_the_step() -> None:
    cfg = get_experiment("rf-neuron").configure(overrides=TINY | {"lr": "1e6", "init_scale": "1"})
    with pytest.raises(train.DivergenceError, match="non-finite training loss at step"):
        exp.run_trained(cfg, [0])


def test_ica_localizes_every_component_on_kur3_and_none_on_gaussian_data() -> None:
    """FastICA on heavy-tailed Kur(3) fields finds localized filters (Lufkin et al. Fig. 5), every one of
    them with the full set of components; on Gaussian fields (no independent sources) none is localized."""
    cfg = get_experiment("rf-ica").configure(overrides={"N": 12, "samples": 20_000, "components": 12})
    result = exp.run_ica(cfg, [0])[0]
    fields = result.arrays["fields"][-1]
    assert fields.shape == (12, 12)
    np.testing.assert_allclose(np.linalg.norm(fields, axis=1), 1.0, rtol=1e-6)
    assert result.metrics["verdicts"] == ["localized"] * 12
    assert result.arrays["unit_ipr"].min() > 1.4 * rf.LOCALIZED_IPR / 12  # with margin over the threshold
    gaussian = get_experiment("rf-ica").configure(overrides={"N": 12, "samples": 4000, "components": 6,
                                                             "data": "gaussian"})
    verdicts = exp.run_ica(gaussian, [0])[0].metrics["verdicts"]
    assert len(verdicts) == 6 and "localized" not in verdicts


def rflab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rflab", *args], capture_output=True, text=True)


def test_cli_bad_data_key_is_one_line_exit_2(tmp_path: Path) -> None:
    result = rflab("run", "rf-neuron", "--set", "data=kur", "--set", "g=2", "--store", str(tmp_path / "s"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "unknown key 'g'" in result.stderr
    assert not (tmp_path / "s").exists()


def test_cli_runs_seeds_together_and_writes_the_gallery(tmp_path: Path) -> None:
    args = ["run", "rf-neuron", "--preset", "ising", "--seeds", "0-1", "--json", "--store", str(tmp_path / "s")]
    args += [f"--set={k}={v}" for k, v in TINY.items()]
    result = rflab(*args)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["config"]["data"] == "ising" and set(report["metrics"]["seeds"]) == {"0", "1"}
    per_seed = [report["metrics"]["seeds"][s]["ipr"] for s in ("0", "1")]
    assert report["metrics"]["mean"]["ipr"] == pytest.approx(np.mean(per_seed), rel=1e-12)
    folders = sorted((tmp_path / "s" / "runs").iterdir())
    assert len(folders) == 2
    stored_ipr = []
    for folder in folders:
        arrays = np.load(folder / "arrays.npz")
        assert arrays["param_w"].shape == (1, 16)
        stored_ipr.append(float(rf.ipr(arrays["param_w"][0])))
        np.testing.assert_allclose(arrays["ipr_curve"], rf.ipr(arrays["fields"]), rtol=1e-6)
        for name in ("receptive_fields.png", "training.png"):
            assert_drawn(folder / name)
    assert sorted(stored_ipr) == pytest.approx(sorted(per_seed), rel=1e-6)


def assert_drawn(path: Path) -> None:
    """The PNG opens, is a real figure's size, and is not one flat colour."""
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("L"), np.float64)
    assert min(pixels.shape) > 200, (path.name, pixels.shape)
    assert pixels.std() > 5 and np.mean(pixels < 128) > 0.005, path.name


@pytest.mark.parametrize("name", ["gaussian", "nlgp", "kur", "elliptical", "nlgp-clone", "ising"])
def test_random_labels_draw_each_samples_class_by_a_fair_coin_and_its_field_from_that_class(name: str) -> None:
    """``labels=random``: over many batches the share of class 1 is 1/2 within sampling error, and each
    row, transformed, is a sample of its own class (its lag-1 correlation is the model's exact one),
    for the models with a labelled draw of their own and for the generic one (Ising)."""
    import jax
    import numpy as np

    from rflab.data import registry
    from rflab.experiments.receptive_fields import class_blocks

    model = registry.create(name, {"xi": (1.0, 3.0)} if name != "ising" else {})
    sample = jax.jit(class_blocks(model, "random"), static_argnums=1)
    z, y = map(np.asarray, sample(jax.random.PRNGKey(0), 40_000 if name != "ising" else 4_000))
    x = np.asarray(model.transform(z, model.transform_args()))
    assert abs(y.mean() - 0.5) < 4 * 0.5 / np.sqrt(len(y))
    for c in (0, 1):
        rows = x[y == c]
        lag1 = np.mean(rows * np.roll(rows, 1, axis=1)) / np.mean(rows**2)
        exact = model.kernel(c).flat[1] / model.kernel(c).flat[0]
        assert abs(lag1 - exact) < (0.01 if name != "ising" else 0.05), (c, lag1, exact)
    one = [float(sample(jax.random.PRNGKey(k), 1)[1][0]) for k in range(200)]
    assert 0.35 < np.mean(one) < 0.65  # batch 1: both classes come


def test_a_labelled_field_is_row_by_row_the_field_of_its_class() -> None:
    """One white draw filtered row by row: with every label equal it is exactly that class's field."""
    import jax
    import jax.numpy as jnp

    from rflab.data import registry
    from rflab.data.fields import gaussian_field, labelled_field

    model = registry.create("gaussian", {"xi": (1.0, 3.0), "N": 12, "dims": 2})
    key, kernels = jax.random.PRNGKey(3), model.latent_kernels()
    for c in (0, 1):
        labelled = labelled_field(key, jnp.full(50, c, bool), model.lattice, kernels)
        np.testing.assert_array_equal(labelled, gaussian_field(key, 50, model.lattice, kernels[c]))
    mixed = np.asarray(labelled_field(key, jnp.arange(50) % 2 == 1, model.lattice, kernels))
    alone = [np.asarray(gaussian_field(key, 50, model.lattice, k)) for k in kernels]
    np.testing.assert_array_equal(mixed[0::2], alone[0][0::2])
    np.testing.assert_array_equal(mixed[1::2], alone[1][1::2])


def test_online_sgd_at_batch_1_trains_and_the_default_ids_stay() -> None:
    neuron = get_experiment("rf-neuron")
    with pytest.raises(ConfigError, match="batch_size=1: a balanced batch holds both classes"):
        neuron.configure(overrides={"batch_size": 1})
    cfg = neuron.configure(overrides={"batch_size": 1, "labels": "random", "steps": 50, "snapshots": 2, "N": 16})
    assert cfg.model_dump()["labels"] == "random" and "labels" not in neuron.configure().model_dump()
    (result,) = neuron.run(cfg, [0])
    assert 1 / 16 <= result.metrics["ipr"] <= 1 and np.isfinite(result.metrics["train_loss"])


@pytest.mark.parametrize(("steps", "snapshots"), [(1, 1), (1, 40), (7, 3), (7, 7), (7, 40), (1000, 40), (1000, 999),
                                                  (1000, 1000), (1000, 5000)])
def test_snapshot_steps_are_the_rounded_linear_grid_without_building_a_grid_finer_than_a_step(
        steps: int, snapshots: int) -> None:
    cfg = get_experiment("rf-neuron").configure(None, {"steps": str(steps), "snapshots": str(snapshots)})
    assert exp.snapshot_steps(cfg) == sorted({round(float(s)) for s in np.linspace(0, steps, snapshots + 1)})


def test_two_billion_snapshots_are_every_step_not_a_grid() -> None:
    """A request for 2e9 snapshots passes the memory check (at most one per step is kept); its grid
    alone would have taken 16 GB."""
    cfg = get_experiment("rf-neuron").configure(None, {"snapshots": "2000000000"})
    at, peak = traced_peak(lambda: exp.snapshot_steps(cfg))
    assert at == list(range(cfg.steps + 1)) and peak < 2**20
