"""Folders and files a command will read or write, checked before any work: one line each for a file
where a folder is needed, a folder where a file is needed, a read-only filesystem and a folder that
cannot be written. Writability is found by trying (permissions alone do not tell for root, ACLs or
special filesystems): a probe file is made and removed, and so are any folders made for it."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from rflab.config import ConfigError

STORE_FOLDERS = ("runs", "tmp", "figures")
STORE_FILES = ("index.sqlite",)


def nearest_existing(path: Path) -> Path:
    """``path`` itself if it exists, else its closest existing ancestor (where a folder would be made)."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _kind_problem(path: Path, want_folder: bool) -> str | None:
    """Why ``path`` (or the folder that would be made for it) cannot be what is wanted, or None."""
    existing = nearest_existing(path)
    if existing == Path(os.path.abspath(path)):
        if want_folder and not existing.is_dir():
            return "is a file, not a folder"
        if not want_folder and existing.is_dir():
            return "is a folder, not a file"
        return None
    if not existing.is_dir():
        return f"{existing} is a file, so no folder can be made under it"
    return None


def _probe(folder: Path) -> str | None:
    """Why nothing can be written in ``folder``, found by doing it: the missing folders are made, a file
    is created and removed, and the folders made are removed again (so nothing is left); None if it works."""
    folder = Path(os.path.abspath(folder))
    made = []
    try:
        for part in reversed([folder, *folder.parents]):
            if not part.exists():
                part.mkdir()
                made.append(part)
        fd, name = tempfile.mkstemp(dir=folder, prefix=".rflab-probe-")
        os.close(fd)
        os.unlink(name)
    except OSError as e:
        where = e.filename or folder
        if e.errno == errno.EROFS:
            return f"{where} is on a read-only filesystem"
        return f"cannot write in {where} ({e.strerror})"
    finally:
        for part in reversed(made):
            with contextlib.suppress(OSError):
                part.rmdir()
    return None


def check_folder(folder: Path, flag: str, write: bool = True) -> None:
    """A ConfigError unless ``folder`` is (or can be made) a folder, writable when ``write``."""
    problem = _kind_problem(folder, want_folder=True) or (_probe(folder) if write else None)
    if problem:
        raise ConfigError(f"{flag} {str(folder)!r}: {problem}")


def check_file(path: Path, flag: str) -> None:
    """A ConfigError unless ``path`` can be written as a file: not a folder, in a folder that is (or can
    be made) writable, and not a read-only file."""
    problem = (_kind_problem(path, want_folder=False) or _kind_problem(path.parent, want_folder=True)
               or _probe(path.parent))
    if not problem and path.exists() and not os.access(path, os.W_OK):
        problem = "is not writable"
    if problem:
        raise ConfigError(f"{flag} {str(path)!r}: {problem}")


def check_store(root: Path, write: bool = True) -> None:
    """A ConfigError unless ``root`` can serve as a results store: a folder (or one that can be made),
    writable when ``write``, whose parts have the kinds they should."""
    check_folder(root, "--store", write)
    for name in STORE_FOLDERS:
        if (root / name).exists() and not (root / name).is_dir():
            raise ConfigError(f"--store {str(root)!r}: {root / name} should be a folder but is a file")
    for name in STORE_FILES:
        part = root / name
        if part.is_dir():
            raise ConfigError(f"--store {str(root)!r}: {part} should be a file but is a folder")
        if write and part.exists() and not os.access(part, os.W_OK):
            raise ConfigError(f"--store {str(root)!r}: {part} is not writable")
