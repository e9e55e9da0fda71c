"""Every setting is checked against its real domain before anything runs: finite numbers, 32-bit
sizes, sizes the run's measurements and figures can use, and seeds a PRNG key can hold."""

from __future__ import annotations

import pytest

from rflab.config import ConfigError
from rflab.experiments import get_experiment
from rflab.experiments.base import SEED_MAX, parse_seeds
from rflab.models import population as pop


@pytest.mark.parametrize(
    ("name", "preset", "overrides", "says"),
    [
        ("dipole-3d", None, {"lr": "inf"}, "lr=inf: input should be a finite number"),
        ("dipole-3d", None, {"sigma": "nan"}, "sigma=nan: input should be a finite number"),
        ("dipole-3d", None, {"lr": "1e400"}, "lr=1e400: input should be a finite number"),
        ("rf-neuron", None, {"lr": "-inf"}, "lr=-inf:"),
        ("rf-neuron", None, {"xi": "1,inf"}, "xi[1]=inf: input should be a finite number"),
        ("rf-neuron", None, {"g": "nan"}, "g=nan:"),
        ("rf-ica", None, {"tol": "inf"}, "tol=inf:"),
        ("dipole-3d", None, {"sigma": "1e300"}, "sigma=1e300: must be 0 or between 1.2e-38 and 3.4e+38"),
        ("dipole-3d", "mdl", {"recon_var": "1e-320"}, "recon_var=1e-320: must be 0 or between"),
        ("rf-neuron", None, {"xi": "1e-300,1"}, "xi=1e-300,1: must be 0 or between"),
        ("dipole-3d", None, {"epochs": str(2**31)}, "epochs=2147483648: must be at most 2147483647"),
        ("rf-neuron", None, {"N": str(2**40)}, "N=1099511627776: must be at most"),
        ("dipole-3d", "hinton-problems", {"n_train": "5"}, "n_train=5: must be at least knn_k=10"),
        ("dipole-3d", "hinton-problems", {"n_train": "7", "knn_k": "3"},
         "n_train=7: must be at least 8 (the examples figure"),
        ("dipole-3d", "hinton-problems", {"n_test": "5"}, "n_test=5: must be at least 8 (the reconstructions figure"),
        ("dipole-3d", None, {"n_train": "10"}, "n_train=10: encoder_init=isomap needs more than 10"),
        ("dipole-3d", "hinton-problems", {"n_units": "7"},
         "n_units=7: mu_init=grid needs n_units to factor into dim=3"),
        ("dipole-2d", None, {"n_units": "1", "dim": "1"}, "n_units=1: mu_init=grid"),
        ("bars-what-where", None, {"n_train": "19"}, "n_train=19: must be at least 2 x knn_k = 20"),
        ("bars-what-where", None, {"knn_k": "30", "n_train": "50"}, "n_train=50: must be at least 2 x knn_k = 60"),
    ],
)
def test_a_value_outside_its_domain_is_one_line_naming_it(name: str, preset: str | None, overrides: dict,
                                                         says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        get_experiment(name).configure(preset, overrides)
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "preset", "overrides"),
    [
        ("dipole-3d", "hinton-problems", {"n_train": "10"}),
        ("dipole-3d", None, {"n_train": "11"}),
        ("dipole-3d", "hinton-problems", {"n_units": "7", "mu_init": "uniform"}),
        ("dipole-3d", "dense", {"n_units": "7", "encoder_init": "random"}),
        ("bars-what-where", None, {"n_train": "20"}),
        ("rf-neuron", None, {"lr": "1e30"}),
    ],
)
def test_values_at_the_edge_of_their_domain_pass(name: str, preset: str | None, overrides: dict) -> None:
    get_experiment(name).configure(preset, overrides)


@pytest.mark.parametrize(("n", "dim"), [(n, d) for n in range(1, 130) for d in (1, 2, 3, 4)])
def test_grid_exists_exactly_when_balanced_factors_finds_one(n: int, dim: int) -> None:
    try:
        pop.balanced_factors(n, dim)
    except ValueError:
        assert not pop.grid_exists(n, dim)
    else:
        assert pop.grid_exists(n, dim)


def test_seeds_are_a_lazy_range_up_to_32_bits() -> None:
    assert parse_seeds(None, None) == range(1)
    assert parse_seeds("7", None) == range(7, 8)
    assert parse_seeds(None, f"0-{SEED_MAX}") == range(SEED_MAX + 1)


@pytest.mark.parametrize(("seed", "seeds", "says"), [
    (str(SEED_MAX + 1), None, "--seed '4294967296'"),
    ("\u00b2", None, "--seed '\u00b2'"),
    ("-1", None, "--seed '-1'"),
    ("0\x1f", None, "--seed '0\\\\x1f'"),
    (None, "0-1\x1c", "--seeds '0-1\\\\x1c'"),
    (None, f"0-{SEED_MAX + 1}", "--seeds '0-4294967296'"),
    (None, "1e3-2e3", "--seeds '1e3-2e3'"),
])
def test_bad_seeds_are_one_line_errors(seed: str | None, seeds: str | None, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        parse_seeds(seed, seeds)
