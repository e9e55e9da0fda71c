"""The theory figures at a tiny scale: files and numbers written, same config gives the same numbers,
bad scale is a one-line error; the comparison helpers on constructed fields."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rflab.config import ConfigError
from rflab.experiments import get_figure
from rflab.experiments import theory_figures as tf

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


@pytest.mark.parametrize("name", ["fig3-theory", "claim32", "prop33", "phase-diagram"])
def test_bad_scale_is_a_config_error(name: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="scale='huge'"):
        get_figure(name).make(tmp_path, "huge")
    assert not any(tmp_path.iterdir())


def tiny_scales(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tf, "FIG3_ROWS", (("NLGP", "nlgp", "nlgp", {}),))
    monkeypatch.setattr(tf, "FIG3_SCALES", {"quick": (TINY_NEURON | {"N": 16}, range(2), 2, "tiny")})
    monkeypatch.setattr(tf, "NLGP_GAINS", (0.1, 100.0))
    monkeypatch.setattr(tf, "KUR_TAILS", (5.0,))
    monkeypatch.setattr(tf, "CLAIM32_SCALES", {"quick": tf.SweepScale(256, 40, 2, "tiny")})
    monkeypatch.setattr(tf, "PHASE_SCALES", {"quick": tf.PhaseScale((1.285307, -1.0), (1.0, 100.0), (1.5, 3.0), 4.0, 2,
                                                                    (("kur", 5.0, 3.0),), "tiny")})


def test_figures_write_png_and_json_and_repeat_exactly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RFLAB_STORE", str(tmp_path / "store"))
    tiny_scales(monkeypatch)
    for name in ("fig3-theory", "claim32", "phase-diagram"):
        first = get_figure(name).make(tmp_path / "a", "quick")
        again = get_figure(name).make(tmp_path / "b", "quick")  # from the store (SGD) and recomputed (ODE)
        assert [p.suffix for p in first] == [".png", ".json"]
        assert first[0].stat().st_size > 20_000
        one, two = (json.loads(p[1].read_text()) for p in (first, again))
        one.pop("wall_seconds"), two.pop("wall_seconds")
        assert one == two, name
    numbers = json.loads((tmp_path / "a" / "fig3-theory-quick.json").read_text())["models"]["nlgp"]
    assert len(numbers["final_cos_full"]) == 2 and all(-1 <= c <= 1 for c in numbers["final_cos_full"])
    assert numbers["replicates"] == 2 and np.asarray(numbers["replicate_peak_site"]).shape == (2, 3)
    assert all(-1 <= c <= 1 for c in numbers["replicate_cos"] + numbers["replicate_mean_cos_pair"])
    points = json.loads((tmp_path / "a" / "claim32-quick.json").read_text())["points"]
    assert [p["label"] for p in points] == ["g=0.1", "g=100", "k=5"]
    assert points[1]["excess_kurtosis"] < -1.9 and points[2]["excess_kurtosis"] == pytest.approx(1.2853, abs=1e-4)
    phase = json.loads((tmp_path / "a" / "phase-diagram-quick.json").read_text())["families"]
    assert np.asarray(phase["kur"]["ipr"]).shape == (2, 2) and len(phase["kur"]["spots"]) == 1
    assert phase["kur"]["params"][0] == pytest.approx(5.0, abs=1e-3)  # Kur(5): excess kurtosis 1.285307
    np.testing.assert_allclose(phase["kur"]["excess_kurtosis"], [1.285307, -1.0], atol=1e-5)
