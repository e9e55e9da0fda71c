"""``rflab data ...``: inspect the data models."""

from __future__ import annotations

import typer

app = typer.Typer(help="Inspect data models: exact against sampled statistics.", no_args_is_help=True)
