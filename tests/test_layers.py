"""The package's own imports point one way, down the layers (docs/extending.md): every ``import`` and
``from ... import`` of an rflab module, at the top of a file or inside a function, names a module of
its own layer or a lower one. Only the command line draws on the console or reads ``$RFLAB_STORE``."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
LAYERS = (  # lowest first
    ("rflab.version", "rflab.config", "rflab.schema", "rflab.files", "rflab.paths", "rflab.resources",
     "rflab.sources"),
    ("rflab.data",),
    ("rflab.models",),
    ("rflab.train", "rflab.bench", "rflab.lufkin_code"),
    ("rflab.metrics", "rflab.theory"),
    ("rflab.plots",),
    ("rflab.experiments",),
    ("rflab.results",),
    ("rflab.figures",),
    ("rflab.report",),
    ("rflab.api",),
    ("rflab.cli", "rflab.__main__"),
)
CONSOLE = ("rich", "typer")


def layer(module: str) -> int:
    """The layer of an rflab module (by its package or module prefix); the facade ``rflab`` is above all."""
    for i, names in enumerate(LAYERS):
        if any(module == n or module.startswith(n + ".") for n in names):
            return i
    if module == "rflab":
        return len(LAYERS)
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (the facade ``rflab/__init__.py`` left out)."""
    found = {}
    for path in sorted((SRC / "rflab").rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name != "rflab":
            found[name] = path
    return found


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in a file (``from rflab import train`` imports rflab.train)."""
    known = modules()
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.relative_to(SRC)}:{node.lineno}: a relative import"
            base = node.module or ""
            out += [(node.lineno, f"{base}.{a.name}" if f"{base}.{a.name}" in known else base) for a in node.names]
    return out


@pytest.mark.parametrize("name", list(modules()))
def test_imports_point_down_the_layers(name: str) -> None:
    path = modules()[name]
    mine = layer(name)
    for line, target in imported(path):
        if target == "rflab" or target.startswith("rflab."):
            assert layer(target) <= mine, f"{path.relative_to(SRC)}:{line} imports {target} from a higher layer"


@pytest.mark.parametrize("name", [n for n in modules() if layer(n) < layer("rflab.cli")])
def test_only_the_command_line_draws_or_reads_the_environment(name: str) -> None:
    path = modules()[name]
    for line, target in imported(path):
        assert target.split(".")[0] not in CONSOLE, f"{path.relative_to(SRC)}:{line} imports {target}"
    assert "RFLAB_STORE" not in path.read_text(), f"{path.relative_to(SRC)} reads $RFLAB_STORE"


def test_every_module_has_a_layer() -> None:
    assert all(layer(n) < len(LAYERS) for n in modules())
