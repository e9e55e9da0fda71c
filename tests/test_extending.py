"""The worked examples of docs/extending.md run as written: the experiment module, registered, trains,
stores and answers through the API; the figure module, registered, declares its runs and is made from
them into the store."""

from __future__ import annotations

import json
import re
import sys
import types
from pathlib import Path

import pytest

import rflab
from rflab import experiments, figures

PAGE = Path(__file__).resolve().parents[1] / "docs" / "extending.md"


def module(name: str, first_line: str, monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """The page's Python block that starts with ``first_line``, imported as module ``name``."""
    (code,) = [b for b in re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S) if b.startswith(first_line)]
    made = types.ModuleType(name)
    monkeypatch.setitem(sys.modules, name, made)  # dataclasses and pickling look modules up by name
    exec(compile(code, f"{PAGE.name}:{name}", "exec"), made.__dict__)
    return made


def test_the_worked_experiment_and_figure_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    linear = module("rflab.experiments.linear", '"""``rf-linear``', monkeypatch)
    monkeypatch.setitem(experiments.EXPERIMENTS, "rf-linear", linear.RF_LINEAR)
    gain = module("rflab.figures.linear_gain", '"""``linear-gain``', monkeypatch)
    (figure,) = gain.FIGURES
    monkeypatch.setitem(figures.FIGURES, figure.name, figure)
    monkeypatch.setitem(figure.scales, "tiny", gain.scale(30, range(2)))
    store = rflab.Store(tmp_path / "store")

    result = rflab.run("rf-linear", seeds=range(2), preset="low-gain", store=store, steps=30, batch_size=64)
    assert result.config.g == 0.1 and result.computed == [0, 1]
    assert 1 / 40 <= result.metrics[1].ipr <= 1 and result.xarray("w").dims == ("seed", "site")

    png, numbers = rflab.figure("linear-gain", "tiny", store=store)
    assert png.name == "linear-gain-tiny.png" and numbers.name == "linear-gain-tiny.json"
    assert len(rflab.runs(experiment="rf-linear", store=store)) == 2 + 3 * 2
    ipr = figure.numbers(json.loads(numbers.read_text())).ipr
    assert len(ipr) == 3 and all(len(seeds) == 2 for seeds in ipr)
