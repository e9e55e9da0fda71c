"""The results store: round trips, keys, no pickle, and atomic writes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rflab.results.store import Store, run_id


def put(store: Store, rid: str = "abc", **kw) -> None:
    args = {"experiment": "e", "seed": 0, "config": {"lr": 0.1}, "metrics": {"m": 1.5},
            "train_seconds": 2.0, "arrays": {"w": np.arange(6.0).reshape(2, 3)}} | kw
    store.put(rid, **args)


def test_round_trip(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    put(store, write_files=lambda folder: (folder / "fig.png").write_bytes(b"png"))
    run = store.get("abc")
    assert run is not None
    assert run.metrics == {"m": 1.5} and run.config == {"lr": 0.1} and run.train_seconds == 2.0
    np.testing.assert_array_equal(run.arrays()["w"], np.arange(6.0).reshape(2, 3))
    assert (run.path / "fig.png").read_bytes() == b"png"
    assert (run.path / "run.json").exists()


def test_nothing_is_created_until_a_put(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    assert store.get("abc") is None
    assert not (tmp_path / "s").exists()


def test_run_id_depends_on_everything_that_sets_the_numbers() -> None:
    base = run_id("e", {"lr": 0.1, "n": 3}, 0)
    assert base == run_id("e", {"n": 3, "lr": 0.1}, 0)
    assert len({base, run_id("e", {"lr": 0.2, "n": 3}, 0), run_id("e", {"lr": 0.1, "n": 3}, 1),
                run_id("f", {"lr": 0.1, "n": 3}, 0)}) == 4


def test_arrays_load_without_pickle(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    put(store, arrays={"bad": np.array([{"a": 1}], dtype=object)})
    run = store.get("abc")
    assert run is not None
    with pytest.raises(ValueError, match="allow_pickle"):
        run.arrays()


def test_a_failure_while_writing_leaves_no_entry(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")

    def crash(folder: Path) -> None:
        (folder / "half.png").write_bytes(b"x")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        put(store, write_files=crash)
    assert store.get("abc") is None
    assert not store.folder("abc").exists()
    assert list((tmp_path / "s" / "tmp").iterdir()) == []


def test_a_folder_without_an_index_row_is_ignored_and_replaced(tmp_path: Path) -> None:
    """What a kill between the rename and the index write leaves behind."""
    store = Store(tmp_path / "s")
    put(store, "other")
    store.folder("abc").mkdir(parents=True)
    np.savez(store.folder("abc") / "arrays.npz", w=np.zeros(1))
    assert store.get("abc") is None
    put(store, metrics={"m": 2.0})
    run = store.get("abc")
    assert run is not None and run.metrics == {"m": 2.0}
    np.testing.assert_array_equal(run.arrays()["w"], np.arange(6.0).reshape(2, 3))


def test_put_replaces_a_stored_run(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    put(store)
    put(store, metrics={"m": 3.0})
    run = store.get("abc")
    assert run is not None and run.metrics == {"m": 3.0}


def test_killed_process_leaves_no_entry(tmp_path: Path) -> None:
    """A process killed with SIGKILL in the middle of writing figures leaves nothing indexed."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        import os, signal, numpy as np
        from rflab.results.store import Store
        def die(folder):
            (folder / "half.png").write_bytes(b"x")
            os.kill(os.getpid(), signal.SIGKILL)
        Store({str(tmp_path / 's')!r}).put("abc", "e", 0, {{}}, {{}}, 1.0, {{"w": np.zeros(3)}}, die)
    """)
    proc = subprocess.run([sys.executable, "-c", script])
    assert proc.returncode == -9
    store = Store(tmp_path / "s")
    assert store.get("abc") is None and not store.folder("abc").exists()
