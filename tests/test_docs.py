"""The README stays short and its quick start verbatim; every link in the README and the docs
points at a file of this repository (the site build, ``mkdocs build --strict`` in ``.ci/run``,
checks the docs' links and references in more depth)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QUICK_START = (
    'python3 -m venv .venv && . .venv/bin/activate && pip install . && rflab reproduce',
    'python3 -m venv .venv && . .venv/bin/activate && pip install ".[test]" && pytest',
)
LINK = re.compile(r"\]\(([^)\s]+)\)")
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def test_the_readme_is_short_and_its_quick_start_is_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) < 200
    assert all(f"```bash\n{command}\n```" in text for command in QUICK_START)
    assert QUICK_START[1] in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_relative_link_reaches_a_file_of_the_repository(page: Path) -> None:
    for target in LINK.findall(page.read_text()):
        if re.match(r"[a-z]+://|#|mailto:", target):
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        assert path.is_file() and ROOT in path.parents, f"{page.relative_to(ROOT)} links to {target}"


@pytest.mark.parametrize("name", ["dipole-3d", "rf-neuron"])
def test_a_config_table_lists_every_setting_and_every_presets_values(name: str) -> None:
    from rflab.experiments import get_experiment
    from rflab.experiments.tables import config_table

    experiment = get_experiment(name)
    rows = config_table(name).splitlines()
    assert len(rows) == 2 + len(experiment.config.model_fields)
    assert rows[0].count("preset `") == len(experiment.presets)
    for key, field in experiment.config.model_fields.items():
        (row,) = [r for r in rows if r.startswith(f"| `{key}` |")]
        assert (field.description or "").replace("|", "/") in row
    lr = next(r for r in rows if r.startswith("| `lr` |")).split(" | ")
    assert lr[1] == f"`{experiment.config.model_fields['lr'].default}`" and lr[2].startswith("gt=0")


def test_every_experiment_page_carries_its_generated_config_table() -> None:
    from rflab.experiments import EXPERIMENTS

    pages = "".join(p.read_text() for p in (ROOT / "docs" / "experiments").glob("*.md"))
    assert all(f"<!-- config-table: {name} -->" in pages for name in EXPERIMENTS)


TUTORIALS = sorted((ROOT / "docs" / "tutorials").glob("*.md"))


@pytest.mark.parametrize("page", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_a_tutorial_runs_as_written(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), re.S)
    assert blocks
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(page), "exec"), namespace)
