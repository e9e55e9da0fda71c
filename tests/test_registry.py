"""``rflab.data.register``: a data model of one's own becomes a name every experiment takes, with its
clone; bad names and settings are one-line ConfigErrors; the ids of every other run stay as they were."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import jax.numpy as jnp
import numpy as np
import pytest
from pydantic import Field

from rflab.config import ConfigError
from rflab.data import Gaussian, registry
from rflab.data.marginals import GaussianTransform, KurMarginal, NLGPMarginal
from rflab.data.registry import GaussianParams
from rflab.experiments import get_experiment
from rflab.results.cache import run_id


@dataclass(frozen=True)
class Cubic(GaussianTransform):
    """X = Z^3 / sqrt(15): E Z^6 = 15, E Z^12 = 10395, kurtosis 10395 / 225."""

    def transform(self, z):
        return np.asarray(z, dtype=np.float64) ** 3 / np.sqrt(15.0)


@dataclass(frozen=True)
class CubicField(Gaussian):
    scale: float = 1.0
    name: ClassVar[str] = "cubic"

    def draw(self, key, n, c):
        return self.latent(key, n, c) ** 3 / jnp.sqrt(15.0)

    def kernel(self, c):
        return self.marginal.copula_correlation(super().kernel(c))

    @cached_property
    def marginal(self):
        return Cubic()


class CubicParams(GaussianParams):
    scale: float = Field(1.0, gt=0, description="unused; a setting no other model has")


@pytest.fixture
def models(monkeypatch: pytest.MonkeyPatch) -> dict:
    """The registry as it is, restored after the test."""
    monkeypatch.setattr(registry, "MODELS", dict(registry.MODELS))
    return registry.MODELS


def register() -> None:
    registry.register("cubic", CubicParams, lambda p: CubicField(p.lattice(), p.xi, p.scale), "z^3 of a field")


def test_a_registered_model_and_its_clone_are_names_every_experiment_takes(models: dict) -> None:
    neuron = get_experiment("rf-neuron")
    before = {name: neuron.configure(None, {"data": name}).model_dump() for name in ("nlgp", "kur", "ising")}
    register()
    assert {"cubic", "cubic-clone"} <= set(models)
    cfg = neuron.configure(None, {"data": "cubic", "scale": "2"})
    assert cfg.scale == 2.0 and cfg.model_dump()["scale"] == 2.0 and cfg.given()["scale"] == 2.0
    assert registry.create("cubic").kurtosis == pytest.approx(10395 / 225, rel=1e-9)
    assert registry.create("cubic-clone").kurtosis == pytest.approx(3.0)
    for name, dump in before.items():  # nothing of other models' configs, so no id, changes
        assert neuron.configure(None, {"data": name}).model_dump() == dump
    assert run_id("rf-neuron", before["nlgp"], 0) == "b683f78ad676c9e2"


@pytest.mark.parametrize(("overrides", "says"), [
    ({"data": "cubic", "shape": 1}, "unknown key 'shape'; allowed keys: J, N, batch_size, data"),
    ({"data": "nlgp", "scale": 2}, "unknown key 'scale'; allowed keys: N, dims, g, xi"),
    ({"data": "cubic", "scale": -1}, "scale=-1: input should be greater than 0"),
])
def test_a_registered_models_settings_are_checked_in_one_line(overrides: dict, says: str, models: dict) -> None:
    register()
    with pytest.raises(ConfigError) as error:
        get_experiment("rf-neuron").configure(None, overrides)
    assert str(error.value).startswith(says) and "\n" not in str(error.value)


@pytest.mark.parametrize(("name", "says"), [
    ("nlgp", "data model 'nlgp' is one of rflab's own"),
    ("ising", "data model 'ising' is one of rflab's own"),
    ("my-clone", "not ending in -clone"),
    ("Bad Name", "lower-case letters"),
])
def test_a_name_taken_or_malformed_is_refused(name: str, says: str, models: dict) -> None:
    with pytest.raises(ConfigError, match=says):
        registry.register(name, CubicParams, lambda p: CubicField(p.lattice(), p.xi), "x")
    assert set(models) == set(registry.MODELS)


def test_registering_a_name_again_replaces_the_model_and_its_clone(models: dict) -> None:
    register()
    first = models["cubic"]
    register()  # a notebook cell run twice, a module imported by a Dask worker's preload and again
    assert models["cubic"] is not first and models["cubic-clone"].params is CubicParams


def test_a_model_parameter_that_a_setting_would_shadow_is_refused(models: dict) -> None:
    class Shadowing(GaussianParams):
        lr: float = 1.0

    registry.register("shadow", Shadowing, lambda p: CubicField(p.lattice(), p.xi), "x")
    with pytest.raises(ConfigError, match="a registered data model takes 'lr', a setting of NeuronConfig"):
        get_experiment("rf-neuron").configure(None, {"data": "nlgp"})


@pytest.mark.parametrize("marginal", [KurMarginal(5.0), NLGPMarginal(3.0)], ids=["kur", "nlgp"])
def test_the_generic_density_of_a_gaussian_transform_is_the_closed_form(marginal: GaussianTransform) -> None:
    x = np.linspace(-3, 3, 61) / (1 if isinstance(marginal, KurMarginal) else 1.5)
    np.testing.assert_allclose(GaussianTransform.density(marginal, x), marginal.density(x), rtol=1e-6)
