"""Figures 1, 3, 4 and 5 at a tiny scale: every code path from training through the store to the PNG."""

from __future__ import annotations

from pathlib import Path

import pytest

from rflab.config import ConfigError
from rflab.experiments import fig1, fig3, fig4, fig5

TINY = {"steps": 20, "batch_size": 200, "snapshots": 2}


@pytest.fixture(autouse=True)
def _store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RFLAB_STORE", str(tmp_path / "store"))


def test_fig3_tiny_trains_through_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(fig3.SCALES, "tiny", (TINY, range(2), "tiny"))
    (path,) = fig3.make(tmp_path / "figs", "tiny")
    assert path.name == "fig3-tiny.png" and path.stat().st_size > 10_000
    assert len(list((tmp_path / "store" / "runs").iterdir())) == 3 * 2
    fig3.make(tmp_path / "figs", "tiny")  # the runs are stored: nothing is trained again
    assert len(list((tmp_path / "store" / "runs").iterdir())) == 3 * 2


@pytest.mark.slow
def test_fig4_fig5_fig1_tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(fig4.SCALES, "tiny", (250, range(1), "tiny"))
    assert fig4.make(tmp_path / "figs", "tiny")[0].stat().st_size > 10_000
    monkeypatch.setitem(fig5.SCALES, "tiny", (TINY | {"N": 24, "lr": 1.0}, {"samples": 2000, "N": 16, "components": 8},
                                              range(1), "tiny"))
    assert fig5.make(tmp_path / "figs", "tiny")[0].exists()
    monkeypatch.setitem(fig1.SCALES, "tiny", (TINY | {"N": 8, "units": 4}, {"samples": 2000, "N": 6,
                                                                            "components": 6}, "tiny"))
    assert fig1.make(tmp_path / "figs", "tiny")[0].exists()


def test_unknown_scale_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="scale='huge'"):
        fig3.make(tmp_path, "huge")
