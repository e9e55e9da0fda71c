"""``rflab theory amplifier``: JSON contract, grid table, figure, one-line errors with nothing written."""

from __future__ import annotations

import json
import math

import pytest
from scipy import special
from test_data_cli import run_main  # the rflab entry point called in-process


def test_single_value_json(tmp_path, monkeypatch, capsys):
    out = tmp_path / "amp"
    assert run_main(monkeypatch, "theory", "amplifier", "--data", "ising", "--a", "0.5", "--json",
                    "--out", str(out)) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert {"a", "phi", "phi_taylor", "excess_kurtosis"} <= set(result)
    assert result["a"] == 0.5
    assert result["phi"] == pytest.approx(special.erf(0.5 / math.sqrt(2 * 0.75)), rel=1e-14)
    assert result["excess_kurtosis"] == pytest.approx(-2.0)
    assert result["phi_taylor"] == pytest.approx(math.sqrt(2 / math.pi) * (0.5 + 2 * 0.125 / 6))
    assert (out / "amplifier.png").stat().st_size > 10_000
    assert json.loads((out / "amplifier.json").read_text())["phi"] == result["phi"]


def test_grid_table_and_infinite_kurtosis(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RFLAB_STORE", str(tmp_path / "store"))
    assert run_main(monkeypatch, "theory", "amplifier", "--data", "kur", "--set", "k=5", "--points", "5") == 0
    captured = capsys.readouterr()
    assert "0.75" in captured.out and "phi_taylor" in captured.out
    (folder,) = (tmp_path / "store" / "theory").iterdir()
    assert folder.name.startswith("amplifier-kur-") and (folder / "amplifier.png").exists()
    assert run_main(monkeypatch, "theory", "amplifier", "--data", "elliptical", "--set", "radial=t", "--set", "nu=3",
                    "--points", "3", "--json", "--out", str(tmp_path / "t3")) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["excess_kurtosis"] is None and result["phi_taylor"] is None and len(result["phi"]) == 3


@pytest.mark.parametrize("args, field", [
    (("--data", "kur", "--a", "1.5"), "a=1.5"),
    (("--data", "kur", "--set", "q=5"), "unknown key 'q'"),
    (("--data", "nope"), "unknown data model 'nope'"),
    (("--data", "kur", "--points", "1"), "points=1"),
])
def test_bad_input_is_one_line_exit_2_nothing_written(tmp_path, monkeypatch, capsys, args, field):
    out = tmp_path / "never"
    assert run_main(monkeypatch, "theory", "amplifier", *args, "--out", str(out)) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and field in err
    assert not out.exists()
