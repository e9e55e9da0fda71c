"""``rflab data describe``: JSON contract, table, figure, and one-line errors with nothing written."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rflab.cli import main

KEYS = {
    "kurtosis_exact", "kurtosis_empirical", "excess_kurtosis_exact", "excess_kurtosis_empirical",
    "variance_exact", "variance_empirical", "max_cov_error", "n_samples", "figure",
}


def run_main(monkeypatch, *args: str) -> int:
    """Call the ``rflab`` entry point in-process with the given arguments; its exit status."""
    monkeypatch.setattr(sys, "argv", ["rflab", *args])
    try:
        main()
    except SystemExit as exit_info:
        return exit_info.code or 0
    return 0


def test_describe_json_end_to_end(tmp_path):
    out = tmp_path / "kur"
    proc = subprocess.run(
        [sys.executable, "-m", "rflab", "data", "describe", "kur", "--set", "k=10", "--set", "N=32",
         "--json", "--samples", "4000", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert KEYS <= set(result)
    assert result["n_samples"] == 4000 and result["params"]["k"] == 10.0
    assert result["kurtosis_exact"] == pytest.approx(2.0701, abs=1e-4)
    assert abs(result["variance_empirical"] - 1.0) < 0.05
    assert (out / "describe.png").stat().st_size > 10_000
    assert json.loads((out / "describe.json").read_text())["figure"] == result["figure"]


def test_describe_table_and_store_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RFLAB_STORE", str(tmp_path / "store"))
    assert run_main(monkeypatch, "data", "describe", "ising", "--samples", "500", "--class", "0") == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "kurtosis" in captured.err and "1.0000" in captured.err
    (folder,) = (tmp_path / "store" / "data").iterdir()
    assert folder.name.startswith("ising-") and (folder / "describe.png").exists()


def test_infinite_kurtosis_is_null_in_json(tmp_path, monkeypatch, capsys):
    status = run_main(monkeypatch, "data", "describe", "elliptical", "--set", "radial=t", "--set",
                      "nu=3", "--json", "--samples", "500", "--out", str(tmp_path))
    assert status == 0
    result = json.loads(capsys.readouterr().out)
    assert result["kurtosis_exact"] is None and result["excess_kurtosis_exact"] is None
    assert result["kurtosis_empirical"] > 3


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["nlgp", "--set", "g=-1"], "g="),
        (["nlgp", "--set", "g=0"], "g="),
        (["kur", "--set", "k=2"], "k="),
        (["elliptical", "--set", "nu=2"], "nu="),
        (["gaussian", "--set", "xi=0,3"], "xi"),
        (["gaussian", "--set", "N=1"], "N="),
        (["elliptical", "--set", "radial=box"], "radial="),
        (["ising", "--set", "dims=2"], "dims="),
        (["hopfield"], "unknown data model"),
        (["kur", "--set", "kk=5"], "unknown key 'kk'"),
        (["kur", "--samples", "1"], "--samples"),
        (["kur", "--class", "2"], "--class"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, monkeypatch, capsys, args, needle):
    monkeypatch.chdir(tmp_path)
    assert run_main(monkeypatch, "data", "describe", *args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and needle in err
    assert list(tmp_path.iterdir()) == []


def test_figure2_quick(tmp_path):
    from rflab.figures import get_figure, render
    from rflab.results.store import Store

    (path,) = render(get_figure("fig2"), "quick", tmp_path / "fig2", Store(tmp_path / "store"))
    assert path.name == "fig2-quick.png" and path.stat().st_size > 50_000


def test_data_list_names_every_registered_model_with_its_settings(cli) -> None:
    import json

    from rflab.data import registry

    code, out, _ = cli(["data", "list", "--json"])
    models = json.loads(out)["models"]
    assert code == 0 and list(models) == list(registry.MODELS)
    assert models["kur"]["settings"] == ["N", "dims", "xi", "k"] and models["kur"]["numerics"] == 4
    assert models["ising-clone"]["summary"].startswith("Gaussian clone of: Ising ring")
