"""The training engine: streams, snapshots, divergence, determinism, seeds run together or alone."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from rflab import train

SLOPE = 3.0


def linear_learner() -> train.Learner:
    """Least squares y = w x with a scalar w: the loss falls towards 0 as w -> SLOPE."""
    return train.Learner(
        init=lambda key: {"w": jax.random.normal(key, ())},
        loss=lambda p, b: 0.5 * (p["w"] * b["x"] - b["y"]) ** 2,
    )


def linear_data(n_seeds: int, n: int) -> dict:
    x = jax.random.normal(jax.random.PRNGKey(9), (n_seeds, n))
    return {"x": x, "y": SLOPE * x}


def keys(n: int) -> jax.Array:
    return jnp.stack([jax.random.PRNGKey(s) for s in range(n)])


def test_epochs_visit_every_example_once_and_weigh_the_short_batch() -> None:
    stream = train.Epochs(n=10, batch_size=4)
    data = jnp.arange(10.0)
    state = stream.init(jax.random.PRNGKey(0), data)
    for epoch in range(2):
        seen = []
        for i in range(stream.steps_per_epoch):
            batch, weights, state = stream.next(state, jnp.asarray(epoch * 3 + i), data)
            assert float(weights.sum()) == pytest.approx(1.0)
            seen += [float(v) for v, w in zip(batch, weights, strict=True) if w > 0]
            if i == 2:
                np.testing.assert_allclose(weights, [0.5, 0.5, 0, 0])
        assert sorted(seen) == list(range(10))


def test_replay_follows_the_given_orders() -> None:
    stream = train.Replay(n=4, batch_size=2)
    data = {"examples": jnp.arange(4.0) * 10, "orders": jnp.array([[3, 1, 0, 2], [2, 0, 1, 3]])}
    state = stream.init(jax.random.PRNGKey(0), data)
    got = []
    for step in range(4):
        batch, _, state = stream.next(state, jnp.asarray(step), data)
        got += [float(v) for v in batch]
    assert got == [30, 10, 0, 20, 20, 0, 10, 30]


def test_fit_learns_and_snapshots_at_chosen_steps() -> None:
    result = train.fit(linear_learner(), optax.sgd(0.1), train.Epochs(32, 8), 200, keys(2),
                       data=linear_data(2, 32), snapshot_steps=[0, 7, 200])
    assert result.losses.shape == (2, 200)
    assert result.snapshot_steps == (0, 7, 200)
    assert result.snapshots["w"].shape == (2, 3)
    np.testing.assert_allclose(result.params["w"], SLOPE, atol=1e-3)
    np.testing.assert_array_equal(result.snapshots["w"][:, -1], result.params["w"])
    assert np.all(result.losses[:, -1] < 1e-5)


def test_snapshot_matches_a_run_stopped_there() -> None:
    """The snapshot after 7 steps equals the end of a 7-step run (masked remainder steps are exact)."""
    common = (linear_learner(), optax.sgd(0.05), train.Epochs(32, 8))
    long = train.fit(*common, 100, keys(1), data=linear_data(1, 32), snapshot_steps=[7], chunks=5)
    short = train.fit(*common, 7, keys(1), data=linear_data(1, 32))
    np.testing.assert_allclose(long.snapshots["w"][:, 0], short.params["w"], rtol=1e-6)


def test_online_stream_draws_fresh_batches() -> None:
    def sample(key: jax.Array, n: int) -> dict:
        x = jax.random.normal(key, (n,))
        return {"x": x, "y": SLOPE * x}

    result = train.fit(linear_learner(), optax.sgd(0.1), train.Online(sample, 16), 300, keys(3))
    np.testing.assert_allclose(result.params["w"], SLOPE, atol=1e-3)


def test_blocks_draw_each_block_once_and_do_not_depend_on_the_chunking() -> None:
    """Batch 1 from blocks of 5 steps: the run sees, step by step, the rows of ``sample`` at the stream
    key folded with the block's index, and any chunking gives the same numbers."""
    def sample(key: jax.Array, n: int) -> dict:
        return {"v": jax.random.normal(key, (n,))}

    learner = train.Learner(init=lambda key: {"s": jnp.zeros(())}, loss=lambda p, b: -p["s"] * b["v"])
    blocks = train.Blocks(sample, 1, 5)
    runs = [train.fit(learner, optax.sgd(1.0), blocks, 40, keys(2), snapshot_steps=(0, 10, 40), chunks=c)
            for c in (1, 3, 40)]
    for other in runs[1:]:
        np.testing.assert_array_equal(other.params["s"], runs[0].params["s"])
        np.testing.assert_array_equal(other.losses, runs[0].losses)
    stream_key = jax.random.split(keys(2)[1])[1]
    drawn = np.concatenate([np.asarray(sample(jax.random.fold_in(stream_key, j), 5)["v"]) for j in range(8)])
    np.testing.assert_allclose(runs[0].params["s"][1], drawn.sum(), rtol=1e-5)
    np.testing.assert_allclose(runs[0].snapshots["s"][1, 1], drawn[:10].sum(), rtol=1e-5)
    with pytest.raises(ValueError, match="multiples of 5"):
        train.fit(learner, optax.sgd(1.0), blocks, 42, keys(1))


def test_seeds_together_equal_seeds_alone() -> None:
    data = linear_data(3, 32)
    together = train.fit(linear_learner(), optax.adam(0.01), train.Epochs(32, 8), 50, keys(3), data=data)
    for s in range(3):
        alone = train.fit(linear_learner(), optax.adam(0.01), train.Epochs(32, 8), 50, keys(3)[s:s + 1],
                          data={k: v[s:s + 1] for k, v in data.items()})
        np.testing.assert_array_equal(alone.params["w"][0], together.params["w"][s])
        np.testing.assert_array_equal(alone.losses[0], together.losses[s])


def test_same_seed_same_numbers() -> None:
    run = lambda: train.fit(linear_learner(), optax.adam(0.01), train.Epochs(32, 8), 40, keys(2),  # noqa: E731
                            data=linear_data(2, 32))
    np.testing.assert_array_equal(run().losses, run().losses)


def test_params0_replaces_init() -> None:
    result = train.fit(linear_learner(), optax.sgd(0.0), train.Epochs(32, 8), 3, keys(2),
                       data=linear_data(2, 32), params0={"w": jnp.array([1.5, -2.0])})
    np.testing.assert_array_equal(result.params["w"], [1.5, -2.0])


def test_divergence_names_the_step() -> None:
    learner = train.Learner(init=lambda key: {"w": jnp.asarray(1.0)},
                            loss=lambda p, b: jnp.exp(p["w"] * b["x"]) + 0 * b["y"])
    with pytest.raises(train.DivergenceError, match=r"non-finite training loss at step \d+ of seed index 0"):
        train.fit(learner, optax.sgd(50.0), train.Epochs(32, 8), 100, keys(1), data=linear_data(1, 32))


def test_first_non_finite_step_is_reported_exactly() -> None:
    learner = train.Learner(init=lambda key: {"w": jnp.asarray(0.0)},
                            loss=lambda p, b: jnp.where(p["w"] > 4.5, jnp.nan, -p["w"]) + 0 * b)
    with pytest.raises(train.DivergenceError, match="at step 6 of"):
        train.fit(learner, optax.sgd(1.0), train.Online(lambda k, n: jnp.zeros(n), 1), 20, keys(1))


def test_snapshot_steps_out_of_range() -> None:
    with pytest.raises(ValueError, match="snapshot_steps"):
        train.fit(linear_learner(), optax.sgd(0.1), train.Epochs(32, 8), 10, keys(1),
                  data=linear_data(1, 32), snapshot_steps=[11])


@pytest.mark.parametrize("schedule", ["constant", "cosine", "warmup-cosine"])
@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_optimizer_factory(name: str, schedule: str) -> None:
    result = train.fit(linear_learner(), train.optimizer(name, 0.05, 400, schedule, 0.1), train.Epochs(32, 8),
                       400, keys(1), data=linear_data(1, 32))
    np.testing.assert_allclose(result.params["w"], SLOPE, atol=0.05)


def test_optimizer_factory_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="optimizer='lbfgs'"):
        train.optimizer("lbfgs", 0.1, 10)
    with pytest.raises(ValueError, match="schedule='step'"):
        train.optimizer("sgd", 0.1, 10, "step")


def test_seeds_spread_over_two_cpu_devices_give_the_same_numbers() -> None:
    """Run in a fresh process (the device count is fixed at JAX start-up): 3 seeds over 2 devices."""
    script = textwrap.dedent("""
        import jax, jax.numpy as jnp, numpy as np, optax, sys
        from rflab import train
        train.use_cpu_cores(int(sys.argv[1]))
        learner = train.Learner(init=lambda k: {"w": jax.random.normal(k, (4,))},
                                loss=lambda p, b: jnp.sum((b @ p["w"] - 1.0) ** 2, -1))
        x = jax.random.normal(jax.random.PRNGKey(0), (3, 64, 4))
        keys = jnp.stack([jax.random.PRNGKey(s) for s in range(3)])
        r = train.fit(learner, optax.adam(0.01), train.Epochs(64, 16), 50, keys, data=x)
        print(jax.device_count(), *np.asarray(r.params["w"]).ravel().tolist())
    """)
    cpu = os.environ | {"JAX_PLATFORMS": "cpu"}  # CPU devices, also on a machine with a GPU
    outs = [subprocess.run([sys.executable, "-c", script, str(n)], capture_output=True, text=True, check=True,
                           env=cpu).stdout.split() for n in (1, 2)]
    assert outs[0][0] == "1" and outs[1][0] == "2"
    assert outs[0][1:] == outs[1][1:]


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_weight_decay_touches_only_the_masked_leaves(name: str) -> None:
    params = {"a": jnp.ones(3), "b": jnp.ones(3)}
    opt = train.optimizer(name, 0.1, 10, weight_decay=1.0, decay_mask=lambda p: {"a": True, "b": False})
    state = opt.init(params)
    zero = jax.tree.map(jnp.zeros_like, params)
    updates, _ = opt.update(zero, state, params)
    new = optax.apply_updates(params, updates)
    np.testing.assert_allclose(new["a"], 0.9, rtol=1e-6)
    np.testing.assert_array_equal(new["b"], 1.0)


def test_code_decay_mask_marks_the_code_layer_only() -> None:
    from rflab.models import population as pop

    mask = pop.code_layer(pop.init(jax.random.PRNGKey(0)))
    assert mask["enc2"]["w"] is True
    assert sum(jax.tree.leaves(mask)) == 1


def scaled_learner(point: dict) -> tuple[train.Learner, optax.GradientTransformation]:
    """Least squares on x * gain (the point's transform of the shared draws) at the point's rate."""
    learner = train.Learner(init=lambda key: {"w": jax.random.normal(key, ())},
                            loss=lambda p, b: 0.5 * (p["w"] * point["gain"] * b["x"] - b["y"]) ** 2)
    return learner, optax.sgd(point["lr"])


def test_points_share_each_draw_and_equal_lone_runs_bit_for_bit() -> None:
    draws = []

    def sample(key: jax.Array, n: int) -> dict:
        x = jax.random.normal(key, (n,))
        jax.debug.callback(lambda: draws.append(1))
        return {"x": x, "y": SLOPE * x}

    points = {"gain": np.float32([0.5, 1.0, 2.0]), "lr": np.float32([0.4, 0.1, 0.02])}
    family = train.fit_points(scaled_learner, points, train.Online(sample, 16), 300, keys(1), snapshot_steps=(0, 20))
    jax.effects_barrier()
    assert len(draws) == 300  # one draw per step for the three points, not 900
    assert family.params["w"].shape == (1, 3) and family.losses.shape == (1, 3, 300)
    assert family.snapshots["w"].shape == (1, 3, 2)
    for j in range(3):
        one = {k: v[j:j + 1] for k, v in points.items()}
        alone = train.fit_points(scaled_learner, one, train.Online(sample, 16), 300, keys(1), snapshot_steps=(0, 20))
        np.testing.assert_array_equal(alone.params["w"][:, 0], family.params["w"][:, j])
        np.testing.assert_array_equal(alone.losses[:, 0], family.losses[:, j])
        np.testing.assert_array_equal(alone.snapshots["w"][:, 0], family.snapshots["w"][:, j])
    np.testing.assert_allclose(family.params["w"][0] * points["gain"], SLOPE, rtol=1e-3)


def test_a_diverging_point_is_named() -> None:
    sample = lambda k, n: {"x": jax.random.normal(k, (n,)), "y": jnp.zeros(n)}  # noqa: E731
    points = {"gain": np.float32([1.0, 1.0]), "lr": np.float32([0.1, 1e6])}
    with pytest.raises(train.DivergenceError, match="of seed index 0 and point index 1"):
        train.fit_points(scaled_learner, points, train.Online(sample, 8), 20, keys(1))


def test_stream_keys_give_the_same_initial_weights_another_stream() -> None:
    sample = lambda k, n: {"x": jax.random.normal(k, (n,)), "y": jnp.zeros(n)}  # noqa: E731
    points = {"gain": np.float32([1.0]), "lr": np.float32([0.1])}
    base = train.fit_points(scaled_learner, points, train.Online(sample, 8), 5, keys(2), snapshot_steps=(0,))
    other = train.fit_points(scaled_learner, points, train.Online(sample, 8), 5, keys(2), keys(4)[2:],
                             snapshot_steps=(0,))
    np.testing.assert_array_equal(base.snapshots["w"], other.snapshots["w"])
    assert not np.array_equal(base.losses, other.losses)
