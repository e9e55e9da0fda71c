"""The benchmark table: numbers without exponents, one note per row, written between the markers."""

from pathlib import Path

import pytest

from rflab.bench import markdown
from rflab.files import markers, write_between_markers

RESULTS = {"data": {"peak_rss_mib": 1431.2, "rows": [
    {"case": "Ising", "seconds": 0.00732, "baseline": "Metropolis", "baseline_seconds": 0.651, "ratio": 88.93,
     "note": "exact sampler"},
    {"case": "long", "seconds": 1.67, "baseline": "projected", "baseline_seconds": 1113.4, "ratio": 666.7,
     "note": ""}]}}


def test_markdown_rows_numbers_and_notes() -> None:
    text = markdown(RESULTS, quick=False)
    rows = [line for line in text.splitlines() if line.startswith("| 1 ") or line.startswith("| 2 ")]
    assert rows[0] == "| 1 | data | Ising | 0.00732 s | Metropolis | 0.651 s | 89x | 1431 MiB |"
    assert rows[1] == "| 2 | data | long | 1.67 s | projected | 1113 s | 667x | 1431 MiB |"
    assert "1. exact sampler" in text and "\n2. " not in text and "e+" not in text
    assert "--quick" in markdown(RESULTS, quick=True)


def test_table_replaces_what_lies_between_the_markers(tmp_path: Path) -> None:
    start, end = markers("bench")
    readme = tmp_path / "README.md"
    readme.write_text(f"# head\n{start}\nold table\n{end}\ntail\n")
    write_between_markers(readme, "bench", "new table")
    assert readme.read_text() == f"# head\n{start}\nnew table\n{end}\ntail\n"
    bare = tmp_path / "bare.md"
    bare.write_text("no markers\n")
    with pytest.raises(ValueError, match="markers"):
        write_between_markers(bare, "bench", "x")
    assert bare.read_text() == "no markers\n"


def test_every_benchmark_file_loads_as_rflab_bench_loads_it() -> None:
    """``rflab bench`` imports each file by path; a dataclass in one (bench_claim32) needs its module
    registered while it executes."""
    from rflab.bench import find, load

    found = find(Path(__file__).resolve().parents[1])
    assert "claim32" in found
    for name, path in found.items():
        assert callable(load(path).run), name
