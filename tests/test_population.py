"""The population coder: shapes, grid initialisation, and step-by-step agreement with a NumPy reference."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import numpy_population as ref
import pytest

from rflab.config import build
from rflab.experiments import dipole
from rflab.models import population as pop


def test_grid_is_the_seeds_9x5x5() -> None:
    np.testing.assert_allclose(pop.grid_positions(225, 3), ref.grid(), atol=1e-7)
    assert pop.balanced_factors(225, 3) == (9, 5, 5)
    assert pop.balanced_factors(100, 2) == (10, 10)
    with pytest.raises(ValueError, match="n_units=7"):
        pop.balanced_factors(7, 3)


def test_shapes_and_code_range() -> None:
    params = pop.init(jax.random.PRNGKey(0))
    x = jax.random.normal(jax.random.PRNGKey(1), (10, 64))
    out = pop.apply(params, x, 0.18)
    assert out.code.shape == (10, 3) and out.bumps.shape == (10, 225) and out.recon.shape == (10, 64)
    assert float(out.code.min()) > 0 and float(out.code.max()) < 1
    np.testing.assert_allclose(pop.decode(params, out.code, 0.18), out.recon, atol=1e-6)


def test_initial_weight_scales_are_glorot() -> None:
    params = pop.init(jax.random.PRNGKey(0), init_gain=2.0)
    assert float(jnp.std(params["dec"]["w"])) == pytest.approx(2.0 * np.sqrt(2 / (225 + 64)), rel=0.05)
    assert float(jnp.std(params["mu"] - pop.grid_positions(225, 3))) == pytest.approx(0.01, rel=0.1)


def test_seed_preset_replays_the_numpy_reference_step_by_step() -> None:
    """Same images, initial weights and shuffles as the seed script; same parameters after 3 epochs."""
    cfg = build(dipole.DipoleConfig, dipole.HINTON_PROBLEMS_PRESET, {"n_train": 256, "n_test": 50, "epochs": 3})
    data = dipole.make_data(cfg, [4])
    x_ref, _ = ref.dipoles(4, 256)
    np.testing.assert_allclose(data["x_train"][0], x_ref, atol=1e-6)
    result = dipole.fit(cfg, [4], data, None)

    p = ref.init(4)
    rng = np.random.default_rng(4)
    for _ in range(3):
        order = rng.permutation(256)
        for i in range(0, 256, 64):
            ref.sgd_step(p, x_ref[order[i:i + 64]], 0.1)
    mine = {"w1": result.params["enc1"]["w"], "w2": result.params["enc2"]["w"], "mu": result.params["mu"],
            "wd": result.params["dec"]["w"], "bd": result.params["dec"]["b"]}
    for name, value in mine.items():
        np.testing.assert_allclose(value[0], p[name], atol=2e-5, err_msg=name)


def test_gradient_matches_the_hand_written_backward_pass() -> None:
    p = ref.init(0)
    x, _ = ref.dipoles(0, 64)
    params = {"enc1": {"w": p["w1"], "b": p["b1"]}, "enc2": {"w": p["w2"], "b": p["b2"]}, "mu": p["mu"],
              "dec": {"w": p["wd"], "b": p["bd"]}}
    grads = jax.grad(lambda q: jnp.mean(pop.loss(q, jnp.asarray(x), ref.SIGMA)))(params)
    stepped = {k: v.copy() for k, v in p.items()}
    ref.sgd_step(stepped, x, 1.0)
    np.testing.assert_allclose(grads["mu"], p["mu"] - stepped["mu"], atol=1e-5)
    np.testing.assert_allclose(grads["enc1"]["w"], p["w1"] - stepped["w1"], atol=1e-5)


def test_torus_code_is_an_embedding_inside_the_cube() -> None:
    lat = np.asarray(jax.random.uniform(jax.random.PRNGKey(0), (4000, 3))) * [4, 4, 2 * np.pi] + [1.5, 1.5, 0]
    code = dipole.torus_code(lat)
    assert code.min() > 0 and code.max() < 1
    back_radius = np.hypot(code[:, 0] - 0.5, code[:, 1] - 0.5)
    np.testing.assert_allclose((back_radius - 0.15) / 0.3 * 4 + 1.5, lat[:, 0], atol=1e-9)
    np.testing.assert_allclose(np.arctan2(code[:, 1] - 0.5, code[:, 0] - 0.5) % (2 * np.pi), lat[:, 2], atol=1e-9)
    np.testing.assert_allclose((code[:, 2] - 0.05) / 0.9 * 4 + 1.5, lat[:, 1], atol=1e-9)


def test_oracle_encoder_starts_from_the_torus_code() -> None:
    cfg = build(dipole.DipoleConfig, {"n_train": 256, "n_test": 64, "epochs": 1, "encoder_init": "oracle"})
    data = dipole.make_data(cfg, [0])
    learner_init = dipole.fit(cfg, [0], data, None)
    at_step_0 = jax.tree.map(lambda a: a[0, 0], learner_init.snapshots)  # seed 0, snapshot 0
    code = np.asarray(pop.encode(at_step_0, data["x_test"][0]))
    assert np.sqrt(np.mean((code - dipole.torus_code(data["lat_test"][0])) ** 2)) < 0.05


def test_the_script_procedure_trains_as_the_reference_and_measures_its_code() -> None:
    """``ref.script`` (the whole-command benchmark's baseline) is ``ref.train`` in float64 plus the seed
    script's measurements: an evaluation after every epoch, and R^2 on monomials of the code."""
    run = ref.script(3, epochs=2, n_train=128, n_test=64)
    trained = ref.train(3, epochs=2, n_train=128, n_test=64)
    assert run["test_mse"] == pytest.approx(trained["test_mse"], rel=1e-4)
    assert len(run["history"]) == 2 and len(run["singular_values"]) == 3
    assert [len(ref._combinations(3, d)) for d in (1, 2, 3)] == [3, 6, 10]
    _, lat = ref.dipoles(0, 200, dtype=np.float64)
    exact = np.column_stack([lat[:, :2], np.cos(2 * lat[:, 2]), np.sin(2 * lat[:, 2])])
    np.testing.assert_allclose(ref.r2(exact, lat, 1), 1.0, atol=1e-9)
    assert np.all(ref.r2(lat[:, :1], lat, 3)[1:] < 0.1)
