"""``rflab sweep`` (grids of runs, in-process or on Dask) and ``rflab runs`` (query and export the store)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from rflab.cli.options import MemoryOption, StoreOption, memory_bytes, store_root
from rflab.cli.progress import ConsoleWatch, err, progress_bar
from rflab.config import parse_overrides
from rflab.paths import check_file, check_store


def sweep(
    name: Annotated[str, typer.Argument(help="experiment name (see rflab list)")],
    grid: Annotated[list[str], typer.Option(help="key=v1,v2,... (values with commas: key=a,b;c,d); repeatable")],
    seed: Annotated[str | None, typer.Option(help="one seed, a non-negative integer")] = None,
    seeds: Annotated[str | None, typer.Option(help="a range of seeds A-B, inclusive, run together per point")] = None,
    preset: Annotated[str | None, typer.Option(help="a named preset of the experiment")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="a fixed setting for every point: key=value")] = None,
    executor: Annotated[str, typer.Option(help="local (this process) or dask")] = "local",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address (default: a LocalCluster)")] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes of the LocalCluster (default: one per core)")
                       ] = None,
    store: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print exactly one JSON object on stdout")] = False,
    memory_limit: MemoryOption = None,
) -> None:
    """Run every point of a grid for the seeds given; stored runs are not recomputed."""
    from rflab import resources
    from rflab.cli import setup_run
    from rflab.experiments import get_experiment, parse_seeds
    from rflab.results import sweep as sw
    from rflab.results.store import Store

    experiment = get_experiment(name)
    seed_list = parse_seeds(seed, seeds)
    sw.check_executor(executor, scheduler, workers)
    base = parse_overrides(set_ or [])
    values = sw.parse_grid(grid)
    with resources.memory_limit(memory_bytes(memory_limit)):
        plan = sw.plan(experiment, preset, base, values, seed_list, Store(store_root(store)), executor, scheduler,
                       workers)
        points, results, todo = plan.points, plan.store, plan.todo
        total = len(points) * len(seed_list)
        err.print(f"{name}: {len(points)} points x {len(seed_list)} seeds = {total} runs, {total - todo} stored, "
                  f"{todo} to compute ({executor})", highlight=False)
        computed = calls = 0
        if plan.tasks:
            if executor == "local":
                setup_run()
            outcomes = sw.execute(plan, lambda tasks: ConsoleWatch(f"  {sw.call_label(tasks)}"))
            with progress_bar() as bar:
                task = bar.add_task(f"sweep {name}", total=todo)
                given = {id(t.point): len(t.seeds) for t in plan.tasks}
                for outcome in outcomes:
                    calls += outcome.calls
                    for point, seeds in zip(outcome.points, outcome.computed, strict=True):
                        computed += len(seeds)
                        bar.advance(task, given[id(point)])
                    n = len(outcome.points)
                    shared = f" (one call, shared draws, for {n} points)" if n > 1 else ""
                    bar.console.print(f"  {' | '.join(_label(p.overrides) for p in outcome.points)}: "
                                      f"{sum(map(len, outcome.computed))} computed in {outcome.seconds:.1f} s{shared}",
                                      highlight=False, markup=False, soft_wrap=True)
        err.print(f"{name}: {computed} runs computed in {calls} training call{'s' if calls != 1 else ''}",
                  highlight=False)
    report = _report(name, points, results, total, computed, calls)
    if as_json:
        print(json.dumps(report))
    else:
        _print_points(report)


def _label(overrides: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in overrides.items())


def _report(name: str, points: list, results: Any, total: int, computed: int, calls: int) -> dict[str, Any]:
    """Every point's overrides, run ids and headline metrics, how many runs were computed now and in
    how many training calls."""
    rows = []
    for p in points:
        runs = {s: results.get(rid) for s, rid in p.run_ids.items()}
        rows.append({"overrides": p.overrides, "run_ids": {str(s): rid for s, rid in p.run_ids.items()},
                     "metrics": {str(s): r.metrics if r else None for s, r in runs.items()}})
    return {"experiment": name, "points": rows, "runs": total, "computed": computed, "stored": total - computed,
            "calls": calls}


def _print_points(report: dict[str, Any]) -> None:
    """One line per point: the overrides and the mean of the first scalar metrics over seeds."""
    from rflab.metrics.codes import flatten

    table = Table(title=f"sweep {report['experiment']}: {report['runs']} runs, {report['computed']} computed now")
    table.add_column("point")
    per_point = [[flatten(m) for m in p["metrics"].values() if m] for p in report["points"]]
    keys = [k for k in (per_point[0][0] if per_point and per_point[0] else {}) if "." not in k][:4]
    for k in keys:
        table.add_column(f"{k} (mean)", justify="right")
    for p, flats in zip(report["points"], per_point, strict=True):
        means = [sum(f[k] for f in flats) / len(flats) if flats and all(k in f for f in flats) else float("nan")
                 for k in keys]
        table.add_row(_label(p["overrides"]), *(f"{v:.4g}" for v in means))
    from rflab.cli import out

    out.print(table)


def runs(
    experiment: Annotated[str | None, typer.Option(help="only runs of this experiment")] = None,
    where: Annotated[list[str] | None, typer.Option(help="key=value (or !=, <, <=, >, >=); a config key, seed, "
                                                    "or metrics.NAME; repeatable")] = None,
    export: Annotated[Path | None, typer.Option(help="write the runs to FILE.csv or FILE.parquet")] = None,
    store: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the rows as one JSON list")] = False,
) -> None:
    """List stored runs with their configs and metrics; filter them; export them."""
    from rflab.cli import out
    from rflab.experiments import get_experiment
    from rflab.results import query as q
    from rflab.results.store import Store

    if experiment is not None:
        get_experiment(experiment)
    conditions = q.parse_where(where or [])
    if export is not None:
        q.check_export(export)
        check_file(export, "--export")
    results = Store(store_root(store))
    check_store(results.root, write=False)
    rows = q.stored_rows(results, experiment, conditions)
    if export is not None:
        q.export(rows, export)
        err.print(f"{len(rows)} runs -> {export}", highlight=False)
    if as_json:
        print(json.dumps(rows))
        return
    if export is None:
        out.print(_runs_table(rows, q.varying(rows)))


def _runs_table(rows: list[dict[str, Any]], varying: list[str]) -> Table:
    """Run id, experiment, seed, the config keys that vary, and the first scalar metrics."""
    metrics = [c for c in dict.fromkeys(c for r in rows for c in r if c.startswith("metrics."))
               if c.count(".") == 1 and all(isinstance(r.get(c), (int, float)) for r in rows)][:4]
    table = Table(title=f"{len(rows)} stored runs")
    for col in ("run_id", "experiment", "seed", *(c.removeprefix("config.") for c in varying),
                *(c.removeprefix("metrics.") for c in metrics)):
        table.add_column(col)
    for r in rows:
        table.add_row(r["run_id"], r["experiment"], str(r["seed"]), *(str(r.get(c, "")) for c in varying),
                      *(f"{r[c]:.4g}" for c in metrics))
    return table
