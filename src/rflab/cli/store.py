"""``rflab store ...``: check a results store for damaged runs and rebuild its index from the run folders."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from rflab.cli.options import StoreOption, store_root
from rflab.cli.progress import err
from rflab.config import ConfigError
from rflab.paths import check_store

app = typer.Typer(help="Check a results store and repair its index.", no_args_is_help=True)


@app.command()
def check(
    store: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the findings as one JSON object")] = False,
) -> None:
    """List damaged runs (a file that does not match its checksum, a missing or unreadable record), run
    folders the index lacks, and an index that cannot be read; exit status 1 when anything is damaged."""
    from rflab.cli import out
    from rflab.results.store import Store

    results = Store(store_root(store))
    check_store(results.root, write=False)
    report = results.check()
    if as_json:
        print(json.dumps({"store": str(results.root), "checked": report.checked, "index": report.index_problem,
                          "damaged": [{"run_id": d.run_id, "path": str(d.path), "problem": d.problem}
                                      for d in report.damaged],
                          "not_indexed": [str(p) for p in report.not_indexed]}))
    else:
        for d in report.damaged:
            out.print(f"damaged {d.run_id} {d.path}: {d.problem}", markup=False, highlight=False, soft_wrap=True)
        for folder in report.not_indexed:
            out.print(f"not indexed {folder.name} {folder}", markup=False, highlight=False, soft_wrap=True)
    repairs = ([f"the index cannot be read ({report.index_problem})"] if report.index_problem else []) + (
        ["rflab run recomputes a damaged run"] if report.damaged else []) + (
        [f"rflab store rebuild-index --store {results.root} indexes every intact run"]
        if report.not_indexed or report.index_problem else [])
    err.print(f"{results.root}: {report.checked} runs checked, {len(report.damaged)} damaged, "
              f"{len(report.not_indexed)} not indexed" + "".join(f"; {r}" for r in repairs),
              markup=False, highlight=False, soft_wrap=True)
    if report.damaged or report.index_problem:
        raise typer.Exit(1)


@app.command("rebuild-index")
def rebuild_index(store: StoreOption = None) -> None:
    """Rebuild the SQLite index from the records in the run folders (for a lost or damaged index; run it
    while nothing else writes to the store); damaged runs are listed and left out."""
    from rflab.cli import out
    from rflab.results.store import Store

    results = Store(store_root(store))
    check_store(results.root)
    if not (results.root / "runs").is_dir():
        raise ConfigError(f"--store {str(results.root)!r}: has no runs/ folder, so there is nothing to index")
    indexed, damaged = results.rebuild_index()
    for d in damaged:
        out.print(f"damaged {d.run_id} {d.path}: {d.problem} (left out)", markup=False, highlight=False,
                  soft_wrap=True)
    err.print(f"rebuilt {results.index}: {indexed} runs indexed, {len(damaged)} damaged left out"
              + ("; rflab run recomputes them" if damaged else ""), markup=False, highlight=False, soft_wrap=True)
