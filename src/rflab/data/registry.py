"""Registry of the data models: name -> validated parameters -> model object.

Names: ``gaussian``, ``nlgp``, ``kur``, ``elliptical``, ``ising`` and the Gaussian clone of each
non-Gaussian one, ``nlgp-clone``, ``kur-clone``, ``elliptical-clone``, ``ising-clone``: a clone
takes exactly the parameters of its original, so ``rflab data describe kur-clone --set k=5`` is
the control for ``rflab data describe kur --set k=5`` and swapping one for the other in a sweep
changes nothing else. Pairs are written ``--set xi=1,3`` (class 0, class 1).

``create(name, overrides)`` validates (raising a one-line ``ConfigError``) and builds the model;
``keys()`` names every parameter any model takes (experiments that choose a data model take these);
``register`` adds a model of one's own, and its clone, at run time (docs/tutorials/own-data-model.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator

from rflab.config import Config, ConfigError, build
from rflab.data.fields import NLGP, DataModel, Elliptical, Gaussian, GaussianClone, Kur, Lattice, clone
from rflab.data.ising import Ising


def split_pair(value: Any) -> Any:
    """Accept "1,3", "(1, 3)" or "[1,3]" from the command line as a pair of values."""
    if isinstance(value, str):
        value = [part.strip() for part in value.strip("()[] ").split(",")]
    if isinstance(value, (list, tuple)) and len(value) != 2:
        raise ValueError("expected two comma-separated values: class 0, class 1 (e.g. 1,3)")
    return value


Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Coupling = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
PositivePair = Annotated[tuple[Positive, Positive], BeforeValidator(split_pair)]
CouplingPair = Annotated[tuple[Coupling, Coupling], BeforeValidator(split_pair)]


class LatticeParams(Config):
    """N sites per side: a ring (dims=1, D = N) or an N x N torus (dims=2, D = N^2)."""

    N: int = Field(40, ge=2, description="sites per side (ring length, or torus side L)")
    dims: int = Field(1, ge=1, le=2, description="1: ring of N sites; 2: N x N torus")

    def lattice(self) -> Lattice:
        return Lattice(self.N, self.dims)


class GaussianParams(LatticeParams):
    """Gaussian field, class c with correlation length xi_c."""

    xi: PositivePair = Field((1.0, 3.0), description="correlation lengths (class 0, class 1)")


class NLGPParams(GaussianParams):
    g: float = Field(3.0, gt=0, le=1e6, allow_inf_nan=False, description="gain of erf(g z)")


class KurParams(GaussianParams):
    k: float = Field(5.0, gt=2, allow_inf_nan=False, description="tail exponent; moments < k exist")


class EllipticalParams(GaussianParams):
    radial: Literal["shell", "custom", "t"] = Field("shell", description="radial law")
    nu: float = Field(3.0, gt=2, allow_inf_nan=False, description="degrees of freedom (radial=t)")


class IsingParams(LatticeParams):
    J: CouplingPair = Field((0.3, 0.7), description="couplings (class 0, class 1), 0 <= J <= 100")

    @field_validator("dims")
    @classmethod
    def ring_only(cls, dims: int) -> int:
        if dims != 1:
            raise ValueError("ising is ring-only (dims=1): no exact sampler exists on a torus")
        return dims


@dataclass(frozen=True)
class Spec:
    """A registered data model: its parameters, its constructor, a one-line summary and the version of
    its sampler's numbers (``DataModel.numerics``)."""

    params: type[Config]
    make: Callable[[Any], DataModel]
    summary: str
    numerics: int = 1


def _gaussian(p: GaussianParams) -> Gaussian:
    return Gaussian(p.lattice(), p.xi)


def _nlgp(p: NLGPParams) -> NLGP:
    return NLGP(p.lattice(), p.xi, p.g)


def _kur(p: KurParams) -> Kur:
    return Kur(p.lattice(), p.xi, p.k)


def _elliptical(p: EllipticalParams) -> Elliptical:
    return Elliptical(p.lattice(), p.xi, p.radial, p.nu)


def _ising(p: IsingParams) -> Ising:
    return Ising(p.lattice(), p.J)


_BASE = {
    "gaussian": Spec(GaussianParams, _gaussian, "Gaussian field, covariance exp(-d^2/xi^2)", Gaussian.numerics),
    "nlgp": Spec(NLGPParams, _nlgp, "erf(g z)/Z(g) of a Gaussian field", NLGP.numerics),
    "kur": Spec(KurParams, _kur, "algebraic-tail marginal Kur(k) through a Gaussian copula", Kur.numerics),
    "elliptical": Spec(EllipticalParams, _elliptical, "elliptical: radial law shell, custom or t(nu)",
                       Elliptical.numerics),
    "ising": Spec(IsingParams, _ising, "Ising ring with couplings J, exact sampler", Ising.numerics),
}


def _cloned(spec: Spec) -> Spec:
    return Spec(spec.params, lambda p: clone(spec.make(p)), f"Gaussian clone of: {spec.summary}",
                GaussianClone.numerics)


MODELS: dict[str, Spec] = _BASE | {f"{n}-clone": _cloned(s) for n, s in _BASE.items() if n != "gaussian"}
BUILT_IN = frozenset(MODELS)


def register(name: str, params: type[Config], make: Callable[[Any], DataModel], summary: str,
             numerics: int = 1) -> None:
    """Add data model ``name`` and its Gaussian clone ``name-clone``; every experiment that chooses a
    data model then takes it by name, and its new settings by theirs. Registering a name again replaces
    the model (a module imported twice, a notebook cell run again).

    Args:
        name: lower-case letters, digits and inner hyphens; not one of rflab's own names.
        params: the pydantic model of its settings (a ``GaussianParams`` subclass, say).
        make: builds the model (a ``DataModel``) from validated settings.
        summary: a one-line description.
        numerics: the version of its sampler's numbers (bump it when they change).

    Raises:
        ConfigError: a malformed name, or one of rflab's own.
    """
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", name) or name.endswith("-clone"):
        raise ConfigError(f"data model name {name!r}: lower-case letters, digits and inner hyphens, not ending "
                          "in -clone (the clone is registered with it)")
    if name in BUILT_IN:
        raise ConfigError(f"data model {name!r} is one of rflab's own; choose another name")
    entry = Spec(params, make, summary, numerics)
    MODELS.update({name: entry, f"{name}-clone": _cloned(entry)})


def names() -> list[str]:
    """Registered model names."""
    return list(MODELS)


def spec(name: str) -> Spec:
    """The registry entry for ``name``, or a one-line ConfigError listing the names."""
    try:
        return MODELS[name]
    except KeyError:
        raise ConfigError(f"unknown data model {name!r}; choose from: {', '.join(MODELS)}") from None


def params(name: str, *layers: Mapping[str, Any]) -> Config:
    """Validated parameters of model ``name`` from override layers (later ones win)."""
    return build(spec(name).params, *layers)


def numerics(name: str) -> int:
    """The version of model ``name``'s sampler (a clone draws a Gaussian field: version 1)."""
    return spec(name).numerics


def create(name: str, *layers: Mapping[str, Any]) -> DataModel:
    """Validate ``layers`` against model ``name`` and build it; errors are one-line ConfigErrors."""
    return spec(name).make(params(name, *layers))


def keys() -> dict[str, str]:
    """Every parameter any registered model takes, with its description, in the registry's order."""
    found: dict[str, str] = {}
    for entry in MODELS.values():
        for key, info in entry.params.model_fields.items():
            found.setdefault(key, info.description or "")
    return found
