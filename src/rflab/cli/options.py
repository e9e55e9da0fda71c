"""Options several commands share: the results store and the memory limit; the modules of one's own
that every command imports first (``$RFLAB_PLUGINS``); and how many processes store the runs
(``$RFLAB_WRITERS``). The command line is the only part of rflab that reads ``$RFLAB_STORE``,
``$RFLAB_PLUGINS`` and ``$RFLAB_WRITERS``."""

from __future__ import annotations

import importlib
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


def writer_count() -> int | None:
    """``$RFLAB_WRITERS``, the processes that store runs and draw their figures (``results.writers``; 1
    stores them on a thread of the command's own), or None (one per core) when it is unset."""
    from rflab.config import ConfigError

    text = os.environ.get("RFLAB_WRITERS", "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"RFLAB_WRITERS={text}: must be a whole number of processes, at least 1")
    return int(text)


def import_plugins(entries: str | None = None) -> None:
    """Import each comma-separated entry of ``entries`` (default ``$RFLAB_PLUGINS``): a module name, or
    the path of a ``.py`` file. A module that registers a data model (``rflab.data.registry.register``)
    makes it a name every command takes; the Dask workers this process starts import them too (Dask's
    worker preload). A failing import is a one-line ConfigError."""
    from rflab.config import ConfigError
    from rflab.files import import_file

    loaded = []
    for entry in filter(None, (e.strip() for e in (entries if entries is not None else
                                                   os.environ.get("RFLAB_PLUGINS", "")).split(","))):
        try:
            if entry.endswith(".py"):
                loaded.append(str(import_file(Path(entry)).__file__))
            else:
                importlib.import_module(entry)
                loaded.append(entry)
        except Exception as e:
            message = str(e).splitlines()[0] if str(e) else ""
            raise ConfigError(f"RFLAB_PLUGINS: cannot import {entry!r}: {type(e).__name__}"
                              + (f": {message}" if message else "")) from None
    if loaded:
        import dask

        dask.config.set({"distributed.worker.preload": [*dask.config.get("distributed.worker.preload", []),
                                                        *loaded]})
