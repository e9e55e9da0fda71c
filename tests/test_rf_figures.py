"""Figures 1, 3, 4 and 5 at a tiny scale: every code path from training through the store to the PNG, and
what each figure draws against the runs the store holds."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from rflab.config import ConfigError
from rflab.figures import Scale, get_figure, render
from rflab.figures import lufkin_fig1 as fig1
from rflab.figures import lufkin_fig3 as fig3
from rflab.figures import lufkin_fig4 as fig4
from rflab.figures import lufkin_fig5 as fig5
from rflab.metrics import receptive_fields as rf
from rflab.results.store import Store, StoredRun

TINY = {"steps": 20, "batch_size": 200, "snapshots": 2}


def make(tmp_path: Path, name: str, scale: str) -> list[Path]:
    """Figure ``name`` at ``scale`` into tmp_path/figs, its runs in tmp_path/store."""
    return render(get_figure(name), scale, tmp_path / "figs", Store(tmp_path / "store"))


def spy(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[Any]:
    """Replace ``module.name`` (a plotting function) by a wrapper that records its first argument."""
    seen: list[Any] = []
    real: Callable[..., Path] = getattr(module, name)

    def record(first: Any, *args: Any, **kwargs: Any) -> Path:
        seen.append(first)
        return real(first, *args, **kwargs)

    monkeypatch.setattr(module, name, record)
    return seen


def stored(tmp_path: Path, experiment: str, **config: Any) -> list[StoredRun]:
    """The stored runs of ``experiment`` whose config has these values, by seed."""
    runs = [r for r in Store(tmp_path / "store").runs(experiment)
            if all(r.config.get(k) == v for k, v in config.items())]
    return sorted(runs, key=lambda r: r.seed)


def assert_drawn(path: Path, size: tuple[int, int]) -> None:
    """The PNG has the figure's size in pixels and is not one flat colour (axes, lines and text drawn)."""
    with Image.open(path) as image:
        assert image.size == size, (path.name, image.size)
        pixels = np.asarray(image.convert("L"), np.float64)
    assert pixels.std() > 10 and np.mean(pixels < 128) > 0.01, path.name


def test_fig3_tiny_trains_through_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each row draws its data model's stored runs (Ising at its own batch 500) and their IPR curves."""
    monkeypatch.setitem(get_figure("fig3").scales, "tiny", fig3.scale(TINY, range(2), "tiny"))
    drawn = spy(monkeypatch, fig3, "figure3")
    (path,) = make(tmp_path, "fig3", "tiny")
    assert path.name == "fig3-tiny.png" and path.stat().st_size > 10_000
    assert_drawn(path, (1500, 1130))  # figsize (15, 3.6 * 3 + 0.5) at 100 dpi
    assert len(list((tmp_path / "store" / "runs").iterdir())) == 3 * 2
    rows = drawn[0]
    for row, (data, batch) in zip(rows, (("ising", 500), ("gaussian", 200), ("kur", 200)), strict=True):
        runs = stored(tmp_path, "rf-neuron", data=data, steps=20)
        assert [r.seed for r in runs] == [0, 1] and {r.config["batch_size"] for r in runs} == {batch}
        fields = np.stack([r.arrays()["fields"][:, 0] for r in runs], axis=1)
        np.testing.assert_array_equal(row["fields"], fields)
        np.testing.assert_allclose(row["fields_ipr"], rf.ipr(fields), rtol=1e-6)
        assert row["units"][0]["ipr"] == pytest.approx(float(rf.ipr(runs[0].arrays()["param_w"][0])), rel=1e-6)
    make(tmp_path, "fig3", "tiny")  # the runs are stored: nothing is trained again
    assert len(list((tmp_path / "store" / "runs").iterdir())) == 3 * 2


def title_numbers(title: str) -> tuple[float, float, float]:
    """IPR x N mean, its spread and R^2 from a Fig. 4 panel title."""
    found = re.search(r"IPR x N (\S+) \+- (\S+), R\$\^2\$ (\S+)\n", title)
    assert found, title
    return float(found[1]), float(found[2]), float(found[3])


@pytest.mark.slow
def test_fig4_tiny_panels_state_the_stored_fields_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each panel's IPR x N and R^2 are those of its stored fields, measured here again."""
    monkeypatch.setitem(get_figure("fig4").scales, "tiny", Scale(fig4.elliptical_runs(250, range(2)), "tiny"))
    drawn = spy(monkeypatch, fig4, "figure_fields")
    (path,) = make(tmp_path, "fig4", "tiny")
    assert_drawn(path, (1320, 380))  # figsize (4.4 * 3, 3.3 + 0.5) at 100 dpi
    for panel, query in zip(drawn[0], ({"radial": "custom"}, {"radial": "shell"}, {"radial": "t", "nu": 3.0}),
                            strict=True):
        runs = stored(tmp_path, "rf-neuron", data="elliptical", **query)
        assert [r.seed for r in runs] == [0, 1]
        w = [r.arrays()["param_w"][0] for r in runs]
        ipr = np.array([rf.ipr(v) for v in w]) * 40
        r2 = np.mean([rf.fit_sinusoid(v, (40,))["r2"] for v in w])
        np.testing.assert_allclose(title_numbers(panel["title"]), [ipr.mean(), ipr.std(ddof=1), r2], atol=0.0051)
        np.testing.assert_array_equal(panel["fields"], runs[0].arrays()["fields"][:, 0])


def summary_numbers(summary: str) -> tuple[float, list[int], int]:
    """IPR x N mean, verdict counts (localized, oscillatory, unstructured) and units from a Fig. 5 summary."""
    found = re.search(r"IPR x N (\S+) \+- \S+\n(\d+) loc, (\d+) osc, (\d+) uns of (\d+) units", summary)
    assert found, summary
    return float(found[1]), [int(found[i]) for i in (2, 3, 4)], int(found[5])


@pytest.mark.slow
def test_fig5_tiny_summaries_count_the_stored_verdicts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each panel's IPR x N and verdict counts are those of all its stored seeds' final fields, re-measured."""
    monkeypatch.setitem(get_figure("fig5").scales, "tiny", fig5.scale(
        TINY | {"N": 24, "lr": 1.0}, {"samples": 2000, "N": 16, "components": 8}, range(2), "tiny"))
    drawn = spy(monkeypatch, fig5, "figure5")
    (path,) = make(tmp_path, "fig5", "tiny")
    assert_drawn(path, (1840, 520))  # figsize (4.6 * 4, 5.2) at 100 dpi
    queries = (("rf-committee", {"k": 10.0}), ("rf-committee", {"k": 30.0}), ("rf-committee", {"k": 4.0}),
               ("rf-ica", {"k": 3.0}))
    for panel, (experiment, query) in zip(drawn[0], queries, strict=True):
        runs = stored(tmp_path, experiment, **query)
        assert [r.seed for r in runs] == [0, 1]
        fields = [r.arrays()["fields"][-1] for r in runs]
        n = fields[0].shape[1]
        verdicts = [u["verdict"] for f in fields for u in rf.measure_units(f, (n,))]
        ipr, counts, units = summary_numbers(panel["summary"])
        assert units == len(verdicts) == 2 * len(fields[0])
        assert counts == [verdicts.count(v) for v in rf.VERDICTS]
        assert ipr == pytest.approx(np.mean(np.concatenate([rf.ipr(f) for f in fields])) * n, abs=0.051)
        np.testing.assert_array_equal(panel["fields"], fields[0])


@pytest.mark.slow
def test_fig1_tiny_shows_the_committee_and_the_sharpest_ica_filters(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The committee's units in stored order; the ICA filters from the highest IPR down."""
    monkeypatch.setitem(get_figure("fig1").scales, "tiny", fig1.scale(
        TINY | {"N": 8, "units": 4}, {"samples": 2000, "N": 6, "components": 6}, "tiny"))
    drawn = spy(monkeypatch, fig1, "figure1")
    (path,) = make(tmp_path, "fig1", "tiny")
    assert_drawn(path, (2300, 590))  # figsize (2.3 * 5 * 2, 2.5 * 2 + 0.9) at 100 dpi: six filters, two rows
    committee, ica = drawn[0]
    (trained,) = stored(tmp_path, "rf-committee", N=8, dims=2)
    np.testing.assert_array_equal(committee["fields"], trained.arrays()["fields"][-1])
    assert committee["shape"] == (8, 8)
    (filters,) = stored(tmp_path, "rf-ica", N=6, dims=2)
    all_filters = filters.arrays()["fields"][-1]
    shown = rf.ipr(ica["fields"])
    assert len(shown) == 6 and np.all(np.diff(shown) <= 0)
    np.testing.assert_allclose(np.sort(shown), np.sort(rf.ipr(all_filters)), rtol=1e-12)
    assert [u["ipr"] for u in ica["units"]] == pytest.approx(list(shown), rel=1e-6)


def test_unknown_scale_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="scale='huge'"):
        make(tmp_path, "fig3", "huge")
