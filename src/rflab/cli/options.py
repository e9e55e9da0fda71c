"""Options several commands share: the results store and the memory limit. The command line is the
only part of rflab that reads ``$RFLAB_STORE``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

StoreOption = Annotated[Path | None, typer.Option(help="results store (default $RFLAB_STORE or ./rflab-results)")]
MemoryOption = Annotated[str | None, typer.Option(
    "--memory-limit", help="memory runs may plan for, e.g. 8G (default: 80% of what is available now); seeds "
                           "that do not fit together train in chunks")]


def memory_bytes(limit: str | None) -> int | None:
    """``--memory-limit`` in bytes, or None for the default share of the available memory."""
    from rflab.resources import parse_size

    return None if limit is None else parse_size(limit)


def store_root(store: Path | None) -> Path:
    """The store's folder: ``--store`` if given, else ``$RFLAB_STORE``, else ``./rflab-results``."""
    from rflab.results.store import DEFAULT_ROOT

    return store if store is not None else Path(os.environ.get("RFLAB_STORE", DEFAULT_ROOT))
