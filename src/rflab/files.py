"""Writing files so that a reader never sees half of one: a file replaced whole, a folder of files moved
in whole, Ctrl-C held over renames that belong together, and the one JSON writer every part of rflab uses;
and importing a Python file by its path."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import math
import os
import shutil
import signal
import sys
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` that replaces it when the block ends without an error, so a
    reader never sees a half-written file; on an error it is removed and ``path`` is left as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


INTERRUPTED = threading.Event()


def interrupt(signum: int, frame: Any) -> None:
    """Ctrl-C as Python answers it (KeyboardInterrupt), and remembered: Python drops an exception raised
    while it runs a weakref callback or a finaliser, so the command line checks again (``check_interrupt``)."""
    INTERRUPTED.set()
    raise KeyboardInterrupt


def check_interrupt() -> None:
    """KeyboardInterrupt if a Ctrl-C came through ``interrupt``, even one Python swallowed."""
    if INTERRUPTED.is_set():
        raise KeyboardInterrupt


@contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) until the block ends, so a few renames that belong together happen whole;
    outside the main thread, where no handler can be set, the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt


@contextmanager
def staged(folder: Path) -> Iterator[Path]:
    """A fresh hidden folder inside ``folder`` to write files into; when the block ends without an error
    they move into ``folder`` (one rename each, Ctrl-C held meanwhile), else they are removed (and the
    folders made for them). A reader never sees a half-written file and an interrupted writer leaves
    none behind."""
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".staged-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        yield tmp
        with deferred_interrupt():
            for path in sorted(p for p in tmp.rglob("*") if p.is_file()):
                target = folder / path.relative_to(tmp)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
        made = []
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for empty in made:  # the block failed: the folders made for it go too, if nothing else filled them
            with contextlib.suppress(OSError):
                empty.rmdir()


def _plain(value: Any) -> Any:
    """What JSON cannot hold as it is: a path as text, anything array-like (NumPy, JAX) as lists."""
    return str(value) if isinstance(value, os.PathLike) else np.asarray(value).tolist()


def write_json(path: Path, payload: Mapping[str, Any] | list[Any], indent: int = 1) -> Path:
    """Write ``payload`` as JSON, replacing ``path`` whole (NumPy values as numbers and lists)."""
    with replacing(path) as tmp:
        tmp.write_text(json.dumps(payload, indent=indent, default=_plain) + "\n")
    return path


def finite(value: Any) -> Any:
    """``value`` with every non-finite float (and NumPy array entry) as None: JSON has no inf or nan."""
    if isinstance(value, np.ndarray):
        return finite(value.tolist())
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def markers(name: str) -> tuple[str, str]:
    """The comment lines that fence a generated block ``name`` in a Markdown page."""
    return f"<!-- rflab {name}: start -->", f"<!-- rflab {name}: end -->"


def between_markers(text: str, name: str, body: str) -> str:
    """``text`` (a Markdown page) with what lies between the markers of block ``name`` replaced by
    ``body``; a ValueError naming the markers when the page lacks them."""
    start, end = markers(name)
    if start not in text or end not in text:
        raise ValueError(f"has no {start} ... {end} markers")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def write_between_markers(path: Path, name: str, body: str) -> Path:
    """Replace what lies between the markers of block ``name`` in ``path`` with ``body``."""
    try:
        text = between_markers(path.read_text(encoding="utf-8"), name, body)
    except ValueError as e:
        raise ValueError(f"{path} {e}") from None
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def import_file(path: Path) -> ModuleType:
    """Import a Python file by path as the module named for its stem, with its folder on ``sys.path``
    (so it imports its neighbours) and the module in ``sys.modules`` (where dataclasses look it up)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module
