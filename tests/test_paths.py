"""Store and output paths are checked before any work: a file where a folder is needed, a folder where
a file is needed, a read-only filesystem and a folder that cannot be written each end in one line, and
the check leaves nothing behind."""

from __future__ import annotations

import errno
import tempfile
from pathlib import Path

import pytest
from conftest import Cli

from rflab import paths
from rflab.config import ConfigError


def test_a_folder_that_can_be_made_passes_and_is_not_made(tmp_path: Path) -> None:
    paths.check_store(tmp_path / "a" / "b" / "store")
    paths.check_file(tmp_path / "c" / "out.csv", "--export")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_store_passes_and_is_left_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "runs").mkdir()
    (tmp_path / "index.sqlite").write_bytes(b"x")
    paths.check_store(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.sqlite", "runs"]


@pytest.mark.parametrize(("make", "target", "says"), [
    (lambda t: (t / "f").write_text("x"), "f", "is a file, not a folder"),
    (lambda t: (t / "f").write_text("x"), "f/sub/store", "f is a file, so no folder can be made under it"),
    (lambda t: (t / "s").mkdir() or (t / "s" / "runs").write_text("x"), "s", "s/runs should be a folder but is a file"),
    (lambda t: (t / "s" / "index.sqlite").mkdir(parents=True), "s", "index.sqlite should be a file but is a folder"),
])
def test_a_store_that_cannot_be_a_store_is_one_line(tmp_path: Path, make, target: str, says: str) -> None:
    make(tmp_path)
    with pytest.raises(ConfigError) as caught:
        paths.check_store(tmp_path / target)
    assert says in str(caught.value) and str(caught.value).startswith("--store ")


def test_an_output_file_that_is_a_folder_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"--out .*: is a folder, not a file"):
        paths.check_file(tmp_path, "--out")


@pytest.mark.parametrize(("code", "says"), [(errno.EROFS, "is on a read-only filesystem"),
                                            (errno.EACCES, "cannot write in .* \\(Permission denied\\)")])
def test_a_folder_that_cannot_be_written_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int,
                                                     says: str) -> None:
    """What the probe meets on a read-only mount or a folder without write permission (as root, the
    permission bits alone would not stop it, so the filesystem's answer is simulated here)."""
    def refuse(dir: str, prefix: str) -> tuple[int, str]:
        raise OSError(code, {errno.EROFS: "Read-only file system", errno.EACCES: "Permission denied"}[code], dir)

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(ConfigError, match=says):
        paths.check_store(tmp_path / "new" / "store")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux's /proc")
def test_a_folder_where_nothing_can_be_made_is_one_line() -> None:
    with pytest.raises(ConfigError, match="--store '/proc/rflab-store': cannot write in /proc"):
        paths.check_store(Path("/proc/rflab-store"))


def test_figure_takes_a_store_and_writes_its_files_whole_into_store_figures(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli) -> None:
    monkeypatch.delenv("RFLAB_STORE", raising=False)
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(["figure", "fig2", "--scale", "quick", "--store", "s"])
    assert code == 0, err
    assert out.split() == [str(Path("s/figures/fig2-quick.png"))]
    assert [p.name for p in (tmp_path / "s" / "figures").iterdir()] == ["fig2-quick.png"]
    assert not (tmp_path / "rflab-results").exists()
