"""The README stays short and its quick start verbatim; every link in the README and the docs
points at a file of this repository (the site build, ``mkdocs build --strict`` in ``.ci/run``,
checks the docs' links and references in more depth)."""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path

import pytest
from conftest import Cli

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
PYTHON_CELL = re.compile(r"```python\n(.*?)```", re.S)
WRITEFILE = re.compile(r"%%writefile (\S+)\n")
PLUGIN_COMMAND = "RFLAB_PLUGINS=my_laws.py rflab "


@pytest.mark.parametrize("page", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_a_tutorial_is_a_jupytext_notebook_with_a_python_kernel(page: Path) -> None:
    """jupytext reads the page as a notebook (its code blocks are the cells) and Jupyter, nbmake and
    ``.ci/run`` start the kernel its front matter names."""
    front = re.match(r"---\njupyter:\n(.*?)\n---\n\n# ", page.read_text(), re.S)
    assert front, f"{page.name} does not start with jupytext's front matter and a title"
    assert "  kernelspec:\n" in front.group(1) and "    language: python\n" in front.group(1)
    assert "    name: python3" in front.group(1)


@pytest.mark.slow  # 100 s of the default run on a 2-core CPU; .ci/run runs the same pages by nbmake
@pytest.mark.parametrize("page", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_a_tutorial_runs_as_written(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's Python cells in order, in one namespace, as a kernel started in an empty folder runs
    them: a cell that starts with ``%%writefile NAME`` saves the rest as NAME there, importable as in
    Jupyter; no other magic is allowed. nbmake (``.ci/run``) runs the pages as notebooks, the shell
    cells included."""
    import matplotlib.pyplot as plt

    from rflab.data import registry

    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "MODELS", dict(registry.MODELS))  # a model a tutorial registers stays there
    cells = PYTHON_CELL.findall(page.read_text())
    assert cells
    namespace: dict[str, object] = {}
    try:
        for cell in cells:
            if written := WRITEFILE.match(cell):
                monkeypatch.setitem(sys.modules, written.group(1).removesuffix(".py"), None)
                monkeypatch.delitem(sys.modules, written.group(1).removesuffix(".py"))
                (tmp_path / written.group(1)).write_text(cell[written.end():])
                importlib.invalidate_caches()
                continue
            assert not re.search(r"^\s*[%!]", cell, re.M), f"{page.name}: a magic or shell line in a Python cell"
            exec(compile(cell, str(page), "exec", dont_inherit=True), namespace)  # as a script: no __future__ of ours
    finally:
        plt.close("all")


@pytest.fixture
def my_laws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tutorial's module saved as my_laws.py in the working folder and named in $RFLAB_PLUGINS; the
    registry, the import path and Dask's worker preload as they were after the test. The page's shell
    commands."""
    import dask
    import distributed  # noqa: F401  (loads the worker settings the plugins add to)

    from rflab.data import registry

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(registry, "MODELS", dict(registry.MODELS))
    monkeypatch.setattr(sys, "path", [*sys.path])
    monkeypatch.setitem(sys.modules, "my_laws", None)
    monkeypatch.setitem(dask.config.config["distributed"]["worker"], "preload",
                        dask.config.get("distributed.worker.preload"))
    page = (ROOT / "docs" / "tutorials" / "own-data-model.md").read_text()
    module = PYTHON_CELL.findall(page)[0]
    assert module.startswith("%%writefile my_laws.py\n")
    (tmp_path / "my_laws.py").write_text(WRITEFILE.sub("", module, count=1))
    monkeypatch.setenv("RFLAB_PLUGINS", "my_laws.py")
    return re.findall(r"```bash\n(.*?)```", page, re.S)[0].splitlines()


def test_the_tutorials_module_named_in_rflab_plugins_is_a_data_model_of_every_command(
        my_laws: list[str], cli: Cli) -> None:
    """The page's shell commands, each as written (less its ``RFLAB_PLUGINS=my_laws.py rflab``, which the
    fixture sets), then the listing as JSON."""
    import shlex

    from rflab.data import registry

    assert my_laws[0] == "RFLAB_PLUGINS=my_laws.py rflab data describe power --set p=0.5"
    outputs = []
    for line in my_laws:
        assert line.startswith(PLUGIN_COMMAND), line
        code, out, err = cli(shlex.split(line.removeprefix(PLUGIN_COMMAND)))
        assert code == 0, f"{line}: {err}"
        outputs.append(out + err)
    assert "excess kurtosis" in outputs[0] and "-1.4292" in outputs[0]
    assert "power-clone" in outputs[1]
    assert "power" in registry.MODELS and "power-clone" in registry.MODELS
    code, out, _ = cli(["data", "list", "--json"])
    models = json.loads(out)["models"]
    assert code == 0 and models["power"]["settings"] == ["N", "dims", "xi", "p"] and "power-clone" in models


def test_dask_workers_import_the_plugins_too(my_laws: list[str], cli: Cli) -> None:
    grid = ["sweep", "rf-neuron", "--grid", "p=0.5,1.5", "--set", "data=power", "--set", "steps=20",
            "--set", "batch_size=100", "--set", "snapshots=2", "--json"]
    code, out, err = cli([*grid, "--executor", "dask", "--workers", "1", "--store", "dask"])
    assert code == 0, err
    here_code, here, _ = cli([*grid, "--store", "here"])
    assert here_code == 0
    there, here = json.loads(out)["points"], json.loads(here)["points"]
    assert [p["run_ids"] for p in there] == [p["run_ids"] for p in here]
    assert [p["metrics"]["0"]["ipr"] for p in there] == pytest.approx([p["metrics"]["0"]["ipr"] for p in here],
                                                                      rel=1e-6)


@pytest.mark.parametrize(("entry", "says"), [("no_such_module", "ModuleNotFoundError"),
                                              ("missing.py", "FileNotFoundError")])
def test_a_plugin_that_does_not_import_is_one_line_exit_2(entry: str, says: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch, cli: Cli) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RFLAB_PLUGINS", entry)
    code, out, err = cli(["list"])
    assert code == 2 and out == ""
    assert err.startswith(f"error: RFLAB_PLUGINS: cannot import {entry!r}: {says}: ")
    assert len(err.strip().splitlines()) == 1
