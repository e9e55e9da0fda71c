"""Ingrosso & Goldt's two-layer network (``rflab.models.mean_field``) and the ``ig-two-layer`` experiment:
the loss and update against a transcription of their two-headed network, the symmetry that makes the
biases necessary, the time units, and a run's stored arrays."""

from __future__ import annotations

import json
import math
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import traced_peak
from scipy.special import erf

import rflab
from rflab.config import ConfigError
from rflab.experiments import get_experiment
from rflab.experiments.ingrosso_goldt import IGMetrics, loss_per_time, snapshot_steps, steps
from rflab.figures import Scale, get_figure, render
from rflab.figures.ingrosso_goldt import IGNumbers
from rflab.models import mean_field
from rflab.results.cache import RunSpec
from rflab.results.store import Store
from rflab.schema import check


def their_heads(w: np.ndarray, bias: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Their ``TwoLayer.forward`` in ``mf`` mode with the second head's readout negated: (B, 2)."""
    k, d = w.shape
    fc2 = np.ones((k, 2))
    fc2[:, 1] *= -1
    h = x @ w.T / math.sqrt(d) + bias
    return erf(h / math.sqrt(2)) @ fc2 / k


def their_loss(w: np.ndarray, bias: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    """Their ``F.mse_loss`` (mean over samples and heads) on one-hot targets mapped to -1, +1."""
    targets = 2 * np.eye(2)[y.astype(int)] - 1
    return float(np.mean((their_heads(w, bias, x) - targets) ** 2))


@pytest.fixture
def batch() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    w = rng.normal(0, 1.0, (6, 30))
    return w, mean_field.biases(6, 0.7).astype(np.float64), rng.normal(size=(16, 30)), rng.integers(0, 2, 16)


def test_the_loss_is_their_two_headed_squared_error(batch: tuple[np.ndarray, ...]) -> None:
    w, bias, x, y = batch
    f32 = lambda a: jnp.asarray(a, jnp.float32)  # noqa: E731
    ours = mean_field.loss({"w": f32(w)}, (f32(x), f32(y)), f32(bias))
    assert float(jnp.mean(ours)) == pytest.approx(their_loss(w, bias, x, y), rel=1e-5)
    assert list(mean_field.biases(5, 2.0)) == [2.0, 2.0, -2.0, -2.0, -2.0]  # the first K // 2 at +b


def test_the_gradient_is_the_hand_derived_one(batch: tuple[np.ndarray, ...]) -> None:
    """d/dw_k (phi - t)^2 = 2 (phi - t) (1/K) sqrt(2/pi) exp(-h_k^2 / 2) x / sqrt(D), averaged over the batch."""
    w, bias, x, y = batch
    k, d = w.shape
    f32 = lambda a: jnp.asarray(a, jnp.float32)  # noqa: E731
    grad = jax.grad(lambda p: jnp.mean(mean_field.loss(p, (f32(x), f32(y)), f32(bias))))
    ours = np.asarray(grad({"w": f32(w)})["w"])
    h = x @ w.T / math.sqrt(d) + bias
    phi = erf(h / math.sqrt(2)).mean(axis=1)
    slope = math.sqrt(2 / math.pi) * np.exp(-(h**2) / 2)
    expected = np.einsum("b,bk,bd->kd", 2 * (phi - (1 - 2 * y)) / k, slope, x / math.sqrt(d)) / len(x)
    np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-7)  # float32


def test_without_biases_the_expected_update_does_not_see_the_labels(batch: tuple[np.ndarray, ...]) -> None:
    """phi is odd in x when b = 0 and every class is symmetric under x -> -x: the gradients of a sample
    and its mirror (same class) add up to the gradient of 2 phi^2, whatever the labels, so the expected
    update cannot learn the task (docs/experiments/ig-two-layer.md). With biases it sees the labels."""
    w, _, x, y = batch

    def mirrored(bias: np.ndarray, labels: np.ndarray) -> np.ndarray:
        p = {"w": jnp.asarray(w, jnp.float32)}

        def total(q: mean_field.Params) -> jax.Array:
            f32 = lambda a: jnp.asarray(a, jnp.float32)  # noqa: E731
            return sum(jnp.sum(mean_field.loss(q, (f32(sign * x), f32(labels)), f32(bias))) for sign in (1.0, -1.0))

        return np.asarray(jax.grad(total)(p)["w"])

    zero, some = np.zeros(6), mean_field.biases(6, 1.0)
    np.testing.assert_allclose(mirrored(zero, y), mirrored(zero, 1 - y), atol=1e-5)
    assert np.abs(mirrored(some, y) - mirrored(some, 1 - y)).max() > 1e-2


def test_time_is_steps_over_d_and_snapshots_are_log_spaced() -> None:
    cfg = get_experiment("ig-two-layer").configure(None, {"time": "100"})
    assert cfg.N**cfg.dims == 400 and steps(cfg) == 40_000
    at = snapshot_steps(cfg)
    assert at[:3] == [0, 400, 800] and at[-1] == 40_000 and all(s % 400 == 0 for s in at)  # whole units of time
    late = np.diff(np.log(at[-10:]))
    assert np.abs(late - np.log(100) / 39).max() < 0.03  # log-spaced where whole times do not crowd them
    np.testing.assert_allclose(loss_per_time(np.arange(8.0), 4), [1.5, 5.5])


@pytest.mark.parametrize("time", [1, 2, 5, 50, 1000])
@pytest.mark.parametrize("snapshots", [2, 40, 100, 1000, 30_000])
def test_snapshot_steps_past_every_whole_time_are_the_log_grids_without_building_it(time: int, snapshots: int) -> None:
    """Every count of snapshots gives the log grid's whole times, rounded as numpy rounds them, whether
    the grid is built or, finer than every whole time's rounding interval, skipped."""
    cfg = get_experiment("ig-two-layer").configure(None, {"time": str(time), "snapshots": str(snapshots), "N": "4"})
    grid = np.logspace(0, math.log10(time), snapshots).round().astype(int)
    assert snapshot_steps(cfg) == sorted({0} | {int(t) * 16 for t in grid})


def test_two_billion_snapshots_are_counted_not_built() -> None:
    """A generated request asked for 2e9 snapshots of a 1000-unit run: building their grid took 21 GB and
    the kernel killed the test run. The footprint and the snapshot steps now take under a megabyte."""
    cfg = get_experiment("ig-two-layer").configure(None, {"snapshots": "2000000000"})
    (at, _), peak = traced_peak(lambda: (snapshot_steps(cfg), get_experiment("ig-two-layer").footprint(cfg)))
    assert at == [t * 400 for t in range(1001)] and peak < 2**20


def test_a_short_run_and_its_figure_store_the_groups_and_time_in_their_schemas(tmp_path: Path) -> None:
    """A tiny figure (8 x 8 torus, time 5, both data): the runs' metrics and the figure's numbers fit the
    schemas the report reads them through."""
    tiny = {f"torus/{prefix}{data}": RunSpec(experiment, None, {"N": 8, "time": 5} | extra, seeds)
            for prefix, experiment, seeds in (("", "ig-two-layer", (0, 1)), ("conv-", "ig-conv", (0,)))
            for data, extra in (("nlgp", {}), ("clone", {"data": "nlgp-clone"}))}
    figure = get_figure("ig-two-layer")
    store = Store(tmp_path / "s")
    files = render(figure, "quick", tmp_path / "figures", store, declared=Scale(tiny, "tiny", ("torus",)))
    numbers = json.loads(next(f for f in files if f.suffix == ".json").read_text())
    assert check(IGNumbers, numbers) == [] and set(numbers["panels"]["torus"]) == {"nlgp", "clone"}
    conv = numbers["accuracy"]["torus"]["nlgp"]["convolutional"]
    assert len(conv["accuracy"]) == len(conv["times"]) and len(conv["final"]) == 1
    result = rflab.run("ig-two-layer", seeds=range(2), store=store, N=8, time=5)
    assert result.computed == []  # the figure stored them
    run = result.runs[0]
    assert check(IGMetrics, run.metrics) == []
    arrays = run.arrays()
    k = run.config["units"]
    assert arrays["fields"].shape == (len(arrays["snapshot_steps"]), k, 64)
    np.testing.assert_allclose(arrays["snapshot_times"], arrays["snapshot_steps"] / 64)
    assert len(arrays["loss_per_time"]) == 5 and list(arrays["bias"]) == [1.0] * 4 + [-1.0] * 4
    assert run.metrics["steps"] == 320 and 0 <= run.metrics["test_accuracy"] <= 1
    assert run.metrics["ipr_plus"] == pytest.approx(np.mean(arrays["unit_ipr"][:4]))


def their_conv_heads(w: np.ndarray, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Their ``ConvTwoLayer.forward`` (no bias, erf(h / sqrt 2), max pooling of 2 a side, readout of ones
    with the second head negated, divided by the pooled units), by loops: (B, 2)."""
    k = w.shape[1]
    out = []
    for image in x.reshape(len(x), *shape):
        if len(shape) == 1:
            h = np.array([[wc @ image[i:i + k] for i in range(shape[0] - k + 1)] for wc in w])
            g = erf(h / math.sqrt(2))
            pooled = np.maximum(g[:, 0:2 * (g.shape[1] // 2):2], g[:, 1:2 * (g.shape[1] // 2):2])
        else:
            n = shape[0] - k + 1
            h = np.array([[[np.sum(wc * image[i:i + k, j:j + k]) for j in range(n)] for i in range(n)] for wc in w])
            g = erf(h / math.sqrt(2))[:, : 2 * (n // 2), : 2 * (n // 2)]
            pooled = g.reshape(len(w), n // 2, 2, n // 2, 2).max(axis=(2, 4))
        phi = pooled.mean()
        out.append([phi, -phi])
    return np.array(out)


@pytest.mark.parametrize("shape", [(9, 9), (13,)])
def test_the_convolutional_student_is_their_conv_two_layer(shape: tuple[int, ...]) -> None:
    """Forward pass and loss against a loop transcription of their network, on a torus and a ring (odd
    output widths, so pooling drops the last position as theirs does)."""
    from rflab.models import conv_student

    rng = np.random.default_rng(1)
    w = rng.normal(0, 0.6, (3, *(4,) * len(shape)))
    x, y = rng.normal(size=(5, math.prod(shape))), rng.integers(0, 2, 5)
    f32 = lambda a: jnp.asarray(a, jnp.float32)  # noqa: E731
    heads = their_conv_heads(w, x, shape)
    np.testing.assert_allclose(conv_student.apply({"w": f32(w)}, f32(x), shape), heads[:, 0], rtol=1e-5, atol=1e-6)
    targets = 2 * np.eye(2)[y] - 1
    ours = conv_student.loss({"w": f32(w)}, (f32(x), f32(y)), shape)
    assert float(jnp.mean(ours)) == pytest.approx(float(np.mean((heads - targets) ** 2)), rel=1e-5)


def test_the_convolutional_students_filters_start_as_pytorchs_default() -> None:
    """Uniform in +-1/sqrt(fan_in): every weight inside, the variance 1/(3 fan_in)."""
    from rflab.models import conv_student

    w = np.asarray(conv_student.init(jax.random.PRNGKey(0), (20, 20), 400, 5, bias=True)["w"])
    assert w.shape == (400, 5, 5) and np.abs(w).max() <= 0.2
    assert w.var() == pytest.approx(0.2**2 / 3, rel=0.02)


def test_a_short_convolutional_run_learns_with_a_bias_only_and_a_kernel_without_pooling_room_is_refused() -> None:
    """With a bias per channel the student learns the task (time 30 on a 10 x 10 torus); without one the
    sign of phi stays near chance, as the mean of pooled maxima is positive for both classes."""
    from rflab.experiments.ingrosso_goldt import IGConvMetrics

    conv = get_experiment("ig-conv")
    with pytest.raises(ConfigError, match="kernel=20: the filters must leave"):
        conv.configure(None, {"kernel": 20})
    (result,) = conv.run(conv.configure(None, {"N": 10, "time": 30}), [0])
    assert check(IGConvMetrics, result.metrics) == []
    assert result.arrays["fields"].shape == (len(result.arrays["snapshot_steps"]), 8, 25)
    assert abs(result.arrays["accuracy_curve"][-1] - result.metrics["test_accuracy"]) < 0.05  # 2,000 of 20,000
    assert result.metrics["test_accuracy"] > 0.9
    assert result.metrics["filter_ipr_random"] == pytest.approx(3 / 27)
    (unbiased,) = conv.run(conv.configure(None, {"N": 10, "time": 30, "bias": False}), [0])
    assert unbiased.metrics["test_accuracy"] < 0.6
