"""The ``rflab`` command (Typer + Rich): progress and tables on stderr, results and JSON on stdout.

Bad input ends with one line on stderr and exit status 2, before anything is written.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.exceptions import TyperException

from rflab.cli import data, reproduce, store, sweep, theory
from rflab.cli.options import MemoryOption, StoreOption, import_plugins, memory_bytes, store_root, writer_count
from rflab.cli.progress import ConsoleWatch, RunWatch, err, progress_bar
from rflab.config import ConfigError, parse_overrides
from rflab.files import INTERRUPTED, interrupt
from rflab.paths import check_file, check_folder, check_store
from rflab.train import DivergenceError, use_cpu_cores

app = typer.Typer(
    name="rflab",
    help="Structured representations from learning: population codes and localized receptive fields.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(data.app, name="data")
app.add_typer(theory.app, name="theory")
app.add_typer(store.app, name="store")
out = Console()


class Interrupted(Exception):
    """Ctrl-C stopped a command; the message says what was kept."""


__all__ = ["Interrupted", "app", "err", "main", "out", "progress_bar", "setup_jax", "setup_run"]


def setup_jax(cache: bool = True) -> None:
    """One JAX device per CPU core (seeds run in parallel) and, unless benchmarking, a persistent
    compilation cache so repeated runs skip XLA compilation."""
    import jax

    use_cpu_cores()
    if cache:
        root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rflab" / "xla"
        jax.config.update("jax_compilation_cache_dir", str(root))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.2)


def setup_run() -> None:
    """``setup_jax``, and one process per core storing runs and drawing their figures
    (``results.writers``), for the commands that make runs (run, sweep, figure, reproduce)."""
    from rflab.results import writers

    setup_jax()
    writers.use_processes(writer_count())


@app.command("list")
def list_() -> None:
    """Name every experiment (with its presets) and every figure."""
    from rflab.experiments import EXPERIMENTS
    from rflab.figures import FIGURES

    table = Table(title="Experiments (rflab run NAME)")
    for col in ("name", "presets", "what"):
        table.add_column(col)
    for exp in EXPERIMENTS.values():
        table.add_row(exp.name, ", ".join(exp.presets) or "-", exp.summary)
    out.print(table)
    figures = Table(title="Figures (rflab figure NAME)")
    figures.add_column("name")
    figures.add_column("what")
    for name, fig in FIGURES.items():
        figures.add_row(name, fig.summary)
    out.print(figures)


@app.command()
def run(
    name: Annotated[str, typer.Argument(help="experiment name (see rflab list)")],
    seed: Annotated[str | None, typer.Option(help="one seed, a non-negative integer")] = None,
    seeds: Annotated[str | None, typer.Option(help="a range of seeds A-B, inclusive, run together")] = None,
    preset: Annotated[str | None, typer.Option(help="a named preset of the experiment")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override a setting: key=value")] = None,
    store: StoreOption = None,
    force: Annotated[bool, typer.Option(help="recompute even if the run is stored")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print exactly one JSON object on stdout")] = False,
    memory_limit: MemoryOption = None,
) -> None:
    """Run an experiment for one or more seeds (trained together), store and summarise it."""
    from rflab import api, resources
    from rflab.experiments import get_experiment, parse_seeds

    experiment = get_experiment(name)
    seed_list = parse_seeds(seed, seeds)
    overrides = parse_overrides(set_ or [])
    root = store_root(store)
    watch = RunWatch(experiment.name, setup_run)
    try:
        with resources.memory_limit(memory_bytes(memory_limit)):
            result = api.run(experiment.name, seed_list, preset=preset, overrides=overrides, store=root,
                             force=force, watch=watch)
    except KeyboardInterrupt:
        raise Interrupted(f"{watch.done} of the {len(watch.missing)} runs to compute finished and are stored in "
                          f"{root}; nothing partial was written, and the same command computes the rest") from None
    finally:
        watch.close()
    report: dict[str, Any] = {
        "experiment": result.experiment,
        "run_id": result.run_id,
        "config": result.config.model_dump(),
        "metrics": result.summary(),
        "train_seconds": result.train_seconds,
        "cached": not result.computed,
    }
    for r in result.runs:
        err.print(f"seed {r.seed}: {r.path}")
    if as_json:
        print(json.dumps(report))
    else:
        out.print(_summary_table(report, [r.metrics for r in result.runs], seed_list))


def _summary_table(report: dict[str, Any], per_seed: list[dict], seeds: Sequence[int]) -> Table:
    """Headline numbers per seed: reconstruction, recovery of the latents, description length."""
    from rflab.metrics.codes import flatten

    flat = [flatten(m) for m in per_seed]
    keys = [k for k in flat[0] if not k.startswith(("singular_values", "dl_bits.constants"))]
    table = Table(title=f"{report['experiment']} ({'cached' if report['cached'] else 'computed'}, "
                        f"{report['train_seconds']:.1f} s training)")
    table.add_column("metric")
    for s in seeds:
        table.add_column(f"seed {s}", justify="right")
    for k in keys:
        table.add_row(k, *(f"{f[k]:.4g}" for f in flat))
    return table


@app.command()
def bench(
    name: Annotated[str | None, typer.Argument(help="benchmark name (default: all)")] = None,
    quick: Annotated[bool, typer.Option(help="smaller problem sizes, for a fast check")] = False,
    root: Annotated[Path, typer.Option(help="checkout holding benchmarks/")] = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="print the results as one JSON object")] = False,
    readme: Annotated[Path | None, typer.Option(help="write the table between the bench markers of this file")
                      ] = None,
    store: Annotated[Path | None, typer.Option(help="results store for bench.json (default $RFLAB_STORE or "
                                               "./rflab-results)")] = None,
) -> None:
    """Run benchmarks, each in its own process: times, ratios to baselines, peak memory (kept in bench.json)."""
    from rflab.bench import find, markdown, measure
    from rflab.files import write_between_markers, write_json

    found = find(root)
    if name is not None and name not in found:
        raise ConfigError(f"unknown benchmark {name!r}; allowed: {', '.join(found) or 'none found under ' + str(root)}")
    if not found:
        raise ConfigError(f"--root {str(root)!r}: no benchmarks/bench_*.py there")
    if readme is not None and not readme.is_file():
        raise ConfigError(f"--readme {str(readme)!r}: no such file")
    if readme is not None:
        check_file(readme, "--readme")
    root = store_root(store)
    check_store(root)
    _kept_results(root / "bench.json")
    results = {}
    with progress_bar() as bar:
        selected = {n: p for n, p in found.items() if name in (None, n)}
        task = bar.add_task("bench", total=len(selected))
        for bench_name, path in selected.items():
            bar.update(task, description=f"bench {bench_name}")
            results[bench_name] = measure(path, quick)
            bar.advance(task)
    kept = root / "bench.json"
    merged = _kept_results(kept) | results
    write_json(kept, {"quick": quick, "results": merged,
                      "rows": [r | {"benchmark": n} for n, res in merged.items() for r in res["rows"]]})
    if readme is not None:
        write_between_markers(readme, "bench", markdown(merged, quick))
    if as_json:
        print(json.dumps(results))
        return
    table = Table(title="benchmarks (ratio = baseline time / rflab time)")
    for col in ("#", "benchmark", "case", "rflab s", "baseline", "baseline s", "ratio", "peak MiB"):
        table.add_column(col)
    notes = []
    for bench_name, result in results.items():
        for r in result["rows"]:
            notes.append(r["note"])
            table.add_row(str(len(notes)), bench_name, r["case"], f"{r['seconds']:.3g}", r["baseline"],
                          f"{r['baseline_seconds']:.3g}", f"{r['ratio']:.2f}x", f"{result['peak_rss_mib']:.0f}")
    out.print(table)
    for i, note in enumerate(notes, 1):
        out.print(f"  {i}. {note}", markup=False, highlight=False)


def _kept_results(path: Path) -> dict[str, Any]:
    """The benchmark results kept in ``bench.json`` (none if there is no such file); a damaged file is
    a one-line error, found before the benchmarks run."""
    from rflab.results.store import StoreError

    if not path.exists():
        return {}
    try:
        return dict(json.loads(path.read_text())["results"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as e:
        raise StoreError(f"{path} is damaged ({type(e).__name__}: {e}); remove it to start a new table") from None


@app.command()
def figure(
    name: Annotated[str, typer.Argument(help="figure name (see rflab list)")],
    scale: Annotated[str, typer.Option(help="quick or paper")] = "paper",
    store: StoreOption = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="folder for the figure files (default STORE/figures)")
                       ] = None,
    memory_limit: MemoryOption = None,
    readme: Annotated[Path | None, typer.Option(help="also write how long it took, with how many of its runs it "
                                                "trained and on what machine, between this page's 'figure NAME "
                                                "SCALE' markers")] = None,
) -> None:
    """Make a paper figure (its runs go through the store; its files appear whole or not at all)."""
    from rflab import resources
    from rflab.cli.reproduce import check_markers
    from rflab.figures import get_figure, render
    from rflab.files import write_between_markers
    from rflab.report.markdown import figure_time
    from rflab.report.reproduce import check_scale, peak_rss_mib
    from rflab.results.store import Store

    start = time.perf_counter()
    figure = get_figure(name)
    check_scale(scale)
    limit = memory_bytes(memory_limit)
    root = store_root(store)
    check_store(root)
    target = out_dir if out_dir is not None else root / "figures"
    check_folder(target, "--out")
    if readme is not None:
        check_markers(readme, f"figure {name} {scale}")
    setup_run()
    store = Store(root)
    stored = len(store.runs()) if readme is not None else 0
    try:
        with resources.memory_limit(limit):
            files = render(figure, scale, target, store, ConsoleWatch)
    except KeyboardInterrupt:
        raise Interrupted(f"figure {name} was not written (no partial file is left in {target}); the runs it had "
                          f"finished are kept in {root}, so making it again starts from them") from None
    if readme is not None:
        runs = sum(len(spec.seeds) for spec in figure.scale(scale).runs.values())
        write_between_markers(readme, f"figure {name} {scale}", figure_time(
            name, scale, time.perf_counter() - start, peak_rss_mib(), len(store.runs()) - stored, runs))
    for path in files:
        out.print(str(path))


app.command("sweep")(sweep.sweep)
app.command("runs")(sweep.runs)
app.command("reproduce")(reproduce.reproduce)
app.command("report")(reproduce.report)


def main() -> None:
    """Entry point: bad input ends with one line on stderr and exit status 2; an interrupt (130), a
    diverging run or a failing filesystem (1) end in one line too, never in a traceback. Ctrl-C is
    remembered (``rflab.files.interrupt``), so one that Python swallows still ends the command at the
    next progress report."""
    warnings.showwarning = _show_warning
    INTERRUPTED.clear()
    ours = signal.getsignal(signal.SIGINT) is signal.default_int_handler  # not where Ctrl-C is ignored
    if ours:
        signal.signal(signal.SIGINT, interrupt)
    previous, sys.unraisablehook = sys.unraisablehook, _unraisable
    try:
        _main()
    finally:
        sys.unraisablehook = previous
        if ours:
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _unraisable(unraisable: Any) -> None:
    """A Ctrl-C that Python swallowed (raised in a weakref callback or a finaliser) says nothing, since the
    command remembers it and ends in its one line; any other unraisable exception as Python shows it."""
    if not (isinstance(unraisable.exc_value, KeyboardInterrupt) and INTERRUPTED.is_set()):
        sys.__unraisablehook__(unraisable)


def _main() -> None:
    """The command, each way it can end turned into its one line and exit status."""
    try:
        import_plugins()
        writer_count()  # a bad $RFLAB_WRITERS ends the command before anything is written
        code = app(standalone_mode=False)
    except ConfigError as e:
        _fail(str(e), 2)
    except TyperException as e:
        if type(e).__name__ == "NoArgsIsHelpError":
            e.show()  # type: ignore[attr-defined]
            sys.exit(2)
        _fail(e.format_message(), 2)
    except Interrupted as e:
        _fail(f"interrupted: {e}", 130)
    except (typer.Abort, KeyboardInterrupt):
        _fail("interrupted", 130)
    except DivergenceError as e:
        _fail(str(e), 1)
    except OSError as e:
        _fail(f"{e.filename}: {e.strerror}" if e.filename and e.strerror else str(e), 1)
    sys.exit(code if isinstance(code, int) else 0)


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None,
                  line: str | None = None) -> None:
    """A damaged run is reported in one line on stderr; other warnings as Python shows them."""
    from rflab.results.store import DamagedRunWarning

    if issubclass(category, DamagedRunWarning):
        err.print(f"warning: {message}", markup=False, highlight=False, soft_wrap=True)
    else:
        _SHOW_WARNING(message, category, filename, lineno, file, line)


_SHOW_WARNING = warnings.showwarning


def _fail(message: str, status: int) -> None:
    err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    sys.exit(status)
