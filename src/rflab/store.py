"""The results store: an SQLite index plus one folder per run (``arrays.npz``, figures, JSON).

A run is keyed by a hash of its experiment, full config, seed and the rflab version, so a stored
run is never recomputed by accident and two different configs never collide. Writes are atomic:
a run's folder is built under ``tmp/`` and renamed into ``runs/`` whole, and only then indexed,
so a run killed at any moment leaves no half-written entry (a stray folder without an index row
is ignored and replaced). Arrays are read back without pickle.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable
from contextlib import closing
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
        if not self.index.exists():
            return None
        with closing(self._connect()) as conn:
            row = conn.execute(
                "SELECT run_id, experiment, seed, config, metrics, train_seconds FROM runs WHERE run_id = ?",
                (rid,),
            ).fetchone()
        if row is None or not (self.folder(rid) / "arrays.npz").exists():
            return None
        return StoredRun(row[0], row[1], row[2], json.loads(row[3]), json.loads(row[4]), row[5], self.folder(rid))

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
        """Write a run atomically: folder built aside, renamed into place, then indexed."""
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
            if final.exists():
                stale = self.root / "tmp" / f"stale-{rid}-{uuid.uuid4().hex[:8]}"
                final.rename(stale)
                shutil.rmtree(stale)
            tmp.rename(final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        with closing(self._connect()) as conn, conn:
            conn.execute(
                "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                (rid, experiment, seed, json.dumps(config, sort_keys=True), json.dumps(metrics),
                 train_seconds, time.time()),
            )
        return StoredRun(rid, experiment, seed, config, metrics, train_seconds, final)


def _fsync_tree(folder: Path) -> None:
    """Flush every file under ``folder`` to disk before the rename makes it visible."""
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as f:
                os.fsync(f.fileno())
