"""Store and output paths are checked before any work: a file where a folder is needed, a folder where
a file is needed, a read-only filesystem and a folder that cannot be written each end in one line, and
the check leaves nothing behind."""

from __future__ import annotations

import errno
import re
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


def test_figure_readme_writes_its_wall_time_runs_and_machine_between_its_markers(tmp_path: Path, cli: Cli) -> None:
    """``rflab figure NAME --readme PAGE`` writes one line between the 'figure NAME SCALE' markers (how
    long the command took, how many of its runs it trained, the machine) and leaves the rest as it was."""
    from rflab.bench import machine

    page = tmp_path / "README.md"
    page.write_text("# r\n<!-- rflab figure fig2 quick: start -->\nold\n<!-- rflab figure fig2 quick: end -->\ntail\n")
    code, _, err = cli(["figure", "fig2", "--scale", "quick", "--store", str(tmp_path / "s"), "--readme", str(page)])
    assert code == 0, err
    lines = page.read_text().splitlines()
    assert lines[:2] == ["# r", "<!-- rflab figure fig2 quick: start -->"] and len(lines) == 5
    assert lines[3:] == ["<!-- rflab figure fig2 quick: end -->", "tail"]
    line = lines[2]
    assert re.fullmatch(r"`rflab figure fig2 --scale quick` took \d+\.\d min of wall time and \d+\.\d\d GiB of "
                        r"host memory at the peak, with no runs to train, on "
                        + re.escape(machine()) + r" \(rflab .+\)\.", line), line


@pytest.mark.parametrize(("trained", "runs", "says"), [
    (1300, 1300, "training all 1300 of its runs, on"),
    (12, 1300, "training 12 of its 1300 runs (the others were in the store), on"),
    (0, 1300, "training 0 of its 1300 runs (the others were in the store), on"),
])
def test_figure_time_counts_the_runs_trained_and_the_minutes(trained: int, runs: int, says: str) -> None:
    from rflab.report.markdown import figure_time

    line = figure_time("claim32", "paper", 190.9, 3 * 1024, trained, runs)
    assert line.startswith("`rflab figure claim32 --scale paper` took 3.2 min of wall time and 3.00 GiB of host "
                           f"memory at the peak, {says}")
