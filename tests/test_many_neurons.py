"""The many-neurons figure: every learner at every point on the same data, and its numbers in the schema
the report reads them through (a tiny version: 12 sites, batches of 20, 20 steps)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from rflab.figures import Scale, get_figure, render
from rflab.figures.many_neurons import LEARNERS, ManyNumbers, Sweep, scale
from rflab.results.store import Store
from rflab.schema import check


def test_each_learner_sees_each_point_on_the_same_data_and_the_numbers_fit_their_schema(tmp_path: Path) -> None:
    declared = scale(Sweep(("g=100", "k=5"), 20), (0,), "tiny")
    data_keys = ("data", "g", "k", "N", "xi", "batch_size", "steps")
    for label in ("g=100", "k=5"):
        configs = [declared.runs[f"{name}/{label}"].config() for name in LEARNERS]
        assert len({tuple(getattr(c, key) for key in data_keys) for c in configs}) == 1
    two_layer = declared.runs["two-layer/k=5"].config()
    assert (two_layer.mlp, two_layer.train_readout, two_layer.bias) == (True, True, True)  # the authors' MLP, cell 13
    small = {"N": 12, "batch_size": 20}
    tiny = {key: replace(spec, overrides={**spec.overrides, **small}) for key, spec in declared.runs.items()}
    files = render(get_figure("many-neurons"), "quick", tmp_path / "figures", Store(tmp_path / "s"),
                   declared=Scale(tiny, "tiny", declared.settings))
    numbers = json.loads(next(f for f in files if f.suffix == ".json").read_text())
    assert check(ManyNumbers, numbers) == [] and set(numbers["learners"]) == set(LEARNERS)
    assert [p["label"] for p in numbers["learners"]["committee"]] == ["g=100", "k=5"]
    assert numbers["learners"]["neuron"][1]["excess_kurtosis"] > 1  # Kur(5): 4.285 - 3
