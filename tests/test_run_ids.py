"""Run ids and stored numbers must not move: a stored run is found again only under the same id.

The ids below were computed with the code as it was before configs gained up-front domain checks
(commit c60009f of this repository), so any change to a config's fields, defaults or dump shows up here.
"""

from __future__ import annotations

import pytest

from rflab.experiments import get_experiment
from rflab.results.store import run_id

PINNED = [
    ("dipole-3d", None, {}, 0, "5747ce5878d584ff"),
    ("dipole-2d", None, {}, 0, "f268ded854a6abd9"),
    ("bars-what-where", None, {}, 0, "759c1bdb7009c926"),
    ("rf-neuron", None, {}, 0, "b683f78ad676c9e2"),
    ("rf-committee", None, {}, 0, "2124820b09406c41"),
    ("rf-ica", None, {}, 0, "700b82b37a03fbef"),
    ("dipole-3d", "hinton-problems", {"epochs": 3}, 1, "b08443ccb91de86a"),
    ("rf-neuron", "nlgp", {"steps": 10, "lr": "0.1"}, 2, "0f43d5eb07b113fe"),
]


@pytest.mark.parametrize(("name", "preset", "overrides", "seed", "expected"), PINNED)
def test_run_id_of_a_fixed_config_is_unchanged(name: str, preset: str | None, overrides: dict, seed: int,
                                               expected: str) -> None:
    experiment = get_experiment(name)
    config = experiment.configure(preset, overrides).model_dump()
    assert run_id(experiment.name, config, seed) == expected
