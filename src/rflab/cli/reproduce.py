"""``rflab reproduce`` (every experiment and figure at one scale, then the report) and ``rflab report``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from rflab.progress import ConsoleProgress, err, progress_bar

ScaleOption = Annotated[str, typer.Option(help="quick (minutes on a laptop) or paper (the papers' settings)")]
StoreOption = Annotated[Path | None, typer.Option(help="results store (default $RFLAB_STORE or ./rflab-results)")]


def reproduce(
    scale: ScaleOption = "quick",
    store: StoreOption = None,
    force: Annotated[bool, typer.Option(help="recompute runs and figures even if they are stored")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print the plan and exit")] = False,
) -> None:
    """Run every experiment and paper figure at one scale, then write the HTML report (stored runs are reused)."""
    from rflab import reproduce as rp
    from rflab.cli import out, setup_jax
    from rflab.report import build
    from rflab.store import Store

    rp.check_scale(scale)
    root = Store(store).root
    steps = rp.plan(scale)
    if dry_run:
        for step in steps:
            out.print(step.label, highlight=False, markup=False, soft_wrap=True)
        return
    setup_jax()
    job = rp.Reproduction(scale, root, force)
    start = time.perf_counter()
    with progress_bar() as bar:
        overall = bar.add_task(f"reproduce --scale {scale}", total=len(steps))
        for step in steps:
            bar.update(overall, description=f"reproduce: {step.label}")
            progress = ConsoleProgress(f"  {step.label}") if isinstance(step, rp.RunStep) else None
            record = job.do(step, progress)
            bar.advance(overall)
            done = (f"FAILED: {record['error']}" if "error" in record else
                    "computed" if record.get("computed") else "from the store")
            bar.console.print(f"{step.label}: {done}, {record['seconds']:.1f} s", highlight=False, markup=False,
                              soft_wrap=True)
        bar.update(overall, description=f"reproduce --scale {scale}")
    summary = job.finish(time.perf_counter() - start)
    path = build(root, scale)
    err.print(f"reproduce --scale {scale}: {summary['seconds']:.1f} s, peak memory {summary['peak_rss_mib']:.0f} MiB, "
              f"{summary['computed']} steps computed, {summary['from_store']} from the store, "
              f"{summary['failed']} failed", highlight=False)
    out.print(str(path), highlight=False)
    if summary["failed"]:
        raise typer.Exit(1)


def report(
    scale: Annotated[str | None, typer.Option(help="quick or paper (default: the scale last reproduced)")] = None,
    store: StoreOption = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="the HTML file (default STORE/report.html)")] = None,
    markdown: Annotated[Path | None, typer.Option(help="also write the results as Markdown pages into this folder "
                                                  "(claims-SCALE.md, claim32-SCALE.md)")] = None,
) -> None:
    """Write the HTML report from the results store: claims against measurements, every figure."""
    from rflab import reproduce as rp
    from rflab.cli import out
    from rflab.report import build
    from rflab.store import Store

    root = Store(store).root
    if scale is None:
        scale = latest_scale(root)
    rp.check_scale(scale)
    out.print(str(build(root, scale, out_file, markdown)), highlight=False)


def latest_scale(root: Path) -> str:
    """The scale of the most recently updated reproduce manifest in the store, else quick."""
    from rflab import reproduce as rp

    found = [(rp.load_manifest(root, s).get("updated", 0.0), s) for s in rp.SCALES]
    best = max(found)
    return best[1] if best[0] else "quick"
