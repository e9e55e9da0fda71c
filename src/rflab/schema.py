"""Typed views of stored JSON: a run's metrics, a figure's numbers, the direct checks.

A ``Schema`` subclass declares the keys of a JSON object as annotated attributes; a view reads the
key of an attribute's name when it is asked for and converts it to the annotated type (a nested
schema, a list or dict of them). The stored data stay plain JSON, so nothing is lost or renamed on
the way, and a key that data made by an older rflab lacks raises ``Missing`` naming what remakes it
(the report turns that into *not run*). ``check`` tells whether data fit a schema, for the tests.
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Union, get_args, get_origin, get_type_hints


class Missing(LookupError):
    """Data a reader needs are not there; the message says what produces them."""


class Numbers(dict):
    """A JSON object keyed by data (latent names, data models, sweep points): a key it lacks raises Missing."""

    def __init__(self, items: Mapping[str, Any], remake: str) -> None:
        super().__init__(items)
        self.remake = remake

    def __missing__(self, key: str) -> Any:
        raise Missing(f"{self.remake}: it has no '{key}' (made by an older rflab)")


class Schema:
    """A typed view of a JSON object: each annotated attribute reads the key of its name."""

    def __init__(self, data: Mapping[str, Any], remake: str = "remake it with this rflab") -> None:
        self._data = data
        self._remake = remake

    def __getattr__(self, name: str) -> Any:
        hints = fields(type(self))
        if name.startswith("_") or name not in hints:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}")
        if name not in self._data:
            raise Missing(f"{self._remake}: it has no '{name}' (made by an older rflab)")
        return view(hints[name], self._data[name], self._remake)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self._data)!r})"

    def to_dict(self) -> dict[str, Any]:
        """The JSON object behind the view, as stored."""
        return dict(self._data)


@cache
def fields(schema: type[Schema]) -> dict[str, Any]:
    """The declared keys of a schema and their types."""
    return {k: v for k, v in get_type_hints(schema).items() if not k.startswith("_")}


def view(kind: Any, value: Any, remake: str) -> Any:
    """``value`` (parsed JSON) as the annotated type ``kind``: schemas as views, lists and dicts of
    them converted entry by entry, any other object as Numbers (a missing key raises Missing)."""
    origin = get_origin(kind)
    if isinstance(kind, type) and issubclass(kind, Schema) and isinstance(value, Mapping):
        return kind(value, remake)
    if origin in (Union, types.UnionType):
        schemas = [a for a in get_args(kind) if isinstance(a, type) and issubclass(a, Schema)]
        return view(schemas[0], value, remake) if schemas and isinstance(value, Mapping) else plain(value, remake)
    if origin in (list, tuple, Sequence) and isinstance(value, list) and get_args(kind):
        return [view(get_args(kind)[0], v, remake) for v in value]
    if origin in (dict, Mapping) and isinstance(value, Mapping) and get_args(kind):
        return Numbers({k: view(get_args(kind)[1], v, remake) for k, v in value.items()}, remake)
    return plain(value, remake)


def plain(value: Any, remake: str) -> Any:
    """Nested JSON objects as Numbers (a missing key raises Missing with ``remake``)."""
    if isinstance(value, Mapping):
        return Numbers({k: plain(v, remake) for k, v in value.items()}, remake)
    if isinstance(value, list):
        return [plain(v, remake) for v in value]
    return value


def check(kind: Any, value: Any, where: str = "") -> list[str]:
    """Why ``value`` does not fit the annotated type ``kind`` (empty when it does): every key of an
    object must be declared by its schema, and nested schemas fit in turn. A declared key may be
    absent (a metric some configs do not give)."""
    origin = get_origin(kind)
    if isinstance(kind, type) and issubclass(kind, Schema):
        if not isinstance(value, Mapping):
            return [f"{where or kind.__name__}: expected an object for {kind.__name__}"]
        declared = fields(kind)
        problems = [f"{where}.{k}: not declared by {kind.__name__}".lstrip(".") for k in value if k not in declared]
        for k, v in value.items():
            if k in declared:
                problems += check(declared[k], v, f"{where}.{k}".lstrip("."))
        return problems
    if origin in (Union, types.UnionType):
        options = [check(a, value, where) for a in get_args(kind)]
        return [] if any(not o for o in options) else options[0]
    if origin in (list, tuple, Sequence) and get_args(kind):
        if not isinstance(value, list):
            return [f"{where}: expected a list"]
        return [p for i, v in enumerate(value) for p in check(get_args(kind)[0], v, f"{where}[{i}]")]
    if origin in (dict, Mapping) and get_args(kind):
        if not isinstance(value, Mapping):
            return [f"{where}: expected an object"]
        return [p for k, v in value.items() for p in check(get_args(kind)[1], v, f"{where}[{k}]")]
    if kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif isinstance(kind, type) and kind is not Any:
        ok = isinstance(value, kind) or (kind is type(None) and value is None)
    else:
        ok = True
    return [] if ok else [f"{where}: expected {getattr(kind, '__name__', kind)}, got {type(value).__name__}"]
