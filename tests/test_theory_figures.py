"""The theory figures at a tiny scale: files and numbers written, same config gives the same numbers,
bad scale is a one-line error; the comparison helpers on constructed fields."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from rflab.config import ConfigError
from rflab.figures import get_figure, render
from rflab.figures import lufkin_theory as tf
from rflab.results.cache import RunSpec, load
from rflab.results.store import Store
from rflab.schema import check

TINY_NEURON = {"steps": 40, "batch_size": 256, "snapshots": 4}


def test_cosine_helpers_on_constructed_fields() -> None:
    sites = np.arange(20)
    bump = np.exp(-((sites - 5.0) ** 2) / 4)
    assert tf.cosine(bump, 2 * bump) == pytest.approx(1.0)
    assert tf.cosine(bump, -bump) == pytest.approx(-1.0)
    moved = np.roll(bump, 9)
    assert tf.cosine(bump, moved) < 0.01
    assert tf.aligned_cosine(bump, moved) == pytest.approx(1.0)
    agree = tf.replicate_agreement(np.stack([bump, bump, moved])[:, None], {"full": bump[None, None]})
    assert agree["replicates"] == 2 and agree["replicate_peak_site"].tolist() == [[5, 5, 14]]
    np.testing.assert_allclose(agree["replicate_cos"], [(1 + 2 * tf.cosine(bump, moved)) / 3])
    np.testing.assert_allclose(agree["replicate_mean_cos_full"], [(2 + tf.cosine(bump, moved)) / 3])
    np.testing.assert_allclose(agree["replicate_best_cos"], [np.sqrt(5 + 4 * tf.cosine(bump, moved)) / 3], rtol=1e-6)
    runs = np.random.default_rng(0).normal(size=(4, 6, 20))
    best = tf.replicate_agreement(runs, {})["replicate_best_cos"]
    for p in np.random.default_rng(1).normal(size=(100, 20)):  # no field beats the ceiling
        assert np.all(np.mean(tf.cosine(p, runs), axis=0) <= best + 1e-12)
    wave = np.cos(2 * np.pi * 3 * sites / 20)
    share = tf.power_share(0.5 + wave)
    assert share.sum() == pytest.approx(1.0) and np.argmax(share[1:]) + 1 == 3


def test_the_claim32_gains_are_the_authors_logspace_to_an_ulp() -> None:
    """The literal gains are 10^x on linspace(-2, 2, 10) within one ulp each (decimal arithmetic, so
    the check itself does not depend on the CPU's NumPy kernels), in increasing order."""
    exact = [float(Decimal(10) ** Decimal(float(x))) for x in np.linspace(-2, 2, 10)]
    assert len(tf.NLGP_GAINS) == 10 and list(tf.NLGP_GAINS) == sorted(tf.NLGP_GAINS)
    assert all(abs(g - e) <= np.spacing(e) for g, e in zip(tf.NLGP_GAINS, exact, strict=True))


@pytest.mark.parametrize("name", ["fig3-theory", "claim32", "prop33", "phase-diagram"])
def test_bad_scale_is_a_config_error(name: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="scale='huge'"):
        render(get_figure(name), "huge", tmp_path, Store(tmp_path / "store"))
    assert not any(tmp_path.iterdir())


def tiny_scales(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny quick scales of fig3-theory (one row), claim32 (three points) and the phase diagram."""
    monkeypatch.setattr(tf, "FIG3_ROWS", (("NLGP", "nlgp", "nlgp", {}),))
    monkeypatch.setitem(get_figure("fig3-theory").scales, "quick",
                        tf.fig3_scale(TINY_NEURON | {"N": 16}, range(2), 2, "tiny"))
    monkeypatch.setattr(tf, "NLGP_GAINS", (0.1, 100.0))
    monkeypatch.setattr(tf, "KUR_TAILS", (5.0,))
    monkeypatch.setitem(get_figure("claim32").scales, "quick", tf.claim32_scale(
        tf.SweepScale((0.3, 0.7), 40, {"nlgp": 256, "kur": 256}, {"nlgp": 2, "kur": 2}, "tiny")))
    monkeypatch.setitem(get_figure("phase-diagram").scales, "quick", tf.phase_scale(
        tf.PhaseScale((1.285307, -1.0), (1.0, 100.0), (1.5, 3.0), 4.0, 2, (("kur", 5.0, 3.0),), "tiny")))


def distinct_colours(png: Path) -> int:
    """How many colours a figure uses (a blank or failed plot has one or two)."""
    from PIL import Image

    return len(Image.open(png).convert("RGB").getcolors(maxcolors=1 << 20) or ())


def test_figures_write_png_and_json_and_repeat_exactly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each theory figure draws a real plot and writes its numbers; a second call (SGD from the store, ODE
    recomputed) gives identical numbers; the numbers agree with the stored runs they come from."""
    from rflab.metrics.receptive_fields import ipr

    store = Store(tmp_path / "store")
    tiny_scales(monkeypatch)
    for name in ("fig3-theory", "claim32", "phase-diagram"):
        first = render(get_figure(name), "quick", tmp_path / "a", store)
        again = render(get_figure(name), "quick", tmp_path / "b", store)  # SGD from the store, the ODE recomputed
        assert [p.suffix for p in first] == [".png", ".json"]
        assert distinct_colours(first[0]) > 50, name
        one, two = (json.loads(p[1].read_text()) for p in (first, again))
        one.pop("wall_seconds"), two.pop("wall_seconds")
        assert one == two, name
        assert check(get_figure(name).numbers, one) == [], name
    numbers = json.loads((tmp_path / "a" / "fig3-theory-quick.json").read_text())["models"]["nlgp"]
    runs = load(RunSpec("rf-neuron", "nlgp", TINY_NEURON | {"N": 16}, (0, 1)), store)
    np.testing.assert_allclose(numbers["ipr_sgd"], [ipr(r.arrays()["fields"][-1, 0]) for r in runs], rtol=1e-6)
    assert numbers["replicates"] == 2 and np.asarray(numbers["replicate_peak_site"]).shape == (2, 3)
    for form in ("full", "taylor", "pair"):  # the best shift includes no shift
        assert np.all(np.asarray(numbers[f"aligned_cos_{form}"]) >= np.asarray(numbers[f"final_cos_{form}"]) - 1e-9)
    claim = json.loads((tmp_path / "a" / "claim32-quick.json").read_text())
    points = claim["points"]
    assert [p["label"] for p in points] == ["g=0.1", "g=100", "k=5"] and all(p["seeds"] == 2 for p in points)
    assert points[1]["excess_kurtosis"] < -1.9 and points[2]["excess_kurtosis"] == pytest.approx(1.2853, abs=1e-4)
    assert points[1]["excess_kurtosis_estimated"] == pytest.approx(-2.0, abs=0.02)  # sign-like: kurtosis 1
    assert abs(points[0]["excess_kurtosis_estimated"]) < 0.15  # nearly Gaussian, within sampling error
    kur = load(RunSpec("rf-neuron", None, points[2]["config"], (0, 1)), store)
    ours = np.array([ipr(r.arrays()["fields"][-1, 0]) for r in kur])
    np.testing.assert_allclose(points[2]["ipr_sgd"], ours, rtol=1e-6)
    assert points[2]["localized_share"] == np.mean(ours >= 4 / 40)
    phase = json.loads((tmp_path / "a" / "phase-diagram-quick.json").read_text())["families"]
    assert np.asarray(phase["kur"]["ipr"]).shape == (2, 2) and len(phase["kur"]["spots"]) == 1
    assert phase["kur"]["params"][0] == pytest.approx(5.0, abs=1e-3)  # Kur(5): excess kurtosis 1.285307
    np.testing.assert_allclose(phase["kur"]["excess_kurtosis"], [1.285307, -1.0], atol=1e-5)
