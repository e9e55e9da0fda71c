"""What the report reads: stored runs (by reproduce step or by configuration), the JSON files the
figures and checks write, the reproduce manifest and the benchmark table. Nothing here trains."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rflab.store import Store, StoredRun, run_id


class Missing(LookupError):
    """Evidence the report needs is not there; the message says what produces it."""


class Numbers(dict):
    """A figure's JSON object: a key it lacks (a file made by an older rflab) raises Missing."""

    def __init__(self, items: Mapping[str, Any], remake: str) -> None:
        super().__init__(items)
        self.remake = remake

    def __missing__(self, key: str) -> Any:
        raise Missing(f"{self.remake}: it has no '{key}' (made by an older rflab)")


def numbers(value: Any, remake: str) -> Any:
    """Nested dicts as Numbers (a missing key raises Missing with ``remake``), as the JSON loader makes them."""
    if isinstance(value, dict):
        return Numbers({k: numbers(v, remake) for k, v in value.items()}, remake)
    if isinstance(value, list):
        return [numbers(v, remake) for v in value]
    return value


def read_json(path: Path, remake: str, hook: Callable[[dict], Any] | None = None) -> Any:
    """A JSON file the report reads; a damaged one (cut short, say) is Missing, naming the command
    that writes it again."""
    try:
        return json.loads(path.read_text(), object_hook=hook)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise Missing(f"{path.name} is damaged ({e}): {remake}") from None


@dataclass
class Evidence:
    """The store at ``root`` read for one scale."""

    root: Path
    scale: str
    store: Store = field(init=False)
    manifest: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        from rflab.reproduce import load_manifest

        self.store = Store(self.root)
        self.manifest = load_manifest(self.root, self.scale)

    def _need(self) -> str:
        return f"rflab reproduce --scale {self.scale}"

    def step_runs(self, key: str) -> list[StoredRun]:
        """The stored runs of one reproduce step (see ``reproduce.run_steps``)."""
        from rflab.reproduce import run_steps

        step = next((s for s in run_steps(self.scale) if s.key == key), None)
        if step is None:
            raise Missing(f"the {self.scale} plan has no step {key}")
        return self.config_runs(step.experiment, step.preset, step.overrides, step.seeds)

    def config_runs(self, experiment: str, preset: str | None, overrides: Mapping[str, Any],
                    seeds: Sequence[int]) -> list[StoredRun]:
        """The stored runs of one configuration and seeds, or Missing."""
        from rflab.experiments import get_experiment

        exp = get_experiment(experiment)
        config = exp.configure(preset, overrides).model_dump()
        runs = [self.store.get(run_id(exp.name, config, s)) for s in seeds]
        if any(r is None for r in runs):
            label = f"{experiment} {preset or ''} {dict(overrides) or ''} seeds {list(seeds)}"
            raise Missing(f"runs {label.strip()} are not stored: {self._need()}")
        remake = f"a stored {experiment} run was made by an older rflab; remake it with rflab run ... --force"
        return [replace(r, metrics=numbers(r.metrics, remake)) for r in runs if r is not None]

    def figure_json(self, name: str) -> dict[str, Any]:
        """The numbers a figure wrote (``figures/NAME-SCALE.json``), or Missing."""
        path = self.root / "figures" / f"{name}-{self.scale}.json"
        if not path.exists():
            raise Missing(f"{path.name} is not there: rflab figure {name} --scale {self.scale}")
        remake = f"remake {path.name} with rflab figure {name} --scale {self.scale}"
        return read_json(path, remake, lambda d: Numbers(d, remake))

    def checks(self) -> dict[str, Any]:
        """The direct checks (``figures/checks-SCALE.json``), or Missing."""
        path = self.root / "figures" / f"checks-{self.scale}.json"
        if not path.exists():
            raise Missing(f"{path.name} is not there: {self._need()}")
        remake = f"remake {path.name} with rflab reproduce --scale {self.scale} --force"
        return read_json(path, remake, lambda d: Numbers(d, remake))

    def bench(self) -> dict[str, Any]:
        """The last ``rflab bench`` table (``bench.json`` in the store), or Missing."""
        path = self.root / "bench.json"
        if not path.exists():
            raise Missing(f"no benchmark table in the store: rflab bench --store {self.root}")
        return read_json(path, f"rflab bench --store {self.root}")

    def figure_files(self, name: str) -> list[Path]:
        """A figure's image files: those the manifest recorded, else the usual names if present."""
        record = self.manifest.get("steps", {}).get(f"figure:{name}")
        names = [self.root / f for f in record["files"]] if record else []
        if not names:
            folder = self.root / "figures"
            names = sorted(folder.glob(f"{name}-{self.scale}*.png")) + sorted(folder.glob(f"{name}.png"))
        return [p for p in names if p.suffix in (".png", ".gif") and p.exists()]
