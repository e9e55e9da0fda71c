"""The ``rflab`` command as a Click command, for the generated command-line reference of the docs
(``docs/reference/cli.md``, rendered by mkdocs-click)."""

from __future__ import annotations

import typer

from rflab.cli import app

command = typer.main.get_command(app)
