"""The results store: an SQLite index plus one folder per run (``arrays.npz``, figures, JSON).

A run is keyed by a hash of its experiment, full config, seed and the experiment's numerics version
(``Experiment.numerics``, bumped by a change that alters numbers), so a stored run is never recomputed
by accident, two different configs never collide, and runs of an older numerics version stay stored
and listed beside the new ones. A config field added later with ``config.added`` leaves the ids of
runs stored before it unchanged. Writes are atomic:
a run's folder is built under ``tmp/`` and renamed into ``runs/`` whole, and only then indexed,
so a run killed at any moment leaves no half-written entry (a stray folder without an index row
is ignored and replaced). Arrays are read back without pickle. Several processes may write to one
store at once (a sweep on Dask workers): SQLite runs in WAL mode with a busy timeout, and two
writers of the same run id both succeed, the later folder replacing the earlier.

The store checks itself: the SHA-256 of every file of a run is recorded in its record (``run.json``)
and in the index, and verified before the run is served. A damaged run is reported (its id, folder
and what is wrong) and treated as absent, so the next ``rflab run`` recomputes it; ``check`` lists
damaged runs, ``rebuild_index`` rebuilds a lost or unreadable index from the run folders' records,
and an index SQLite cannot read is a one-line error naming that repair.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import sqlite3
import time
import uuid
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rflab.config import ConfigError, digest
from rflab.files import deferred_interrupt, write_json

DEFAULT_ROOT = Path("rflab-results")  # where the command line keeps results unless told otherwise

ARRAYS, RECORD = "arrays.npz", "run.json"
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    experiment TEXT NOT NULL,
    seed INTEGER NOT NULL,
    config TEXT NOT NULL,
    metrics TEXT NOT NULL,
    train_seconds REAL NOT NULL,
    created REAL NOT NULL,
    checksums TEXT,
    numerics INTEGER NOT NULL DEFAULT 1
)
"""
ID_SALT = "0.1.0"  # the package version when ids were first made; fixed, so a release keeps every stored run


def run_id(experiment: str, config: dict[str, Any], seed: int, numerics: int = 1) -> str:
    """The key of one run: a hash of everything that determines its numbers (numerics version 1 adds
    nothing, so the ids of runs stored before versions existed stay as they were)."""
    payload = {"experiment": experiment, "config": config, "seed": seed, "rflab": ID_SALT}
    return digest(payload | ({"numerics": numerics} if numerics != 1 else {}))


class StoreError(ConfigError):
    """The store cannot be used as it is (a damaged index or run); the message says what repairs it."""


class DamagedRunError(StoreError):
    """A run's files do not match the checksums recorded with it."""


class DamagedRunWarning(UserWarning):
    """A stored run was found damaged and is not served (it will be recomputed)."""


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def checksums(folder: Path) -> dict[str, str]:
    """The SHA-256 of every file in a run's folder but its record (``run.json``), by relative path."""
    return {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != RECORD}


def _zip_problem(path: Path) -> str | None:
    """Why an ``.npz`` without a recorded checksum (made by an older rflab) is damaged, from the CRC of
    each member, or None."""
    try:
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()
    except (OSError, zipfile.BadZipFile, EOFError) as e:
        return f"{path.name} is not a readable archive ({e})"
    return f"{path.name} fails its CRC check at {bad}" if bad else None


def read_record(folder: Path) -> dict[str, Any]:
    """A run folder's record (``run.json``); a DamagedRunError when it is missing or unreadable."""
    try:
        record = json.loads((folder / RECORD).read_text())
    except FileNotFoundError:
        raise DamagedRunError(f"{RECORD} is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DamagedRunError(f"{RECORD} is damaged ({e})") from None
    if not isinstance(record, dict) or not {"run_id", "experiment", "seed", "config", "metrics"} <= set(record):
        raise DamagedRunError(f"{RECORD} lacks the fields of a run record")
    return record


def folder_problem(folder: Path, rid: str, recorded: dict[str, str] | None) -> str | None:
    """Why the run ``rid`` in ``folder`` is damaged, or None: its record must be readable and its own,
    and every file must match the checksums recorded with the run (``recorded``; runs made before
    checksums are checked by their archive's CRCs)."""
    if not folder.is_dir():
        return "its folder is missing"
    try:
        record = read_record(folder)
    except DamagedRunError as e:
        return str(e)
    if record["run_id"] != rid:
        return f"{RECORD} names another run ({record['run_id']})"
    if recorded is None:
        arrays = folder / ARRAYS
        return _zip_problem(arrays) if arrays.exists() else f"{ARRAYS} is missing"
    if record.get("checksums") != recorded:
        return f"the checksums in {RECORD} differ from the index's"
    for name, digest_ in recorded.items():
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        if sha256(path) != digest_:
            return f"{name} does not match its checksum"
    return None


@dataclass(frozen=True)
class StoredRun:
    """One indexed run; ``checksums`` are its files' SHA-256 (None for a run made before checksums),
    ``numerics`` the numerics version of the experiment that made it."""

    run_id: str
    experiment: str
    seed: int
    config: dict[str, Any]
    metrics: dict[str, Any]
    train_seconds: float
    path: Path
    created: float = 0.0
    checksums: dict[str, str] | None = None
    numerics: int = 1
    _loaded: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False, compare=False)

    def arrays(self) -> dict[str, np.ndarray]:
        """The run's arrays, loaded without pickle once they match their checksum (a DamagedRunError
        naming the run, its folder and the repair otherwise); read from disk once, then kept."""
        if not self._loaded:
            path = self.path / ARRAYS
            expected = (self.checksums or {}).get(ARRAYS)
            problem = (None if path.is_file() else f"{ARRAYS} is missing") or (
                (f"{ARRAYS} does not match its checksum" if sha256(path) != expected else None) if expected
                else _zip_problem(path))
            if problem:
                raise DamagedRunError(damage_message(self.run_id, self.path, problem))
            with np.load(path, allow_pickle=False) as f:
                self._loaded.update({k: f[k] for k in f.files})
        return dict(self._loaded)

    def files(self) -> list[Path]:
        """The images the run wrote into its folder (figures and animations), by name."""
        return sorted(p for p in self.path.iterdir() if p.suffix in (".png", ".gif"))


def damage_message(rid: str, folder: Path, problem: str) -> str:
    """One line: which run is damaged, where, how, and what repairs it."""
    return (f"run {rid} at {folder} is damaged ({problem}); rflab run recomputes it, "
            "rflab store check lists every damaged run")


@dataclass(frozen=True)
class Damage:
    """A damaged run: its id, its folder and what is wrong."""

    run_id: str
    path: Path
    problem: str


@dataclass(frozen=True)
class CheckReport:
    """What ``Store.check`` found: runs checked, damaged ones, intact folders the index lacks, and why
    the index itself cannot be read (None when it can)."""

    checked: int
    damaged: list[Damage]
    not_indexed: list[Path]
    index_problem: str | None


class Store:
    """A results store rooted at a folder, always given explicitly (nothing reads an environment
    variable here); nothing is created on disk until the first ``put``."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._intact: set[str] = set()

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    @property
    def index(self) -> Path:
        return self.root / "index.sqlite"

    def folder(self, rid: str) -> Path:
        return self.root / "runs" / rid

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.index, timeout=60)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(SCHEMA)
        columns = {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
        for name, kind in (("checksums", "TEXT"), ("numerics", "INTEGER NOT NULL DEFAULT 1")):
            if name not in columns:  # an index written by an older rflab
                with contextlib.suppress(sqlite3.OperationalError):  # another process added it first
                    conn.execute(f"ALTER TABLE runs ADD COLUMN {name} {kind}")
        return conn

    @contextmanager
    def _index(self) -> Iterator[sqlite3.Connection]:
        """A connection to the index; an unreadable index is a one-line StoreError naming the repair."""
        try:
            with closing(self._connect()) as conn:
                yield conn
        except sqlite3.DatabaseError as e:
            if "locked" in str(e):
                raise StoreError(f"the store's index {self.index} is locked by another process ({e})") from None
            raise StoreError(f"the store's index {self.index} cannot be read ({e}); rebuild it from the run "
                             f"folders with: rflab store rebuild-index --store {self.root}") from None

    def get(self, rid: str) -> StoredRun | None:
        """The indexed run with this id, or None (also when the store does not exist yet). A damaged run
        is not served: a DamagedRunWarning names it, and None lets the caller recompute it."""
        found = self._select("WHERE run_id = ?", (rid,), complete=False)
        if not found:
            return None
        run = found[0]
        if rid not in self._intact:
            problem = folder_problem(run.path, rid, run.checksums)
            if problem:
                warnings.warn(damage_message(rid, run.path, problem), DamagedRunWarning, stacklevel=2)
                return None
            self._intact.add(rid)
        return run

    def runs(self, experiment: str | None = None) -> list[StoredRun]:
        """Every indexed run (of one experiment if given), oldest first (not verified: a listing reads the
        index alone; ``get`` and ``StoredRun.arrays`` verify)."""
        if experiment is None:
            return self._select("ORDER BY created", ())
        return self._select("WHERE experiment = ? ORDER BY created", (experiment,))

    def _select(self, clause: str, args: tuple, complete: bool = True) -> list[StoredRun]:
        """Indexed runs matching an SQL clause whose folder is there (and, if ``complete``, holds its
        arrays; otherwise the caller verifies it). A folder that is not there may be another writer's
        run being replaced at this moment, so it is left out without a word."""
        if not self.index.exists():
            return []
        with self._index() as conn:
            rows = conn.execute("SELECT run_id, experiment, seed, config, metrics, train_seconds, created, checksums, "
                                "numerics FROM runs " + clause, args).fetchall()
        return [StoredRun(r[0], r[1], r[2], json.loads(r[3]), json.loads(r[4]), r[5], self.folder(r[0]), r[6],
                          json.loads(r[7]) if r[7] else None, r[8])
                for r in rows if (self.folder(r[0]) / ARRAYS if complete else self.folder(r[0])).exists()]

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
        numerics: int = 1,
    ) -> StoredRun:
        """Write a run atomically: folder built aside with the checksums of its files in its record,
        renamed into place, then indexed (Ctrl-C held between the rename and the index row)."""
        tmp = self.root / "tmp" / f"{rid}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir(parents=True)
        created = time.time()
        try:
            np.savez(tmp / ARRAYS, **arrays)
            if write_files is not None:
                write_files(tmp)
            sums = checksums(tmp)
            record = {"run_id": rid, "experiment": experiment, "seed": seed, "config": config,
                      "metrics": metrics, "train_seconds": train_seconds, "created": created, "checksums": sums,
                      "numerics": numerics}
            write_json(tmp / RECORD, record, indent=2)
            _fsync_tree(tmp)
            final = self.folder(rid)
            final.parent.mkdir(parents=True, exist_ok=True)
            with deferred_interrupt():
                self._move_into_place(tmp, final)
                self._insert([(rid, experiment, seed, config, metrics, train_seconds, created, sums, numerics)])
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._intact.add(rid)
        return StoredRun(rid, experiment, seed, config, metrics, train_seconds, final, created, sums, numerics)

    def _insert(self, rows: list[tuple], conn: sqlite3.Connection | None = None) -> None:
        """Index runs: (run_id, experiment, seed, config, metrics, train_seconds, created, checksums, numerics)."""
        sql = ("INSERT OR REPLACE INTO runs (run_id, experiment, seed, config, metrics, train_seconds, created, "
               "checksums, numerics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        values = [(rid, exp, seed, json.dumps(config, sort_keys=True), json.dumps(metrics), seconds, created,
                   None if sums is None else json.dumps(sums, sort_keys=True), numerics)
                  for rid, exp, seed, config, metrics, seconds, created, sums, numerics in rows]
        if conn is not None:
            conn.executemany(sql, values)
            return
        with self._index() as conn, conn:
            conn.executemany(sql, values)

    def check(self) -> CheckReport:
        """Every run verified: each indexed run against its index row, each folder the index lacks (or
        every folder, when the index cannot be read) against its own record."""
        rows: dict[str, dict[str, str] | None] = {}
        index_problem = None
        if self.index.exists():
            try:
                with closing(self._connect()) as conn:
                    rows = {r[0]: json.loads(r[1]) if r[1] else None
                            for r in conn.execute("SELECT run_id, checksums FROM runs")}
            except (sqlite3.DatabaseError, json.JSONDecodeError) as e:
                rows, index_problem = {}, str(e)
        damaged, not_indexed = [], []
        for rid, sums in rows.items():
            problem = folder_problem(self.folder(rid), rid, sums)
            if problem:
                damaged.append(Damage(rid, self.folder(rid), problem))
        folders = sorted(p for p in (self.root / "runs").glob("*") if p.is_dir() and p.name not in rows)
        for folder in folders:
            problem = _own_record_problem(folder)
            if problem:
                damaged.append(Damage(folder.name, folder, problem))
            else:
                not_indexed.append(folder)
        return CheckReport(len(rows) + len(folders), damaged, not_indexed, index_problem)

    def rebuild_index(self) -> tuple[int, list[Damage]]:
        """A new index from the run folders' records, replacing the old one whole (run it while nothing
        else writes to the store); damaged runs are left out. The runs indexed and the damaged ones."""
        rows, damaged = [], []
        for folder in sorted(p for p in (self.root / "runs").glob("*") if p.is_dir()):
            problem = _own_record_problem(folder)
            if problem:
                damaged.append(Damage(folder.name, folder, problem))
                continue
            r = read_record(folder)
            rows.append((r["run_id"], r["experiment"], r["seed"], r["config"], r["metrics"],
                         r.get("train_seconds", 0.0), r.get("created", (folder / RECORD).stat().st_mtime),
                         r.get("checksums"), r.get("numerics", 1)))
        fresh = Store(self.root)
        fresh_index = self.root / f".index-{uuid.uuid4().hex[:8]}.sqlite"
        try:
            with closing(sqlite3.connect(fresh_index)) as conn, conn:
                conn.execute(SCHEMA)
                fresh._insert(rows, conn)
            with deferred_interrupt():
                for stale in (self.index.with_name(self.index.name + "-wal"),
                              self.index.with_name(self.index.name + "-shm")):
                    stale.unlink(missing_ok=True)
                os.replace(fresh_index, self.index)
        finally:
            fresh_index.unlink(missing_ok=True)
        self._intact.clear()
        return len(rows), damaged

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


def _own_record_problem(folder: Path) -> str | None:
    """Why a run folder is damaged judged by its own record alone (no index row to compare), or None."""
    try:
        record = read_record(folder)
    except DamagedRunError as e:
        return str(e)
    sums = record.get("checksums")
    return folder_problem(folder, folder.name, sums if isinstance(sums, dict) else None)


def _fsync_tree(folder: Path) -> None:
    """Flush every file under ``folder`` to disk before the rename makes it visible."""
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as f:
                os.fsync(f.fileno())
