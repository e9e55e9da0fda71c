"""Validated configs: pydantic models, ``key=value`` overrides, one-line errors.

Every experiment and data model declares its settings as a pydantic model with constraints
(``gt=0``, ``Literal[...]``) and ``extra="forbid"``; every number must be finite, every integer fit
in 32 bits (what JAX indexes arrays with) and every float lie in float32's normal range (what JAX
computes in). ``build`` merges defaults, a preset and the user's ``--set`` overrides and turns any
validation failure into a ``ConfigError`` whose message is one line naming the field and what it
allows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

M = TypeVar("M", bound=BaseModel)
INT_MAX = 2**31 - 1  # JAX indexes arrays with 32-bit integers
FLOAT_TINY, FLOAT_MAX = 1.1754944e-38, 3.4028235e38  # float32's smallest normal and largest finite values


class ConfigError(ValueError):
    """A bad setting; the message is one line naming the field and what is allowed."""


class Config(BaseModel):
    """Base of every config: frozen, unknown keys rejected, numbers finite, integers within 32 bits."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*")
    @classmethod
    def _fits_in_32_bits(cls, value: Any) -> Any:
        """An integer past INT_MAX cannot size or index a JAX array, and a float outside float32's normal
        range is 0 or inf once JAX computes with it: refuse them here, not in XLA or after training."""
        for v in value if isinstance(value, tuple) else (value,):
            if isinstance(v, int) and not isinstance(v, bool) and abs(v) > INT_MAX:
                raise ValueError(f"must be at most {INT_MAX} in size (sizes and counts are 32-bit integers)")
            if isinstance(v, float) and v != 0 and not FLOAT_TINY <= abs(v) <= FLOAT_MAX:
                raise ValueError(f"must be 0 or between {FLOAT_TINY:.2g} and {FLOAT_MAX:.2g} in size (JAX computes "
                                 "in float32)")
        return value


def added(default: Any, **field: Any) -> Any:
    """A setting added to a config after runs of it were stored: while it has its default it is left
    out of the dumped config, and so of the run id, and the runs stored before it keep their ids
    (``tests/test_run_ids.py`` pins the keys that enter every experiment's ids)."""
    return Field(default, exclude_if=lambda value: value == default, **field)


def parse_overrides(items: Iterable[str]) -> dict[str, Any]:
    """Turn ``["lr=0.1", "optimizer=adam"]`` into a dict; values stay strings for pydantic."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set {item!r}: expected key=value")
        out[key.strip()] = value.strip()
    return out


def build(model: type[M], *layers: Mapping[str, Any]) -> M:
    """Validate the union of ``layers`` (later ones win) against ``model``, or raise ConfigError."""
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update(layer)
    try:
        return model.model_validate(merged)
    except ValidationError as err:
        raise ConfigError(describe_error(model, err)) from None


def describe_error(model: type[BaseModel], err: ValidationError) -> str:
    """One line for the first validation error: the field, what it got, what it allows (an error
    about the config as a whole already names its fields)."""
    first = err.errors()[0]
    loc = first["loc"]
    if not loc:
        return first["msg"].removeprefix("Value error, ")
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or model.__name__
    if first["type"] == "extra_forbidden":
        allowed = ", ".join(sorted(model.model_fields))
        return f"unknown key {field!r}; allowed keys: {allowed}"
    got = first.get("input")
    shown = got if isinstance(got, str) and got.isprintable() else repr(got)  # a newline must not split the line
    message = first["msg"].removeprefix("Value error, ")
    return f"{field}={shown}: {message[:1].lower()}{message[1:]}"


def digest(payload: Mapping[str, Any]) -> str:
    """A stable short hash of a JSON-able mapping (keys sorted)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
