"""An experiment's settings as a Markdown table, read from its config model (the docs' config tables
are these, so they cannot drift from the code)."""

from __future__ import annotations

from typing import Any

from rflab.experiments import get_experiment


def _text(value: Any) -> str:
    return "-" if value is None else f"`{value}`"


def _allowed(metadata: list[Any]) -> str:
    """The field's numeric constraints (``gt=0``, ``ge=1``...), as written in its config."""
    names = ("gt", "ge", "lt", "le")
    return ", ".join(f"{n}={getattr(m, n)}" for m in metadata for n in names if getattr(m, n, None) is not None)


def config_table(name: str) -> str:
    """Every setting of experiment ``name``: its default (``-``: the data model's own), the constraints
    its config enforces, what it means, and each preset's value where a preset sets it."""
    experiment = get_experiment(name)
    presets = dict(experiment.presets)
    head = ["setting", "default", "allowed", "meaning", *(f"preset `{p}`" for p in presets)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, field in experiment.config.model_fields.items():
        meaning = (field.description or "").replace("|", "/")
        cells = [f"`{key}`", _text(field.default), _allowed(field.metadata), meaning]
        cells += [_text(p[key]) if key in p else "" for p in presets.values()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
