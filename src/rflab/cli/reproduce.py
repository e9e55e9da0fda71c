"""``rflab reproduce`` (every experiment and figure at one scale, then the report) and ``rflab report``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from rflab.cli.options import MemoryOption, StoreOption, memory_bytes, store_root
from rflab.cli.progress import ConsoleWatch, err, progress_bar
from rflab.paths import check_file, check_store

ScaleOption = Annotated[str, typer.Option(help="quick (minutes on a laptop) or paper (the papers' settings)")]


def reproduce(
    scale: ScaleOption = "quick",
    store: StoreOption = None,
    force: Annotated[bool, typer.Option(help="recompute runs and figures even if they are stored")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print the plan and exit")] = False,
    memory_limit: MemoryOption = None,
) -> None:
    """Run every experiment and paper figure at one scale, then write the HTML report (stored runs are reused)."""
    from rflab import resources
    from rflab.cli import Interrupted, out, setup_jax
    from rflab.report import build
    from rflab.report import reproduce as rp

    rp.check_scale(scale)
    limit = memory_bytes(memory_limit)
    root = store_root(store)
    steps = rp.plan(scale)
    if dry_run:
        for step in steps:
            out.print(step.label, highlight=False, markup=False, soft_wrap=True)
        return
    check_store(root)
    setup_jax()
    job = rp.Reproduction(scale, root, force)
    start = time.perf_counter()
    done = 0
    try:
        with progress_bar() as bar, resources.memory_limit(limit):
            overall = bar.add_task(f"reproduce --scale {scale}", total=len(steps))
            for step in steps:
                bar.update(overall, description=f"reproduce: {step.label}")
                record = job.do(step, lambda label: ConsoleWatch(f"  {label}"))
                done += 1
                bar.advance(overall)
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


def report(
    scale: Annotated[str | None, typer.Option(help="quick or paper (default: the scale last reproduced)")] = None,
    store: StoreOption = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="the HTML file (default STORE/report.html)")] = None,
    markdown: Annotated[Path | None, typer.Option(help="also write the results as Markdown pages into this folder "
                                                  "(claims-SCALE.md, claim32-SCALE.md)")] = None,
) -> None:
    """Write the HTML report from the results store: claims against measurements, every figure."""
    from rflab.cli import out
    from rflab.report import build
    from rflab.report import reproduce as rp

    root = store_root(store)
    check_store(root, write=out_file is None)
    check_file(out_file if out_file is not None else root / "report.html", "--out")
    if scale is None:
        scale = latest_scale(root)
    rp.check_scale(scale)
    out.print(str(build(root, scale, out_file, markdown)), highlight=False)


def latest_scale(root: Path) -> str:
    """The scale of the most recently updated reproduce manifest in the store, else quick."""
    from rflab.report import reproduce as rp

    found = [(rp.load_manifest(root, s).get("updated", 0.0), s) for s in rp.SCALES]
    best = max(found)
    return best[1] if best[0] else "quick"
