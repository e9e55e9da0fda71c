"""``rflab reproduce`` (every experiment and figure at one scale, then the report) and ``rflab report``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rflab.cli.options import MemoryOption, StoreOption, memory_bytes, store_root
from rflab.cli.progress import ConsoleWatch, err, plan_bar
from rflab.config import ConfigError
from rflab.paths import check_file, check_store

if TYPE_CHECKING:
    from rflab.report.reproduce import RunsCost, StepCost

ScaleOption = Annotated[str, typer.Option(help="quick (minutes on a laptop) or paper (the papers' settings)")]
DRY_RUN_HELP = ("print every step of the plan (runs, checks, figures with the runs each declares), whether it is "
                "done already and its estimated seconds, then the total, and exit without training or writing "
                "anything but STORE/costs.json: configurations never measured on this machine are first probed "
                "briefly (the first dry run of a plan takes minutes: every experiment is probed once, then what "
                "the plan spends most on, up to a budget) and their rates kept there, so the next dry run is instant")


def reproduce(
    scale: ScaleOption = "quick",
    store: StoreOption = None,
    force: Annotated[bool, typer.Option(help="recompute runs and figures even if they are stored")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=DRY_RUN_HELP)] = False,
    executor: Annotated[str, typer.Option(help="local (this process) or dask: the plan's runs are trained on Dask "
                                               "workers first, one task per call, then the figures here")] = "local",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address (default: a LocalCluster); the store "
                                                       "must be on a filesystem every worker reaches")] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes of the LocalCluster (default: one per core)")
                       ] = None,
    memory_limit: MemoryOption = None,
) -> None:
    """Run every experiment and paper figure at one scale, then write the HTML report (stored runs are reused)."""
    from rflab import resources
    from rflab.cli import Interrupted, out, setup_jax, setup_run
    from rflab.report import build
    from rflab.report import reproduce as rp
    from rflab.results import sweep as sw
    from rflab.results.costs import Rates

    rp.check_scale(scale)
    sw.check_executor(executor, scheduler, workers)
    if executor == "dask" and force:
        raise ConfigError("--force recomputes in this process; use it without --executor dask")
    limit = memory_bytes(memory_limit)
    root = store_root(store)
    steps = rp.plan(scale)
    check_store(root)
    if dry_run:
        setup_jax(cache=False)
        with resources.memory_limit(limit):
            dry(scale, root, force)
        return
    if executor == "dask":
        with resources.memory_limit(limit):
            on_dask(scale, root, scheduler, workers)
    setup_run()
    estimated = rp.weights(rp.estimate(scale, root, Rates(root, measure=False), force))
    weights = estimated or [1.0] * len(steps)
    job = rp.Reproduction(scale, root, force)
    start = time.perf_counter()
    done = 0
    try:
        with plan_bar(timed=estimated is not None) as bar, resources.memory_limit(limit):
            overall = bar.add_task(f"reproduce --scale {scale}", total=sum(weights))
            for step, weight in zip(steps, weights, strict=True):
                bar.update(overall, description=f"reproduce: {step.label}")
                record = job.do(step, lambda label: ConsoleWatch(f"  {label}"))
                done += 1
                bar.advance(overall, weight)
                state = (f"FAILED: {record['error']}" if "error" in record else
                         "computed" if record.get("computed") else "from the store")
                bar.console.print(f"{step.label}: {state}, {record['seconds']:.1f} s", highlight=False, markup=False,
                                  soft_wrap=True)
            bar.update(overall, description=f"reproduce --scale {scale}")
    except KeyboardInterrupt:
        raise Interrupted(f"during {steps[done].label}; the {done} steps done before it are kept (recorded in "
                          f"{rp.manifest_path(root, scale)}, with the runs this step finished), no partial figure "
                          "is left, and the same command goes on from there") from None
    summary = job.finish(time.perf_counter() - start)
    path = build(root, scale)
    err.print(f"reproduce --scale {scale}: {summary['seconds']:.1f} s, peak memory {summary['peak_rss_mib']:.0f} MiB, "
              f"{summary['computed']} steps computed, {summary['from_store']} from the store, "
              f"{summary['failed']} failed", highlight=False)
    out.print(str(path), highlight=False)
    if summary["failed"]:
        raise typer.Exit(1)


def on_dask(scale: str, root: Path, scheduler: str | None, workers: int | None) -> None:
    """Train every run the plan reads that the store lacks on Dask, one task per call, each stored by its
    worker (``rflab.results.sweep.train_specs``)."""
    from rflab.report import reproduce as rp
    from rflab.results import sweep as sw
    from rflab.results.store import Store

    store = Store(root)
    calls = sw.spec_calls(rp.plan_runs(scale), store)
    if not calls:
        return
    with plan_bar(timed=False) as bar:
        task = bar.add_task(f"reproduce --scale {scale}: {len(calls)} calls on Dask", total=len(calls))
        for specs, trained in sw.train_specs(calls, store, scheduler, workers):
            bar.advance(task)
            bar.console.print(f"  {specs[0].label}" + (f" and {len(specs) - 1} more" if len(specs) > 1 else "")
                              + f": {trained} runs trained", highlight=False, markup=False, soft_wrap=True)


def dry(scale: str, root: Path, force: bool) -> None:
    """Print the plan with what is done and the estimated seconds of the rest, measuring missing rates."""
    from rflab.cli import out
    from rflab.report import reproduce as rp
    from rflab.results.costs import Rates

    start = time.perf_counter()
    with err.status("estimating") as status:
        rates = Rates(root, told=lambda label: status.update(f"measuring the rate of {label}"))
        costs = rp.estimate(scale, root, rates, force)
    for line in plan_lines(costs):
        out.print(line, highlight=False, markup=False, soft_wrap=True)
    for line in total_lines(costs, root, scale):
        out.print(line, highlight=False, markup=False, soft_wrap=True)
    err.print(f"dry run: {time.perf_counter() - start:.1f} s, configurations probed now: {len(rates.probed)}",
              highlight=False)


def duration(seconds: float | None) -> str:
    """Seconds as ``42 s``, ``12.5 min`` or ``3.1 h``; None as not yet measured."""
    if seconds is None:
        return "unknown (not yet measured)"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def runs_line(cost: RunsCost) -> str:
    """One RunSpec of a step: its seeds stored, computed here or by an earlier step, and the estimate."""
    parts = [f"{n} {what}" for n, what in ((cost.compute, "to compute"), (cost.earlier, "by an earlier step"),
                                          (cost.stored, "stored")) if n]
    estimate = ("~" if cost.borrowed else "") + duration(cost.seconds) if cost.compute else "done"
    return f"{cost.spec.label}  [{', '.join(parts)}]  {estimate}"


def step_line(cost: StepCost) -> str:
    """A step's status: done, or its estimate, with its own time apart when that is not measured yet."""
    if cost.done:
        return "done"
    if cost.own is None:
        runs = f"{duration(cost.runs_seconds)} for its runs + " if cost.runs else ""
        return f"{runs}its own making, not yet measured"
    return ("~" if cost.shipped else "") + duration(None if cost.runs_seconds is None else cost.runs_seconds + cost.own)


def plan_lines(costs: list[StepCost]) -> list[str]:
    """Every step, indented lines for a figure's runs and its making, with status and estimate."""
    from rflab.report import reproduce as rp

    lines = []
    for cost in costs:
        if isinstance(cost.step, rp.RunStep):
            lines.append(f"runs {runs_line(cost.runs[0])}")
            continue
        lines.append(f"{cost.step.label}: {step_line(cost)}")
        lines += [f"  {runs_line(r)}" for r in cost.runs]
        if not cost.done and isinstance(cost.step, rp.FigureStep):
            lines.append(f"  making the figure: {'~' if cost.shipped else ''}{duration(cost.own)}")
    return lines


def total_lines(costs: list[StepCost], root: Path, scale: str) -> list[str]:
    """The estimated total of what is measured, and what is not measured yet."""
    from rflab.report import reproduce as rp
    from rflab.results.costs import costs_path

    todo = [c for c in costs if not c.done]
    lines = [f"{len(costs) - len(todo)} of {len(costs)} steps done; estimated total of the rest: "
             f"{duration(rp.measured_total(costs))} (runs from rates measured on this machine, kept in "
             f"{costs_path(root)}; figures and checks as a reproduce last timed them here, else as rflab's shipped "
             "timings)"]
    if any(r.borrowed for c in costs for r in c.runs):
        lines.append("~ before a run: the rate of a similar configuration of the same experiment (probes stop after "
                     f"a budget; remove {costs_path(root)} to measure again)")
    if any(c.shipped for c in costs if not c.done):
        machine = rp.shipped_making(scale).get("machine")
        lines.append("~ before a figure or the checks: its making as timed by the reproduce behind rflab's shipped "
                     f"timings{f' ({machine})' if machine else ''}, until a reproduce here times it")
    unknown = rp.not_measured(costs)
    if unknown:
        names = ", ".join(c.step.label for c in unknown)
        lines.append(f"not in the total, not yet measured: the making of {len(unknown)} steps beyond their runs "
                     f"({names}); a reproduce times them for the next estimate")
    return lines


def report(
    scale: Annotated[str | None, typer.Option(help="quick or paper (default: the scale last reproduced)")] = None,
    store: StoreOption = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="the HTML file (default STORE/report.html)")] = None,
    markdown: Annotated[Path | None, typer.Option(help="also write the results as Markdown pages into this folder "
                                                  "(claims-SCALE.md, claim32-SCALE.md)")] = None,
    readme: Annotated[Path | None, typer.Option(help="also write the headline results between this page's "
                                                "<!-- rflab report SCALE: start/end --> markers")] = None,
    making: Annotated[Path | None, typer.Option(help="also put every figure's making and the checks' time at this "
                                                "scale, as the store's reproduce timed them, into this timings file "
                                                "(rflab's shipped one, which a dry run estimates from where its "
                                                "store timed nothing: src/rflab/report/making.json)")] = None,
) -> None:
    """Write the HTML report from the results store: claims against measurements, every figure."""
    from rflab.cli import out, setup_jax
    from rflab.report import build
    from rflab.report import reproduce as rp

    setup_jax(cache=False)  # the devices a dry run measured its rates with, which key them
    root = store_root(store)
    check_store(root, write=out_file is None)
    check_file(out_file if out_file is not None else root / "report.html", "--out")
    if scale is None:
        scale = latest_scale(root)
    rp.check_scale(scale)
    if readme is not None:
        check_markers(readme, f"report {scale}")
    if making is not None:
        check_file(making, "--making")
        timed = rp.making(root, scale)
        untimed = [s.label for s in rp.plan(scale) if not isinstance(s, rp.RunStep) and s.key not in timed["seconds"]]
        if untimed:
            raise ConfigError(f"--making: the store's reproduce --scale {scale} has not timed {len(untimed)} steps "
                              f"({', '.join(untimed)}); run it to the end first")
    out.print(str(build(root, scale, out_file, markdown, readme)), highlight=False)
    if making is not None:
        rp.write_making(making, scale, timed)


def check_markers(page: Path, name: str) -> None:
    """A one-line ConfigError unless ``page`` is a readable file with the markers of block ``name``."""
    from rflab.files import between_markers

    try:
        between_markers(page.read_text(encoding="utf-8"), name, "")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"--readme {page}: cannot be read ({type(e).__name__})") from None
    except ValueError as e:
        raise ConfigError(f"--readme {page}: {e}") from None


def latest_scale(root: Path) -> str:
    """The scale of the most recently updated reproduce manifest in the store, else quick."""
    from rflab.report import reproduce as rp

    found = [(rp.load_manifest(root, s).get("updated", 0.0), s) for s in rp.SCALES]
    best = max(found)
    return best[1] if best[0] else "quick"
