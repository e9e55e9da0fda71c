"""The results store: an SQLite index plus one folder per run (``arrays.npz``, figures, JSON).

A run is keyed by a hash of its experiment, full config, seed and the rflab version, so a stored
run is never recomputed by accident and two different configs never collide. Writes are atomic:
a run's folder is built under ``tmp/`` and renamed into ``runs/`` whole, and only then indexed,
so a run killed at any moment leaves no half-written entry (a stray folder without an index row
is ignored and replaced). Arrays are read back without pickle. Several processes may write to one
store at once (a sweep on Dask workers): SQLite runs in WAL mode with a busy timeout, and two
writers of the same run id both succeed, the later folder replacing the earlier.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import rflab
from rflab.config import digest

DEFAULT_ROOT = Path("rflab-results")

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    experiment TEXT NOT NULL,
    seed INTEGER NOT NULL,
    config TEXT NOT NULL,
    metrics TEXT NOT NULL,
    train_seconds REAL NOT NULL,
    created REAL NOT NULL
)
"""


def default_root() -> Path:
    """``$RFLAB_STORE`` if set, else ``./rflab-results``."""
    return Path(os.environ.get("RFLAB_STORE", DEFAULT_ROOT))


@contextmanager
def using_store(root: Path | str) -> Iterator[None]:
    """Make ``root`` the default store (``$RFLAB_STORE``) inside the block, for code that calls ``Store()``."""
    old = os.environ.get("RFLAB_STORE")
    os.environ["RFLAB_STORE"] = str(root)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("RFLAB_STORE", None)
        else:
            os.environ["RFLAB_STORE"] = old


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
    they move into ``folder`` (one rename each, Ctrl-C held meanwhile), else they are removed. A reader
    never sees a half-written file and an interrupted writer leaves none behind."""
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
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_id(experiment: str, config: dict[str, Any], seed: int) -> str:
    """The key of one run: a hash of everything that determines its numbers."""
    return digest({"experiment": experiment, "config": config, "seed": seed, "rflab": rflab.__version__})


@dataclass(frozen=True)
class StoredRun:
    """One indexed run."""

    run_id: str
    experiment: str
    seed: int
    config: dict[str, Any]
    metrics: dict[str, Any]
    train_seconds: float
    path: Path
    created: float = 0.0

    def arrays(self) -> dict[str, np.ndarray]:
        """The run's arrays, loaded without pickle."""
        with np.load(self.path / "arrays.npz", allow_pickle=False) as f:
            return {k: f[k] for k in f.files}


class Store:
    """A results store rooted at a folder; nothing is created on disk until the first ``put``."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()

    @property
    def index(self) -> Path:
        return self.root / "index.sqlite"

    def folder(self, rid: str) -> Path:
        return self.root / "runs" / rid

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.index, timeout=60)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(SCHEMA)
        return conn

    def get(self, rid: str) -> StoredRun | None:
        """The indexed run with this id, or None (also when the store does not exist yet)."""
        found = self._select("WHERE run_id = ?", (rid,))
        return found[0] if found else None

    def runs(self, experiment: str | None = None) -> list[StoredRun]:
        """Every indexed run (of one experiment if given), oldest first."""
        if experiment is None:
            return self._select("ORDER BY created", ())
        return self._select("WHERE experiment = ? ORDER BY created", (experiment,))

    def _select(self, clause: str, args: tuple) -> list[StoredRun]:
        """Indexed runs matching an SQL clause whose folder is complete."""
        if not self.index.exists():
            return []
        with closing(self._connect()) as conn:
            rows = conn.execute("SELECT run_id, experiment, seed, config, metrics, train_seconds, created FROM runs "
                                + clause, args).fetchall()
        return [StoredRun(r[0], r[1], r[2], json.loads(r[3]), json.loads(r[4]), r[5], self.folder(r[0]), r[6])
                for r in rows if (self.folder(r[0]) / "arrays.npz").exists()]

    def put(
        self,
        rid: str,
        experiment: str,
        seed: int,
        config: dict[str, Any],
        metrics: dict[str, Any],
        train_seconds: float,
        arrays: dict[str, np.ndarray],
        write_files: Callable[[Path], None] | None = None,
    ) -> StoredRun:
        """Write a run atomically: folder built aside, renamed into place, then indexed (Ctrl-C held
        between the rename and the index row)."""
        tmp = self.root / "tmp" / f"{rid}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir(parents=True)
        try:
            np.savez(tmp / "arrays.npz", **arrays)
            record = {"run_id": rid, "experiment": experiment, "seed": seed, "config": config,
                      "metrics": metrics, "train_seconds": train_seconds}
            (tmp / "run.json").write_text(json.dumps(record, indent=2))
            if write_files is not None:
                write_files(tmp)
            _fsync_tree(tmp)
            final = self.folder(rid)
            final.parent.mkdir(parents=True, exist_ok=True)
            created = time.time()
            with deferred_interrupt():
                self._move_into_place(tmp, final)
                with closing(self._connect()) as conn, conn:
                    conn.execute(
                        "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (rid, experiment, seed, json.dumps(config, sort_keys=True), json.dumps(metrics),
                         train_seconds, created),
                    )
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return StoredRun(rid, experiment, seed, config, metrics, train_seconds, final, created)

    def _move_into_place(self, tmp: Path, final: Path, attempts: int = 20) -> None:
        """Rename ``tmp`` to ``final``, moving a folder already there aside first; another writer of
        the same run may do the same at the same moment, so a lost race is retried."""
        for _ in range(attempts):
            if final.exists():
                stale = self.root / "tmp" / f"stale-{final.name}-{uuid.uuid4().hex[:8]}"
                try:
                    final.rename(stale)
                except FileNotFoundError:
                    pass  # another writer moved it first
                else:
                    shutil.rmtree(stale, ignore_errors=True)
            try:
                tmp.rename(final)
                return
            except OSError as e:
                if e.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
        raise OSError(f"could not move {tmp} into place at {final}: other writers kept replacing it")


def _fsync_tree(folder: Path) -> None:
    """Flush every file under ``folder`` to disk before the rename makes it visible."""
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as f:
                os.fsync(f.fileno())
