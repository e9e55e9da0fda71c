"""A kept set of hostile commands and damaged stores: each ends in at most one line on stderr, no
traceback, the right exit status, and a store left exactly as it was.

Most run in this process through ``rflab.cli.main`` (the same handlers as the installed command,
without paying for a Python start each); a few go through the real entry point in a subprocess.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import Cli

from rflab.results.store import Store

Setup = Callable[[Path], None]


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` with the hash of its bytes (folders: "dir")."""
    if not root.exists():
        return {}
    if root.is_file():
        return {".": hashlib.sha256(root.read_bytes()).hexdigest()}
    return {p.relative_to(root).as_posix(): "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))}


def good(root: Path) -> None:
    """A store of three runs (small made-up ones: the commands below never train)."""
    store = Store(root)
    for i in range(3):
        store.put(f"run{i}", "rf-neuron", i, {"lr": 0.1, "data": "nlgp"}, {"ipr": 0.1 * i}, 1.0,
                  {"w": np.arange(50.0) * i}, lambda folder: (folder / "receptive_fields.png").write_bytes(b"p" * 300))


def corrupt_index(root: Path) -> None:
    good(root)
    (root / "index.sqlite").write_bytes(b"not a database at all" * 50)


def lost_index(root: Path) -> None:
    good(root)
    (root / "index.sqlite").unlink()


def truncated_arrays(root: Path) -> None:
    good(root)
    path = root / "runs" / "run1" / "arrays.npz"
    path.write_bytes(path.read_bytes()[:100])


def is_file(root: Path) -> None:
    root.write_text("not a store")


def tmp_is_file(root: Path) -> None:
    good(root)
    (root / "tmp").rmdir()
    (root / "tmp").write_text("x")


def csv_folder(root: Path) -> None:
    good(root)
    (root / "figures" / "runs.csv").mkdir(parents=True)


def damaged_manifest(root: Path) -> None:
    good(root)
    (root / "reproduce-quick.json").write_text('{"scale": "quick", "steps": {"dipole-3d/hinton-problems": {"kind": "ru')


def nothing(root: Path) -> None:
    """No store at all: a command that fails must not create one."""


HOSTILE: list[tuple[str, Setup, list[str], int, str]] = [
    # values that pass a naive check and crash later, or are out of their domain
    ("inf rate", nothing, ["run", "rf-neuron", "--set", "lr=inf"], 2, "lr=inf: input should be a finite number"),
    ("nan width", nothing, ["run", "dipole-3d", "--set", "sigma=nan"], 2, "sigma=nan"),
    ("overflowing float", nothing, ["run", "dipole-3d", "--set", "lr=1e999"], 2, "lr=1e999"),
    ("width past float32", nothing, ["run", "dipole-3d", "--set", "sigma=1e300"], 2, "sigma=1e300"),
    ("fewer images than neighbours", nothing, ["run", "dipole-3d", "--set", "n_train=5"], 2, "knn_k=10"),
    ("bars classes too small", nothing, ["run", "bars-what-where", "--set", "n_train=15"], 2, "2 x knn_k"),
    ("too few held-out images", nothing, ["run", "dipole-3d", "--set", "n_test=2"], 2, "n_test=2"),
    ("isomap without neighbours", nothing, ["run", "dipole-3d", "--set", "n_train=10"], 2, "Isomap"),
    ("no unit grid", nothing, ["run", "dipole-3d", "--preset", "hinton-problems", "--set", "n_units=13"], 2,
     "mu_init=grid"),
    ("64-bit size", nothing, ["run", "dipole-3d", "--set", "epochs=99999999999"], 2, "epochs=99999999999"),
    ("huge lattice side", nothing, ["run", "rf-neuron", "--set", "N=99999999999"], 2, "N=99999999999"),
    ("gallery too tall", nothing, ["run", "rf-committee", "--set", "units=5000"], 2, "units=5000"),
    ("bad pair", nothing, ["run", "rf-neuron", "--set", "xi=1,2,3"], 2, "xi="),
    ("unknown data model", nothing, ["run", "rf-neuron", "--set", "data=fog"], 2, "unknown data model 'fog'"),
    ("key of another model", nothing, ["run", "rf-neuron", "--set", "data=ising", "--set", "g=3"], 2, "g"),
    ("ising on a torus", nothing, ["run", "rf-neuron", "--preset", "ising", "--set", "dims=2"], 2, "ring-only"),
    ("empty key", nothing, ["run", "dipole-3d", "--set", "=3"], 2, "expected key=value"),
    ("seed past 32 bits", nothing, ["run", "dipole-3d", "--seed", "4294967296"], 2, "--seed '4294967296'"),
    ("superscript seed", nothing, ["run", "dipole-3d", "--seed", "\u00b2"], 2, "--seed"),
    ("negative range", nothing, ["run", "dipole-3d", "--seeds", "-3-4"], 2, "--seeds '-3-4'"),
    # requests that would exhaust the machine
    ("a hundred million seeds", nothing, ["run", "dipole-3d", "--seeds", "0-100000000"], 2, "--memory-limit"),
    ("a billion images", nothing, ["run", "dipole-3d", "--set", "n_train=1000000000"], 2, "--memory-limit"),
    ("batch times lattice", nothing, ["run", "rf-committee", "--set", "N=3000", "--set", "dims=2",
                                      "--set", "batch_size=100000"], 2, "--memory-limit"),
    ("snapshots of everything", nothing, ["run", "rf-neuron", "--set", "steps=2000000000",
                                          "--set", "snapshots=2000000000"], 2, "--memory-limit"),
    ("limit too small", nothing, ["run", "dipole-3d", "--memory-limit", "1M"], 2, "set by --memory-limit"),
    ("limit not a size", nothing, ["run", "dipole-3d", "--memory-limit", "lots"], 2, "--memory-limit 'lots'"),
    ("grid product", nothing, ["sweep", "rf-neuron", *[a for k in ("lr", "steps", "batch_size", "snapshots")
                                                       for a in ("--grid", f"{k}=" + ",".join(map(str, range(2, 60))))],
                               "--seeds", "0-999"], 2, "use shorter grids"),
    ("too many workers", nothing, ["sweep", "rf-neuron", "--grid", "lr=0.1", "--executor", "dask",
                                   "--workers", "100000"], 2, "use fewer --workers"),
    ("claim32 on a hundred million seeds", nothing, ["theory", "claim32", "--scale", "quick", "--seeds", "100000000",
                                                   "--out", "{tmp}/claim32"], 2, "the records of 2000000000 runs"),
    ("describe a huge lattice", nothing, ["data", "describe", "nlgp", "--set", "N=50000"], 2, "--memory-limit"),
    # other commands' options
    ("grid value inf", nothing, ["sweep", "rf-neuron", "--grid", "lr=0.1,inf"], 2, "lr=inf"),
    ("grid and set", nothing, ["sweep", "rf-neuron", "--grid", "lr=0.1", "--set", "lr=0.2"], 2, "give it in one"),
    ("no workers", nothing, ["sweep", "rf-neuron", "--grid", "lr=0.1", "--executor", "dask", "--workers", "0"], 2,
     "--workers 0"),
    ("unknown figure", nothing, ["figure", "fig9"], 2, "unknown figure 'fig9'"),
    ("unknown scale", nothing, ["figure", "fig2", "--scale", "huge"], 2, "--scale 'huge'"),
    ("reproduce scale", nothing, ["reproduce", "--scale", "huge"], 2, "--scale 'huge'"),
    ("report scale", good, ["report", "--scale", "huge"], 2, "--scale 'huge'"),
    ("describe one sample", nothing, ["data", "describe", "nlgp", "--samples", "1"], 2, "--samples=1"),
    ("describe class 2", nothing, ["data", "describe", "nlgp", "--class", "2"], 2, "--class=2"),
    ("describe negative seed", nothing, ["data", "describe", "nlgp", "--seed", "-1"], 2, "--seed=-1"),
    ("amplifier outside [-1, 1]", nothing, ["theory", "amplifier", "--data", "kur", "--a", "2"], 2, "a=2"),
    ("claim32 no seeds", nothing, ["theory", "claim32", "--seeds", "0"], 2, "--seeds=0"),
    ("unknown command", nothing, ["frobnicate"], 2, "No such command"),
    ("unknown option", nothing, ["run", "dipole-3d", "--colour", "red"], 2, "No such option"),
    # store paths that cannot work
    ("store is a file", is_file, ["run", "dipole-3d"], 2, "is a file, not a folder"),
    ("store under a file", is_file, ["runs", "--store-under"], 2, "no folder can be made under it"),
    ("store in /proc", nothing, ["run", "dipole-3d", "--store", "/proc/rflab-hostile"], 2, "cannot write in /proc"),
    ("figure store is a file", is_file, ["figure", "fig2"], 2, "is a file, not a folder"),
    ("reproduce store is a file", is_file, ["reproduce"], 2, "is a file, not a folder"),
    ("sweep store is a file", is_file, ["sweep", "rf-neuron", "--grid", "lr=0.1"], 2, "is a file, not a folder"),
    ("store part is a file", tmp_is_file, ["run", "rf-neuron"], 2, "tmp should be a folder but is a file"),
    ("export into a file", good, ["runs", "--export", "{store}/runs/run0/arrays.npz/x.csv"], 2, "no folder can be"),
    ("export to a folder", csv_folder, ["runs", "--export", "{store}/figures/runs.csv"], 2, "is a folder, not a file"),
    ("export format", good, ["runs", "--export", "{store}/x.txt"], 2, "must end in .csv or .parquet"),
    ("report into a folder", good, ["report", "--out", "{store}/runs"], 2, "is a folder, not a file"),
    ("figure out is a file", good, ["figure", "fig2", "--out", "{store}/index.sqlite"], 2, "is a file, not a folder"),
    ("describe out is a file", good, ["data", "describe", "nlgp", "--out", "{store}/index.sqlite"], 2,
     "is a file, not a folder"),
    ("check a file", is_file, ["store", "check"], 2, "is a file, not a folder"),
    ("rebuild nothing", nothing, ["store", "rebuild-index"], 2, "has no runs/ folder"),
    # damaged stores
    ("list a corrupt index", corrupt_index, ["runs"], 2, "rflab store rebuild-index --store"),
    ("sweep on a corrupt index", corrupt_index, ["sweep", "rf-neuron", "--grid", "lr=0.1"], 2, "rebuild-index"),
    ("run on a corrupt index", corrupt_index, ["run", "rf-neuron"], 2, "rebuild-index"),
    ("report on a corrupt index", corrupt_index, ["report", "--out", "{tmp}/report.html"], 2, "rebuild-index"),
    ("list a lost index", lost_index, ["runs"], 2, "has run folders but no index"),
    ("report on a damaged manifest", damaged_manifest, ["report"], 2, "the reproduce manifest"),
    ("reproduce on a damaged manifest", damaged_manifest, ["reproduce"], 2, "remove it and run rflab reproduce"),
    ("check a damaged run", truncated_arrays, ["store", "check"], 1, "1 damaged"),
    ("check a corrupt index", corrupt_index, ["store", "check"], 1, "the index cannot be read"),
    ("check a good store", good, ["store", "check"], 0, "3 runs checked, 0 damaged"),
]


def command(args: list[str], root: Path, tmp: Path) -> list[str]:
    """The arguments with {store} and {tmp} filled in, and --store ROOT added where the command takes it
    (``--store-under`` stands for a store inside the store path)."""
    args = [a.format(store=root, tmp=tmp) for a in args]
    if "--store-under" in args:
        return [a if a != "--store-under" else "--store" for a in args] + [str(root / "sub")]
    takes_store = args[0] in ("run", "sweep", "runs", "figure", "reproduce", "report", "store")
    return [*args, "--store", str(root)] if takes_store and "--store" not in args else args


@pytest.mark.parametrize(("setup", "args", "status", "says"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_command_is_one_line_with_the_right_status_and_leaves_the_store_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setup: Setup,
        args: list[str], status: int, says: str, cli: Cli) -> None:
    if "/proc" in " ".join(args) and not Path("/proc/self").exists():
        pytest.skip("needs Linux's /proc")
    root = tmp_path / "store"
    setup(root)
    monkeypatch.setenv("RFLAB_STORE", str(root))
    monkeypatch.chdir(tmp_path)
    before = snapshot(root)
    code, out, err = cli(command(args, root, tmp_path))
    assert code == status, err
    assert err.count("\n") <= 1 and "Traceback" not in err, err
    assert says in err, err
    assert snapshot(root) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == (["store"] if before else [])
    if status == 2:
        assert err.startswith("error: ") and out == ""


@pytest.mark.parametrize(("setup", "args", "says"), [
    (nothing, ["run", "dipole-3d", "--seeds", "0-100000000"], "--memory-limit"),
    (corrupt_index, ["runs"], "rflab store rebuild-index"),
    (is_file, ["figure", "fig2"], "is a file, not a folder"),
])
def test_the_installed_entry_point_answers_in_one_line_too(tmp_path: Path, setup: Setup, args: list[str],
                                                          says: str) -> None:
    root = tmp_path / "store"
    setup(root)
    before = snapshot(root)
    result = subprocess.run([sys.executable, "-m", "rflab", *args, "--store", str(root)], capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and says in result.stderr and "Traceback" not in result.stderr
    assert snapshot(root) == before


def fake_run(calls: list[list[int]], interrupt_after: int | None = None):
    """An experiment run that returns tiny results (and, if asked, is interrupted after some calls)."""
    from rflab.experiments.base import SeedResult

    def run(cfg, seeds, progress=None):
        if interrupt_after is not None and len(calls) >= interrupt_after:
            raise KeyboardInterrupt
        calls.append(list(seeds))
        return [SeedResult(s, {"ipr": 0.5 + s}, {"w": np.full(10, float(s))}, 0.1,
                           lambda folder: (folder / "receptive_fields.png").write_bytes(b"png" * 100)) for s in seeds]

    return run


@pytest.fixture
def fake_neuron(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """rf-neuron with a run that does not train; the seeds of each call are recorded."""
    import dataclasses

    from rflab import experiments

    calls: list[list[int]] = []
    neuron = dataclasses.replace(experiments.EXPERIMENTS["rf-neuron"], run=fake_run(calls))
    monkeypatch.setitem(experiments.EXPERIMENTS, "rf-neuron", neuron)
    return calls


def test_a_damaged_run_is_reported_with_its_id_and_path_and_recomputed(
        tmp_path: Path,
        fake_neuron: list[list[int]], cli: Cli) -> None:
    root = tmp_path / "store"
    code, out, _ = cli(["run", "rf-neuron", "--seeds", "0-2", "--json", "--store", str(root)])
    assert code == 0 and fake_neuron == [[0, 1, 2]]
    first = json.loads(out)
    rid = next(r.run_id for r in Store(root).runs() if r.seed == 1)
    arrays = root / "runs" / rid / "arrays.npz"
    arrays.write_bytes(arrays.read_bytes()[:50])
    code, out, err = cli(["run", "rf-neuron", "--seeds", "0-2", "--json", "--store", str(root)])
    assert code == 0 and fake_neuron == [[0, 1, 2], [1]]
    assert f"warning: run {rid} at {root / 'runs' / rid} is damaged (arrays.npz does not match its checksum)" in err
    assert json.loads(out)["metrics"] == first["metrics"]
    assert Store(root).check().damaged == []


def test_ctrl_c_during_run_keeps_the_finished_runs_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli) -> None:
    import dataclasses

    from rflab import experiments, resources

    calls: list[list[int]] = []
    neuron = dataclasses.replace(experiments.EXPERIMENTS["rf-neuron"], run=fake_run(calls, interrupt_after=2),
                                 footprint=lambda cfg: resources.Footprint(100 * resources.MiB))
    monkeypatch.setitem(experiments.EXPERIMENTS, "rf-neuron", neuron)
    root = tmp_path / "store"
    code, _, err = cli(["run", "rf-neuron", "--seeds", "0-4", "--memory-limit", "250M", "--store", str(root)])
    assert code == 130 and calls == [[0, 1], [2, 3]]
    assert err.strip().splitlines()[-1] == (f"error: interrupted: 4 of the 5 runs to compute finished and are stored "
                                            f"in {root}; nothing partial was written, and the same command computes "
                                            "the rest")
    assert sorted(r.seed for r in Store(root).runs()) == [0, 1, 2, 3]
    assert list((root / "tmp").iterdir()) == [] and Store(root).check().damaged == []


def test_ctrl_c_during_a_figure_leaves_no_file_and_says_what_was_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli) -> None:
    from rflab.figures import Figure, Inputs, Scale

    def interrupted(inputs: Inputs[None]) -> list[Path]:
        inputs.file(".png").write_bytes(b"half a figure")
        raise KeyboardInterrupt

    monkeypatch.setattr("rflab.figures.FIGURES", {"fig2": Figure("fig2", "test", {"paper": Scale({})}, interrupted)})
    root = tmp_path / "store"
    (root / "figures").mkdir(parents=True)
    (root / "figures" / "fig2-paper.png").write_bytes(b"the previous figure")
    code, _, err = cli(["figure", "fig2", "--store", str(root)])
    assert code == 130 and err.count("\n") == 1
    assert "error: interrupted: figure fig2 was not written" in err and f"kept in {root}" in err
    assert [p.name for p in (root / "figures").iterdir()] == ["fig2-paper.png"]
    assert (root / "figures" / "fig2-paper.png").read_bytes() == b"the previous figure"


def test_ctrl_c_during_reproduce_keeps_the_steps_done_and_says_where(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        fake_neuron: list[list[int]], cli: Cli) -> None:
    from rflab.figures import Figure, Inputs, Scale
    from rflab.report import reproduce as rp
    from rflab.results.cache import RunSpec

    def interrupted(inputs: Inputs[None]) -> list[Path]:
        inputs.file(".png").write_bytes(b"half")
        raise KeyboardInterrupt

    steps = [rp.RunStep("rf-neuron/x", RunSpec("rf-neuron", None, {}, (0, 1))), rp.FigureStep("broken")]
    monkeypatch.setattr(rp, "plan", lambda scale: steps)
    monkeypatch.setattr("rflab.figures.FIGURES", {"broken": Figure("broken", "test", {"quick": Scale({})},
                                                                   interrupted)})
    root = tmp_path / "store"
    code, _, err = cli(["reproduce", "--store", str(root)])
    assert code == 130
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: interrupted: during figure broken; the 1 steps done before it are kept")
    assert str(rp.manifest_path(root, "quick")) in last
    assert set(rp.load_manifest(root, "quick")["steps"]) == {"rf-neuron/x"}
    assert not (root / "figures").exists() or list((root / "figures").iterdir()) == []
    assert len(Store(root).runs()) == 2


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigint_during_a_real_run_leaves_a_consistent_store(tmp_path: Path) -> None:
    """Ctrl-C as the terminal sends it, to the installed command training real seeds one at a time."""
    root = tmp_path / "store"
    from rflab import resources
    from rflab.experiments import get_experiment

    neuron = get_experiment("rf-neuron")
    settings = {"steps": "3000", "batch_size": "256", "N": "16", "snapshots": "2"}
    footprint = neuron.footprint(neuron.configure(None, settings))
    limit = 4 * resources.KEPT_PER_RUN + footprint.once + footprint.per_seed + footprint.per_seed // 2
    args = [sys.executable, "-m", "rflab", "run", "rf-neuron", "--seeds", "0-3", "--store", str(root),
            "--memory-limit", str(limit), *[a for k, v in settings.items() for a in ("--set", f"{k}={v}")]]
    # a shell's background job has SIGINT ignored, and a child inherits that through exec (Python then
    # installs no handler); a handled SIGINT is reset to the default at exec, which is what a terminal's
    # foreground command has and Ctrl-C meets
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen(args, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    deadline = time.time() + 180
    while time.time() < deadline and not (root / "runs").exists():
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("error: interrupted: ")
    report = Store(root).check()
    assert report.damaged == [] and report.not_indexed == [] and report.index_problem is None
    assert 1 <= report.checked < 4
    assert [p for p in (root / "tmp").iterdir()] == []
    assert os.path.exists(root / "index.sqlite")


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the swallowed interrupt itself
def test_a_ctrl_c_python_swallows_ends_the_command_at_the_next_progress_report() -> None:
    """Python drops a KeyboardInterrupt raised inside a weakref callback ("Exception ignored"), where a
    Ctrl-C can land while JAX frees arrays; the command line's handler remembers it, so the next
    progress report raises it again, and a new command starts with none pending."""
    import weakref

    from rflab.cli import progress
    from rflab.files import INTERRUPTED, interrupt

    class Thing:
        pass

    thing = Thing()
    ref = weakref.ref(thing, lambda _: interrupt(signal.SIGINT, None))
    try:
        del thing  # the callback's KeyboardInterrupt is printed as ignored, not raised here
        assert ref() is None and INTERRUPTED.is_set()
        with pytest.raises(KeyboardInterrupt):
            progress.ConsoleWatch("training").step(2, 2)
    finally:
        INTERRUPTED.clear()


def test_a_swallowed_ctrl_c_prints_no_traceback_but_other_unraisable_errors_still_show(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Under the command line's hook, the KeyboardInterrupt Python drops in a weakref callback leaves stderr
    empty (a Ctrl-C once printed "Exception ignored ... Traceback" before the command's one line), while
    another exception dropped the same way is shown as Python shows it."""
    import weakref

    from rflab import cli
    from rflab.files import INTERRUPTED, interrupt

    class Thing:
        pass

    def drop(callback: Callable[[Any], None]) -> None:
        thing = Thing()
        ref = weakref.ref(thing, callback)
        del thing
        assert ref() is None

    def fail(_: Any) -> None:
        raise RuntimeError("a finaliser's own error")

    monkeypatch.setattr(sys, "unraisablehook", cli._unraisable)
    try:
        drop(lambda _: interrupt(signal.SIGINT, None))
        assert INTERRUPTED.is_set() and capsys.readouterr().err == ""
        drop(fail)
        assert "RuntimeError: a finaliser's own error" in capsys.readouterr().err
    finally:
        INTERRUPTED.clear()


def test_the_command_line_gives_back_the_unraisable_hook_it_found(cli: Cli, tmp_path: Path) -> None:
    """A command run in-process (a notebook, a test session) leaves the caller's hook in place afterwards,
    not Python's default: pytest's own hook reports unraisable errors for the rest of the session."""
    before = sys.unraisablehook
    code, _, _ = cli(["runs", "--store", str(tmp_path / "store")])
    assert code == 0 and sys.unraisablehook is before
