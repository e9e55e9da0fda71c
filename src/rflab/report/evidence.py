"""What the report reads: stored runs (the report's own, by reproduce step, or those a figure
declares, by name), the JSON files the figures and checks write, the reproduce manifest and the
benchmark table. Every run's metrics and every JSON file come as typed views (``rflab.schema``): a
key that data made by an older rflab lacks raises ``Missing``, naming what remakes it. Nothing here
trains."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rflab.experiments import get_experiment
from rflab.figures import get_figure, output
from rflab.figures.checks import Checks
from rflab.results.cache import RunSpec
from rflab.results.store import Store, StoredRun
from rflab.schema import Missing, view


def read_json(path: Path, remake: str) -> Any:
    """A JSON file the report reads; a damaged one (cut short, say) is Missing, naming the command
    that writes it again."""
    try:
        return json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise Missing(f"{path.name} is damaged ({e}): {remake}") from None


def run_metrics(experiment: str, metrics: dict[str, Any]) -> Any:
    """A run's metrics as a view of its experiment's schema."""
    remake = f"a stored {experiment} run was made by an older rflab; remake it with rflab run ... --force"
    return view(get_experiment(experiment).metrics, metrics, remake)


def figure_numbers(name: str, data: Any, remake: str) -> Any:
    """A figure's JSON as a view of the schema the figure declares."""
    return view(get_figure(name).numbers, data, remake)


def check_numbers(data: Any, remake: str) -> Checks:
    """The direct checks' JSON as a view."""
    return view(Checks, data, remake)


@dataclass
class Evidence:
    """The store at ``root`` read for one scale."""

    root: Path
    scale: str
    store: Store = field(init=False)
    manifest: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        from rflab.report.reproduce import load_manifest

        self.store = Store(self.root)
        self.manifest = load_manifest(self.root, self.scale)

    def _need(self) -> str:
        return f"rflab reproduce --scale {self.scale}"

    def step_runs(self, key: str) -> list[StoredRun]:
        """The stored runs of one of the report's own reproduce steps (``reproduce.run_steps``)."""
        from rflab.report.reproduce import run_steps

        step = next((s for s in run_steps(self.scale) if s.key == key), None)
        if step is None:
            raise Missing(f"the {self.scale} plan has no step {key}")
        return self.spec_runs(step.runs)

    def figure_runs(self, figure: str, key: str) -> list[StoredRun]:
        """The stored runs figure ``figure`` declares under ``key`` at this scale."""
        return self.spec_runs(get_figure(figure).scale(self.scale).runs[key])

    def spec_runs(self, spec: RunSpec) -> list[StoredRun]:
        """The stored runs of a RunSpec, or Missing naming them."""
        runs = [self.store.get(rid) for rid in spec.run_ids()]
        if any(r is None for r in runs):
            label = f"{spec.experiment} {spec.preset or ''} {dict(spec.overrides) or ''} seeds {list(spec.seeds)}"
            raise Missing(f"runs {label.strip()} are not stored: {self._need()}")
        return [replace(r, metrics=run_metrics(r.experiment, r.metrics)) for r in runs if r is not None]

    def figure_json(self, name: str) -> Any:
        """The numbers a figure wrote (``figures/NAME-SCALE.json``), or Missing."""
        path = output(self.root / "figures", name, self.scale, ".json")
        if not path.exists():
            raise Missing(f"{path.name} is not there: rflab figure {name} --scale {self.scale}")
        remake = f"remake {path.name} with rflab figure {name} --scale {self.scale}"
        return figure_numbers(name, read_json(path, remake), remake)

    def checks(self) -> Checks:
        """The direct checks (``figures/checks-SCALE.json``), or Missing."""
        path = output(self.root / "figures", "checks", self.scale, ".json")
        if not path.exists():
            raise Missing(f"{path.name} is not there: {self._need()}")
        remake = f"remake {path.name} with rflab reproduce --scale {self.scale} --force"
        return check_numbers(read_json(path, remake), remake)

    def bench(self) -> dict[str, Any]:
        """The last ``rflab bench`` table (``bench.json`` in the store), or Missing."""
        path = self.root / "bench.json"
        if not path.exists():
            raise Missing(f"no benchmark table in the store: rflab bench --store {self.root}")
        return read_json(path, f"rflab bench --store {self.root}")

    def figure_files(self, name: str) -> list[Path]:
        """A figure's image files: those the manifest recorded, else its image at this scale if present."""
        record = self.manifest.get("steps", {}).get(f"figure:{name}") or {}
        names = [self.root / f for f in record.get("files", [])]  # none while a reproduce is making it
        if not names:
            names = [output(self.root / "figures", name, self.scale, ".png")]
        return [p for p in names if p.suffix in (".png", ".gif") and p.exists()]
