"""Discontinuity measures on unit layouts with known answers, what/where decoding, and the Kohonen map baseline."""

from __future__ import annotations

import numpy as np
import pytest

from rflab.data import bars
from rflab.metrics import topography
from rflab.models import som


def _grid(side: int) -> np.ndarray:
    i, j = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    return np.stack([i.ravel(), j.ravel()], axis=1).astype(float)


def test_two_well_separated_clusters_have_no_cross_neighbours_and_a_wide_gap() -> None:
    """Two 5x5 grids of spacing 1 whose nearest points are 6 apart: gap ratio 6, no cross neighbours."""
    left, right = _grid(5), _grid(5) + np.array([10.0, 0.0])
    labels = np.repeat([0, 1], 25)
    positions = np.concatenate([left, right])
    assert topography.cross_neighbour_fraction(positions, labels) == 0.0
    assert topography.gap_ratio(positions, labels) == pytest.approx(6.0)


def test_checkerboard_grid_is_fully_interleaved() -> None:
    """On a checkerboard every nearest neighbour (all four, tied) has the other label; the gap is one step."""
    positions = _grid(6)
    labels = (positions.sum(axis=1) % 2).astype(int)
    assert topography.cross_neighbour_fraction(positions, labels) == pytest.approx(1.0)
    assert topography.gap_ratio(positions, labels) == pytest.approx(1 / np.sqrt(2))


def test_two_halves_of_a_grid_touch_along_their_boundary() -> None:
    """A 10x10 grid split into halves: regions touch (gap ratio 1), only boundary units see the other class.

    A boundary unit has 3 (edge: 2) tied nearest neighbours, one across: 8 units with 1/4, 2 with 1/3, per side.
    """
    positions = _grid(10)
    labels = (positions[:, 0] >= 5).astype(int)
    assert topography.gap_ratio(positions, labels) == pytest.approx(1.0)
    expected = 2 * (8 / 4 + 2 / 3) / 100
    assert topography.cross_neighbour_fraction(positions, labels) == pytest.approx(expected)


def test_random_labels_on_a_random_layout_give_about_half_cross_neighbours() -> None:
    rng = np.random.default_rng(0)
    positions, labels = rng.uniform(size=(2000, 2)), rng.integers(0, 2, 2000)
    assert topography.cross_neighbour_fraction(positions, labels) == pytest.approx(0.5, abs=0.04)
    assert topography.gap_ratio(positions, labels) < 0.2


def test_preferences_follow_mean_responses_and_inactive_units_are_left_out() -> None:
    """Unit 0 answers horizontal bars, unit 1 vertical ones, unit 2 almost never: it is inactive."""
    classes = np.array([0, 0, 1, 1])
    responses = np.array([[0.9, 0.1, 0.0], [0.8, 0.2, 0.0], [0.3, 0.7, 0.0], [0.1, 0.89, 0.01]])
    prefs = topography.unit_preferences(responses, classes, active_share=0.1)
    np.testing.assert_array_equal(prefs["preference"][:2], [0, 1])
    np.testing.assert_array_equal(prefs["active"], [True, True, False])
    positions = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, 0.0]])
    measured = topography.discontinuity(positions, prefs)
    assert measured["active_units"] == 2
    assert np.isnan(measured["gap_ratio"])  # one active unit per class: no spacing inside a class
    np.testing.assert_array_equal(topography.winner_take_all(responses), [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0]])


def test_class_mixture_is_zero_for_pure_bars_and_one_half_for_a_cross() -> None:
    lat = np.array([[0.0, 3.2], [1.0, 3.2], [0.0, 4.7]])
    images = np.asarray(bars.render(lat))
    cross = images[0] + images[1]
    blend = 0.8 * images[2] + 0.2 * images[1]
    mix = topography.class_mixture(np.stack([*images, cross, blend, np.full(64, 0.3)]))
    np.testing.assert_allclose(mix[:3], 0.0, atol=1e-7)
    assert mix[3] == pytest.approx(0.5, rel=1e-5)
    assert 0.01 < mix[4] < 0.1 and mix[5] == 0.0


def test_what_where_decodes_a_code_that_holds_class_and_position_and_not_one_that_does_not() -> None:
    rng = np.random.default_rng(1)
    lat = np.column_stack([rng.integers(0, 2, 1200), rng.uniform(1.5, 5.5, 1200)])
    good = np.column_stack([lat[:, 0], lat[:, 1] / 4])
    scored = topography.what_where(good[:1000], lat[:1000], good[1000:], lat[1000:])
    assert scored["class_accuracy"] == 1.0 and scored["position_r2"]["mean"] > 0.99
    noise = rng.normal(size=(1200, 2))
    blind = topography.what_where(noise[:1000], lat[:1000], noise[1000:], lat[1000:])
    assert blind["class_accuracy"] < 0.65 and blind["position_r2"]["mean"] < 0.1


def test_kohonen_map_lowers_its_quantisation_error_as_it_trains_and_orders_its_grid() -> None:
    """On points uniform in a square, ten epochs (the radius shrinking from 3 to 1) quantise better than
    one epoch (radius 3 throughout) and much better than the mean point, and grid neighbours end nearer
    in input space than random pairs of units."""
    rng = np.random.default_rng(2)
    points = rng.uniform(size=(1000, 2)).astype(np.float32)
    _, short = som.fit(points, 6, 3.0, 0.5, epochs=1, seed=0)
    _, trained = som.fit(points, 6, 3.0, 0.5, epochs=10, seed=0)
    assert som.quantisation_mse(trained, points) < 0.7 * som.quantisation_mse(short, points)
    assert som.quantisation_mse(trained, points) < 0.1 * np.mean((points - points.mean(axis=0)) ** 2)
    grid = som.grid(6)
    neighbours = np.isclose(np.linalg.norm(grid[:, None] - grid[None], axis=-1), 1 / 5)
    gaps = np.linalg.norm(trained[:, None] - trained[None], axis=-1)
    assert gaps[neighbours].mean() < 0.5 * gaps[~np.eye(36, dtype=bool)].mean()


def test_kohonen_responses_are_normalised_and_peak_at_the_best_matching_unit() -> None:
    rng = np.random.default_rng(3)
    w, x = rng.normal(size=(16, 5)).astype(np.float32), rng.normal(size=(30, 5)).astype(np.float32)
    r = som.responses(w, x, radius=1.0)
    np.testing.assert_allclose(r.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(np.argmax(r, axis=1), som.best_matching(w, x))
    np.testing.assert_array_equal(som.best_matching(w, x), np.argmin(((x[:, None] - w[None]) ** 2).sum(-1), axis=1))
    assert som.final_radius(3.0, 20) == pytest.approx(1.1)


THREE = ("horizontal", "vertical", "diagonal")


def test_three_separate_clusters_have_no_cross_neighbours_and_every_pair_its_gap() -> None:
    """Three 5x5 grids of spacing 1 at x = 0, 10 and 30: pair gaps 6, 26 and 16; the layout's gap is the smallest."""
    positions = np.concatenate([_grid(5), _grid(5) + np.array([10.0, 0.0]), _grid(5) + np.array([30.0, 0.0])])
    labels = np.repeat([0, 1, 2], 25)
    gaps = topography.pair_gap_ratios(positions, labels, THREE)
    assert gaps == pytest.approx({"horizontal/vertical": 6.0, "horizontal/diagonal": 26.0, "vertical/diagonal": 16.0})
    assert topography.gap_ratio(positions, labels) == min(gaps.values())
    assert topography.cross_neighbour_fraction(positions, labels) == 0.0


def test_three_stripes_of_a_grid_touch_pairwise_where_they_meet_and_not_across_the_middle() -> None:
    """A 9x9 grid cut into three stripes of three columns: neighbouring stripes touch (1), the outer two are 4 apart."""
    positions = _grid(9)
    labels = (positions[:, 0] // 3).astype(int)
    gaps = topography.pair_gap_ratios(positions, labels, THREE)
    assert gaps == pytest.approx({"horizontal/vertical": 1.0, "horizontal/diagonal": 4.0, "vertical/diagonal": 1.0})
    assert topography.gap_ratio(positions, labels) == pytest.approx(1.0)


def test_preferences_discontinuity_and_pair_gaps_count_three_classes_and_nan_when_one_is_thin() -> None:
    """Units 0-1 answer class 0, 2-3 class 1, 4-5 class 2; unit 6 answers nothing: it is inactive."""
    classes = np.array([0, 1, 2])
    responses = np.array([[0.5, 0.49, 0, 0, 0, 0, 0.01], [0, 0, 0.5, 0.5, 0, 0, 0], [0, 0, 0, 0, 0.6, 0.4, 0]])
    prefs = topography.unit_preferences(responses, classes, active_share=0.1, n_classes=3)
    assert prefs["class_means"].shape == (3, 7)
    np.testing.assert_array_equal(prefs["preference"][:6], [0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(prefs["active"], [True] * 6 + [False])
    positions = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 0.0], [5.0, 1.0], [0.0, 9.0], [0.0, 10.0], [2.5, 0.0]])
    measured = topography.discontinuity(positions, prefs, THREE)
    assert measured == pytest.approx({"cross_neighbour_fraction": 0.0, "gap_ratio": 5.0, "active_units": 6,
                                      "units_horizontal": 2, "units_vertical": 2, "units_diagonal": 2})
    assert topography.pair_gaps(positions, prefs, THREE) == pytest.approx(
        {"horizontal/vertical": 5.0, "horizontal/diagonal": 8.0, "vertical/diagonal": np.hypot(5, 8)})
    thin = prefs | {"active": np.array([True] * 5 + [False, False])}
    assert np.isnan(topography.discontinuity(positions, thin, THREE)["gap_ratio"])
    assert all(np.isnan(v) for v in topography.pair_gaps(positions, thin, THREE).values())
    assert set(topography.discontinuity(positions, prefs)) == {"cross_neighbour_fraction", "gap_ratio",
                                                               "active_units", "units_horizontal", "units_vertical"}


def test_accuracy_by_class_is_each_class_recall_and_what_where_names_every_class() -> None:
    """A code that holds the class of objects 0 and 1 but puts object 2 on top of object 0: recalls 1, ~1/2, ~1/2."""
    rng = np.random.default_rng(4)
    lat = np.column_stack([np.arange(3000) % 3, rng.uniform(1.5, 5.5, 3000)])
    code = np.column_stack([np.where(lat[:, 0] == 1, 1.0, 0.0), lat[:, 1] / 4])
    recall = topography.accuracy_by_class(code[:2400], lat[:2400], code[2400:], lat[2400:], names=THREE)
    assert recall["vertical"] == 1.0 and 0.3 < recall["horizontal"] < 0.7 and 0.3 < recall["diagonal"] < 0.7
    scored = topography.what_where(code[:2400], lat[:2400], code[2400:], lat[2400:], names=THREE)
    assert scored["class_accuracy"] == pytest.approx(np.mean(list(recall.values())), abs=1e-9)
    assert set(scored["position_r2"]) == {*THREE, "mean"}
